"""bootstrap, create_application, grant and mint_token: the command-line contract of issue 2
section 5, run as subprocesses against their own SQLite file (real exit status and stderr)."""

import io
import json
import re

import jwt
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from apis import resource_servers
from apis.models import Api, Scope
from applications import clients, credentials
from applications.models import Application, ClientGrant
from keys import signing
from keys.models import SigningKey

ISSUER = "http://127.0.0.1:8000/"


def assert_refused(cli, result, before: dict[str, int]) -> None:
    assert result.returncode == 1
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert cli.counts() == before


def ok(result) -> str:
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    return result.stdout


def new_application(cli, *args: str) -> dict:
    return json.loads(ok(cli.run("create_application", "--name", "CLI app", *args, "--json")))


def new_api(cli, identifier: str, *args: str) -> dict:
    return json.loads(
        ok(cli.run("create_api", "--name", "CLI API", "--identifier", identifier, *args, "--json"))
    )


def public_key_for(cli, token: str):
    kid = jwt.get_unverified_header(token)["kid"]
    ((public_jwk,),) = cli.rows("SELECT public_jwk FROM keys_signingkey WHERE kid = ?", (kid,))
    return jwt.PyJWK({**json.loads(public_jwk), "kid": kid}).key


# --- bootstrap ------------------------------------------------------------------------------


def test_bootstrap_is_idempotent(cli):
    keys = cli.rows("SELECT kid, state FROM keys_signingkey ORDER BY kid")
    before = cli.counts()

    output = ok(cli.run("bootstrap"))

    assert output.startswith("Signing keys: 0 created; current key ")
    assert output.endswith("Management API: http://127.0.0.1:8000/api/v2/\n")
    assert cli.counts() == before
    assert cli.rows("SELECT kid, state FROM keys_signingkey ORDER BY kid") == keys
    assert cli.rows("SELECT COUNT(*) FROM apis_api WHERE is_system") == [(1,)]


