"""The public protocol endpoints of the applications app: the token endpoint (RFC 6749
section 3.2) and /userinfo (OIDC Core section 5.3). They adapt HTTP; the decisions are made
in applications/oauth.py (client credentials), applications/code_exchange.py (authorization
codes), applications/refresh_grant.py (refresh tokens) and applications/userinfo.py; and
the revocation endpoint (RFC 7009), decided in applications/revocation.py.
Single-page applications call them from their own origin: CORS as
applications/cors_origins.py decides.
"""

import logging
from urllib.parse import parse_qsl

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from applications import (
    auth_events,
    code_exchange,
    cors_origins,
    oauth,
    refresh_grant,
    revocation,
    token_request,
)
from applications import userinfo as user_info
from config import rate_limits
from config.client_ip import client_ip
from keys import signing, vault
from logs import events, types

logger = logging.getLogger(__name__)


def _token_json(body: dict[str, str], status: int) -> JsonResponse:
    response = JsonResponse(body, status=status)
    # RFC 6749 section 5.1: token responses must not be cached.
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


def _read_body(request: HttpRequest) -> bytes:
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError as error:
        raise oauth.invalid_request("Content-Length is not a number.") from error
    if declared > token_request.MAX_BODY_BYTES:
        raise oauth.OAuthError(
            413,
            "invalid_request",
            f"The request body exceeds {token_request.MAX_BODY_BYTES} bytes.",
        )
    return request.read(token_request.MAX_BODY_BYTES + 1)


# Auth0's token-endpoint text for a refused rate (AUTH0_COMPAT.md section 8.4).
TOO_MANY_REQUESTS = "Rate limit exceeded. Retry after the time in the Retry-After header."


def _count_request(request: HttpRequest, client_id: str | None) -> rate_limits.Usage | None:
    """Counts a /oauth/token or /oauth/revoke request (the two share their counters) against
    the per-IP limit and, when the request names a client (body or Basic header, not yet
    authenticated), checks the per-client limit without counting: one cache round trip.
    The per-client limit counts only what `_count_success` counts, so that requests anyone
    can send with a client's id (a wrong secret, a made-up code or token) cannot use it up
    and lock the client out."""
    return rate_limits.hit(
        (rate_limits.TOKEN_PER_IP, client_ip(request)),
        peek=(rate_limits.TOKEN_PER_CLIENT, client_id),
    )


def _count_success(
    client_id: str | None, before: rate_limits.Usage | None
) -> rate_limits.Usage | None:
    """Counts a request that succeeded for its client (tokens issued, or a token of the
    client's revoked) against the per-client limit (rate_limits.count_success: a second
    cache round trip, which never fails the request); the Usage for the answer's headers."""
    return rate_limits.count_success((rate_limits.TOKEN_PER_CLIENT, client_id), before)


def _too_many_requests(request: HttpRequest, client_id: str | None) -> JsonResponse:
    """429 too_many_requests (RFC 6585 section 4), recorded as Auth0's api_limit event."""
    logger.info("%s refused: too_many_requests (429)", request.path)
    events.enqueue(
        types.RATE_LIMIT,
        description=f"Rate limit exceeded on {request.path}",
        client_id=auth_events.loggable_client_id(client_id),
        **events.request_fields(request),
    )
    return _token_json({"error": "too_many_requests", "error_description": TOO_MANY_REQUESTS}, 429)


def _refused(error: oauth.OAuthError) -> JsonResponse:
    response = _token_json(error.to_dict(), error.status)
    if error.status == 405:
        response["Allow"] = "POST"
    if error.basic_challenge:
        response["WWW-Authenticate"] = 'Basic realm="gatehouse", charset="UTF-8"'
    return response


def _with_rate_headers(response: HttpResponse, usage: rate_limits.Usage | None) -> HttpResponse:
    for name, value in rate_limits.headers(usage).items():
        response[name] = value
    return response


