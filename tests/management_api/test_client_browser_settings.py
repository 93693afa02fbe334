"""/api/v2/clients: what browser flows need (AUTH0_USER_FLOWS.md sections 1.3, 2.2, 5.1, 6):
the four URL lists, first/third party, jwt_configuration (RS256 or HS256 with the client
secret), the loopback extension, and the fields Terraform and the Deploy CLI send."""

import json

import pytest

from applications import credentials
from applications.models import Application
from keys import vault
from tests.management_api.conftest import ALL_SCOPES, Mgmt, management_token

pytestmark = pytest.mark.django_db

BROWSER = {
    "callbacks": ["https://app.example.com/callback", "https://*.preview.example.com/cb"],
    "allowed_logout_urls": ["https://app.example.com/", "https://*.example.com/bye"],
    "web_origins": ["https://app.example.com"],
    "allowed_origins": ["https://admin.example.com"],
    "allow_loopback_any_port": True,
}


def create(mgmt: Mgmt, **fields) -> dict:
    response = mgmt.post("/clients", {"name": "Portal", "app_type": "regular_web", **fields})
    assert response.status_code == 201, response.content
    return response.json()


def bad_body(message: str, field: str) -> dict:
    return {
        "statusCode": 400,
        "error": "Bad Request",
        "message": f"Payload validation error: '{message}' on property {field}.",
        "errorCode": "invalid_body",
    }


def test_every_browser_field_round_trips(mgmt: Mgmt, tenant):
    jwt = {"alg": "RS256", "lifetime_in_seconds": 600, "secret_encoded": False}
    body = create(mgmt, **BROWSER, is_first_party=False, jwt_configuration=jwt)
    body.pop("client_secret")
    for field, value in BROWSER.items():
        assert body[field] == value
    assert (body["is_first_party"], body["jwt_configuration"]) == (False, jwt)
    assert body["token_endpoint_auth_method"] == "client_secret_post"
    path = f"/clients/{body['client_id']}"
    assert mgmt.get(path).json() == body

    changes = {
        "callbacks": ["myapp://callback", "http://127.0.0.1/cb"],
        "allowed_logout_urls": [],
        "web_origins": ["http://localhost:3000"],
        "allowed_origins": [],
        "allow_loopback_any_port": False,
        "jwt_configuration": {"lifetime_in_seconds": 36000},
        "is_first_party": False,  # the current value: accepted
    }
    patched = mgmt.patch(path, changes)
    assert patched.status_code == 200
    expected = {
        **body,
        **changes,
        "jwt_configuration": {
            "alg": "RS256",
            "lifetime_in_seconds": 36000,
            "secret_encoded": False,
        },
    }
    assert patched.json() == expected
    assert mgmt.get(path).json() == expected


def test_defaults_are_auth0s(mgmt: Mgmt, tenant):
    body = mgmt.post("/clients", {"name": "Browser", "app_type": "spa"}).json()
    assert body["token_endpoint_auth_method"] == "none"
    assert body["is_first_party"] is True
    assert body["jwt_configuration"] == {
        "alg": "RS256",
        "lifetime_in_seconds": 36000,
        "secret_encoded": False,
    }
    for field in ("callbacks", "allowed_logout_urls", "web_origins", "allowed_origins"):
        assert body[field] == []
    assert body["allow_loopback_any_port"] is False


def test_third_party_clients_are_filtered_as_they_say(mgmt: Mgmt, m2m_client):
    third = create(mgmt, is_first_party=False)["client_id"]
    first_party = [c["client_id"] for c in mgmt.get("/clients?is_first_party=true").json()]
    third_party = [c["client_id"] for c in mgmt.get("/clients?is_first_party=false").json()]
    assert third not in first_party and m2m_client.client_id in first_party
    assert third_party == [third]


FRAGMENT = 'Allowed Callback URL "https://app.example.com/cb#x" must not contain a fragment (#).'


