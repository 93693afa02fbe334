"""Gatehouse's URLs plus public views that fail on purpose on each surface (test_errors.py).

The error handlers are the project's own, imported from config.urls, as Django looks them up
on whichever module is the root URLconf.
"""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path

from config.api import public
from config.urls import handler400, handler403, handler404, handler500  # noqa: F401
from config.urls import urlpatterns as gatehouse_urls


@login_not_required
def database_down(request: HttpRequest) -> HttpResponse:
    raise OperationalError('connection to server at "127.0.0.1", port 5432 failed')


@login_not_required
def connection_closed(request: HttpRequest) -> HttpResponse:
    raise InterfaceError("connection already closed")


@login_not_required
def bug(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("an unexpected bug")


@login_not_required
def forbidden(request: HttpRequest) -> HttpResponse:
    raise PermissionDenied("no")


@login_not_required
def suspicious(request: HttpRequest) -> HttpResponse:
    raise SuspiciousOperation("a malformed request")


@login_not_required
def accepts_post(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


urlpatterns = [
    path("oauth/test-database-down", database_down),
    path("oauth/test-connection-closed", connection_closed),
    path(".well-known/test-database-down", database_down),
    path("api/v3/test-database-down", database_down),
    path("api/v2/test-guarded-database-down", public(database_down)),
    path("test-database-down/", database_down),
    path("oauth/test-bug", bug),
    path(".well-known/test-bug", bug),
    path("api/v3/test-bug", bug),
    path("oauth/test-forbidden", forbidden),
    path(".well-known/test-forbidden", forbidden),
    path("api/v3/test-forbidden", forbidden),
    path("oauth/test-csrf", accepts_post),
    path(".well-known/test-csrf", accepts_post),
    path("api/v3/test-csrf", accepts_post),
    path("test-bug/", bug),
    path("test-forbidden/", forbidden),
    path("test-suspicious/", suspicious),
    path("test-csrf/", accepts_post),
    *gatehouse_urls,
]
