"""Writing to the access log, and checking that nobody has rewritten it."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import User
from accounts.network import client_address
from audit.chain import GENESIS_HASH, HASHED_FIELDS, entry_hash
from audit.models import AccessEvent, Action

# The key of the PostgreSQL advisory lock that lets one writer at a time append to the chain:
# b"auditlog" read as a 64-bit number. Any fixed key that no other lock in the database uses would do.
CHAIN_LOCK_KEY = int.from_bytes(b"auditlog", "big")

VERIFY_CHUNK_SIZE = 2000
VERIFY_PROGRESS_EVERY = 100_000


def record_access(
    *,
    user: User | AnonymousUser | None,
    action: Action | str,
    request: HttpRequest | None = None,
    case_reference: str = "",
    target: str = "",
    detail: str = "",
) -> AccessEvent:
    """Appends one entry to the access log, chained to the entry before it, and returns it.

    `user` is the acting user (None, or an anonymous user, for nobody signed
    in); the address is read from `request` when one is given. Pass a case
    reference, never a name, and nothing personal in `target` or `detail`.

    Locking: appends are serialised so that two writers never both chain to
    the same entry. Before reading the last entry this takes, on PostgreSQL,
    the transaction-level advisory lock CHAIN_LOCK_KEY, and on SQLite the
    database's write lock. Should that ever not hold, the explicit id (the
    last id plus one) makes a second writer that read the same last entry
    fail on the primary key rather than fork the chain. Our own transaction
    is a handful of statements, but the lock is held until the *outermost*
    transaction ends: call this outside long transactions (a view records
    the access before or after its own atomic block). Inside one, every
    other user's reads wait for it to commit, and if it rolls back, the
    entry goes with it.
    """
    action = Action(action)  # an unknown action is a programming error: fail loudly
    signed_in = user is not None and user.is_authenticated
    username = user.get_username() if signed_in else ""
    user_id = user.pk if signed_in else None
    address = _address(request)
    for name, value in (("case_reference", case_reference), ("target", target), ("detail", detail)):
        limit = AccessEvent._meta.get_field(name).max_length
        if len(value) > limit:
            raise ValueError(f"record_access: {name} is longer than {limit} characters.")

    with transaction.atomic():
        _lock_chain()
        last = AccessEvent.objects.order_by("-id").values_list("id", "hash").first()
        last_id, prev_hash = last if last is not None else (0, GENESIS_HASH)
        event = AccessEvent(
            id=last_id + 1,
            at=timezone.now(),
            user_id=user_id,
            username=username,
            action=action,
            case_reference=case_reference,
            target=target,
            detail=detail,
            address=address,
            prev_hash=prev_hash,
        )
        event.hash = event.compute_hash()
        event.save()
    return event


def _lock_chain() -> None:
    """Makes the current transaction the only one that may append to the log until it ends."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK_KEY])
        elif connection.vendor == "sqlite":
            # SQLite admits one writing transaction at a time, but takes the write lock only at the
            # first write. A write that changes nothing takes it now (waiting for it if need be), so
            # two writers never both read the same last entry and then collide with "database is locked".
            cursor.execute(f"UPDATE {AccessEvent._meta.db_table} SET id = id WHERE 0")  # noqa: S608


def _address(request: HttpRequest | None) -> str | None:
    """The client's address in one spelling, or None if there is no valid one."""
    if request is None:
        return None
    raw = client_address(request)
    if not raw:
        return None
    try:
        return str(ipaddress.ip_address(raw))
    except ValueError:
        return None


@dataclass(frozen=True)
class ChainBreak:
    """The first entry at which the chain does not hold, and what is wrong with it."""

    event_id: int
    problem: str


@dataclass(frozen=True)
class ChainCheck:
    checked: int
    head_id: int | None  # the last entry that checked out
    head_hash: str
    broken: ChainBreak | None

    @property
    def intact(self) -> bool:
        return self.broken is None


def verify_chain(
    *,
    noted: tuple[int, str] | None = None,
    on_progress: Callable[[int], None] | None = None,
    progress_every: int = VERIFY_PROGRESS_EVERY,
    chunk_size: int = VERIFY_CHUNK_SIZE,
) -> ChainCheck:
    """Walks the whole log in id order and reports the first entry that breaks the chain.

    An entry breaks it when its contents no longer match its hash (altered),
    or its prev_hash is not the hash of the entry before it (an entry was
    removed, inserted or rewritten before it). `noted` is an (id, hash) pair
    written down earlier from this command's output: the walk also fails if
    that entry is gone or different, which catches a log rewritten from
    scratch. Reads in chunks, so memory stays flat over millions of entries;
    `on_progress` is called with the count every `progress_every` entries.
    The report names entries by id only, never by their contents.
    """
    checked = 0
    prev_id: int | None = None
    prev_hash = GENESIS_HASH
    noted_seen = False
    rows = AccessEvent.objects.order_by("id").values_list(*HASHED_FIELDS, "hash").iterator(chunk_size=chunk_size)
    for row in rows:
        fields = dict(zip(HASHED_FIELDS, row[:-1], strict=True))
        event_id, stored_hash = fields["id"], row[-1]
        checked += 1
        problem = None
        if fields["prev_hash"] != prev_hash:
            if prev_id is None:
                problem = "it is the first entry left but does not start the chain: earlier entries were removed"
            else:
                problem = (
                    f"it does not follow entry {prev_id}: an entry between them was removed, "
                    f"or entry {prev_id} was rewritten"
                )
        elif entry_hash(**fields) != stored_hash:
            problem = "its contents do not match its hash: it was altered"
        elif noted is not None and event_id == noted[0]:
            noted_seen = True
            if stored_hash != noted[1]:
                problem = "its hash is not the one noted earlier: the log was rewritten up to here"
        if problem is not None:
            return ChainCheck(
                checked=checked, head_id=prev_id, head_hash=prev_hash, broken=ChainBreak(event_id, problem)
            )
        prev_id, prev_hash = event_id, stored_hash
        if on_progress is not None and checked % progress_every == 0:
            on_progress(checked)
    broken = None
    if noted is not None and not noted_seen:
        broken = ChainBreak(noted[0], "the entry noted earlier is missing: the log was cut short or rewritten")
    return ChainCheck(checked=checked, head_id=prev_id, head_hash=prev_hash, broken=broken)
