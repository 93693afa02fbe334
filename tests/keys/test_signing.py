"""keys/signing.py: the key lifecycle (current, next, previous, revoked), what the JWKS
publishes at each step, and what `verify` refuses."""

import base64
import datetime as dt
import hashlib
import hmac
import json

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.db import IntegrityError, transaction
from django.utils import timezone

from applications import oauth
from keys import signing
from keys.models import KeyState, SigningKey

ISSUER = "http://127.0.0.1:8000/"
AUDIENCE = "https://orders.example/api"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def segment(document: dict) -> str:
    return b64url(json.dumps(document, separators=(",", ":")).encode())


def claims(**overrides) -> dict:
    now = int(timezone.now().timestamp())
    body = {"iss": ISSUER, "aud": AUDIENCE, "sub": "x@clients", "iat": now, "exp": now + 600}
    body.update(overrides)
    return body


def published_kids(client) -> list[str]:
    return [key["kid"] for key in client.get("/.well-known/jwks.json").json()["keys"]]


def kid_in_state(state: str) -> str:
    return SigningKey.objects.get(state=state).kid


# --- lifecycle -----------------------------------------------------------------------------


@pytest.mark.real_key_generation
def test_setup_creates_one_current_and_one_next_key(tenant, client):
    assert sorted(SigningKey.objects.values_list("state", flat=True)) == ["current", "next"]
    assert published_kids(client) == [kid_in_state("current"), kid_in_state("next")]


def test_ensure_keys_is_idempotent(tenant):
    before = set(SigningKey.objects.values_list("kid", flat=True))

    assert signing.ensure_keys() == []
    assert set(SigningKey.objects.values_list("kid", flat=True)) == before


@pytest.mark.real_key_generation
def test_rotation_promotes_next_and_publishes_a_new_next(tenant, client):
    first, upcoming = kid_in_state("current"), kid_in_state("next")

    promoted = signing.rotate()

    assert promoted.kid == upcoming
    new_next = kid_in_state("next")
    assert new_next not in (first, upcoming)
    assert SigningKey.objects.get(kid=first).state == KeyState.PREVIOUS
    # Auth0's order: current, next, then previous.
    assert published_kids(client) == [upcoming, new_next, first]
    retired = SigningKey.objects.get(kid=first)
    assert retired.current_until is not None
    assert SigningKey.objects.get(kid=upcoming).current_since is not None


def test_previous_keys_are_published_newest_first(tenant, client):
    oldest = kid_in_state("current")
    signing.rotate(now=timezone.now() - dt.timedelta(hours=2))
    middle = kid_in_state("current")
    signing.rotate(now=timezone.now() - dt.timedelta(hours=1))

    kids = published_kids(client)

    assert kids == [kid_in_state("current"), kid_in_state("next"), middle, oldest]


def test_next_token_after_rotation_carries_the_new_kid(post_token, granted_client):
    params = {
        "grant_type": "client_credentials",
        "client_id": granted_client.client_id,
        "client_secret": granted_client.secret,
        "audience": AUDIENCE,
    }
    before = jwt.get_unverified_header(post_token(params).json()["access_token"])["kid"]

    promoted = signing.rotate()
    after = jwt.get_unverified_header(post_token(params).json()["access_token"])["kid"]

    assert before != promoted.kid
    assert after == promoted.kid
    assert signing.current_kid() == promoted.kid


def test_token_signed_before_rotation_verifies_until_its_key_is_revoked(granted_client, client):
    token = oauth.issue_token(granted_client.client_id, AUDIENCE).access_token
    kid = jwt.get_unverified_header(token)["kid"]
    assert signing.verify(token, audience=AUDIENCE)["azp"] == granted_client.client_id

    signing.rotate()

    assert signing.verify(token, audience=AUDIENCE)["azp"] == granted_client.client_id
    (jwk,) = [k for k in client.get("/.well-known/jwks.json").json()["keys"] if k["kid"] == kid]
    jwt.decode(token, jwt.PyJWK(jwk).key, algorithms=["RS256"], audience=AUDIENCE, issuer=ISSUER)

    revoked = signing.revoke(kid)

    assert revoked.state == KeyState.REVOKED
    assert revoked.revoked_at is not None
    assert kid not in published_kids(client)
    with pytest.raises(signing.InvalidToken):
        signing.verify(token, audience=AUDIENCE)


