"""Logout endpoints (AUTH0_USER_FLOWS.md section 6): /v2/logout (Auth0's, what auth0-spa-js
calls), /oidc/logout (OpenID Connect RP-Initiated Logout 1.0, GET and POST), and the
confirmation the latter asks for without a usable hint. Decisions are applications/logout.py's;
these views end the end-user session (users/session_cookie.py) and send the browser on.
"""

import logging

from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from applications import auth_events, logout
from applications.authorize_endpoints import error_page
from users import session_cookie
from users.models import User

logger = logging.getLogger(__name__)

CONFIRM_SALT = "gatehouse.logout-confirmation"
CONFIRM_LIFETIME = 3600  # seconds


def _signed_out(request: HttpRequest, redirect_to: str) -> HttpResponse:
    """Ends the browser's end-user session; then the return URL, or the signed-out page."""
    if redirect_to:
        # A plain 302: native apps' custom schemes are valid logout URLs, and Django's
        # redirect classes allow only http, https and ftp.
        response = HttpResponse(status=302)
        response["Location"] = redirect_to
    else:
        response = render(request, "universal_login/logged_out.html")
    response["Cache-Control"] = "no-store"
    session_cookie.end(request, response)
    return response


def _user(request: HttpRequest) -> User | None:
    """The signed-in end user, for the logout's log event (before the session ends)."""
    session = session_cookie.current(request)
    return session.user if session is not None else None


@login_not_required
@require_GET
def v2_logout(request: HttpRequest) -> HttpResponse:
    """GET /v2/logout?client_id&returnTo[&federated]. The session ends even when the
    return URL is refused: the user asked to log out, and no confirmation guards this one.
    Records slo, or flo for a refused returnTo (the session still ended)."""
    user = _user(request)
    try:
        decision = logout.v2(request.GET)
    except logout.LogoutRefused as refused:
        logger.info("logout redirect refused: %s", refused.error)
        auth_events.logged_out(
            request,
            application=None,
            user=user,
            client_id=request.GET.get("client_id", ""),
            error=refused.error,
            description=refused.description,
        )
        response = error_page(request, refused.error, refused.description)
        session_cookie.end(request, response)
        return response
    auth_events.logged_out(request, application=decision.application, user=user)
    return _signed_out(request, decision.redirect_to)


@csrf_exempt  # relying parties may POST the request (RP-Initiated Logout section 2)
@login_not_required
@require_http_methods(["GET", "POST"])
def oidc_logout(request: HttpRequest) -> HttpResponse:
    """GET/POST /oidc/logout. A refused request changes nothing: ending the session anyway
    would let any page log users out without the confirmation this endpoint promises.
    Records slo when the session ends here, flo when refused, nothing while it asks."""
    session = session_cookie.current(request)
    params = request.GET if request.method == "GET" else request.POST
    try:
        decision = logout.oidc(params, session.id if session is not None else None)
    except logout.LogoutRefused as refused:
        logger.info("logout refused: %s", refused.error)
        auth_events.logged_out(
            request,
            application=None,
            user=session.user if session is not None else None,
            client_id=params.get("client_id", ""),
            error=refused.error,
            description=refused.description,
            session_ended=False,
        )
        return error_page(request, refused.error, refused.description)
    if decision.confirm:
        response = render(
            request,
            "universal_login/logout_confirm.html",
            {
                "application_name": decision.application.name if decision.application else "",
                "signed_request": signing.dumps({"r": decision.redirect_to}, salt=CONFIRM_SALT),
            },
        )
        response["Cache-Control"] = "no-store"
        return response
    auth_events.logged_out(
        request,
        application=decision.application,
        user=session.user if session is not None else None,
    )
    return _signed_out(request, decision.redirect_to)


@login_not_required
@require_POST
def logout_confirm(request: HttpRequest) -> HttpResponse:
    """POST /u/logout: the user confirmed. CSRF-protected, and the return URL is the one
    /oidc/logout validated, signed so that the form cannot be pointed elsewhere."""
    try:
        data = signing.loads(
            request.POST.get("request", ""), salt=CONFIRM_SALT, max_age=CONFIRM_LIFETIME
        )
        redirect_to = data["r"]
        if not isinstance(redirect_to, str):
            raise ValueError("not a URL")
    except (signing.BadSignature, ValueError, KeyError, TypeError):
        description = "This logout request expired. Log out from the application again."
        auth_events.logged_out(
            request,
            application=None,
            user=_user(request),
            error="invalid_request",
            description=description,
            session_ended=False,
        )
        return error_page(request, "invalid_request", description)
    auth_events.logged_out(request, application=None, user=_user(request))
    return _signed_out(request, redirect_to)
