"""GET /.well-known/jwks.json and /.well-known/openid-configuration: exact members, cache
headers, conditional requests, and no private material."""

import base64
import hashlib

import pytest
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from keys import signing
from keys.models import KeyState, SigningKey

PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi", "oth", "k"}


def b64url_uint(value: int) -> str:
    raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.mark.real_key_generation
def test_jwks_members_in_auth0_order(client, tenant):
    response = client.get("/.well-known/jwks.json")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    keys = response.json()["keys"]
    assert list(response.json()) == ["keys"]
    assert len(keys) == 2
    for key in keys:
        assert list(key) == ["kty", "use", "n", "e", "kid", "x5t", "x5c", "alg"]
        assert (key["kty"], key["use"], key["e"], key["alg"]) == ("RSA", "sig", "AQAB", "RS256")
        assert not PRIVATE_MEMBERS & set(key)


@pytest.mark.real_key_generation
def test_jwk_matches_its_certificate(client, tenant):
    key = client.get("/.well-known/jwks.json").json()["keys"][0]
    der = base64.b64decode(key["x5c"][0])
    certificate = x509.load_der_x509_certificate(der)
    public = certificate.public_key()

    assert isinstance(public, rsa.RSAPublicKey)
    assert public.key_size == 2048
    assert key["n"] == b64url_uint(public.public_numbers().n)
    sha1 = hashlib.sha1(der).digest()
    assert key["x5t"] == base64.urlsafe_b64encode(sha1).rstrip(b"=").decode()
    common_name = certificate.subject.rfc4514_string()
    assert common_name == "CN=127.0.0.1"
    assert certificate.issuer == certificate.subject
    stored = SigningKey.objects.get(kid=key["kid"])
    assert stored.thumbprint == sha1.hex().upper()
    assert stored.fingerprint == ":".join(f"{b:02X}" for b in sha1)


