"""The Auth0 log events of POST /oauth/token and POST /oauth/revoke (issue 12 section 1),
through HTTP: each outcome writes exactly one event of the right type with the right fields,
and no event (nor the server log) holds a secret that was sent or issued."""

from urllib.parse import urlencode

import pytest

from keys.models import SigningKey
from logs import buffer, events
from logs.models import LogEvent
from tests.applications.conftest import CALLBACK, ORDERS, VERIFIER, rotating
from tests.conftest import basic_header

from .event_rows import assert_nowhere, auth_rows, only_event

pytestmark = pytest.mark.django_db

AGENT = "auth0-python/4.9 (events test)"
# Real-looking credentials that are never anyone's: what a careless log line would copy.
WRONG_SECRET = "wR0ng-Secret_" + "Q" * 30
FAKE_CODE = "c0de-" + "A" * 38
FAKE_VERIFIER = "v3rifier-" + "B" * 40
FAKE_REFRESH = "r3fresh-" + "C" * 36


def post_token(client, params: dict, **headers: str):
    return client.post(
        "/oauth/token",
        params,
        content_type="application/json",
        headers={"User-Agent": AGENT, **headers},
    )


def revoke(client, client_id: str, client_secret: str, token: str):
    body = urlencode({"client_id": client_id, "client_secret": client_secret, "token": token})
    return client.post("/oauth/revoke", body, content_type="application/x-www-form-urlencoded")


def test_client_credentials_success_is_seccft_with_the_grant(client, granted_client, caplog):
    response = post_token(
        client,
        {
            "grant_type": "client_credentials",
            "client_id": granted_client.client_id,
            "client_secret": granted_client.secret,
            "audience": "https://orders.example/api",
        },
    )
    assert response.status_code == 200
    event = only_event()
    assert event.type == "seccft"
    assert event.client_id == granted_client.client_id
    assert event.client_name == "Billing worker"
    assert event.audience == "https://orders.example/api"
    assert event.scope == "read:orders write:orders"
    assert (event.user_id, event.user_name, event.description) == ("", "", "")
    assert (event.ip, event.user_agent, event.hostname) == ("127.0.0.1", AGENT, "testserver")
    assert event.details == {"grant_type": "client_credentials"}
    assert_nowhere([granted_client.secret, response.json()["access_token"]], caplog)


def test_a_wrong_secret_is_feccft_with_the_reason_and_no_secret(client, granted_client, caplog):
    response = client.post(
        "/oauth/token",
        "grant_type=client_credentials&audience=https%3A%2F%2Forders.example%2Fapi",
        content_type="application/x-www-form-urlencoded",
        headers={"Authorization": basic_header(granted_client.client_id, WRONG_SECRET)},
    )
    assert response.status_code == 401
    event = only_event()
    assert event.type == "feccft"
    assert event.description == "Unauthorized"
    assert event.client_id == granted_client.client_id
    assert event.client_name == "Billing worker"
    assert event.audience == "https://orders.example/api"
    assert event.scope == ""
    assert event.details == {
        "grant_type": "client_credentials",
        "error": "access_denied",
        "status": 401,
        "reason": "wrong_client_secret",
    }
    assert "token request refused" in caplog.text  # the server log is captured, and clean
    assert_nowhere([WRONG_SECRET, granted_client.secret], caplog)


@pytest.mark.parametrize(
    ("given", "recorded"),
    [
        ("u" * 32, "u" * 32),
        # A client secret pasted into client_id (64 characters of base64url): never kept.
        ("Ab3_" * 16, ""),
        ("u" * 33, ""),
        ("not a client id", ""),
    ],
    ids=["client-id-shaped", "secret-shaped", "too-long", "not-alphanumeric"],
)
def test_an_unknown_client_id_is_kept_only_in_the_shape_of_one(
    client, tenant, given, recorded, caplog
):
    response = post_token(
        client,
        {"grant_type": "client_credentials", "client_id": given, "client_secret": WRONG_SECRET},
    )
    assert response.status_code == 401
    event = only_event()
    assert event.type == "feccft"
    assert event.client_id == recorded
    assert event.client_name == ""
    assert event.details["reason"] == "unknown_client"
    if not recorded:
        assert_nowhere([given], caplog)


