"""The provider metadata at /.well-known/openid-configuration and
/.well-known/oauth-authorization-server: exact members, the types OpenID Connect Discovery
1.0 section 3 and RFC 8414 section 2 give them, every REQUIRED member, Authlib's strict
validators, and that each statement is true of what the server does.

No Nimbus (oauth2-oidc-sdk) package exists in Debian (checked with `apt-cache search`), so
the Java parser is not run here; the spec's member types are checked exactly instead, and
Authlib's `OpenIDProviderMetadata.validate()` (an independent parser) runs on the document.
"""

import pytest
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata
from authlib.oidc.discovery import OpenIDProviderMetadata
from django.urls import Resolver404, resolve

from applications import id_tokens, pkce
from applications.authorize import OFFLINE_ACCESS
from applications.models import IdTokenAlg, TokenEndpointAuthMethod
from applications.userinfo import OIDC_SCOPES, profile_claims
from keys.endpoints import CLAIMS_SUPPORTED
from users.models import User

PATHS = ["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"]
BASE = "http://127.0.0.1:8000"

EXPECTED = {
    "issuer": f"{BASE}/",
    "authorization_endpoint": f"{BASE}/authorize",
    "token_endpoint": f"{BASE}/oauth/token",
    "userinfo_endpoint": f"{BASE}/userinfo",
    "jwks_uri": f"{BASE}/.well-known/jwks.json",
    "end_session_endpoint": f"{BASE}/oidc/logout",
    "revocation_endpoint": f"{BASE}/oauth/revoke",
    "revocation_endpoint_auth_methods_supported": [
        "client_secret_basic",
        "client_secret_post",
        "none",
    ],
    "scopes_supported": ["openid", "profile", "email", "offline_access"],
    "response_types_supported": ["code"],
    "response_modes_supported": ["query", "form_post"],
    "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token"],
    "subject_types_supported": ["public"],
    "id_token_signing_alg_values_supported": ["RS256", "HS256"],
    "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
    "claims_supported": [
        "aud",
        "auth_time",
        "email",
        "email_verified",
        "exp",
        "family_name",
        "given_name",
        "iat",
        "iss",
        "name",
        "nickname",
        "nonce",
        "picture",
        "sid",
        "sub",
        "updated_at",
    ],
    "code_challenge_methods_supported": ["S256", "plain"],
    "request_parameter_supported": False,
    "request_uri_parameter_supported": False,
    "claims_parameter_supported": False,
    # RFC 8707's resource parameter is accepted as the audience (issue 9). No registered
    # metadata says so; RFC 8414 section 2 allows members of our own.
    "resource_indicators_supported": True,
}

# OpenID Connect Discovery 1.0 section 3 (and RFC 8414 section 2): each member's JSON type.
URL_MEMBERS = {
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "userinfo_endpoint",
    "jwks_uri",
    "end_session_endpoint",  # OpenID Connect RP-Initiated Logout 1.0 section 2.1
    "revocation_endpoint",  # RFC 8414 section 2 (RFC 7009)
}
ARRAY_MEMBERS = {
    "scopes_supported",
    "response_types_supported",
    "response_modes_supported",
    "grant_types_supported",
    "revocation_endpoint_auth_methods_supported",
    "subject_types_supported",
    "id_token_signing_alg_values_supported",
    "token_endpoint_auth_methods_supported",
    "claims_supported",
    "code_challenge_methods_supported",  # RFC 8414 section 2
}
BOOLEAN_MEMBERS = {
    "request_parameter_supported",
    "request_uri_parameter_supported",
    "claims_parameter_supported",
    "resource_indicators_supported",
}
# Discovery section 3: REQUIRED (token_endpoint "unless only the Implicit Flow is used").
REQUIRED = {
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "jwks_uri",
    "response_types_supported",
    "subject_types_supported",
    "id_token_signing_alg_values_supported",
}


@pytest.mark.parametrize("path", PATHS)
def test_exact_document(client, tenant, path):
    response = client.get(path)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json() == EXPECTED


