"""A client's refresh-token settings: Auth0's `refresh_token` object (AUTH0_USER_FLOWS.md
section 4.3) as Application columns, its Management API shape, and the lifetimes it means.

New clients get Auth0's recorded defaults (non-rotating, non-expiring, leeway 0, 30 days
absolute and 15 days idle, both infinite), except single-page applications: they keep their
refresh tokens in the browser, so from now on they start rotating and expiring (the OAuth
browser-apps BCP, and section 4.3: "SPAs default to rotating") with a SPA_LEEWAY-second
overlap period, because several `getTokenSilently` calls in one page or in two tabs share one
refresh token and would otherwise trip reuse detection (section 9, complaint 1). Existing
clients keep what they have. The rules (rotating requires expiring, idle <= absolute, the
maximum) are Application.clean()'s and database constraints'.
"""

from typing import Any

from applications.models import (
    DEFAULT_REFRESH_IDLE_LIFETIME,
    DEFAULT_REFRESH_TOKEN_LIFETIME,
    REFRESH_TOKEN_COLUMNS,
    Application,
    AppType,
    ExpirationType,
    RotationType,
)

# Seconds in which the parent of a family's newest token may be exchanged again (section 4.4)
# for a SPA created now: enough for parallel calls and one retry after a lost response,
# short enough that a stolen, already-used token is useless soon after.
SPA_LEEWAY = 10

# Management API member -> Application column.
COLUMNS = REFRESH_TOKEN_COLUMNS
MEMBER_OF = {column: member for member, column in COLUMNS.items()}


def defaults_for(app_type: str) -> dict[str, Any]:
    """The columns of a new application of `app_type` (see the module docstring)."""
    values: dict[str, Any] = {
        "refresh_rotation_type": RotationType.NON_ROTATING,
        "refresh_expiration_type": ExpirationType.NON_EXPIRING,
        "refresh_leeway": 0,
        "refresh_token_lifetime": DEFAULT_REFRESH_TOKEN_LIFETIME,
        "refresh_infinite_token_lifetime": True,
        "refresh_idle_token_lifetime": DEFAULT_REFRESH_IDLE_LIFETIME,
        "refresh_infinite_idle_token_lifetime": True,
    }
    if app_type == AppType.SPA:
        values.update(
            refresh_rotation_type=RotationType.ROTATING,
            refresh_expiration_type=ExpirationType.EXPIRING,
            refresh_leeway=SPA_LEEWAY,
            refresh_infinite_token_lifetime=False,
            refresh_infinite_idle_token_lifetime=False,
        )
    return values


def columns_from(member_values: dict[str, Any]) -> dict[str, Any]:
    """A `refresh_token` object (already validated by its schema) as Application columns.
    Members left out are not in the result: they keep their current values. `policies`
    (multi-resource refresh tokens) is not supported and must be absent, null or empty."""
    return {COLUMNS[name]: value for name, value in member_values.items() if name in COLUMNS}


def is_rotating(application: Application) -> bool:
    return application.refresh_rotation_type == RotationType.ROTATING


def absolute_lifetime(application: Application) -> int | None:
    """Seconds a family lives from its first token, None for no limit: non-expiring, or
    expiring with `infinite_token_lifetime` (which takes precedence, section 4.3)."""
    if (
        application.refresh_expiration_type != ExpirationType.EXPIRING
        or application.refresh_infinite_token_lifetime
    ):
        return None
    return application.refresh_token_lifetime


def idle_lifetime(application: Application) -> int | None:
    """Seconds a token may go unused, None for no limit (as absolute_lifetime)."""
    if (
        application.refresh_expiration_type != ExpirationType.EXPIRING
        or application.refresh_infinite_idle_token_lifetime
    ):
        return None
    return application.refresh_idle_token_lifetime
