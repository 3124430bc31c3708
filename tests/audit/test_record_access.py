"""record_access: each entry is chained to the one before, and says who, what, when and from where."""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory

from audit.chain import GENESIS_HASH
from audit.models import AccessEvent, Action
from audit.services import record_access, verify_chain
from tests.audit.tampering import postgres_only

pytestmark = pytest.mark.django_db


def test_the_first_entry_starts_the_chain_and_each_next_one_links_to_it(caseworker):
    first = record_access(user=caseworker, action=Action.CASE_VIEW, case_reference="EV-2026-0001")
    second = record_access(user=caseworker, action=Action.DOCUMENT_VIEW, case_reference="EV-2026-0001")
    third = record_access(user=caseworker, action=Action.CASE_LIST)
    assert first.prev_hash == GENESIS_HASH == "0" * 64
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert [first.id, second.id, third.id] == [first.id, first.id + 1, first.id + 2]
    assert len({first.hash, second.hash, third.hash}) == 3
    assert verify_chain().intact


def test_an_entry_records_who_what_which_case_and_when(caseworker):
    event = record_access(
        user=caseworker,
        action=Action.DOCUMENT_DOWNLOAD,
        case_reference="EV-2026-0042",
        target="document 3",
        detail="sha256:" + "ab" * 32,
    )
    stored = AccessEvent.objects.get(pk=event.pk)
    assert stored.user_id == caseworker.pk
    assert stored.username == caseworker.username
    assert stored.action == Action.DOCUMENT_DOWNLOAD
    assert stored.get_action_display() == "Downloaded a document"
    assert (stored.case_reference, stored.target) == ("EV-2026-0042", "document 3")
    assert stored.at.tzinfo is not None
    assert stored.hash == stored.compute_hash()


def test_the_address_comes_from_the_request_the_way_sign_in_locks_read_it(caseworker, settings):
    settings.PASSAGE_TRUSTED_PROXY_COUNT = 0
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.66")
    event = record_access(user=caseworker, action=Action.CASE_LIST, request=request)
    assert AccessEvent.objects.get(pk=event.pk).address == "203.0.113.9"


@pytest.mark.parametrize("address", ["2001:DB8:0:0::1", "::ffff:192.0.2.1", "fe80::1:2:3:4"])
def test_ipv6_addresses_hash_the_same_however_the_database_spells_them(caseworker, address):
    request = RequestFactory().get("/", REMOTE_ADDR=address)
    record_access(user=caseworker, action=Action.CASE_LIST, request=request)
    assert verify_chain().intact


def test_a_request_without_a_valid_address_records_none(caseworker):
    request = RequestFactory().get("/", REMOTE_ADDR="unix:/run/passage.sock")
    event = record_access(user=caseworker, action=Action.CASE_LIST, request=request)
    assert AccessEvent.objects.get(pk=event.pk).address is None
    assert record_access(user=caseworker, action=Action.CASE_LIST).address is None


def test_a_refusal_of_an_anonymous_visitor_is_recorded_without_a_user():
    for nobody in (None, AnonymousUser()):
        event = record_access(user=nobody, action=Action.REFUSED, case_reference="EV-2026-0001")
        assert (event.user_id, event.username) == (None, "")
    assert verify_chain().intact


def test_an_unknown_action_is_refused(caseworker):
    with pytest.raises(ValueError):
        record_access(user=caseworker, action="case_peek")
    assert not AccessEvent.objects.exists()


def test_a_value_too_long_for_its_column_is_refused_rather_than_cut(caseworker):
    with pytest.raises(ValueError, match="detail"):
        record_access(user=caseworker, action=Action.BREAK_GLASS, detail="x" * 501)
    with pytest.raises(ValueError, match="case_reference"):
        record_access(user=caseworker, action=Action.CASE_VIEW, case_reference="X" * 33)
    assert not AccessEvent.objects.exists()


def test_entries_outlive_the_account_that_made_them(caseworker, other_caseworker):
    record_access(user=caseworker, action=Action.CASE_VIEW, case_reference="EV-2026-0001")
    event = record_access(user=other_caseworker, action=Action.CASE_VIEW, case_reference="EV-2026-0002")
    user_id = other_caseworker.pk
    other_caseworker.delete()
    stored = AccessEvent.objects.get(pk=event.pk)
    assert (stored.user_id, stored.username) == (user_id, "cw_other")
    assert verify_chain().intact


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_on_separate_connections_never_fork_the_chain(caseworker, other_caseworker):
    writers, per_writer = 6, 40
    start = threading.Barrier(writers)
    errors: list[BaseException] = []

    def write(user) -> None:
        try:
            start.wait()
            for number in range(per_writer):
                record_access(user=user, action=Action.CASE_VIEW, case_reference=f"EV-2026-{number:04d}")
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection; close it, or the flush waits on it

    threads = [
        threading.Thread(target=write, args=(caseworker if n % 2 else other_caseworker,)) for n in range(writers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert AccessEvent.objects.count() == writers * per_writer
    assert AccessEvent.objects.values("prev_hash").distinct().count() == writers * per_writer
    check = verify_chain()
    assert check.intact
    assert check.checked == writers * per_writer
