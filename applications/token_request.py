"""The token request as it arrives on the wire, read into an `oauth.TokenRequest`.

RFC 6749 section 4.4.2 defines the client-credentials request as a form body (appendix B);
Auth0's SDKs also send it as a JSON object, so both are read, with the same parameters and
the same limits. The client authenticates with HTTP Basic or with `client_secret` in the body
(section 2.3.1), never both. RFC 8707's `resource` is read here and checked for syntax only.
Nothing here decides whether a token is issued (that is `oauth.exchange`), and nothing here
reads the database. Every refusal is an `OAuthError` (400 invalid_request, section 5.2, or
RFC 8707's invalid_target for a resource that is no absolute URI or is repeated).
"""

import base64
import binascii
import json
import re
from typing import Any
from urllib.parse import parse_qsl, unquote_plus

from applications.oauth import OAuthError, TokenRequest, invalid_request

MAX_BODY_BYTES = 16 * 1024
MAX_PARAMETER_CHARS = 4096
PARAMETERS = (
    "grant_type",
    "client_id",
    "client_secret",
    "audience",
    "resource",
    "scope",
    "organization",
    # The authorization-code grant's (RFC 6749 section 4.1.3; RFC 7636 section 4.5).
    "code",
    "redirect_uri",
    "code_verifier",
    # The refresh grant's (RFC 6749 section 6).
    "refresh_token",
)

# C0 controls, DEL and lone surrogates (JSON can carry "\ud800"): never part of a credential.
_FORBIDDEN_CHARACTERS = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
# RFC 9110 section 5.6.2: an authentication scheme is a token.
_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
# RFC 9110 section 5.6.3: optional whitespace (OWS) is SP or HTAB, nothing else.
OWS = " \t"
# RFC 3986 section 4.3: absolute-URI = scheme ":" hier-part [ "?" query ], checked by its
# characters: a scheme, then only unreserved, sub-delims, ":", "@", "/", "?", "[", "]" and
# well-formed percent-escapes. No "#": RFC 8707 section 2 forbids a fragment.
_ABSOLUTE_URI = re.compile(
    r"[A-Za-z][A-Za-z0-9+.\-]*:(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?\[\]]|%[0-9A-Fa-f]{2})*"
)


def _check_text(name: str, value: str) -> str:
    if len(value) > MAX_PARAMETER_CHARS:
        raise invalid_request(f"Parameter '{name}' is too long.")
    if _FORBIDDEN_CHARACTERS.search(value):
        raise invalid_request(f"Parameter '{name}' contains control characters or invalid Unicode.")
    return value


def _form_parameters(body: bytes, names: tuple[str, ...]) -> dict[str, str]:
    try:
        text = body.decode("ascii")  # a form body is percent-encoded ASCII (RFC 6749 app. B)
        pairs = parse_qsl(
            text, keep_blank_values=True, encoding="utf-8", errors="strict", max_num_fields=64
        )
    except (UnicodeDecodeError, ValueError) as error:
        raise invalid_request("The request body is not valid form-encoded UTF-8.") from error
    params: dict[str, str] = {}
    for name, value in pairs:
        if name in names:
            if name == "resource" and name in params:
                raise _one_resource()
            if name in params:
                raise invalid_request(f"Parameter '{name}' must not be repeated.")
            params[name] = _check_text(name, value)
    return params


def _one_resource() -> OAuthError:
    # RFC 8707 section 2 allows several; Auth0's tokens have one audience, a string.
    return OAuthError(
        400,
        "invalid_target",
        "Gatehouse issues a token for one resource at a time: send one resource parameter.",
    )


def _checked_resource(resource: str | None) -> str | None:
    """RFC 8707 section 2: the resource is an absolute URI (RFC 3986 section 4.3) without a
    fragment; else invalid_target. Empty means absent (RFC 6749 section 3.2)."""
    if resource and not _ABSOLUTE_URI.fullmatch(resource):
        raise OAuthError(
            400,
            "invalid_target",
            "The resource parameter must be an absolute URI without a fragment "
            "(RFC 8707 section 2).",
        )
    return resource or None


def _reject_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for name, value in pairs:
        if name == "resource" and name in result:
            raise _one_resource()
        if name in result:
            raise invalid_request(f"Parameter '{name}' must not be repeated.")
        result[name] = value
    return result


def _json_parameters(body: bytes, names: tuple[str, ...]) -> dict[str, str]:
    try:
        document = json.loads(body.decode("utf-8"), object_pairs_hook=_reject_duplicate_keys)
    except OAuthError:
        raise
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise invalid_request("The request body is not valid JSON.") from error
    if not isinstance(document, dict):
        raise invalid_request("The request body must be a JSON object.")
    params: dict[str, str] = {}
    for name in names:
        value = document.get(name)
        # Auth0's SDKs send "organization": null, "redirect_uri": null and "scope": "";
        # null and "" mean absent (AUTH0_USER_FLOWS.md section 0, row 6).
        if value is None or value == "":
            continue
        if not isinstance(value, str):
            raise invalid_request(f"Parameter '{name}' must be a string.")
        params[name] = _check_text(name, value)
    return params


