"""Configuration changes made in the console and through the Management API are recorded as
exactly one Auth0 `sapi` log event each, with who made them, through what, and the fields
before and after; refused changes record no `sapi` (and, for the API, one `fapi`)."""

import json

import pytest

from apis.models import Api, Scope
from applications.models import Application, ClientGrant
from keys.models import KeyState, SigningKey
from logs.models import LogEvent
from users import directory
from users.models import User

PASSWORD = "Audit-Trail-7"


@pytest.fixture
def end_user(tenant):
    return directory.create_user(email="ada@example.com", password=PASSWORD)


@pytest.fixture
def offline_orders(orders_api):
    orders_api.allow_offline_access = True
    orders_api.save(update_fields=["allow_offline_access"])
    return orders_api


# --- the console ------------------------------------------------------------------------


def test_console_create_api_is_one_event_with_actor_and_fields(admin_client, tenant, new_events):
    events = new_events()
    response = admin_client.post(
        "/apis/new/",
        {"name": "Payments", "identifier": "https://payments.example/", "signing_alg": "RS256"},
        headers={"User-Agent": "console-test/1"},
    )
    assert response.status_code == 302
    api = Api.objects.get(identifier="https://payments.example/")
    event = events.one()
    assert (event.description, event.object_type, event.object_id) == (
        "Create a resource server",
        "resource_server",
        api.id,
    )
    assert (event.ip, event.user_agent, event.audience) == (
        "127.0.0.1",
        "console-test/1",
        "https://payments.example/",
    )
    assert event.client_id == ""  # only a Management API caller is a client
    details = event.details
    assert details["channel"] == "console"
    assert details["actor"] == {"name": "support"}
    assert details["request"] == {"method": "POST", "path": "/apis/new/"}
    assert details["object"] == {"type": "resource_server", "id": api.id}
    assert details["changes"]["identifier"] == {
        "before": None,
        "after": "https://payments.example/",
    }
    assert details["changes"]["name"] == {"before": None, "after": "Payments"}


def test_console_refused_create_records_nothing(admin_client, orders_api, new_events):
    events = new_events()
    response = admin_client.post(
        "/apis/new/",
        {"name": "Again", "identifier": orders_api.identifier, "signing_alg": "RS256"},
    )
    assert response.status_code == 200  # the form again, with the error
    assert Api.objects.filter(name="Again").count() == 0
    assert events() == []


def test_console_rotating_a_client_secret_says_it_changed_not_what_it_is(
    admin_client, m2m_client, new_events
):
    events = new_events()
    cid = m2m_client.client_id
    assert admin_client.post(f"/applications/{cid}/rotate-secret/").status_code == 302
    event = events.one()
    assert (event.description, event.object_type, event.object_id) == (
        "Rotate a client secret",
        "client",
        cid,
    )
    assert event.details["changes"] == {
        "client_secret": {"before": "[redacted]", "after": "[redacted]"}
    }


def test_console_block_and_unblock_a_user(admin_client, end_user, new_events):
    events = new_events()
    admin_client.post(f"/users/{end_user.id}/block/")
    blocked = events.one()
    assert (blocked.description, blocked.object_type, blocked.user_id) == (
        "Block a user",
        "user",
        end_user.user_id,
    )
    assert blocked.object_id == end_user.user_id
    assert blocked.user_name == "ada@example.com"
    assert blocked.details["changes"] == {"blocked": {"before": False, "after": True}}
    events.mark()
    admin_client.post(f"/users/{end_user.id}/unblock/")
    unblocked = events.one()
    assert unblocked.description == "Unblock a user"
    assert unblocked.details["changes"] == {"blocked": {"before": True, "after": False}}


def test_console_signing_key_rotation_names_the_kids(admin_client, tenant, new_events):
    before = {key.state: key.kid for key in SigningKey.objects.all()}
    events = new_events()
    assert admin_client.post("/signing-keys/rotate/").status_code == 302
    after = {key.state: key.kid for key in SigningKey.objects.exclude(state=KeyState.PREVIOUS)}
    event = events.one()
    assert (event.description, event.object_type, event.object_id) == (
        "Rotate the signing key",
        "signing_key",
        before[KeyState.NEXT],
    )
    assert event.details["changes"] == {
        "current": {"before": before[KeyState.CURRENT], "after": before[KeyState.NEXT]},
        "next": {"before": before[KeyState.NEXT], "after": after[KeyState.NEXT]},
        "previous": {"before": None, "after": before[KeyState.CURRENT]},
    }


