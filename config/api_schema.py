"""JSON Schema for the Management API: validation with Auth0's wording, and shared parameters.

Auth0's Management API validates requests with z-schema and reports the first error as
"Payload validation error: '<detail>' on property <path> (<description>)."; scripts and people
read those texts. Validation itself is the `jsonschema` library (Draft 4, the dialect OpenAPI
3.0 builds on, plus OpenAPI's `nullable`); this module only words its first error as z-schema
does. The schemas are the ones published in the OpenAPI document, so what is documented is
exactly what is enforced. A schema that uses a keyword this module cannot word is refused when
it is loaded (`Schemas`), rather than published and silently enforced in other words.

Domain free: apps build their slice of the contract from this, never the other way round.
"""

import json
from collections.abc import Iterator, Mapping
from functools import cached_property
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from jsonschema import Draft4Validator, ValidationError, validators

SchemaDict = dict[str, Any]

TEXT_PATTERN = r"^[^\u0000]*$"
NAME_PATTERN = r"^[^<>\u0000]+$"  # Auth0's ^[^<>]+$; NUL cannot be stored

# Every keyword a request schema may use: each is worded below (or is an annotation).
WORDED_KEYWORDS = frozenset(
    {
        "$ref",
        "type",
        "nullable",
        "enum",
        "minLength",
        "maxLength",
        "pattern",
        "minimum",
        "maximum",
        "items",
        "minItems",
        "maxItems",
        "uniqueItems",
        "properties",
        "required",
        "additionalProperties",
    }
)
ANNOTATIONS = frozenset({"description"})
_UNSTORABLE = "String contains characters that are not allowed (NUL or lone surrogates)"


class SchemaError(Exception):
    """The first violation found: z-schema's detail text, the property path and its description."""

    def __init__(self, detail: str, path: str = "", description: str = "") -> None:
        super().__init__(detail)
        self.detail = detail
        self.path = path
        self.description = description

    def message(self, kind: str) -> str:
        """`kind` is Payload, Query or Path, as in Auth0's texts."""
        text = f"{kind} validation error: '{self.detail}'"
        if self.path:
            text += f" on property {self.path}"
            if self.description:
                text += f" ({self.description})"
        return text + "."


