"""One-file backups of the whole of Passage: every table and every encrypted file, sealed.

The archive is a tar stream sealed with a key derived from the newest master
key (vault.stream). Inside: schema.json first (the columns of every table),
the rows of every table as JSON lines in chunks (db/<app.model>/<n>.jsonl),
the stored files as they are on disk (already sealed with their cases' keys),
and manifest.json last (the columns again, and how many rows and files). The
master keys are never in it: without them a backup opens nothing, and with
them it opens everything.

Rows are lists of values in the order of their table's columns, so a backup
is restored only by a version of Passage whose tables have exactly the same
columns; any other is refused before a row goes in.
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

FORMAT = 2  # 2: schema.json comes first; 1 had the columns in manifest.json only, at the end
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


def _schema() -> dict[str, list[str]]:
    """The columns of every table this version backs up and restores, in the order rows hold them."""
    return {model._meta.label_lower: [field.column for field in model._meta.concrete_fields] for model in _models()}


def _check_schema(tables: dict[str, list[str]]) -> None:
    """Refuses a backup whose tables or columns are not exactly this version's."""
    current = _schema()
    problems = [
        f"table {label} is in the backup but not in this version" for label in sorted(set(tables) - set(current))
    ]
    problems += [
        f"table {label} is in this version but not in the backup" for label in sorted(set(current) - set(tables))
    ]
    for label in sorted(set(tables) & set(current)):
        theirs, ours = tables[label], current[label]
        if theirs == ours:
            continue
        missing = [column for column in ours if column not in theirs]
        extra = [column for column in theirs if column not in ours]
        if missing:
            problems.append(f"{label} has no column {', '.join(missing)} in the backup")
        if extra:
            problems.append(f"{label} has column {', '.join(extra)} in the backup, which this version does not have")
        if not missing and not extra:
            problems.append(f"{label} has its columns in another order in the backup")
    if problems:
        raise BackupError(
            "The backup does not match the database of this version of Passage: "
            + "; ".join(problems)
            + ". Restore it with the version of Passage that wrote it, then upgrade that one."
        )


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
        schema = _schema()
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
            # First, so that a restore can refuse another version's tables before any row goes in.
            _add(archive, "schema.json", json.dumps({"format": FORMAT, "tables": schema}, indent=2).encode())
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
                manifest["tables"][label] = {"columns": schema[label], "rows": count}
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
    written: list[Path] = []
    with open(source, "rb") as raw:
        try:
            master = _master_key_for(stream_master_key_id(raw))
        except crypto.DecryptionError as exc:
            raise BackupError(str(exc)) from None
        try:
            with transaction.atomic():
                manifest, restored = _restore_members(raw, master, by_label, files_root, written)
                if manifest is None:
                    raise BackupError("The backup has no manifest: it is incomplete.")
                # A backup of format 1 has no schema.json: its columns are checked here, before the commit.
                _check_schema({label: table["columns"] for label, table in manifest["tables"].items()})
                for label, table in manifest["tables"].items():
                    if restored.get(label, 0) != table["rows"]:
                        raise BackupError(f"{label}: {restored.get(label, 0)} rows restored, {table['rows']} expected.")
                _reset_sequences(list(by_label.values()))
        except BaseException:
            # The rows are rolled back; the files written so far go too, so the files directory is empty again.
            for path in written:
                path.unlink(missing_ok=True)
            raise
    for label, count in sorted(restored.items()):
        progress(f"{label}: {count} rows")
    progress(f"{manifest['files']} encrypted files")
    return manifest


def _restore_members(
    raw, master: bytes, by_label: dict[str, type[models.Model]], files_root: Path, written: list[Path]
) -> tuple[dict[str, Any] | None, dict[str, int]]:
    """Reads the archive in order: the schema (checked first), rows, files and the manifest.

    The tables are emptied of what migrate put in just before the first row goes in, so a backup
    refused for its schema has touched nothing."""
    manifest: dict[str, Any] | None = None
    restored: dict[str, int] = {}
    cleared = False
    try:
        reader = OpeningReader(raw, master_key=master, purpose=PURPOSE)
        with tarfile.open(fileobj=io.BufferedReader(reader), mode="r|gz") as archive:
            for member in archive:
                handle = archive.extractfile(member) if member.isfile() else None
                if handle is None:
                    continue
                name = member.name
                if name == "schema.json":
                    schema = json.loads(handle.read())
                    if schema.get("format", 0) > FORMAT:
                        raise BackupError(
                            f"The backup is of format {schema.get('format')}, newer than this version of "
                            f"Passage reads ({FORMAT}). Restore it with the version that wrote it."
                        )
                    _check_schema(schema["tables"])
                elif name == "manifest.json":
                    manifest = json.loads(handle.read())
                elif name.startswith("db/"):
                    label = name.split("/")[1]
                    model = by_label.get(label)
                    if model is None:
                        raise BackupError(f"The backup holds table {label}, which this version does not have.")
                    if not cleared:
                        _clear_tables(list(by_label.values()))
                        cleared = True
                    restored[label] = restored.get(label, 0) + _insert(model, handle.read())
                elif name.startswith("files/"):
                    written.append(_write_file(files_root, name.removeprefix("files/"), handle.read()))
    except (crypto.DecryptionError, tarfile.TarError, EOFError) as exc:
        raise BackupError(f"The backup cannot be read: {exc}") from None
    if not cleared:  # a backup without a single row
        _clear_tables(list(by_label.values()))
    return manifest, restored


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
        if len(values) != len(fields):
            raise BackupError(
                f"{model._meta.label_lower}: a row of the backup has {len(values)} values for this version's "
                f"{len(fields)} columns. Restore it with the version of Passage that wrote it."
            )
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


def _write_file(root: Path, relative: str, data: bytes) -> Path:
    target = (root / relative).resolve()
    if root.resolve() not in target.parents:
        raise BackupError(f"The backup names a file outside the files directory: {relative}")
    if target.exists():
        raise BackupError(f"The backup names the file {relative} twice.")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


def _reset_sequences(chosen: list[type[models.Model]]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), chosen)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
