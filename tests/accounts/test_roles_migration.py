"""The data migration accounts.0002_roles creates the four role groups with their permissions by itself.

accounts.roles.sync_roles (a post_migrate hook) creates the groups too, so each test takes the groups
away first and keeps the hook from running: what is found afterwards is the migration's own work.
"""

from __future__ import annotations

import importlib

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models.signals import post_migrate

from accounts.roles import Role, sync_roles

pytestmark = pytest.mark.django_db

roles_migration = importlib.import_module("accounts.migrations.0002_roles")

BEFORE = ("accounts", "0001_initial")
AFTER = ("accounts", "0002_roles")


@pytest.fixture
def no_groups_and_no_hook():
    assert post_migrate.disconnect(sync_roles, dispatch_uid="passage.sync_roles")
    Group.objects.filter(name__in=Role.values).delete()
    assert not Group.objects.filter(name__in=Role.values).exists()
    yield
    post_migrate.connect(sync_roles, dispatch_uid="passage.sync_roles")


def granted(role: str) -> set[str]:
    group = Group.objects.get(name=role)
    return {
        f"{app_label}.{codename}"
        for app_label, codename in group.permissions.values_list("content_type__app_label", "codename")
    }


def assert_made_by_the_migration() -> None:
    assert set(Group.objects.filter(name__in=Role.values).values_list("name", flat=True)) == set(Role.values)
    for role in Role.values:
        assert granted(role) == set(roles_migration.GRANTS[role]), role


# SQLite's schema editor cannot run inside the test's transaction; the other two tests cover SQLite.
@pytest.mark.skipif(connection.vendor == "sqlite", reason="the migration executor needs PostgreSQL inside a test")
def test_migrating_back_and_forward_again_creates_the_four_groups(no_groups_and_no_hook):
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    executor.loader.build_graph()
    assert AFTER not in executor.loader.applied_migrations

    executor.migrate([AFTER])
    executor.loader.build_graph()
    assert AFTER in executor.loader.applied_migrations
    assert_made_by_the_migration()


def test_the_migration_function_creates_the_groups_on_the_historical_models(no_groups_and_no_hook):
    state = MigrationExecutor(connection).loader.project_state(AFTER, at_end=False)
    roles_migration.create_roles(state.apps, None)  # a data migration: it never touches the schema editor
    assert_made_by_the_migration()


def test_running_the_migration_twice_changes_nothing(no_groups_and_no_hook):
    state = MigrationExecutor(connection).loader.project_state(AFTER, at_end=False)
    roles_migration.create_roles(state.apps, None)
    roles_migration.create_roles(state.apps, None)
    assert Group.objects.filter(name__in=Role.values).count() == 4
    assert_made_by_the_migration()
