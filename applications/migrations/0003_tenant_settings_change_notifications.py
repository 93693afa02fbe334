"""PostgreSQL: NOTIFY gatehouse_grants after any write to the tenant's settings too.

/oauth/token keeps the tenant's default audience in the per-connection grant cache
(applications/grant_lookup.py `default_audience`), so a change to the settings must empty
it like a change to a grant. Same function and trigger name as 0002; nothing on SQLite,
whose cache notices any committed write.
"""

from django.db import migrations

FUNCTION = "gatehouse_notify_grants_changed"  # created by 0002; migrations are frozen
TRIGGER = "gatehouse_grants_changed"


def _table(apps):
    return apps.get_model("apis", "TenantSettings")._meta.db_table


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f'CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON "{_table(apps)}" '
        f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}()"
    )


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'DROP TRIGGER IF EXISTS {TRIGGER} ON "{_table(apps)}"')


class Migration(migrations.Migration):
    dependencies = [
        ("applications", "0002_grant_change_notifications"),
        ("apis", "0003_tenant_settings"),
    ]

    operations = [migrations.RunPython(create_trigger, drop_trigger)]