def json_type(value: object) -> str:
    """The JSON type name of a parsed value (z-schema's names)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _has_unstorable_characters(value: str) -> bool:
    # NUL cannot be stored in PostgreSQL text, and lone surrogates cannot be encoded as UTF-8.
    return "\x00" in value or any(0xD800 <= ord(char) <= 0xDFFF for char in value)


_draft4_type = Draft4Validator.VALIDATORS["type"]


def _type(
    validator: Any, expected: Any, instance: object, schema: SchemaDict
) -> Iterator[ValidationError]:
    """Draft 4's `type`, plus OpenAPI 3.0's `nullable`, plus strings that cannot be stored
    (checked here because `type` is every string schema's first keyword, as in z-schema)."""
    if instance is None and schema.get("nullable"):
        return
    if isinstance(instance, str) and "enum" not in schema and _has_unstorable_characters(instance):
        yield ValidationError(_UNSTORABLE)
        return
    yield from _draft4_type(validator, expected, instance, schema)


_Validator = validators.extend(Draft4Validator, {"type": _type})


def _duplicate_indexes(items: list[Any]) -> tuple[int, int]:
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        key = json.dumps(item, sort_keys=True)
        if key in seen:
            return seen[key], index
        seen[key] = index
    raise AssertionError("uniqueItems failed without duplicates")  # pragma: no cover


def _detail(error: ValidationError) -> str:
    """z-schema's text for the keyword that failed."""
    # Typed loosely by jsonschema (they may be unset); iter_errors always sets all three.
    keyword: Any = error.validator
    bound: Any = error.validator_value
    value: Any = error.instance
    if error.message == _UNSTORABLE:
        return _UNSTORABLE
    if keyword == "type":
        return f"Expected type {bound} but found type {json_type(value)}"
    if keyword == "enum":
        return f"No enum match for: {json.dumps(value)}"
    if keyword == "minLength":
        return f"String is too short ({len(value)} chars), minimum {bound}"
    if keyword == "maxLength":
        return f"String is too long ({len(value)} chars), maximum {bound}"
    if keyword == "pattern":
        return f"String does not match pattern {bound}: {value}"
    if keyword == "minimum":
        return f"Value {value} is less than minimum {bound}"
    if keyword == "maximum":
        return f"Value {value} is greater than maximum {bound}"
    if keyword == "minItems":
        return f"Array is too short ({len(value)}), minimum {bound}"
    if keyword == "maxItems":
        return f"Array is too long ({len(value)}), maximum {bound}"
    if keyword == "uniqueItems":
        first, second = _duplicate_indexes(value)
        return f"Array items are not unique (indexes {first} and {second})"
    if keyword == "required":
        missing = next(name for name in bound if name not in value)
        return f"Missing required property: {missing}"
    if keyword == "additionalProperties":
        schema: Any = error.schema
        known = schema.get("properties", {})
        return f"Additional properties not allowed: {','.join(n for n in value if n not in known)}"
    # Unreachable: Schemas refuses any other keyword when it loads a schema.
    raise ImproperlyConfigured(f"no wording for JSON Schema keyword {keyword!r}")


def _path(prefix: str, parts: Iterator[str | int]) -> str:
    path = prefix
    for part in parts:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path = f"{path}.{part}" if path else part
    return path


def _check_keywords(schema: Mapping[str, Any], where: str) -> None:
    unknown = set(schema) - WORDED_KEYWORDS - ANNOTATIONS
    if unknown:
        raise ImproperlyConfigured(
            f"{where}: JSON Schema keywords {sorted(unknown)} are not enforced with Auth0's "
            "wording; add their wording to config/api_schema.py first"
        )
    if schema.get("additionalProperties", False) is not False:
        raise ImproperlyConfigured(f"{where}: additionalProperties must be false or absent")
    for name, child in schema.get("properties", {}).items():
        _check_keywords(child, f"{where}.{name}")
    if "items" in schema:
        _check_keywords(schema["items"], f"{where}[]")


def _components(schemas: Mapping[str, SchemaDict]) -> SchemaDict:
    return {"components": {"schemas": dict(schemas)}}


class Schemas:
    """Named request schemas that may `$ref` one another as `#/components/schemas/<name>`:
    one app's slice of the document's components. Every keyword is checked when the set is
    built, so a schema that would be published but not enforced fails at start-up
    (ImproperlyConfigured)."""

    def __init__(self, schemas: Mapping[str, SchemaDict]) -> None:
        for name, schema in schemas.items():
            _check_keywords(schema, name)
        self.by_name: dict[str, SchemaDict] = dict(schemas)

    def __getitem__(self, name: str) -> SchemaDict:
        return self.by_name[name]

    def resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        """The schema a local `$ref` points to, or `schema` itself."""
        while "$ref" in schema:
            schema = self.by_name[schema["$ref"].rsplit("/", 1)[-1]]
        return schema

    @cached_property
    def _root(self) -> SchemaDict:
        return _components(self.by_name)

    def check(self, value: object, schema: Mapping[str, Any], path: str = "") -> None:
        """Raise SchemaError, worded as z-schema, for the first violation of `schema` by
        `value`; `path` prefixes the property path (a query parameter's name)."""
        # Local refs resolve against the document root, which holds the components.
        validator = _Validator({**schema, **self._root})
        error = next(validator.iter_errors(value), None)
        if error is None:
            return
        failed: Any = error.schema
        description = str(failed.get("description", ""))
        raise SchemaError(_detail(error), _path(path, iter(error.absolute_path)), description)


# Parameters carry no refs: they are checked against an empty set of components.
PARAMETERS = Schemas({})


def check_parameter_schema(schema: Mapping[str, Any], where: str) -> None:
    """Refuse a parameter schema with a keyword that has no wording (ImproperlyConfigured)."""
    _check_keywords(schema, where)


def ref(name: str) -> dict[str, str]:
    """A reference to `#/components/schemas/<name>`."""
    return {"$ref": f"#/components/schemas/{name}"}


def query(name: str, schema: SchemaDict, description: str) -> SchemaDict:
    """An optional query parameter (OpenAPI 3.0 Parameter Object); arrays repeat the name."""
    check_parameter_schema(schema, name)
    parameter = {"name": name, "in": "query", "required": False, "description": description}
    parameter["schema"] = {**schema, "description": description}
    if schema.get("type") == "array":
        parameter.update(style="form", explode=True)
    return parameter


def path_param(name: str, schema: SchemaDict, description: str) -> SchemaDict:
    """A path parameter (OpenAPI 3.0 Parameter Object)."""
    check_parameter_schema(schema, name)
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {**schema, "description": description},
    }


PAGE = query(
    "page",
    {"type": "integer", "minimum": 0, "maximum": 1_000_000},
    "Page index of the results to return. First page is 0.",
)
PER_PAGE = query(
    "per_page",
    {"type": "integer", "minimum": 1, "maximum": 100},
    "Number of results per page. Defaults to 50.",
)
INCLUDE_TOTALS = query(
    "include_totals",
    {"type": "boolean"},
    "Return results inside an object that contains the total result count (true) "
    "or as a direct array of results (false, default).",
)
FIELDS = query(
    "fields",
    {"type": "string", "maxLength": 1000, "pattern": TEXT_PATTERN},
    "Comma-separated list of fields to include or exclude (based on include_fields) "
    "in the result. Leave empty to retrieve all fields.",
)
INCLUDE_FIELDS = query(
    "include_fields",
    {"type": "boolean"},
    "Whether specified fields are to be included (true, default) or excluded (false).",
)
FROM = query(
    "from",
    {"type": "string", "maxLength": 64, "pattern": TEXT_PATTERN},
    "Optional id from which to start selection (the `next` of the previous page).",
)
TAKE = query(
    "take",
    {"type": "integer", "minimum": 1, "maximum": 100},
    "Number of results per page when paging by checkpoint. Defaults to 50.",
)
# One object's GET: only the field selection.
SINGLE_OBJECT_QUERY = [FIELDS, INCLUDE_FIELDS]
