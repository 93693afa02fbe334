"""`manage.py prune_logs` as a real subprocess against the CLI tests' bootstrapped SQLite
file: retention from LOG_RETENTION_DAYS or --days, batches, idempotence, refused arguments."""

import dataclasses
import datetime as dt
import json
import secrets
import sqlite3
from contextlib import closing

import pytest

from logs.retention import BATCH_SIZE

COLUMNS = (
    "log_id, date, type, description, client_id, client_name, user_id, user_name, ip, "
    "user_agent, hostname, audience, scope, connection, object_type, object_id, details"
)


def seed(cli, marker: str, ages_in_days: list[float]) -> None:
    """Events of type `s` whose description is `marker`, dated that many days ago."""
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows = [
        (
            f"{secrets.randbelow(10**18):018d}{index:010d}",
            (now - dt.timedelta(days=age)).isoformat(sep=" "),
            "s",
            marker,
            *[""] * 12,
            "{}",
        )
        for index, age in enumerate(ages_in_days)
    ]
    with closing(sqlite3.connect(cli.database)) as connection, connection:
        connection.executemany(
            f"INSERT INTO logs_logevent ({COLUMNS}) VALUES ({', '.join('?' * 17)})",  # noqa: S608
            rows,
        )


def run(cli, env: dict[str, str], *args: str):
    return dataclasses.replace(cli, env={**cli.env, **env}).run(*args)


def ages(cli, marker: str) -> list[int]:
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    return sorted(
        (now - dt.datetime.fromisoformat(date)).days
        for (date,) in cli.rows("SELECT date FROM logs_logevent WHERE description = ?", (marker,))
    )


def test_prunes_past_the_setting_in_batches_and_a_second_run_deletes_nothing(cli):
    old = BATCH_SIZE * 2 + 5  # more than two batches
    seed(cli, "retention-default", [31] * old + [29, 1, 0])
    first = cli.run("prune_logs")
    assert first.returncode == 0, first.stderr
    assert first.stdout == f"Deleted {old} log events older than 30 days.\n"
    assert first.stderr == ""
    assert ages(cli, "retention-default") == [0, 1, 29]
    again = cli.run("prune_logs", "--json")
    assert again.returncode == 0, again.stderr
    printed = json.loads(again.stdout)
    assert (printed["deleted"], printed["days"]) == (0, 30)
    assert ages(cli, "retention-default") == [0, 1, 29]


def test_days_override_and_the_environment_setting(cli):
    seed(cli, "retention-days", [10, 6, 4, 2])
    shorter = cli.run("prune_logs", "--days", "5")
    assert shorter.returncode == 0, shorter.stderr
    assert ages(cli, "retention-days") == [2, 4]
    from_env = run(cli, {"LOG_RETENTION_DAYS": "3"}, "prune_logs")
    assert from_env.returncode == 0, from_env.stderr
    assert "older than 3 days" in from_env.stdout
    assert ages(cli, "retention-days") == [2]


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--days", "0"], {}, "--days: days must be between 1 and 36500, not 0"),
        (["--days", "-3"], {}, "--days: days must be between 1 and 36500, not -3"),
        (["--days", "36501"], {}, "--days: days must be between 1 and 36500, not 36501"),
        (["--days", "week"], {}, "argument --days: invalid int value: 'week'"),
        (["--days"], {}, "argument --days: expected one argument"),
        ([], {"LOG_RETENTION_DAYS": "0"}, "LOG_RETENTION_DAYS: days must be between 1 and"),
    ],
)
def test_bad_arguments_exit_1_with_one_line_and_delete_nothing(cli, args, env, message):
    marker = f"retention-refused-{'-'.join(args)}-{len(env)}"
    seed(cli, marker, [400, 40])
    result = run(cli, env, "prune_logs", *args)
    assert result.returncode == 1
    assert result.stdout == ""
    assert message in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr
    assert ages(cli, marker) == [40, 400]


@pytest.mark.django_db(transaction=True)
def test_the_command_on_the_test_database_too(settings):
    """In-process (call_command) so it also runs on PostgreSQL when DATABASE_URL names it;
    transaction=True because each batch commits on its own."""
    from io import StringIO

    from django.core.management import call_command

    from logs import types
    from logs.events import record
    from logs.models import LogEvent

    settings.LOG_RETENTION_DAYS = 7
    now = dt.datetime.now(dt.UTC)
    for age in (30, 8, 6, 0):
        record(types.SUCCESS_LOGIN, date=now - dt.timedelta(days=age), user_name=f"{age}@x.y")
    out = StringIO()
    call_command("prune_logs", stdout=out)
    assert out.getvalue() == "Deleted 2 log events older than 7 days.\n"
    assert sorted(LogEvent.objects.values_list("user_name", flat=True)) == ["0@x.y", "6@x.y"]
