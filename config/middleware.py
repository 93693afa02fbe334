from collections.abc import Callable
from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.middleware import common
from django_htmx.http import HttpResponseClientRedirect

from config import actor
from config.client_ip import client_ip


class CommonMiddleware(common.CommonMiddleware):
    """Django's CommonMiddleware, but APPEND_SLASH redirects only GET and HEAD. A redirect
    cannot carry a POST, PUT, PATCH or DELETE body (clients repeat it as a GET, or not at
    all), and with DEBUG on Django answers such a request with a RuntimeError, a 500. A write
    to a URL without its slash is a plain 404 instead."""

    def should_redirect_with_slash(self, request: HttpRequest) -> bool:
        return request.method in ("GET", "HEAD") and super().should_redirect_with_slash(request)


class ConsoleLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Every view needs a signed-in user unless it opts out with `@login_not_required`.

    Protocol URLs answer in JSON instead of redirecting to an HTML login form, and an
    htmx request is told to navigate (HX-Redirect) rather than get a login page in a tab.
    """

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., HttpResponseBase],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        # Public views first: the protocol endpoints never touch the session or the user.
        if not getattr(view_func, "login_required", True):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)

    def handle_no_permission(  # type: ignore[override]  # JSON and htmx answers, not only redirects
        self, request: HttpRequest, view_func: Callable[..., HttpResponse]
    ) -> HttpResponse:
        if request.path.startswith(("/api/", "/oauth/")):
            return JsonResponse(
                {"error": "unauthorized", "error_description": "Authentication required"},
                status=401,
            )
        redirect = super().handle_no_permission(request, view_func)
        if getattr(request, "htmx", False):
            # The login URL a plain request gets: `next` is the full path, query string
            # included, URL-encoded.
            return HttpResponseClientRedirect(redirect.url)
        return redirect


class ActorMiddleware:
    """Makes the request's actor current (config/actor.py) for the view and everything it
    calls, so a configuration change records who made it and through which surface:
    /api/v2/ is the Management API (keys/bearer.py names the token's client once verified),
    /admin/ the Django admin, every other URL the console (its staff user, read only when a
    change is recorded). Runs after AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        with actor.acting(lambda: _request_actor(request)):
            return self.get_response(request)


def _request_actor(request: HttpRequest) -> actor.Actor:
    path = request.path
    if path.startswith("/api/"):
        channel = actor.API
    elif path.startswith("/admin/"):
        channel = actor.ADMIN
    else:
        channel = actor.CONSOLE

    def staff_name() -> str:
        user = getattr(request, "user", None)
        return user.get_username() if user is not None and user.is_authenticated else ""

    return actor.Actor(
        channel=channel,
        ip=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:500],
        hostname=_host(request),
        method=request.method or "",
        path=path[:500],
        name_from=None if channel == actor.API else staff_name,
    )


def _host(request: HttpRequest) -> str:
    try:
        return request.get_host()
    except Exception:  # DisallowedHost: Django answers 400 later; the actor just has no host
        return ""
