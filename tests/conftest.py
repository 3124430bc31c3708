"""Fixtures shared by the whole suite: the personas, and clients signed in as them."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.roles import Role

PASSWORD = "correct horse battery staple 42"


@pytest.fixture(autouse=True)
def english_to_begin_with():
    """Each test starts in English: a request in Russian leaves Russian active in the thread (LocaleMiddleware
    activates a language and never deactivates it), and services called directly afterwards would speak it."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: the dashboard keeps its figures there for a minute, and figures
    computed by an earlier test would show a later test an older world."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Argon2 is slow on purpose; the suite makes hundreds of users. test_passwords.py checks Argon2 itself."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def make_user(db) -> Callable[..., User]:
    def make(username: str, role: Role | None = None, **extra) -> User:
        extra.setdefault("is_staff", role == Role.ADMINISTRATOR)
        user = User.objects.create_user(username=username, password=PASSWORD, **extra)
        if role is not None:
            user.groups.add(Group.objects.get(name=role.value))
        return user

    return make


@pytest.fixture
def caseworker(make_user) -> User:
    """The caseworker a case is assigned to."""
    return make_user("cw_assigned", Role.CASEWORKER)


@pytest.fixture
def other_caseworker(make_user) -> User:
    return make_user("cw_other", Role.CASEWORKER)


@pytest.fixture
def coordinator(make_user) -> User:
    return make_user("coord", Role.COORDINATOR)


@pytest.fixture
def lawyer(make_user) -> User:
    """The lawyer a case is shared with."""
    return make_user("lawyer_shared", Role.LAWYER)


@pytest.fixture
def other_lawyer(make_user) -> User:
    return make_user("lawyer_other", Role.LAWYER)


@pytest.fixture
def administrator(make_user) -> User:
    return make_user("administrator", Role.ADMINISTRATOR)


def confirmed_device(user: User) -> TOTPDevice:
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def sign_in(client: Client, user: User) -> Client:
    """Signs the client in as the user with both factors passed, as after a real sign-in."""
    device = confirmed_device(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def client_for(db) -> Callable[[User | None], Client]:
    """A fresh client per persona; None gives an anonymous visitor."""

    def make(user: User | None) -> Client:
        client = Client()
        return sign_in(client, user) if user is not None else client

    return make


# Distinctive fictional values, so a scan of the database or a response can spot any clear-text leak.
SEALED_VALUES = {
    "legal_name": "Zelimkhan Quuxfictional",
    "chosen_name": "Zorya Plumbobfictional",
    "pronouns": "xe/xem-fict",
    "nationality": "Quuxlandic",
    "phone": "+7 912 345-67-89",
    "messenger": "@plumbob_fictional",
    "current_location": "Grelmstrasse 17, Fictionburg",
    "narrative": "Narrative-Fictional: detained at the Vorbl checkpoint.",
    "medical_notes": "Medical-Fictional: flibbertigibbet syndrome.",
    "psychological_notes": "Psych-Fictional: nightmares about Vorbl.",
    "do_not_contact": "Uncle Quuxfictional-Senior in Vorbl.",
}


@pytest.fixture
def open_case(db):
    """Opens a case through the service the intake form uses, as the given caseworker."""
    import datetime

    from cases.services import case_open
    from vault.keys import key_scope

    def make(user: User, **values):
        data = {
            **SEALED_VALUES,
            "date_of_birth": datetime.date(1990, 5, 17),
            "intake_date": datetime.date(2026, 3, 1),
            "risk": "high",
        }
        data.update(values)
        with key_scope():
            return case_open(user=user, data=data)

    return make


@pytest.fixture
def case(open_case, caseworker):
    """A case assigned to the `caseworker` persona."""
    return open_case(caseworker)
