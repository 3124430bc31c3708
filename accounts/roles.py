"""The four roles of Passage. A role is a Django group of the same name."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker")
    COORDINATOR = "coordinator", _("Coordinator")
    LAWYER = "lawyer", _("Lawyer")
    ADMINISTRATOR = "administrator", _("Administrator")


def grant_model_permissions(apps, schema_editor, grants: dict[str, list[str]]) -> None:
    """Give each role group the named model permissions ("app_label.codename").

    For data migrations: permissions are normally created after all migrations
    ran, so this creates them first for the apps the grants name.
    """
    from django.contrib.auth.management import create_permissions

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    labels = {perm.split(".", 1)[0] for perms in grants.values() for perm in perms}
    for label in labels:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
    for role, perms in grants.items():
        group, _created = Group.objects.get_or_create(name=role)
        for perm in perms:
            app_label, codename = perm.split(".", 1)
            permission = Permission.objects.get(content_type__app_label=app_label, codename=codename)
            group.permissions.add(permission)


# What each role may do at model level. Object-level grants (which cases) come on top.
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.CASEWORKER: [],
    Role.COORDINATOR: [
        # Stages and money: budgets of cases, funds received, the exchange-rate table (never deleted).
        "cases.change_budget",
        "cases.view_fund",
        "cases.add_fund",
        "cases.change_fund",
        "cases.view_exchangerate",
        "cases.add_exchangerate",
        "cases.change_exchangerate",
    ],
    Role.LAWYER: [],
    Role.ADMINISTRATOR: [
        "accounts.view_user",
        "accounts.add_user",
        "accounts.change_user",
        "auth.view_group",
        # No second-factor devices: their pages would show authenticator keys and recovery codes, with
        # which an administrator could sign in as anybody. A 2FA reset is an action on the user instead.
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
    ],
}


def sync_roles(**kwargs) -> None:
    """Makes the role groups hold exactly the permissions above (after every migrate and flush)."""
    from django.contrib.auth.models import Group, Permission

    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        wanted = set()
        for perm in perms:
            app_label, codename = perm.split(".", 1)
            permission = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if permission is not None:  # not yet created on a first migrate of that app
                wanted.add(permission)
        group.permissions.set(wanted)
