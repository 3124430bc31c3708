"""Model fields whose values are stored sealed with the data key of their case.

A sealed field reads as clear text in Python and is ciphertext in the
database (and in history tables). Values loaded from the database stay
sealed until first read, so pages that never show them never decrypt them,
and a row saved without touching them writes the same ciphertext back.

They cannot be filtered on, and cannot be written by `QuerySet.update()` or
`bulk_update()`: those would bypass sealing, and they are refused.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db import models
from django.db.models.query_utils import DeferredAttribute

from vault import crypto
from vault.keys import open_data_key


class Sealed:
    """A ciphertext as loaded from the database, not opened yet."""

    __slots__ = ("blob",)

    def __init__(self, blob: bytes) -> None:
        self.blob = blob

    def __repr__(self) -> str:
        return "<Sealed>"


class SealedAttribute(DeferredAttribute):
    """Opens the sealed value on first read and keeps the clear value on the instance."""

    def __get__(self, instance, cls=None):
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Sealed):
            value = self.field.open_value(instance, value)
            instance.__dict__[self.field.attname] = value
        return value

    def __set__(self, instance, value) -> None:
        instance.__dict__[self.field.attname] = value


class SealedField(models.BinaryField):
    descriptor_class = SealedAttribute
    empty_value: Any = None

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("null", True)
        kwargs.setdefault("editable", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("null", None)
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def _check_str_default_value(self):
        return []  # the default is a clear value, sealed on save

    def contribute_to_class(self, cls, name, private_only=False) -> None:
        # History models copy this field; the copy keeps the original's place so the same ciphertext opens.
        if not getattr(self, "seal_place", None):
            self.seal_place = f"{cls._meta.label_lower}.{name}"
        super().contribute_to_class(cls, name, private_only)

    # Conversion between Python values and bytes, per kind of field.
    def to_plaintext(self, value: Any) -> bytes:
        raise NotImplementedError

    def from_plaintext(self, data: bytes) -> Any:
        raise NotImplementedError

    def _context(self, instance) -> bytes:
        return f"passage/v1|{self.seal_place}|{instance.seal_id}".encode()

    def seal_value(self, instance, value: Any) -> bytes:
        key_id = instance.data_key_id
        if key_id is None:
            raise crypto.VaultError(f"{self.seal_place}: the row has no data key to seal with.")
        key = open_data_key(key_id, data_key=instance._state.fields_cache.get("data_key"))
        return crypto.seal(key, self.to_plaintext(value), data_key_id=key_id, context=self._context(instance))

    def open_value(self, instance, sealed: Sealed) -> Any:
        key_id = crypto.sealed_key_id(sealed.blob)
        if key_id != instance.data_key_id:
            raise crypto.DecryptionError(f"{self.seal_place}: the value was sealed for another case.")
        key = open_data_key(key_id, data_key=instance._state.fields_cache.get("data_key"))
        return self.from_plaintext(crypto.open_sealed(key, sealed.blob, context=self._context(instance)))

    def from_db_value(self, value, expression, connection):
        if value is None:
            return None
        return Sealed(bytes(value))

    def pre_save(self, model_instance, add: bool):
        value = model_instance.__dict__.get(self.attname)
        if value is None:
            return None
        if isinstance(value, Sealed):
            return value.blob  # untouched since loaded: the same ciphertext
        return self.seal_value(model_instance, value)

    def get_db_prep_value(self, value, connection, prepared=False):
        if value is not None and not isinstance(value, bytes | bytearray | memoryview):
            raise crypto.VaultError(
                f"{self.seal_place} can only be written by saving its row; "
                "QuerySet.update() and bulk_update() would store it unsealed."
            )
        return super().get_db_prep_value(value, connection, prepared)

    def get_lookup(self, lookup_name):
        # Only "is it empty" makes sense on ciphertext; anything else would silently match nothing.
        return super().get_lookup(lookup_name) if lookup_name == "isnull" else None

    def get_transform(self, name):
        return None

    def value_to_string(self, obj) -> str:
        return "<sealed>"

    def to_python(self, value):
        return value


class SealedTextField(SealedField):
    """Text of any length, sealed."""

    def __init__(self, *args, max_length: int | None = None, **kwargs) -> None:
        self.text_max_length = max_length
        kwargs.setdefault("default", "")
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.text_max_length is not None:
            kwargs["max_length"] = self.text_max_length
        return name, path, args, kwargs

    def to_plaintext(self, value: Any) -> bytes:
        return str(value).encode("utf-8")

    def from_plaintext(self, data: bytes) -> str:
        return data.decode("utf-8")

    def formfield(self, **kwargs):
        defaults: dict[str, Any] = {"max_length": self.text_max_length}
        if self.text_max_length is None:
            defaults["widget"] = forms.Textarea
        defaults.update(kwargs)
        return models.Field.formfield(self, form_class=forms.CharField, **defaults)


class SealedDateField(SealedField):
    """A date, sealed (for example a date of birth)."""

    def to_plaintext(self, value: Any) -> bytes:
        if not isinstance(value, datetime.date):
            raise TypeError(f"{self.seal_place} expects a date, not {type(value).__name__}.")
        return value.isoformat().encode("ascii")

    def from_plaintext(self, data: bytes) -> datetime.date:
        return datetime.date.fromisoformat(data.decode("ascii"))

    def formfield(self, **kwargs):
        defaults: dict[str, Any] = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}
        defaults.update(kwargs)
        return models.Field.formfield(self, form_class=forms.DateField, **defaults)
