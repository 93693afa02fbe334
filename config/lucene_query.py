"""The Lucene query subset that Auth0's searches take (`q` on /users and /logs), read into a
Django Q. Domain free: the caller turns each `field:value` term into a Q (users/search.py,
logs/search.py) and decides what its fields mean; this module reads the structure.

Grammar (recursive descent): query := conjunction (OR conjunction)*;
conjunction := atom ([AND] atom)*; atom := term | "(" query ")". AND binds tighter than OR, as
in Lucene. A term is a run of characters other than whitespace, parentheses and quotes
(backslash escapes one), optionally ending in a phrase in double quotes, or, when the caller
allows ranges, in a range in brackets (`date:[A TO B]`). Terms side by side are joined with AND
or refused, as the caller chooses (Lucene itself reads them as OR, which surprises people).
Every failure raises InvalidQuery with a message for the API's 400.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q

MAX_TERMS = 50
# Parentheses nest at most this deep: the parser recurses per level, and a few hundred levels
# of a short query would otherwise reach Python's recursion limit (a 500).
MAX_NESTING = 10
_WORD = r'(?:[^\s()"\\\[]|\\.)*'
_PHRASE = r'"(?:[^"\\]|\\.)*"'
_RANGE = r"\[[^\]]*\]"
_TOKEN_WITH_RANGES = re.compile(rf"\s*(?:(?P<paren>[()])|(?P<word>{_WORD}(?:{_PHRASE}|{_RANGE})?))")
_TOKEN = re.compile(rf'\s*(?:(?P<paren>[()])|(?P<word>(?:[^\s()"\\]|\\.)*(?:{_PHRASE})?))')


class InvalidQuery(ValueError):
    """`q` is outside the supported subset; str() says what is wrong, for the caller."""


@dataclass(frozen=True)
class _Token:
    kind: str  # "(", ")", "AND", "OR" or "term"
    text: str = ""


def _tokens(q: str, *, ranges: bool) -> list[_Token]:
    pattern = _TOKEN_WITH_RANGES if ranges else _TOKEN
    tokens: list[_Token] = []
    position = 0
    while q[position:].strip():
        match = pattern.match(q, position)
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
    if sum(token.kind == "term" for token in tokens) > MAX_TERMS:
        raise InvalidQuery(f"At most {MAX_TERMS} terms")
    return tokens


class _Parser:
    def __init__(
        self, tokens: list[_Token], term: Callable[[str], Q], adjacent_terms_and: bool
    ) -> None:
        self.tokens = tokens
        self.term = term
        self.adjacent_terms_and = adjacent_terms_and
        self.position = 0
        self.depth = 0

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
        while (token := self.peek()) is not None and token.kind not in ("OR", ")"):
            if token.kind == "AND":
                self.take()
            elif not self.adjacent_terms_and:
                raise InvalidQuery(
                    "Put AND or OR between terms (Lucene reads terms side by side as OR)"
                )
            condition &= self.atom()
        return condition

    def atom(self) -> Q:
        token = self.take()
        if token.kind == "term":
            return self.term(token.text)
        if token.kind == "(":
            self.depth += 1
            if self.depth > MAX_NESTING:
                raise InvalidQuery(f"Parentheses nest at most {MAX_NESTING} deep")
            condition = self.query()
            self.depth -= 1
            closing = self.peek()
            if closing is None or closing.kind != ")":
                raise InvalidQuery("Unbalanced parentheses: a ( is never closed")
            self.take()
            return condition
        raise InvalidQuery(f"Expected a term, found {token.kind}")


def parse(
    q: str,
    term: Callable[[str], Q],
    *,
    adjacent_terms_and: bool = False,
    ranges: bool = False,
) -> Q:
    """The Q for `q`; `term(text)` gives each `field:value` term's Q (and raises InvalidQuery
    for a term it refuses). A blank `q` is Q() (everything). Raises InvalidQuery."""
    tokens = _tokens(q, ranges=ranges)
    if not tokens:
        return Q()
    parser = _Parser(tokens, term, adjacent_terms_and)
    condition = parser.query()
    if parser.peek() is not None:
        raise InvalidQuery("Unbalanced parentheses: a ) closes nothing")
    return condition


def unescape(text: str) -> str:
    """A term's value with its backslash escapes resolved (`\\"` is `"`)."""
    return re.sub(r"\\(.)", r"\1", text)
