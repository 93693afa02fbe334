"""Reading settings from the environment strictly: a value that is not what a variable
takes stops the process at startup, naming the variable and what it takes.

django-environ reads the values, but leniently: `Env.bool` turns any word it does not know
into False (SESSION_COOKIE_SECURE=ture would quietly send session cookies over plain HTTP),
and `Env.int` lets Python's ValueError through without the variable's name, and `Env.db` turns
a DATABASE_URL set empty into settings without an engine (a KeyError far from the cause).
`StrictEnv` keeps django-environ's interface and refuses all three. It also reads REDIS_URL
as redis-py will, at startup rather than at the first request. Its messages never repeat a
database or Redis URL, which may hold a password.
"""

import builtins
import math
import re
from urllib.parse import urlsplit

import environ
import redis.connection
from django.core.exceptions import ImproperlyConfigured

# The words a boolean variable takes, in any case (django-environ's true words, and their
# opposites: nothing else).
TRUE_WORDS = frozenset({"true", "on", "ok", "y", "yes", "1"})
FALSE_WORDS = frozenset({"false", "off", "n", "no", "0"})
# ASCII digits only: int() and float() take any script's, and float() also "1_000" and "inf".
_WHOLE_NUMBER = re.compile(r"[+-]?[0-9]+")
_NUMBER = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
# The database URL schemes Gatehouse runs on (django-environ's names for PostgreSQL, and
# SQLite, the embedded default); django-environ would also take MySQL's, Oracle's and others.
DATABASE_SCHEMES = frozenset({"postgres", "postgresql", "pgsql", "psql", "sqlite"})
_REDIS_DATABASE = re.compile(r"(/[0-9]{0,9})?")  # redis://host:port/<database number>
_URL_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]{0,19}")  # RFC 3986 section 3.1, kept short