def test_console_delete_user_is_logged_before_the_row_goes(admin_client, end_user, new_events):
    events = new_events()
    assert admin_client.post(f"/users/{end_user.id}/delete/").status_code == 302
    assert not User.objects.exists()
    event = events.one()
    assert (event.description, event.object_id) == ("Delete a user", end_user.user_id)
    assert event.details["changes"]["email"] == {"before": "ada@example.com", "after": None}


# --- the Management API -----------------------------------------------------------------


def test_api_create_resource_server_names_the_calling_client(mgmt, tenant, new_events):
    events = new_events()
    response = mgmt.post(
        "/resource-servers",
        {"name": "Stock", "identifier": "https://stock.example/", "scopes": [{"value": "read"}]},
        headers={"User-Agent": "auth0-python/4"},
    )
    assert response.status_code == 201, response.content
    api = Api.objects.get(identifier="https://stock.example/")
    event = events.one()
    caller = Application.objects.get(name="Automation").client_id
    assert (event.description, event.object_type, event.object_id, event.client_id) == (
        "Create a resource server",
        "resource_server",
        api.id,
        caller,
    )
    assert event.user_agent == "auth0-python/4"
    assert event.details["channel"] == "api"
    assert event.details["actor"]["name"] == caller
    assert "create:resource_servers" in event.details["actor"]["scopes"]
    assert event.details["request"] == {"method": "POST", "path": "/api/v2/resource-servers"}
    assert event.details["changes"]["scopes"] == {"before": None, "after": [{"value": "read"}]}


def test_api_update_client_shows_before_and_after(mgmt, m2m_client, new_events):
    events = new_events()
    cid = m2m_client.client_id
    response = mgmt.patch(f"/clients/{cid}", {"name": "Billing v2", "description": "batch"})
    assert response.status_code == 200, response.content
    event = events.one()
    assert (event.description, event.object_id) == ("Update a client", cid)
    assert event.details["changes"] == {
        "description": {"before": "", "after": "batch"},
        "name": {"before": "Billing worker", "after": "Billing v2"},
    }


def test_api_delete_client_grant(mgmt, granted_client, orders_api, new_events):
    grant = ClientGrant.objects.get(application=granted_client.application, api=orders_api)
    events = new_events()
    assert mgmt.delete(f"/client-grants/{grant.id}").status_code == 204
    event = events.one()
    assert (event.description, event.object_type, event.object_id, event.audience) == (
        "Delete a client grant",
        "client_grant",
        grant.id,
        orders_api.identifier,
    )
    assert event.details["changes"]["scope"] == {
        "before": ["read:orders", "write:orders"],
        "after": None,
    }


def test_api_conflict_records_one_fapi_and_writes_nothing(mgmt, orders_api, new_events):
    events = new_events()
    scopes_before = Scope.objects.count()
    response = mgmt.post(
        "/resource-servers",
        {"name": "Dup", "identifier": orders_api.identifier, "scopes": [{"value": "x"}]},
    )
    assert response.status_code == 409
    assert Scope.objects.count() == scopes_before and not Api.objects.filter(name="Dup").exists()
    event = events.one("fapi")
    message = response.json()["message"]
    assert event.description == message
    assert event.details["response"] == {
        "statusCode": 409,
        "message": message,
        "errorCode": response.json()["errorCode"],
    }
    assert event.details["request"] == {"method": "POST", "path": "/api/v2/resource-servers"}
    assert event.client_id == Application.objects.get(name="Automation").client_id


def test_api_invalid_body_is_a_fapi_with_the_validation_message(mgmt, m2m_client, new_events):
    events = new_events()
    response = mgmt.patch(f"/clients/{m2m_client.client_id}", {"name": 7})
    assert response.status_code == 400
    assert events.one("fapi").details["response"]["statusCode"] == 400
    assert Application.objects.get(pk=m2m_client.application.pk).name == "Billing worker"


