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
