"""rotate_signing_key and revoke_signing_key, as subprocesses (real exit status and stderr)
and through call_command."""

import json
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from keys.models import KeyState, SigningKey

KEY_FIELDS = [
    "kid",
    "cert",
    "pkcs7",
    "fingerprint",
    "thumbprint",
    "current",
    "next",
    "previous",
    "current_since",
    "current_until",
    "revoked",
    "revoked_at",
]


def kid_in(cli, state: str) -> str:
    ((kid,),) = cli.rows("SELECT kid FROM keys_signingkey WHERE state = ?", (state,))
    return kid


def assert_refused(cli, result, before: dict[str, int]) -> None:
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert cli.counts() == before


def test_rotate_json_prints_the_new_current_key(cli):
    upcoming = kid_in(cli, "next")

    result = cli.run("rotate_signing_key", "--json")

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert len(result.stdout.strip().splitlines()) == 1
    key = json.loads(result.stdout)
    assert list(key) == KEY_FIELDS
    assert key["kid"] == upcoming == kid_in(cli, "current")
    assert (key["current"], key["next"], key["previous"], key["revoked"]) == (
        True,
        False,
        False,
        False,
    )
    assert key["cert"].startswith("-----BEGIN CERTIFICATE-----\r\n")
    assert key["pkcs7"].startswith("-----BEGIN PKCS7-----\r\n")
    assert re.fullmatch(r"[0-9A-F]{40}", key["thumbprint"])
    assert key["fingerprint"] == ":".join(re.findall("..", key["thumbprint"]))
    assert key["current_since"] and key["current_until"] is None and key["revoked_at"] is None
    assert "PRIVATE" not in result.stdout


def test_rotate_then_revoke_the_previous_key(cli):
    current = kid_in(cli, "current")

    rotated = cli.run("rotate_signing_key")
    revoked = cli.run("revoke_signing_key", "--", current)

    assert rotated.returncode == 0, rotated.stderr
    assert rotated.stdout == f"Rotated: {kid_in(cli, 'current')} is now the current signing key.\n"
    assert revoked.returncode == 0, revoked.stderr
    assert revoked.stdout == f"Revoked signing key {current}.\n"
    assert cli.rows("SELECT state FROM keys_signingkey WHERE kid = ?", (current,)) == [("revoked",)]


def test_revoking_the_current_key_is_refused(cli):
    current = kid_in(cli, "current")
    before = cli.counts()

    result = cli.run("revoke_signing_key", "--", current)

    assert_refused(cli, result, before)
    assert result.stderr == (
        "CommandError: The current signing key cannot be revoked; rotate first.\n"
    )
    assert kid_in(cli, "current") == current


def test_revoking_an_unknown_kid_is_refused(cli):
    before = cli.counts()

    result = cli.run("revoke_signing_key", "no-such-kid")

    assert_refused(cli, result, before)
    assert result.stderr == "CommandError: No signing key with kid 'no-such-kid'.\n"


@pytest.mark.parametrize(
    "args", [("revoke_signing_key",), ("rotate_signing_key", "--jsn")], ids=["no-kid", "typo"]
)
def test_bad_arguments_exit_1_with_one_line(cli, args):
    states = cli.rows("SELECT kid, state FROM keys_signingkey ORDER BY kid")
    before = cli.counts()

    result = cli.run(*args)

    assert_refused(cli, result, before)
    assert result.stderr.startswith(f"manage.py {args[0]}: error: ")
    assert cli.rows("SELECT kid, state FROM keys_signingkey ORDER BY kid") == states


# --- in process ---------------------------------------------------------------------------


def test_revoke_of_an_already_revoked_key_via_call_command(tenant, capsys):
    old = SigningKey.objects.get(state=KeyState.CURRENT).kid
    call_command("rotate_signing_key")
    call_command("revoke_signing_key", "--", old)

    with pytest.raises(CommandError, match="already revoked"):
        call_command("revoke_signing_key", "--", old)


def test_revoking_the_next_key_via_call_command_publishes_a_new_one(tenant, client):
    upcoming = SigningKey.objects.get(state=KeyState.NEXT).kid

    call_command("revoke_signing_key", "--", upcoming)

    kids = [key["kid"] for key in client.get("/.well-known/jwks.json").json()["keys"]]
    assert upcoming not in kids
    assert len(kids) == 2
    assert kids[1] == SigningKey.objects.get(state=KeyState.NEXT).kid


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("revoke_signing_key", "a", "b"), "unrecognized arguments: b"),
        (("rotate_signing_key", "extra"), "unrecognized arguments: extra"),
        (("rotate_signing_key", "--json", "--all"), "unrecognized arguments: --all"),
    ],
)
def test_bad_arguments_in_process(tenant, args, message):
    states = set(SigningKey.objects.values_list("kid", "state"))

    with pytest.raises(CommandError, match=message):
        call_command(*args)

    assert set(SigningKey.objects.values_list("kid", "state")) == states


def test_rotate_before_bootstrap_says_what_to_do(db):
    with pytest.raises(CommandError, match=r"^No next signing key: run `manage.py bootstrap`\.$"):
        call_command("rotate_signing_key")

    assert not SigningKey.objects.exists()


def test_a_kid_starting_with_a_dash_is_a_kid_not_an_option(tenant):
    # base64url thumbprints start with '-' one time in 64; argparse's '--' says "not an option".
    with pytest.raises(CommandError, match="No signing key with kid '-abc'"):
        call_command("revoke_signing_key", "--", "-abc")
