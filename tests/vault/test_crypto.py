"""The sealing format: authenticated, bound to its place, versioned, padded."""

from __future__ import annotations

import uuid

import pytest

from vault import crypto


@pytest.fixture
def key():
    return crypto.new_key()


def test_a_sealed_value_opens_with_its_key_and_place(key):
    key_id = uuid.uuid4()
    blob = crypto.seal(key, "Зарина".encode(), data_key_id=key_id, context=b"cases.case.legal_name|1")
    assert crypto.sealed_key_id(blob) == key_id
    assert crypto.open_sealed(key, blob, context=b"cases.case.legal_name|1").decode() == "Зарина"


def test_a_value_does_not_open_in_another_place(key):
    blob = crypto.seal(key, b"secret", data_key_id=uuid.uuid4(), context=b"place-1")
    with pytest.raises(crypto.DecryptionError):
        crypto.open_sealed(key, blob, context=b"place-2")


def test_a_tampered_byte_fails_loudly(key):
    blob = bytearray(crypto.seal(key, b"secret", data_key_id=uuid.uuid4(), context=b"here"))
    for position in (0, 5, 20, len(blob) - 1):
        altered = bytearray(blob)
        altered[position] ^= 0x01
        with pytest.raises(crypto.DecryptionError):
            crypto.open_sealed(key, bytes(altered), context=b"here")


def test_another_key_fails(key):
    blob = crypto.seal(key, b"secret", data_key_id=uuid.uuid4(), context=b"here")
    with pytest.raises(crypto.DecryptionError):
        crypto.open_sealed(crypto.new_key(), blob, context=b"here")


def test_the_same_value_seals_differently_each_time(key):
    key_id = uuid.uuid4()
    first = crypto.seal(key, b"same", data_key_id=key_id, context=b"x")
    second = crypto.seal(key, b"same", data_key_id=key_id, context=b"x")
    assert first != second


def test_short_values_of_different_lengths_look_the_same_length(key):
    key_id = uuid.uuid4()
    lengths = {len(crypto.seal(key, b"a" * n, data_key_id=key_id, context=b"x")) for n in range(0, 31)}
    assert len(lengths) == 1


def test_a_wrapped_key_opens_only_with_its_master_key_and_id():
    master, data_key, key_id = crypto.new_key(), crypto.new_key(), uuid.uuid4()
    wrapped = crypto.wrap(master, data_key, data_key_id=key_id)
    assert crypto.unwrap(master, wrapped, data_key_id=key_id) == data_key
    with pytest.raises(crypto.DecryptionError):
        crypto.unwrap(crypto.new_key(), wrapped, data_key_id=key_id)
    with pytest.raises(crypto.DecryptionError):
        crypto.unwrap(master, wrapped, data_key_id=uuid.uuid4())


def test_an_unknown_format_is_refused(key):
    blob = b"\x02" + crypto.seal(key, b"x", data_key_id=uuid.uuid4(), context=b"x")[1:]
    with pytest.raises(crypto.DecryptionError):
        crypto.open_sealed(key, blob, context=b"x")
