"""Which URLs an application may register and which a request may use (AUTH0_USER_FLOWS.md
sections 1.3, 6 and 1.7; RFC 6749 section 3.1.2; RFC 8252 sections 7.3 and 8.6).

Matching is exact string comparison, or one `*` in the leftmost host label of an http(s)
URL that stands for exactly one label, compared on the parsed URL. Never a prefix match:
prefix matching is how `https://app.example.com*` came to accept
`https://app.example.com.evil.com` elsewhere (section 9, complaint 9). URLs with userinfo,
a fragment, a backslash, whitespace or control characters are refused outright, registered
or requested, because parsers disagree about where their host ends; non-ASCII ones too,
because a Location header cannot carry them.
"""

import ipaddress
import re
from collections.abc import Iterable
from typing import Protocol
from urllib.parse import SplitResult, urlsplit

MAX_URLS = 100
# One host label as the wildcard may stand for it: letters, digits and hyphens.
_LABEL = re.compile(r"^[a-z0-9-]+$")
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*$")
# Characters no registered or requested URL may contain (RFC 3986 excludes them; browsers
# and Python read them differently).
_FORBIDDEN = re.compile(r"[\x00-\x20\x7f\\]")
# URLs are ASCII (RFC 3986 section 2): Django would MIME-encode a non-ASCII Location header,
# which browsers then read as a relative URL on Gatehouse, code and all.
_ASCII = re.compile(r"^[\x00-\x7f]*$")
WEB_SCHEMES = ("http", "https")


class BrowserSettings(Protocol):
    """What matching needs of an application (applications.models.Application)."""

    callbacks: list[str]
    allow_loopback_any_port: bool


def _characters_allowed(url: object) -> bool:
    # A string of printable ASCII without space or backslash (_FORBIDDEN and _ASCII say why).
    return isinstance(url, str) and not _FORBIDDEN.search(url) and bool(_ASCII.match(url))


def _split(url: str) -> SplitResult | None:
    """The parsed URL, or None when it is not one we are willing to compare."""
    if not url or len(url) > 2000 or not _characters_allowed(url):
        return None
    if "#" in url:
        return None
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  # raises ValueError on a port that is not a number
    except ValueError:
        return None
    if not _SCHEME.match(parts.scheme):
        return None
    if "@" in parts.netloc:
        return None
    return parts


def _wildcard_error(host: str) -> str | None:
    labels = host.split(".")
    if host.count("*") > 1:
        return "may contain at most one wildcard (*)"
    if "*" not in labels[0]:
        return "may use a wildcard (*) only in the leftmost label of the host"
    if len(labels) < 3:
        return "may not use a wildcard for a top-level or registrable domain (*.com)"
    if not _LABEL.match(labels[0].replace("*", "x")):
        return "has an invalid wildcard label"
    return None


def registration_error(url: str, kind: str) -> str | None:
    """Why `url` may not be registered as `kind`, or None when it may.

    `kind` is "callback" or "logout" (full URLs; custom schemes allowed for native apps),
    or "web_origin" or "allowed_origin" (origins: scheme, host and port, no path). The
    message is a sentence fragment to follow the URL, e.g. "must not contain a fragment".
    """
    if not isinstance(url, str) or not url:
        return "must be a non-empty string"
    if len(url) > 2000:
        return "must be at most 2000 characters"
    if _FORBIDDEN.search(url):
        return "must not contain whitespace, control characters or backslashes"
    if not _ASCII.match(url):
        return (
            "must be ASCII: percent-encode other characters (RFC 3986 section 2.1) and write "
            "an internationalized host in its xn-- form"
        )
    if "#" in url:
        return "must not contain a fragment (#)"
    parts = _split(url)
    if parts is None:
        if "@" in url.split("?")[0]:
            return "must not contain user information (user@)"
        try:
            urlsplit(url).port  # noqa: B018
        except ValueError:
            return "must have a numeric port between 0 and 65535"
        return "must be an absolute URL"
    web = parts.scheme in WEB_SCHEMES
    if web and not parts.hostname:
        return "must have a host"
    if "*" in url:
        if not web:
            return "may use a wildcard (*) only in http and https URLs"
        if "*" in url.replace(parts.netloc, "", 1):
            return "may use a wildcard (*) only in the host"
        error = _wildcard_error(parts.hostname or "")
        if error:
            return error
    if kind in ("web_origin", "allowed_origin"):
        if not web:
            return "must be an http or https origin"
        if parts.path not in ("", "/") or parts.query:
            return "must be an origin (scheme, host and port) without a path or query"
    elif kind in ("callback", "logout"):
        if not web and not parts.netloc and not parts.path:
            return "must be an absolute URL"
    else:
        raise ValueError(f"unknown kind {kind!r}")
    return None