def test_bootstrap_in_process_twice(db, settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("bootstrap", stdout=io.StringIO())
    # The deploy step collects static files for WhiteNoise (the console's and htmx).
    assert (tmp_path / "static" / "css" / "app.css").is_file()
    assert list((tmp_path / "static" / "django_htmx").glob("htmx-*.min.js"))
    first = set(SigningKey.objects.values_list("kid", "state"))
    call_command("bootstrap", stdout=io.StringIO())

    assert set(SigningKey.objects.values_list("kid", "state")) == first
    assert sorted(state for _, state in first) == ["current", "next"]
    assert Api.objects.filter(is_system=True).count() == 1


# --- create_application -----------------------------------------------------------------------


def test_create_application_json_shows_the_secret_once(cli):
    body = new_application(cli)

    assert len(body["client_id"]) == 32 and len(body["client_secret"]) == 64
    assert body["app_type"] == "non_interactive"
    assert body["grant_types"] == ["client_credentials"]
    assert body["token_endpoint_auth_method"] == "client_secret_post"
    assert body["signing_keys"][0]["cert"].startswith("-----BEGIN CERTIFICATE-----")
    ((digest,),) = cli.rows(
        "SELECT secret_digest FROM applications_application WHERE client_id = ?",
        (body["client_id"],),
    )
    assert body["client_secret"] not in digest


def test_create_application_text_output(db):
    out = io.StringIO()
    call_command("create_application", name="Texty", stdout=out)

    lines = out.getvalue().splitlines()
    application = Application.objects.get(name="Texty")
    assert lines[0] == "Created application Texty."
    assert lines[1] == f"client_id:     {application.client_id}"
    secret = lines[2].removeprefix("client_secret: ")
    assert credentials.verify_secret(secret, application.secret_digest)
    assert "not shown again" in lines[3]


@pytest.mark.parametrize("app_type", ["non_interactive", "regular_web", "spa", "native"])
def test_create_application_types(db, app_type):
    out = io.StringIO()
    call_command("create_application", name="Typed", app_type=app_type, json=True, stdout=out)

    body = json.loads(out.getvalue())
    assert body["app_type"] == app_type
    assert ("client_credentials" in body["grant_types"]) == (
        app_type in ("non_interactive", "regular_web")
    )
    assert body["client_id"] == Application.objects.get(name="Typed").client_id


@pytest.mark.parametrize(
    "args",
    [[], ["--name", "X", "--type", "robot"]],
    ids=["no-name", "bad-type"],
)
def test_create_application_argument_errors(cli, args):
    before = cli.counts()

    result = cli.run("create_application", *args)

    assert_refused(cli, result, before)
    assert result.stderr.startswith("manage.py create_application: error: ")


def test_create_application_validation_error(cli):
    before = cli.counts()

    result = cli.run("create_application", "--name", "<b>")

    assert_refused(cli, result, before)
    assert result.stderr.startswith("CommandError: name: ")


def test_create_application_with_browser_settings(cli):
    body = json.loads(
        ok(
            cli.run(
                "create_application",
                "--name",
                "CLI web app",
                "--type",
                "regular_web",
                "--callback",
                "https://cli.example.com/cb?a=1,2",
                "--callback",
                "http://127.0.0.1/cb",
                "--logout-url",
                "https://cli.example.com/",
                "--web-origin",
                "https://cli.example.com",
                "--allowed-origin",
                "https://admin.cli.example.com",
                "--allow-loopback-any-port",
                "--third-party",
                "--id-token-alg",
                "HS256",
                "--json",
            )
        )
    )
    # Repeated options, one URL each: a comma inside a URL stays in it.
    assert body["callbacks"] == ["https://cli.example.com/cb?a=1,2", "http://127.0.0.1/cb"]
    assert body["allowed_logout_urls"] == ["https://cli.example.com/"]
    assert body["web_origins"] == ["https://cli.example.com"]
    assert body["allowed_origins"] == ["https://admin.cli.example.com"]
    assert (body["is_first_party"], body["allow_loopback_any_port"]) == (False, True)
    assert body["jwt_configuration"]["alg"] == "HS256"
    ((ciphertext,),) = cli.rows(
        "SELECT encrypted_secret FROM applications_application WHERE client_id = ?",
        (body["client_id"],),
    )
    # Kept, encrypted, as the ID tokens' HMAC key; never printed.
    assert ciphertext and body["client_secret"] not in ciphertext
    assert ciphertext not in json.dumps(body)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--callback", "https://cli.example.com/cb#frag"],
            'CommandError: callbacks: Allowed Callback URL "https://cli.example.com/cb#frag" '
            "must not contain a fragment (#).",
        ),
        (
            ["--logout-url", "https://user@cli.example.com/"],
            'CommandError: allowed_logout_urls: Allowed Logout URL "https://user@cli.example.com/"'
            " must not contain user information (user@).",
        ),
        (
            ["--web-origin", "https://cli.example.com/app"],
            'CommandError: web_origins: Allowed Web Origin "https://cli.example.com/app" must be '
            "an origin (scheme, host and port) without a path or query.",
        ),
        (
            ["--allowed-origin", "https://*.com"],
            'CommandError: allowed_origins: Allowed Origin "https://*.com" may not use a '
            "wildcard for a top-level or registrable domain (*.com).",
        ),
        (
            ["--type", "spa", "--id-token-alg", "HS256"],
            "CommandError: id_token_alg: HS256 signs ID tokens with the client secret; a "
            "public client (token_endpoint_auth_method none) has none. Use RS256.",
        ),
    ],
)
def test_create_application_refuses_bad_browser_settings(cli, args, message):
    before = cli.counts()

    result = cli.run("create_application", "--name", "Refused", *args)

    assert_refused(cli, result, before)
    assert result.stderr.strip() == message


def test_create_application_refuses_an_unknown_id_token_alg(cli):
    before = cli.counts()

    result = cli.run("create_application", "--name", "Refused", "--id-token-alg", "PS256")

    assert_refused(cli, result, before)
    assert "argument --id-token-alg: invalid choice: 'PS256'" in result.stderr


# --- grant and mint_token -----------------------------------------------------------------