def test_current_key_cannot_be_revoked(tenant, client):
    kid = kid_in_state("current")

    with pytest.raises(signing.KeyStateError):
        signing.revoke(kid)

    assert SigningKey.objects.get(kid=kid).state == KeyState.CURRENT
    assert kid in published_kids(client)


def test_revoked_key_cannot_be_revoked_again(tenant):
    old = kid_in_state("current")
    signing.rotate()
    signing.revoke(old)

    with pytest.raises(signing.KeyStateError):
        signing.revoke(old)


def test_unknown_kid_cannot_be_revoked(tenant):
    with pytest.raises(SigningKey.DoesNotExist):
        signing.revoke("no-such-kid")


@pytest.mark.real_key_generation
def test_revoking_the_next_key_publishes_a_new_next(tenant, client):
    current, upcoming = kid_in_state("current"), kid_in_state("next")

    signing.revoke(upcoming)

    replacement = kid_in_state("next")
    assert replacement not in (current, upcoming)
    assert published_kids(client) == [current, replacement]
    # The rotation that follows promotes the replacement, never the revoked key.
    assert signing.rotate().kid == replacement


def test_revoked_key_never_returns(tenant, client):
    old = kid_in_state("current")
    signing.rotate()
    signing.revoke(old)

    signing.rotate()
    signing.rotate()

    assert SigningKey.objects.get(kid=old).state == KeyState.REVOKED
    assert old not in published_kids(client)


def test_keys_are_never_hard_deleted(tenant):
    old = kid_in_state("current")
    signing.rotate()
    signing.revoke(old)

    assert SigningKey.objects.count() == 3


def test_database_refuses_a_second_current_key(tenant):
    upcoming = SigningKey.objects.get(state=KeyState.NEXT)
    upcoming.state = KeyState.CURRENT

    with pytest.raises(IntegrityError), transaction.atomic():
        upcoming.save(update_fields=["state"])


def test_database_refuses_a_second_next_key(tenant):
    signing.rotate()
    previous = SigningKey.objects.get(state=KeyState.PREVIOUS)
    previous.state = KeyState.NEXT

    with pytest.raises(IntegrityError), transaction.atomic():
        previous.save(update_fields=["state"])


def test_sign_without_keys_says_how_to_fix_it(db):
    with pytest.raises(signing.NoSigningKey, match="bootstrap"):
        signing.sign_rs256(claims())


# --- verify ---------------------------------------------------------------------------------


@pytest.fixture
def current_kid(tenant) -> str:
    return kid_in_state("current")


def test_verify_accepts_a_token_it_signed(current_kid):
    token = signing.sign_rs256(claims())

    assert signing.verify(token, audience=AUDIENCE)["sub"] == "x@clients"
    assert jwt.get_unverified_header(token) == {"alg": "RS256", "typ": "JWT", "kid": current_kid}


def test_verify_rejects_alg_none(current_kid):
    header = segment({"alg": "none", "typ": "JWT", "kid": current_kid})
    token = f"{header}.{segment(claims())}."

    with pytest.raises(signing.InvalidToken):
        signing.verify(token, audience=AUDIENCE)


def test_verify_rejects_hs256_signed_with_the_tenant_public_key(current_kid, client):
    # The classic key-confusion attack: HMAC keyed with the published public key.
    jwk = client.get("/.well-known/jwks.json").json()["keys"][0]
    certificate = x509.load_der_x509_certificate(base64.b64decode(jwk["x5c"][0]))
    public_pem = certificate.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signing_input = f"{segment({'alg': 'HS256', 'typ': 'JWT', 'kid': current_kid})}."
    signing_input += segment(claims())
    mac = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    token = f"{signing_input}.{b64url(mac)}"

    with pytest.raises(signing.InvalidToken):
        signing.verify(token, audience=AUDIENCE)


def test_verify_rejects_an_unknown_kid(tenant):
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(claims(), stranger, algorithm="RS256", headers={"kid": "unknown"})

    with pytest.raises(signing.InvalidToken):
        signing.verify(token, audience=AUDIENCE)


