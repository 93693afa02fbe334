"""The Management API v2's HTTP plumbing: Auth0's errors, strict input, paging, field selection.

Domain free (config/ imports no app outside its *urls.py modules): each app's `api.py` builds
its endpoints from these pieces, keys/bearer.py adds the bearer-token and scope checks. Every
failure becomes Auth0's error body `{statusCode, error, message, errorCode}`, never an HTML page
(AUTH0_COMPAT.md section 1).
"""

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from functools import wraps
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qsl

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from config.api_schema import PARAMETERS, SchemaError, Schemas
from config.outages import is_unavailable

logger = logging.getLogger(__name__)

View = Callable[..., HttpResponse]
Handler = Callable[..., HttpResponse]

# RFC 9110 section 5.6.3: optional whitespace in header fields is SP or HTAB.
OWS = " \t"
# RFC 8259 section 2: the only whitespace JSON has.
JSON_WHITESPACE = b" \t\n\r"


class ApiError(Exception):
    """Any failure of a Management API request; the view answers it with `response()`."""

    def __init__(
        self,
        status: int,
        message: str,
        error_code: str | None = None,
        *,
        attributes: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.error_code = error_code
        self.attributes = attributes
        self.headers = headers or {}

    def response(self) -> JsonResponse:
        return error_response(
            self.status,
            self.message,
            self.error_code,
            attributes=self.attributes,
            headers=self.headers,
        )


def error_response(
    status: int,
    message: str,
    error_code: str | None = None,
    *,
    attributes: Mapping[str, str] | None = None,
    headers: Mapping[str, str] | None = None,
) -> JsonResponse:
    """The one error shape of /api/v2/ (AUTH0_COMPAT.md section 1)."""
    body: dict[str, Any] = {
        "statusCode": status,
        "error": HTTPStatus(status).phrase,
        "message": message,
    }
    if error_code:
        body["errorCode"] = error_code
    if attributes:
        body["attributes"] = dict(attributes)
    response = JsonResponse(body, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def not_found(message: str, error_code: str) -> ApiError:
    return ApiError(404, message, error_code)


def conflict(message: str, error_code: str) -> ApiError:
    return ApiError(409, message, error_code)


def invalid_body(detail: str, field: str = "") -> ApiError:
    return ApiError(400, SchemaError(detail, field).message("Payload"), "invalid_body")


def invalid_query(detail: str, field: str = "") -> ApiError:
    return ApiError(400, SchemaError(detail, field).message("Query"), "invalid_query_string")


def invalid_body_from(error: ValidationError) -> ApiError:
    """A domain ValidationError (keyed by field) as Auth0's invalid_body."""
    if hasattr(error, "error_dict"):
        field, errors = next(iter(error.message_dict.items()))
        return invalid_body(errors[0], "" if field == "__all__" else field)
    return invalid_body(error.messages[0])


def guarded(call: Callable[[], HttpResponse]) -> HttpResponse:
    """Run a view body; every failure becomes a JSON error, never Django's HTML pages.

    An unreachable database is not an internal error: it propagates, and
    config.errors.UnavailableMiddleware answers it with a 503 and Retry-After.
    """
    try:
        return call()
    except ApiError as error:
        return error.response()
    except RequestDataTooBig:
        return error_response(413, "The request body is too large.", "payload_too_large")
    except Exception as error:
        if is_unavailable(error):
            raise
        logger.exception("management API request failed")
        return error_response(500, "Internal error.", "internal_error")


def method_not_allowed(allowed: str) -> JsonResponse:
    """405 with the Allow header RFC 9110 section 15.5.6 requires."""
    return error_response(
        405, "Method Not Allowed", "method_not_allowed", headers={"Allow": allowed}
    )


def public(handler: Handler) -> View:
    """A view without authentication (the OpenAPI document): GET and HEAD (RFC 9110 section
    9.3.2, the server drops HEAD's body), JSON errors."""

    @csrf_exempt
    @login_not_required
    @wraps(handler)
    def view(request: HttpRequest, **kwargs: Any) -> HttpResponse:
        if request.method not in ("GET", "HEAD"):
            return method_not_allowed("GET, HEAD")
        return guarded(lambda: handler(request, **kwargs))

    view.public = True  # type: ignore[attr-defined]
    return view


@csrf_exempt
@login_not_required
def unknown_path(request: HttpRequest, rest: str = "") -> JsonResponse:
    """Every other path under /api/v2/: Auth0's (hapi's) 404."""
    return error_response(404, "Not Found", "not_found")


unknown_path.public = True  # type: ignore[attr-defined]


def no_content() -> HttpResponse:
    response = HttpResponse(status=204)
    del response["Content-Type"]
    return response


def created(body: object) -> JsonResponse:
    return JsonResponse(body, status=201, safe=False)


def ok(body: object) -> JsonResponse:
    return JsonResponse(body, status=200, safe=False)


# --- request input ------------------------------------------------------------------------


def _no_constants(value: str) -> object:
    raise ValueError(f"{value} is not JSON")


def _typed_value(values: list[str], schema: Mapping[str, Any], schemas: Schemas) -> object:
    """A form field or query parameter as its JSON value: both carry only strings, so scalars
    are read by the type the schema declares (what Auth0's form bodies and queries do)."""
    schema = schemas.resolve(schema)
    kind = schema.get("type")
    if kind == "array":
        items = schema.get("items", {})
        return [_typed_value([value], items, schemas) for value in values]
    if len(values) > 1:
        return values  # reported by the validator as the wrong type
    (value,) = values
    if kind == "integer" and value.isascii() and value.lstrip("-").isdigit():
        return int(value)
    if kind == "boolean" and value in ("true", "false"):
        return value == "true"
    return value


def _parse_form(body: bytes, schema: Mapping[str, Any], schemas: Schemas) -> dict[str, Any]:
    try:
        pairs = parse_qsl(
            body.decode("ascii"),
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=1000,
        )
    except (UnicodeDecodeError, ValueError) as error:
        raise ApiError(400, "Invalid request payload form format", "invalid_body") from error
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    properties = schema.get("properties", {})
    return {
        name: _typed_value(values, properties.get(name, {}), schemas)
        for name, values in grouped.items()
    }


def read_body(request: HttpRequest, schemas: Schemas, schema_name: str) -> dict[str, Any]:
    """The request body as a dict valid against `schemas[schema_name]`, or a 400 invalid_body.

    JSON or form-encoded. An empty body (or only JSON whitespace) is `{}`, so bodiless
    requests from the SDKs work. The media type is read from the raw header and trimmed of
    SP/HTAB only (RFC 9110 section 8.3.1): Django's parsed one has lost U+00A0 and U+0085.
    """
    schema = schemas[schema_name]
    body = request.body
    media_type = request.META.get("CONTENT_TYPE", "").split(";", 1)[0].strip(OWS).lower()
    if not body.strip(JSON_WHITESPACE):
        document: object = {}
    elif media_type == "application/x-www-form-urlencoded":
        document = _parse_form(body, schema, schemas)
    elif media_type in ("application/json", "") or media_type.endswith("+json"):
        try:
            document = json.loads(body.decode("utf-8"), parse_constant=_no_constants)
        except (UnicodeDecodeError, ValueError, RecursionError) as error:
            raise ApiError(400, "Invalid request payload JSON format", "invalid_body") from error
    else:
        raise ApiError(
            400,
            "Content-Type must be application/json or application/x-www-form-urlencoded.",
            "invalid_body",
        )
    if _nesting(document) > MAX_NESTING:
        # Checked before the schema: its validator recurses per level, and how deep it may go
        # depends on how deep the stack already is (middleware, handlers), not on the input.
        raise ApiError(
            400,
            f"Payload validation error: values nest deeper than {MAX_NESTING} levels.",
            "invalid_body",
        )
    try:
        schemas.check(document, schema)
    except SchemaError as error:
        raise ApiError(400, error.message("Payload"), "invalid_body") from error
    return document  # type: ignore[return-value]


# No Management API body nests anywhere near this deep (a client's refresh_token object and
# its metadata are the deepest, at three or four levels).
MAX_NESTING = 32


def _nesting(document: object) -> int:
    """How deep arrays and objects nest in `document` (a scalar is 0), without recursion."""
    deepest = 0
    pending: list[tuple[object, int]] = [(document, 0)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, depth + 1)
        if deepest > MAX_NESTING:
            return deepest
        pending.extend((child, depth + 1) for child in children)
    return deepest


def read_query(request: HttpRequest, parameters: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The query string checked against the declared parameters (unknown ones are errors)."""
    declared = {parameter["name"]: parameter["schema"] for parameter in parameters}
    values: dict[str, Any] = {}
    for name in request.GET:
        if name not in declared:
            raise invalid_query(f"Additional properties not allowed: {name}")
        schema = declared[name]
        values[name] = _typed_value(request.GET.getlist(name), schema, PARAMETERS)
        try:
            PARAMETERS.check(values[name], schema, name)
        except SchemaError as error:
            raise ApiError(400, error.message("Query"), "invalid_query_string") from error
    return values


def read_path(value: str, parameter: Mapping[str, Any]) -> str:
    """A path parameter checked against its declared schema, or a 400 invalid_uri (so the
    database is never asked about NUL bytes, lone surrogates or overlong strings)."""
    try:
        PARAMETERS.check(value, parameter["schema"], parameter["name"])
    except SchemaError as error:
        raise ApiError(400, error.message("Path"), "invalid_uri") from error
    return value


# --- paging ---------------------------------------------------------------------------------

DEFAULT_PER_PAGE = 50


def paged(
    queryset: QuerySet,
    query: Mapping[str, Any],
    plural: str,
    render: Callable[[Any], dict[str, Any]],
) -> JsonResponse:
    """One page (`page` from 0, `per_page` 1..100, default 50): a bare array, or with
    `include_totals=true` Auth0's `{total, start, limit, <plural>}`. Past the end the page is
    empty, which is what ends the SDKs' paging loops."""
    per_page = query.get("per_page", DEFAULT_PER_PAGE)
    start = query.get("page", 0) * per_page
    items = [render(item) for item in queryset[start : start + per_page]]
    if not query.get("include_totals", False):
        return ok(items)
    return ok({"total": queryset.count(), "start": start, "limit": per_page, plural: items})


def by_checkpoint(
    queryset: QuerySet,
    query: Mapping[str, Any],
    plural: str,
    render: Callable[[Any], dict[str, Any]],
    key: str = "pk",
) -> JsonResponse:
    """Checkpoint paging (`from`, `take`): `{<plural>, next}`, `next` absent on the last page.

    `queryset` must be ordered by `key`, a unique text field; `next` is the key of the first
    item of the following page.
    """
    take = query.get("take", DEFAULT_PER_PAGE)
    if "from" in query:
        queryset = queryset.filter(**{f"{key}__gte": query["from"]})
    rows = list(queryset[: take + 1])
    body: dict[str, Any] = {plural: [render(item) for item in rows[:take]]}
    if len(rows) > take:
        body["next"] = getattr(rows[take], key)
    return ok(body)


def checkpoint_paging(query: Mapping[str, Any]) -> bool:
    """Whether a list asks for checkpoints (`from`/`take`) rather than pages; not both."""
    checkpoint = "from" in query or "take" in query
    if checkpoint and ("page" in query or "per_page" in query):
        raise invalid_query("Use either page/per_page or from/take, not both")
    return checkpoint


def field_selection(query: Mapping[str, Any]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Auth0's `fields` (comma-separated names) and `include_fields` (true, the default: only
    those; false: all but those). Names an object does not have select nothing, as in Auth0.

    Spaces (U+0020) around a name are dropped ("name, identifier"); no other character is:
    "<U+00A0>identifier" is a name no object has, so it selects nothing."""
    names = {name.strip(" ") for name in query.get("fields", "").split(",")} - {""}
    if not names:  # absent or empty: every field
        return lambda body: body
    include = query.get("include_fields", True)
    return lambda body: {name: value for name, value in body.items() if (name in names) == include}
