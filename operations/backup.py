"""One-file backups of the whole of Passage: every table and every encrypted file, sealed.

The archive is a tar stream sealed with a key derived from the newest master
key (vault.stream). Inside: manifest.json, the rows of every table as JSON
lines in chunks (db/<app.model>/<n>.jsonl), and the stored files as they are
on disk (already sealed with their cases' keys). The master keys are never in
it: without them a backup opens nothing, and with them it opens everything.
"""

from __future__ import annotations

import base64
import datetime
import decimal
import io
import json
import tarfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone

from vault import crypto
from vault.keys import master_keys, newest_master_key
from vault.models import DataKey
from vault.stream import OpeningReader, SealingWriter, stream_master_key_id

FORMAT = 1
ROWS_PER_CHUNK = 5000
PURPOSE = b"backup"
# Sessions are never restored: a restored session would be a way in that nobody signed.
SKIPPED = {"sessions.session"}

Progress = Callable[[str], None]


class BackupError(Exception):
    pass


def _models() -> list[type[models.Model]]:
    chosen = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        if meta.proxy or not meta.managed or meta.label_lower in SKIPPED:
            continue
        chosen.append(model)
    return chosen


def _encode(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$b": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, datetime.datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"$d": value.isoformat()}
    if isinstance(value, datetime.time):
        return {"$t": value.isoformat()}
    if isinstance(value, datetime.timedelta):
        return {"$td": value.total_seconds()}
    if isinstance(value, decimal.Decimal):
        return {"$dec": str(value)}
    if isinstance(value, uuid.UUID):
        return {"$u": str(value)}
    return value


def _decode(value: Any) -> Any:
    if not isinstance(value, dict) or len(value) != 1:
        return value
    ((tag, raw),) = value.items()
    return {
        "$b": lambda v: base64.b64decode(v),
        "$dt": datetime.datetime.fromisoformat,
        "$d": datetime.date.fromisoformat,
        "$t": datetime.time.fromisoformat,
        "$td": lambda v: datetime.timedelta(seconds=v),
        "$dec": decimal.Decimal,
        "$u": uuid.UUID,
    }[tag](raw)


def _rows(model: type[models.Model]) -> Iterator[list[Any]]:
    """Rows as stored: sealed values stay sealed (their ciphertext is copied, never opened)."""
    columns = [field.column for field in model._meta.concrete_fields]
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
    pk = connection.ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quoted} FROM {table} ORDER BY {pk}")  # noqa: S608  (names from the models)
        converters = [_converter(field) for field in model._meta.concrete_fields]
        while batch := cursor.fetchmany(ROWS_PER_CHUNK):
            for row in batch:
                yield [convert(value) for convert, value in zip(converters, row, strict=True)]


def _converter(field: models.Field) -> Callable[[Any], Any]:
    """Raw database values to Python values, without running a sealed field's own conversion."""
    if isinstance(field, models.BinaryField):
        return lambda value: bytes(value) if value is not None else None
    expression = field.get_col(field.model._meta.db_table)
    converters = connection.ops.get_db_converters(expression) + expression.get_db_converters(connection)

    def convert(value: Any) -> Any:
        for converter in converters:
            value = converter(value, expression, connection)
        return value

    return convert


def _add(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


def write_backup(target: Path, *, progress: Progress = lambda line: None) -> dict:
    """Writes the backup; returns its manifest. Runs in one repeatable-read snapshot on PostgreSQL."""
    key_id, master = newest_master_key()
    files_root = Path(settings.PASSAGE_FILES_DIR)
    partial = target.with_name(target.name + ".partial")
    # One consistent snapshot of every table (PostgreSQL): rows written meanwhile are not half in.
    snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic():
        if snapshot:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "database": connection.vendor,
            "sealed_with_master_key": key_id,
            "master_keys_needed": sorted(
                set(DataKey.objects.filter(wrapped__isnull=False).values_list("master_key_id", flat=True)) | {key_id}
            ),
            "tables": {},
            "files": 0,
        }
        with (
            open(partial, "wb") as raw,
            SealingWriter(raw, master_key=master, purpose=PURPOSE) as sealed,
            tarfile.open(fileobj=sealed, mode="w|gz") as archive,
        ):
            for model in _models():
                label = model._meta.label_lower
                count, chunk, lines = 0, 0, []
                for row in _rows(model):
                    lines.append(json.dumps([_encode(value) for value in row], separators=(",", ":")))
                    count += 1
                    if len(lines) == ROWS_PER_CHUNK:
                        _add(archive, f"db/{label}/{chunk:06d}.jsonl", "\n".join(lines).encode())
                        chunk, lines = chunk + 1, []
                if lines:
                    _add(archive, f"db/{label}/{chunk:06d}.jsonl", "\n".join(lines).encode())
                manifest["tables"][label] = {
                    "columns": [field.column for field in model._meta.concrete_fields],
                    "rows": count,
                }
                if count:
                    progress(f"{label}: {count} rows")
            if files_root.exists():
                for path in sorted(p for p in files_root.rglob("*") if p.is_file()):
                    archive.add(path, arcname=f"files/{path.relative_to(files_root).as_posix()}")
                    manifest["files"] += 1
            progress(f"{manifest['files']} encrypted files")
            _add(archive, "manifest.json", json.dumps(manifest, indent=2).encode())
    partial.replace(target)
    return manifest


