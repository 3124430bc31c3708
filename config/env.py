"""Strict readers for settings that come from the environment.

Each helper names the variable it read when the value is wrong, so a bad
deployment stops at start-up with a message an operator can act on.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}

MASTER_KEY_BYTES = 32
_TO_STANDARD_ALPHABET = str.maketrans("-_", "+/")


def env_str(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip()


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be 1 or 0 (true/false, yes/no, on/off), not {value!r}.")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {number}.")
    return number


def env_decimal(name: str, default: str) -> Decimal:
    value = os.environ.get(name) or default
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise ImproperlyConfigured(f"{name} must be a decimal number like 4000.00, not {value!r}.") from None
    if not number.is_finite() or number <= 0:
        raise ImproperlyConfigured(f"{name} must be a positive amount, not {value!r}.")
    return number.quantize(Decimal("0.01"))


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_database(name: str, default: str) -> dict:
    """Parse a database URL (postgres://, sqlite:///) into Django's DATABASES entry."""
    import dj_database_url

    url = os.environ.get(name) or default
    try:
        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    except (ValueError, KeyError, TypeError) as exc:
        raise ImproperlyConfigured(f"{name} is not a database URL Passage understands: {exc}") from None
    engine = config.get("ENGINE", "")
    if engine not in {"django.db.backends.postgresql", "django.db.backends.sqlite3"}:
        raise ImproperlyConfigured(f"{name} must point at PostgreSQL (postgres://) or SQLite (sqlite:///).")
    if engine.endswith("sqlite3"):
        if _is_in_memory_sqlite(config):
            # dj_database_url reads sqlite:// and sqlite:/// as ":memory:": every record would vanish on restart.
            raise ImproperlyConfigured(
                f"{name} points at an in-memory SQLite database, whose data would be lost when Passage stops. "
                f"Name a file (sqlite:////srv/passage/passage.sqlite3), or leave {name} unset for var/passage.sqlite3."
            )
        # SQLite keeps no connection worth reusing, and health checks would cost a query per request.
        config["CONN_MAX_AGE"] = 0
        config["CONN_HEALTH_CHECKS"] = False
        # Take the write lock when a transaction starts, so concurrent writers queue instead of failing.
        config.setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
    elif not config.get("NAME"):
        raise ImproperlyConfigured(f"{name} names no PostgreSQL database.")
    return config


def _is_in_memory_sqlite(config: dict) -> bool:
    """Whether SQLite would keep this database in memory only (Django opens names as URIs)."""
    name = str(config.get("NAME") or "")
    mode = str((config.get("OPTIONS") or {}).get("mode", ""))
    return name in {"", ":memory:"} or name.startswith("file::memory:") or "mode=memory" in name or mode == "memory"


# URL-safe base64 (RFC 4648 section 5) with its padding: nothing else, so a key has one spelling only.
_URLSAFE_BASE64 = re.compile(r"[A-Za-z0-9_-]+=*")
_GENERATE_KEY = 'python -c "import base64,os; print(base64.urlsafe_b64encode(os.urandom(32)).decode())"'


def decode_master_key(text: str, *, source: str) -> bytes:
    """A master key is 32 random bytes in URL-safe base64, padded: 44 characters, the last one "=".

    Strict on purpose: the lenient decoder ignores stray characters and spare bits, so a mistyped
    key could decode to another key, or two spellings of one key could pass as two keys. Messages
    never repeat the key.
    """
    stripped = text.strip()
    wrong_padding = ImproperlyConfigured(
        f"{source} holds a master key with wrong base64 padding: a master key is 44 characters, the last one = "
        f"({_GENERATE_KEY})."
    )
    if not _URLSAFE_BASE64.fullmatch(stripped):
        raise ImproperlyConfigured(
            f"{source} holds a master key that is not URL-safe base64: only A-Z, a-z, 0-9, - and _ may appear, "
            f"with = as padding at the end ({_GENERATE_KEY})."
        )
    padding = len(stripped) - len(stripped.rstrip("="))
    if len(stripped) % 4 or padding > 2:
        raise wrong_padding
    try:
        # The alphabet is checked above, so translating to the standard one lets the decoder validate.
        raw = base64.b64decode(stripped.translate(_TO_STANDARD_ALPHABET), validate=True)
    except (binascii.Error, ValueError):
        raise wrong_padding from None
    if len(raw) != MASTER_KEY_BYTES:
        raise ImproperlyConfigured(
            f"{source} holds a master key of {len(raw)} bytes; a master key is {MASTER_KEY_BYTES} random bytes "
            f"({_GENERATE_KEY})."
        )
    if base64.urlsafe_b64encode(raw).decode("ascii") != stripped:
        # The last character carries bits that decoding drops: not the text the key was written as.
        raise ImproperlyConfigured(
            f"{source} holds a master key that is not canonical URL-safe base64 (its last characters are "
            f"mistyped?): write it exactly as generated ({_GENERATE_KEY})."
        )
    return raw


def env_master_keys(keys_name: str, file_name: str) -> list[bytes]:
    """The master keys, newest first, from a comma-separated variable or a file of one key a line."""
    inline = os.environ.get(keys_name, "").strip()
    path = os.environ.get(file_name, "").strip()
    if inline and path:
        raise ImproperlyConfigured(f"Set {keys_name} or {file_name}, not both.")
    if inline:
        texts = [part for part in inline.split(",") if part.strip()]
        source = keys_name
    elif path:
        try:
            content = Path(path).read_text(encoding="ascii")
        except FileNotFoundError:
            raise ImproperlyConfigured(f"{file_name} names {path}, which does not exist.") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ImproperlyConfigured(f"{file_name} names {path}, which cannot be read: {exc}") from None
        texts = [line for line in content.splitlines() if line.strip() and not line.lstrip().startswith("#")]
        source = f"{file_name} ({path})"
    else:
        raise ImproperlyConfigured(
            f"No master key: set {keys_name} or {file_name}. Passage will not start without one, "
            "because it never stores case data in clear."
        )
    if not texts:
        raise ImproperlyConfigured(f"{source} holds no master key.")
    keys = [decode_master_key(text, source=source) for text in texts]
    if len(set(keys)) != len(keys):
        raise ImproperlyConfigured(f"{source} lists the same master key twice.")
    return keys
