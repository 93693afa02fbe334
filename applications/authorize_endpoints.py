"""The browser's side of the authorization code flow: /authorize, the sign-in page and the
consent page (AUTH0_USER_FLOWS.md sections 1 and 2). The views adapt HTTP; the request is
validated by applications/authorize.py, consent decided by applications/consent.py, and the
response shaped by applications/authorization_responses.py.

Public views (`@login_not_required`): the console's staff login has nothing to do with
them, and their end-user session (users/session_cookie.py) never reaches the console.
Codes, passwords and cookie secrets are never logged.
"""

import datetime as dt
import functools
import ipaddress
import logging
from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.middleware.csrf import rotate_token
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, ensure_csrf_cookie
from django.views.decorators.http import require_http_methods

from applications import (
    auth_events,
    authorization_responses,
    codes,
    consent,
    login_transactions,
    user_grants,
)
from applications.authorize import AuthorizeRequest, ErrorPage, RedirectError, parse
from applications.login_transactions import Transaction, TransactionInvalid
from config import rate_limits
from config.client_ip import client_ip
from logs import events, types
from users import brute_force, passwords, session_cookie, sessions
from users.models import Session, User

logger = logging.getLogger(__name__)

LOGIN_REQUIRED = ("login_required", "Login required")
CONSENT_REQUIRED = ("consent_required", "Consent required")
USER_BLOCKED = ("unauthorized", "user is blocked")
USER_DECLINED = ("access_denied", "User did not authorize the request")
# What the sign-in page says for an unknown email and a wrong password alike (its template).
WRONG_CREDENTIALS = "Wrong email or password."


def error_page(
    request: HttpRequest, error: str, description: str, *, client_id: str = ""
) -> HttpResponse:
    """The 400 page of section 1.2 steps 1-2 (and of a lost transaction): no redirect."""
    response = render(
        request,
        "universal_login/error.html",
        {"error": error, "description": description, "client_id": client_id},
        status=400,
    )
    response["Cache-Control"] = "no-store"
    return response


def keeps_opener(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Sends `Cross-Origin-Opener-Policy: unsafe-none` on every answer of `view`, instead of
    Django's `same-origin` (settings.SECURE_CROSS_ORIGIN_OPENER_POLICY, which the console
    keeps). auth0-spa-js's loginWithPopup opens /authorize with response_mode=web_message in
    a popup, and the popup's last page posts the code to `window.opener`; a page with COOP
    `same-origin` on the way (the redirect, the sign-in page, the consent page) severs the
    opener for good (HTML Standard, "Cross-origin opener policies"), and the SDK reports
    "Popup closed". Only for web_message flows would change nothing: anyone can start one."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        response = view(request, *args, **kwargs)
        response["Cross-Origin-Opener-Policy"] = "unsafe-none"
        return response

    return wrapper


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    return response


def _lists(params: QueryDict) -> dict[str, list[str]]:
    return {name: values for name, values in params.lists()}


