"""Management API v2: refresh tokens (/api/v2/users/{id}/refresh-tokens,
/api/v2/refresh-tokens/{id}) and revoking a session with its refresh tokens
(/api/v2/sessions/{id}/revoke).

Auth0's shapes and scopes (AUTH0_USER_FLOWS.md section 4.6): read:refresh_tokens and
delete:refresh_tokens. A refresh token here is a family (applications/refresh_tokens.py): its
id is the family id, and revoking it revokes every token of that sign-in. Only active
families are shown: not revoked, not past the absolute expiry, the newest token not past its
idle expiry. No response carries a token or a digest: `to_dict` reads the family's columns.
Revocations go through applications/revocation.py, which logs a reason code with the family
and client ids.
"""

import datetime as dt
from typing import Any

from django.db.models import DateTimeField, OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from applications import refresh_tokens, revocation
from applications.models import RefreshToken, RefreshTokenFamily
from applications.refresh_tokens_schemas import (
    CHECKPOINT_QUERY,
    REFRESH_TOKEN_ID_PARAM,
    SESSION_ID_PARAM,
    USER_ID_PARAM,
)
from config.api import no_content, not_found, ok, read_path, read_query
from keys.bearer import needs, route
from users import directory, sessions
from users.models import Session, User, auth0_time

DEFAULT_TAKE = 50


def active_families(now: dt.datetime) -> QuerySet[RefreshTokenFamily]:
    """Families whose newest token can still be exchanged, with `idle_expires_at` (the newest
    token's idle deadline) annotated and the application loaded."""
    newest = RefreshToken.objects.filter(
        family=OuterRef("pk"), generation=OuterRef("generation")
    ).values("idle_expires_at")[:1]
    return (
        RefreshTokenFamily.objects.filter(revoked_at__isnull=True)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .annotate(idle_expires_at=Subquery(newest, output_field=DateTimeField()))
        .filter(Q(idle_expires_at__isnull=True) | Q(idle_expires_at__gt=now))
        .select_related("application")
    )


def to_dict(family: RefreshTokenFamily, user: User) -> dict[str, Any]:
    """Auth0's refresh token object (section 4.6). `family` comes from `active_families`."""
    idle: dt.datetime | None = getattr(family, "idle_expires_at", None)
    return {
        "id": family.pk,
        "user_id": user.user_id,
        "created_at": auth0_time(family.created_at),
        "idle_expires_at": auth0_time(idle),
        "expires_at": auth0_time(family.expires_at),
        "client_id": family.application.client_id,
        "session_id": family.session_id,
        "rotating": family.rotating,
        "resource_servers": [
            {
                "audience": refresh_tokens.grant_audience(family.audience),
                "scopes": " ".join(family.scopes),
            }
        ],
    }


def _user_or_404(user_id: str) -> User:
    user = directory.find(read_path(user_id, USER_ID_PARAM))
    if user is None:
        raise not_found("The user does not exist.", "inexistent_user")
    return user


def _family_or_404(family_id: str) -> RefreshTokenFamily:
    family_id = read_path(family_id, REFRESH_TOKEN_ID_PARAM)
    family = active_families(timezone.now()).select_related("user").filter(pk=family_id).first()
    if family is None:
        raise not_found("The refresh token does not exist.", "inexistent_refresh_token")
    return family


def list_user_refresh_tokens(request: HttpRequest, user_id: str) -> JsonResponse:
    """`{tokens, next?, total?}`, ordered by id, paged by checkpoint (`from`, `take`)."""
    query = read_query(request, CHECKPOINT_QUERY)
    user = _user_or_404(user_id)
    families = active_families(timezone.now()).filter(user=user).order_by("pk")
    take = query.get("take", DEFAULT_TAKE)
    page = families.filter(pk__gte=query["from"]) if "from" in query else families
    rows = list(page[: take + 1])
    body: dict[str, Any] = {"tokens": [to_dict(family, user) for family in rows[:take]]}
    if len(rows) > take:
        body["next"] = rows[take].pk
    if query.get("include_totals", False):
        body["total"] = families.count()
    return ok(body)


def delete_user_refresh_tokens(request: HttpRequest, user_id: str) -> JsonResponse:
    """Auth0's 202 `{}`; here every family is revoked before the answer."""
    read_query(request, [])
    user = _user_or_404(user_id)
    revocation.revoke_user_families(user.pk, revocation.MANAGEMENT_REVOKED)
    return JsonResponse({}, status=202)


def get_refresh_token(request: HttpRequest, token_id: str) -> JsonResponse:
    read_query(request, [])
    family = _family_or_404(token_id)
    return ok(to_dict(family, family.user))


def delete_refresh_token(request: HttpRequest, token_id: str) -> HttpResponse:
    read_query(request, [])
    family = _family_or_404(token_id)
    revocation.revoke_family(family, revocation.MANAGEMENT_REVOKED)
    return no_content()


def revoke_session(request: HttpRequest, session_id: str) -> JsonResponse:
    """Ends the session (its cookie stops working at once) and revokes the refresh tokens
    its sign-ins started (Auth0's "revokes a session by ID and all associated refresh
    tokens"). 404 for an unknown session."""
    read_query(request, [])
    session = Session.objects.filter(pk=read_path(session_id, SESSION_ID_PARAM)).first()
    if session is None:
        raise not_found("The session does not exist.", "inexistent_session")
    revocation.revoke_session_families(session.pk, revocation.SESSION_REVOKED)
    sessions.revoke(session, revocation.SESSION_REVOKED)
    return JsonResponse({}, status=202)


user_refresh_tokens = route(
    GET=(list_user_refresh_tokens, needs("read:refresh_tokens")),
    DELETE=(delete_user_refresh_tokens, needs("delete:refresh_tokens")),
)
refresh_token = route(
    GET=(get_refresh_token, needs("read:refresh_tokens")),
    DELETE=(delete_refresh_token, needs("delete:refresh_tokens")),
)
session_revoke = route(POST=(revoke_session, needs("delete:sessions", "delete:refresh_tokens")))
