"""create_api: flags, the --json shape, and refusals (exit 1, one line, nothing written)."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apis.models import Api

API_FIELDS = [
    "id",
    "name",
    "identifier",
    "scopes",
    "signing_alg",
    "allow_offline_access",
    "skip_consent_for_verifiable_first_party_clients",
    "token_lifetime",
    "token_lifetime_for_web",
]


def assert_refused(cli, result, before: dict[str, int]) -> None:
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert cli.counts() == before


def test_create_api_json(cli):
    result = cli.run(
        "create_api",
        "--name",
        "Orders",
        "--identifier",
        "https://cli-orders.example/api",
        "--scope",
        "read:orders:Read orders",
        "--scope",
        "write:orders",
        "--json",
    )

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    body = json.loads(result.stdout)
    assert list(body) == API_FIELDS
    assert body["scopes"] == [
        {"value": "read:orders", "description": "Read orders"},
        {"value": "write:orders"},
    ]
    assert (body["name"], body["identifier"], body["signing_alg"]) == (
        "Orders",
        "https://cli-orders.example/api",
        "RS256",
    )
    assert (body["token_lifetime"], body["token_lifetime_for_web"]) == (86400, 7200)
    assert cli.rows("SELECT identifier FROM apis_api WHERE id = ?", (body["id"],)) == [
        ("https://cli-orders.example/api",)
    ]


def test_create_hs256_api_json_includes_the_secret_once(cli):
    result = cli.run(
        "create_api",
        "--name",
        "Ledger",
        "--identifier",
        "https://cli-ledger.example/",
        "--signing-alg",
        "HS256",
        "--json",
    )

    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert list(body) == [*API_FIELDS, "signing_secret"]
    assert body["signing_alg"] == "HS256"
    assert len(body["signing_secret"]) == 43
    ((stored,),) = cli.rows(
        "SELECT encrypted_signing_secret FROM apis_api WHERE id = ?", (body["id"],)
    )
    assert stored and body["signing_secret"] not in stored


def test_create_api_text_output(cli):
    result = cli.run("create_api", "--name", "Plain", "--identifier", "https://cli-plain/")

    assert result.returncode == 0, result.stderr
    ((api_id,),) = cli.rows("SELECT id FROM apis_api WHERE identifier = 'https://cli-plain/'")
    assert result.stdout == f"Created API Plain ({api_id}) for audience https://cli-plain/.\n"


def test_short_token_lifetime_lowers_the_web_lifetime(cli):
    result = cli.run(
        "create_api",
        "--name",
        "Brief",
        "--identifier",
        "https://cli-brief/",
        "--token-lifetime",
        "600",
        "--json",
    )

    assert result.returncode == 0, result.stderr
    body = json.loads(result.stdout)
    assert (body["token_lifetime"], body["token_lifetime_for_web"]) == (600, 600)


@pytest.mark.parametrize(
    "args",
    [
        ["--name", "No identifier"],
        ["--identifier", "https://cli-noname/"],
        ["--name", "X", "--identifier", "https://cli-x/", "--signing-alg", "RS512"],
        ["--name", "X", "--identifier", "https://cli-x/", "--token-lifetime", "soon"],
        ["--name", "X", "--identifier", "https://cli-x/", "--unknown-flag"],
        ["--name", "X", "--identifier", "https://cli-x/", "--scope"],
    ],
    ids=["no-identifier", "no-name", "bad-alg", "bad-lifetime", "unknown-flag", "scope-no-value"],
)
def test_argument_errors(cli, args):
    before = cli.counts()

    result = cli.run("create_api", *args)

    assert_refused(cli, result, before)
    assert result.stderr.startswith("manage.py create_api: error: ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--name", "a<b", "--identifier", "https://cli-x/"], "name: "),
        (
            ["--name", "X", "--identifier", "https://cli-x/", "--token-lifetime", "2592001"],
            "token_lifetime: ",
        ),
        (
            ["--name", "X", "--identifier", "https://cli-x/", "--token-lifetime", "-5"],
            "token_lifetime: ",
        ),
        (
            [
                "--name",
                "X",
                "--identifier",
                "https://cli-x/",
                "--scope",
                "ok",
                "--scope",
                "bad scope",
            ],
            "scopes: ",
        ),
        (
            ["--name", "X", "--identifier", "https://cli-x/", "--scope", "dup", "--scope", "dup"],
            "scopes: ",
        ),
        (["--name", "X", "--identifier", "http://127.0.0.1:8000/api/v2/"], "identifier: "),
    ],
    ids=[
        "name",
        "lifetime-max",
        "lifetime-negative",
        "scope-space",
        "scope-dup",
        "identifier-taken",
    ],
)
def test_validation_errors(cli, args, message):
    before = cli.counts()

    result = cli.run("create_api", *args)

    assert_refused(cli, result, before)
    assert result.stderr.startswith(f"CommandError: {message}"), result.stderr


@pytest.mark.parametrize(
    ("argument", "value", "description"),
    [
        ("read:orders", "read:orders", ""),
        ("read:orders:Read orders", "read:orders", "Read orders"),
        ("read:orders: Read orders", "read:orders", "Read orders"),
        ("admin", "admin", ""),
        ("admin:Administer everything", "admin", "Administer everything"),
    ],
)
def test_scope_argument_forms(tenant, argument, value, description):
    call_command(
        "create_api", name="S", identifier="https://s/", scope=[argument], stdout=io.StringIO()
    )

    scope = Api.objects.get(identifier="https://s/").scopes.get()
    assert (scope.value, scope.description) == (value, description)


def test_duplicate_identifier_via_call_command(orders_api):
    with pytest.raises(CommandError, match="^identifier: "):
        call_command("create_api", name="Again", identifier=orders_api.identifier)

    assert Api.objects.filter(identifier=orders_api.identifier).count() == 1