@pytest.mark.parametrize(
    ("fields", "message", "field"),
    [
        ({"callbacks": ["https://app.example.com/cb#x"]}, FRAGMENT, "callbacks"),
        (
            {"callbacks": ["https://user:pw@app.example.com/cb"]},
            'Allowed Callback URL "https://user:pw@app.example.com/cb" must not contain user '
            "information (user@).",
            "callbacks",
        ),
        (
            {"callbacks": ["https://*.com/cb"]},
            'Allowed Callback URL "https://*.com/cb" may not use a wildcard for a top-level or '
            "registrable domain (*.com).",
            "callbacks",
        ),
        (
            {"callbacks": ["https://sub.*.example.com/cb"]},
            'Allowed Callback URL "https://sub.*.example.com/cb" may use a wildcard (*) only '
            "in the leftmost label of the host.",
            "callbacks",
        ),
        (
            {"callbacks": ["https://app.example.com/*"]},
            'Allowed Callback URL "https://app.example.com/*" may use a wildcard (*) only in '
            "the host.",
            "callbacks",
        ),
        (
            {"callbacks": ["myapp://*/cb"]},
            'Allowed Callback URL "myapp://*/cb" may use a wildcard (*) only in http and '
            "https URLs.",
            "callbacks",
        ),
        (
            {"callbacks": ["/relative/cb"]},
            'Allowed Callback URL "/relative/cb" must be an absolute URL.',
            "callbacks",
        ),
        (
            {"allowed_logout_urls": ["https://app.example.com/ bye"]},
            'Allowed Logout URL "https://app.example.com/ bye" must not contain whitespace, '
            "control characters or backslashes.",
            "allowed_logout_urls",
        ),
        (
            {"callbacks": ["https://app.example.com/cb\u20ac"]},
            'Allowed Callback URL "https://app.example.com/cb\\u20ac" must be ASCII: '
            "percent-encode other characters (RFC 3986 section 2.1) and write an "
            "internationalized host in its xn-- form.",
            "callbacks",
        ),
        (
            {"allowed_logout_urls": ["https://b\u00fccher.example/out"]},
            'Allowed Logout URL "https://b\\u00fccher.example/out" must be ASCII: '
            "percent-encode other characters (RFC 3986 section 2.1) and write an "
            "internationalized host in its xn-- form.",
            "allowed_logout_urls",
        ),
        (
            {"web_origins": ["https://app.example.com/path"]},
            'Allowed Web Origin "https://app.example.com/path" must be an origin (scheme, '
            "host and port) without a path or query.",
            "web_origins",
        ),
        (
            {"allowed_origins": ["myapp://app"]},
            'Allowed Origin "myapp://app" must be an http or https origin.',
            "allowed_origins",
        ),
        (
            {"jwt_configuration": {"alg": "HS256"}, "app_type": "spa"},
            "HS256 signs ID tokens with the client secret; a public client "
            "(token_endpoint_auth_method none) has none. Use RS256.",
            "jwt_configuration.alg",
        ),
        (
            {"jwt_configuration": {"alg": "HS256", "secret_encoded": True}},
            "HS256 ID tokens are signed with the client secret as issued, not base64-decoded: "
            "secret_encoded must be false",
            "jwt_configuration.secret_encoded",
        ),
    ],
)
def test_bad_values_are_precise_400s_that_write_nothing(mgmt: Mgmt, tenant, fields, message, field):
    before = Application.objects.count()
    response = mgmt.post("/clients", {"name": "Portal", "app_type": "regular_web", **fields})
    assert response.status_code == 400
    assert response.json() == bad_body(message, field)
    assert Application.objects.count() == before


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"callbacks": [f"https://app.example.com/{n}" for n in range(101)]},
            "Payload validation error: 'Array is too long (101), maximum 100' on property "
            "callbacks (Comma-separated list of URLs whitelisted for Auth0 to use as a "
            "callback to the client after authentication.).",
        ),
        (
            {"web_origins": ["https://a.example.com", "https://a.example.com"]},
            "Payload validation error: 'Array items are not unique (indexes 0 and 1)' on "
            "property web_origins (Comma-separated list of allowed origins for use with "
            "Cross-Origin Authentication, Device Flow, and web message response mode.).",
        ),
        (
            {"callbacks": "https://app.example.com/cb"},
            "Payload validation error: 'Expected type array but found type string' on "
            "property callbacks (Comma-separated list of URLs whitelisted for Auth0 to use as "
            "a callback to the client after authentication.).",
        ),
        (
            {"jwt_configuration": {"alg": "PS256"}},
            "Payload validation error: 'No enum match for: \"PS256\"' on property "
            "jwt_configuration.alg (Algorithm used to sign ID tokens: RS256 (the tenant key, "
            "default) or HS256 (the client secret; confidential clients only).).",
        ),
        (
            {"jwt_configuration": {"lifetime_in_seconds": 0}},
            "Payload validation error: 'Value 0 is less than minimum 1' on property "
            "jwt_configuration.lifetime_in_seconds (Number of seconds the ID token will be "
            "valid for (affects exp claim). Default 36000.).",
        ),
        (
            {"jwt_configuration": {"lifetime_in_seconds": 2592001}},
            "Payload validation error: 'Value 2592001 is greater than maximum 2592000' on "
            "property jwt_configuration.lifetime_in_seconds (Number of seconds the ID token "
            "will be valid for (affects exp claim). Default 36000.).",
        ),
        (
            {"jwt_configuration": {"kid": "x"}},
            "Payload validation error: 'Additional properties not allowed: kid' on property "
            "jwt_configuration (Configuration related to JWTs for the client.).",
        ),
        (
            {"oidc_conformant": "yes"},
            "Payload validation error: 'Expected type boolean but found type string' on "
            "property oidc_conformant (Accepted and ignored: Gatehouse is always OIDC "
            "conformant.).",
        ),
    ],
)
def test_schema_refusals_are_precise(mgmt: Mgmt, tenant, fields, message):
    response = mgmt.post("/clients", {"name": "Portal", **fields})
    assert response.status_code == 400
    assert response.json()["message"] == message
    assert not Application.objects.filter(name="Portal").exists()


