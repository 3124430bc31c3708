"""Staff accounts. Every person who uses Passage has one, in one role group."""

from __future__ import annotations

from functools import cached_property

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role


class User(AbstractUser):
    # Part of the session hash: raising it ends every session of this user at once.
    session_generation = models.PositiveIntegerField(default=0, editable=False)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        key_salt = "passage.accounts.User.session_auth_hash"
        material = f"{self.password}:{self.session_generation}"
        return salted_hmac(key_salt, material, secret=secret, algorithm="sha256").hexdigest()

    @cached_property
    def roles(self) -> frozenset[str]:
        """The user's role names, read once per request."""
        if not self.is_active:
            return frozenset()
        return frozenset(self.groups.values_list("name", flat=True))

    def has_role(self, role: Role) -> bool:
        return role.value in self.roles

    @property
    def is_caseworker(self) -> bool:
        return self.has_role(Role.CASEWORKER)

    @property
    def is_coordinator(self) -> bool:
        return self.has_role(Role.COORDINATOR)

    @property
    def is_lawyer(self) -> bool:
        return self.has_role(Role.LAWYER)

    @property
    def is_administrator(self) -> bool:
        return self.has_role(Role.ADMINISTRATOR)
