"""create_api: flags, the --json shape, and refusals (exit 1, one line, nothing written)."""

import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apis import resource_servers
from apis.models import Api, Scope

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


def test_create_api_with_a_token_dialect(db):
    body = json.loads(
        run(
            "create_api",
            "--name",
            "P",
            "--identifier",
            "urn:p",
            "--token-dialect",
            "rfc9068_profile",
            "--json",
        )
    )
    assert body["token_dialect"] == "rfc9068_profile"
    assert Api.objects.get(identifier="urn:p").token_dialect == "rfc9068_profile"


def test_create_api_refuses_an_rbac_dialect(db):
    with pytest.raises(CommandError) as excinfo:
        run(
            "create_api",
            "--name",
            "P",
            "--identifier",
            "urn:p",
            "--token-dialect",
            "access_token_authz",
        )
    assert str(excinfo.value) == (
        "token_dialect: token_dialect access_token_authz needs RBAC permissions, which "
        "Gatehouse does not support yet"
    )
    assert not Api.objects.filter(identifier="urn:p").exists()


def run(*args: str, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def counts() -> tuple[int, int]:
    return Api.objects.count(), Scope.objects.count()


def test_create_api_text_output(db):
    output = run("create_api", name="Plain", identifier="https://plain/")

    api = Api.objects.get(identifier="https://plain/")
    assert output == f"Created API Plain ({api.id}) for audience https://plain/.\n"


def test_create_hs256_api_text_output_shows_the_secret(db):
    output = run("create_api", name="Sig", identifier="https://sig/", signing_alg="HS256")

    api = Api.objects.get(identifier="https://sig/")
    secret = resource_servers.reveal_signing_secret(api)
    assert output.splitlines()[1] == (
        f"HS256 signing secret (resource servers verify with it): {secret}"
    )


@pytest.mark.parametrize(
    ("lifetime", "web"), [("600", 600), ("7200", 7200), ("0", 0), ("86400", 7200)]
)
def test_token_lifetime_flag_keeps_the_web_lifetime_below_it(db, lifetime, web):
    body = json.loads(
        run(
            "create_api",
            "--name",
            "B",
            "--identifier",
            "https://b/",
            "--token-lifetime",
            lifetime,
            "--json",
        )
    )

    assert (body["token_lifetime"], body["token_lifetime_for_web"]) == (int(lifetime), web)


@pytest.mark.parametrize(
    ("args", "stderr"),
    [
        (
            ["--name", "No identifier"],
            "manage.py create_api: error: the following arguments are required: --identifier",
        ),
        (
            ["--name", "X", "--identifier", "https://cli-x/", "--signing-alg", "RS512"],
            "manage.py create_api: error: argument --signing-alg: invalid choice: 'RS512' "
            "(choose from 'RS256', 'HS256')",
        ),
        (["--name", "a<b", "--identifier", "https://cli-x/"], "CommandError: name: "),
        (
            ["--name", "X", "--identifier", "https://cli-x/", "--scope", "ok", "--scope", "a b"],
            "CommandError: scopes: ",
        ),
    ],
    ids=["no-identifier", "bad-alg", "bad-name", "bad-scope"],
)
def test_refusals_as_subprocesses(cli, args, stderr):
    before = cli.counts()

    result = cli.run("create_api", *args)

    assert_refused(cli, result, before)
    assert result.stderr.startswith(stderr), result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--identifier", "https://x/"], "the following arguments are required: --name"),
        (
            ["--name", "X", "--identifier", "https://x/", "--token-lifetime", "soon"],
            "argument --token-lifetime: invalid int value: 'soon'",
        ),
        (
            ["--name", "X", "--identifier", "https://x/", "--unknown-flag"],
            "unrecognized arguments: --unknown-flag",
        ),
        (
            ["--name", "X", "--identifier", "https://x/", "--scope"],
            "argument --scope: expected one argument",
        ),
        (
            ["--name", "X", "--identifier", "https://x/", "--token-lifetime", "2592001"],
            "token_lifetime: ",
        ),
        (
            ["--name", "X", "--identifier", "https://x/", "--token-lifetime", "-5"],
            "token_lifetime: ",
        ),
        (
            ["--name", "X", "--identifier", "https://x/", "--scope", "d", "--scope", "d"],
            "scopes: Duplicate scope: d.",
        ),
        (["--name", "X", "--identifier", "https://x/", "--scope", "s" * 281], "scopes: "),
        # Only U+0020 starts a description: "read:things<U+00A0>Reads" is one value, refused,
        # where a regex's \\s once made it the scope "read", described as "things Reads".
        (
            ["--name", "X", "--identifier", "https://x/", "--scope", "read:things\u00a0Reads"],
            "scopes: 'read:things\\xa0Reads': Scope values are printable characters",
        ),
        (["--name", "", "--identifier", "https://x/"], "name: "),
        (["--name", "X", "--identifier", ""], "identifier: "),
        (
            ["--name", "X", "--identifier", "a\x01b"],
            "identifier: Identifier must not contain control characters.",
        ),
        (["--name", "X", "--identifier", "http://127.0.0.1:8000/api/v2/"], "identifier: "),
    ],
)
def test_refusals_in_process(tenant, args, message):
    before = counts()

    with pytest.raises(CommandError) as excinfo:
        call_command("create_api", *args)

    assert message in str(excinfo.value)
    assert "\n" not in str(excinfo.value)
    assert counts() == before


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
def test_scope_argument_forms(db, argument, value, description):
    call_command(
        "create_api", name="S", identifier="https://s/", scope=[argument], stdout=io.StringIO()
    )

    scope = Api.objects.get(identifier="https://s/").scopes.get()
    assert (scope.value, scope.description) == (value, description)


def test_duplicate_identifier_via_call_command(orders_api):
    with pytest.raises(CommandError, match="^identifier: "):
        call_command("create_api", name="Again", identifier=orders_api.identifier)

    assert Api.objects.filter(identifier=orders_api.identifier).count() == 1
