"""Project-wide guarantees: migrations match the models, production settings pass
`check --deploy`, and unsafe production settings refuse to start."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parent.parent
DEVELOPMENT_SECRET_KEY = "gatehouse-development-only-secret-key-do-not-use-in-production"


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    base = {
        name: value
        for name, value in os.environ.items()
        # Start from a clean slate: only what each test sets configures Gatehouse.
        if name not in ("DEBUG", "SECRET_KEY", "KEY_ENCRYPTION_KEYS", "ALLOWED_HOSTS", "PUBLIC_URL")
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def production_env(tmp_path) -> dict[str, str]:
    """The production values the README documents."""
    return {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "KEY_ENCRYPTION_KEYS": Fernet.generate_key().decode(),
        "PUBLIC_URL": "https://auth.example.com",
        "ALLOWED_HOSTS": "auth.example.com",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'prod.sqlite3'}",
    }


def test_migrations_match_the_models(tmp_path):
    result = manage(
        "makemigrations",
        "--check",
        "--dry-run",
        env={"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "PYTHONWARNINGS": "ignore"},
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "No changes detected"


def test_check_deploy_passes_with_documented_production_values(production_env):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_key_encryption_keys(production_env):
    del production_env["KEY_ENCRYPTION_KEYS"]

    result = manage("check", env=production_env)

    assert result.returncode != 0
    assert "ImproperlyConfigured: KEY_ENCRYPTION_KEYS must be set" in result.stderr


@pytest.mark.parametrize(
    "secret_key",
    [None, DEVELOPMENT_SECRET_KEY, "short-but-random-Zq8"],
    ids=["unset", "dev", "short"],
)
def test_production_refuses_to_start_with_an_unsafe_secret_key(production_env, secret_key):
    if secret_key is None:
        del production_env["SECRET_KEY"]
    else:
        production_env["SECRET_KEY"] = secret_key

    result = manage("check", env=production_env)

    assert result.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY must be set" in result.stderr


def test_development_defaults_start_with_a_warning(tmp_path):
    result = manage(
        "check", env={"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "PYTHONWARNINGS": ""}
    )

    assert result.returncode == 0, result.stderr
    assert "KEY_ENCRYPTION_KEYS is not set" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        # django-environ alone reads an unknown word as false: cookies over plain HTTP.
        (
            "SESSION_COOKIE_SECURE",
            "ture",
            "SESSION_COOKIE_SECURE must be true or false; got 'ture'.",
        ),
        ("GRANT_CACHE", "maybe", "GRANT_CACHE must be true or false; got 'maybe'."),
        ("CONN_MAX_AGE", "abc", "CONN_MAX_AGE must be a whole number of at least 0; got 'abc'."),
        ("CONN_MAX_AGE", "-1", "CONN_MAX_AGE must be a whole number of at least 0; got '-1'."),
        ("TRUSTED_PROXY_HOPS", "1.5", "TRUSTED_PROXY_HOPS must be a whole number of at least 0"),
        ("LOG_RETENTION_DAYS", "week", "LOG_RETENTION_DAYS must be a whole number; got 'week'."),
        ("USER_SESSION_LIFETIME", "١٢", "USER_SESSION_LIFETIME must be a whole number"),
        (
            "LOG_EVENTS_FLUSH_SECONDS",
            "nan",
            "LOG_EVENTS_FLUSH_SECONDS must be a number of at least 0",
        ),
        ("STAFF_LOGIN_FAILURE_LIMIT", "", "STAFF_LOGIN_FAILURE_LIMIT must be a whole number"),
        ("LOG_EVENTS_FLUSH_SECONDS", "1_0", "LOG_EVENTS_FLUSH_SECONDS must be a number"),
        ("LOG_EVENTS_FLUSH_SECONDS", "٣.5", "LOG_EVENTS_FLUSH_SECONDS must be a number"),
        # django-environ's interpolation of a variable that is not set names that variable.
        ("CONN_MAX_AGE", "$GATEHOUSE_TEST_UNSET", "Set the GATEHOUSE_TEST_UNSET environment"),
        # django-environ alone gives settings without an engine: a KeyError in settings.py.
        ("DATABASE_URL", " ", "DATABASE_URL is set but empty: unset it for the embedded"),
        ("DATABASE_URL", "mysql://gh@db/gh", "DATABASE_URL must be a postgres:// or sqlite:///"),
    ],
)
def test_a_value_a_variable_does_not_take_stops_the_process(
    production_env, variable, value, message
):
    production_env[variable] = value

    result = manage("check", env=production_env)

    assert result.returncode != 0
    assert f"ImproperlyConfigured: {message}" in result.stderr


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://gh:s3cret-pw@db/gh", "must be a postgres:// or sqlite:/// URL; got the scheme"),
        ("s3cret-pw", "must be a postgres:// or sqlite:/// URL; got a value without a scheme."),
        # An unencoded "/" ends the host: "gh:s3cret" is read as a host and a port.
        ("postgres://gh:s3cret-pw/x@db/gh", "could not be read as a database URL: check that"),
        ("postgres://gh:s3cret-pw@db:5432", "names no database: give a file"),
        ("sqlite://", "names no database: give a file"),  # in memory, never migrated
    ],
)
def test_a_database_url_that_cannot_be_used_stops_the_process_without_its_password(
    production_env, url, message
):
    production_env["DATABASE_URL"] = url

    result = manage("check", env=production_env)

    assert result.returncode != 0
    assert f"ImproperlyConfigured: DATABASE_URL {message}" in result.stderr
    assert "s3cret" not in result.stderr + result.stdout


@pytest.mark.parametrize(
    "url",
    [
        "localhost:6379",  # no scheme: redis-py refuses it at the first connection
        "redis://:s3cret-pw@cache:port/0",
        "redis://:s3cret/pw@cache:6379/0",  # an unencoded "/" in the password
        "redis://cache:6379/0,http://s3cret@cache",
        "redis://:s3cret-pw@cache:6379/abc",  # redis-py would use database 0
        "redis://:s3cret-pw@cache:6379/1 2",
    ],
)
def test_a_redis_url_that_cannot_be_used_stops_the_process_without_its_password(
    production_env, url
):
    production_env["REDIS_URL"] = url

    result = manage("check", env=production_env)

    assert result.returncode != 0
    assert "ImproperlyConfigured: REDIS_URL must be a redis://, rediss:// or unix:// URL" in (
        result.stderr
    )
    assert "s3cret" not in result.stderr + result.stdout


def test_every_documented_spelling_is_read(production_env):
    production_env.update(
        GRANT_CACHE=" Off ",
        LOG_EVENTS="NO",
        SESSION_COOKIE_SECURE="yes",
        # django-environ's interpolation of another variable still applies.
        CONN_MAX_AGE="$GATEHOUSE_TEST_AGE",
        GATEHOUSE_TEST_AGE="+7",
        LOG_EVENTS_FLUSH_SECONDS="0.25",
    )
    read = (
        "from django.conf import settings as s; "
        "print(s.GRANT_CACHE, s.LOG_EVENTS, s.SESSION_COOKIE_SECURE, "
        "s.DATABASES['default']['CONN_MAX_AGE'], s.LOG_EVENTS_FLUSH_SECONDS)"
    )

    result = manage("shell", "-c", read, env=production_env)

    assert result.returncode == 0, result.stderr
    # The last line: `shell` first says what it imported.
    assert result.stdout.splitlines()[-1].split() == ["False", "False", "True", "7", "0.25"]
