"""Data keys, and the abstract base of every model that holds sealed case data."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class DataKey(models.Model):
    """A random key of one case (or of the blind index), stored only wrapped by a master key.

    Not history-tracked on purpose: erasing a case destroys `wrapped` here, and
    no copy of it may survive in a history table.
    """

    class Purpose(models.TextChoices):
        CASE = "case", _("case")
        BLIND_INDEX = "blind_index", _("blind index")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField(max_length=16, choices=Purpose.choices, default=Purpose.CASE)
    wrapped = models.BinaryField(null=True)
    master_key_id = models.CharField(max_length=16, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    rewrapped_at = models.DateTimeField(null=True, blank=True)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["purpose"],
                condition=models.Q(purpose="blind_index"),
                name="vault_one_blind_index_key",
            )
        ]

    def __str__(self) -> str:
        return f"data key {self.pk}"

    @property
    def is_destroyed(self) -> bool:
        return self.destroyed_at is not None


class SealedModel(models.Model):
    """Abstract base for models with sealed fields.

    `data_key` is the key of the case the row belongs to; `seal_id` names the
    row in the associated data of its sealed values. Both are copied into
    history rows, so history opens with the same key and is erased with it.
    """

    data_key = models.ForeignKey(DataKey, on_delete=models.PROTECT, related_name="+", editable=False)
    seal_id = models.UUIDField(default=uuid.uuid4, editable=False, unique=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        if self.data_key_id is None:
            self.data_key = self.sealing_key()
        super().save(*args, **kwargs)

    def sealing_key(self) -> DataKey:
        """The data key for a new row: its case's. Each model of a case says which that is."""
        raise NotImplementedError(f"{type(self).__name__} must say which data key seals it.")
