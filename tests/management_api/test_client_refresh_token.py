"""/api/v2/clients `refresh_token` (AUTH0_USER_FLOWS.md section 4.3): Auth0's recorded
defaults, the SPA defaults, the round trip, PATCH keeping what is left out, and every rule
refused with Auth0's invalid_body shape, nothing written."""

import pytest

from applications.models import Application
from tests.management_api.conftest import Mgmt

pytestmark = pytest.mark.django_db

AUTH0_DEFAULTS = {
    "rotation_type": "non-rotating",
    "expiration_type": "non-expiring",
    "leeway": 0,
    "token_lifetime": 2592000,
    "infinite_token_lifetime": True,
    "idle_token_lifetime": 1296000,
    "infinite_idle_token_lifetime": True,
}
SPA_DEFAULTS = {
    "rotation_type": "rotating",
    "expiration_type": "expiring",
    "leeway": 10,
    "token_lifetime": 2592000,
    "infinite_token_lifetime": False,
    "idle_token_lifetime": 1296000,
    "infinite_idle_token_lifetime": False,
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


@pytest.mark.parametrize("app_type", ["regular_web", "non_interactive", "native"])
def test_auth0_defaults(mgmt: Mgmt, tenant, app_type):
    body = create(mgmt, app_type=app_type)

    assert body["refresh_token"] == AUTH0_DEFAULTS
    assert list(body["refresh_token"]) == list(AUTH0_DEFAULTS)


def test_spa_defaults_rotate_with_an_overlap_period(mgmt: Mgmt, tenant):
    body = create(mgmt, app_type="spa")

    assert body["refresh_token"] == SPA_DEFAULTS


def test_round_trip_and_patch_keeps_what_is_left_out(mgmt: Mgmt, tenant):
    settings = {
        "rotation_type": "rotating",
        "expiration_type": "expiring",
        "leeway": 30,
        "token_lifetime": 86400,
        "infinite_token_lifetime": False,
        "idle_token_lifetime": 3600,
        "infinite_idle_token_lifetime": False,
    }
    body = create(mgmt, refresh_token=settings)
    assert body["refresh_token"] == settings
    path = f"/clients/{body['client_id']}"
    assert mgmt.get(path).json()["refresh_token"] == settings

    patched = mgmt.patch(
        path, {"refresh_token": {"rotation_type": "non-rotating", "expiration_type": "expiring"}}
    )

    assert patched.status_code == 200, patched.content
    assert patched.json()["refresh_token"] == {**settings, "rotation_type": "non-rotating"}
    assert mgmt.patch(path, {"refresh_token": None}).json()["refresh_token"] == {
        **settings,
        "rotation_type": "non-rotating",
    }
    assert mgmt.get(f"{path}?fields=refresh_token").json() == {
        "refresh_token": {**settings, "rotation_type": "non-rotating"}
    }


@pytest.mark.parametrize(
    ("refresh_token", "message", "field"),
    [
        (
            {"rotation_type": "rotating", "expiration_type": "non-expiring"},
            "Rotating refresh tokens must be expiring: set expiration_type to expiring.",
            "refresh_token.expiration_type",
        ),
        (
            {
                "rotation_type": "non-rotating",
                "expiration_type": "expiring",
                "token_lifetime": 60,
                "infinite_token_lifetime": False,
                "infinite_idle_token_lifetime": False,
            },
            "The idle refresh token lifetime must be no longer than the refresh token lifetime.",
            "refresh_token.idle_token_lifetime",
        ),
        (
            {"rotation_type": "non-rotating", "expiration_type": "expiring", "leeway": 3601},
            "Value 3601 is greater than maximum 3600",
            "refresh_token.leeway",
        ),
        (
            {
                "rotation_type": "non-rotating",
                "expiration_type": "expiring",
                "token_lifetime": 157788001,
            },
            "Value 157788001 is greater than maximum 157788000",
            "refresh_token.token_lifetime",
        ),
        (
            {"rotation_type": "sometimes", "expiration_type": "expiring"},
            'No enum match for: "sometimes"',
            "refresh_token.rotation_type",
        ),
        (
            {"expiration_type": "expiring"},
            "Missing required property: rotation_type",
            "refresh_token",
        ),
        (
            {"rotation_type": "rotating", "expiration_type": "expiring", "reuse": True},
            "Additional properties not allowed: reuse",
            "refresh_token",
        ),
        (
            {"rotation_type": "rotating", "expiration_type": "expiring", "leeway": -1},
            "Value -1 is less than minimum 0",
            "refresh_token.leeway",
        ),
    ],
)
def test_rules_are_refused_and_nothing_is_written(
    mgmt: Mgmt, tenant, refresh_token, message, field
):
    existing = create(mgmt)
    path = f"/clients/{existing['client_id']}"
    before = Application.objects.count()

    created = mgmt.post("/clients", {"name": "X", "refresh_token": refresh_token})
    patched = mgmt.patch(path, {"refresh_token": refresh_token})

    for response in (created, patched):
        assert response.status_code == 400
        body = response.json()
        expected = bad_body(message, field)
        # Schema refusals add the property's description in parentheses, as Auth0 does.
        assert body["message"].startswith(expected.pop("message")[:-1]), body["message"]
        assert {k: v for k, v in body.items() if k != "message"} == expected
    assert Application.objects.count() == before
    assert mgmt.get(path).json()["refresh_token"] == AUTH0_DEFAULTS


def test_multi_resource_policies_are_refused(mgmt: Mgmt, tenant):
    response = mgmt.post(
        "/clients",
        {
            "name": "X",
            "refresh_token": {
                "rotation_type": "rotating",
                "expiration_type": "expiring",
                "policies": [{"audience": "https://a.example", "scope": ["read"]}],
            },
        },
    )

    assert response.status_code == 400
    assert response.json()["errorCode"] == "invalid_body"
    assert "refresh_token.policies" in response.json()["message"]


def test_an_infinite_lifetime_ignores_its_number(mgmt: Mgmt, tenant):
    # A shorter maximum with an infinite idle lifetime: the idle number does not apply.
    body = create(
        mgmt,
        refresh_token={
            "rotation_type": "rotating",
            "expiration_type": "expiring",
            "token_lifetime": 3600,
            "infinite_token_lifetime": False,
            "infinite_idle_token_lifetime": True,
        },
    )

    assert body["refresh_token"]["idle_token_lifetime"] == 1296000


def test_empty_policies_are_accepted(mgmt: Mgmt, tenant):
    body = create(
        mgmt,
        refresh_token={"rotation_type": "rotating", "expiration_type": "expiring", "policies": []},
    )

    assert "policies" not in body["refresh_token"]
