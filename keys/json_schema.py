"""A small JSON Schema validator (the subset OpenAPI 3.0 uses) that speaks z-schema's messages.

Auth0's Management API validates requests with z-schema and reports the first error as
"Payload validation error: '<detail>' on property <path> (<description>)."; scripts and
people read those texts, so the details use z-schema's wording. The schemas themselves are
the ones published in the OpenAPI document (keys/management_openapi.py), so what is
documented is exactly what is enforced.

Supported keywords: type, nullable, enum, minLength, maxLength, pattern, minimum, maximum,
items, minItems, maxItems, uniqueItems, properties, required, additionalProperties (false),
$ref (local). Anything else in a schema is documentation only.
"""

import json
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

Resolver = Callable[[str], Mapping[str, Any]]


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


@lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _has_unstorable_characters(value: str) -> bool:
    # NUL cannot be stored in PostgreSQL text, and lone surrogates cannot be encoded as UTF-8.
    return "\x00" in value or any(0xD800 <= ord(char) <= 0xDFFF for char in value)


def _child(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def validate(value: object, schema: Mapping[str, Any], resolve: Resolver, path: str = "") -> None:
    """Raise SchemaError for the first violation of `schema` by `value`."""
    while "$ref" in schema:
        schema = resolve(schema["$ref"])
    description = str(schema.get("description", ""))

    def fail(detail: str) -> SchemaError:
        return SchemaError(detail, path, description)

    if value is None:
        if schema.get("nullable"):
            return
        raise fail(f"Expected type {schema.get('type', 'object')} but found type null")
    expected = schema.get("type")
    found = json_type(value)
    if expected and found != expected and not (expected == "number" and found == "integer"):
        raise fail(f"Expected type {expected} but found type {found}")
    if "enum" in schema and value not in schema["enum"]:
        raise fail(f"No enum match for: {json.dumps(value)}")
    if isinstance(value, str):
        _validate_string(value, schema, fail)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if "minimum" in schema and value < schema["minimum"]:
            raise fail(f"Value {value} is less than minimum {schema['minimum']}")
        if "maximum" in schema and value > schema["maximum"]:
            raise fail(f"Value {value} is greater than maximum {schema['maximum']}")
    elif isinstance(value, list):
        _validate_array(value, schema, resolve, path, fail)
    elif isinstance(value, dict):
        _validate_object(value, schema, resolve, path, fail)


def _validate_string(
    value: str, schema: Mapping[str, Any], fail: Callable[[str], SchemaError]
) -> None:
    if _has_unstorable_characters(value):
        raise fail("String contains characters that are not allowed (NUL or lone surrogates)")
    if "minLength" in schema and len(value) < schema["minLength"]:
        raise fail(f"String is too short ({len(value)} chars), minimum {schema['minLength']}")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        raise fail(f"String is too long ({len(value)} chars), maximum {schema['maxLength']}")
    if "pattern" in schema and not _compiled(schema["pattern"]).search(value):
        raise fail(f"String does not match pattern {schema['pattern']}: {value}")


def _validate_array(
    value: list[Any],
    schema: Mapping[str, Any],
    resolve: Resolver,
    path: str,
    fail: Callable[[str], SchemaError],
) -> None:
    if "minItems" in schema and len(value) < schema["minItems"]:
        raise fail(f"Array is too short ({len(value)}), minimum {schema['minItems']}")
    if "maxItems" in schema and len(value) > schema["maxItems"]:
        raise fail(f"Array is too long ({len(value)}), maximum {schema['maxItems']}")
    if "items" in schema:
        for index, item in enumerate(value):
            validate(item, schema["items"], resolve, f"{path}[{index}]")
    if schema.get("uniqueItems"):  # after the items, so only shallow, valid items are compared
        seen: dict[str, int] = {}
        for index, item in enumerate(value):
            key = json.dumps(item, sort_keys=True)
            if key in seen:
                raise fail(f"Array items are not unique (indexes {seen[key]} and {index})")
            seen[key] = index


def _validate_object(
    value: dict[str, Any],
    schema: Mapping[str, Any],
    resolve: Resolver,
    path: str,
    fail: Callable[[str], SchemaError],
) -> None:
    properties: Mapping[str, Any] = schema.get("properties", {})
    if schema.get("additionalProperties") is False:
        extra = [name for name in value if name not in properties]
        if extra:
            raise fail(f"Additional properties not allowed: {','.join(extra)}")
    for name in schema.get("required", ()):
        if name not in value:
            raise fail(f"Missing required property: {name}")
    for name, item in value.items():
        if name in properties:
            validate(item, properties[name], resolve, _child(path, name))
