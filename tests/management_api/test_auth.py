"""Authentication and authorization of /api/v2/: bearer tokens issued by Gatehouse for its own
Management API, checked by keys.signing.verify; one scope (or two) per endpoint, deny by
default; Auth0's 401/403/404/405 bodies, never HTML."""

import base64
import hashlib
import hmac
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509 import load_pem_x509_certificate
from django.conf import settings
from django.urls import URLPattern
from django.utils import timezone

from applications.models import RefreshTokenFamily
from config import api_urls
from keys import signing
from keys.bearer import needs, route
from keys.models import KeyState, SigningKey
from logs.events import record
from tests.management_api.conftest import ALL_SCOPES, Mgmt, management_token
from users import directory, sessions

MISSING = {"statusCode": 401, "error": "Unauthorized", "message": "Missing authentication"}
INVALID = {
    "statusCode": 401,
    "error": "Unauthorized",
    "message": "Invalid token",
    "attributes": {"error": "Invalid token"},
}
REALM = 'Bearer realm="http://127.0.0.1:8000/api/v2/"'
INVALID_CHALLENGE = (
    'Bearer realm="http://127.0.0.1:8000/api/v2/", error="invalid_token", '
    'error_description="Invalid token"'
)


def b64(data: bytes | dict) -> str:
    if isinstance(data, dict):
        data = json.dumps(data).encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def claims(**overrides) -> dict:
    now = int(time.time())
    body = {
        "iss": "http://127.0.0.1:8000/",
        "sub": "forger@clients",
        "aud": "http://127.0.0.1:8000/api/v2/",
        "iat": now,
        "exp": now + 3600,
        "scope": " ".join(ALL_SCOPES),
        "gty": "client-credentials",
        "azp": "forger",
    }
    body.update(overrides)
    return body


def current_key() -> SigningKey:
    return SigningKey.objects.get(state=KeyState.CURRENT)


def assert_invalid(response) -> None:
    assert response.status_code == 401
    assert response.json() == INVALID
    assert response["WWW-Authenticate"] == INVALID_CHALLENGE
    assert response["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_no_authorization_header_is_missing_authentication(mgmt: Mgmt):
    response = mgmt.get("/resource-servers", token=None)
    assert response.status_code == 401
    assert response.json() == MISSING
    assert response["WWW-Authenticate"] == REALM


@pytest.mark.django_db
def test_a_basic_authorization_header_is_missing_authentication(mgmt: Mgmt):
    response = mgmt.get("/resource-servers", token=None, headers={"Authorization": "Basic YTpi"})
    assert response.status_code == 401
    assert response.json() == MISSING


@pytest.mark.django_db
def test_a_valid_token_is_accepted_with_auth0_telemetry_headers(mgmt: Mgmt):
    telemetry = b64({"name": "auth0-python", "version": "6.8.0", "env": {"python": "3.11"}})
    response = mgmt.get(
        "/keys/signing",
        headers={"Auth0-Client": telemetry, "User-Agent": "Python/3.11.7"},
    )
    assert response.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "a.b", "ü.ü.ü"])
def test_malformed_tokens_are_invalid(mgmt: Mgmt, token):
    assert_invalid(mgmt.get("/resource-servers", token=token))


# RFC 6750 section 2.1: credentials = "Bearer" 1*SP b64token, inside the field value's
# optional SP/HTAB (RFC 9110 section 5.5). No other whitespace separates or surrounds it.
@pytest.mark.django_db
@pytest.mark.parametrize(
    "template",
    ["Bearer {}", "bearer {}", "BEARER {}", "Bearer   {}", " Bearer {} ", "\tBearer {}\t"],
    ids=["canonical", "lowercase", "uppercase", "several-spaces", "ows-spaces", "ows-tabs"],
)
def test_bearer_headers_the_rfcs_allow(mgmt: Mgmt, mgmt_token, template):
    header = {"Authorization": template.format(mgmt_token)}
    assert mgmt.get("/keys/signing", token=None, headers=header).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "template",
    ["Bearer \u00a0{}", "Bearer {}\u00a0", "Bearer {}\u3000", "Bearer \u0085{}", "Bearer {}\n"],
    ids=["nbsp-before", "nbsp-after", "ideographic-after", "nel-before", "newline-after"],
)
def test_a_token_padded_with_other_whitespace_is_invalid(mgmt: Mgmt, mgmt_token, template):
    header = {"Authorization": template.format(mgmt_token)}
    assert_invalid(mgmt.get("/keys/signing", token=None, headers=header))


