"""Passwords are hashed with Argon2 and must be strong."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from accounts.models import User

pytestmark = pytest.mark.django_db


def test_passwords_are_hashed_with_argon2(settings):
    import config.settings as real

    settings.PASSWORD_HASHERS = real.PASSWORD_HASHERS
    user = User.objects.create_user("hashed", password="a long enough passphrase 2026")
    assert user.password.startswith("argon2")
    assert user.check_password("a long enough passphrase 2026")


@pytest.mark.parametrize("password", ["short1", "password123456", "123456789012345"])
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)
