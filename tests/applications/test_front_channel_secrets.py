"""Codes, passwords and session secrets never reach a log line or a page they do not belong
on (issue 10, section 4: "codes, passwords and sessions never in a log, page or API
response")."""

import logging

from users import session_cookie

from .front_channel import PASSWORD, authorize_url, consent, hidden, location, params_of
from .front_channel_fixtures import *  # noqa: F403


def test_a_whole_flow_logs_no_secret(client, web_app, end_user, orders_api, caplog):
    caplog.set_level(logging.DEBUG)
    pages = []
    login_url = location(client.get(authorize_url(web_app, audience=orders_api.identifier)))
    page = client.get(login_url)
    pages.append(page)
    failed = client.post(
        "/u/login",
        {"state": hidden(page, "state"), "username": "ada@example.com", "password": PASSWORD + "x"},
    )
    pages.append(failed)
    signed = client.post(
        "/u/login",
        {"state": hidden(page, "state"), "username": "ada@example.com", "password": PASSWORD},
    )
    cookie_secret = signed.cookies[session_cookie.COOKIE_NAME].value
    consent_url = location(signed)
    pages.append(client.get(consent_url))
    done = consent(client, consent_url)
    code = params_of(location(done))["code"]
    pages.append(
        client.get(
            authorize_url(web_app, audience=orders_api.identifier, response_mode="form_post")
        )
    )
    pages.append(client.get(f"/oidc/logout?client_id={web_app.client_id}"))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "authorization code issued" in logged  # the events are logged, without values
    for secret in (PASSWORD, cookie_secret, code, end_user.password):
        assert secret not in logged
        for response in pages:
            assert secret not in response.content.decode()
    assert (PASSWORD + "x") not in failed.content.decode()
