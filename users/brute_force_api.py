"""Management API v2: brute-force blocks (/api/v2/user-blocks) and settings
(/api/v2/attack-protection/brute-force-protection).

Auth0's shapes and scopes: reading blocks needs read:users, releasing them update:users;
the settings need read:attack_protection / update:attack_protection. The rules live in
users/brute_force.py.
"""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from config.api import (
    invalid_body_from,
    invalid_query,
    no_content,
    not_found,
    ok,
    read_body,
    read_path,
    read_query,
)
from keys.bearer import needs, route
from logs.events import request_fields
from users import brute_force, directory
from users.brute_force_schemas import IDENTIFIER_QUERY, REQUESTS, USER_ID_PARAM
from users.models import User


def _user_or_404(user_id: str) -> User:
    user = directory.find(read_path(user_id, USER_ID_PARAM))
    if user is None:
        raise not_found("The user does not exist.", "inexistent_user")
    return user


def _identifier(request: HttpRequest) -> str:
    query = read_query(request, IDENTIFIER_QUERY)
    if "identifier" not in query:
        raise invalid_query("Missing required property: identifier", "identifier")
    return str(query["identifier"])


def get_blocks(request: HttpRequest) -> JsonResponse:
    """`{"blocked_for": [{identifier, ip, connection}]}` for `?identifier=`."""
    identifier = _identifier(request)
    return ok({"blocked_for": brute_force.blocks([identifier], timezone.now())})


def delete_blocks(request: HttpRequest) -> HttpResponse:
    """204, also when nothing was blocked."""
    identifier = _identifier(request)
    brute_force.release(
        [identifier], timezone.now(), via="management_api", **request_fields(request)
    )
    return no_content()


def get_user_blocks(request: HttpRequest, user_id: str) -> JsonResponse:
    read_query(request, [])
    user = _user_or_404(user_id)
    return ok({"blocked_for": brute_force.blocks([user.email], timezone.now())})


def delete_user_blocks(request: HttpRequest, user_id: str) -> HttpResponse:
    read_query(request, [])
    user = _user_or_404(user_id)
    brute_force.release(
        [user.email],
        timezone.now(),
        via="management_api",
        user_id=user.user_id,
        **request_fields(request),
    )
    return no_content()


def get_settings(request: HttpRequest) -> JsonResponse:
    read_query(request, [])
    return ok(brute_force.current_settings().to_dict())


def update_settings(request: HttpRequest) -> JsonResponse:
    """PATCH: only the members sent change."""
    read_query(request, [])
    body = read_body(request, REQUESTS, "BruteForceProtectionUpdate")
    try:
        settings = brute_force.update_settings(**body)
    except ValidationError as error:
        raise invalid_body_from(error) from error
    return ok(settings.to_dict())


user_blocks = route(
    GET=(get_blocks, needs("read:users")),
    DELETE=(delete_blocks, needs("update:users")),
)
user_block = route(
    GET=(get_user_blocks, needs("read:users")),
    DELETE=(delete_user_blocks, needs("update:users")),
)
brute_force_protection = route(
    GET=(get_settings, needs("read:attack_protection")),
    PATCH=(update_settings, needs("update:attack_protection")),
)
