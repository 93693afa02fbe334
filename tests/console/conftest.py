import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.urls import URLPattern, URLResolver, reverse
from django.utils import timezone

from applications import user_grants
from applications.models import RefreshTokenFamily
from config import console_urls
from keys.models import SigningKey
from logs.events import record
from users import directory, sessions

HTMX = {"HX-Request": "true"}
HISTORY_RESTORE = {"HX-Request": "true", "HX-History-Restore-Request": "true"}


@pytest.fixture
def staff(db, password_hash):
    return get_user_model().objects.create(
        username="ops", password=password_hash("not-a-real-password"), is_staff=True
    )


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def _console_patterns(patterns=None, namespace=""):
    for entry in console_urls.urlpatterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = f"{entry.namespace}:" if entry.namespace else namespace
            yield from _console_patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            yield namespace + entry.name, list(entry.pattern.converters)


@pytest.fixture
def console_urls_filled(granted_client, orders_api) -> list[str]:
    """Every console URL, found by walking the URL patterns, with real objects' ids filled in."""
    end_user = directory.create_user(email="walk@example.com", password="Walk-1234")
    grant = user_grants.record(
        end_user, granted_client.application, orders_api.identifier, ["read:orders"]
    )
    session, _ = sessions.start(end_user)
    now = timezone.now()
    family = RefreshTokenFamily.objects.create(
        user=end_user,
        application=granted_client.application,
        audience=orders_api.identifier,
        scopes=["offline_access"],
        session_id=session.pk,
        auth_time=now,
        generation=1,
        created_at=now,
    )
    # A failed staff login as django-axes stores it (the Attack protection page's rows).
    attempt = AccessAttempt.objects.create(
        username="walker",
        ip_address="192.0.2.9",
        user_agent="walk",
        http_accept="*/*",
        path_info="/login/",
        get_data="",
        post_data="",
        failures_since_start=1,
    )
    values = {
        "attempt_id": attempt.pk,
        "session_id": session.pk,
        "family_id": family.pk,
        "api_id": orders_api.id,
        "scope_id": orders_api.scopes.first().pk,
        "client_id": granted_client.client_id,
        "kid": SigningKey.objects.first().kid,
        "user_id": end_user.id,
        "grant_id": grant.id,
        "log_id": record("sapi", description="Walk the console").log_id,
    }
    urls = [
        reverse(name, kwargs={k: values[k] for k in params}) for name, params in _console_patterns()
    ]
    assert len(urls) >= 25  # the walk really found the console
    return urls


def html(response) -> str:
    return response.content.decode()


def assert_full_page(response) -> str:
    body = html(response)
    assert response.status_code == 200
    assert body.startswith("<!doctype html>")
    assert '<main id="main"' in body
    assert response["Vary"].split(", ").count("HX-Request") == 1
    return body


def assert_partial(response) -> str:
    body = html(response)
    assert response.status_code == 200
    assert "<html" not in body and "<body" not in body and '<main id="main"' not in body
    assert body.startswith("<title>") and " · Gatehouse</title>\n" in body  # htmx sets it
    assert "HX-Request" in response["Vary"].split(", ")
    return body
