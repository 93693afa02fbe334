"""PostgreSQL: NOTIFY gatehouse_grants after any write to what a grant is read from.

applications/grant_cache.py empties its per-connection cache of grants on each notification.
Statement-level triggers, so a bulk write sends one notification, and PostgreSQL folds
identical notifications in one transaction into one. Nothing on SQLite, which needs no
trigger: its cache is invalidated by `PRAGMA data_version` and the connection's own
`total_changes`.
"""

from django.db import migrations

CHANNEL = "gatehouse_grants"  # applications/grant_cache.py CHANNEL; migrations are frozen
FUNCTION = "gatehouse_notify_grants_changed"
TRIGGER = "gatehouse_grants_changed"
MODELS = [
    ("apis", "Api"),
    ("apis", "Scope"),
    ("applications", "Application"),
    ("applications", "ClientGrant"),
]


def _tables(apps):
    tables = [apps.get_model(app, model)._meta.db_table for app, model in MODELS]
    grant = apps.get_model("applications", "ClientGrant")
    tables.append(grant._meta.get_field("scopes").remote_field.through._meta.db_table)
    return tables


def create_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        f"BEGIN PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME); RETURN NULL; END $$"
    )
    for table in _tables(apps):
        schema_editor.execute(
            f'CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{table}" '
            f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
        )


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in _tables(apps):
        schema_editor.execute(f'DROP TRIGGER IF EXISTS {TRIGGER} ON "{table}"')
    schema_editor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_triggers, drop_triggers)]