def test_from_zero_to_a_verified_rs256_token(cli):
    api = new_api(cli, "https://cli-walk.example/api", "--scope", "read:x", "--scope", "write:x")
    app = new_application(cli)

    granted = ok(
        cli.run(
            "grant",
            "--client-id",
            app["client_id"],
            "--audience",
            api["identifier"],
            "--scope",
            "read:x",
        )
    )
    token = ok(
        cli.run("mint_token", "--client-id", app["client_id"], "--audience", api["identifier"])
    )

    assert granted == (
        f"Granted {app['client_id']} access to https://cli-walk.example/api with scopes: read:x.\n"
    )
    assert token.count("\n") == 1
    token = token.strip()
    header = jwt.get_unverified_header(token)
    assert cli.rows("SELECT state FROM keys_signingkey WHERE kid = ?", (header["kid"],)) == [
        ("current",)
    ]
    claims = jwt.decode(
        token,
        public_key_for(cli, token),
        algorithms=["RS256"],
        audience=api["identifier"],
        issuer=ISSUER,
    )
    assert claims["sub"] == f"{app['client_id']}@clients"
    assert claims["scope"] == "read:x"
    assert claims["gty"] == "client-credentials"


def test_from_zero_to_a_verified_hs256_token(cli):
    api = new_api(cli, "https://cli-hs.example/", "--signing-alg", "HS256", "--scope", "a")
    app = new_application(cli)

    ok(
        cli.run(
            "grant",
            "--client-id",
            app["client_id"],
            "--audience",
            api["identifier"],
            "--all-scopes",
        )
    )
    output = ok(
        cli.run(
            "mint_token",
            "--client-id",
            app["client_id"],
            "--audience",
            api["identifier"],
            "--json",
        )
    )

    body = json.loads(output)
    assert list(body) == ["access_token", "scope", "expires_in", "token_type"]
    assert (body["scope"], body["expires_in"], body["token_type"]) == ("a", 86400, "Bearer")
    claims = jwt.decode(
        body["access_token"],
        api["signing_secret"],
        algorithms=["HS256"],
        audience=api["identifier"],
        issuer=ISSUER,
    )
    assert claims["azp"] == app["client_id"]


def test_grant_and_mint_refusals_as_subprocesses(cli):
    api = new_api(cli, "https://cli-refusals.example/", "--scope", "a")
    app = new_application(cli)
    target = ["--client-id", app["client_id"], "--audience", api["identifier"]]
    before = cli.counts()

    both = cli.run("grant", *target, "--scope", "a", "--all-scopes")
    unknown_scope = cli.run("grant", *target, "--scope", "zzz")
    no_grant = cli.run("mint_token", *target)

    for result in (both, unknown_scope, no_grant):
        assert_refused(cli, result, before)
    assert both.stderr.startswith("manage.py grant: error: argument --all-scopes: not allowed")
    assert unknown_scope.stderr == (
        "CommandError: scope: Not a scope of https://cli-refusals.example/: zzz.\n"
    )
    assert no_grant.stderr.startswith(f'CommandError: Client "{app["client_id"]}" is not')


# --- grant and mint_token in process -------------------------------------------------------


def counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (SigningKey, Api, Scope, Application, ClientGrant)
    }


def run(*args: str, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


def granted_values(application) -> list[str]:
    return ClientGrant.objects.get(application=application).to_dict()["scope"]


def test_grant_several_scopes_then_mint_a_subset(m2m_client, orders_api):
    target = {"client_id": m2m_client.client_id, "audience": orders_api.identifier}

    output = run("grant", scope=["read:orders", "write:orders"], **target)
    token = run("mint_token", scope="write:orders", **target).strip()

    assert output == (
        f"Granted {m2m_client.client_id} access to https://orders.example/api"
        " with scopes: read:orders write:orders.\n"
    )
    assert granted_values(m2m_client.application) == ["read:orders", "write:orders"]
    assert signing.verify(token, audience=orders_api.identifier)["scope"] == "write:orders"


def test_grant_all_scopes_then_regrant_replaces(m2m_client, orders_api):
    target = {"client_id": m2m_client.client_id, "audience": orders_api.identifier}

    run("grant", all_scopes=True, **target)
    all_scopes = granted_values(m2m_client.application)
    run("grant", scope=["read:orders"], **target)

    assert all_scopes == ["read:orders", "write:orders"]
    assert granted_values(m2m_client.application) == ["read:orders"]
    assert ClientGrant.objects.count() == 1
    body = json.loads(run("mint_token", json=True, **target))
    assert body["scope"] == "read:orders"


def test_grant_json(m2m_client, orders_api):
    body = json.loads(
        run(
            "grant",
            client_id=m2m_client.client_id,
            audience=orders_api.identifier,
            scope=["read:orders"],
            json=True,
        )
    )

    grant = ClientGrant.objects.get()
    assert body == {
        "id": grant.id,
        "client_id": m2m_client.client_id,
        "audience": "https://orders.example/api",
        "scope": ["read:orders"],
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "one of the arguments --scope --all-scopes is required"),
        (["--scope", "read:orders", "--all-scopes"], "not allowed with argument"),
        (["--scope"], "expected at least one argument"),
        (
            ["--scope", "read:orders", "zzz"],
            "scope: Not a scope of https://orders.example/api: zzz.",
        ),
        (["--scope", "read:clients"], "Not a scope of https://orders.example/api: read:clients."),
    ],
    ids=["neither", "both", "scope-without-value", "unknown-scope", "another-apis-scope"],
)
def test_grant_refusals(m2m_client, orders_api, args, message):
    before = counts()

    with pytest.raises(CommandError, match=re.escape(message)):
        call_command(
            "grant", "--client-id", m2m_client.client_id, "--audience", orders_api.identifier, *args
        )

    assert counts() == before