@cors_origins.browser_endpoint("POST")
@csrf_exempt  # authenticated by client credentials (or PKCE), never by cookies
@login_not_required
def token(request: HttpRequest) -> HttpResponse:
    """POST /oauth/token: the client-credentials, authorization-code and refresh grants.
    Every answer carries the X-RateLimit-* headers of the binding limit (config/rate_limits.py);
    over a limit, 429 too_many_requests before anything else is decided."""
    parsed, refusal = None, None
    try:
        if request.method != "POST":
            raise oauth.OAuthError(405, "invalid_request", "Use POST for /oauth/token.")
        # The raw Content-Type: Django's parsed one has had Unicode whitespace stripped.
        parsed = token_request.parse(
            request.META.get("CONTENT_TYPE", ""),
            _read_body(request),
            request.headers.get("Authorization"),
        )
        # Success or refusal, the answer is for this client: only its origins may read it.
        cors_origins.answer_for(request, parsed.client_id)
    except oauth.OAuthError as error:
        refusal = error
    client_id = parsed.client_id if parsed is not None else None
    usage = _count_request(request, client_id)
    if usage is not None and usage.exceeded:
        return _with_rate_headers(_too_many_requests(request, client_id), usage)
    if parsed is None:
        assert refusal is not None
        # Log who and why, never the body: it carries the client secret.
        logger.info("token request refused: %s (%s)", refusal.error, refusal.status)
        auth_events.token_refused(request, None, refusal)
        return _with_rate_headers(_refused(refusal), usage)
    response = _exchange(request, parsed)
    if response.status_code == 200:
        usage = _count_success(parsed.client_id, usage)
    return _with_rate_headers(response, usage)


def _exchange(request: HttpRequest, parsed: oauth.TokenRequest) -> JsonResponse:
    try:
        if parsed.grant_type == code_exchange.AUTHORIZATION_CODE:
            result = code_exchange.exchange(parsed)
        elif parsed.grant_type == refresh_grant.REFRESH_TOKEN:
            result = refresh_grant.exchange(parsed)
        else:  # client credentials, and every refusal of a missing or unknown grant type
            result = oauth.exchange(parsed)
    except (signing.NoSigningKey, vault.UndecryptableSecret):
        # The server is misconfigured (not bootstrapped, or KEY_ENCRYPTION_KEYS lost the key
        # that encrypted the signing keys): say so in the log, and let clients retry later.
        logger.exception(
            "cannot sign tokens: run `manage.py bootstrap` and check KEY_ENCRYPTION_KEYS"
        )
        unavailable = oauth.OAuthError(
            503,
            "temporarily_unavailable",
            "The authorization server cannot issue tokens right now.",
            reason="server_cannot_sign",
        )
        auth_events.token_refused(request, parsed, unavailable)
        return _token_json(unavailable.to_dict(), 503)
    except oauth.OAuthError as error:
        # Log who and why, never the body: it carries the client secret.
        logger.info("token request refused: %s (%s)", error.error, error.status)
        auth_events.token_refused(request, parsed, error)
        return _refused(error)
    auth_events.token_issued(request, parsed, result)
    return _token_json(result.to_dict(), 200)


# The outcomes of a revocation that revoked a token of the client's: only these count against
# the client's rate limit (anyone may ask to revoke an unknown token for a public client, and
# whoever once held a token may ask again and again to revoke it once it is revoked).
REVOKED_A_TOKEN = (revocation.FAMILY_REVOKED, revocation.ACCESS_TOKEN_REVOKED)

# RFC 7009 section 2.1: the revocation request's parameters (the client's as at the token
# endpoint). `token_type_hint` is read only so that a repeated one is refused like any other.
REVOCATION_PARAMETERS = ("client_id", "client_secret", "token", "token_type_hint")


@cors_origins.browser_endpoint("POST")
@csrf_exempt  # authenticated by client credentials (a public client by its id), not cookies
@login_not_required
def revoke(request: HttpRequest) -> HttpResponse:
    """POST /oauth/revoke (RFC 7009): 200 with an empty body when the token is revoked, and
    also when it is unknown, already revoked or a JWT (section 2.2); the token endpoint's
    error bodies otherwise. Rate limited with /oauth/token's counters, with its headers."""
    client_id, revocation_request, refusal = None, None, None
    try:
        if request.method != "POST":
            raise oauth.OAuthError(405, "invalid_request", "Use POST for /oauth/revoke.")
        body = _read_body(request)
        params = token_request.read_parameters(
            request.META.get("CONTENT_TYPE", ""), body, REVOCATION_PARAMETERS
        )
        client_id, client_secret, used_basic = token_request.client_credentials(
            params, request.headers.get("Authorization")
        )
        cors_origins.answer_for(request, client_id)
        revocation_request = revocation.RevocationRequest(
            token=params.get("token"),
            client_id=client_id,
            client_secret=client_secret,
            used_basic_auth=used_basic,
        )
    except oauth.OAuthError as error:
        refusal = error
    usage = _count_request(request, client_id)
    if usage is not None and usage.exceeded:
        return _with_rate_headers(_too_many_requests(request, client_id), usage)
    try:
        if refusal is not None:
            raise refusal
        assert revocation_request is not None
        revoked = revocation.revoke(revocation_request)
    except oauth.OAuthError as error:
        # Log why, never the body: it carries the token and maybe the client secret.
        logger.info("revocation refused: %s (%s)", error.error, error.status)
        return _with_rate_headers(_refused(error), usage)
    auth_events.revoked(request, client_id or "", revoked.outcome, revoked.user_id)
    if revoked.outcome in REVOKED_A_TOKEN:
        usage = _count_success(client_id, usage)
    # Section 2.2: "the content of the response body is ignored by the client"; Auth0 sends
    # none (go-auth0's recordings), and nothing about the token may be cached.
    response = HttpResponse(b"", status=200)
    del response["Content-Type"]
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return _with_rate_headers(response, usage)