def test_api_missing_scope_is_a_fapi(client, tenant, new_events):
    from tests.management_api.conftest import Mgmt, management_token

    reader = Mgmt(client, management_token(tenant, ["read:clients"], name="Reader"))
    events = new_events()
    assert reader.post("/clients", {"name": "Nope"}).status_code == 403
    event = events.one("fapi")
    assert event.details["response"]["statusCode"] == 403
    assert event.details["actor"]["scopes"] == ["read:clients"]


def test_api_unauthenticated_writes_and_all_reads_are_not_logged(mgmt, m2m_client, new_events):
    events = new_events()
    assert mgmt.post("/clients", {"name": "Anon"}, token=None).status_code == 401
    assert mgmt.post("/clients", {"name": "Anon"}, token="not.a.jwt").status_code == 401
    assert mgmt.get(f"/clients/{m2m_client.client_id}").status_code == 200
    assert mgmt.get("/clients/does-not-exist").status_code == 404
    assert events() == []


def test_api_block_user_then_delete(mgmt, end_user, new_events):
    events = new_events()
    assert mgmt.patch(f"/users/{end_user.user_id}", {"blocked": True}).status_code == 200
    assert events.one().description == "Block a user"
    events.mark()
    assert mgmt.delete(f"/users/{end_user.user_id}").status_code == 204
    assert events.one().description == "Delete a user"


def test_api_tenant_settings(mgmt, orders_api, new_events):
    events = new_events()
    response = mgmt.patch("/tenants/settings", {"default_audience": orders_api.identifier})
    assert response.status_code == 200, response.content
    event = events.one()
    assert (event.description, event.object_type) == ("Update tenant settings", "tenant")
    assert event.details["changes"] == {
        "default_audience": {"before": "", "after": orders_api.identifier}
    }


def test_a_refusal_message_that_echoes_a_secret_is_cut(db):
    # No Gatehouse error echoes a secret member today (the schema names the property, not its
    # value); this keeps it so if one ever does ("No enum match for: ..." echoes values).
    from config import actor
    from logs import audit

    with actor.acting(actor.Actor(channel=actor.API, name="caller")):
        event = audit.refused(
            400,
            'No enum match for: "sekrit-value-123" and "tok-456"',
            "invalid_body",
            b'{"password": "sekrit-value-123", "nested": [{"access_token": "tok-456"}]}',
        )
    assert event is not None
    assert event.description == 'No enum match for: "[redacted]" and "[redacted]"'
    assert "sekrit" not in json.dumps(event.details) and "tok-456" not in json.dumps(event.details)
    assert (event.type, event.client_id, event.details["channel"]) == ("fapi", "caller", "api")


def test_api_patch_of_several_parts_is_one_event(mgmt, hs256_api, new_events):
    events = new_events()
    response = mgmt.patch(
        f"/resource-servers/{hs256_api.api.id}",
        {
            "name": "Ledger v2",
            "scopes": [{"value": "read:ledger"}, {"value": "write:ledger"}],
            "signing_secret": "another-long-enough-secret",
        },
    )
    assert response.status_code == 200, response.content
    event = events.one()
    assert (event.description, event.object_id) == ("Update a resource server", hs256_api.api.id)
    assert event.details["changes"] == {
        "name": {"before": "Ledger", "after": "Ledger v2"},
        "scopes": {
            "before": [{"value": "read:ledger"}],
            "after": [{"value": "read:ledger"}, {"value": "write:ledger"}],
        },
        "signing_secret": {"before": "[redacted]", "after": "[redacted]"},
    }


def test_a_body_too_deep_to_read_is_still_a_400_and_one_fapi(mgmt, tenant, new_events):
    events = new_events()
    nested = "[" * 5000 + "]" * 5000
    raw = f'{{"name": "x", "identifier": "urn:x", "password": "p-455", "scopes": {nested}}}'
    response = mgmt.call("POST", "/resource-servers", raw=raw)
    assert response.status_code == 400
    assert events.one("fapi").details["response"]["statusCode"] == 400


