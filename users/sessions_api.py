"""Management API v2: end users' sessions (/api/v2/users/{id}/sessions, /api/v2/sessions/{id}).

Auth0's shapes and scopes (AUTH0_USER_FLOWS.md section 4.6): read:sessions, delete:sessions.
Only live sessions are shown (neither past their absolute expiry nor idle too long). Ending
one deletes its row, so its cookie stops working on the next request (users/sessions.find).
No response carries the cookie secret or its digest: `to_dict` lists its members.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from config.api import no_content, not_found, ok, read_path, read_query
from keys.bearer import needs, route
from users import directory, sessions
from users.models import Session, User, auth0_time
from users.sessions_schemas import SESSION_ID_PARAM, SESSIONS_QUERY, USER_ID_PARAM

DEFAULT_TAKE = 50
PASSWORD = "pwd"  # RFC 8176 section 2's authentication method reference for a password


def to_dict(session: Session) -> dict[str, Any]:
    """Auth0's session object, with what Gatehouse stores."""
    return {
        "id": session.pk,
        "user_id": session.user.user_id,
        "created_at": auth0_time(session.created_at),
        "updated_at": auth0_time(session.last_interacted_at),
        "authenticated_at": auth0_time(session.authenticated_at),
        "idle_expires_at": auth0_time(session.idle_expires_at),
        "expires_at": auth0_time(session.expires_at),
        "last_interacted_at": auth0_time(session.last_interacted_at),
        "device": {"initial_ip": session.ip, "initial_user_agent": session.user_agent},
        "clients": [{"client_id": client_id} for client_id in session.client_ids],
        "authentication": {
            "methods": [{"name": PASSWORD, "timestamp": auth0_time(session.authenticated_at)}]
        },
    }


def _user_or_404(user_id: str) -> User:
    user = directory.find(read_path(user_id, USER_ID_PARAM))
    if user is None:
        raise not_found("The user does not exist.", "inexistent_user")
    return user


def _session_or_404(session_id: str) -> Session:
    session = (
        Session.objects.active(timezone.now())
        .select_related("user")
        .filter(pk=read_path(session_id, SESSION_ID_PARAM))
        .first()
    )
    if session is None:
        raise not_found("The session does not exist.", "inexistent_session")
    return session


def list_user_sessions(request: HttpRequest, user_id: str) -> JsonResponse:
    """`{sessions, next?, total?}`, ordered by id, paged by checkpoint (`from`, `take`)."""
    query = read_query(request, SESSIONS_QUERY)
    user = _user_or_404(user_id)
    live = Session.objects.active(timezone.now()).filter(user=user).select_related("user")
    live = live.order_by("pk")
    take = query.get("take", DEFAULT_TAKE)
    page = live.filter(pk__gte=query["from"]) if "from" in query else live
    rows = list(page[: take + 1])
    body: dict[str, Any] = {"sessions": [to_dict(session) for session in rows[:take]]}
    if len(rows) > take:
        body["next"] = rows[take].pk
    if query.get("include_totals", False):
        body["total"] = live.count()
    return ok(body)


def delete_user_sessions(request: HttpRequest, user_id: str) -> JsonResponse:
    """Auth0's 202 `{}`; here every session has ended before the answer."""
    read_query(request, [])
    sessions.revoke_all(_user_or_404(user_id), sessions.MANAGEMENT_ENDED)
    return JsonResponse({}, status=202)


def get_session(request: HttpRequest, session_id: str) -> JsonResponse:
    read_query(request, [])
    return ok(to_dict(_session_or_404(session_id)))


def delete_session(request: HttpRequest, session_id: str) -> HttpResponse:
    read_query(request, [])
    sessions.revoke(_session_or_404(session_id), sessions.MANAGEMENT_ENDED)
    return no_content()


user_sessions = route(
    GET=(list_user_sessions, needs("read:sessions")),
    DELETE=(delete_user_sessions, needs("delete:sessions")),
)
session = route(
    GET=(get_session, needs("read:sessions")),
    DELETE=(delete_session, needs("delete:sessions")),
)
