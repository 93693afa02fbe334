"""Console views for the user page's Authorized applications tab (the user's grants, and
revoking one) and Refresh tokens tab (the user's active refresh tokens, one row per family:
every token of one sign-in; revoking one or all, logged by applications/revocation.py with
the reason console_revoked). No page shows a refresh token or its digest: they exist nowhere
but in the client that holds them.

They show applications, so they live here and not in the users app (dependencies point one
way: keys <- users <- applications). They render inside the user page's frame, users/tabs.py.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from applications import refresh_tokens_api, revocation, user_grants
from applications.models import UserGrant
from config.console import staff_required
from users.models import User
from users.tabs import render_user_tab


@staff_required
@require_safe
def user_applications(request: HttpRequest, user_id: str) -> HttpResponse:
    end_user = get_object_or_404(User, pk=user_id)
    return render_user_tab(
        request,
        end_user,
        "applications",
        "applications/tabs/user_applications.html",
        grants=user_grants.for_user(end_user),
    )


@staff_required
@require_POST
def user_grant_revoke(request: HttpRequest, user_id: str, grant_id: str) -> HttpResponse:
    """Revokes one grant: the next sign-in to that application asks for consent again."""
    end_user = get_object_or_404(User, pk=user_id)
    grant = get_object_or_404(
        UserGrant.objects.select_related("application"), pk=grant_id, user=end_user
    )
    user_grants.revoke(grant)
    messages.success(request, f"Revoked {grant.application.name}'s access to {grant.audience}.")
    return redirect("applications:user_applications", end_user.id)


@staff_required
@require_safe
def user_refresh_tokens(request: HttpRequest, user_id: str) -> HttpResponse:
    end_user = get_object_or_404(User, pk=user_id)
    families = refresh_tokens_api.active_families(timezone.now()).filter(user=end_user)
    return render_user_tab(
        request,
        end_user,
        "refresh_tokens",
        "applications/tabs/user_refresh_tokens.html",
        families=list(families.order_by("-created_at", "pk")),
    )


@staff_required
@require_POST
def user_refresh_token_revoke(request: HttpRequest, user_id: str, family_id: str) -> HttpResponse:
    """Revokes one family: the application holding it must sign the user in again."""
    end_user = get_object_or_404(User, pk=user_id)
    family = get_object_or_404(
        refresh_tokens_api.active_families(timezone.now()), pk=family_id, user=end_user
    )
    revocation.revoke_family(family, revocation.CONSOLE_REVOKED)
    messages.success(request, f"Revoked the refresh token of {family.application.name}.")
    return redirect("applications:user_refresh_tokens", end_user.id)


@staff_required
@require_POST
def user_refresh_tokens_revoke_all(request: HttpRequest, user_id: str) -> HttpResponse:
    end_user = get_object_or_404(User, pk=user_id)
    revoked = revocation.revoke_user_families(end_user.pk, revocation.CONSOLE_REVOKED)
    messages.success(request, f"Revoked {revoked} refresh token(s) of {end_user.email}.")
    return redirect("applications:user_refresh_tokens", end_user.id)
