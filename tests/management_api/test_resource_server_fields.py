"""/api/v2/resource-servers: the fields Terraform and the deploy CLI send besides the basic
ones (issue 9 item 7): signing_secret, token_dialect, enforce_policies, and every other field
of Auth0's resource-server object (AUTH0_COMPAT.md section 4.1)."""

import re
from urllib.parse import urlencode

import jwt
import pytest
from django.conf import settings

from apis.models import Api
from apis.resource_servers import reveal_signing_secret
from applications import clients
from tests.management_api.conftest import Mgmt
from tests.management_api.test_resource_servers import bad_body, orders_dict

pytestmark = pytest.mark.django_db

LEDGER = "https://ledger.example/"
SECRET = "a shared secret of 32 characters"
RBAC = "needs RBAC permissions, which Gatehouse does not support yet"


def _defaults(identifier: str, **fields: object) -> dict:
    return {
        "name": identifier,
        "identifier": identifier,
        "scopes": [],
        "signing_alg": "RS256",
        "allow_offline_access": False,
        "skip_consent_for_verifiable_first_party_clients": False,
        "token_lifetime": 86400,
        "token_lifetime_for_web": 7200,
        **fields,
    }


def _token(client, application, secret: str, audience: str) -> str:
    form = {
        "grant_type": "client_credentials",
        "client_id": application.client_id,
        "client_secret": secret,
        "audience": audience,
    }
    response = client.post(
        "/oauth/token", urlencode(form), content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def _verify_hs256(token: str, secret: str, audience: str) -> dict:
    return jwt.decode(
        token, secret, algorithms=["HS256"], audience=audience, issuer=settings.ISSUER
    )


# signing_secret


def test_a_supplied_secret_signs_the_tokens_and_is_never_echoed(client, mgmt: Mgmt, m2m_client):
    response = mgmt.post(
        "/resource-servers",
        {"identifier": LEDGER, "signing_alg": "HS256", "signing_secret": SECRET},
    )
    assert response.status_code == 201
    body = response.json()
    assert re.fullmatch(r"[0-9a-f]{24}", body.pop("id"))
    assert body == _defaults(LEDGER, signing_alg="HS256")  # the caller has it: not echoed
    api = Api.objects.get(identifier=LEDGER)
    assert SECRET not in api.encrypted_signing_secret  # encrypted at rest
    assert reveal_signing_secret(api) == SECRET
    clients.authorize(m2m_client.application, api, [])
    token = _token(client, m2m_client.application, m2m_client.secret, LEDGER)
    assert _verify_hs256(token, SECRET, LEDGER)["azp"] == m2m_client.client_id
    assert "signing_secret" not in mgmt.get(f"/resource-servers/{api.id}").json()


def test_patch_rotates_to_the_supplied_secret(client, mgmt: Mgmt, m2m_client, hs256_api):
    clients.authorize(m2m_client.application, hs256_api.api, ["read:ledger"])
    before = _token(client, m2m_client.application, m2m_client.secret, LEDGER)
    _verify_hs256(before, hs256_api.secret, LEDGER)
    new_secret = "0123456789abcdef"  # exactly 16 characters: the minimum
    response = mgmt.patch(f"/resource-servers/{hs256_api.api.id}", {"signing_secret": new_secret})
    assert response.status_code == 200
    assert "signing_secret" not in response.json()
    token = _token(client, m2m_client.application, m2m_client.secret, LEDGER)
    assert _verify_hs256(token, new_secret, LEDGER)["scope"] == "read:ledger"
    with pytest.raises(jwt.InvalidSignatureError):
        _verify_hs256(token, hs256_api.secret, LEDGER)


@pytest.mark.parametrize("method", ["POST", "PATCH"])
def test_a_secret_under_16_characters_is_refused(mgmt: Mgmt, hs256_api, method):
    body: dict = {"signing_secret": "fifteen chars.."}
    if method == "POST":
        body.update(identifier="urn:short", signing_alg="HS256")
        response = mgmt.post("/resource-servers", body)
    else:
        response = mgmt.patch(f"/resource-servers/{hs256_api.api.id}", body)
    assert response.status_code == 400
    assert response.json() == bad_body(
        "Payload validation error: 'String is too short (15 chars), minimum 16' on property "
        "signing_secret (The secret used to sign tokens when using symmetric algorithms "
        "(HS256); at least 16 characters.)."
    )
    assert reveal_signing_secret(Api.objects.get(pk=hs256_api.api.pk)) == hs256_api.secret
    assert not Api.objects.filter(identifier="urn:short").exists()


RS256_SECRET = (
    "Payload validation error: 'Only HS256 APIs have a signing secret: this API's tokens are "
    "signed with the tenant's RS256 keys.' on property signing_secret."
)


def test_a_secret_for_an_rs256_api_is_refused(mgmt: Mgmt, orders_api):
    created = mgmt.post("/resource-servers", {"identifier": "urn:rs", "signing_secret": SECRET})
    assert created.status_code == 400
    assert created.json() == bad_body(RS256_SECRET)
    assert not Api.objects.filter(identifier="urn:rs").exists()
    patched = mgmt.patch(
        f"/resource-servers/{orders_api.id}", {"name": "Renamed", "signing_secret": SECRET}
    )
    assert patched.status_code == 400
    assert patched.json() == bad_body(RS256_SECRET)
    assert mgmt.get(f"/resource-servers/{orders_api.id}").json() == orders_dict(orders_api)


def test_a_generated_secret_is_still_returned_once(mgmt: Mgmt, tenant):
    body = mgmt.post("/resource-servers", {"identifier": LEDGER, "signing_alg": "HS256"}).json()
    assert len(body["signing_secret"]) >= 32


# token_dialect and enforce_policies


def test_token_dialect_and_enforce_policies_are_stored_and_returned_once_set(
    mgmt: Mgmt, orders_api
):
    # Auth0 leaves both out until they are set (AUTH0_COMPAT.md section 4.1).
    assert mgmt.get(f"/resource-servers/{orders_api.id}").json() == orders_dict(orders_api)
    response = mgmt.patch(
        f"/resource-servers/{orders_api.id}",
        {"token_dialect": "rfc9068_profile", "enforce_policies": False},
    )
    assert response.status_code == 200
    expected = orders_dict(orders_api) | {
        "token_dialect": "rfc9068_profile",
        "enforce_policies": False,
    }
    assert response.json() == expected
    assert mgmt.get(f"/resource-servers/{orders_api.id}").json() == expected
    assert mgmt.patch(
        f"/resource-servers/{orders_api.id}", {"token_dialect": "access_token"}
    ).json() == expected | {"token_dialect": "access_token"}


def test_create_with_a_dialect(mgmt: Mgmt, tenant):
    response = mgmt.post(
        "/resource-servers",
        {
            "identifier": "urn:profile",
            "token_dialect": "rfc9068_profile",
            "enforce_policies": False,
        },
    )
    assert response.status_code == 201
    body = response.json()
    del body["id"]
    assert body == _defaults("urn:profile", token_dialect="rfc9068_profile", enforce_policies=False)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("token_dialect", "access_token_authz", f"token_dialect access_token_authz {RBAC}"),
        ("token_dialect", "rfc9068_profile_authz", f"token_dialect rfc9068_profile_authz {RBAC}"),
        (
            "enforce_policies",
            True,
            "enforce_policies true needs RBAC roles and permissions, which Gatehouse does not "
            "support yet",
        ),
    ],
)
def test_rbac_settings_are_refused_with_the_reason(mgmt: Mgmt, orders_api, field, value, message):
    expected = bad_body(f"Payload validation error: '{message}' on property {field}.")
    created = mgmt.post("/resource-servers", {"identifier": "urn:rbac", field: value})
    assert created.status_code == 400
    assert created.json() == expected
    assert not Api.objects.filter(identifier="urn:rbac").exists()
    patched = mgmt.patch(f"/resource-servers/{orders_api.id}", {field: value})
    assert patched.status_code == 400
    assert patched.json() == expected
    assert mgmt.get(f"/resource-servers/{orders_api.id}").json() == orders_dict(orders_api)


