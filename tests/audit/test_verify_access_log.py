"""verify_access_log finds any entry altered, removed or rewritten behind the application's back."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from audit.models import AccessEvent, Action
from audit.services import record_access, verify_chain
from tests.audit.tampering import TABLE, tamper

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(caseworker, other_caseworker) -> list[AccessEvent]:
    """Five entries by two caseworkers."""
    return [
        record_access(user=caseworker, action=Action.CASE_LIST),
        record_access(user=caseworker, action=Action.CASE_VIEW, case_reference="EV-2026-0001"),
        record_access(user=other_caseworker, action=Action.DOCUMENT_VIEW, case_reference="EV-2026-0002", target="d 1"),
        record_access(user=caseworker, action=Action.SUMMARY_EXPORT, case_reference="EV-2026-0001", detail="ab12"),
        record_access(user=other_caseworker, action=Action.CASE_VIEW, case_reference="EV-2026-0002"),
    ]


def verify(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("verify_access_log", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def verify_fails(*args: str) -> str:
    """Runs the command expecting a broken chain; returns what it wrote to stderr."""
    err = StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("verify_access_log", *args, stdout=StringIO(), stderr=err)
    assert failure.value.returncode == 1
    return err.getvalue()


def test_an_intact_chain_passes_and_its_head_is_printed(events):
    out, err = verify()
    last = events[-1]
    assert "intact: 5 entries checked" in out
    assert f"Head: {last.id}:{last.hash}" in out
    assert err == ""


def test_an_empty_log_passes():
    out, _err = verify()
    assert "0 entries checked" in out


def test_it_prints_no_contents_of_entries(events):
    out, _err = verify()
    assert "EV-2026" not in out
    assert "cw_assigned" not in out


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("detail", "nothing happened"),
        ("action", Action.CASE_LIST.value),
        ("username", "cw_nobody"),
        ("case_reference", "EV-2026-0099"),
        ("target", "d 2"),
        ("address", "198.51.100.1"),
        ("user_id", None),
    ],
)
def test_an_altered_entry_is_named_and_the_exit_status_is_1(events, column, value):
    altered = events[2]
    tamper(f"UPDATE {TABLE} SET {column} = %s WHERE id = %s", [value, altered.id])
    err = verify_fails()
    assert f"BROKEN at entry {altered.id}: its contents do not match its hash" in err
    assert verify_chain().broken.event_id == altered.id


def test_a_changed_time_is_detected(events):
    altered = events[1]
    earlier = connection.ops.adapt_datetimefield_value(altered.at - timedelta(hours=3))
    tamper(f"UPDATE {TABLE} SET at = %s WHERE id = %s", [earlier, altered.id])
    assert f"BROKEN at entry {altered.id}" in verify_fails()


def test_an_entry_rehashed_after_alteration_breaks_the_link_to_the_next(events):
    altered = AccessEvent.objects.get(pk=events[2].pk)
    altered.detail = "nothing happened"
    tamper(
        f"UPDATE {TABLE} SET detail = %s, hash = %s WHERE id = %s", [altered.detail, altered.compute_hash(), altered.id]
    )
    err = verify_fails()
    assert f"BROKEN at entry {events[3].id}: it does not follow entry {altered.id}" in err


def test_an_entry_removed_from_the_middle_is_detected(events):
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [events[2].id])
    err = verify_fails()
    assert f"BROKEN at entry {events[3].id}: it does not follow entry {events[1].id}" in err
    assert f"the chain holds up to entry {events[1].id}" in err


def test_removing_the_first_entries_is_detected(events):
    tamper(f"DELETE FROM {TABLE} WHERE id <= %s", [events[1].id])
    err = verify_fails()
    assert f"BROKEN at entry {events[2].id}: it is the first entry left" in err


def test_a_log_rewritten_from_scratch_fails_against_the_head_noted_earlier(events, caseworker):
    head = events[-1]
    noted = f"{head.id}:{head.hash}"
    verify("--noted", noted)
    # Whoever can write to the database replaces the whole log with a chain that holds by itself.
    tamper(f"DELETE FROM {TABLE}")
    for _ in events:
        record_access(user=caseworker, action=Action.CASE_LIST)
    verify()
    assert f"BROKEN at entry {head.id}: its hash is not the one noted earlier" in verify_fails("--noted", noted)


def test_a_log_cut_short_fails_against_the_head_noted_earlier(events):
    head = events[-1]
    tamper(f"DELETE FROM {TABLE} WHERE id = %s", [head.id])
    verify()  # what is left still links up: only the noted head shows the loss
    assert f"BROKEN at entry {head.id}: the entry noted earlier is missing" in verify_fails(
        "--noted", f"{head.id}:{head.hash}"
    )


def test_a_malformed_noted_head_is_explained():
    with pytest.raises(CommandError, match="ID:HASH"):
        call_command("verify_access_log", "--noted", "yesterday", stdout=StringIO(), stderr=StringIO())


def test_the_walk_reads_in_chunks_and_reports_progress(caseworker):
    for number in range(7):
        record_access(user=caseworker, action=Action.CASE_VIEW, case_reference=f"EV-2026-{number:04d}")
    progress: list[int] = []
    check = verify_chain(chunk_size=2, progress_every=3, on_progress=progress.append)
    assert check.intact
    assert check.checked == 7
    assert progress == [3, 6]
