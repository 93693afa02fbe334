"""The console's Attack protection page: end users' brute-force settings (users/brute_force.py)
and the staff console's own lockouts (django-axes), each clearable; and the Unblock button of
a user's page.

It lives in users, not next to the tenant Settings page in apis, because apis must not import
users; the side navigation links both. Same shape as every console view: fetch, bind a form,
call the domain (or axes' API), then render or redirect. Every write is a POST.
"""

import datetime as dt

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from config.console import add_domain_errors, render_tab, staff_required
from logs import audit
from logs.events import request_fields
from users import brute_force
from users.forms import BruteForceSettingsForm
from users.models import User

# Staff lockouts shown at once; axes keeps one row per username, IP and user agent.
MAX_STAFF_ATTEMPTS = 200


def _staff_attempts(now: dt.datetime) -> list[dict[str, object]]:
    """Axes' failed staff logins, newest first, each saying whether it locks out now."""
    cool_off = settings.AXES_COOLOFF_TIME
    rows = AccessAttempt.objects.order_by("-attempt_time", "-id")[:MAX_STAFF_ATTEMPTS]
    return [
        {
            "id": row.id,
            "username": row.username or "",
            "ip_address": row.ip_address or "",
            "failures": row.failures_since_start,
            "attempt_time": row.attempt_time,
            "locked": row.failures_since_start >= settings.AXES_FAILURE_LIMIT
            and (cool_off is None or row.attempt_time + cool_off > now),
        }
        for row in rows
    ]


@staff_required
@require_http_methods(["GET", "HEAD", "POST"])
def attack_protection(request: HttpRequest) -> HttpResponse:
    current = brute_force.current_settings()
    initial = {
        **current.to_dict(),
        "block": brute_force.BLOCK_SHIELD in current.shields,
        "allowlist": "\n".join(current.allowlist),
    }
    form = BruteForceSettingsForm(
        request.POST if request.method == "POST" else None, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            brute_force.update_settings(**form.changes())
        except ValidationError as error:
            add_domain_errors(form, error)
        else:
            messages.success(request, "Brute-force protection saved.")
            return redirect("users:attack_protection")
    context = {
        "form": form,
        "staff_attempts": _staff_attempts(timezone.now()),
        "staff_failure_limit": settings.AXES_FAILURE_LIMIT,
        "staff_cool_off": settings.AXES_COOLOFF_TIME,
        "section": "attack_protection",
    }
    return render_tab(
        request, "users/partials/attack_protection.html", context, title="Attack Protection"
    )


@staff_required
@require_POST
def staff_lockout_clear(request: HttpRequest, attempt_id: int) -> HttpResponse:
    """Clear one staff username and IP pair (axes' own reset, as `axes_reset_ip_username`)."""
    attempt = get_object_or_404(AccessAttempt, pk=attempt_id)
    with transaction.atomic():
        axes_reset(ip=attempt.ip_address, username=attempt.username)
        audit.changed(
            "Clear a staff login lockout",
            object_type="staff_lockout",
            object_id=f"{attempt.username} {attempt.ip_address}",
            details={"username": attempt.username, "ip": attempt.ip_address},
        )
    messages.success(
        request, f"Cleared the failed logins of {attempt.username} from {attempt.ip_address}."
    )
    return redirect("users:attack_protection")


@staff_required
@require_POST
def staff_lockouts_clear_all(request: HttpRequest) -> HttpResponse:
    """Clear every staff lockout and failure count (as `manage.py axes_reset`)."""
    with transaction.atomic():
        cleared = axes_reset()
        audit.changed(
            "Clear all staff login lockouts",
            object_type="staff_lockout",
            object_id="*",
            details={"cleared": cleared},
        )
    messages.success(request, f"Cleared {cleared} failed-login record(s).")
    return redirect("users:attack_protection")


@staff_required
@require_POST
def user_brute_force_unblock(request: HttpRequest, user_id: str) -> HttpResponse:
    """Release every brute-force block of the user's email (all IPs); not the admin
    `blocked` flag, which has its own buttons."""
    end_user = get_object_or_404(User, pk=user_id)
    released = brute_force.release(
        [end_user.email],
        timezone.now(),
        via="console",
        user_id=end_user.user_id,
        **request_fields(request),
    )
    messages.success(request, f"Released {len(released)} brute-force block(s) of {end_user.email}.")
    return redirect("users:details", end_user.id)
