"""Console views for the user page's Sessions tab: the user's live sign-in sessions, and
ending one or all of them. Ending a session deletes its row, so its cookie stops working on
the next request (users/sessions.find). Refresh tokens issued from a session are not touched
here (as Auth0's "delete session"): the Refresh tokens tab, served by applications, revokes
those. Pages show the session id (the public `sid`), never the cookie secret or its digest.
"""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe

from config.console import staff_required
from users import sessions
from users.models import Session, User
from users.tabs import render_user_tab


@staff_required
@require_safe
def user_sessions(request: HttpRequest, user_id: str) -> HttpResponse:
    end_user = get_object_or_404(User, pk=user_id)
    live = Session.objects.active(timezone.now()).filter(user=end_user)
    return render_user_tab(
        request,
        end_user,
        "sessions",
        "users/tabs/sessions.html",
        live_sessions=list(live.order_by("-last_interacted_at", "pk")),
    )


@staff_required
@require_POST
def user_session_revoke(request: HttpRequest, user_id: str, session_id: str) -> HttpResponse:
    """Ends one session: the browser holding it is signed out at its next request."""
    end_user = get_object_or_404(User, pk=user_id)
    session = get_object_or_404(Session, pk=session_id, user=end_user)
    sessions.revoke(session, sessions.CONSOLE_ENDED)
    messages.success(request, f"Session ended: {end_user.email} is signed out of that browser.")
    return redirect("users:sessions", end_user.id)


@staff_required
@require_POST
def user_sessions_revoke_all(request: HttpRequest, user_id: str) -> HttpResponse:
    end_user = get_object_or_404(User, pk=user_id)
    ended = sessions.revoke_all(end_user, sessions.CONSOLE_ENDED)
    messages.success(
        request, f"Ended {ended} session(s): {end_user.email} is signed out everywhere."
    )
    return redirect("users:sessions", end_user.id)
