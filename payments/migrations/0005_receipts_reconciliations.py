import django.db.models.deletion
import django.utils.timezone
import eforms.models.attachments
import payments.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    """E-receipts of paid payments and the reconciliations kept for export."""

    dependencies = [
        ('payments', '0004_reconcile_permission'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='PaymentReceipt',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('number', models.CharField(max_length=64, unique=True, verbose_name='number')),
                ('issued_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='issued at')),
                ('language', models.CharField(max_length=8, verbose_name='language')),
                ('data', models.JSONField(default=dict, verbose_name='facts printed')),
                ('file', models.FileField(max_length=255, storage=eforms.models.attachments.private_storage, upload_to=payments.models.receipt_file_name, verbose_name='PDF')),
                ('size', models.PositiveIntegerField(default=0, verbose_name='size in bytes')),
                ('sha256', models.CharField(max_length=64, verbose_name='SHA-256')),
                ('payment', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='receipt', to='payments.payment', verbose_name='payment')),
            ],
            options={
                'verbose_name': 'e-receipt',
                'verbose_name_plural': 'e-receipts',
                'ordering': ['-issued_at', '-pk'],
            },
        ),
        migrations.CreateModel(
            name='Reconciliation',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('provider', models.CharField(max_length=32, verbose_name='provider')),
                ('day', models.DateField(verbose_name='day')),
                ('mode', models.CharField(choices=[('query', 'Asked the provider'), ('statement', 'Uploaded statement')], max_length=16, verbose_name='compared with')),
                ('created_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='run at')),
                ('created_by_label', models.CharField(blank=True, max_length=255, verbose_name='run by (name)')),
                ('statement_name', models.CharField(blank=True, max_length=255, verbose_name='statement file')),
                ('statement_sha256', models.CharField(blank=True, max_length=64, verbose_name='statement SHA-256')),
                ('totals', models.JSONField(default=dict, verbose_name='totals')),
                ('lines', models.JSONField(default=list, verbose_name='lines')),
                ('mismatches', models.PositiveIntegerField(default=0, verbose_name='mismatches')),
                ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='payment_reconciliations', to=settings.AUTH_USER_MODEL, verbose_name='run by')),
            ],
            options={
                'verbose_name': 'payment reconciliation',
                'verbose_name_plural': 'payment reconciliations',
                'ordering': ['-created_at', '-pk'],
            },
        ),
    ]
