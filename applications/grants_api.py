"""Management API v2: users' grants (/api/v2/grants).

Auth0's shapes and scopes (AUTH0_USER_FLOWS.md section 2.5): list with filters and paging
(read:grants), delete one (404 when unknown) or all of a user's (delete:grants). Deleting
goes through applications/user_grants.py, which also revokes what the grant issued.
"""

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse

from applications import user_grants
from applications.grants_schemas import (
    DELETE_BY_USER_QUERY,
    GRANTS_QUERY,
    USER_GRANT_ID_PARAM,
)
from applications.models import UserGrant
from config.api import invalid_query, no_content, not_found, paged, read_path, read_query
from keys.bearer import needs, route
from users.models import USER_ID_PREFIX, User


def _grants() -> QuerySet[UserGrant]:
    return UserGrant.objects.select_related("user", "application")


def _user_pk(user_id: str) -> str | None:
    """The primary key behind a public `auth0|<hex>` user id; None for any other shape
    (such a user cannot exist here, so it has no grants)."""
    return user_id.removeprefix(USER_ID_PREFIX) if user_id.startswith(USER_ID_PREFIX) else None


def list_grants(request: HttpRequest) -> JsonResponse:
    """An array, or with include_totals `{total, start, limit, grants}`."""
    query = read_query(request, GRANTS_QUERY)
    grants = _grants()
    if "user_id" in query:
        grants = grants.filter(user_id=_user_pk(query["user_id"]))
    if "client_id" in query:
        grants = grants.filter(application__client_id=query["client_id"])
    if "audience" in query:
        grants = grants.filter(audience=query["audience"])
    return paged(grants.order_by("created_at", "id"), query, "grants", UserGrant.to_dict)


def delete_user_grants(request: HttpRequest) -> HttpResponse:
    """204 whether or not the user had grants; user_id is required."""
    query: dict[str, Any] = read_query(request, DELETE_BY_USER_QUERY)
    if "user_id" not in query:
        raise invalid_query("Missing required property: user_id")
    user = User.objects.filter(pk=_user_pk(query["user_id"])).first()
    if user is not None:
        user_grants.revoke_all(user)
    return no_content()


def delete_grant(request: HttpRequest, grant_id: str) -> HttpResponse:
    read_query(request, [])
    grant = UserGrant.objects.filter(pk=read_path(grant_id, USER_GRANT_ID_PARAM)).first()
    if grant is None:
        raise not_found("The grant does not exist.", "inexistent_grant")
    user_grants.revoke(grant)
    return no_content()


grant_list = route(
    GET=(list_grants, needs("read:grants")),
    DELETE=(delete_user_grants, needs("delete:grants")),
)
grant = route(DELETE=(delete_grant, needs("delete:grants")))
