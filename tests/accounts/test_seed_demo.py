"""seed_demo: demo accounts for a development run, never in production."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_it_refuses_to_run_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert not User.objects.filter(username="caseworker").exists()


def test_it_creates_the_demo_users_in_their_roles_and_can_run_twice(settings, capsys):
    settings.DEBUG = True
    call_command("seed_demo")
    call_command("seed_demo")
    roles = {user.username: sorted(user.roles) for user in User.objects.all()}
    assert roles == {
        "caseworker": ["caseworker"],
        "caseworker2": ["caseworker"],
        "coordinator": ["coordinator"],
        "lawyer": ["lawyer"],
        "admin": ["administrator"],
    }
    assert User.objects.get(username="admin").is_staff
    assert not User.objects.filter(is_superuser=True).exists()
    out = capsys.readouterr().out
    assert "passage-demo-2026" in out
    from cases.models import Case
    from cases.services import assigned_caseworkers

    assert Case.objects.count() == 30
    owners = {user.username for case in Case.objects.all() for user in assigned_caseworkers(case)}
    assert owners == {"caseworker", "caseworker2"}
    assert User.objects.get(username="lawyer").check_password("passage-demo-2026")


def test_role_groups_hold_exactly_their_permissions():
    from django.contrib.auth.models import Group

    from accounts.roles import ROLE_PERMISSIONS

    for role, perms in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=role.value)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert held == set(perms)