def test_api_revoke_signing_key_and_a_refused_revoke(mgmt, tenant, new_events):
    current = SigningKey.objects.get(state=KeyState.CURRENT).kid
    events = new_events()
    refused = mgmt.put(f"/keys/signing/{current}/revoke")
    assert refused.status_code == 400
    assert events.one("fapi").details["response"]["errorCode"] == "invalid_signing_key_state"
    assert SigningKey.objects.get(kid=current).state == KeyState.CURRENT
    assert mgmt.post("/keys/signing/rotate").status_code == 201
    events.mark()
    assert mgmt.put(f"/keys/signing/{current}/revoke").status_code == 200
    event = events.one()
    assert (event.description, event.object_type, event.object_id) == (
        "Revoke a signing key",
        "signing_key",
        current,
    )
    assert event.details["changes"]["state"] == {"before": "previous", "after": "revoked"}


def test_a_hostile_path_is_recorded_storably(mgmt, tenant, new_events):
    # PostgreSQL stores no NUL in text or jsonb: the refused call is still one fapi event.
    events = new_events()
    response = mgmt.call("PATCH", "/clients/a%00b", {"name": "x"})
    assert response.status_code == 400
    event = events.one("fapi")
    assert event.details["request"]["path"] == "/api/v2/clients/a\ufffdb"
    assert mgmt.get("/clients").status_code == 200  # the connection is still usable


def test_ending_sessions_and_revoking_user_grants(admin_client, mgmt, end_user, new_events):
    from applications import clients, user_grants
    from users import sessions

    first, first_secret = sessions.start(end_user, ip="203.0.113.7")
    sessions.start(end_user)
    application, _ = clients.create_application(name="Web", app_type="regular_web")
    grant = user_grants.record(end_user, application, "https://orders.example/api", ["openid"])
    events = new_events()

    assert mgmt.delete(f"/sessions/{first.pk}").status_code == 204
    ended = events.one()
    assert (ended.description, ended.object_type, ended.object_id, ended.user_id) == (
        "Revoke a session",
        "session",
        str(first.pk),
        end_user.user_id,
    )
    assert first_secret not in json.dumps(ended.details)
    events.mark()
    assert admin_client.post(f"/users/{end_user.id}/sessions/revoke-all/").status_code == 302
    all_ended = events.one()
    assert (all_ended.description, all_ended.details["channel"]) == (
        "Revoke a user's sessions",
        "console",
    )
    assert len(all_ended.details["sessions"]) == 1

    events.mark()
    assert mgmt.delete(f"/grants/{grant.id}").status_code == 204
    revoked = events.one()
    assert (revoked.description, revoked.object_type, revoked.object_id) == (
        "Delete a grant",
        "grant",
        grant.id,
    )
    assert revoked.details["grants"] == [
        {
            "id": grant.id,
            "clientID": application.client_id,
            "audience": "https://orders.example/api",
        }
    ]


def test_revoking_refresh_tokens(mgmt, admin_client, offline_orders, end_user, new_events):
    import datetime as dt

    from applications import clients, refresh_tokens
    from applications.models import RefreshTokenFamily

    application, _ = clients.create_application(name="Web", app_type="regular_web")
    now = dt.datetime.now(dt.UTC)
    tokens = [
        refresh_tokens.issue(
            application=application,
            user=end_user,
            audience=offline_orders.identifier,
            scopes=["openid", "offline_access"],
            session_id="",
            auth_time=now,
            code_digest="",
            now=now,
        )
        for _ in range(2)
    ]
    family = RefreshTokenFamily.objects.order_by("pk").first()
    events = new_events()
    assert mgmt.delete(f"/refresh-tokens/{family.pk}").status_code == 204
    one = events.one()
    assert (one.description, one.object_type, one.object_id, one.user_id) == (
        "Revoke a refresh token",
        "refresh_token",
        str(family.pk),
        end_user.user_id,
    )
    assert one.details["changes"] == {"revoked": {"before": False, "after": True}}
    events.mark()
    assert admin_client.post(f"/users/{end_user.id}/refresh-tokens/revoke-all/").status_code == 302
    every = events.one()
    assert (every.description, every.details["revoked"]) == ("Revoke a user's refresh tokens", 1)
    text = json.dumps([e.details for e in LogEvent.objects.all()])
    assert all(token not in text for token in tokens)
