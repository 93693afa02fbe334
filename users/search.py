"""Auth0's user search (`q` with `search_engine=v3`): the common Lucene queries, as a Django Q.

Supported (anything else raises InvalidQuery, which the API answers with a 400):

- `field:"value"` (a phrase, `\\"` and `\\\\` escape) or `field:value` (one word) on the fields
  `email`, `user_id`, `username`, `name`, `nickname` (compared without case; email is
  stored lowercased), `email_verified`, `blocked` (`true` or `false`) and
  `identities.connection` (Auth0's connection filter);
- a trailing `*` on a text field's value is a prefix search (`email:"jo*"`, `name:jan*`);
  `user_id` takes exact ids only (`auth0|<24 hex>`);
- `AND` and `OR` between terms (AND binds tighter, as in Lucene), and parentheses.

Not supported: a term without a field, `NOT`/`-`/`+`, other wildcards (`?`, a leading or
inner `*`), ranges, fuzzy and proximity operators, and terms side by side without AND/OR
(Lucene would read them as OR, a common surprise; say which you mean).
"""

import re

from django.db.models import Q

from config import lucene_query
from config.lucene_query import InvalidQuery, unescape
from users.models import CONNECTION

TEXT_FIELDS = {
    "email": "email",
    "username": "username",
    "name": "name",
    "nickname": "nickname",
}
BOOLEAN_FIELDS = ("email_verified", "blocked")
FIELDS = (
    "email",
    "user_id",
    "username",
    "name",
    "nickname",
    "email_verified",
    "blocked",
    "identities.connection",
)
_FIELD_NAMES = ", ".join(FIELDS)


def _value(raw: str) -> tuple[str, bool]:
    """The term's value and whether it ends in a prefix wildcard."""
    if raw.startswith('"'):
        inner = raw[1:-1]
        value = unescape(inner)
    elif '"' in raw:
        raise InvalidQuery(f"A quote may only open a value: {raw}")
    else:
        value, inner = unescape(raw), raw
    prefix = inner.endswith("*") and not inner.endswith("\\*")
    if prefix:
        value = value[:-1]
    unescaped_stars = re.sub(r"\\.", "", inner[:-1] if prefix else inner)
    if "*" in unescaped_stars or "?" in unescaped_stars:
        raise InvalidQuery(f"Only a trailing * is supported as a wildcard: {raw}")
    return value, prefix


def _term(text: str) -> Q:
    field, colon, raw = text.partition(":")
    if field.startswith(("-", "+", "!")) or field == "NOT":
        raise InvalidQuery(f"Negation and required terms (NOT, -, +) are not supported: {text}")
    if not colon or not field:
        raise InvalidQuery(
            f'Each term needs a field (field:"value"), one of {_FIELD_NAMES}: {text}'
        )
    if field not in FIELDS:
        raise InvalidQuery(f"Unsupported field {field!r}; use one of {_FIELD_NAMES}")
    if not raw:
        raise InvalidQuery(f"The term has no value: {text}")
    value, prefix = _value(raw)
    if field in BOOLEAN_FIELDS:
        if prefix or value not in ("true", "false"):
            raise InvalidQuery(f"{field} is true or false: {text}")
        return Q(**{field: value == "true"})
    if field == "identities.connection":
        # Auth0's way to filter by connection with v3; every user here is of the one.
        return Q() if value == CONNECTION and not prefix else Q(pk__in=[])
    if field == "user_id":
        if prefix:
            raise InvalidQuery(f"user_id takes exact ids only: {text}")
        bare = value.removeprefix("auth0|")
        # An id of another shape or connection is no user here: it matches nothing.
        return Q(pk=bare) if re.fullmatch(r"[0-9a-f]{24}", bare) else Q(pk__in=[])
    column = TEXT_FIELDS[field]
    if field == "email":
        # Stored lowercased, so plain comparisons use the unique index.
        lookup = "startswith" if prefix else "exact"
        return Q(**{f"{column}__{lookup}": value.lower()})
    return Q(**{f"{column}__{'istartswith' if prefix else 'iexact'}": value})


def parse(q: str) -> Q:
    """The filter for Auth0's v3 query `q` (terms side by side are refused: say AND or OR).
    Raises InvalidQuery."""
    return lucene_query.parse(q, _term)