def test_verify_rejects_a_known_kid_signed_by_another_key(current_kid):
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    token = jwt.encode(claims(), stranger, algorithm="RS256", headers={"kid": current_kid})

    with pytest.raises(signing.InvalidToken):
        signing.verify(token, audience=AUDIENCE)


def test_verify_rejects_a_missing_kid(tenant):
    token = signing.sign_rs256(claims())
    header, payload, signature = token.split(".")
    token = f"{segment({'alg': 'RS256', 'typ': 'JWT'})}.{payload}.{signature}"

    with pytest.raises(signing.InvalidToken):
        signing.verify(token, audience=AUDIENCE)


def test_verify_checks_expiry_against_the_given_time(current_kid):
    now = timezone.now()
    token = signing.sign_rs256(claims(exp=int(now.timestamp()) + 60))

    assert signing.verify(token, audience=AUDIENCE, now=now)
    with pytest.raises(signing.InvalidToken, match="expired"):
        signing.verify(token, audience=AUDIENCE, now=now + dt.timedelta(seconds=60))


def test_verify_rejects_an_expired_token(current_kid):
    token = signing.sign_rs256(claims(exp=int(timezone.now().timestamp()) - 1))

    with pytest.raises(signing.InvalidToken):
        signing.verify(token, audience=AUDIENCE)


@pytest.mark.parametrize("missing", ["iss", "aud", "exp", "iat"])
def test_verify_requires_the_registered_claims(current_kid, missing):
    body = claims()
    del body[missing]
    token = signing.sign_rs256(body)

    with pytest.raises(signing.InvalidToken):
        signing.verify(token, audience=AUDIENCE)


def test_verify_rejects_a_non_numeric_exp(current_kid):
    token = signing.sign_rs256(claims(exp="tomorrow"))

    with pytest.raises(signing.InvalidToken):
        signing.verify(token, audience=AUDIENCE)


def test_verify_rejects_the_wrong_audience(current_kid):
    token = signing.sign_rs256(claims())

    with pytest.raises(signing.InvalidToken):
        signing.verify(token, audience=AUDIENCE + "/")


def test_verify_rejects_the_wrong_issuer(current_kid):
    token = signing.sign_rs256(claims(iss="https://evil.example/"))

    with pytest.raises(signing.InvalidToken):
        signing.verify(token, audience=AUDIENCE)


def test_verify_rejects_a_tampered_payload(current_kid):
    header, _, signature = signing.sign_rs256(claims(sub="x@clients")).split(".")
    forged = f"{header}.{segment(claims(sub='admin@clients'))}.{signature}"

    with pytest.raises(signing.InvalidToken):
        signing.verify(forged, audience=AUDIENCE)


@pytest.mark.parametrize("token", ["", "a.b", "a.b.c.d", "not-a-token", "@@.@@.@@", 42, None])
def test_verify_rejects_garbage(tenant, token):
    with pytest.raises(signing.InvalidToken):
        signing.verify(token, audience=AUDIENCE)


def test_verify_hs256_only_with_the_api_secret(hs256_api):
    encrypted = hs256_api.api.encrypted_signing_secret
    token = signing.sign_hs256(claims(aud="https://ledger.example/"), encrypted)

    assert signing.verify(
        token, audience="https://ledger.example/", hs256_encrypted_secret=encrypted
    )
    # Without the secret the algorithm is pinned to RS256, so the HS256 token is refused.
    with pytest.raises(signing.InvalidToken):
        signing.verify(token, audience="https://ledger.example/")
    # And an RS256 token is refused where HS256 is expected.
    rs256 = signing.sign_rs256(claims(aud="https://ledger.example/"))
    with pytest.raises(signing.InvalidToken):
        signing.verify(rs256, audience="https://ledger.example/", hs256_encrypted_secret=encrypted)


def test_hs256_token_verifies_with_pyjwt_and_the_plain_secret(hs256_api):
    token = signing.sign_hs256(claims(), hs256_api.api.encrypted_signing_secret)

    decoded = jwt.decode(
        token, hs256_api.secret, algorithms=["HS256"], audience=AUDIENCE, issuer=ISSUER
    )

    assert decoded["sub"] == "x@clients"
