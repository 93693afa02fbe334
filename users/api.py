"""Management API v2: users (/api/v2/users, /api/v2/users-by-email).

Auth0's shapes and errors (AUTH0_USER_FLOWS.md sections 7.1 and 7.2). Every response is built
by User.to_dict(), which has no password member; the rules live in users/directory.py.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse

from config.api import (
    ApiError,
    conflict,
    created,
    field_selection,
    invalid_body,
    invalid_body_from,
    invalid_query,
    no_content,
    not_found,
    ok,
    read_body,
    read_path,
    read_query,
)
from config.api_schema import SINGLE_OBJECT_QUERY
from keys.bearer import needs, route
from users import directory, passwords
from users.api_schemas import (
    REQUESTS,
    SORTABLE,
    USER_ID_PARAM,
    USERS_BY_EMAIL_QUERY,
    USERS_QUERY,
)
from users.models import CONNECTION, User

DEFAULT_PER_PAGE = 50


def _user_or_404(user_id: str) -> User:
    user = directory.find(read_path(user_id, USER_ID_PARAM))
    if user is None:
        raise not_found("The user does not exist.", "inexistent_user")
    return user


def _refused(error: Exception) -> ApiError:
    """A directory refusal as Auth0's error."""
    if isinstance(error, directory.UserExists):
        return conflict("The user already exists.", "auth0_idp_error")
    if isinstance(error, passwords.PasswordTooWeak):
        # Auth0's message; its errorCode is not recorded (AUTH0_USER_FLOWS.md section 7.2).
        return ApiError(400, str(error), "invalid_password")
    assert isinstance(error, ValidationError)
    return invalid_body_from(error)


def list_users(request: HttpRequest) -> JsonResponse:
    """A page of users (`page` from 0, `per_page` 1..100, default 50), optionally searched
    with `q`; with include_totals Auth0's `{start, limit, length, users, total}`."""
    query = read_query(request, USERS_QUERY)
    try:
        users = directory.search(query.get("q", ""))
    except directory.InvalidQuery as error:
        raise invalid_query(str(error), "q") from error
    if query.get("connection", CONNECTION) != CONNECTION:
        users = users.none()
    if "sort" in query:
        field, direction = query["sort"].split(":")
        column = SORTABLE[field]
        users = users.order_by(column if direction == "1" else f"-{column}", "id")
    else:
        users = users.order_by("created_at", "id")
    per_page = query.get("per_page", DEFAULT_PER_PAGE)
    start = query.get("page", 0) * per_page
    select = field_selection(query)
    page = [select(user.to_dict()) for user in users[start : start + per_page]]
    if not query.get("include_totals", False):
        return ok(page)
    return ok(
        {
            "start": start,
            "limit": per_page,
            "length": len(page),
            "users": page,
            "total": users.count(),
        }
    )


def create_user(request: HttpRequest) -> JsonResponse:
    read_query(request, [])
    body = read_body(request, REQUESTS, "UserCreate")
    del body["connection"]  # the schema allows only the one connection
    body.pop("verify_email", None)  # Gatehouse sends no email
    try:
        user = directory.create_user(**body)
    except (directory.UserExists, passwords.PasswordTooWeak, ValidationError) as error:
        raise _refused(error) from error
    return created(user.to_dict())


def get_user(request: HttpRequest, user_id: str) -> JsonResponse:
    select = field_selection(read_query(request, SINGLE_OBJECT_QUERY))
    return ok(select(_user_or_404(user_id).to_dict()))


def update_user(request: HttpRequest, user_id: str) -> JsonResponse:
    """PATCH: metadata merges by top-level key; a password needs `connection` (Auth0)."""
    read_query(request, [])
    user = _user_or_404(user_id)
    body: dict[str, Any] = read_body(request, REQUESTS, "UserUpdate")
    if "password" in body and "connection" not in body:
        raise invalid_body("Missing required property: connection", "connection")
    body.pop("connection", None)
    body.pop("verify_email", None)
    if body:
        try:
            user = directory.update_user(user, **body)
        except (directory.UserExists, passwords.PasswordTooWeak, ValidationError) as error:
            raise _refused(error) from error
    return ok(user.to_dict())


def delete_user(request: HttpRequest, user_id: str) -> HttpResponse:
    """204 even when the user does not exist."""
    read_query(request, [])
    user = directory.find(read_path(user_id, USER_ID_PARAM))
    if user is not None:
        directory.delete_user(user)
    return no_content()


def users_by_email(request: HttpRequest) -> JsonResponse:
    """An array: the user with that email, or none."""
    query = read_query(request, USERS_BY_EMAIL_QUERY)
    if "email" not in query:
        raise invalid_query("Missing required property: email", "email")
    select = field_selection(query)
    user = directory.find_by_email(query["email"])
    return ok([] if user is None else [select(user.to_dict())])


user_list = route(
    GET=(list_users, needs("read:users")),
    POST=(create_user, needs("create:users")),
)
user = route(
    GET=(get_user, needs("read:users")),
    PATCH=(update_user, needs("update:users")),
    DELETE=(delete_user, needs("delete:users")),
)
user_by_email = route(GET=(users_by_email, needs("read:users")))
