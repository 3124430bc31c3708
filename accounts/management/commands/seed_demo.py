"""Fills a development database with fictional demo data. Safe to run again."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from accounts.roles import Role
from vault.keys import key_scope

DEMO_PASSWORD = "passage-demo-2026"

DEMO_USERS = [
    # username, role, first name, last name (all fictional)
    ("caseworker", Role.CASEWORKER, "Ada", "Caseworker"),
    ("caseworker2", Role.CASEWORKER, "Boris", "Caseworker"),
    ("coordinator", Role.COORDINATOR, "Clara", "Coordinator"),
    ("lawyer", Role.LAWYER, "Lev", "Lawyer"),
    ("admin", Role.ADMINISTRATOR, "Anna", "Admin"),
]


class Command(BaseCommand):
    help = "Creates demo users and fictional demo data (development only: refuses when DEBUG is off)."

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo refuses to run with DJANGO_DEBUG off: demo accounts have a known password.")
        with transaction.atomic(), key_scope():
            users = self._users()
            for seeder in self._seeders():
                seeder(users=users, stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        self.stdout.write(
            f"Demo users: {', '.join(name for name, *_ in DEMO_USERS)}; password for all: {DEMO_PASSWORD}"
        )

    def _users(self) -> dict[str, User]:
        users = {}
        for username, role, first, last in DEMO_USERS:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "is_staff": role == Role.ADMINISTRATOR},
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.save()
            user.groups.add(Group.objects.get(name=role.value))
            users[username] = user
        return users

    def _seeders(self) -> list:
        """Each app that has demo data adds a function here (users=..., stdout=...)."""
        from cases.demo import seed_cases, seed_money
        from documents.demo import seed_documents
        from shelters.demo import seed_shelters

        return [seed_cases, seed_money, seed_documents, seed_shelters]
