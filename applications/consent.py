"""Whether the user must be asked to consent (AUTH0_USER_FLOWS.md section 2.3), and what the
consent page explains (section 2.4).

The rule, in the contract's order:
1. `prompt=consent` asks, always;
2. a first-party client, at an API that allows skipping consent for verifiable first-party
   clients, with a verifiable callback (not localhost, loopback or a custom scheme:
   redirect_uris.is_non_verifiable, section 2.2 and RFC 8252 section 8.6), skips;
3. the /userinfo pseudo-audience with a first-party client and a verifiable callback skips;
4. otherwise a stored grant covering every requested scope skips, and anything else asks.
A third-party client therefore always asks until the user has granted those scopes.
"""

from enum import StrEnum

from applications import redirect_uris, user_grants
from applications.authorize import AuthorizeRequest
from users.models import User


class Reason(StrEnum):
    """Why the consent page is shown (the page says so in plain words)."""

    PROMPT = "prompt"
    NON_VERIFIABLE = "non_verifiable"
    THIRD_PARTY = "third_party"
    NEW_SCOPES = "new_scopes"
    FIRST_TIME = "first_time"


EXPLANATIONS = {
    Reason.PROMPT: "The application asked to confirm your consent again.",
    Reason.NON_VERIFIABLE: (
        "This application receives the answer at a local or custom address "
        "(such as localhost), which cannot prove which application it is, so you are "
        "always asked."
    ),
    Reason.THIRD_PARTY: "This is a third-party application, not one run by this service.",
    Reason.NEW_SCOPES: "The application asks for more than you allowed before.",
    Reason.FIRST_TIME: "You have not given this application access before.",
}


def required(request: AuthorizeRequest, user: User) -> Reason | None:
    """Why the user must be asked, or None when consent is not needed (section 2.3)."""
    application = request.application
    if "consent" in request.prompt:
        return Reason.PROMPT
    verifiable = application.is_first_party and not redirect_uris.is_non_verifiable(
        request.redirect_uri
    )
    if verifiable and (
        request.api is None or request.api.skip_consent_for_verifiable_first_party_clients
    ):
        return None
    grant = user_grants.find(user, application, request.grant_audience, request.api)
    if user_grants.covers(grant, request.scopes):
        return None
    if grant is not None:
        return Reason.NEW_SCOPES
    if not application.is_first_party:
        return Reason.THIRD_PARTY
    if redirect_uris.is_non_verifiable(request.redirect_uri):
        return Reason.NON_VERIFIABLE
    return Reason.FIRST_TIME


OIDC_SCOPE_DESCRIPTIONS = {
    "openid": "Confirm your identity (your user id)",
    "profile": "See your profile: name, nickname and picture",
    "email": "See your email address and whether it is verified",
    "offline_access": "Stay signed in to it: keep access when you are not using it",
}


def describe_scopes(request: AuthorizeRequest) -> list[tuple[str, str]]:
    """(scope, plain-language description) for each requested scope: the OIDC ones in
    words, the API's with their description (or their name when it has none)."""
    descriptions: dict[str, str] = {}
    if request.api is not None:
        descriptions = dict(request.api.scopes.values_list("value", "description"))
    return [
        (scope, OIDC_SCOPE_DESCRIPTIONS.get(scope) or descriptions.get(scope) or scope)
        for scope in request.scopes
    ]
