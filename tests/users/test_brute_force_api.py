"""The Management API of brute-force protection: /api/v2/user-blocks and
/api/v2/attack-protection/brute-force-protection (Auth0's shapes, scopes and 400 bodies)."""

import pytest
from django.utils import timezone

from logs.models import LogEvent
from tests.management_api.conftest import ALL_SCOPES, Mgmt, management_token
from users import brute_force, directory

IP = "203.0.113.7"
OTHER_IP = "198.51.100.4"
CONNECTION = "Username-Password-Authentication"
DEFAULTS = {
    "enabled": True,
    "shields": ["block"],
    "allowlist": [],
    "mode": "count_per_identifier_and_ip",
    "max_attempts": 10,
}
SETTINGS = "/attack-protection/brute-force-protection"


@pytest.fixture
def mgmt(client, tenant) -> Mgmt:
    return Mgmt(client, management_token(tenant, ALL_SCOPES))


@pytest.fixture
def ada(db):
    return directory.create_user(email="ada@example.com", password="Correct-Horse-9")


def block(identifier: str, ip: str, times: int = 10) -> None:
    attempt = brute_force.guard(identifier, ip)
    for _ in range(times):
        brute_force.record_failure(attempt, timezone.now())


def blocked_for(*pairs: tuple[str, str]) -> dict:
    return {
        "blocked_for": [
            {"identifier": identifier, "ip": ip, "connection": CONNECTION}
            for identifier, ip in pairs
        ]
    }


def test_blocks_of_a_user_by_id_and_by_identifier(mgmt, ada):
    block("ada@example.com", IP)
    block("ada@example.com", OTHER_IP)
    block("ada@example.com", "192.0.2.1", times=9)  # not yet blocked
    expected = blocked_for(("ada@example.com", OTHER_IP), ("ada@example.com", IP))
    response = mgmt.get(f"/user-blocks/{ada.user_id.replace('|', '%7C')}")
    assert (response.status_code, response.json()) == (200, expected)
    response = mgmt.get("/user-blocks?identifier=ADA@example.com")
    assert (response.status_code, response.json()) == (200, expected)


def test_an_identifier_without_an_account_has_blocks_too(mgmt, db):
    block("nobody@example.com", IP)
    assert mgmt.get("/user-blocks?identifier=nobody@example.com").json() == blocked_for(
        ("nobody@example.com", IP)
    )


def test_no_blocks_is_an_empty_list(mgmt, ada):
    assert mgmt.get(f"/user-blocks/{ada.user_id}").json() == {"blocked_for": []}


def test_delete_by_id_releases_every_ip_and_logs_ublkdu(mgmt, ada):
    block("ada@example.com", IP)
    block("ada@example.com", OTHER_IP)
    response = mgmt.delete(f"/user-blocks/{ada.user_id}")
    assert response.status_code == 204
    assert response.content == b""
    assert mgmt.get(f"/user-blocks/{ada.user_id}").json() == {"blocked_for": []}
    event = LogEvent.objects.get(type="ublkdu")
    assert (event.user_id, event.details["via"]) == (ada.user_id, "management_api")
    assert len(event.details["blocked_for"]) == 2


def test_delete_by_identifier_is_204_whether_or_not_blocked(mgmt, db):
    block("nobody@example.com", IP)
    assert mgmt.delete("/user-blocks?identifier=nobody@example.com").status_code == 204
    assert mgmt.get("/user-blocks?identifier=nobody@example.com").json() == {"blocked_for": []}
    assert mgmt.delete("/user-blocks?identifier=nobody@example.com").status_code == 204
    assert LogEvent.objects.filter(type="ublkdu").count() == 1  # only a real release


def test_unknown_user_is_404(mgmt, db):
    for call in (mgmt.get, mgmt.delete):
        response = call("/user-blocks/auth0|0123456789abcdef01234567")
        assert response.status_code == 404
        assert response.json() == {
            "statusCode": 404,
            "error": "Not Found",
            "message": "The user does not exist.",
            "errorCode": "inexistent_user",
        }


def test_identifier_is_required_and_checked(mgmt, db):
    response = mgmt.get("/user-blocks")
    assert response.status_code == 400
    assert response.json()["errorCode"] == "invalid_query_string"
    assert "identifier" in response.json()["message"]
    assert mgmt.get("/user-blocks?identifier=a&other=1").status_code == 400
    assert mgmt.delete("/user-blocks?identifier=" + "a" * 255).status_code == 400


def test_a_password_set_through_the_api_releases_the_blocks(mgmt, ada):
    block("ada@example.com", IP)
    response = mgmt.patch(
        f"/users/{ada.user_id}", {"password": "Brand-New-Pass-2", "connection": CONNECTION}
    )
    assert response.status_code == 200
    assert mgmt.get(f"/user-blocks/{ada.user_id}").json() == {"blocked_for": []}


