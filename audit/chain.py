"""How an access-log entry is hashed and linked to the one before it.

This is the canonical form every verifier has to reproduce, so it is spelled
out here. An entry's hash is the hex SHA-256 of the UTF-8 bytes of one JSON
object, written as Python's `json.dumps(..., sort_keys=True,
separators=(",", ":"), ensure_ascii=True)` writes it, with these keys:

    v               1 (the version of this form)
    id              the entry's id
    at              UTC, "YYYY-MM-DDTHH:MM:SS.ffffffZ" (always microseconds)
    user_id         the user's id, or null
    username        as recorded
    action          the action's value ("case_view")
    case_reference  "" when none
    target          "" when none
    detail          "" when none
    address         the address's bytes in lowercase hex (8 digits for IPv4,
                    32 for IPv6), or null
    prev_hash       the hash of the entry before, or 64 zeros for the first

Every field but the hash itself is covered. The address is hashed as bytes
because PostgreSQL and Python spell some IPv6 addresses differently, and the
hash must not depend on who wrote the text.
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
from datetime import UTC, datetime

FORMAT_VERSION = 1
GENESIS_HASH = "0" * 64

# What a verifier reads of each entry, in the order `entry_hash` takes them.
HASHED_FIELDS = (
    "id",
    "at",
    "user_id",
    "username",
    "action",
    "case_reference",
    "target",
    "detail",
    "address",
    "prev_hash",
)


def canonical_address(address: str | None) -> str | None:
    if not address:
        return None
    return ipaddress.ip_address(address).packed.hex()


def canonical_time(at: datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("An access-log time must be timezone-aware.")
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def canonical_form(
    *,
    id: int,
    at: datetime,
    user_id: int | None,
    username: str,
    action: str,
    case_reference: str,
    target: str,
    detail: str,
    address: str | None,
    prev_hash: str,
) -> bytes:
    """The bytes an entry's hash is taken over (see the module's docstring)."""
    document = {
        "v": FORMAT_VERSION,
        "id": int(id),
        "at": canonical_time(at),
        "user_id": None if user_id is None else int(user_id),
        "username": str(username),
        "action": str(action),
        "case_reference": str(case_reference),
        "target": str(target),
        "detail": str(detail),
        "address": canonical_address(address),
        "prev_hash": str(prev_hash),
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def entry_hash(**fields) -> str:
    """The hex SHA-256 of an entry, from the fields named in HASHED_FIELDS."""
    return hashlib.sha256(canonical_form(**fields)).hexdigest()