def test_patch_refusals_change_nothing(mgmt: Mgmt, tenant):
    body = create(mgmt, **BROWSER)
    path = f"/clients/{body.pop('client_id')}"
    before = mgmt.get(path).json()
    cases = [
        (
            {"name": "Renamed", "callbacks": ["https://ok.example.com/", "https://x/#f"]},
            bad_body(
                'Allowed Callback URL "https://x/#f" must not contain a fragment (#).',
                "callbacks",
            ),
        ),
        (
            {"is_first_party": False},
            bad_body(
                "is_first_party cannot be changed after the client is created; create a new client",
                "is_first_party",
            ),
        ),
        (
            {"name": "Renamed", "jwt_configuration": {"alg": "HS256"}},
            bad_body(
                "HS256 signs ID tokens with the client secret, and Gatehouse keeps only a "
                "digest of this application's current secret: rotate the secret in the same "
                'change to switch to HS256. Send "rotate_secret": true with it.',
                "jwt_configuration.alg",
            ),
        ),
        (
            {
                "name": "Renamed",
                "app_type": "spa",
                "token_endpoint_auth_method": "none",
                "grant_types": ["authorization_code"],
                "jwt_configuration": {"alg": "HS256"},
                "rotate_secret": True,
            },
            bad_body(
                "HS256 signs ID tokens with the client secret; a public client "
                "(token_endpoint_auth_method none) has none. Use RS256.",
                "jwt_configuration.alg",
            ),
        ),
    ]
    for change, error in cases:
        response = mgmt.patch(path, change)
        assert (response.status_code, response.json()) == (400, error)
        assert mgmt.get(path).json() == before


def decrypted_secret(client_id: str) -> str:
    ciphertext = Application.objects.get(client_id=client_id).encrypted_secret
    return vault.decrypt(ciphertext).decode() if ciphertext else ""


