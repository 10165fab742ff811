from django.db import migrations

# accounts.services.ROLE_GROUPS, by name: the roles that work on dossiers.
DOSSIER_ROLE_GROUPS = ["Agency receivers", "Agency handlers", "Agency leaders"]


def grant_view_dossier(apps, schema_editor):
    """The inbox opens for the dossier roles (which dossiers each sees is
    backoffice.scope's rule, not this permission's)."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label="eforms", model="dossier")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename="view_dossier", defaults={"name": "Can view dossier"}
    )
    for name in DOSSIER_ROLE_GROUPS:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(permission)


def revoke_view_dossier(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    permission = Permission.objects.filter(content_type__app_label="eforms", codename="view_dossier").first()
    if permission:
        for group in Group.objects.filter(name__in=DOSSIER_ROLE_GROUPS):
            group.permissions.remove(permission)


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0002_profile_consent_staff"),
        ("eforms", "0005_dossier_inbox"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant_view_dossier, revoke_view_dossier)]