@pytest.mark.parametrize(
    ("params", "grant_type", "error"),
    [
        ({}, "", "invalid_request"),
        ({"grant_type": "password"}, "password", "unsupported_grant_type"),
        ({"grant_type": "urn:x:" + "g" * 200}, "urn:x:" + "g" * 94, "unsupported_grant_type"),
    ],
    ids=["missing", "unknown", "long"],
)
def test_a_missing_or_unknown_grant_type_is_feccft_keeping_what_was_sent(
    client, granted_client, params, grant_type, error, caplog
):
    body = {"client_id": granted_client.client_id, "client_secret": WRONG_SECRET, **params}
    response = post_token(client, body)
    assert response.status_code == 400
    event = only_event()
    assert event.type == "feccft"
    assert event.description == response.json()["error_description"]
    assert event.details["grant_type"] == grant_type
    assert event.details["error"] == error
    assert event.client_name == "Billing worker"
    assert_nowhere([WRONG_SECRET], caplog)


def test_an_unreadable_body_and_a_wrong_method_are_recorded_too(client, tenant):
    unreadable = client.post("/oauth/token", "{not json", content_type="application/json")
    assert unreadable.status_code == 400
    event = only_event()
    assert (event.type, event.client_id) == ("feccft", "")
    assert event.description == "The request body is not valid JSON."
    event.delete()

    wrong_method = client.get("/oauth/token")
    assert wrong_method.status_code == 405
    event = only_event()
    assert event.type == "feccft"
    assert event.details == {"grant_type": "", "error": "invalid_request", "status": 405}


def test_a_server_that_cannot_sign_records_the_503(client, granted_client):
    SigningKey.objects.all().delete()  # as if `manage.py bootstrap` never ran
    response = post_token(
        client,
        {
            "grant_type": "client_credentials",
            "client_id": granted_client.client_id,
            "client_secret": granted_client.secret,
            "audience": "https://orders.example/api",
        },
    )
    assert response.status_code == 503
    event = only_event()
    assert event.type == "feccft"
    assert event.description == "The authorization server cannot issue tokens right now."
    assert event.details == {
        "grant_type": "client_credentials",
        "error": "temporarily_unavailable",
        "status": 503,
        "reason": "server_cannot_sign",
    }


def test_code_exchange_success_is_seacft_with_the_user(
    client, web_app, make_code, end_user, caplog
):
    code = make_code.issue(web_app.application)
    response = post_token(
        client,
        {
            "grant_type": "authorization_code",
            "client_id": web_app.client_id,
            "client_secret": web_app.secret,
            "code": code,
            "redirect_uri": CALLBACK,
        },
    )
    assert response.status_code == 200
    event = only_event()
    assert event.type == "seacft"
    assert (event.client_id, event.client_name) == (web_app.client_id, "Web")
    assert (event.user_id, event.user_name) == (end_user.user_id, "ada@example.com")
    assert event.audience == ""  # a /userinfo token: no API
    assert event.scope == "openid profile email"
    assert event.details == {"grant_type": "authorization_code"}
    body = response.json()
    assert_nowhere([code, web_app.secret, body["access_token"], body["id_token"]], caplog)


def test_a_refused_code_is_feacft_without_the_code_or_verifier(client, spa, make_code, caplog):
    real = make_code.issue_pkce(spa.application)
    for code, verifier in ((FAKE_CODE, VERIFIER), (real, FAKE_VERIFIER)):
        response = post_token(
            client,
            {
                "grant_type": "authorization_code",
                "client_id": spa.client_id,
                "code": code,
                "code_verifier": verifier,
                "redirect_uri": "https://spa.example/",
            },
        )
        assert response.status_code == 403
    events = list(auth_rows().order_by("log_id"))
    assert [event.type for event in events] == ["feacft", "feacft"]
    assert [event.details["reason"] for event in events] == ["invalid", "code_verifier"]
    assert [event.description for event in events] == [
        "Invalid authorization code",
        "Failed to verify code verifier",
    ]
    assert all(event.client_name == "SPA" for event in events)
    assert_nowhere([FAKE_CODE, real, VERIFIER, FAKE_VERIFIER], caplog)