def test_hs256_keeps_the_secret_encrypted_and_rs256_forgets_it(mgmt: Mgmt, tenant):
    hs256 = {"alg": "HS256", "lifetime_in_seconds": 300, "secret_encoded": False}
    body = create(mgmt, jwt_configuration=hs256)
    client_id, secret = body["client_id"], body["client_secret"]
    assert body["jwt_configuration"] == hs256
    assert decrypted_secret(client_id) == secret
    path = f"/clients/{client_id}"

    rotated = mgmt.post(f"{path}/rotate-secret").json()["client_secret"]
    assert decrypted_secret(client_id) == rotated != secret

    back = mgmt.patch(path, {"jwt_configuration": {"alg": "RS256"}})
    assert back.json()["jwt_configuration"]["alg"] == "RS256"
    assert "client_secret" not in back.json()
    assert Application.objects.get(client_id=client_id).encrypted_secret == ""
    # Rotating an RS256 client keeps no readable copy.
    mgmt.post(f"{path}/rotate-secret")
    assert Application.objects.get(client_id=client_id).encrypted_secret == ""


def test_switching_to_hs256_rotates_in_the_same_request(mgmt: Mgmt, tenant):
    body = create(mgmt)
    path = f"/clients/{body['client_id']}"
    response = mgmt.patch(path, {"jwt_configuration": {"alg": "HS256"}, "rotate_secret": True})
    assert response.status_code == 200
    switched = response.json()
    new_secret = switched.pop("client_secret")
    assert new_secret != body["client_secret"]
    assert switched["jwt_configuration"]["alg"] == "HS256"
    application = Application.objects.get(client_id=body["client_id"])
    assert credentials.verify_secret(new_secret, application.secret_digest)
    assert not credentials.verify_secret(body["client_secret"], application.secret_digest)
    assert decrypted_secret(body["client_id"]) == new_secret
    assert mgmt.get(path).json() == switched


def test_secrets_appear_only_in_create_and_rotate_and_the_ciphertext_nowhere(mgmt: Mgmt, tenant):
    created = mgmt.post(
        "/clients",
        {"name": "Signer", "app_type": "regular_web", "jwt_configuration": {"alg": "HS256"}},
    )
    client_id = created.json()["client_id"]
    secret = created.json()["client_secret"]
    path = f"/clients/{client_id}"
    responses = [
        mgmt.get(path),
        mgmt.get("/clients"),
        mgmt.get("/clients?include_totals=true"),
        mgmt.patch(path, {"callbacks": ["https://signer.example.com/cb"]}),
    ]
    for response in responses:
        assert secret not in response.content.decode()
    rotated = mgmt.post(f"{path}/rotate-secret")
    new_secret = rotated.json()["client_secret"]
    ciphertexts = [Application.objects.get(client_id=client_id).encrypted_secret]
    for response in [created, rotated, *responses, mgmt.get(path), mgmt.get("/clients")]:
        text = response.content.decode()
        assert "encrypted_secret" not in text
        assert not any(ciphertext in text for ciphertext in ciphertexts)
    assert new_secret not in mgmt.get(path).content.decode()


