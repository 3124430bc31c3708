"""Master keys from the configuration, and data keys opened at most once per request."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from vault import crypto
from vault.crypto import KeyDestroyed, UnknownMasterKey
from vault.models import DataKey

# Opened data keys of the current request (or command run), by id. None outside a scope: nothing is kept.
_opened: ContextVar[dict[uuid.UUID, bytes] | None] = ContextVar("passage_opened_data_keys", default=None)


def master_keys() -> list[tuple[str, bytes]]:
    """(id, key) pairs, newest first."""
    return [(crypto.master_key_id(key), key) for key in settings.PASSAGE_MASTER_KEYS]


def newest_master_key() -> tuple[str, bytes]:
    return master_keys()[0]


def _master_key(key_id: str) -> bytes:
    for candidate_id, key in master_keys():
        if candidate_id == key_id:
            return key
    raise UnknownMasterKey(
        f"A data key is wrapped with master key {key_id}, which is not configured "
        "(PASSAGE_MASTER_KEYS / PASSAGE_MASTER_KEY_FILE)."
    )


@contextmanager
def key_scope() -> Iterator[None]:
    """Keeps opened data keys for the duration of one request or command, then forgets them."""
    token = _opened.set({})
    try:
        yield
    finally:
        cache = _opened.get()
        if cache is not None:
            cache.clear()
        _opened.reset(token)


def _remember(key_id: uuid.UUID, key: bytes) -> None:
    cache = _opened.get()
    if cache is not None:
        cache[key_id] = key


def _forget(key_id: uuid.UUID) -> None:
    cache = _opened.get()
    if cache is not None:
        cache.pop(key_id, None)


def create_data_key(*, purpose: str = DataKey.Purpose.CASE) -> DataKey:
    key_id, master = newest_master_key()
    data_key = DataKey(purpose=purpose, master_key_id=key_id)
    clear = crypto.new_key()
    data_key.wrapped = crypto.wrap(master, clear, data_key_id=data_key.id)
    data_key.save(force_insert=True)
    _remember(data_key.id, clear)
    return data_key


def _unwrap(data_key: DataKey) -> bytes:
    if data_key.wrapped is None:
        raise KeyDestroyed("This case was erased: its data key is destroyed.")
    return crypto.unwrap(_master_key(data_key.master_key_id), bytes(data_key.wrapped), data_key_id=data_key.id)


def open_data_key(key_id: uuid.UUID, *, data_key: DataKey | None = None) -> bytes:
    """The clear data key, from this request's cache, the given row, or one query."""
    cache = _opened.get()
    if cache is not None and key_id in cache:
        return cache[key_id]
    if data_key is None or data_key.pk != key_id:
        data_key = DataKey.objects.only("id", "wrapped", "master_key_id").get(pk=key_id)
    clear = _unwrap(data_key)
    _remember(key_id, clear)
    return clear


def prefetch_data_keys(key_ids: Iterable[uuid.UUID]) -> None:
    """Opens the data keys of a page of rows with one query (inside a key scope)."""
    cache = _opened.get()
    if cache is None:
        return
    wanted = {key_id for key_id in key_ids if key_id is not None and key_id not in cache}
    if not wanted:
        return
    for data_key in DataKey.objects.filter(pk__in=wanted, wrapped__isnull=False).only("id", "wrapped", "master_key_id"):
        cache[data_key.pk] = _unwrap(data_key)


def destroy_data_key(*, data_key: DataKey) -> None:
    """Crypto-erasure: the wrapped key is overwritten, so nothing it sealed can be opened again."""
    data_key.wrapped = None
    data_key.destroyed_at = timezone.now()
    data_key.save(update_fields=["wrapped", "destroyed_at"])
    _forget(data_key.pk)


def rewrap(*, data_key: DataKey) -> bool:
    """Re-wraps one data key with the newest master key; False if it already was."""
    newest_id, newest = newest_master_key()
    if data_key.master_key_id == newest_id or data_key.wrapped is None:
        return False
    clear = _unwrap(data_key)
    data_key.wrapped = crypto.wrap(newest, clear, data_key_id=data_key.id)
    data_key.master_key_id = newest_id
    data_key.rewrapped_at = timezone.now()
    data_key.save(update_fields=["wrapped", "master_key_id", "rewrapped_at"])
    return True


_BLIND_INDEX_SLOT = uuid.UUID(int=1)  # where the scope cache keeps the blind-index key


def blind_index_key() -> bytes:
    """The key of the blind index: random, made once, wrapped like a data key, so rotation keeps it."""
    cache = _opened.get()
    if cache is not None and _BLIND_INDEX_SLOT in cache:
        return cache[_BLIND_INDEX_SLOT]
    data_key = DataKey.objects.filter(purpose=DataKey.Purpose.BLIND_INDEX).first()
    if data_key is None:
        try:
            with transaction.atomic():
                data_key = create_data_key(purpose=DataKey.Purpose.BLIND_INDEX)
        except IntegrityError:  # another process made it first
            data_key = DataKey.objects.get(purpose=DataKey.Purpose.BLIND_INDEX)
    clear = open_data_key(data_key.pk, data_key=data_key)
    _remember(_BLIND_INDEX_SLOT, clear)
    return clear


def verify_master_keys() -> list[str]:
    """Problems that would make stored data unreadable with the configured master keys."""
    problems = []
    configured = dict(master_keys())
    in_use = DataKey.objects.filter(wrapped__isnull=False).values_list("master_key_id", flat=True).distinct().order_by()
    for key_id in in_use:
        if key_id not in configured:
            problems.append(
                f"Data keys are wrapped with master key {key_id}, which is not configured. "
                "Add it back to PASSAGE_MASTER_KEYS (or the key file), after the newest key."
            )
            continue
        sample = DataKey.objects.filter(master_key_id=key_id, wrapped__isnull=False).first()
        try:
            _unwrap(sample)
        except crypto.VaultError:
            problems.append(f"Master key {key_id} does not open the data keys it claims to have wrapped.")
    return problems
