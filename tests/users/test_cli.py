"""create_user and block_user: the command-line contract, run as subprocesses against their
own SQLite file (real exit status and stderr). The password never travels as an argument."""

import datetime as dt
import json
import sqlite3
import subprocess
import sys
from contextlib import closing

import pytest

from tests.conftest import ROOT

PASSWORD = "Cli-Password-1"
# How Django stores a datetime in SQLite (UTC, no offset).
SQLITE_TIME = "%Y-%m-%d %H:%M:%S.%f"


def run(cli, *args: str, stdin: str | None = None, env: dict[str, str] | None = None):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**cli.env, **(env or {})},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def ok(result) -> str:
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def users(cli) -> list[tuple]:
    return cli.rows(
        "SELECT email, username, name, blocked, password FROM users_user ORDER BY email"
    )


def refused(cli, result, before: list[tuple]) -> str:
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert users(cli) == before
    return result.stderr


def test_create_user_from_stdin_prints_json_without_the_password(cli):
    result = run(
        cli,
        "create_user",
        "--email",
        "Stdin@Example.com",
        "--username",
        "stdin",
        "--name",
        "Stdin User",
        "--password-stdin",
        "--json",
        stdin=PASSWORD + "\n",
    )
    body = json.loads(ok(result))
    assert body["email"] == "stdin@example.com"
    assert (body["username"], body["name"]) == ("stdin", "Stdin User")
    assert body["user_id"].startswith("auth0|")
    assert "password" not in body
    ((stored,),) = cli.rows(
        "SELECT password FROM users_user WHERE email = ?", ("stdin@example.com",)
    )
    assert stored.startswith("argon2") and stored not in result.stdout
    assert PASSWORD not in result.stdout


def test_create_user_from_the_environment(cli):
    output = ok(
        run(cli, "create_user", "--email", "env@example.com", env={"USER_PASSWORD": PASSWORD})
    )
    assert output.startswith("Created user env@example.com: auth0|")
    assert PASSWORD not in output


def test_a_password_is_never_an_argument(cli):
    before = users(cli)
    result = run(cli, "create_user", "--email", "arg@example.com", "--password", PASSWORD)
    message = refused(cli, result, before)
    assert "--password is refused: a password in the arguments shows in `ps`." in message
    assert PASSWORD not in message


@pytest.mark.parametrize(
    ("args", "stdin", "env", "message"),
    [
        (
            ["--email", "x@example.com"],
            None,
            {},
            "No password: pass --password-stdin, or set USER_PASSWORD.",
        ),
        (["--email", "x@example.com", "--password-stdin"], "", {}, "stdin holds no password"),
        (
            ["--email", "x@example.com", "--password-stdin"],
            "weak\n",
            {},
            "PasswordStrengthError: Password is too weak",
        ),
        (
            ["--email", "not-an-email"],
            None,
            {"USER_PASSWORD": PASSWORD},
            "email: Enter a valid email address.",
        ),
        (
            ["--email", "x@example.com", "--username", "a b"],
            None,
            {"USER_PASSWORD": PASSWORD},
            "username: A username",
        ),
        (
            ["--email", "x@example.com", "--name", "x" * 301],
            None,
            {"USER_PASSWORD": PASSWORD},
            "name:",
        ),
        ([], None, {"USER_PASSWORD": PASSWORD}, "the following arguments are required: --email"),
    ],
)
def test_create_user_refusals_are_one_line_and_write_nothing(cli, args, stdin, env, message):
    before = users(cli)
    result = run(cli, "create_user", *args, stdin=stdin, env=env)
    assert message in refused(cli, result, before)
    assert PASSWORD not in result.stderr


def test_create_user_twice_is_refused(cli):
    ok(run(cli, "create_user", "--email", "twice@example.com", env={"USER_PASSWORD": PASSWORD}))
    before = users(cli)
    result = run(
        cli, "create_user", "--email", "TWICE@example.com", env={"USER_PASSWORD": PASSWORD}
    )
    assert "A user with this email or username already exists." in refused(cli, result, before)


def test_block_and_unblock_by_email_or_id_idempotently(cli):
    created = json.loads(
        ok(
            run(
                cli,
                "create_user",
                "--email",
                "block@example.com",
                "--json",
                env={"USER_PASSWORD": PASSWORD},
            )
        )
    )
    user_id = created["user_id"]
    blocked = lambda: cli.rows(  # noqa: E731
        "SELECT blocked FROM users_user WHERE email = ?", ("block@example.com",)
    )[0][0]
    assert ok(run(cli, "block_user", "block@example.com")) == (
        f"User block@example.com ({user_id}) is blocked.\n"
    )
    assert blocked() == 1
    assert json.loads(ok(run(cli, "block_user", user_id, "--json")))["blocked"] is True
    assert blocked() == 1
    assert ok(run(cli, "block_user", user_id.removeprefix("auth0|"), "--unblock")).endswith(
        "is not blocked.\n"
    )
    assert blocked() == 0
    ok(run(cli, "block_user", "BLOCK@example.com", "--unblock"))
    assert blocked() == 0


@pytest.mark.parametrize(
    "reference", ["nobody@example.com", "auth0|0123456789abcdef01234567", "auth0|x", "", "a\x01b"]
)
def test_block_user_refuses_an_unknown_user(cli, reference):
    before = users(cli)
    result = run(cli, "block_user", reference)
    assert "No user has the id or email" in refused(cli, result, before)


def test_prune_failed_logins_deletes_only_expired_counters_and_is_idempotent(cli):
    now = dt.datetime.now(dt.UTC)
    with closing(sqlite3.connect(cli.database)) as db:
        db.executemany(
            "INSERT INTO users_failedlogincount (identifier, ip, count, last_failure_at)"
            " VALUES (?, '192.0.2.1', 10, ?)",
            [
                ("old@prune.example", (now - dt.timedelta(days=31)).strftime(SQLITE_TIME)),
                ("fresh@prune.example", (now - dt.timedelta(days=29)).strftime(SQLITE_TIME)),
            ],
        )
        db.commit()
    assert json.loads(ok(run(cli, "prune_failed_logins", "--json"))) == {"deleted": 1}
    assert cli.rows(
        "SELECT identifier FROM users_failedlogincount WHERE identifier LIKE '%@prune.example'"
    ) == [("fresh@prune.example",)]
    assert ok(run(cli, "prune_failed_logins")) == "Deleted 0 expired failed-login counter(s).\n"
    result = run(cli, "prune_failed_logins", "--days", "3")
    assert (result.returncode, result.stdout) == (1, "")
    assert len(result.stderr.strip().splitlines()) == 1
