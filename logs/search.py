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
from dataclasses import dataclass

from django.db.models import Q, Value
from django.db.models.functions import Substr
from django.db.models.lookups import Exact

MAX_TERMS = 50
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
# A token: a parenthesis, a range in brackets, a phrase, or a run of anything else but
# whitespace (an escaped character included).
_TOKEN = re.compile(
    r'\s*(?:(?P<paren>[()])|(?P<word>(?:[^\s()"\\\[]|\\.)*(?:"(?:[^"\\]|\\.)*"|\[[^\]]*\])?))'
)
_UNESCAPE = re.compile(r"\\(.)")
_RANGE = re.compile(r"^\[\s*(\S+)\s+TO\s+(\S+)\s*\]$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class InvalidQuery(ValueError):
    """`q` is outside the supported subset; str() says what is wrong, for the caller."""


@dataclass(frozen=True)
class _Token:
    kind: str  # "(", ")", "AND", "OR" or "term"
    text: str = ""


def _tokens(q: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while q[position:].strip():
        match = _TOKEN.match(q, position)
        if match is None or match.end() == position or not (match["paren"] or match["word"]):
            raise InvalidQuery(
                f"Unbalanced quote or bracket, or unreadable text at: {q[position : position + 20]}"
            )
        position = match.end()
        if match["paren"]:
            tokens.append(_Token(match["paren"]))
        elif match["word"] in ("AND", "OR"):
            tokens.append(_Token(match["word"]))
        else:
            tokens.append(_Token("term", match["word"]))
    if len([t for t in tokens if t.kind == "term"]) > MAX_TERMS:
        raise InvalidQuery(f"Too many terms (at most {MAX_TERMS})")
    return tokens


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
    value = _UNESCAPE.sub(r"\1", value)
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


class _Parser:
    """Recursive descent: query := and (OR and)*; and := atom ([AND] atom)*;
    atom := term | ( query )."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.position = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.peek()
        if token is None:
            raise InvalidQuery("The query ends where a term was expected")
        self.position += 1
        return token

    def query(self) -> Q:
        condition = self.conjunction()
        while (token := self.peek()) is not None and token.kind == "OR":
            self.take()
            condition |= self.conjunction()
        return condition

    def conjunction(self) -> Q:
        condition = self.atom()
        while (token := self.peek()) is not None and token.kind in ("AND", "term", "("):
            if token.kind == "AND":
                self.take()
            condition &= self.atom()
        return condition

    def atom(self) -> Q:
        token = self.take()
        if token.kind == "term":
            return _term(token.text)
        if token.kind == "(":
            condition = self.query()
            closing = self.peek()
            if closing is None or closing.kind != ")":
                raise InvalidQuery("Missing closing parenthesis")
            self.take()
            return condition
        raise InvalidQuery(f"Unexpected {token.kind or token.text} where a term was expected")


def parse(q: str) -> Q:
    """The Q for `q` (an empty or blank `q` matches every event). Raises InvalidQuery."""
    tokens = _tokens(q)
    if not tokens:
        return Q()
    parser = _Parser(tokens)
    condition = parser.query()
    if parser.peek() is not None:
        raise InvalidQuery(f"Unexpected {parser.take().kind} (unbalanced parentheses?)")
    return condition