def _host_matches(pattern: str, host: str) -> bool:
    """`pattern` (lowercase, maybe one `*` in its first label) against a lowercase host."""
    if "*" not in pattern:
        return pattern == host
    pattern_labels, labels = pattern.split("."), host.split(".")
    if len(pattern_labels) != len(labels) or pattern_labels[1:] != labels[1:]:
        return False
    prefix, _, suffix = pattern_labels[0].partition("*")
    first = labels[0]
    return (
        bool(_LABEL.match(first))
        and len(first) > len(prefix) + len(suffix)
        and first.startswith(prefix)
        and first.endswith(suffix)
    )


def _same_place(registered: SplitResult, requested: SplitResult, *, any_port: bool) -> bool:
    """Scheme, host (wildcard allowed), port; not path or query."""
    if registered.scheme != requested.scheme or requested.scheme not in WEB_SCHEMES:
        return False
    if not _host_matches((registered.hostname or ""), (requested.hostname or "")):
        return False
    return any_port or registered.port == requested.port


def _is_loopback_ip_literal(parts: SplitResult) -> bool:
    # RFC 8252 section 7.3: IP literals only; `localhost` is not guaranteed to be loopback.
    return parts.scheme == "http" and (parts.hostname or "") in ("127.0.0.1", "::1")


def callback_allowed(application: BrowserSettings, redirect_uri: str) -> bool:
    """Whether `redirect_uri` may receive this application's authorization responses.

    Exact string match with a registered callback, or a registered wildcard callback whose
    scheme, port, path and query equal the request's and whose host pattern matches it;
    with `allow_loopback_any_port`, a registered http://127.0.0.1 or http://[::1] callback
    matches the same URL on any port (RFC 8252 section 7.3).
    """
    requested = _split(redirect_uri)
    if requested is None:
        return False
    for url in application.callbacks:
        if url == redirect_uri:
            return True
        registered = _split(url)
        if registered is None:
            continue
        any_port = application.allow_loopback_any_port and _is_loopback_ip_literal(registered)
        if ("*" in url or any_port) and (
            _same_place(registered, requested, any_port=any_port)
            and registered.path == requested.path
            and registered.query == requested.query
        ):
            return True
    return False


def logout_url_allowed(urls: Iterable[str], url: str) -> bool:
    """Whether `url` is one of `urls` (Allowed Logout URLs), ignoring query and fragment on
    both sides (Auth0's rule), with the same wildcard rule as callbacks. The fragment is
    ignored for matching but is still redirected to, so it too may hold no whitespace or
    control character (a line break there would be a header injection)."""
    if not _characters_allowed(url):
        return False
    without_fragment = url.split("#", 1)[0]
    requested = _split(without_fragment)
    if requested is None:
        return False
    for candidate in urls:
        registered = _split(candidate.split("#", 1)[0])
        if registered is None:
            continue
        if "*" in candidate:
            place = _same_place(registered, requested, any_port=False)
        else:
            place = (registered.scheme, registered.netloc) == (requested.scheme, requested.netloc)
        if place and registered.path == requested.path:
            return True
    return False


def origin_of(url: str) -> str | None:
    """The origin (RFC 6454) `scheme://host[:port]` of an http(s) URL, or None."""
    parts = _split(url)
    if parts is None or parts.scheme not in WEB_SCHEMES or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.netloc.lower()}"


def origin_allowed(origins: Iterable[str], origin: str) -> bool:
    """Whether the browser origin `origin` (as in an Origin header) is one of `origins`,
    compared as origins (a registered trailing slash is ignored), wildcards as for callbacks."""
    requested = _split(origin)
    if requested is None or requested.path or requested.query:
        return False
    for candidate in origins:
        registered = _split(candidate.rstrip("/"))
        if registered is None:
            continue
        if _same_place(registered, requested, any_port=False) and (
            "*" in candidate or registered.netloc.lower() == requested.netloc.lower()
        ):
            return True
    return False


def is_non_verifiable(redirect_uri: str) -> bool:
    """Whether a callback cannot prove which application receives it, so consent is always
    asked (AUTH0_USER_FLOWS.md section 2.2; RFC 8252 section 8.6): `localhost` (and names
    under `.localhost`, RFC 6761), 127.0.0.0/8, [::1], and custom URI schemes (any native
    app can claim one). Stricter than Auth0, which names only `localhost`."""
    parts = _split(redirect_uri)
    if parts is None:
        return True
    if parts.scheme not in WEB_SCHEMES:
        return True
    host = (parts.hostname or "").rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
