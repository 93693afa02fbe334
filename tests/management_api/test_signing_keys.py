"""/api/v2/keys/signing: list, get, rotate, revoke (AUTH0_COMPAT.md section 7)."""

import pytest

from keys.models import KeyState, SigningKey
from tests.management_api.conftest import ALL_SCOPES, Mgmt, management_token

pytestmark = pytest.mark.django_db

NOT_FOUND = {
    "statusCode": 404,
    "error": "Not Found",
    "message": "Signing key not found",
    "errorCode": "inexistent_signing_key",
}


def key(state: str) -> SigningKey:
    return SigningKey.objects.get(state=state)


def jwks_kids(client) -> list[str]:
    return [k["kid"] for k in client.get("/.well-known/jwks.json").json()["keys"]]


def test_list_is_a_bare_array_current_then_next(mgmt: Mgmt):
    response = mgmt.get("/keys/signing")
    assert response.status_code == 200
    current, upcoming = response.json()
    assert current == key(KeyState.CURRENT).to_dict()
    assert (current["current"], current["next"], current["previous"], current["revoked"]) == (
        True,
        False,
        False,
        False,
    )
    assert current["cert"].startswith("-----BEGIN CERTIFICATE-----\r\n")
    assert current["pkcs7"].startswith("-----BEGIN PKCS7-----\r\n")
    assert current["revoked_at"] is None
    assert upcoming == key(KeyState.NEXT).to_dict()
    assert upcoming["next"] is True


def test_get_by_kid_and_404(mgmt: Mgmt):
    current = key(KeyState.CURRENT)
    assert mgmt.get(f"/keys/signing/{current.kid}").json() == current.to_dict()
    response = mgmt.get("/keys/signing/" + "A" * 43)
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


def test_rotate_is_201_with_the_former_next_key_and_a_bodyless_post_works(mgmt: Mgmt, client):
    old_current, old_next = key(KeyState.CURRENT), key(KeyState.NEXT)
    response = mgmt.call("POST", "/keys/signing/rotate", content_type="")
    assert response.status_code == 201
    assert response.json() == {"cert": old_next.cert_pem, "kid": old_next.kid}
    assert key(KeyState.CURRENT).kid == old_next.kid
    assert key(KeyState.PREVIOUS).kid == old_current.kid
    new_next = key(KeyState.NEXT)
    assert jwks_kids(client) == [old_next.kid, new_next.kid, old_current.kid]
    listed = mgmt.get("/keys/signing").json()
    assert [k["kid"] for k in listed] == [old_next.kid, new_next.kid, old_current.kid]
    assert listed[2]["previous"] is True
    assert listed[2]["current_until"] is not None


def test_revoke_a_previous_key(mgmt: Mgmt, client, tenant):
    old = key(KeyState.CURRENT)
    mgmt.post("/keys/signing/rotate")
    response = mgmt.call("PUT", f"/keys/signing/{old.kid}/revoke", content_type="")
    assert response.status_code == 200
    assert response.json() == {"cert": old.cert_pem, "kid": old.kid}
    assert old.kid not in jwks_kids(client)
    # The token in use was signed by the revoked key (tests/management_api/test_auth.py proves it is
    # refused now); Auth0's own SDK tests re-authenticate here too.
    mgmt.token = management_token(tenant, ALL_SCOPES, name="After revocation")
    revoked = mgmt.get(f"/keys/signing/{old.kid}").json()
    assert (revoked["revoked"], revoked["previous"]) == (True, False)
    assert revoked["revoked_at"] is not None
    assert mgmt.get("/keys/signing").json()[-1]["kid"] == old.kid  # revoked keys listed last


def keys_table() -> list[dict]:
    """Every stored column of every key, to prove a refusal wrote nothing."""
    return list(SigningKey.objects.order_by("pk").values())


REFUSALS = {
    KeyState.CURRENT: "The current signing key cannot be revoked; rotate first.",
    KeyState.NEXT: "The next signing key cannot be revoked; only a previous key can be revoked.",
    KeyState.REVOKED: "The signing key is already revoked.",
}


@pytest.mark.parametrize("state", [KeyState.CURRENT, KeyState.NEXT, KeyState.REVOKED])
def test_revoking_anything_but_a_previous_key_is_400_and_writes_nothing(
    mgmt: Mgmt, client, tenant, state
):
    if state == KeyState.REVOKED:
        old = key(KeyState.CURRENT)
        mgmt.post("/keys/signing/rotate")
        assert mgmt.put(f"/keys/signing/{old.kid}/revoke").status_code == 200
        mgmt.token = management_token(tenant, ALL_SCOPES, name="After revocation")
    target = key(state)
    before, published = keys_table(), jwks_kids(client)
    response = mgmt.call("PUT", f"/keys/signing/{target.kid}/revoke", content_type="")
    assert response.status_code == 400
    assert response.json() == {
        "statusCode": 400,
        "error": "Bad Request",
        "message": REFUSALS[state],
        "errorCode": "invalid_signing_key_state",
    }
    assert keys_table() == before
    assert jwks_kids(client) == published


# Auth0's kids are 21 characters (AUTH0_COMPAT.md section 3), ours 43: an id in either format,
# or any other storable string of up to 64 characters, is looked up and may simply not exist.
AUTH0_KID = "tMQzailSAdaW4nojXxES9"
MISSING_KIDS = [AUTH0_KID, "A" * 43, "short", "-starts-with-a-dash", "x" * 64, "a.b~c%20d"]


@pytest.mark.parametrize("kid", MISSING_KIDS)
def test_get_a_well_formed_missing_kid_is_404(mgmt: Mgmt, kid):
    response = mgmt.get(f"/keys/signing/{kid}")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND


@pytest.mark.parametrize("kid", MISSING_KIDS)
def test_revoke_a_well_formed_missing_kid_is_404_and_writes_nothing(mgmt: Mgmt, kid):
    before = keys_table()
    response = mgmt.call("PUT", f"/keys/signing/{kid}/revoke", content_type="")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert keys_table() == before


@pytest.mark.parametrize(
    ("kid", "detail"),
    [
        ("x" * 65, "String is too long (65 chars), maximum 64"),
        (
            "a%00b",
            "String contains characters that are not allowed (NUL or lone surrogates)",
        ),
    ],
)
@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_a_kid_that_cannot_be_any_id_is_invalid_uri(mgmt: Mgmt, kid, detail, method):
    before = keys_table()
    path = f"/keys/signing/{kid}" + ("/revoke" if method == "PUT" else "")
    response = mgmt.call(method, path, content_type="")
    assert response.status_code == 400
    assert response.json() == {
        "statusCode": 400,
        "error": "Bad Request",
        "message": f"Path validation error: '{detail}' on property kid (Key id of the key.).",
        "errorCode": "invalid_uri",
    }
    assert keys_table() == before
