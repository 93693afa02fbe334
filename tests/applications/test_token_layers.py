"""The token path's three layers keep to their rooms, read from the source with `ast`:
applications/token_request.py (the wire) reads no database, applications/oauth.py (the
decision) imports no database driver, and the lookup (applications/grant_lookup.py, with its
prepared statements in applications/prepared_sql.py) holds one."""

import ast
from pathlib import Path

APPLICATIONS = Path(__file__).resolve().parents[2] / "applications"

DRIVERS = ("psycopg", "psycopg2", "sqlite3", "django.db.connection", "django.db.connections")
DATABASE = (
    *DRIVERS,
    "django.db",
    "applications.grant_lookup",
    "applications.grant_cache",
    "applications.prepared_sql",
)


def imported_names(module: str) -> set[str]:
    """Every module and name the file imports, anywhere in it, dotted in full:
    `from django.db import connection` gives "django.db" and "django.db.connection"."""
    tree = ast.parse((APPLICATIONS / f"{module}.py").read_text(), filename=f"{module}.py")
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            names.add(base)
            names.update(f"{base}.{alias.name}" for alias in node.names)
    return names


def offending(names: set[str], forbidden: tuple[str, ...]) -> list[str]:
    return sorted(
        name
        for name in names
        if any(name == prefix or name.startswith(f"{prefix}.") for prefix in forbidden)
    )


def test_the_collector_sees_the_lookup_s_driver():
    # Without this, a collector that found nothing would pass the tests below.
    # The lookup reads through prepared_sql.py, the one module of the token path that holds
    # the driver (prepared statements).
    assert {"applications.grant_cache", "applications.prepared_sql"} <= imported_names(
        "grant_lookup"
    )
    assert {"psycopg", "django.db.connections"} <= imported_names("prepared_sql")


def test_the_decision_module_imports_no_database_driver():
    assert offending(imported_names("oauth"), DRIVERS) == []


def test_the_wire_module_imports_no_database_at_all():
    names = imported_names("token_request")

    assert offending(names, DATABASE) == []
    assert sorted(name for name in names if name.split(".")[-1] == "models") == []


def test_the_code_flow_decision_modules_import_no_database_driver():
    # The authorization-code grant's decisions use the ORM, never a driver or a raw cursor.
    for module in ("code_exchange", "id_tokens", "user_access_tokens", "userinfo"):
        assert offending(imported_names(module), DRIVERS) == [], module
        assert "jwt" not in imported_names(module), module  # only keys/signing.py signs