@pytest.mark.django_db
@pytest.mark.parametrize("separator", ["\u00a0", "\t", "\u2003"])
def test_bearer_glued_to_its_token_by_other_whitespace_is_not_bearer(
    mgmt: Mgmt, mgmt_token, separator
):
    header = {"Authorization": f"Bearer{separator}{mgmt_token}"}
    response = mgmt.get("/keys/signing", token=None, headers=header)
    assert response.status_code == 401
    assert response.json() == MISSING


@pytest.mark.django_db
def test_scopes_in_the_token_are_separated_by_u0020_only(mgmt: Mgmt):
    # A token Gatehouse signed itself, whose scope claim joins two scopes with U+00A0: that is
    # one (unknown) scope, so neither read:signing_keys nor read:clients is granted.
    token = signing.sign_rs256(claims(scope="read:signing_keys\u00a0read:clients"))
    response = mgmt.get("/keys/signing", token=token)
    assert response.status_code == 403
    assert response.json()["errorCode"] == "insufficient_scope"
    spaced = signing.sign_rs256(claims(scope="read:clients  read:signing_keys"))
    assert mgmt.get("/keys/signing", token=spaced).status_code == 200


@pytest.mark.django_db
def test_alg_none_is_invalid(mgmt: Mgmt):
    token = f"{b64({'alg': 'none', 'typ': 'JWT', 'kid': current_key().kid})}.{b64(claims())}."
    assert_invalid(mgmt.get("/resource-servers", token=token))