def test_both_paths_serve_the_same_document(client, tenant):
    first, second = (client.get(path).content for path in PATHS)

    assert first == second


@pytest.mark.parametrize("path", PATHS)
def test_member_types_and_required_members(client, tenant, path):
    document = client.get(path).json()

    assert REQUIRED <= set(document)
    assert set(document) == URL_MEMBERS | ARRAY_MEMBERS | BOOLEAN_MEMBERS
    for name in URL_MEMBERS:
        value = document[name]
        assert isinstance(value, str) and value.startswith(("https://", "http://")), name
        assert "#" not in value and "?" not in value, name
    for name in ARRAY_MEMBERS:
        value = document[name]
        assert isinstance(value, list) and value, name
        assert all(isinstance(item, str) and item for item in value), name
        assert len(set(value)) == len(value), name
    for name in BOOLEAN_MEMBERS:
        assert isinstance(document[name], bool), name
    # Discovery section 3: RS256 MUST be listed; scopes_supported MUST list openid.
    assert "RS256" in document["id_token_signing_alg_values_supported"]
    assert "openid" in document["scopes_supported"]
    # RFC 8414 section 2: the issuer has no query or fragment; section 3.3: it is the one
    # the tokens carry.
    assert document["issuer"] == EXPECTED["issuer"]


@pytest.mark.parametrize("path", PATHS)
def test_authlib_strict_validators_accept_it(client, tenant, settings, path):
    # Authlib insists on https (RFC 8414 section 2), so the tenant gets an https URL here.
    base = "https://tenant.example"
    settings.ISSUER = f"{base}/"
    settings.AUTHORIZATION_ENDPOINT = f"{base}/authorize"
    settings.TOKEN_ENDPOINT = f"{base}/oauth/token"
    settings.USERINFO_ENDPOINT = f"{base}/userinfo"
    settings.JWKS_URI = f"{base}/.well-known/jwks.json"
    settings.END_SESSION_ENDPOINT = f"{base}/oidc/logout"
    document = client.get(path).json()

    OpenIDProviderMetadata(document).validate()
    AuthorizationServerMetadata(document).validate()


def test_every_listed_endpoint_is_routed(client, tenant):
    document = client.get(PATHS[0]).json()
    for name in URL_MEMBERS - {"issuer"}:
        path = document[name].removeprefix(BASE)
        try:
            resolve(path)
        except Resolver404:
            pytest.fail(f"{name} {path} is advertised but not routed")


def test_capabilities_match_the_code(client, tenant):
    document = client.get(PATHS[0]).json()

    assert document["code_challenge_methods_supported"] == list(pkce.METHODS)
    assert set(document["id_token_signing_alg_values_supported"]) == set(IdTokenAlg.values)
    assert set(document["token_endpoint_auth_methods_supported"]) == set(
        TokenEndpointAuthMethod.values
    )
    assert document["scopes_supported"] == [*OIDC_SCOPES, OFFLINE_ACCESS]
    assert set(document["revocation_endpoint_auth_methods_supported"]) == set(
        TokenEndpointAuthMethod.values
    )
    assert "refresh_token" in document["grant_types_supported"]


def test_claims_supported_lists_every_claim_emitted(web_app_claims):
    assert web_app_claims <= set(CLAIMS_SUPPORTED)


@pytest.fixture
def web_app_claims(db, tenant) -> set[str]:
    """Every claim an ID token or /userinfo response can hold, from the code that makes them."""
    from django.utils import timezone

    from applications import clients

    application, _ = clients.create_application(name="Claims", app_type="regular_web")
    user = User.objects.create(
        email="c@example.com",
        name="C",
        nickname="c",
        given_name="C",
        family_name="D",
        picture="https://cdn.example/c.png",
        password="!",
    )
    claims = id_tokens.claims(
        application=application,
        user=user,
        scopes=OIDC_SCOPES,
        issued_at=1,
        session_id="sid",
        nonce="nonce",
        auth_time=timezone.now(),
    )
    return set(claims) | set(profile_claims(user, OIDC_SCOPES)) | {"sub"}