@pytest.mark.real_key_generation
def test_kid_is_the_rfc7638_thumbprint(client, tenant):
    key = client.get("/.well-known/jwks.json").json()["keys"][0]
    canonical = '{"e":"%s","kty":"RSA","n":"%s"}' % (key["e"], key["n"])  # noqa: UP031
    digest = hashlib.sha256(canonical.encode()).digest()

    assert key["kid"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_jwks_cache_headers(client, tenant):
    response = client.get("/.well-known/jwks.json")

    assert response["Cache-Control"] == "public, max-age=300"
    assert response["Access-Control-Allow-Origin"] == "*"
    etag = response["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) > 2


def test_jwks_not_modified_for_a_matching_etag(client, tenant):
    etag = client.get("/.well-known/jwks.json")["ETag"]

    response = client.get("/.well-known/jwks.json", headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert response["Cache-Control"] == "public, max-age=300"
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("header", ['"stale", W/{etag}', "*"], ids=["weak-in-a-list", "star"])
def test_jwks_not_modified_for_a_weak_listed_or_star_etag(client, tenant, header):
    etag = client.get("/.well-known/jwks.json")["ETag"]

    response = client.get(
        "/.well-known/jwks.json", headers={"If-None-Match": header.format(etag=etag)}
    )

    assert response.status_code == 304
    assert response["ETag"] == etag


def test_jwks_etag_changes_with_rotation(client, tenant):
    etag = client.get("/.well-known/jwks.json")["ETag"]

    signing.rotate()
    response = client.get("/.well-known/jwks.json", headers={"If-None-Match": etag})

    assert response.status_code == 200
    assert response["ETag"] != etag
    assert len(response.json()["keys"]) == 3


def test_jwks_with_a_stale_etag_is_a_full_response(client, tenant):
    response = client.get("/.well-known/jwks.json", headers={"If-None-Match": '"stale"'})

    assert response.status_code == 200
    assert len(response.json()["keys"]) == 2


def test_jwks_omits_revoked_keys(client, tenant):
    old = SigningKey.objects.get(state=KeyState.CURRENT).kid
    signing.rotate()
    signing.revoke(old)

    kids = [key["kid"] for key in client.get("/.well-known/jwks.json").json()["keys"]]

    assert old not in kids
    assert kids == [
        SigningKey.objects.get(state=KeyState.CURRENT).kid,
        SigningKey.objects.get(state=KeyState.NEXT).kid,
    ]


def test_jwks_of_an_empty_tenant(client, db):
    response = client.get("/.well-known/jwks.json")

    assert response.status_code == 200
    assert response.json() == {"keys": []}


WELL_KNOWN = [
    "/.well-known/jwks.json",
    "/.well-known/openid-configuration",
    "/.well-known/oauth-authorization-server",
]


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
@pytest.mark.parametrize("path", WELL_KNOWN)
def test_well_known_documents_refuse_other_methods_with_a_json_405(client, tenant, path, method):
    # RFC 9110 section 15.5.6: a 405 lists the allowed methods. A PUT was Django's HTML CSRF
    # page before: these documents use no cookies, so there is nothing to protect.
    response = client.generic(method, path)

    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response["Content-Type"] == "application/json"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json() == {
        "error": "method_not_allowed",
        "error_description": f"{method} is not allowed; use GET.",
    }


@pytest.mark.parametrize("path", WELL_KNOWN)
def test_well_known_documents_answer_head_with_the_get_headers_and_no_body(client, tenant, path):
    got = client.get(path)
    head = client.head(path)

    assert head.status_code == 200
    assert head.content == b""
    assert dict(head.headers) == dict(got.headers)
    assert head["Content-Length"] == str(len(got.content))


def test_jwks_head_is_conditional_too(client, tenant):
    etag = client.get("/.well-known/jwks.json")["ETag"]

    response = client.head("/.well-known/jwks.json", headers={"If-None-Match": etag})

    assert response.status_code == 304
    assert response["ETag"] == etag


@pytest.mark.parametrize("path", WELL_KNOWN)
@pytest.mark.parametrize("method", ["GET", "HEAD", "DELETE"])
def test_well_known_documents_answer_a_cors_preflight(client, tenant, path, method):
    # Fetch standard, CORS-preflight fetch: an OPTIONS with Origin and
    # Access-Control-Request-Method gets an ok status and the allowed methods. A method that
    # is not allowed still gets the answer; the browser then refuses the request.
    response = client.options(
        path,
        headers={
            "Origin": "https://spa.example",
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "if-none-match",
        },
    )

    assert response.status_code == 204
    assert response.content == b""
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Access-Control-Allow-Methods"] == "GET, HEAD"
    assert response["Access-Control-Allow-Headers"] == "*"
    assert response["Access-Control-Max-Age"] == "86400"
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert "Content-Type" not in response


@pytest.mark.parametrize("path", WELL_KNOWN)
def test_well_known_documents_answer_a_plain_options(client, tenant, path):
    # RFC 9110 section 9.3.7: OPTIONS without CORS headers just lists the methods.
    response = client.options(path)

    assert response.status_code == 204
    assert response["Allow"] == "GET, HEAD, OPTIONS"
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("path", WELL_KNOWN)
def test_well_known_documents_allow_any_origin_on_get(client, tenant, path):
    response = client.get(path, headers={"Origin": "https://spa.example"})

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("path", WELL_KNOWN)
def test_well_known_documents_are_public(client, tenant, path):
    # Anonymous, no session: these are the tenant's public protocol documents.
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("header", ['W/"{etag}"', '"other", "{etag}"', "*"])
def test_jwks_not_modified_for_weak_listed_and_wildcard_etags(client, tenant, header):
    etag = client.get("/.well-known/jwks.json")["ETag"].strip('"')
    response = client.get("/.well-known/jwks.json", HTTP_IF_NONE_MATCH=header.format(etag=etag))

    assert response.status_code == 304
    assert response.content == b""
