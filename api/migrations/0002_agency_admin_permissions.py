from django.db import migrations

# accounts.services.ROLE_GROUPS["agency_admin"], by name: agency administrators
# register and manage their agency's API clients (which ones is api.wagtail_hooks' rule).
GROUP = "Agency administrators"
CODENAMES = ["add_apiclient", "change_apiclient", "view_apiclient"]


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label="api", model="apiclient")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for codename in CODENAMES:
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename,
            defaults={"name": "Can " + codename.split("_")[0] + " API client"},
        )
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP).first()
    if group:
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="api", codename__in=CODENAMES))


class Migration(migrations.Migration):

    dependencies = [
        ("api", "0001_initial"),
        ("accounts", "0003_staff_invitation"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
