"""Brute-force protection of end users' sign-in: Auth0's attack protection
(AUTH0_USER_FLOWS.md section 7.4; https://auth0.com/docs/secure/attack-protection/brute-force-protection).

Failed sign-ins are counted per (identifier, IP), or per identifier alone in mode
`count_per_identifier`. When a count reaches `max_attempts` the pair is blocked: even the
right password is refused. A block ends when
- 30 days have passed since the last failure (Auth0's rule; computed, nothing to sweep),
- an administrator releases it (console, `DELETE /api/v2/user-blocks...`),
- the user's password is set (console, Management API, CLI),
- or `max_attempts` is raised above the count (blocks are computed against the current value).

Identifiers are counted whether or not an account has them, so the answer to a guessed email
is the same as to a registered one: a block reveals nothing about which emails exist.

Counting is race-safe on every database: the pair's row is created with an insert that
ignores a conflict, then locked (SELECT ... FOR UPDATE on PostgreSQL; SQLite serialises
writers) and incremented, so N concurrent failures count exactly N. The sign-in path costs
one query for the settings, one indexed lookup for the block, and on a failure one insert and
one locked update (on a success one delete). Nothing here sees a request.
"""

import datetime as dt
import functools
import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from logs import audit, events
from logs.types import BLOCKED_ACCOUNT, USER_BLOCK_RELEASED
from users.models import (
    BRUTE_FORCE_SETTINGS_ID,
    CONNECTION,
    BruteForceMode,
    BruteForceSettings,
    FailedLoginCount,
)

# Auth0: a block lasts until released, or 30 days.
BLOCK_LIFETIME = dt.timedelta(days=30)
BLOCK_SHIELD = "block"
NOTIFICATION_SHIELD = "user_notification"
MIN_ATTEMPTS, MAX_ATTEMPTS = 1, 100
MAX_ALLOWLIST = 100
# The counter key of a sign-in whose address could not be told (config/client_ip.py gave "").
UNKNOWN_IP = "unknown"
MAX_IDENTIFIER_LENGTH = 254
NO_NOTIFICATIONS = "Gatehouse sends no email or SMS: the user_notification shield is not supported."
# The sign-in page's message, Auth0's wording (Lock's `blocked_user`), plus what the block is.
BLOCKED_MESSAGE = (
    "Your account has been blocked after multiple consecutive login attempts. "
    "Sign-ins to it from your IP address are refused until an administrator unblocks it."
)


@dataclass(frozen=True)
class Guard:
    """One sign-in attempt as the protection sees it: which counter it touches, against which
    threshold, and whether it is counted at all (`active` is False when protection is off,
    the "block" shield is off, the IP is allow-listed or the identifier is unusable)."""

    identifier: str
    key_ip: str
    ip: str
    max_attempts: int
    active: bool


def current_settings() -> BruteForceSettings:
    """The saved settings, or Auth0's defaults (one primary-key query)."""
    return BruteForceSettings.objects.current()


def normalize_identifier(identifier: object) -> str:
    """The identifier as the sign-in compares it (trimmed, lowercased), or "" when it can
    never name an account (not text, NUL, longer than an email can be)."""
    if not isinstance(identifier, str):
        return ""
    text = identifier.strip().lower()
    if not text or len(text) > MAX_IDENTIFIER_LENGTH or "\x00" in text:
        return ""
    if any(0xD800 <= ord(char) <= 0xDFFF for char in text):
        return ""
    return text


@functools.lru_cache(maxsize=32)
def _networks(
    allowlist: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry) for entry in allowlist)


def is_allowlisted(ip: str, allowlist: Sequence[str]) -> bool:
    """Whether `ip` is one of the allow-list's addresses or inside one of its networks."""
    if not ip or not allowlist:
        return False
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return any(address in network for network in _networks(tuple(allowlist)))


def guard(identifier: object, ip: str, settings: BruteForceSettings | None = None) -> Guard:
    """The Guard of a sign-in by `identifier` from `ip` (text, "" when unknown)."""
    settings = settings or current_settings()
    name = normalize_identifier(identifier)
    active = (
        settings.enabled
        and BLOCK_SHIELD in settings.shields
        and name != ""
        and not is_allowlisted(ip, settings.allowlist)
    )
    key_ip = "" if settings.mode == BruteForceMode.PER_IDENTIFIER else (ip or UNKNOWN_IP)
    return Guard(name, key_ip, ip, settings.max_attempts, active)


