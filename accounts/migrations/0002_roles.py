"""The four role groups, with the model permissions of this first release."""

from django.db import migrations

from accounts.roles import Role, grant_model_permissions

GRANTS = {
    Role.CASEWORKER.value: [],
    Role.COORDINATOR.value: [],
    Role.LAWYER.value: [],
    Role.ADMINISTRATOR.value: [
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "auth.view_group",
        "otp_totp.view_totpdevice",
        "otp_totp.delete_totpdevice",
        "otp_static.view_staticdevice",
        "otp_static.delete_staticdevice",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
    ],
}


def create_roles(apps, schema_editor):
    grant_model_permissions(apps, schema_editor, GRANTS)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