@pytest.mark.django_db
def test_hs256_signed_with_the_tenant_public_key_is_invalid(mgmt: Mgmt):
    key = current_key()
    public_pem = (
        load_pem_x509_certificate(key.cert_pem.encode())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    signing_input = f"{b64({'alg': 'HS256', 'typ': 'JWT', 'kid': key.kid})}.{b64(claims())}"
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    assert_invalid(mgmt.get("/resource-servers", token=f"{signing_input}.{b64(signature)}"))


@pytest.mark.django_db
def test_a_token_signed_by_an_unknown_key_is_invalid(mgmt: Mgmt):
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(claims(), stranger, algorithm="RS256", headers={"kid": "unknown-kid"})
    assert_invalid(mgmt.get("/resource-servers", token=token))


@pytest.mark.django_db
def test_a_token_signed_by_another_key_under_the_tenant_kid_is_invalid(mgmt: Mgmt):
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(claims(), stranger, algorithm="RS256", headers={"kid": current_key().kid})
    assert_invalid(mgmt.get("/resource-servers", token=token))


@pytest.mark.django_db
@pytest.mark.parametrize("kid", ["\u0000", "\ud800", "k" * 65, 7])
def test_hostile_kids_are_invalid_not_errors(mgmt: Mgmt, kid):
    header = json.dumps({"alg": "RS256", "kid": kid}).encode()
    token = f"{b64(header)}.{b64(claims())}.{b64(b'sig')}"
    assert_invalid(mgmt.get("/resource-servers", token=token))


@pytest.mark.django_db
def test_an_expired_token_is_invalid(mgmt: Mgmt):
    now = int(time.time())
    token = signing.sign_rs256(claims(iat=now - 7200, exp=now - 1))
    assert_invalid(mgmt.get("/resource-servers", token=token))


@pytest.mark.django_db
def test_a_token_for_another_api_is_invalid(mgmt: Mgmt, orders_api):
    token = signing.sign_rs256(claims(aud="https://orders.example/api"))
    assert_invalid(mgmt.get("/resource-servers", token=token))


@pytest.mark.django_db
def test_a_token_from_another_issuer_is_invalid(mgmt: Mgmt):
    token = signing.sign_rs256(claims(iss="https://evil.example/"))
    assert_invalid(mgmt.get("/resource-servers", token=token))


@pytest.mark.django_db
def test_a_tampered_payload_is_invalid(mgmt: Mgmt, tenant):
    weak = management_token(tenant, ["read:clients"], name="Weak")
    header, _, signature = weak.split(".")
    forged = f"{header}.{b64(claims())}.{signature}"
    assert_invalid(mgmt.get("/resource-servers", token=forged))
    assert mgmt.get("/resource-servers", token=weak).status_code == 403


@pytest.mark.django_db
def test_a_token_signed_by_a_revoked_key_is_invalid(mgmt: Mgmt, mgmt_token):
    old_kid = jwt.get_unverified_header(mgmt_token)["kid"]
    assert mgmt.post("/keys/signing/rotate").status_code == 201
    assert mgmt.get("/keys/signing").status_code == 200  # previous keys still verify
    assert mgmt.put(f"/keys/signing/{old_kid}/revoke").status_code == 200
    assert_invalid(mgmt.get("/keys/signing"))


# --- scopes, per endpoint -------------------------------------------------------------------

# Reading clients takes any one of these (AUTH0_COMPAT.md section 5); elsewhere every listed
# scope is needed.
CLIENT_READERS = ["read:clients", "read:client_keys", "read:client_summary"]

GRANTS_OF_A_USER = "/grants?user_id=auth0%7C0123456789abcdef01234567"

# Section 10 of AUTH0_COMPAT.md (and Auth0's tenant settings scopes), written out: method, path,
# the scopes it needs.
USER_BLOCKS_BY_IDENTIFIER = "/user-blocks?identifier=user%40example.com"
BRUTE_FORCE_SETTINGS = "/attack-protection/brute-force-protection"
ENDPOINTS = [
    ("GET", "/resource-servers", ["read:resource_servers"]),
    ("POST", "/resource-servers", ["create:resource_servers"]),
    ("GET", "/resource-servers/{rs}", ["read:resource_servers"]),
    ("PATCH", "/resource-servers/{rs}", ["update:resource_servers"]),
    ("DELETE", "/resource-servers/{rs}", ["delete:resource_servers"]),
    ("GET", "/clients", CLIENT_READERS),
    ("POST", "/clients", ["create:clients"]),
    ("GET", "/clients/{client}", CLIENT_READERS),
    ("PATCH", "/clients/{client}", ["update:clients"]),
    ("DELETE", "/clients/{client}", ["delete:clients"]),
    ("POST", "/clients/{client}/rotate-secret", ["update:client_keys"]),
    ("GET", "/client-grants", ["read:client_grants"]),
    ("POST", "/client-grants", ["create:client_grants"]),
    ("GET", "/client-grants/{grant}", ["read:client_grants"]),
    ("PATCH", "/client-grants/{grant}", ["update:client_grants"]),
    ("DELETE", "/client-grants/{grant}", ["delete:client_grants"]),
    ("GET", "/grants", ["read:grants"]),
    ("DELETE", GRANTS_OF_A_USER, ["delete:grants"]),
    ("DELETE", "/grants/0123456789abcdef01234567", ["delete:grants"]),
    ("GET", "/keys/signing", ["read:signing_keys"]),
    ("GET", "/keys/signing/{kid}", ["read:signing_keys"]),
    ("POST", "/keys/signing/rotate", ["create:signing_keys", "update:signing_keys"]),
    ("PUT", "/keys/signing/{previous_kid}/revoke", ["update:signing_keys"]),
    ("GET", "/tenants/settings", ["read:tenant_settings"]),
    ("PATCH", "/tenants/settings", ["update:tenant_settings"]),
    ("GET", "/users", ["read:users"]),
    ("POST", "/users", ["create:users"]),
    ("GET", "/users/{user}", ["read:users"]),
    ("PATCH", "/users/{user}", ["update:users"]),
    ("DELETE", "/users/{user}", ["delete:users"]),
    ("GET", "/users-by-email?email=user%40example.com", ["read:users"]),
    ("GET", "/users/{user}/refresh-tokens", ["read:refresh_tokens"]),
    ("DELETE", "/users/{user}/refresh-tokens", ["delete:refresh_tokens"]),
    ("GET", "/refresh-tokens/{family}", ["read:refresh_tokens"]),
    ("DELETE", "/refresh-tokens/{family}", ["delete:refresh_tokens"]),
    ("GET", "/users/{user}/sessions", ["read:sessions"]),
    ("DELETE", "/users/{user}/sessions", ["delete:sessions"]),
    ("GET", "/sessions/{session}", ["read:sessions"]),
    ("DELETE", "/sessions/{session}", ["delete:sessions"]),
    ("POST", "/sessions/{session}/revoke", ["delete:sessions", "delete:refresh_tokens"]),
    ("GET", "/logs", ["read:logs"]),
    ("GET", "/logs/{log}", ["read:logs"]),
    ("GET", USER_BLOCKS_BY_IDENTIFIER, ["read:users"]),
    ("DELETE", USER_BLOCKS_BY_IDENTIFIER, ["update:users"]),
    ("GET", "/user-blocks/{user}", ["read:users"]),
    ("DELETE", "/user-blocks/{user}", ["update:users"]),
    ("GET", BRUTE_FORCE_SETTINGS, ["read:attack_protection"]),
    ("PATCH", BRUTE_FORCE_SETTINGS, ["update:attack_protection"]),
]
# What each case takes away: one needed scope, or every alternative of an any-of endpoint.
CASES = [
    (method, path, tuple(scopes) if scopes == CLIENT_READERS else (scope,))
    for method, path, scopes in ENDPOINTS
    for scope in (scopes[:1] if scopes == CLIENT_READERS else scopes)
]


@pytest.fixture
def targets(granted_client, orders_api) -> dict[str, str]:
    previous = current_key().kid
    signing.rotate()
    user = directory.create_user(email="user@example.com", password="Target-1234")
    session, _ = sessions.start(user)
    now = timezone.now()
    family = RefreshTokenFamily.objects.create(
        user=user,
        application=granted_client.application,
        audience=orders_api.identifier,
        scopes=["offline_access"],
        session_id=session.pk,
        auth_time=now,
        generation=1,
        created_at=now,
    )
    return {
        "family": family.pk,
        "session": session.pk,
        "rs": orders_api.id,
        "client": granted_client.client_id,
        "grant": granted_client.application.grants.get().id,
        "kid": current_key().kid,
        "previous_kid": previous,
        "user": user.user_id.replace("|", "%7C"),
        "log": record("sapi", description="Create a client").log_id,
    }


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "removed"), CASES)
def test_every_scope_but_the_needed_one_is_forbidden(
    client, tenant, targets, method, path, removed
):
    token = management_token(tenant, [s for s in ALL_SCOPES if s not in removed])
    before = {k.kid: k.state for k in SigningKey.objects.all()}
    response = Mgmt(client, token).call(method, path.format(**targets))
    assert response.status_code == 403
    (needed,) = [scopes for m, p, scopes in ENDPOINTS if (m, p) == (method, path)]
    expected = (
        f"Insufficient scope, expected any of: {','.join(needed)}"
        if len(needed) == 1 or needed == CLIENT_READERS
        else f"Insufficient scope, expected all of: {', '.join(needed)}"
    )
    assert response.json() == {
        "statusCode": 403,
        "error": "Forbidden",
        "message": expected,
        "errorCode": "insufficient_scope",
    }
    assert response["WWW-Authenticate"] == (
        f'Bearer error="insufficient_scope", scope="{" ".join(needed)}"'
    )
    assert {k.kid: k.state for k in SigningKey.objects.all()} == before


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "scopes"), ENDPOINTS)
def test_the_needed_scopes_alone_are_enough(client, tenant, targets, method, path, scopes):
    token = management_token(tenant, scopes)
    body = {"name": "Scoped"} if (method, path) == ("POST", "/clients") else None
    response = Mgmt(client, token).call(method, path.format(**targets), body)
    assert response.status_code not in (401, 403), response.content