def is_blocked(attempt: Guard, now: dt.datetime) -> bool:
    """Whether the attempt's counter has reached the threshold within BLOCK_LIFETIME."""
    if not attempt.active:
        return False
    return FailedLoginCount.objects.filter(
        identifier=attempt.identifier,
        ip=attempt.key_ip,
        count__gte=attempt.max_attempts,
        last_failure_at__gt=now - BLOCK_LIFETIME,
    ).exists()


def record_failure(attempt: Guard, now: dt.datetime, **event_fields: Any) -> bool:
    """Count one failed sign-in; True when the pair is now blocked. The failure that reaches
    the threshold logs Auth0's `limit_wc` (buffered: sign-in is a hot path) with
    `event_fields` (client_id, client_name, user_agent, hostname). A count whose last
    failure is older than BLOCK_LIFETIME starts again at 1."""
    if not attempt.active:
        return False
    lookup = {"identifier": attempt.identifier, "ip": attempt.key_ip}
    with transaction.atomic():
        # Insert-or-nothing, then lock: two first failures cannot both create the row.
        FailedLoginCount.objects.bulk_create(
            [FailedLoginCount(**lookup, count=0, last_failure_at=now)], ignore_conflicts=True
        )
        row = FailedLoginCount.objects.select_for_update().get(**lookup)
        expired = row.count > 0 and row.last_failure_at <= now - BLOCK_LIFETIME
        row.count = 1 if expired else row.count + 1
        row.last_failure_at = now
        row.save(update_fields=["count", "last_failure_at"])
    if row.count == attempt.max_attempts:
        events.enqueue(
            BLOCKED_ACCOUNT,
            description=f"Blocked after {row.count} failed logins"
            + (" from one IP" if attempt.key_ip else ""),
            user_name=attempt.identifier,
            ip=attempt.ip,
            connection=CONNECTION,
            details={"max_attempts": attempt.max_attempts, "count": row.count},
            **event_fields,
        )
    return row.count >= attempt.max_attempts


def record_success(attempt: Guard) -> None:
    """A successful sign-in resets the attempt's counter (Auth0: consecutive failures)."""
    if attempt.active:
        FailedLoginCount.objects.filter(identifier=attempt.identifier, ip=attempt.key_ip).delete()


def blocks(
    identifiers: Iterable[str], now: dt.datetime, settings: BruteForceSettings | None = None
) -> list[dict[str, str]]:
    """The blocks in force for these identifiers, as Auth0's `blocked_for` items
    `{identifier, ip, connection}` (`ip` "" for a count_per_identifier block: every IP)."""
    settings = settings or current_settings()
    names = {normalize_identifier(identifier) for identifier in identifiers} - {""}
    if not names or not settings.enabled or BLOCK_SHIELD not in settings.shields:
        return []
    rows = FailedLoginCount.objects.filter(
        identifier__in=names,
        count__gte=settings.max_attempts,
        last_failure_at__gt=now - BLOCK_LIFETIME,
    )
    if settings.mode == BruteForceMode.PER_IDENTIFIER:
        rows = rows.filter(ip="")
    else:
        rows = rows.exclude(ip="")
    return [
        {"identifier": row.identifier, "ip": row.ip, "connection": CONNECTION}
        for row in rows.order_by("identifier", "ip")
        if not is_allowlisted(row.ip, settings.allowlist)
    ]


def release(
    identifiers: Iterable[str], now: dt.datetime, *, via: str, **event_fields: Any
) -> list[dict[str, str]]:
    """Forget every failure counted for these identifiers (all IPs), in one transaction, and
    return the blocks that were in force. When there were any, logs Auth0's `ublkdu`
    ("User login block released") in the same transaction, with `via` ("console",
    "management_api", "password") in its details."""
    names = {normalize_identifier(identifier) for identifier in identifiers} - {""}
    if not names:
        return []
    with transaction.atomic():
        released = blocks(names, now)
        FailedLoginCount.objects.filter(identifier__in=names).delete()
        if released:
            events.record(
                USER_BLOCK_RELEASED,
                description="User login block released",
                user_name=released[0]["identifier"],
                connection=CONNECTION,
                details={"blocked_for": released, "via": via},
                **event_fields,
            )
    return released


