"""Exact-match search without clear text: keyed hashes of normalised names and phone numbers."""

from __future__ import annotations

import re
import unicodedata

from vault import crypto
from vault.keys import blind_index_key

_SPACES = re.compile(r"\s+")


def normalise_name(value: str) -> str:
    """Case, accents of compatibility forms, spacing and ё/е do not matter when searching a name."""
    text = unicodedata.normalize("NFKC", value).casefold().replace("ё", "е")
    text = text.replace("-", " ")
    return _SPACES.sub(" ", text).strip()


def normalise_phone(value: str) -> str:
    """Digits only; a leading 00 is the same as +."""
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", value) if ch.isdigit())
    if digits.startswith("00"):
        digits = digits[2:]
    return digits


def name_index(value: str) -> str:
    normalised = normalise_name(value)
    return crypto.keyed_hash(blind_index_key(), b"name\x00" + normalised.encode()) if normalised else ""


def phone_index(value: str) -> str:
    normalised = normalise_phone(value)
    return crypto.keyed_hash(blind_index_key(), b"phone\x00" + normalised.encode()) if normalised else ""