# RFC 6750 section 3: the challenge of a protected resource. No error code when the request
# carried no token at all (section 3.1: "SHOULD NOT include an error code").
BEARER_REALM = 'Bearer realm="gatehouse"'


class _TwoTokens(Exception):
    """RFC 6750 section 3.1 invalid_request: more than one method carried a token."""


def _userinfo_json(
    body: dict[str, object], status: int, challenge: str | None = None
) -> JsonResponse:
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"  # personal data (OIDC Core section 5.3.2)
    response["Pragma"] = "no-cache"
    if challenge is not None:
        response["WWW-Authenticate"] = challenge
    return response


def _bearer_challenge(error: str, description: str) -> str:
    # RFC 6750 section 3: quoted-string values; the descriptions are plain ASCII without ".
    return f'{BEARER_REALM}, error="{error}", error_description="{description}"'


def _bearer_token(request: HttpRequest) -> str | None:
    """The access token from `Authorization: Bearer` (RFC 6750 section 2.1) or, on a form
    POST, the `access_token` body parameter (section 2.2); None when neither is sent. A
    header with another scheme carries no bearer token."""
    header = (request.headers.get("Authorization") or "").strip(token_request.OWS)
    scheme, _, credentials = header.partition(" ")
    # "Bearer" with nothing after it carries no token either.
    from_header = (credentials.strip(" ") or None) if scheme.lower() == "bearer" else None
    from_body = None
    content_type = request.META.get("CONTENT_TYPE", "").split(";", 1)[0].strip().lower()
    if request.method == "POST" and content_type == "application/x-www-form-urlencoded":
        body = request.read(token_request.MAX_BODY_BYTES + 1)[: token_request.MAX_BODY_BYTES]
        pairs = parse_qsl(body.decode("ascii", "replace"), max_num_fields=64, errors="replace")
        values = [value for name, value in pairs if name == "access_token"]
        if len(values) > 1:
            raise _TwoTokens
        from_body = (values[0] or None) if values else None
    if from_header is not None and from_body is not None:
        raise _TwoTokens
    return from_header if from_header is not None else from_body


@cors_origins.browser_endpoint("GET", "POST")
@csrf_exempt  # bearer-token authentication, no cookies: nothing to forge
@login_not_required
def userinfo(request: HttpRequest) -> JsonResponse:
    """GET or POST /userinfo (OIDC Core section 5.3): the signed-in user's claims for the
    token's scopes; RFC 6750 section 3 challenges for a missing or invalid token."""
    if request.method not in ("GET", "POST"):
        response = _userinfo_json(
            {"error": "invalid_request", "error_description": "Use GET or POST for /userinfo."},
            405,
        )
        response["Allow"] = "GET, POST"
        return response
    try:
        token = _bearer_token(request)
    except (_TwoTokens, ValueError):
        description = "Send the access token once, in the Authorization header or the body."
        return _userinfo_json(
            {"error": "invalid_request", "error_description": description},
            400,
            _bearer_challenge("invalid_request", description),
        )
    if token is None:
        description = "An access token is required."
        return _userinfo_json(
            {"error": "unauthorized", "error_description": description}, 401, BEARER_REALM
        )
    try:
        bearer = user_info.read_bearer(token)
    except user_info.InvalidBearer as error:
        logger.info("userinfo refused: %s", error.description)
        return _userinfo_json(
            {"error": "invalid_token", "error_description": error.description},
            401,
            _bearer_challenge("invalid_token", error.description),
        )
    cors_origins.answer_for(request, bearer.client_id)  # the claims are that client's to read
    return _userinfo_json(user_info.userinfo_claims(bearer.user, bearer.scopes), 200)
