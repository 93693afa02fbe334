"""No secret reaches a log: every record emitted, at every level and with DEBUG on (so Django
also logs each SQL statement), while secrets are created, used, refused and rotated over HTTP.
Checked: client secrets, HS256 secrets, private key material and bearer tokens."""

import base64
import json
import logging
from urllib.parse import urlencode

import pytest

from tests.conftest import basic_header, private_key_strings
from tests.management_api.conftest import Mgmt

pytestmark = pytest.mark.django_db

AUDIENCE = "https://logs.example/api"


def _token(client, body, *, as_json=False, authorization=None):
    headers = {"Authorization": authorization} if authorization else {}
    if as_json:
        return client.post(
            "/oauth/token", json.dumps(body), content_type="application/json", headers=headers
        )
    return client.post(
        "/oauth/token",
        urlencode(body),
        content_type="application/x-www-form-urlencoded",
        headers=headers,
    )


def test_no_secret_reaches_any_log_record(client, mgmt: Mgmt, mgmt_token, settings, caplog):
    settings.DEBUG = True
    caplog.set_level(logging.DEBUG)

    api = mgmt.post(
        "/resource-servers",
        {
            "name": "Logs",
            "identifier": AUDIENCE,
            "signing_alg": "HS256",
            "scopes": [{"value": "read:logs"}],
        },
    ).json()
    chosen, rotated_to = "a chosen secret for logs", "another chosen secret"
    chosen_api = mgmt.post(
        "/resource-servers",
        {"identifier": "urn:chosen", "signing_alg": "HS256", "signing_secret": chosen},
    ).json()
    assert (
        mgmt.patch(
            f"/resource-servers/{chosen_api['id']}", {"signing_secret": rotated_to}
        ).status_code
        == 200
    )
    refused = mgmt.patch(f"/resource-servers/{chosen_api['id']}", {"signing_secret": "n1n3-chrs"})
    assert refused.status_code == 400 and "n1n3-chrs" not in refused.content.decode()
    created = mgmt.post("/clients", {"name": "Logger", "app_type": "non_interactive"}).json()
    client_id, client_secret = created["client_id"], created["client_secret"]
    mgmt.post(
        "/client-grants", {"client_id": client_id, "audience": AUDIENCE, "scope": ["read:logs"]}
    )

    form = {"grant_type": "client_credentials", "client_id": client_id, "audience": AUDIENCE}
    with_secret = {**form, "client_secret": client_secret}
    granted = _token(client, with_secret)
    assert granted.status_code == 200
    assert _token(client, with_secret, as_json=True).status_code == 200
    basic = basic_header(client_id, client_secret)
    without_id = {k: v for k, v in form.items() if k != "client_id"}
    assert _token(client, without_id, authorization=basic).status_code == 200
    broken_basic = "Basic " + base64.b64encode(b"\xff" + client_secret.encode()).decode()
    refusals = [
        _token(client, {**form, "client_secret": client_secret + "x"}),
        _token(client, {**with_secret, "scope": "write:logs"}),
        _token(client, with_secret, authorization=basic),  # two authentication methods
        _token(client, form, authorization=broken_basic),
    ]
    assert [r.status_code for r in refusals] == [401, 403, 400, 400]

    rotated = mgmt.post(f"/clients/{client_id}/rotate-secret").json()["client_secret"]
    assert _token(client, with_secret).status_code == 401
    assert _token(client, {**form, "client_secret": rotated}).status_code == 200

    # ID tokens signed with HS256: the secret is kept encrypted, never logged in clear.
    signer = mgmt.post(
        "/clients",
        {"name": "Signer", "app_type": "regular_web", "jwt_configuration": {"alg": "HS256"}},
    ).json()
    switched = mgmt.patch(
        f"/clients/{client_id}",
        {"app_type": "regular_web", "jwt_configuration": {"alg": "HS256"}, "rotate_secret": True},
    ).json()["client_secret"]
    signer_rotated = mgmt.post(f"/clients/{signer['client_id']}/rotate-secret").json()

    assert caplog.records, "nothing was logged: the test would prove nothing"
    logged = caplog.text + "\n".join(repr(record.args) for record in caplog.records)
    secrets = [
        mgmt_token,
        api["signing_secret"],
        chosen,
        rotated_to,
        "n1n3-chrs",
        client_secret,
        rotated,
        signer["client_secret"],
        switched,
        signer_rotated["client_secret"],
        granted.json()["access_token"],
        *private_key_strings(with_ciphertext=False),
    ]
    for secret in secrets:
        assert secret not in logged
