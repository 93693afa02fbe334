"""Auth0's log search (`q` on GET /api/v2/logs): the common Lucene queries, as a Django Q.

The rules are Auth0's "Log Search Query Syntax"
(https://auth0.com/docs/deploy-monitor/logs/log-search-query-syntax): fields are case
sensitive, a phrase in double quotes is an exact match. Supported (anything else raises
InvalidQuery, which the API answers with a 400 naming the problem):

- `field:"value"` (`\\"` and `\\\\` escape) or `field:value` (one word): an exact,
  case-sensitive match on one of FIELDS; a trailing `*` makes it a prefix match
  (`client_name:Bill*`);
- `date:[A TO B]`: A and B are ISO 8601 dates (`2026-11-30`, the whole day) or date-times
  (`2026-11-30T12:00:00Z`, `+01:00`; without an offset UTC), or `*` for an open end; both
  ends are included. `date:2026-11-30` is that one day (UTC);
- `AND` and `OR` between terms (AND binds tighter, as in Lucene), parentheses, and terms side
  by side, which are joined with AND (what the SDK's `search` documents: "If multiple fields
  are used, the AND operator is used").

Not supported: a term without a field, `NOT`/`-`/`+`, wildcards other than a trailing `*`,
exclusive ranges (`{A TO B}`), ranges on other fields, fuzzy and proximity operators.

Exact matches on `type`, `client_id` and `user_id`, and `date` ranges, use the model's
(field, -date) and date indexes.
"""

import datetime as dt
import re

from django.db.models import Q, Value
from django.db.models.functions import Substr
from django.db.models.lookups import Exact

from config import lucene_query
from config.lucene_query import InvalidQuery, unescape

# Auth0's searchable fields that Gatehouse stores, with their columns.
FIELDS = (
    "log_id",
    "type",
    "client_id",
    "client_name",
    "user_id",
    "user_name",
    "ip",
    "connection",
    "audience",
    "description",
    "hostname",
    "user_agent",
    "scope",
)
_FIELD_NAMES = ", ".join((*FIELDS, "date"))
_RANGE = re.compile(r"^\[\s*(\S+)\s+TO\s+(\S+)\s*\]$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _instant(text: str, *, end: bool) -> dt.datetime:
    """A range end as an aware datetime; a bare date is its first instant, or for `end` the
    first instant of the next day (the range then stops before it)."""
    try:
        if _DATE.fullmatch(text):
            day = dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)
            return day + dt.timedelta(days=1) if end else day
        moment = dt.datetime.fromisoformat(text)
        # In UTC now, so an instant beyond year 1..9999 is refused here, not by the database.
        return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
    except (ValueError, OverflowError) as error:
        raise InvalidQuery(
            f"Not an ISO 8601 date or date-time: {text} (e.g. 2026-11-30 or 2026-11-30T12:00:00Z)"
        ) from error


def _date_condition(value: str) -> Q:
    if not value.startswith("["):
        if not _DATE.fullmatch(value):
            raise InvalidQuery(
                f"date takes a day (date:2026-11-30) or a range (date:[A TO B]), not: {value}"
            )
        return Q(date__gte=_instant(value, end=False), date__lt=_instant(value, end=True))
    match = _RANGE.fullmatch(value)
    if match is None:
        raise InvalidQuery(f"A date range is [A TO B], with * for an open end, not: {value}")
    low, high = match.groups()
    condition = Q()
    if low != "*":
        condition &= Q(date__gte=_instant(low, end=False))
    if high != "*":
        upper = _instant(high, end=True)
        # A bare date as the upper end includes its whole day; a date-time includes itself.
        condition &= Q(date__lt=upper) if _DATE.fullmatch(high) else Q(date__lte=upper)
    return condition


def _term(text: str) -> Q:
    if text == "NOT" or text[:1] in "-+!":
        raise InvalidQuery(f"NOT, -, + and ! are not supported: {text}")
    field, colon, value = text.partition(":")
    if not colon or not field:
        raise InvalidQuery(
            f'A term needs a field (field:value or field:"value"): {text}; '
            f"fields are {_FIELD_NAMES}"
        )
    if field == "date":
        return _date_condition(value)
    if field not in FIELDS:
        raise InvalidQuery(f"Unsupported field: {field}; supported fields are {_FIELD_NAMES}")
    quoted = len(value) >= 2 and value.startswith('"') and value.endswith('"')
    if quoted:
        value = value[1:-1]
    elif '"' in value or value.startswith("["):
        raise InvalidQuery(f"Misplaced quote or bracket in: {text}")
    prefix = value.endswith("*") and not value.endswith("\\*")
    if prefix:
        value = value[:-1]
    if "*" in value.replace("\\*", "") or "?" in value.replace("\\?", ""):
        raise InvalidQuery(f"Only a trailing * is supported as a wildcard: {text}")
    value = unescape(value)
    if not value and not prefix:
        raise InvalidQuery(f"Empty value for {field}")
    if not prefix:
        return Q(**{field: value})
    if not value:  # field:* is Lucene's "has a value"
        return ~Q(**{field: ""})
    # Case sensitive on every database: SQLite's LIKE (behind startswith) ignores case, its
    # `=` does not.
    return Q(**{f"{field}__startswith": value}) & Q(
        Exact(Substr(field, 1, len(value)), Value(value))
    )


def parse(q: str) -> Q:
    """The Q for `q` (an empty or blank `q` matches every event; terms side by side are
    joined with AND). Raises InvalidQuery."""
    return lucene_query.parse(q, _term, adjacent_terms_and=True, ranges=True)