def test_grant_unknown_client_and_audience(m2m_client, orders_api):
    before = counts()

    with pytest.raises(CommandError, match="^No application with client id 'nobody'.$"):
        run("grant", client_id="nobody", audience=orders_api.identifier, all_scopes=True)
    with pytest.raises(CommandError, match="^No API with identifier 'https://nope/'.$"):
        run("grant", client_id=m2m_client.client_id, audience="https://nope/", all_scopes=True)

    assert counts() == before


def test_mint_token_refusals(m2m_client, orders_api, granted_client):
    spa, _ = clients.create_application(name="Browser", app_type="spa")
    clients.authorize(spa, orders_api, [])
    orders = orders_api.identifier
    cases = [
        ({"client_id": "nobody", "audience": orders}, "Unknown client: nobody"),
        (
            {"client_id": m2m_client.client_id, "audience": "https://z/"},
            "Service not enabled within domain: https://z/",
        ),
        (
            {"client_id": m2m_client.client_id, "audience": orders, "scope": "read:orders admin"},
            "Client has not been granted scopes: admin",
        ),
        (
            {"client_id": spa.client_id, "audience": orders},
            "Grant type 'client_credentials' not allowed for the client.",
        ),
        (  # RFC 6749 section 3.3: only U+0020 separates scopes, as on /oauth/token
            {"client_id": m2m_client.client_id, "audience": orders, "scope": "a\u00a0b"},
            "Invalid scope: U+00A0 is not allowed. Scopes are separated by spaces (U+0020) "
            'and hold printable ASCII characters other than " and \\.',
        ),
    ]
    before = counts()

    for options, message in cases:
        with pytest.raises(CommandError) as excinfo:
            run("mint_token", **options)
        assert str(excinfo.value) == message
    with pytest.raises(CommandError, match="required: --audience"):
        call_command("mint_token", "--client-id", m2m_client.client_id)

    assert counts() == before


# --- in process: the same code path as the endpoint ----------------------------------------------


def test_mint_token_in_process_matches_the_endpoint_claims(granted_client, post_token):
    out = io.StringIO()
    call_command(
        "mint_token",
        client_id=granted_client.client_id,
        audience="https://orders.example/api",
        stdout=out,
    )
    minted = jwt.decode(out.getvalue().strip(), options={"verify_signature": False})
    served = jwt.decode(
        post_token(
            {
                "grant_type": "client_credentials",
                "client_id": granted_client.client_id,
                "client_secret": granted_client.secret,
                "audience": "https://orders.example/api",
            }
        ).json()["access_token"],
        options={"verify_signature": False},
    )

    assert list(minted) == list(served)
    assert {k: v for k, v in minted.items() if k not in ("iat", "exp", "jti")} == {
        k: v for k, v in served.items() if k not in ("iat", "exp", "jti")
    }


def test_mint_token_before_bootstrap_says_what_to_do(db):
    api, _ = resource_servers.create_api(name="Early", identifier="https://early/")
    application, _ = clients.create_application(name="Early bird")
    clients.authorize(application, api, [])

    with pytest.raises(
        CommandError, match=r"^No current signing key: run `manage.py bootstrap`\.$"
    ):
        run("mint_token", client_id=application.client_id, audience="https://early/")
