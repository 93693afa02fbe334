"""No secret ever reaches a log event: every change that makes, rotates or takes a secret is
made through the Management API and the console, refused writes that carry one too, and then
every column of every log event is searched for each secret and each stored form of it."""

import json

from django.forms.models import model_to_dict

from apis import resource_servers
from apis.models import Api
from applications.models import Application
from logs.models import LogEvent
from tests.conftest import private_key_strings
from tests.management_api.conftest import ALL_SCOPES, Mgmt, management_token
from users.models import User

FIRST_PASSWORD = "First-Secret-Pass-1"
SECOND_PASSWORD = "Second-Secret-Pass-2"
CHOSEN_HS256_SECRET = "a-chosen-hs256-secret-of-enough-length"
WEAK_PASSWORD = "weakling"
SHORT_SECRET = "tiny-secret"
CONNECTION = "Username-Password-Authentication"


def all_log_text() -> str:
    rows = [model_to_dict(event) for event in LogEvent.objects.all()]
    assert rows
    return json.dumps(rows, default=str)


def test_no_secret_in_any_log_event(client, admin_client, tenant):
    token = management_token(tenant, ALL_SCOPES)
    mgmt = Mgmt(client, token)
    secrets = [token]

    created = mgmt.post("/clients", {"name": "Secretive", "app_type": "regular_web"}).json()
    client_id = created["client_id"]
    secrets.append(created["client_secret"])
    rotated = mgmt.post(f"/clients/{client_id}/rotate-secret").json()
    secrets.append(rotated["client_secret"])
    switched = mgmt.patch(
        f"/clients/{client_id}",
        {"jwt_configuration": {"alg": "HS256"}, "rotate_secret": True},
    )
    assert switched.status_code == 200, switched.content
    secrets.append(switched.json()["client_secret"])
    admin_client.post(f"/applications/{client_id}/rotate-secret/")
    application = Application.objects.get(client_id=client_id)
    secrets += [application.secret_digest, application.encrypted_secret]

    api_body = {"name": "Ledger", "identifier": "https://ledger.example/", "signing_alg": "HS256"}
    made_api = mgmt.post("/resource-servers", api_body).json()
    secrets.append(made_api["signing_secret"])
    patched = mgmt.patch(
        f"/resource-servers/{made_api['id']}", {"signing_secret": CHOSEN_HS256_SECRET}
    )
    assert patched.status_code == 200, patched.content
    secrets.append(CHOSEN_HS256_SECRET)
    assert admin_client.post(f"/apis/{made_api['id']}/settings/secret/rotate/").status_code == 302
    api = Api.objects.get(pk=made_api["id"])
    secrets += [resource_servers.reveal_signing_secret(api), api.encrypted_signing_secret]

    assert mgmt.post("/keys/signing/rotate").status_code == 201
    assert admin_client.post("/signing-keys/rotate/").status_code == 302

    user = mgmt.post(
        "/users",
        {
            "email": "secret@example.com",
            "password": FIRST_PASSWORD,
            "connection": CONNECTION,
        },
    ).json()
    changed = mgmt.patch(
        f"/users/{user['user_id']}", {"password": SECOND_PASSWORD, "connection": CONNECTION}
    )
    assert changed.status_code == 200, changed.content
    secrets += [FIRST_PASSWORD, SECOND_PASSWORD, User.objects.get().password]

    # Refused writes that carry secrets: each is one fapi event, and none holds the secret.
    weak = mgmt.patch(
        f"/users/{user['user_id']}", {"password": WEAK_PASSWORD, "connection": CONNECTION}
    )
    short = mgmt.patch(f"/resource-servers/{made_api['id']}", {"signing_secret": SHORT_SECRET})
    assert (weak.status_code, short.status_code) == (400, 400)
    secrets += [WEAK_PASSWORD, SHORT_SECRET]

    assert LogEvent.objects.filter(type="fapi").count() == 2
    assert LogEvent.objects.filter(type="sapi", description="Rotate a client secret").count() == 2
    text = all_log_text()
    for secret in [*secrets, *private_key_strings()]:
        assert secret and secret not in text