@pytest.mark.django_db
@pytest.mark.parametrize("scope", CLIENT_READERS)
@pytest.mark.parametrize("path", ["/clients", "/clients/{client}"])
def test_any_one_client_reading_scope_reads_clients_without_secrets(
    client, tenant, targets, path, scope
):
    response = Mgmt(client, management_token(tenant, [scope])).get(path.format(**targets))
    assert response.status_code == 200
    body = response.json()
    listed = body if isinstance(body, list) else [body]
    assert targets["client"] in [item["client_id"] for item in listed]
    assert all("client_secret" not in item for item in listed)


@pytest.mark.django_db
@pytest.mark.parametrize(("method", "path", "scopes"), ENDPOINTS)
def test_every_endpoint_refuses_an_anonymous_request(client, targets, method, path, scopes):
    before = {k.kid: k.state for k in SigningKey.objects.all()}
    response = Mgmt(client, None).call(method, path.format(**targets), {"name": "x"})
    assert response.status_code == 401
    assert response.json() == MISSING
    assert {k.kid: k.state for k in SigningKey.objects.all()} == before


def test_the_scope_table_above_is_every_route_of_the_urlconf():
    routed = set()
    for pattern in api_urls.urlpatterns:
        assert isinstance(pattern, URLPattern)
        for method, scopes in getattr(pattern.callback, "scopes_by_method", {}).items():
            routed.add((pattern.name, method, scopes.names, scopes.any_one))
    written = set()
    names = {
        "/resource-servers": "mgmt-resource-servers",
        "/resource-servers/{rs}": "mgmt-resource-server",
        "/clients": "mgmt-clients",
        "/clients/{client}": "mgmt-client",
        "/clients/{client}/rotate-secret": "mgmt-client-rotate-secret",
        "/client-grants": "mgmt-client-grants",
        "/client-grants/{grant}": "mgmt-client-grant",
        "/grants": "mgmt-grants",
        GRANTS_OF_A_USER: "mgmt-grants",
        "/grants/0123456789abcdef01234567": "mgmt-grant",
        "/keys/signing": "mgmt-signing-keys",
        "/keys/signing/{kid}": "mgmt-signing-key",
        "/keys/signing/rotate": "mgmt-signing-keys-rotate",
        "/keys/signing/{previous_kid}/revoke": "mgmt-signing-key-revoke",
        "/tenants/settings": "mgmt-tenant-settings",
        "/users": "mgmt-users",
        "/users/{user}": "mgmt-user",
        "/users-by-email?email=user%40example.com": "mgmt-users-by-email",
        "/users/{user}/refresh-tokens": "mgmt-user-refresh-tokens",
        "/refresh-tokens/{family}": "mgmt-refresh-token",
        "/users/{user}/sessions": "mgmt-user-sessions",
        "/sessions/{session}": "mgmt-session",
        "/sessions/{session}/revoke": "mgmt-session-revoke",
        "/logs": "mgmt-logs",
        "/logs/{log}": "mgmt-log",
        USER_BLOCKS_BY_IDENTIFIER: "mgmt-user-blocks",
        "/user-blocks/{user}": "mgmt-user-block",
        BRUTE_FORCE_SETTINGS: "mgmt-brute-force-protection",
    }
    for method, path, scopes in ENDPOINTS:
        written.add((names[path], method, tuple(scopes), scopes == CLIENT_READERS))
    assert routed == written