def _client_ip(request: HttpRequest) -> str | None:
    try:
        return str(ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")))
    except ValueError:
        return None


def _must_sign_in(
    request: AuthorizeRequest, transaction: Transaction, session: Session, now: dt.datetime
) -> bool:
    """Section 1.6: prompt=login, or an authentication older than max_age, asks for a new
    sign-in, unless the session was signed in during this very transaction."""
    if session.authenticated_at.timestamp() >= transaction.started:
        return False
    if "login" in request.prompt:
        return True
    age = (now - session.authenticated_at).total_seconds()
    return request.max_age is not None and age > request.max_age


def _issue(request: AuthorizeRequest, session: Session) -> HttpResponse:
    """The success response: a code bound to everything the token exchange checks."""
    code = codes.issue(
        application=request.application,
        user=session.user,
        session_id=session.id,
        redirect_uri=request.redirect_uri_sent,
        code_challenge=request.code_challenge,
        code_challenge_method=request.code_challenge_method,
        nonce=request.nonce,
        scopes=request.scopes,
        audience=request.audience,
        auth_time=session.authenticated_at,
        include_auth_time=request.max_age is not None,
    )
    sessions.add_client(session, request.application.client_id)
    logger.info(
        "authorization code issued: client %s, user %s",
        request.application.client_id,
        session.user.user_id,
    )
    return authorization_responses.respond(request.destination, {"code": code})


def _go(page: str, transaction: Transaction) -> HttpResponse:
    response = HttpResponse(status=302)
    query = urlencode({"state": login_transactions.dumps(transaction)})
    response["Location"] = f"{reverse(page)}?{query}"
    return _no_store(response)


def _silent_error(
    http: HttpRequest, request: AuthorizeRequest, user: User | None, error: tuple[str, str]
) -> HttpResponse:
    """A prompt=none request answered with `error` (OIDC Core section 3.1.2.6): fsa."""
    auth_events.silent_auth(http, request.application, user, error=error[0], description=error[1])
    return authorization_responses.error(request.destination, *error)


def _continue(
    http: HttpRequest,
    request: AuthorizeRequest,
    transaction: Transaction,
    session: Session | None,
) -> HttpResponse:
    """Section 1.2 steps 7-9 for a validated request: sign in, consent, then the code.
    A prompt=none request (silent authentication) records ssa or fsa."""
    destination = request.destination
    silent = "none" in request.prompt
    if session is None or _must_sign_in(request, transaction, session, timezone.now()):
        if silent:
            return _silent_error(http, request, session.user if session else None, LOGIN_REQUIRED)
        return _go("universal_login:login", transaction)
    user = session.user
    if user.blocked:
        if silent:
            return _silent_error(http, request, user, USER_BLOCKED)
        return authorization_responses.error(destination, *USER_BLOCKED)
    if consent.required(request, user) is not None:
        if silent:
            return _silent_error(http, request, user, CONSENT_REQUIRED)
        return _go("universal_login:consent", login_transactions.for_user(transaction, user.id))
    # Consent skipped: a first-party login still records (or widens) its grant (section 2.3).
    user_grants.record(
        user, request.application, request.grant_audience, request.scopes, request.api
    )
    response = _issue(request, session)
    if silent:
        auth_events.silent_auth(http, request.application, user)
    return response


@keeps_opener
@csrf_exempt  # clients may POST the request (OIDC Core 3.1.2.1); it does what a GET does
@login_not_required
@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    """GET/POST /authorize (section 1)."""
    params = _lists(request.GET if request.method == "GET" else request.POST)
    try:
        parsed = parse(params)
    except ErrorPage as error:
        logger.info("authorize refused with a page: %s", error.description)
        return error_page(request, error.error, error.description)
    except RedirectError as error:
        logger.info("authorize refused: %s", error.error)
        return authorization_responses.error(error.destination, error.error, error.description)
    return _continue(
        request, parsed, login_transactions.begin(params), session_cookie.current(request)
    )


def _resume(request: HttpRequest, state: str) -> tuple[Transaction, AuthorizeRequest]:
    """The transaction of a sign-in or consent page, re-validated (it may be an hour old)."""
    transaction = login_transactions.loads(state)
    return transaction, parse(transaction.params)


def _record_sign_in_failure(
    request: HttpRequest, parsed: AuthorizeRequest, email: str, checked: passwords.SignIn
) -> None:
    """fp for an existing account (its user), fu for none (the email as typed, see
    auth_events.sign_in_failed); the description is the page's message."""
    if checked.failure == passwords.WRONG_PASSWORD:
        auth_events.sign_in_failed(
            request,
            parsed.application,
            types.FAILED_LOGIN_PASSWORD,
            WRONG_CREDENTIALS,
            user=checked.account,
            reason=checked.failure,
        )
    else:
        auth_events.sign_in_failed(
            request,
            parsed.application,
            types.FAILED_LOGIN_USERNAME,
            WRONG_CREDENTIALS,
            identifier=email,
            reason=checked.failure,
        )


def _brute_force_blocked(
    request: HttpRequest, context: dict[str, object], email: str
) -> HttpResponse:
    """The sign-in page saying the account is blocked for this IP (Auth0's message)."""
    context.update(blocked=brute_force.BLOCKED_MESSAGE, email=email[:254])
    return _no_store(render(request, "universal_login/login.html", context))


def _block_event_fields(request: HttpRequest, parsed: AuthorizeRequest) -> dict[str, str]:
    """What a `limit_wc` event says about the request besides the identifier and IP."""
    fields = events.request_fields(request)
    del fields["ip"]  # the guard's own
    fields.update(client_id=parsed.application.client_id, client_name=parsed.application.name)
    return fields


@keeps_opener
@login_not_required
@ensure_csrf_cookie
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """/u/login: the end user's email and password (section 2.1). CSRF-protected (a login
    CSRF would sign the victim in as the attacker); a new session on every sign-in.

    Each sign-in attempt (POST) counts against its IP address's limit (config/rate_limits.py)
    before the password is hashed, and its answer carries the X-RateLimit-* headers; past
    the limit, a 429 page says how long to wait. Showing the form (GET) is not counted."""
    if request.method != "POST":
        return _login(request)
    usage = rate_limits.hit((rate_limits.SIGN_IN_PER_IP, client_ip(request)))
    if usage is not None and usage.exceeded:
        response = _too_many_sign_ins(request, usage)
    else:
        response = _login(request)
    for name, value in rate_limits.headers(usage).items():
        response[name] = value
    return response


def _too_many_sign_ins(request: HttpRequest, usage: rate_limits.Usage) -> HttpResponse:
    """The 429 page (RFC 6585 section 4), recorded as Auth0's api_limit event."""
    logger.info("sign-in refused: too many attempts from one IP address (429)")
    events.enqueue(
        types.RATE_LIMIT,
        description="Rate limit exceeded on sign-in (/u/login)",
        **events.request_fields(request),
    )
    response = render(
        request,
        "universal_login/too_many_requests.html",
        {"retry_after": usage.retry_after()},
        status=429,
    )
    response["Cache-Control"] = "no-store"
    return response


def _login(request: HttpRequest) -> HttpResponse:
    state = (request.POST if request.method == "POST" else request.GET).get("state", "")
    try:
        transaction, parsed = _resume(request, state)
    except TransactionInvalid:
        return error_page(request, "invalid_request", login_transactions.SESSION_NOT_FOUND)
    except ErrorPage as error:
        return error_page(request, error.error, error.description)
    except RedirectError as error:
        return authorization_responses.error(error.destination, error.error, error.description)
    context = {
        "state": state,
        "application_name": parsed.application.name,
        "failed": False,
        "email": "",
    }
    if request.method == "GET":
        return _no_store(render(request, "universal_login/login.html", context))
    email = request.POST.get("username", "")
    # Brute-force protection (users/brute_force.py): a blocked pair is refused before the
    # password is even hashed, whether or not the email has an account.
    attempt = brute_force.guard(email, client_ip(request))
    now = timezone.now()
    if brute_force.is_blocked(attempt, now):
        return _brute_force_blocked(request, context, email)
    checked = passwords.check(email, request.POST.get("password", ""))
    user = checked.user
    if user is None:
        logger.info("sign-in failed for client %s", parsed.application.client_id)
        _record_sign_in_failure(request, parsed, email, checked)
        if brute_force.record_failure(attempt, now, **_block_event_fields(request, parsed)):
            return _brute_force_blocked(request, context, email)
        context.update(failed=True, email=email[:254])
        return _no_store(render(request, "universal_login/login.html", context))
    brute_force.record_success(attempt)
    if user.blocked:
        auth_events.sign_in_failed(
            request,
            parsed.application,
            types.FAILED_LOGIN,
            USER_BLOCKED[1],
            user=user,
            reason="blocked_user",
        )
        return authorization_responses.error(parsed.destination, *USER_BLOCKED)
    # A new session and a new CSRF token on each sign-in; a previous session in this browser
    # (perhaps another user's) ends.
    sessions.end(request.COOKIES.get(session_cookie.COOKIE_NAME, ""))
    session, secret = sessions.start(
        user, ip=_client_ip(request), user_agent=request.headers.get("User-Agent", "")
    )
    rotate_token(request)
    auth_events.signed_in(request, parsed.application, user, session.id)
    response = _continue(request, parsed, transaction, session)
    session_cookie.attach(response, secret, session)
    return response


@keeps_opener
@login_not_required
@ensure_csrf_cookie
@require_http_methods(["GET", "POST"])
def consent_page(request: HttpRequest) -> HttpResponse:
    """/u/consent (sections 2.3-2.5): shown to the user the transaction names, in the
    browser signed in as that user; Accept records the grant, Decline says access_denied."""
    state = (request.POST if request.method == "POST" else request.GET).get("state", "")
    try:
        transaction, parsed = _resume(request, state)
    except TransactionInvalid:
        return error_page(request, "invalid_request", login_transactions.SESSION_NOT_FOUND)
    except ErrorPage as error:
        return error_page(request, error.error, error.description)
    except RedirectError as error:
        return authorization_responses.error(error.destination, error.error, error.description)
    session = session_cookie.current(request)
    if not transaction.user_id or session is None or session.user_id != transaction.user_id:
        return error_page(request, "invalid_request", login_transactions.SESSION_NOT_FOUND)
    reason = consent.required(parsed, session.user)
    if request.method == "GET":
        if reason is None:  # granted meanwhile (another tab)
            return _continue(request, parsed, transaction, session)
        context = {
            "state": state,
            "application_name": parsed.application.name,
            "user_email": session.user.email,
            "api": parsed.api,
            "scopes": consent.describe_scopes(parsed),
            "explanation": consent.EXPLANATIONS[reason],
        }
        return _no_store(render(request, "universal_login/consent.html", context))
    action = request.POST.get("action", "")
    if action == "deny":
        return authorization_responses.error(parsed.destination, *USER_DECLINED)
    if action != "accept":
        return error_page(request, "invalid_request", "Choose Accept or Decline.")
    user_grants.record(
        session.user, parsed.application, parsed.grant_audience, parsed.scopes, parsed.api
    )
    return _issue(parsed, session)
