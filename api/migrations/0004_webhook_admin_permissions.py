from django.db import migrations

# accounts.services.ROLE_GROUPS["agency_admin"], by name: agency administrators
# register their clients' webhook endpoints and see (and resend) their deliveries
# (which ones is api.webhooks.admin_views' rule).
GROUP = "Agency administrators"
CODENAMES = {
    "webhookendpoint": ["add_webhookendpoint", "change_webhookendpoint", "view_webhookendpoint"],
    "webhookdelivery": ["change_webhookdelivery", "view_webhookdelivery"],
}
NAMES = {"webhookendpoint": "webhook endpoint", "webhookdelivery": "webhook delivery"}


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for model, codenames in CODENAMES.items():
        content_type, _ = ContentType.objects.get_or_create(app_label="api", model=model)
        for codename in codenames:
            permission, _ = Permission.objects.get_or_create(
                content_type=content_type, codename=codename,
                defaults={"name": "Can " + codename.split("_")[0] + " " + NAMES[model]},
            )
            group.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP).first()
    if group:
        codenames = [c for names in CODENAMES.values() for c in names]
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="api", codename__in=codenames))


class Migration(migrations.Migration):

    dependencies = [
        ("api", "0003_webhooks"),
        ("accounts", "0003_staff_invitation"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
