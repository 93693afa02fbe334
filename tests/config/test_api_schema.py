"""The jsonschema adapter: each keyword the contract uses is enforced and worded as z-schema
(Auth0's validator) words it, and a keyword without wording is refused when a schema loads."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.api_schema import SchemaError, Schemas, query

SCHEMAS = Schemas(
    {
        "Item": {
            "type": "object",
            "additionalProperties": False,
            "required": ["value"],
            "properties": {"value": {"type": "string", "description": "The value."}},
        },
        "Thing": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "size"],
            "description": "A thing.",
            "properties": {
                "name": {
                    "type": "string",
                    "minLength": 2,
                    "maxLength": 4,
                    "pattern": "^[a-z]+$",
                    "description": "Its name.",
                },
                "size": {"type": "integer", "minimum": 1, "maximum": 9},
                "kind": {"type": "string", "enum": ["a", "b"]},
                "tags": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 3,
                    "items": {"type": "string", "maxLength": 2},
                    "uniqueItems": True,
                },
                "note": {"type": "string", "nullable": True},
                "items": {"type": "array", "items": {"$ref": "#/components/schemas/Item"}},
            },
        },
    }
)
VALID = {"name": "abc", "size": 5}


def detail(value: object) -> tuple[str, str, str]:
    with pytest.raises(SchemaError) as caught:
        SCHEMAS.check(value, SCHEMAS["Thing"])
    return caught.value.detail, caught.value.path, caught.value.description


def test_a_valid_value_passes():
    SCHEMAS.check(
        {**VALID, "kind": "a", "tags": ["x"], "note": None, "items": [{"value": "v"}]},
        SCHEMAS["Thing"],
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"size": "5"}, ("Expected type integer but found type string", "size", "")),
        ({"size": 1.5}, ("Expected type integer but found type number", "size", "")),
        ({"size": True}, ("Expected type integer but found type boolean", "size", "")),
        ({"name": None}, ("Expected type string but found type null", "name", "Its name.")),
        ({"kind": "c"}, ('No enum match for: "c"', "kind", "")),
        ({"name": "a"}, ("String is too short (1 chars), minimum 2", "name", "Its name.")),
        ({"name": "abcde"}, ("String is too long (5 chars), maximum 4", "name", "Its name.")),
        ({"name": "AB"}, ("String does not match pattern ^[a-z]+$: AB", "name", "Its name.")),
        ({"size": 0}, ("Value 0 is less than minimum 1", "size", "")),
        ({"size": 10}, ("Value 10 is greater than maximum 9", "size", "")),
        ({"tags": []}, ("Array is too short (0), minimum 1", "tags", "")),
        ({"tags": ["a", "b", "c", "d"]}, ("Array is too long (4), maximum 3", "tags", "")),
        ({"tags": ["abc"]}, ("String is too long (3 chars), maximum 2", "tags[0]", "")),
        ({"tags": ["a", "b", "a"]}, ("Array items are not unique (indexes 0 and 2)", "tags", "")),
        ({"items": [{}]}, ("Missing required property: value", "items[0]", "")),
        (
            {"items": [{"value": 1}]},
            ("Expected type string but found type integer", "items[0].value", "The value."),
        ),
        (
            {"extra": 1, "more": 2},
            ("Additional properties not allowed: extra,more", "", "A thing."),
        ),
        (
            {"name": "a\x00"},
            (
                "String contains characters that are not allowed (NUL or lone surrogates)",
                "name",
                "Its name.",
            ),
        ),
        (
            {"name": "\udc80"},
            (
                "String contains characters that are not allowed (NUL or lone surrogates)",
                "name",
                "Its name.",
            ),
        ),
    ],
)
def test_each_keyword_is_enforced_with_z_schemas_wording(change, expected):
    assert detail({**VALID, **change}) == expected


def test_required_names_the_first_missing_property():
    assert detail({}) == ("Missing required property: name", "", "A thing.")
    assert detail({"name": "abc"}) == ("Missing required property: size", "", "A thing.")


def test_nullable_allows_null_only_where_declared():
    SCHEMAS.check({**VALID, "note": None}, SCHEMAS["Thing"])
    assert detail({**VALID, "kind": None})[0] == "Expected type string but found type null"


def test_the_message_names_the_kind_path_and_description():
    error = SchemaError("Value 0 is less than minimum 1", "size", "How big.")
    assert error.message("Payload") == (
        "Payload validation error: 'Value 0 is less than minimum 1' on property size (How big.)."
    )
    assert SchemaError("Missing required property: x").message("Query") == (
        "Query validation error: 'Missing required property: x'."
    )


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "string", "format": "email"},
        {"type": "integer", "exclusiveMinimum": 0},
        {"oneOf": [{"type": "string"}]},
        {"type": "object", "properties": {"deep": {"type": "string", "minProperties": 1}}},
        {"type": "array", "items": {"type": "string", "const": "x"}},
        {"type": "object", "additionalProperties": {"type": "string"}},
    ],
)
def test_a_keyword_without_wording_is_refused_when_the_schema_loads(schema):
    with pytest.raises(ImproperlyConfigured):
        Schemas({"Bad": schema})
    with pytest.raises(ImproperlyConfigured):
        query("bad", schema, "A parameter that would be published but not enforced.")
