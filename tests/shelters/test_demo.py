"""seed_demo makes fictional safe houses and stays, within their beds, and can run twice."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone

from shelters.models import Placement, PlacementRequest, Shelter

pytestmark = pytest.mark.django_db


def test_the_demo_has_safe_houses_and_stays_and_can_run_twice(settings):
    from io import StringIO

    from accounts.models import User
    from shelters.demo import seed_shelters

    settings.DEBUG = True
    call_command("seed_demo")
    again = StringIO()
    seed_shelters(users={user.username: user for user in User.objects.all()}, stdout=again)
    assert Shelter.objects.count() == 6
    assert Shelter.objects.filter(status="closed").count() == 1
    assert Placement.objects.count() >= 10
    assert PlacementRequest.objects.filter(status="pending").exists()
    for shelter in Shelter.objects.with_occupancy(on=timezone.localdate()):
        assert shelter.occupied <= shelter.capacity
    with_addresses = Shelter.objects.all()
    from vault.keys import key_scope

    with key_scope():
        assert all("not a real place" in shelter.address for shelter in with_addresses)
    assert "Demo safe houses exist already." in again.getvalue()
