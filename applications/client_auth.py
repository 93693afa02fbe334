"""Client authentication at the token endpoint for the grants that act for a user (RFC 6749
section 2.3; AUTH0_USER_FLOWS.md section 3.1), used by the refresh grant
(applications/refresh_grant.py) and the revocation endpoint (applications/revocation.py;
RFC 7009 section 2.1) with the code grant's rules: a confidential client
(client_secret_post or client_secret_basic) sends its secret in the body or in HTTP Basic,
whatever its configured method; a public client (`none`) sends only its client_id, and a
secret it sends anyway is checked. Every failure is Auth0's 401 access_denied "Unauthorized";
the server log says why (section 9, complaint 13), never with the secret, and an unknown
client_id is not logged at all (it may be a secret pasted into the wrong field).
"""

import logging
from typing import Protocol

from applications import credentials, grant_lookup
from applications.models import Application, TokenEndpointAuthMethod
from applications.oauth import (
    CLIENT_SECRET_REQUIRED,
    UNKNOWN_CLIENT,
    WRONG_CLIENT_SECRET,
    OAuthError,
)

logger = logging.getLogger(__name__)


class ClientCredentials(Protocol):
    """What a request carries to authenticate its client: oauth.TokenRequest, and
    revocation.RevocationRequest."""

    @property
    def client_id(self) -> str | None: ...

    @property
    def client_secret(self) -> str | None: ...

    @property
    def used_basic_auth(self) -> bool: ...


def _unauthorized(
    request: ClientCredentials, grant: str, reason: str, *, known: bool, code: str
) -> OAuthError:
    client = repr(request.client_id) if known else "(unknown)"
    logger.info("%s refused for client %s: %s", grant, client, reason)
    return OAuthError(
        401,
        "access_denied",
        "Unauthorized",
        basic_challenge=request.used_basic_auth,
        reason=code,
    )


def authenticate(request: ClientCredentials, grant: str) -> Application:
    """The client `request` authenticates as, or the 401 that an unknown client, a missing
    secret and a wrong one share. `grant` names the grant in log lines ("refresh"). The
    application is a copy of the one this connection's grant cache holds; call it outside
    any transaction (inside one it reads the database)."""
    # From the connection's cache (grant_lookup.application): no query on a warm connection.
    application = grant_lookup.application(request.client_id) if request.client_id else None
    if application is None:
        raise _unauthorized(request, grant, "unknown client", known=False, code=UNKNOWN_CLIENT)
    secret = request.client_secret or None
    if secret is not None and not credentials.verify_secret(secret, application.secret_digest):
        raise _unauthorized(
            request, grant, "wrong client secret", known=True, code=WRONG_CLIENT_SECRET
        )
    if secret is None and application.token_endpoint_auth_method != TokenEndpointAuthMethod.NONE:
        raise _unauthorized(
            request,
            grant,
            "client secret required (token_endpoint_auth_method is "
            f"{application.token_endpoint_auth_method}; public clients use none)",
            known=True,
            code=CLIENT_SECRET_REQUIRED,
        )
    return application