def test_deny_by_default_every_route_declares_scopes_or_is_one_of_two_public_views():
    public = []
    for pattern in api_urls.urlpatterns:
        callback = pattern.callback
        if getattr(callback, "public", False):
            public.append(pattern.name)
            continue
        scopes = callback.scopes_by_method
        assert scopes, pattern.name
        assert all(s.names and all(s.names) for s in scopes.values()), pattern.name
    assert public == ["mgmt-openapi", "mgmt-unknown"]


def test_a_route_cannot_be_built_without_scopes():
    with pytest.raises(TypeError):
        needs()
    with pytest.raises(TypeError):
        route()
    with pytest.raises(TypeError):
        route(GET=(lambda request: None, None))
    with pytest.raises(TypeError):
        route(GET=(lambda request: None, "read:clients"))


# --- unknown paths and wrong methods ----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    ["/", "/roles", "/clients/", "/resource-servers/", "/keys", "/clients/a/b/c", "/%0A"],
)
def test_unknown_paths_are_json_404s(mgmt: Mgmt, path):
    response = mgmt.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "statusCode": 404,
        "error": "Not Found",
        "message": "Not Found",
        "errorCode": "not_found",
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("method", "path", "allow"),
    [
        ("PUT", "/resource-servers", "GET, HEAD, POST"),
        ("POST", "/resource-servers/x", "DELETE, GET, HEAD, PATCH"),
        ("DELETE", "/clients", "GET, HEAD, POST"),
        ("GET", "/clients/abc/rotate-secret", "POST"),
        ("HEAD", "/clients/abc/rotate-secret", "POST"),
        ("POST", "/keys/signing", "GET, HEAD"),
        ("GET", "/keys/signing/rotate", "POST"),
        ("POST", "/keys/signing/abc/revoke", "PUT"),
        ("POST", "/openapi.json", "GET, HEAD"),
        # No CORS for the Management API (README): a browser's preflight fails closed.
        ("OPTIONS", "/resource-servers", "GET, HEAD, POST"),
        ("OPTIONS", "/openapi.json", "GET, HEAD"),
    ],
)
def test_wrong_methods_are_json_405s_even_without_a_token(mgmt: Mgmt, method, path, allow):
    response = mgmt.call(method, path, token=None)
    assert response.status_code == 405
    assert response["Allow"] == allow
    assert response["Content-Type"] == "application/json"
    if method == "HEAD":
        assert response.content == b""
        return
    assert response.json() == {
        "statusCode": 405,
        "error": "Method Not Allowed",
        "message": "Method Not Allowed",
        "errorCode": "method_not_allowed",
    }


