"""The address a request came from, for rate limits and log events.

REMOTE_ADDR, unless settings.TRUSTED_PROXY_HOPS says that many reverse proxies of ours stand
in front: then the address that the outermost of them saw, read from the right of
X-Forwarded-For (the left part is whatever the client wrote, and can be forged). Anything
that is not an IP address gives "" rather than a made-up one.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(text: str) -> str:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return ""


# Where client_ip keeps its answer on the request: the token endpoint asks twice (its rate
# limit and its log event), and parsing an address costs more than the rest of either.
_ATTRIBUTE = "_gatehouse_client_ip"


def client_ip(request: HttpRequest) -> str:
    """The client's IP address as text (IPv4 or IPv6), or "" when it cannot be told."""
    known = getattr(request, _ATTRIBUTE, None)
    if known is not None:
        return known
    address = _valid(request.META.get("REMOTE_ADDR", ""))
    hops = settings.TRUSTED_PROXY_HOPS
    if hops > 0:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if len(forwarded) >= hops:
            address = _valid(forwarded[-hops])
    setattr(request, _ATTRIBUTE, address)
    return address
