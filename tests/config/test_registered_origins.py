"""config/cors.py's `registered_origins` on its own, with a stand-in view and origin check:
what /oauth/revoke (and any later browser endpoint) gets by decorating its view."""

from django.http import HttpRequest, JsonResponse
from django.test import RequestFactory

from config import cors

ORIGIN = "https://spa.example"


class Check:
    """An origin check that records what it was asked: (key, origin) pairs."""

    def __init__(self, allowed: set[tuple[str | None, str]]) -> None:
        self.allowed = allowed
        self.calls: list[tuple[str | None, str]] = []

    def __call__(self, key: str | None, origin: str) -> bool:
        self.calls.append((key, origin))
        return (key, origin) in self.allowed


def endpoint(check: Check, key: str | None = "client-a"):
    @cors.registered_origins(methods=("POST",), origin_allowed=check)
    def view(request: HttpRequest) -> JsonResponse:
        if key is not None:
            cors.answer_for(request, key)
        return JsonResponse({"ok": True})

    return view


def test_no_origin_header_asks_nothing():
    check = Check(set())

    response = endpoint(check)(RequestFactory().post("/x"))

    assert check.calls == []  # servers pay nothing
    assert response["Vary"] == "Origin"
    assert "Access-Control-Allow-Origin" not in response


def test_the_actual_answer_is_checked_for_the_views_key():
    check = Check({("client-a", ORIGIN)})

    response = endpoint(check)(RequestFactory().post("/x", headers={"Origin": ORIGIN}))

    assert check.calls == [("client-a", ORIGIN)]
    assert response["Access-Control-Allow-Origin"] == ORIGIN
    assert response["Access-Control-Expose-Headers"] == (
        "WWW-Authenticate, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"
    )
    assert "Access-Control-Allow-Credentials" not in response


def test_a_view_that_names_no_key_is_checked_for_none():
    check = Check({(None, ORIGIN)})

    response = endpoint(check, key=None)(RequestFactory().post("/x", headers={"Origin": ORIGIN}))

    assert check.calls == [(None, ORIGIN)]
    assert response["Access-Control-Allow-Origin"] == ORIGIN


def test_preflight_never_reaches_the_view_and_asks_for_none():
    check = Check({(None, ORIGIN)})

    def view(request: HttpRequest) -> JsonResponse:
        raise AssertionError("the preflight reached the view")

    decorated = cors.registered_origins(methods=("POST",), origin_allowed=check)(view)
    response = decorated(
        RequestFactory().options(
            "/x", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}
        )
    )

    assert check.calls == [(None, ORIGIN)]
    assert response.status_code == 204
    assert {name: value for name, value in response.items() if name != "Content-Length"} == {
        "Allow": "POST, OPTIONS",
        "Vary": "Origin",
        "Access-Control-Allow-Origin": ORIGIN,
        "Access-Control-Allow-Methods": "POST",
        "Access-Control-Allow-Headers": "authorization, content-type, auth0-client",
        "Access-Control-Max-Age": "7200",
    }
