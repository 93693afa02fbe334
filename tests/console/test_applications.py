"""The applications list, Create Application with its one-time secret, and the application
page's Settings and Advanced tabs (grant types, certificates)."""

import re
from urllib.parse import urlencode

import pytest
from cryptography import x509

from applications.models import Application, AppType
from keys.models import KeyState, SigningKey
from tests.console.settings_forms import REFRESH_DEFAULTS

from .conftest import HISTORY_RESTORE, HTMX, assert_full_page, assert_partial, html

pytestmark = pytest.mark.django_db

# The settings form's ID token fields, as rendered for a new application.
ID_TOKEN = {"id_token_alg": "RS256", "id_token_lifetime": "36000", **REFRESH_DEFAULTS}
SECRET_RE = re.compile(r'<code id="client-secret">([^<]+)</code>')


def _token_status(client, client_id, secret, audience="https://orders.example/api"):
    response = client.post(
        "/oauth/token",
        urlencode(
            {
                "grant_type": "client_credentials",
                "client_id": client_id,
                "client_secret": secret,
                "audience": audience,
            }
        ),
        content_type="application/x-www-form-urlencoded",
    )
    return response.status_code


def test_list_with_type_badges_full_and_partial(staff_client, m2m_client):
    full = assert_full_page(staff_client.get("/applications/"))
    assert "+ Create Application" in full
    assert '<span class="badge badge-non_interactive">Machine to Machine</span>' in full
    assert f"<code>{m2m_client.client_id}</code>" in full
    assert_partial(staff_client.get("/applications/", headers=HTMX))
    assert_full_page(staff_client.get("/applications/", headers=HISTORY_RESTORE))


def test_list_pages_and_filters_10000_applications(
    staff_client, tenant, django_assert_max_num_queries
):
    Application.objects.bulk_create(
        Application(
            name=f"Worker {n:05d}", secret_digest="0" * 64, grant_types="client_credentials"
        )
        for n in range(10_000)
    )
    with django_assert_max_num_queries(6):
        first = html(staff_client.get("/applications/"))
    assert "Page 1 of 200" in first
    assert first.count('<td><a href="/applications/') == 50
    with django_assert_max_num_queries(6):
        filtered = html(staff_client.get("/applications/?q=Worker%200777", headers=HTMX))
    assert filtered.count('<td><a href="/applications/') == 10
    assert "Worker 07770" in filtered and "Worker 00001" not in filtered


def test_empty_list_explains_what_to_do(staff_client, tenant):
    body = html(staff_client.get("/applications/"))
    assert "No applications yet." in body


def test_create_shows_the_secret_once_and_it_works(staff_client, orders_api):
    response = staff_client.post(
        "/applications/new/", {"name": "Nightly export", "app_type": "non_interactive"}
    )
    application = Application.objects.get(name="Nightly export")
    assert response.status_code == 302
    assert response["Location"] == f"/applications/{application.client_id}/settings/"
    assert "secret" not in response["Location"]
    page = staff_client.get(response["Location"], headers=HTMX)
    body = assert_partial(page)
    assert "Copy the client secret now" in body and "only time it is shown" in body
    assert "no-store" in page["Cache-Control"]
    (secret,) = SECRET_RE.findall(body)
    assert 'hx-history="false"' in body  # htmx must not keep it in its history cache
    # Shown once: the next visit and every other tab leave it out.
    for url in (
        response["Location"],
        f"/applications/{application.client_id}/apis/",
        "/applications/",
    ):
        assert secret not in html(staff_client.get(url))
    # And the secret shown was the real one.
    from applications import clients

    clients.authorize(application, orders_api, [])
    assert _token_status(staff_client, application.client_id, secret) == 200


def test_create_invalid_input_is_shown_and_nothing_written(staff_client, tenant):
    response = staff_client.post("/applications/new/", {"name": "", "app_type": "robot"})
    body = assert_full_page(response)
    assert 'id="id_name_error"' in body and 'id="id_app_type_error"' in body
    assert "Select a valid choice." in body
    assert Application.objects.count() == 0
    assert staff_client.session.get("gatehouse.one_time_client_secret") is None


def test_create_single_page_app_has_no_client_credentials(staff_client, tenant):
    staff_client.post("/applications/new/", {"name": "Dashboard", "app_type": "spa"})
    application = Application.objects.get(name="Dashboard")
    assert application.app_type == AppType.SPA
    assert not application.allows_client_credentials


def test_rotate_secret_shows_the_new_one_once(staff_client, granted_client):
    cid = granted_client.client_id
    settings_page = html(staff_client.get(f"/applications/{cid}/settings/"))
    assert "Rotate secret" in settings_page and granted_client.secret not in settings_page
    assert staff_client.get(f"/applications/{cid}/rotate-secret/").status_code == 405
    response = staff_client.post(f"/applications/{cid}/rotate-secret/")
    assert response.status_code == 302
    assert response["Location"] == f"/applications/{cid}/settings/"
    body = html(staff_client.get(response["Location"]))
    assert "Client secret rotated." in body
    (new_secret,) = SECRET_RE.findall(body)
    assert new_secret != granted_client.secret
    assert _token_status(staff_client, cid, granted_client.secret) == 401
    assert _token_status(staff_client, cid, new_secret) == 200
    assert new_secret not in html(staff_client.get(response["Location"]))


