"""Who is acting, and through which surface: set once per request or command, read by the
log events of configuration changes (logs/audit.py).

Each surface sets it at its edge and nowhere else: ActorMiddleware (config/middleware.py) for
every HTTP request (the console, the Django admin, the Management API), keys/bearer.py adds the
Management API token's client once it is verified, and config/cli.py's StrictCommand for
management commands. Domain modules never see a request; they read `current()`. Plumbing:
nothing here imports an app (logs imports this, not the other way round).
"""

import getpass
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any

CONSOLE = "console"
API = "api"
CLI = "cli"
ADMIN = "admin"
# No surface set one: code run by Gatehouse itself or by a test calling a domain function.
SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    """Who acts (`name`: the staff username, the Management API token's client_id (its `azp`),
    or the OS user running a command) through `channel` (CONSOLE, API, CLI, ADMIN or SYSTEM).
    HTTP actors carry the client's `ip`, `user_agent`, `hostname`, the `method` and `path`;
    a command carries its name in `command`. `scopes` are the Management API token's.
    `name_from` computes the name when first needed (the console's user is read lazily, so
    public endpoints never load a session for it)."""

    channel: str
    name: str = ""
    scopes: tuple[str, ...] = ()
    ip: str = ""
    user_agent: str = ""
    hostname: str = ""
    method: str = ""
    path: str = ""
    command: str = ""
    name_from: Callable[[], str] | None = field(default=None, compare=False, repr=False)

    def resolved_name(self) -> str:
        if self.name or self.name_from is None:
            return self.name
        return self.name_from()

    def details(self) -> dict[str, Any]:
        """The `details` members of a log event made by this actor: `channel`, `actor`
        ({"name", and "scopes" for a token}), and `request` ({"method", "path"}) for HTTP or
        `command` for the CLI."""
        actor: dict[str, Any] = {"name": self.resolved_name()}
        if self.scopes:
            actor["scopes"] = list(self.scopes)
        body: dict[str, Any] = {"channel": self.channel, "actor": actor}
        if self.method:
            body["request"] = {"method": self.method, "path": self.path}
        if self.command:
            body["command"] = self.command
        return body


# An Actor, or a function that makes one when first asked (most requests change nothing, and
# /oauth/token should not pay for reading the client's address and host).
_current: ContextVar[Actor | Callable[[], Actor] | None] = ContextVar(
    "gatehouse_actor", default=None
)


def current() -> Actor:
    """The actor set by the surface handling this request or command, or a SYSTEM actor."""
    value = _current.get()
    if value is None:
        return Actor(channel=SYSTEM)
    if not isinstance(value, Actor):
        value = value()
        _current.set(value)  # made once; `acting` restores the previous value at its end
    return value


@contextmanager
def acting(actor: Actor | Callable[[], Actor]) -> Iterator[None]:
    """Make `actor` (or the Actor that function makes, when first needed) current for the
    duration of the block; restored afterwards, also on errors, so nothing leaks into the
    next request a thread serves."""
    token = _current.set(actor)
    try:
        yield
    finally:
        _current.reset(token)


def identify(**changes: Any) -> Actor:
    """Refine the current actor once more is known (the Management API sets the verified
    token's client and scopes). Only inside an `acting` block."""
    actor = replace(current(), **changes)
    _current.set(actor)
    return actor


def os_user() -> str:
    """The operating-system user running a management command ("" when it has none)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry and no LOGNAME/USER in a container
        return ""
