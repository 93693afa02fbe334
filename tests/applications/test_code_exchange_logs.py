"""No secret of the code flow reaches a log: every record emitted, at every level and with
DEBUG on (so Django also logs each SQL statement), while codes are exchanged, refused and
replayed and /userinfo is called. Checked: codes, PKCE verifiers, client secrets (body and
Basic), the tokens issued."""

import base64
import logging
from urllib.parse import urlencode

import pytest

from tests.applications.conftest import CALLBACK, VERIFIER, s256, use_hs256_id_tokens
from tests.conftest import basic_header

pytestmark = pytest.mark.django_db


def test_no_secret_reaches_any_log_record(
    client, post_token, settings, caplog, web_app, spa, make_code, orders_api
):
    settings.DEBUG = True
    caplog.set_level(logging.DEBUG)
    use_hs256_id_tokens(web_app)
    secrets = [web_app.secret, spa.secret, VERIFIER]

    def exchange(client_, code, **extra):
        params = {
            "grant_type": "authorization_code",
            "client_id": client_.client_id,
            "client_secret": client_.secret,
            "code": code,
            "redirect_uri": CALLBACK,
            **extra,
        }
        return post_token({k: v for k, v in params.items() if v is not None})

    pkce = {"code_challenge": s256(VERIFIER), "code_challenge_method": "S256"}
    codes = [make_code.issue(web_app.application, **pkce) for _ in range(6)]
    codes.append(make_code.issue(web_app.application, audience=orders_api.identifier, **pkce))
    secrets += codes
    issued = []
    ok = exchange(web_app, codes[0], code_verifier=VERIFIER)
    assert ok.status_code == 200
    issued += [ok.json()["access_token"], ok.json()["id_token"]]
    api_token = exchange(web_app, codes[6], code_verifier=VERIFIER)
    assert api_token.status_code == 200
    issued.append(api_token.json()["access_token"])
    refusals = [
        exchange(web_app, codes[0], code_verifier=VERIFIER),  # replay
        exchange(web_app, codes[1], code_verifier=VERIFIER[:-1] + "x"),  # wrong verifier
        exchange(web_app, codes[2], client_secret=web_app.secret + "x"),  # wrong secret
        exchange(web_app, codes[3], client_secret=None),  # no secret
        exchange(web_app, codes[4], code_verifier=VERIFIER, redirect_uri=CALLBACK + "x"),
        post_token(
            {"grant_type": "authorization_code", "code": codes[5], "redirect_uri": CALLBACK},
            authorization=basic_header(web_app.client_id, web_app.secret + "y"),
        ),
        # A secret pasted into client_id: an unknown client, not logged by its id.
        post_token({"grant_type": "authorization_code", "client_id": spa.secret, "code": "c"}),
        post_token(
            {"grant_type": "authorization_code", "code": codes[5]},
            authorization="Basic " + base64.b64encode(b"\xff" + VERIFIER.encode()).decode(),
        ),
    ]
    assert all(400 <= response.status_code < 500 for response in refusals)
    for token in issued[::2]:
        assert client.get("/userinfo", headers={"Authorization": f"Bearer {token}"}).status_code
        client.post(
            "/userinfo",
            urlencode({"access_token": token}),
            content_type="application/x-www-form-urlencoded",
        )
    client.get("/userinfo", headers={"Authorization": f"Bearer {issued[0]}x"})

    records = [record.getMessage() for record in caplog.records]
    records += [str(record.args) for record in caplog.records]
    assert any("code exchange refused" in text for text in records)  # the log was captured
    for secret in secrets + issued:
        for text in records:
            assert secret not in text
