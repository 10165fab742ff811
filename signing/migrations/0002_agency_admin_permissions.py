"""Agency administrators manage their agencies' signing certificates and see
the register of their documents (accounts.services.ROLE_GROUPS names the group)."""

from django.db import migrations

GROUP = "Agency administrators"
PERMISSIONS = [
    ("agencycertificate", "add_agencycertificate", "Can add signing certificate"),
    ("agencycertificate", "change_agencycertificate", "Can change signing certificate"),
    ("agencycertificate", "view_agencycertificate", "Can view signing certificate"),
    ("signeddocument", "view_signeddocument", "Can view signed document"),
]


def grant(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for model, codename, name in PERMISSIONS:
        content_type, _ = ContentType.objects.get_or_create(app_label="signing", model=model)
        permission, _ = Permission.objects.get_or_create(content_type=content_type, codename=codename,
                                                         defaults={"name": name})
        group.permissions.add(permission)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP).first()
    if group is not None:
        group.permissions.remove(*Permission.objects.filter(
            content_type__app_label="signing", codename__in=[codename for _m, codename, _n in PERMISSIONS]))


class Migration(migrations.Migration):

    dependencies = [
        ("signing", "0001_initial"),
        ("accounts", "0002_profile_consent_staff"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