def test_an_unknown_dialect_is_an_enum_error(mgmt: Mgmt, tenant):
    response = mgmt.post("/resource-servers", {"identifier": "urn:x", "token_dialect": "jwt"})
    assert response.status_code == 400
    assert response.json()["message"].startswith(
        "Payload validation error: 'No enum match for: \"jwt\"' on property token_dialect ("
    )


# Every other field of Auth0's object: accepted with the value that means "not used".

NOT_USED = {
    "subject_type_authorization": {
        "user": {"policy": "allow_all"},
        "client": {"policy": "require_client_grant"},
    },
    "token_encryption": None,
    "consent_policy": None,
    "authorization_details": [],
    "proof_of_possession": None,
    "allow_online_access": False,
}


@pytest.mark.parametrize(("field", "value"), NOT_USED.items())
def test_each_unused_option_is_accepted_and_ignored(mgmt: Mgmt, orders_api, field, value):
    created = mgmt.post("/resource-servers", {"identifier": "urn:opt", field: value})
    assert created.status_code == 201, created.json()
    assert field not in created.json()
    patched = mgmt.patch(f"/resource-servers/{orders_api.id}", {field: value})
    assert patched.status_code == 200, patched.json()
    assert patched.json() == orders_dict(orders_api)


def test_a_terraform_shaped_body_is_accepted(mgmt: Mgmt, tenant):
    # What terraform-provider-auth0 may send for an HS256 API, all at once.
    response = mgmt.post(
        "/resource-servers",
        {
            "identifier": LEDGER,
            "name": "Ledger",
            "signing_alg": "HS256",
            "signing_secret": SECRET,
            "token_dialect": "access_token",
            "enforce_policies": False,
            "allow_offline_access": False,
            "skip_consent_for_verifiable_first_party_clients": False,
            "token_lifetime": 86400,
            "token_lifetime_for_web": 7200,
            "authorization_details": None,
            **{k: v for k, v in NOT_USED.items() if k != "authorization_details"},
        },
    )
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize(
    ("field", "value", "detail", "description"),
    [
        (
            "subject_type_authorization",
            {"client": {"policy": "deny_all"}},
            'No enum match for: "deny_all"',
            "subject_type_authorization.client.policy (Applications always need a client "
            "grant: only require_client_grant.)",
        ),
        (
            "subject_type_authorization",
            {"user": {"policy": "deny_all"}},
            'No enum match for: "deny_all"',
            "subject_type_authorization.user.policy (Any application may get user tokens for "
            "this API; Gatehouse has no per-API user access policy: only allow_all.)",
        ),
        (
            "subject_type_authorization",
            {"user": {"policy": "require_client_grant"}},
            'No enum match for: "require_client_grant"',
            "subject_type_authorization.user.policy (Any application may get user tokens for "
            "this API; Gatehouse has no per-API user access policy: only allow_all.)",
        ),
        (
            "token_encryption",
            {"format": "compact-nested-jwe", "encryption_key": {}},
            'No enum match for: {"format": "compact-nested-jwe", "encryption_key": {}}',
            "token_encryption (Gatehouse does not encrypt access tokens: only null.)",
        ),
        (
            "consent_policy",
            "transactional-authorization-with-mfa",
            'No enum match for: "transactional-authorization-with-mfa"',
            "consent_policy (Gatehouse has no transactional consent with MFA: only null.)",
        ),
        (
            "authorization_details",
            [{"type": "payment"}],
            "Array is too long (1), maximum 0",
            "authorization_details (Gatehouse has no rich authorization requests (RFC 9396): "
            "only null or [].)",
        ),
        (
            "proof_of_possession",
            {"mechanism": "mtls", "required": True},
            'No enum match for: {"mechanism": "mtls", "required": true}',
            "proof_of_possession (Gatehouse issues bearer tokens only: only null.)",
        ),
        (
            "allow_online_access",
            True,
            "No enum match for: true",
            "allow_online_access (Gatehouse has no online refresh tokens: only false.)",
        ),
    ],
)
def test_a_used_value_of_an_unsupported_option_is_refused(
    mgmt: Mgmt, orders_api, field, value, detail, description
):
    expected = bad_body(f"Payload validation error: '{detail}' on property {description}.")
    created = mgmt.post("/resource-servers", {"identifier": "urn:opt", field: value})
    assert created.status_code == 400
    assert created.json() == expected
    patched = mgmt.patch(f"/resource-servers/{orders_api.id}", {field: value})
    assert patched.json() == expected


def test_read_only_fields_are_still_refused(mgmt: Mgmt, orders_api):
    # Auth0's own request schemas do not take them: they describe the API, not a setting.
    for field, value in (("client_id", "abc"), ("is_system", False), ("id", orders_api.id)):
        response = mgmt.patch(f"/resource-servers/{orders_api.id}", {field: value})
        assert response.json() == bad_body(
            f"Payload validation error: 'Additional properties not allowed: {field}'."
        )


@pytest.mark.parametrize("alg", ["RS512", "PS256"])
def test_other_signing_algorithms_stay_an_enum_error(mgmt: Mgmt, tenant, alg):
    # A documented difference: Gatehouse signs with RS256 and HS256 only.
    response = mgmt.post("/resource-servers", {"identifier": "urn:alg", "signing_alg": alg})
    assert response.status_code == 400
    assert response.json() == bad_body(
        f"Payload validation error: 'No enum match for: \"{alg}\"' on property signing_alg "
        "(Algorithm used to sign JWTs. RS256 (default) or HS256.)."
    )