def _is_empty() -> bool:
    from accounts.models import User
    from cases.models import Case

    return not User.objects.exists() and not Case.objects.exists()


def _master_key_for(key_id: str) -> bytes:
    for candidate_id, key in master_keys():
        if candidate_id == key_id:
            return key
    raise BackupError(
        f"This backup is sealed with master key {key_id}, which is not configured. "
        "Configure that key (PASSAGE_MASTER_KEYS or the key file) to restore it."
    )


def read_backup(source: Path, *, progress: Progress = lambda line: None) -> dict:
    """Restores a backup into an empty, migrated database and an empty files directory."""
    if not _is_empty():
        raise BackupError("The database is not empty: restore only into a freshly migrated, empty database.")
    files_root = Path(settings.PASSAGE_FILES_DIR)
    if files_root.exists() and any(p.is_file() for p in files_root.rglob("*")):
        raise BackupError(f"{files_root} is not empty: restore only into an empty files directory.")
    by_label = {model._meta.label_lower: model for model in _models()}
    manifest: dict[str, Any] | None = None
    restored: dict[str, int] = {}
    with open(source, "rb") as raw:
        try:
            master = _master_key_for(stream_master_key_id(raw))
        except crypto.DecryptionError as exc:
            raise BackupError(str(exc)) from None
        with transaction.atomic():
            _clear_tables(list(by_label.values()))
            try:
                reader = OpeningReader(raw, master_key=master, purpose=PURPOSE)
                with tarfile.open(fileobj=io.BufferedReader(reader), mode="r|gz") as archive:
                    for member in archive:
                        handle = archive.extractfile(member) if member.isfile() else None
                        if handle is None:
                            continue
                        name = member.name
                        if name == "manifest.json":
                            manifest = json.loads(handle.read())
                        elif name.startswith("db/"):
                            label = name.split("/")[1]
                            model = by_label.get(label)
                            if model is None:
                                raise BackupError(f"The backup holds table {label}, which this version does not have.")
                            restored[label] = restored.get(label, 0) + _insert(model, handle.read())
                        elif name.startswith("files/"):
                            _write_file(files_root, name.removeprefix("files/"), handle.read())
            except (crypto.DecryptionError, tarfile.TarError, EOFError) as exc:
                raise BackupError(f"The backup cannot be read: {exc}") from None
            if manifest is None:
                raise BackupError("The backup has no manifest: it is incomplete.")
            for label, table in manifest["tables"].items():
                if restored.get(label, 0) != table["rows"]:
                    raise BackupError(f"{label}: {restored.get(label, 0)} rows restored, {table['rows']} expected.")
            _reset_sequences(list(by_label.values()))
    for label, count in sorted(restored.items()):
        progress(f"{label}: {count} rows")
    progress(f"{manifest['files']} encrypted files")
    return manifest


def _clear_tables(chosen: list[type[models.Model]]) -> None:
    """Removes what migrate put in (content types, permissions, groups) so ids come back as they were."""
    tables = [connection.ops.quote_name(model._meta.db_table) for model in chosen]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Pending deferred checks would block TRUNCATE; afterwards rows may come in any order.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        else:
            for table in tables:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608


def _insert(model: type[models.Model], data: bytes) -> int:
    fields = list(model._meta.concrete_fields)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    rows = []
    for line in data.decode().splitlines():
        values = [_decode(value) for value in json.loads(line)]
        rows.append([_prepare(field, value) for field, value in zip(fields, values, strict=True)])
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", rows)  # noqa: S608
    return len(rows)


def _prepare(field: models.Field, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, models.BinaryField):
        return connection.Database.Binary(value)  # ciphertext back as it was
    return field.get_db_prep_value(value, connection, prepared=False)


def _write_file(root: Path, relative: str, data: bytes) -> None:
    target = (root / relative).resolve()
    if root.resolve() not in target.parents:
        raise BackupError(f"The backup names a file outside the files directory: {relative}")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)


def _reset_sequences(chosen: list[type[models.Model]]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), chosen)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
