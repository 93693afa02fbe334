"""The authorization request (RFC 6749 section 4.1.1; OIDC Core section 3.1.2.1), parsed and
validated in the order of AUTH0_USER_FLOWS.md section 1.2, without a request object.

Steps 1 and 2 (the client and its callback) raise `ErrorPage`: until both are known good,
nothing may be sent anywhere (RFC 6749 section 4.1.2.1), so the browser gets a page. Every
later failure raises `RedirectError`, delivered to the validated callback in the requested
response mode with `state` echoed. Steps 7 to 9 (session, consent, blocked user) need the
browser's session and are decided by the views (applications/authorize_endpoints.py) with
applications/consent.py.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.conf import settings

from apis.models import Api, TenantSettings, has_control_character
from applications import pkce, redirect_uris
from applications.models import Application, TokenEndpointAuthMethod

CALLBACK_MISMATCH = (
    "Callback URL mismatch. The provided redirect_uri is not in the list of allowed callback URLs."
)
OIDC_SCOPES = ("openid", "profile", "email")
OFFLINE_ACCESS = "offline_access"
RESPONSE_MODES = ("query", "form_post", "web_message")
# Response types Auth0 knows (section 1.1); only `code` is served, the others are refused as
# unsupported rather than unknown.
KNOWN_RESPONSE_TYPES = {
    frozenset(value.split())
    for value in ("token", "id_token", "id_token token", "code id_token", "code token")
} | {frozenset({"code", "id_token", "token"})}
PROMPTS = ("none", "login", "consent", "select_account")
# Every parameter this module reads. Only these are carried through sign-in and consent
# (applications/login_transactions.py), so the transaction stays small.
PARAMETERS = (
    "client_id",
    "redirect_uri",
    "response_type",
    "response_mode",
    "state",
    "nonce",
    "scope",
    "audience",
    "resource",
    "prompt",
    "max_age",
    "code_challenge",
    "code_challenge_method",
    "organization",
    "invitation",
)
# Longest value accepted for any parameter. Real ones are far shorter (a state is a random
# string, a scope a few dozen words); a longer one is an attack or a bug.
MAX_VALUE_LENGTH = 2048
# A client_id is 32 letters and digits; anything longer or stranger is unknown without a query.
MAX_CLIENT_ID_LENGTH = 128


class ErrorPage(Exception):
    """Steps 1-2 failed: show a 400 page, redirect nowhere. `error` and `description` are
    what the page shows (Auth0's generic error page carries both)."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


@dataclass(frozen=True)
class Destination:
    """Where and how an authorization response (success or error) goes: the validated
    callback, the response mode, and the client's `state` (None when it sent none)."""

    redirect_uri: str
    response_mode: str
    state: str | None


class RedirectError(Exception):
    """A failure after the callback was validated: RFC 6749 section 4.1.2.1's error response,
    sent to `destination`."""

    def __init__(self, destination: Destination, error: str, description: str) -> None:
        super().__init__(f"{error}: {description}")
        self.destination = destination
        self.error = error
        self.description = description


@dataclass(frozen=True)
class AuthorizeRequest:
    """A valid authorization request. `redirect_uri` is where the response goes (the sent
    one, or the client's first callback); `redirect_uri_sent` is what the client sent ("" if
    nothing), which the code is bound to (RFC 6749 section 4.1.3). `api` is None for a
    /userinfo-only request, whose grant audience is settings.USERINFO_AUDIENCE."""

    application: Application
    destination: Destination
    redirect_uri_sent: str
    api: Api | None
    scopes: tuple[str, ...]
    nonce: str
    prompt: frozenset[str]
    max_age: int | None
    code_challenge: str
    code_challenge_method: str

    @property
    def redirect_uri(self) -> str:
        return self.destination.redirect_uri

    @property
    def audience(self) -> str:
        """The code's audience: the API identifier, or "" for /userinfo only."""
        return self.api.identifier if self.api is not None else ""

    @property
    def grant_audience(self) -> str:
        """The user grant's audience (section 2.3): the API, or the tenant's userinfo."""
        return self.api.identifier if self.api is not None else settings.USERINFO_AUDIENCE


Parameters = Mapping[str, Sequence[str]]


def _clean(value: str) -> bool:
    """No NUL (PostgreSQL refuses it in text) and no other C0 control character."""
    return not has_control_character(value)


def _application(params: Parameters) -> Application:
    """Step 1: a known client (a page otherwise; the id is looked up only when it could be one)."""
    values = params.get("client_id") or []
    if len(values) != 1 or not values[0]:
        raise ErrorPage(
            "invalid_request",
            "Missing required parameter: client_id"
            if not values or not values[0]
            else "Parameter 'client_id' was sent more than once.",
        )
    client_id = values[0]
    application = None
    if len(client_id) <= MAX_CLIENT_ID_LENGTH and client_id.isascii() and _clean(client_id):
        application = Application.objects.filter(client_id=client_id).first()
    if application is None:
        raise ErrorPage("invalid_request", "Unknown client.")
    return application


def _redirect_uri(application: Application, params: Parameters) -> tuple[str, str]:
    """Step 2: (where responses go, what was sent). Absent: the first registered callback, if
    it is a usable URL itself (a wildcard pattern is not)."""
    values = params.get("redirect_uri") or []
    if len(values) > 1:
        raise ErrorPage("invalid_request", CALLBACK_MISMATCH)
    sent = values[0] if values else ""
    if sent:
        if redirect_uris.callback_allowed(application, sent):
            return sent, sent
        raise ErrorPage("invalid_request", CALLBACK_MISMATCH)
    first = application.callbacks[0] if application.callbacks else ""
    if first and "*" not in first and redirect_uris.callback_allowed(application, first):
        return first, ""
    raise ErrorPage("invalid_request", CALLBACK_MISMATCH)


def _single(params: Parameters, name: str, destination: Destination) -> str:
    """The one value of `name` ("" when absent); RFC 6749 section 3.1 forbids repeats."""
    values = params.get(name) or []
    if len(values) > 1:
        raise RedirectError(
            destination, "invalid_request", f"Parameter '{name}' was sent more than once."
        )
    value = values[0] if values else ""
    if len(value) > MAX_VALUE_LENGTH or not _clean(value):
        raise RedirectError(destination, "invalid_request", f"Parameter '{name}' is malformed.")
    return value


def may_post_to(application: Application, redirect_uri: str) -> bool:
    """Whether a web_message response may be posted to (and framed by) the origin of
    `redirect_uri`: it must be one of the application's Allowed Web Origins (section 1.7,
    Auth0's rule). A matching callback is not enough: web_message hands the code to any page
    of that origin that frames or opens /authorize, not to the callback's path."""
    origin = redirect_uris.origin_of(redirect_uri)
    return origin is not None and redirect_uris.origin_allowed(application.web_origins, origin)


def _destination(application: Application, params: Parameters, redirect_uri: str) -> Destination:
    """The response mode and state, read leniently: an error about either is still delivered,
    by query when the mode is unusable, with state when there is exactly one."""
    states = params.get("state") or []
    state = states[0] if len(states) == 1 else None
    modes = params.get("response_mode") or []
    mode = modes[0] if len(modes) == 1 and modes[0] in (*RESPONSE_MODES, "fragment") else "query"
    if mode == "web_message" and not may_post_to(application, redirect_uri):
        mode = "query"  # to the registered callback itself, never posted to an unlisted origin
    return Destination(redirect_uri, mode, state)


def _check_state(params: Parameters, destination: Destination) -> None:
    states = params.get("state") or []
    if len(states) > 1:
        raise RedirectError(
            destination, "invalid_request", "Parameter 'state' was sent more than once."
        )
    if states and len(states[0]) > MAX_VALUE_LENGTH:
        # Echoing it would be as wrong as dropping it; the client must shorten it.
        raise ErrorPage("invalid_request", "Parameter 'state' is too long.")


def _response_mode(params: Parameters, destination: Destination, application: Application) -> None:
    """Step 4 (section 1.7): query, form_post or web_message. `fragment` belongs to the
    implicit and hybrid flows, which Gatehouse does not serve. web_message posts to the
    callback's origin: it must be an http(s) origin among the client's Allowed Web Origins
    (`may_post_to`); otherwise the error goes to the callback by query."""
    mode = _single(params, "response_mode", destination) or "query"
    if mode == "fragment":
        raise RedirectError(
            destination,
            "invalid_request",
            "response_mode=fragment is not supported with response_type=code.",
        )
    if mode not in RESPONSE_MODES:
        raise RedirectError(destination, "invalid_request", f"Unsupported response_mode: {mode}")
    if mode == "web_message" and redirect_uris.origin_of(destination.redirect_uri) is None:
        raise RedirectError(
            destination,
            "invalid_request",
            "response_mode=web_message needs an http(s) redirect_uri.",
        )
    if mode == "web_message" and not may_post_to(application, destination.redirect_uri):
        raise RedirectError(
            destination,
            "invalid_request",
            "response_mode=web_message needs the redirect_uri's origin in the application's "
            "Allowed Web Origins.",
        )


def _response_type(params: Parameters, destination: Destination, application: Application) -> None:
    """Step 3: `code`, for a client allowed the authorization_code grant."""
    value = _single(params, "response_type", destination)
    if not value:
        raise RedirectError(
            destination, "invalid_request", "Missing required parameter: response_type"
        )
    if value != "code":
        raise RedirectError(
            destination, "unsupported_response_type", f"Unsupported response type: {value}"
        )
    if "authorization_code" not in application.grant_type_list:
        raise RedirectError(
            destination,
            "unauthorized_client",
            "Grant type 'authorization_code' not allowed for the client.",
        )


def _prompt(params: Parameters, destination: Destination) -> frozenset[str]:
    """OIDC Core section 3.1.2.1: space-separated; `none` stands alone. `select_account`
    (one account per browser here) means `login`. Unknown values are ignored (lenient, as
    for the other parameters Gatehouse does not implement)."""
    values = frozenset(_single(params, "prompt", destination).split(" ")) - {""}
    if "none" in values and len(values & set(PROMPTS)) > 1:
        raise RedirectError(
            destination,
            "invalid_request",
            "Parameter 'prompt' may not combine none with other values.",
        )
    if "select_account" in values:
        values = values | {"login"}
    return frozenset(values & {"none", "login", "consent"})


def _max_age(params: Parameters, destination: Destination) -> int | None:
    value = _single(params, "max_age", destination)
    if value == "":
        return None
    if not value.isascii() or not value.isdigit() or len(value) > 10:
        raise RedirectError(
            destination, "invalid_request", "Parameter 'max_age' must be a non-negative integer."
        )
    return int(value)


def _pkce(
    params: Parameters, destination: Destination, application: Application
) -> tuple[str, str]:
    """Section 1.4: a well-formed challenge; required for public clients (auth method
    `none`) and third-party clients (RFC 9700 section 2.1.1); never `plain` for third-party
    clients."""
    challenge = _single(params, "code_challenge", destination)
    method = _single(params, "code_challenge_method", destination)
    if not challenge:
        if method:
            raise RedirectError(
                destination, "invalid_request", "Missing required parameter: code_challenge"
            )
        public = application.token_endpoint_auth_method == TokenEndpointAuthMethod.NONE
        if public or not application.is_first_party:
            raise RedirectError(
                destination, "invalid_request", "Parameter 'code_challenge' is required"
            )
        return "", ""
    method = method or pkce.PLAIN  # RFC 7636 section 4.3
    error = pkce.challenge_error(challenge, method)
    if error:
        raise RedirectError(destination, "invalid_request", error)
    if method == pkce.PLAIN and not application.is_first_party:
        raise RedirectError(
            destination,
            "invalid_request",
            "Third-party applications must use code_challenge_method=S256.",
        )
    return challenge, method


def _api(params: Parameters, destination: Destination) -> Api | None:
    """Step 5 (section 1.5): `audience` (or its RFC 8707 alias `resource`), else the tenant's
    default audience, else None (/userinfo only). The Management API is never granted to an
    end user: its scopes administer the tenant."""
    audience = _single(params, "audience", destination) or _single(params, "resource", destination)
    if not audience:
        api = TenantSettings.objects.current().default_audience
        return None if api is None or api.is_system else api
    api = None
    if len(audience) <= 600:
        api = Api.objects.filter(identifier=audience).first()
    if api is None or api.is_system:
        raise RedirectError(destination, "access_denied", f"Service not found: {audience}")
    return api


def _scopes(params: Parameters, destination: Destination, api: Api | None) -> tuple[str, ...]:
    """Section 1.1: the OIDC scopes, offline_access when the API allows it, and the API's
    own scopes, in the order asked, once each; anything else is silently dropped."""
    requested = _single(params, "scope", destination).split(" ")
    known = set(OIDC_SCOPES)
    if api is not None:
        known |= set(api.scopes.values_list("value", flat=True))
        if api.allow_offline_access:
            known.add(OFFLINE_ACCESS)
    return tuple(dict.fromkeys(value for value in requested if value in known))


def parse(params: Parameters) -> AuthorizeRequest:
    """Validates an authorization request (section 1.2, steps 1-5) given its parameters as
    lists of values (a QueryDict's lists). Raises ErrorPage or RedirectError."""
    application = _application(params)
    redirect_uri, redirect_uri_sent = _redirect_uri(application, params)
    destination = _destination(application, params, redirect_uri)
    _check_state(params, destination)
    _response_type(params, destination, application)
    _response_mode(params, destination, application)
    for name in ("organization", "invitation"):
        if _single(params, name, destination):
            raise RedirectError(
                destination,
                "invalid_request",
                f"Parameter '{name}' is not supported: there are no organizations.",
            )
    prompt = _prompt(params, destination)
    max_age = _max_age(params, destination)
    challenge, method = _pkce(params, destination, application)
    nonce = _single(params, "nonce", destination)
    api = _api(params, destination)
    return AuthorizeRequest(
        application=application,
        destination=destination,
        redirect_uri_sent=redirect_uri_sent,
        api=api,
        scopes=_scopes(params, destination, api),
        nonce=nonce,
        prompt=prompt,
        max_age=max_age,
        code_challenge=challenge,
        code_challenge_method=method,
    )
