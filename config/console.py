"""What every console view shares: the staff check, the full-page-or-partial decision for
htmx tabs, and pagination of long lists. Nothing here imports an app."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import register_converter
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme

PAGE_SIZE = 50


def staff_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Console pages are for staff. Anonymous users never get here: the login middleware
    redirects them first (or sends HX-Redirect to an htmx request)."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not (request.user.is_active and request.user.is_staff):
            raise PermissionDenied("The console is for staff users.")
        return view(request, *args, **kwargs)

    return wrapper


def wants_partial(request: HttpRequest) -> bool:
    """htmx swaps a fragment in place; a history restore (a cache miss on Back) and every
    plain browser request need the whole page."""
    htmx = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def render_tab(
    request: HttpRequest,
    partial_template: str,
    context: dict[str, Any],
    *,
    title: str,
    status: int = 200,
    secret: bool = False,
) -> HttpResponse:
    """Render a console page, or only its main region for htmx.

    The full page (console.html) includes the same partial inside <main id="main">, the
    region every htmx request targets, so the two can never disagree. `secret=True` marks a
    response that shows a secret: no cache may keep it.

    `partial_template` is one of templates/<app>/partials/, the templates a view returns
    alone. Tab panels (templates/<app>/tabs/) and reused fragments (templates/<app>/includes/,
    templates/includes/) are only ever included.
    """
    context = {**context, "partial_template": partial_template, "title": title}
    if wants_partial(request):
        response = render(request, partial_template, context, status=status)
        # htmx sets document.title from a <title> in a fragment; the full page has its own.
        response.content = format_html("<title>{} · Gatehouse</title>\n", title).encode() + (
            response.content
        )
    else:
        response = render(request, "console.html", context, status=status)
    # The same URL answers with two bodies; caches must key on the header that picks one.
    patch_vary_headers(response, ["HX-Request"])
    if secret:
        add_never_cache_headers(response)  # includes no-store
    return response


def local_path(request: HttpRequest, value: str) -> str | None:
    """`value` when it is a path on this site, to redirect back to after a form; else None.
    Django's check refuses another host (`//host`, `/\\host`, a scheme); a bare word is
    refused here: `redirect()` would take it for a view name."""
    local = value.startswith("/") and url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}
    )
    return value if local else None


def paginate(request: HttpRequest, queryset: QuerySet) -> Page:
    """One page of `queryset` (two queries: a count and the rows), from ?page=."""
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def search_term(request: HttpRequest) -> str:
    return request.GET.get("q", "").strip()[:200]


def add_domain_errors(form: Any, error: Any, aliases: dict[str, str] | None = None) -> None:
    """Attach a domain module's ValidationError to the form fields it names.

    Domain modules key errors by model field; `aliases` maps a key to the form field that
    shows it (e.g. the "scopes" list error belongs to the scope value input).
    """
    aliases = aliases or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for key, messages in error.message_dict.items():
        field = aliases.get(key, key)
        form.add_error(field if field in form.fields else None, messages)


class ObjectId:
    """A console URL's object id (`<id:api_id>`): any text an id can be, but no '/', NUL or
    other control character and at most 600 characters, so a hostile id is a 404 before any
    query (PostgreSQL cannot even be asked about a NUL)."""

    regex = r"[^/\x00-\x1f\x7f]{1,600}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ObjectId, "id")
