"""Management API v2: the tenant's signing keys (/api/v2/keys/signing), Auth0's shapes."""

from django.http import HttpRequest, JsonResponse

from config.api import ApiError, created, not_found, ok, read_path, read_query
from keys import signing
from keys.api_schemas import KID_PARAM
from keys.bearer import needs, route
from keys.models import SigningKey


def _key_or_404(kid: str) -> SigningKey:
    key = SigningKey.objects.filter(kid=read_path(kid, KID_PARAM)).first()
    if key is None:
        raise not_found("Signing key not found", "inexistent_signing_key")
    return key


def _ref(key: SigningKey) -> dict[str, str]:
    return {"cert": key.cert_pem, "kid": key.kid}


def list_keys(request: HttpRequest) -> JsonResponse:
    """A bare array, no paging: current, next, previous (newest first), then revoked."""
    read_query(request, [])
    keys = SigningKey.objects.in_lifecycle_order()
    return ok([key.to_dict() for key in keys])


def get_key(request: HttpRequest, kid: str) -> JsonResponse:
    read_query(request, [])
    return ok(_key_or_404(kid).to_dict())


def rotate_key(request: HttpRequest) -> JsonResponse:
    """201 with the key that signs from now on: the one published as `next` until now."""
    read_query(request, [])
    return created(_ref(signing.rotate()))


def revoke_key(request: HttpRequest, kid: str) -> JsonResponse:
    read_query(request, [])
    _key_or_404(kid)
    try:
        key = signing.revoke(kid)
    except signing.KeyStateError as error:
        raise ApiError(400, str(error).capitalize() + ".", "invalid_signing_key_state") from error
    return ok(_ref(key))


signing_keys = route(GET=(list_keys, needs("read:signing_keys")))
signing_key = route(GET=(get_key, needs("read:signing_keys")))
rotate = route(POST=(rotate_key, needs("create:signing_keys", "update:signing_keys")))
revoke = route(PUT=(revoke_key, needs("update:signing_keys")))