def prune(now: dt.datetime) -> int:
    """Delete the counters whose last failure is BLOCK_LIFETIME old or older: they block
    nothing, and the next failure would count from 1 anyway. Returns how many; idempotent."""
    deleted, _ = FailedLoginCount.objects.filter(last_failure_at__lte=now - BLOCK_LIFETIME).delete()
    return deleted


# --- settings -------------------------------------------------------------------------------


def _allowlist(value: object) -> list[str]:
    if not isinstance(value, list) or len(value) > MAX_ALLOWLIST:
        raise ValidationError(
            {"allowlist": [f"A list of at most {MAX_ALLOWLIST} IP addresses or CIDR ranges."]}
        )
    cleaned: list[str] = []
    for entry in value:
        text = entry.strip() if isinstance(entry, str) else ""
        try:
            network = ipaddress.ip_network(text, strict=True)
        except ValueError as error:
            shown = entry if isinstance(entry, str) else repr(entry)
            raise ValidationError(
                {"allowlist": [f"{shown!r} is not an IP address or a CIDR range ({error})."]}
            ) from error
        # A single address stays an address; a range is written in its canonical form.
        normal = str(network.network_address) if "/" not in text else str(network)
        if normal not in cleaned:
            cleaned.append(normal)
    return cleaned


def update_settings(**changes: Any) -> BruteForceSettings:
    """Apply `changes` (any of enabled, shields, allowlist, mode, max_attempts) and save.

    - `shields` is a subset of ["block"]; `user_notification` is refused (NO_NOTIFICATIONS):
      accepting a shield that can never act would be a silent stub;
    - `allowlist` holds IPv4/IPv6 addresses and CIDR ranges (host bits must be zero),
      at most MAX_ALLOWLIST, stored canonically without duplicates;
    - `max_attempts` is 1..100 (Auth0). Raising it releases pairs below the new value.

    Raises ValidationError keyed by field; writes nothing then.
    """
    unknown = set(changes) - {"enabled", "shields", "allowlist", "mode", "max_attempts"}
    if unknown:
        raise ValidationError({name: ["This field cannot be changed."] for name in sorted(unknown)})
    with transaction.atomic():
        settings = (
            BruteForceSettings.objects.select_for_update()
            .filter(pk=BRUTE_FORCE_SETTINGS_ID)
            .first()
            or BruteForceSettings()
        )
        before = settings.to_dict()
        if "enabled" in changes:
            if not isinstance(changes["enabled"], bool):
                raise ValidationError({"enabled": ["Must be true or false."]})
            settings.enabled = changes["enabled"]
        if "shields" in changes:
            shields = changes["shields"]
            if not isinstance(shields, list) or not all(isinstance(s, str) for s in shields):
                raise ValidationError({"shields": ['A list of shields: [] or ["block"].']})
            if NOTIFICATION_SHIELD in shields:
                raise ValidationError({"shields": [NO_NOTIFICATIONS]})
            if set(shields) - {BLOCK_SHIELD}:
                raise ValidationError({"shields": ['The only shield is "block".']})
            settings.shields = sorted(set(shields))
        if "allowlist" in changes:
            settings.allowlist = _allowlist(changes["allowlist"])
        if "mode" in changes:
            if changes["mode"] not in BruteForceMode.values:
                raise ValidationError({"mode": [f"One of {', '.join(BruteForceMode.values)}."]})
            settings.mode = changes["mode"]
        if "max_attempts" in changes:
            value = changes["max_attempts"]
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValidationError({"max_attempts": ["Must be a whole number."]})
            if not MIN_ATTEMPTS <= value <= MAX_ATTEMPTS:
                raise ValidationError(
                    {"max_attempts": [f"Must be between {MIN_ATTEMPTS} and {MAX_ATTEMPTS}."]}
                )
            settings.max_attempts = value
        settings.save()
        # Switching protection off or allow-listing everyone is exactly what the log must show.
        audit.changed(
            "Update brute force protection settings",
            object_type="attack_protection",
            object_id="brute-force-protection",
            before=before,
            after=settings.to_dict(),
        )
    return settings
