"""Every failure on a JSON path (/oauth/, /api/, /.well-known/) answers JSON in that surface's
shape, and a database that cannot be reached is a 503 with Retry-After on every surface
(config/errors.py). Real requests through the whole middleware stack; the failing views are
in error_urls.py. The real outage, on PostgreSQL, is in tests/test_outage.py."""

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.test import Client

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.config.error_urls")]

UNAVAILABLE_DESCRIPTION = "The service is temporarily unavailable. Retry later."


@pytest.fixture
def quiet_client() -> Client:
    # A 500 is the answer under test, not an exception to re-raise into the test.
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("path", ["/oauth/test-database-down", "/oauth/test-connection-closed"])
def test_database_unavailable_on_oauth_is_rfc6749_temporarily_unavailable(client, path):
    response = client.post(path)

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert response.json() == {
        "error": "temporarily_unavailable",
        "error_description": UNAVAILABLE_DESCRIPTION,
    }


def test_database_unavailable_on_well_known_is_a_json_503(client):
    response = client.get("/.well-known/test-database-down")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "error": "temporarily_unavailable",
        "error_description": UNAVAILABLE_DESCRIPTION,
    }


@pytest.mark.parametrize(
    "path", ["/api/v3/test-database-down", "/api/v2/test-guarded-database-down"]
)
def test_database_unavailable_on_the_management_api_is_auth0s_503(client, path):
    response = client.get(path)

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "statusCode": 503,
        "error": "Service Unavailable",
        "message": UNAVAILABLE_DESCRIPTION,
        "errorCode": "temporarily_unavailable",
    }


def test_database_unavailable_in_the_console_is_a_plain_503_page(client):
    user = get_user_model().objects.create_user("ops", password="not-a-real-password")
    client.force_login(user)

    response = client.get("/test-database-down/")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"] == "text/html; charset=utf-8"
    body = response.content.decode()
    assert body.startswith("<!doctype html>")
    assert "<h1>Temporarily unavailable</h1>" in body
    assert "Traceback" not in body and "OperationalError" not in body


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/oauth/test-bug", {"error": "server_error", "error_description": "Internal error."}),
        (
            "/.well-known/test-bug",
            {"error": "server_error", "error_description": "Internal error."},
        ),
        (
            "/api/v3/test-bug",
            {
                "statusCode": 500,
                "error": "Internal Server Error",
                "message": "Internal error.",
                "errorCode": "internal_error",
            },
        ),
    ],
)
def test_unexpected_errors_on_json_paths_are_json_500s(quiet_client, path, body):
    response = quiet_client.get(path)

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert "Retry-After" not in response
    assert response.json() == body


FORBIDDEN = {"error": "access_denied", "error_description": "Forbidden"}
AUTH0_FORBIDDEN = {
    "statusCode": 403,
    "error": "Forbidden",
    "message": "Forbidden",
    "errorCode": "forbidden",
}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/oauth/test-forbidden", FORBIDDEN),
        ("/.well-known/test-forbidden", FORBIDDEN),
        ("/api/v3/test-forbidden", AUTH0_FORBIDDEN),
    ],
)
def test_permission_denied_on_json_paths_is_a_json_403(client, path, body):
    response = client.get(path)

    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert response.json() == body


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/oauth/test-csrf", FORBIDDEN),
        ("/.well-known/test-csrf", FORBIDDEN),
        ("/api/v3/test-csrf", AUTH0_FORBIDDEN),
    ],
)
def test_csrf_failure_on_json_paths_is_a_json_403(path, body):
    response = Client(enforce_csrf_checks=True).post(path)

    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert response.json() == body


def _main(body: str) -> str:
    # What base.html's htmx config swaps into the console: the content of the page's <main>.
    main = BeautifulSoup(body, "html.parser").main
    assert main is not None, body
    return main.get_text(" ", strip=True)


HTMX = {"HX-Request": "true"}


@pytest.mark.parametrize(
    ("method", "path", "status", "heading"),
    [
        ("get", "/test-suspicious/", 400, "Bad request"),
        ("get", "/test-forbidden/", 403, "Not allowed"),
        ("post", "/test-csrf/", 403, "This page is out of date"),
        ("get", "/no-such-page/", 404, "Not found"),
        ("get", "/test-bug/", 500, "Server error"),
        ("get", "/test-database-down/", 503, "Temporarily unavailable"),
    ],
)
def test_console_error_pages_carry_their_message_in_main(method, path, status, heading):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)

    plain = getattr(client, method)(path)
    htmx = getattr(client, method)(path, headers=HTMX)

    for response in (plain, htmx):
        assert response.status_code == status
        assert response["Content-Type"] == "text/html; charset=utf-8"
        text = _main(response.content.decode())
        assert heading in text
        assert "Traceback" not in text and "RuntimeError" not in text
    # An htmx request's failure keeps the address bar where the user was.
    assert htmx["HX-Push-Url"] == "false"
    assert "HX-Push-Url" not in plain


def test_a_console_csrf_failure_says_nothing_was_saved():
    response = Client(enforce_csrf_checks=True).post("/logout/")

    assert response.status_code == 403
    text = _main(response.content.decode())
    assert "CSRF verification failed" in text
    assert "Nothing was saved." in text


NOT_FOUND = {"error": "not_found", "error_description": "Not Found"}


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/oauth/authorize", NOT_FOUND),
        ("/oauth/", NOT_FOUND),
        ("/.well-known/openid-federation", NOT_FOUND),
        (
            "/api/v1/users",
            {
                "statusCode": 404,
                "error": "Not Found",
                "message": "Not Found",
                "errorCode": "not_found",
            },
        ),
    ],
)
def test_unknown_json_paths_are_json_404s(client, path, body):
    response = client.get(path)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == body


def test_unknown_console_paths_keep_the_html_404(client):
    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert response["Content-Type"] == "text/html; charset=utf-8"


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
@pytest.mark.parametrize("path", ["/apis", "/api/v2", "/login"])
def test_a_write_to_a_url_without_its_slash_is_a_404(settings, method, path, debug):
    # APPEND_SLASH's redirect would drop the body; with DEBUG on, Django raised a RuntimeError.
    settings.DEBUG = debug
    response = getattr(Client(raise_request_exception=False), method)(path)

    assert response.status_code == 404
    assert "Location" not in response


def test_a_read_of_a_url_without_its_slash_still_redirects(client):
    response = client.get("/apis?page=2")

    assert response.status_code == 301
    assert response["Location"] == "/apis/?page=2"