TERRAFORM = {
    "name": "Cloudflare Access",
    "app_type": "regular_web",
    "allowed_clients": [],
    "allowed_logout_urls": [],
    "allowed_origins": [],
    "callbacks": ["https://team.cloudflareaccess.com/cdn-cgi/access/callback"],
    "client_aliases": [],
    "client_metadata": {"owner": "platform"},
    "compliance_level": None,
    "cross_origin_auth": False,
    "cross_origin_loc": None,
    "custom_login_page": None,
    "custom_login_page_on": True,
    "description": "Zero trust",
    "encryption_key": None,
    "form_template": None,
    "grant_types": ["authorization_code", "implicit", "refresh_token", "client_credentials"],
    "initiate_login_uri": None,
    "is_first_party": True,
    "is_token_endpoint_ip_header_trusted": False,
    "logo_uri": "https://team.example.com/logo.png",
    "oidc_conformant": True,
    "organization_require_behavior": "no_prompt",
    "organization_usage": "deny",
    "require_proof_of_possession": False,
    "require_pushed_authorization_requests": False,
    "skip_non_verifiable_callback_uri_confirmation_prompt": False,
    "sso": False,
    "sso_disabled": False,
    "token_endpoint_auth_method": "client_secret_post",
    "web_origins": [],
    "native_social_login": {"apple": {"enabled": False}, "facebook": {"enabled": False}},
    "refresh_token": {
        "rotation_type": "non-rotating",
        "expiration_type": "non-expiring",
        "leeway": 0,
        "token_lifetime": 2592000,
        "infinite_token_lifetime": True,
        "infinite_idle_token_lifetime": True,
        "idle_token_lifetime": 1296000,
    },
    "jwt_configuration": {
        "alg": "RS256",
        "lifetime_in_seconds": 36000,
        "secret_encoded": True,
        "scopes": {},
    },
    "mobile": {"android": {"app_package_name": "", "sha256_cert_fingerprints": []}},
    "addons": {},
    "oidc_backchannel_logout": {"backchannel_logout_urls": []},
}


def test_what_terraform_sends_is_accepted_and_the_echo_is_honest(mgmt: Mgmt, tenant):
    response = mgmt.post("/clients", TERRAFORM)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["callbacks"] == TERRAFORM["callbacks"]
    assert body["description"] == "Zero trust"
    # What Gatehouse really does, whatever was asked for; nothing else is invented.
    assert (body["oidc_conformant"], body["sso_disabled"]) == (True, False)
    assert body["cross_origin_authentication"] is False
    assert body["jwt_configuration"]["secret_encoded"] is False
    for ignored in ("logo_uri", "client_metadata", "organization_usage"):
        assert ignored not in body
    assert body["refresh_token"] == TERRAFORM["refresh_token"]  # stored since issue 11
    # An update that repeats the whole configuration (as Terraform does) applies too.
    repeat = {k: v for k, v in TERRAFORM.items()}
    repeat["oidc_conformant"] = False
    patched = mgmt.patch(f"/clients/{body['client_id']}", repeat)
    assert patched.status_code == 200, patched.content
    assert patched.json()["oidc_conformant"] is True


def test_cors_origins_are_the_allowed_origins_plus_the_callbacks_origins(mgmt: Mgmt, tenant):
    body = create(
        mgmt,
        callbacks=["https://App.example.com:8443/cb", "myapp://cb", "https://admin.example.com/x"],
        allowed_origins=["https://admin.example.com"],
    )
    application = Application.objects.get(client_id=body["client_id"])
    assert application.cors_origins == [
        "https://admin.example.com",
        "https://app.example.com:8443",
    ]
    # The stored list is what was set: [] when never set, the callbacks still count.
    assert json.loads(mgmt.get(f"/clients/{body['client_id']}").content)["allowed_origins"] == [
        "https://admin.example.com"
    ]


def test_rotating_through_patch_needs_update_client_keys(mgmt: Mgmt, client, tenant):
    body = create(mgmt)
    path = f"/clients/{body['client_id']}"
    before = Application.objects.values().get(client_id=body["client_id"])
    scopes = [s for s in ALL_SCOPES if s != "update:client_keys"]
    limited = Mgmt(client, management_token(tenant, scopes, name="Limited"))
    response = limited.patch(path, {"jwt_configuration": {"alg": "HS256"}, "rotate_secret": True})
    assert response.status_code == 403
    assert response.json() == {
        "statusCode": 403,
        "error": "Forbidden",
        "message": "Insufficient scope, expected any of: update:client_keys",
        "errorCode": "insufficient_scope",
    }
    assert (
        response["WWW-Authenticate"]
        == 'Bearer error="insufficient_scope", scope="update:client_keys"'
    )
    assert Application.objects.values().get(client_id=body["client_id"]) == before
    # The same token changes everything else.
    assert limited.patch(path, {"callbacks": ["https://ok.example.com/cb"]}).status_code == 200