GET_ENDPOINTS = [(path, scopes) for method, path, scopes in ENDPOINTS if method == "GET"]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "scopes"), GET_ENDPOINTS)
def test_every_get_endpoint_answers_head_with_the_get_headers_and_no_body(
    client, tenant, targets, path, scopes
):
    # RFC 9110 section 9.3.2: the same header fields as GET, no content.
    mgmt = Mgmt(client, management_token(tenant, scopes))
    got = mgmt.get(path.format(**targets))
    head = mgmt.call("HEAD", path.format(**targets))

    assert got.status_code == 200
    assert head.status_code == 200
    assert head.content == b""
    # Each request counts against the token's rate limit (the HEAD has one fewer left, or a
    # new window began in between): those two may differ, the rest may not.
    left = int(got["X-RateLimit-Remaining"]) - int(head["X-RateLimit-Remaining"])
    assert left == 1 or int(head["X-RateLimit-Reset"]) > int(got["X-RateLimit-Reset"])
    for counted in ("X-RateLimit-Remaining", "X-RateLimit-Reset"):
        del got.headers[counted], head.headers[counted]
    assert dict(head.headers) == dict(got.headers)


@pytest.mark.django_db
def test_head_needs_the_get_scopes(client, tenant, targets):
    response = Mgmt(client, management_token(tenant, ["read:clients"])).call(
        "HEAD", "/keys/signing"
    )

    assert response.status_code == 403
    assert response.content == b""


@pytest.mark.django_db
def test_the_openapi_document_answers_head(client):
    got = client.get("/api/v2/openapi.json")
    head = client.head("/api/v2/openapi.json")

    assert head.status_code == 200
    assert head.content == b""
    assert dict(head.headers) == dict(got.headers)


@pytest.mark.django_db
def test_the_openapi_document_is_public(client):
    response = client.get("/api/v2/openapi.json")
    assert response.status_code == 200
    assert response.json()["openapi"] == "3.0.3"
    assert response.json()["servers"] == [{"url": "http://127.0.0.1:8000/api/v2"}]
    assert settings.MANAGEMENT_API_IDENTIFIER == "http://127.0.0.1:8000/api/v2/"