class StrictEnv(environ.Env):
    """environ.Env whose `bool`, `int` and `float` raise ImproperlyConfigured for a value
    they cannot read exactly; `int` and `float` also take a `minimum`. An unset variable
    gives `default`, as in django-environ (ImproperlyConfigured when there is none)."""

    # Annotations say builtins.*: inside the class, `bool`, `int` and `float` are the methods.
    def _raw(self, var: str) -> str | None:
        # The value as set (None when unset, "" when set empty), read through Env.str so
        # that django-environ's prefix and $VAR interpolation still apply.
        if f"{self.prefix}{var}" not in self.ENVIRON:
            return None
        # No default: a value naming an unset variable ($OTHER) is refused by name.
        return self.str(var).strip()

    def bool(  # noqa: A003 - django-environ's name
        self, var: str, default: builtins.bool | environ.NoValue = environ.Env.NOTSET
    ) -> builtins.bool:
        """True or False from one of TRUE_WORDS or FALSE_WORDS (any case)."""
        raw = self._raw(var)
        if raw is None:
            return super().bool(var, default=default)
        if raw.lower() in TRUE_WORDS:
            return True
        if raw.lower() in FALSE_WORDS:
            return False
        raise ImproperlyConfigured(f"{var} must be true or false; got {raw!r}.")

    def _number(
        self, var: str, raw: str, pattern: re.Pattern[str], minimum: builtins.float | None
    ) -> builtins.float:
        # `raw` as a number if `pattern` matches it all, it is finite and at least `minimum`.
        value = float(raw) if pattern.fullmatch(raw) else math.nan
        if not math.isfinite(value) or (minimum is not None and value < minimum):
            kind = "a whole number" if pattern is _WHOLE_NUMBER else "a number"
            at_least = "" if minimum is None else f" of at least {minimum:g}"
            raise ImproperlyConfigured(f"{var} must be {kind}{at_least}; got {raw!r}.")
        return value

    def int(  # noqa: A003
        self,
        var: str,
        default: builtins.int | environ.NoValue = environ.Env.NOTSET,
        minimum: builtins.int | None = None,
    ) -> builtins.int:
        """A whole number written in decimal digits, at least `minimum` when given."""
        raw = self._raw(var)
        if raw is None:
            return super().int(var, default=default)
        self._number(var, raw, _WHOLE_NUMBER, minimum)
        return int(raw)  # exact, however many digits (the float above only checked it)

    def float(  # noqa: A003
        self,
        var: str,
        default: builtins.float | environ.NoValue = environ.Env.NOTSET,
        minimum: builtins.float | None = None,
    ) -> builtins.float:
        """A finite decimal number, at least `minimum` when given."""
        raw = self._raw(var)
        if raw is None:
            return super().float(var, default=default)
        return self._number(var, raw, _NUMBER, minimum)

    def db_url(
        self,
        var: str = environ.Env.DEFAULT_DATABASE_ENV,
        default: str | environ.NoValue = environ.Env.NOTSET,
        engine: str | None = None,
    ) -> dict:
        """Django's DATABASES entry for the URL in `var` (django-environ's parsing): a
        postgres:// (or postgresql://, pgsql://, psql://) or sqlite:/// URL. Raises
        ImproperlyConfigured, without repeating the URL, when it is set empty, has another
        scheme, cannot be parsed (a port that is not a number), or names no database (no
        name, or SQLite's in-memory one)."""
        raw = self._raw(var)
        if raw == "":
            raise ImproperlyConfigured(
                f"{var} is set but empty: unset it for the embedded SQLite database, or "
                "set a URL such as postgres://user:password@host:5432/name."
            )
        if raw is not None:
            scheme, separator, _ = raw.partition(":")
            if not separator or scheme.lower() not in DATABASE_SCHEMES:
                # Only a scheme is named back: a value without one may be anything.
                got = (
                    f"the scheme {scheme!r}"
                    if separator and _URL_SCHEME.fullmatch(scheme)
                    else "a value without a scheme"
                )
                raise ImproperlyConfigured(
                    f"{var} must be a postgres:// or sqlite:/// URL; got {got}."
                )
        try:
            config = super().db_url(var, default=default, engine=engine)
        except ValueError:
            # Its message can quote part of the URL: a password with an unencoded "/" is
            # read as the host and port.
            raise ImproperlyConfigured(
                f"{var} could not be read as a database URL: check that its port is a number "
                "and that reserved characters (/ ? # @ :) in the user name and password are "
                "percent-encoded."
            ) from None
        # sqlite:// without a path is an in-memory database, gone with the process, that
        # nothing ever migrated; a server URL without a database name fails at first use.
        if config.get("NAME") in ("", ":memory:"):
            raise ImproperlyConfigured(
                f"{var} names no database: give a file (sqlite:////absolute/path.sqlite3) or "
                "a database name (postgres://user@host:5432/name)."
            )
        return config

    db = db_url

    def redis_url(self, var: str) -> str:
        """The Redis URL in `var` for Django's RedisCache LOCATION (several may be separated
        by commas; Django writes to the first), or "" when unset or empty. Each must parse as
        redis-py parses it (redis://, rediss:// or unix://, a numeric port), and a redis:// or
        rediss:// URL's path, if any, must be a database number; raises
        ImproperlyConfigured otherwise, without repeating the URL. Unchecked, a bad one was
        a 500 at every rate-limited request."""
        urls = [part.strip() for part in re.split(r"[,;]", self._raw(var) or "")]
        urls = [url for url in urls if url]
        for url in urls:
            try:
                redis.connection.parse_url(url)
                parts = urlsplit(url)
            except ValueError:
                parts = None
            # redis-py reads a database that is not a number as database 0, which other
            # software may be using.
            if parts is None or (
                parts.scheme != "unix" and not _REDIS_DATABASE.fullmatch(parts.path)
            ):
                raise ImproperlyConfigured(
                    f"{var} must be a redis://, rediss:// or unix:// URL (several separated by "
                    "commas) with a numeric port and database, and reserved characters in its "
                    "password percent-encoded; it could not be read."
                )
        return ",".join(urls)
