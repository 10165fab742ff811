from django.db import migrations


class Migration(migrations.Migration):
    """The permission to reconcile payments with a provider's records."""

    dependencies = [
        ('payments', '0003_default_message_templates'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='payment',
            options={'ordering': ['-created_at', '-pk'], 'permissions': [('reconcile_payment', "Can reconcile payments with the provider's records")], 'verbose_name': 'payment', 'verbose_name_plural': 'payments'},
        ),
    ]
