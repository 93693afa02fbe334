"""Console views for the user page's Authorized applications tab: the user's grants
(consents) and revoking one.

They show applications, so they live here and not in the users app (dependencies point one
way: keys <- users <- applications). They render inside the user page's frame, users/tabs.py.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_POST, require_safe

from applications import user_grants
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
