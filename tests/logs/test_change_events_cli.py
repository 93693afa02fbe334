"""Changes made with management commands, run as real subprocesses: one `sapi` event each,
made by the OS user through the CLI; a refused command records nothing; no secret a command
prints or reads reaches a log event."""

import getpass
import json
import subprocess
import sys

from tests.conftest import ROOT

PASSWORD = "Command-Line-5"


def run(cli, *args: str, stdin: str | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=cli.env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def events(cli, where: str = "1 = 1", params: tuple = ()) -> list[dict]:
    columns = ("type", "description", "object_type", "object_id", "client_id", "user_id", "ip")
    rows = cli.rows(
        f"SELECT {', '.join(columns)}, details FROM logs_logevent WHERE {where} "  # noqa: S608
        "ORDER BY date, log_id",
        params,
    )
    return [
        {**dict(zip(columns, row[:-1], strict=True)), "details": json.loads(row[-1])}
        for row in rows
    ]


def test_create_api_is_logged_as_the_os_user_through_the_cli(cli):
    output = run(
        cli, "create_api", "--name", "Audit", "--identifier", "https://audit-cli.example/", "--json"
    )
    api_id = json.loads(output)["id"]
    (event,) = events(cli, "object_id = ?", (api_id,))
    assert (event["type"], event["description"], event["object_type"]) == (
        "sapi",
        "Create a resource server",
        "resource_server",
    )
    assert (event["client_id"], event["ip"]) == ("", "")
    details = event["details"]
    assert details["channel"] == "cli"
    assert details["actor"] == {"name": getpass.getuser()}
    assert details["command"] == "create_api"
    assert "request" not in details
    assert details["changes"]["identifier"] == {
        "before": None,
        "after": "https://audit-cli.example/",
    }


def test_a_refused_command_records_nothing(cli):
    run(cli, "create_api", "--name", "Twice", "--identifier", "https://twice-cli.example/")
    before = events(cli)
    again = cli.run("create_api", "--name", "Twice", "--identifier", "https://twice-cli.example/")
    assert again.returncode == 1
    assert events(cli) == before


def test_user_and_key_commands_log_without_their_secrets(cli):
    created = json.loads(
        run(
            cli,
            "create_user",
            "--email",
            "cli-audit@example.com",
            "--password-stdin",
            "--json",
            stdin=PASSWORD + "\n",
        )
    )
    user_id = created["user_id"]
    run(cli, "block_user", user_id)
    made, blocked = events(cli, "user_id = ?", (user_id,))
    assert (made["description"], blocked["description"]) == ("Create a user", "Block a user")
    assert blocked["details"]["command"] == "block_user"
    assert blocked["details"]["changes"] == {"blocked": {"before": False, "after": True}}

    kid = json.loads(run(cli, "rotate_signing_key", "--json"))["kid"]
    (rotated,) = events(cli, "object_type = 'signing_key' AND object_id = ?", (kid,))
    assert rotated["description"] == "Rotate the signing key"

    application = json.loads(run(cli, "create_application", "--name", "CLI audit", "--json"))
    (made_app,) = events(cli, "object_id = ?", (application["client_id"],))
    assert made_app["details"]["changes"]["client_secret"] == {
        "before": "[redacted]",
        "after": "[redacted]",
    }

    (password_hash,) = cli.rows(
        "SELECT password FROM users_user WHERE email = ?", (created["email"],)
    )[0]
    (digest,) = cli.rows(
        "SELECT secret_digest FROM applications_application WHERE client_id = ?",
        (application["client_id"],),
    )[0]
    keys = [row[0] for row in cli.rows("SELECT encrypted_private_key FROM keys_signingkey")]
    everything = json.dumps(cli.rows("SELECT * FROM logs_logevent"))
    for secret in [PASSWORD, password_hash, application["client_secret"], digest, *keys]:
        assert secret not in everything