def test_one_time_secret_is_encrypted_in_the_session(staff_client, tenant):
    staff_client.post("/applications/new/", {"name": "Vaulted", "app_type": "non_interactive"})
    stash = staff_client.session["gatehouse.one_time_client_secret"]
    application = Application.objects.get(name="Vaulted")
    assert stash["client_id"] == application.client_id
    body = html(staff_client.get(f"/applications/{application.client_id}/settings/"))
    (secret,) = SECRET_RE.findall(body)
    assert secret not in stash["secret"]
    assert "gatehouse.one_time_client_secret" not in staff_client.session


def test_settings_save_and_errors(staff_client, m2m_client):
    url = f"/applications/{m2m_client.client_id}/settings/"
    body = assert_full_page(staff_client.get(url))
    assert "Token Endpoint Authentication Method" in body
    assert 'name="client_id"' not in body and 'name="client_secret"' not in body
    response = staff_client.post(
        url,
        {
            "name": "Billing worker v2",
            "description": "Sends invoices",
            "app_type": "non_interactive",
            "token_endpoint_auth_method": "client_secret_basic",
            **ID_TOKEN,
        },
    )
    assert response.status_code == 302 and response["Location"] == url
    m2m_client.application.refresh_from_db()
    assert m2m_client.application.name == "Billing worker v2"
    assert m2m_client.application.token_endpoint_auth_method == "client_secret_basic"
    assert "Settings saved." in html(staff_client.get(url))
    # A Machine to Machine app cannot use "none"; the domain rule is shown on the field.
    invalid = staff_client.post(
        url,
        {
            "name": "Renamed",
            "description": "x" * 141,
            "app_type": "non_interactive",
            "token_endpoint_auth_method": "none",
            **ID_TOKEN,
        },
        headers=HTMX,
    )
    body = assert_partial(invalid)
    assert 'id="id_description_error"' in body
    m2m_client.application.refresh_from_db()
    assert m2m_client.application.name == "Billing worker v2"
    domain_rule = staff_client.post(
        url,
        {
            "name": "Renamed",
            "app_type": "non_interactive",
            "token_endpoint_auth_method": "none",
            **ID_TOKEN,
        },
    )
    assert 'id="id_token_endpoint_auth_method_error"' in html(domain_rule)
    m2m_client.application.refresh_from_db()
    assert m2m_client.application.name == "Billing worker v2"


def test_delete_application(staff_client, granted_client):
    cid = granted_client.client_id
    assert "Delete this application" in html(staff_client.get(f"/applications/{cid}/settings/"))
    response = staff_client.post(f"/applications/{cid}/delete/")
    assert response.status_code == 302 and response["Location"] == "/applications/"
    assert not Application.objects.filter(client_id=cid).exists()
    assert "Application Billing worker deleted." in html(staff_client.get("/applications/"))
    assert staff_client.get(f"/applications/{cid}/settings/").status_code == 404


def test_grant_types_toggle_client_credentials(staff_client, granted_client):
    cid = granted_client.client_id
    url = f"/applications/{cid}/advanced/"
    body = assert_full_page(staff_client.get(url))
    assert 'aria-selected="true">Advanced Settings</a>' in body
    assert 'id="id_client_credentials" checked>' in body
    response = staff_client.post(url, {})
    assert response.status_code == 302
    granted_client.application.refresh_from_db()
    assert not granted_client.application.allows_client_credentials
    assert _token_status(staff_client, cid, granted_client.secret) == 403
    staff_client.post(url, {"client_credentials": "on"})
    granted_client.application.refresh_from_db()
    assert granted_client.application.allows_client_credentials


def test_public_clients_cannot_enable_client_credentials(staff_client, tenant):
    staff_client.post("/applications/new/", {"name": "Phone", "app_type": "native"})
    application = Application.objects.get(name="Phone")
    url = f"/applications/{application.client_id}/advanced/"
    assert "public clients" in html(staff_client.get(url))
    response = staff_client.post(url, {"client_credentials": "on"})
    assert 'id="id_client_credentials_error"' in html(response)
    application.refresh_from_db()
    assert not application.allows_client_credentials


def test_certificates_tab_and_downloads(staff_client, m2m_client):
    key = SigningKey.objects.get(state=KeyState.CURRENT)
    url = f"/applications/{m2m_client.client_id}/advanced/certificates/"
    body = assert_full_page(staff_client.get(url))
    assert_partial(staff_client.get(url, headers=HTMX))
    assert key.fingerprint in body and key.thumbprint in body
    assert "http://127.0.0.1:8000/.well-known/jwks.json" in body
    assert "-----BEGIN CERTIFICATE-----" in body
    pem = staff_client.get(f"/signing-keys/{key.kid}/certificate.pem")
    assert pem.status_code == 200
    assert pem["Content-Type"] == "application/x-pem-file"
    assert pem["Content-Disposition"] == f'attachment; filename="127.0.0.1-{key.kid[:8]}.pem"'
    assert pem.content.decode() == key.cert_pem
    cer = staff_client.get(f"/signing-keys/{key.kid}/certificate.cer")
    assert cer["Content-Disposition"] == f'attachment; filename="127.0.0.1-{key.kid[:8]}.cer"'
    assert x509.load_der_x509_certificate(cer.content) == x509.load_pem_x509_certificate(
        key.cert_pem.encode()
    )
