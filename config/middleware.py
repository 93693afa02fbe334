from collections.abc import Callable
from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django_htmx.http import HttpResponseClientRedirect


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