def test_refresh_success_is_sertft_and_a_refused_token_fertft(
    client, web_app, refresher, end_user, caplog
):
    started = refresher.start(web_app)
    LogEvent.objects.all().delete()  # the code exchange's seacft

    refreshed = refresher.refresh(web_app, started["refresh_token"])
    assert refreshed.status_code == 200
    event = only_event()
    assert event.type == "sertft"
    assert (event.user_id, event.user_name) == (end_user.user_id, "ada@example.com")
    assert event.audience == ORDERS
    assert event.scope == refreshed.json()["scope"]
    assert event.details == {"grant_type": "refresh_token"}
    event.delete()

    refused = refresher.refresh(web_app, FAKE_REFRESH)
    assert refused.status_code == 403
    event = only_event()
    assert event.type == "fertft"
    assert event.description == "Unknown or invalid refresh token."
    assert event.details["reason"] == "unknown"
    secrets = [started["refresh_token"], FAKE_REFRESH, web_app.secret, started["access_token"]]
    assert_nowhere(secrets, caplog)


def test_a_reused_rotating_refresh_token_is_ferrt(client, web_app, refresher, caplog):
    rotating(web_app.application)
    first = refresher.start(web_app)["refresh_token"]
    second = refresher.refresh(web_app, first).json()["refresh_token"]
    LogEvent.objects.all().delete()

    reused = refresher.refresh(web_app, first)
    assert reused.status_code == 403
    event = only_event()
    assert event.type == "ferrt"
    assert event.details["reason"] == "reuse_detected"
    assert event.client_name == "Web"
    assert_nowhere([first, second, web_app.secret], caplog)


def test_revocation_is_srrt_with_what_happened(client, web_app, refresher, end_user, caplog):
    token = refresher.start(web_app)["refresh_token"]
    LogEvent.objects.all().delete()

    for expected in ("refresh_token_revoked", "already_revoked"):
        response = revoke(client, web_app.client_id, web_app.secret, token)
        assert response.status_code == 200
        event = only_event()
        assert event.type == "srrt"
        assert (event.client_id, event.client_name) == (web_app.client_id, "Web")
        assert event.user_id == end_user.user_id
        assert event.details == {"outcome": expected}
        event.delete()

    unknown = revoke(client, web_app.client_id, web_app.secret, FAKE_REFRESH)
    assert unknown.status_code == 200
    assert only_event().details == {"outcome": "unknown_token"}
    assert_nowhere([token, FAKE_REFRESH, web_app.secret], caplog)


def test_a_refused_revocation_records_nothing(client, web_app, caplog):
    response = revoke(client, web_app.client_id, WRONG_SECRET, FAKE_REFRESH)
    assert response.status_code == 401
    assert auth_rows().count() == 0
    assert WRONG_SECRET not in caplog.text and FAKE_REFRESH not in caplog.text


def test_logging_off_records_no_token_event(client, granted_client, settings):
    settings.LOG_EVENTS = False
    ok = post_token(
        client,
        {
            "grant_type": "client_credentials",
            "client_id": granted_client.client_id,
            "client_secret": granted_client.secret,
            "audience": "https://orders.example/api",
        },
    )
    refused = post_token(client, {"grant_type": "client_credentials"})
    assert (ok.status_code, refused.status_code) == (200, 400)
    assert auth_rows().count() == 0


@pytest.mark.django_db(transaction=True)
def test_buffered_token_events_cost_the_request_no_query(
    client, granted_client, settings, django_assert_num_queries
):
    settings.LOG_EVENTS_FLUSH_SECONDS = 3600  # production's buffer; its thread never wakes here
    params = {
        "grant_type": "client_credentials",
        "client_id": granted_client.client_id,
        "client_secret": granted_client.secret,
        "audience": "https://orders.example/api",
    }
    assert post_token(client, params).status_code == 200  # reads and caches the grant
    with django_assert_num_queries(0):
        assert post_token(client, params).status_code == 200
    assert auth_rows().count() == 0
    assert buffer.pending() == 2
    assert buffer.flush() == 2
    assert list(auth_rows().values_list("type", "client_name")) == [
        ("seccft", "Billing worker"),
        ("seccft", "Billing worker"),
    ]


@pytest.mark.django_db(transaction=True)
def test_unstorable_characters_never_sink_a_batch(settings):
    settings.LOG_EVENTS_FLUSH_SECONDS = 3600
    events.enqueue("feccft", client_id="nul\x00", details={"grant_type": "x\x00\ud800"})
    events.enqueue("feccft", client_id="plain")
    assert buffer.flush() == 2
    stored = dict(auth_rows().values_list("client_id", "details"))
    assert stored == {
        "nul\ufffd": {"grant_type": "x\ufffd\ufffd"},
        "plain": {},
    }
