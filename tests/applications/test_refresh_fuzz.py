"""Hostile input to the refresh grant (AUTH0_USER_FLOWS.md section 4.2): hypothesis-made
parameters, form and JSON, real and junk values mixed, never a 5xx and always the RFC 6749
section 5.2 JSON shape; and no refresh token in any log record, whatever happened."""

import json
import logging
from urllib.parse import urlencode

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.applications.conftest import rotating

FUZZ = settings(
    max_examples=150,
    deadline=None,
    database=None,  # no .hypothesis directory written by CI runs
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
JUNK = st.one_of(
    st.none(),
    st.text(max_size=60),
    st.integers(),
    st.lists(st.text(max_size=5), max_size=2),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
    st.booleans(),
)


def test_fuzzed_refresh_requests_never_5xx_and_never_log_a_token(
    client, refresher, web_app, caplog
):
    rotating(web_app.application, leeway=5)
    real = refresher.start(web_app)["refresh_token"]
    issued: list[str] = [real]

    @FUZZ
    @given(
        as_json=st.booleans(),
        grant_type=st.one_of(st.just("refresh_token"), JUNK),
        client_id=st.one_of(st.just(web_app.client_id), JUNK),
        client_secret=st.one_of(st.just(web_app.secret), JUNK),
        refresh_token=st.one_of(st.sampled_from(issued), JUNK),
        scope=st.one_of(st.sampled_from(["", "openid", "read:orders write:orders"]), JUNK),
        extra=st.dictionaries(
            st.sampled_from(["redirect_uri", "audience", "code", "resource", "x"]), JUNK, max_size=2
        ),
    )
    def run(as_json, grant_type, client_id, client_secret, refresh_token, scope, extra):
        params = {
            "grant_type": grant_type,
            "client_id": client_id,
            "client_secret": client_secret,
            "refresh_token": refresh_token,
            "scope": scope,
            **extra,
        }
        if as_json:
            body, content_type = json.dumps(params), "application/json"
        else:
            form = {k: v for k, v in params.items() if isinstance(v, str)}
            body, content_type = urlencode(form), "application/x-www-form-urlencoded"
        with caplog.at_level(logging.DEBUG):
            response = client.post("/oauth/token", body, content_type=content_type)
        assert response.status_code < 500, response.content
        document = response.json()
        if response.status_code == 200:
            if "refresh_token" in document:
                issued.append(document["refresh_token"])
        else:
            assert set(document) <= {"error", "error_description", "error_uri"}
            assert isinstance(document["error"], str)

    run()

    text = caplog.text
    for token in issued:
        assert token not in text