def _authorization(header: str | None) -> tuple[str, str] | None:
    """The Authorization header as (scheme in lower case, credentials), None when absent or
    empty. RFC 9110 sections 5.5 and 11.4: `auth-scheme [ 1*SP credentials ]` inside optional
    SP/HTAB. Only those two characters are whitespace here; a scheme that is not a token (say
    "Basic" glued to its credentials by U+00A0) makes the header malformed, never something
    to guess at."""
    value = (header or "").strip(OWS)
    if not value:
        return None
    scheme, _, rest = value.partition(" ")
    if not _TOKEN.fullmatch(scheme):
        raise invalid_request("The Authorization header is malformed.")
    return scheme.lower(), rest.lstrip(" ")


def _basic_credentials(encoded: str) -> tuple[str, str]:
    """RFC 7617 section 2 and RFC 6749 section 2.3.1: `encoded` is the token68 after
    "Basic" and its spaces, the base64 of the form-urlencoded id and secret joined by ':'.
    Nothing is stripped from it: any other character makes it malformed."""
    try:
        decoded = base64.b64decode(encoded, validate=True).decode("utf-8")
    except (binascii.Error, ValueError) as error:
        raise invalid_request("The Basic authorization header is malformed.") from error
    if ":" not in decoded:
        raise invalid_request("The Basic authorization header is malformed.")
    client_id, _, client_secret = decoded.partition(":")
    return (
        _check_text("client_id", unquote_plus(client_id)),
        _check_text("client_secret", unquote_plus(client_secret)),
    )


def read_parameters(content_type: str, body: bytes, names: tuple[str, ...]) -> dict[str, str]:
    """The parameters `names` of a form or JSON body, with the limits described in `parse`.
    Shared by the token endpoint and the revocation endpoint (RFC 7009 section 2.1 uses the
    token endpoint's encoding and client authentication)."""
    # RFC 9110 section 8.3.1: the media type ends at ";" or OWS; no other padding is one.
    media_type = content_type.split(";", 1)[0].strip(OWS).lower()
    if media_type == "application/x-www-form-urlencoded":
        return _form_parameters(body, names)
    if media_type == "application/json":
        return _json_parameters(body, names)
    raise invalid_request(
        "Content-Type must be application/x-www-form-urlencoded or application/json."
    )


def client_credentials(
    params: dict[str, str], authorization: str | None
) -> tuple[str | None, str | None, bool]:
    """(client_id, client_secret, used_basic_auth) from the body's parameters and the
    Authorization header (RFC 6749 section 2.3.1): a "Basic" header carries the id and
    secret, and then the body must not carry client_secret, and a client_id in the body
    must match."""
    client_id = params.get("client_id")
    client_secret = params.get("client_secret")
    # The scheme alone ("Basic", "Basic   ") is a broken Basic header, not an absent one.
    scheme_and_credentials = _authorization(authorization)
    if scheme_and_credentials is None or scheme_and_credentials[0] != "basic":
        return client_id, client_secret, False
    if client_secret is not None:
        raise invalid_request(
            "Use one client authentication method: HTTP Basic or client_secret in the "
            "body, not both."
        )
    basic_id, client_secret = _basic_credentials(scheme_and_credentials[1])
    if client_id is not None and client_id != basic_id:
        raise invalid_request("client_id in the body does not match the Basic credentials.")
    return basic_id, client_secret, True


def parse(content_type: str, body: bytes, authorization: str | None) -> TokenRequest:
    """Read a token request (RFC 6749 section 4.4.2) from its parts.

    `content_type` is the Content-Type header's value as sent ("" when absent; parameters
    such as charset are ignored): application/x-www-form-urlencoded or application/json. `body` is
    the raw body, at most MAX_BODY_BYTES (16 KiB; the view refuses more with a 413).
    `authorization` is the Authorization header's value, or None; a "Basic" one carries the
    client id and secret (section 2.3.1), and then the body must not carry client_secret, and
    a client_id in the body must match.

    Only PARAMETERS are read, each a string of at most MAX_PARAMETER_CHARS characters without
    control characters; others are ignored, a repeated one is refused, and a JSON null means
    absent. A missing parameter is None in the TokenRequest: `oauth.exchange` says which are
    required. Raises OAuthError(400, "invalid_request") for anything malformed (section 5.2),
    and OAuthError(400, "invalid_target") for a `resource` that is repeated or is not an
    absolute URI without a fragment (RFC 8707 section 2; an empty one is absent).
    """
    params = read_parameters(content_type, body, PARAMETERS)
    client_id, client_secret, used_basic = client_credentials(params, authorization)
    return TokenRequest(
        grant_type=params.get("grant_type"),
        client_id=client_id,
        client_secret=client_secret,
        audience=params.get("audience"),
        resource=_checked_resource(params.get("resource")),
        scope=params.get("scope"),
        used_basic_auth=used_basic,
        code=params.get("code"),
        redirect_uri=params.get("redirect_uri"),
        code_verifier=params.get("code_verifier"),
        refresh_token=params.get("refresh_token"),
    )