def test_scopes_are_auth0s(client, tenant, ada):
    reader = Mgmt(client, management_token(tenant, ["read:users"], name="Reader"))
    assert reader.get(f"/user-blocks/{ada.user_id}").status_code == 200
    assert reader.delete(f"/user-blocks/{ada.user_id}").status_code == 403
    assert reader.delete("/user-blocks?identifier=a@b.c").status_code == 403
    assert reader.get(SETTINGS).status_code == 403
    updater = Mgmt(client, management_token(tenant, ["update:users"], name="Updater"))
    assert updater.delete(f"/user-blocks/{ada.user_id}").status_code == 204
    assert updater.get("/user-blocks?identifier=a@b.c").status_code == 403
    settings_reader = Mgmt(
        client, management_token(tenant, ["read:attack_protection"], name="Settings")
    )
    assert settings_reader.get(SETTINGS).status_code == 200
    assert settings_reader.patch(SETTINGS, {"enabled": False}).status_code == 403


def test_settings_defaults_and_patch(mgmt):
    response = mgmt.get(SETTINGS)
    assert (response.status_code, response.json()) == (200, DEFAULTS)
    response = mgmt.patch(
        SETTINGS,
        {
            "enabled": False,
            "shields": [],
            "allowlist": ["10.0.0.0/8", "2001:db8::/32", " 192.0.2.1 ", "10.0.0.0/8"],
            "mode": "count_per_identifier",
            "max_attempts": 100,
        },
    )
    expected = {
        "enabled": False,
        "shields": [],
        "allowlist": ["10.0.0.0/8", "2001:db8::/32", "192.0.2.1"],
        "mode": "count_per_identifier",
        "max_attempts": 100,
    }
    assert (response.status_code, response.json()) == (200, expected)
    assert mgmt.get(SETTINGS).json() == expected
    event = LogEvent.objects.get(description="Update brute force protection settings")
    assert (event.type, event.details["channel"]) == ("sapi", "api")
    assert event.details["changes"]["enabled"] == {"before": True, "after": False}
    assert event.details["changes"]["allowlist"]["after"] == expected["allowlist"]
    response = mgmt.patch(SETTINGS, {"max_attempts": 1})  # only what is sent changes
    assert response.json() == {**expected, "max_attempts": 1}


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            {"shields": ["block", "user_notification"]},
            "Payload validation error: 'Gatehouse sends no email or SMS: the user_notification "
            "shield is not supported.' on property shields.",
        ),
        (
            {"allowlist": ["10.0.0.1/8"]},
            "Payload validation error: ''10.0.0.1/8' is not an IP address or a CIDR range "
            "(10.0.0.1/8 has host bits set).' on property allowlist.",
        ),
        (
            {"allowlist": ["not an address"]},
            "Payload validation error: ''not an address' is not an IP address or a CIDR range "
            "('not an address' does not appear to be an IPv4 or IPv6 network).' "
            "on property allowlist.",
        ),
    ],
)
def test_settings_refusals_name_the_problem(mgmt, body, message):
    response = mgmt.patch(SETTINGS, body)
    assert response.status_code == 400
    assert response.json() == {
        "statusCode": 400,
        "error": "Bad Request",
        "message": message,
        "errorCode": "invalid_body",
    }
    assert mgmt.get(SETTINGS).json() == DEFAULTS  # nothing written


@pytest.mark.parametrize(
    "body",
    [
        {"max_attempts": 0},
        {"max_attempts": 101},
        {"max_attempts": "10"},
        {"max_attempts": 1.5},
        {"enabled": "yes"},
        {"mode": "count_per_ip"},
        {"shields": ["captcha"]},
        {"allowlist": "10.0.0.0/8"},
        {"allowlist": ["10.0.0.0/8"] * 101},
        {"allowlist": [""]},
        {"unknown": True},
        {"enabled": False, "allowlist": ["10.0.0.0/8", "x\u0000"]},
        [],
    ],
)
def test_settings_schema_refusals(mgmt, body):
    response = mgmt.patch(SETTINGS, body)
    assert response.status_code == 400, response.content
    assert response.json()["errorCode"] == "invalid_body"
    assert response.json()["message"].startswith("Payload validation error: ")
    assert mgmt.get(SETTINGS).json() == DEFAULTS


def test_settings_take_no_query_parameters(mgmt):
    assert mgmt.get(SETTINGS + "?fields=enabled").status_code == 400


def test_the_openapi_document_lists_the_new_paths_with_their_scopes(client, db):
    paths = client.get("/api/v2/openapi.json").json()["paths"]
    assert paths["/user-blocks"]["get"]["x-required-scopes"] == ["read:users"]
    assert paths["/user-blocks"]["delete"]["x-required-scopes"] == ["update:users"]
    assert paths["/user-blocks/{id}"]["delete"]["x-required-scopes"] == ["update:users"]
    assert paths[SETTINGS]["patch"]["x-required-scopes"] == ["update:attack_protection"]
