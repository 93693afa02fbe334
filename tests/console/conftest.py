import pytest
from django.contrib.auth import get_user_model

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
