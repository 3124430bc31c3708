"""On PostgreSQL, the database itself refuses to update or delete an access-log entry.

A row-level trigger raises on UPDATE and DELETE, whoever sends them, raw SQL
included. TRUNCATE fires no row trigger, so the test runner can still empty
the table; only the table's owner or a superuser can drop the trigger (see
docs/decisions/0004-access-log.md for what that leaves open). SQLite, the
development default, has no such trigger: there the model and its QuerySet
refuse, and the hash chain shows any change made behind their back.
"""

from django.db import migrations

TRIGGER_FUNCTION = "passage_audit_append_only"
TRIGGER = "passage_audit_append_only"
TABLE = "audit_accessevent"

INSTALL = f"""
CREATE FUNCTION {TRIGGER_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the access log is append-only: % on % is refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER {TRIGGER}
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {TRIGGER_FUNCTION}();
"""

REMOVE = f"""
DROP TRIGGER IF EXISTS {TRIGGER} ON {TABLE};
DROP FUNCTION IF EXISTS {TRIGGER_FUNCTION}();
"""


# params=None: the SQL holds % signs that are PL/pgSQL's, not query placeholders.
def install(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(INSTALL, params=None)


def remove(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REMOVE, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [migrations.RunPython(install, remove)]
