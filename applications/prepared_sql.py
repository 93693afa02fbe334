"""Hand-written queries of the token endpoint's hot paths, run the cheapest way each database
allows, and their rows turned into model instances as the ORM would.

Why hand-written: each of these runs on every token request, and building it through the ORM
costs far more CPU than executing it (measured: the refresh grant's locking read cost about
1 ms of ORM work per request, the grant lookup about 20 times its execution). Table and column
names come from the models, so migrations stay the source of truth, and values are always
bound parameters.

Why prepared on PostgreSQL: planning a join costs more than running it (the grant lookup's
five-table join: ~1 ms against ~0.09 ms). Django's cursors bind parameters client-side and are
never prepared, so these queries run on a server-side-binding cursor, which psycopg prepares
once per connection (settings: OPTIONS["prepare_threshold"]). It is wrapped like any Django
cursor, so it is logged and counted as usual. SQLite caches compiled statements itself.
"""

import datetime as dt
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cache
from typing import Any, TypeVar

import psycopg
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import signals
from django.db.models.base import ModelState
from psycopg.types.datetime import TimestamptzLoader

ModelT = TypeVar("ModelT", bound=models.Model)


def _default() -> BaseDatabaseWrapper:
    # The default database's connection for this thread, looked up once per call: each use
    # of django.db.connection is a lookup of its own (it is a thread-local proxy).
    return connections[DEFAULT_DB_ALIAS]


def fetchall(sql: str, params: Sequence[Any] | Mapping[str, Any]) -> list[tuple[Any, ...]]:
    """The rows of `sql` (with %s placeholders, or %(name)s ones for a mapping) bound to
    `params`, on the default database: prepared on PostgreSQL, through Django's cursor
    elsewhere. Raises what the driver raises, as Django's DatabaseError subclasses."""
    with _cursor(sql) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def execute(sql: str, params: Sequence[Any]) -> int:
    """Runs `sql` (an INSERT, UPDATE or DELETE) like `fetchall`; returns the rows it changed."""
    with _cursor(sql) as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


@contextmanager
def _cursor(sql: str) -> Iterator[Any]:
    # PostgreSQL: the statement's kept cursor (_prepared_cursor), never closed; elsewhere a
    # Django cursor, closed after use.
    connection = _default()
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            yield cursor
    else:
        yield _prepared_cursor(connection, sql)


class _Cursors(threading.local):
    """This thread's server-side-binding cursors, one per statement, on one connection."""

    def __init__(self) -> None:
        self.connection: Any = None  # the driver's connection they belong to
        self.by_sql: dict[str, Any] = {}


_cursors = _Cursors()


def _prepared_cursor(connection: BaseDatabaseWrapper, sql: str) -> Any:
    # One cursor per statement and connection, kept (never closed: a closed cursor cannot
    # run again), because psycopg keeps a cursor's column loaders while it runs the same
    # query object again: a new cursor per call set up some 40 loaders per row read.
    # Statements are the few cached strings of this module's callers.
    connection.ensure_connection()
    raw = connection.connection
    if _cursors.connection is not raw:
        _cursors.connection = raw
        _cursors.by_sql = {}
    cursor = _cursors.by_sql.get(sql)
    if cursor is None:
        cursor = psycopg.Cursor(raw)
        if connection.timezone is dt.UTC:
            # psycopg's own timestamptz loader, in C, gives what Django's (a Python
            # subclass that re-attaches the connection's time zone) gives when that zone
            # is UTC, as the session's is then; Django's costs ~7 µs a column.
            cursor.adapters.register_loader("timestamptz", TimestamptzLoader)
        _cursors.by_sql[sql] = cursor
    # Django's stubs type these for its own CursorWrapper; any DB-API cursor works. Wrapped
    # so that errors are Django's and queries are logged and counted as usual.
    if connection.queries_logged:
        return connection.make_debug_cursor(cursor)  # type: ignore[arg-type]
    return connection.make_cursor(cursor)  # type: ignore[arg-type]


def columns(model: type[models.Model], alias: str) -> str:
    """`alias.column, ...` for every concrete field of `model`, in `instance` order."""
    return ", ".join(f"{alias}.{field.column}" for field in model._meta.concrete_fields)


@cache
def _converters(
    model: type[models.Model], vendor: str
) -> tuple[tuple[int, Any, tuple[Any, ...]], ...]:
    # The ORM's own conversions of each column (the backend's, then the field's), as its
    # compiler applies them: e.g. JSON text to lists, SQLite's naive datetimes to aware ones.
    # Kept per model and vendor: they depend on the database's settings, not on a connection.
    # Only the columns that have any, with their positions.
    del vendor  # part of the key only
    connection = _default()
    table = model._meta.db_table
    found = []
    for index, field in enumerate(model._meta.concrete_fields):
        column = field.get_col(table)
        converters = connection.ops.get_db_converters(column) + field.get_db_converters(connection)
        if converters:
            found.append((index, column, tuple(converters)))
    return tuple(found)


def instance(
    model: type[ModelT], values: Sequence[Any], connection: BaseDatabaseWrapper | None = None
) -> ModelT:
    """A `model` instance from the values of its concrete fields as the driver returned them
    (in the order `columns` selects them) on `connection` (default: the default database's),
    converted as the ORM converts them, and marked as loaded from the database, as
    Model.from_db does. Model.__init__ is skipped when no pre_init or post_init receiver
    listens for `model` (it would only set each field in turn): the values go straight into
    the instance's __dict__, where the fields' descriptors read them."""
    connection = connection or _default()
    converted = list(values)
    for index, column, converters in _converters(model, connection.vendor):
        value = converted[index]
        for convert in converters:
            value = convert(value, column, connection)
        converted[index] = value
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return model.from_db(connection.alias, _attnames(model), converted)
    return bare(model, zip(_attnames(model), converted, strict=True), connection.alias)


def bare(
    model: type[ModelT],
    attributes: Iterable[tuple[str, Any]],
    db: str | None,
    *,
    adding: bool = False,
    fields_cache: Mapping[str, Any] | None = None,
) -> ModelT:
    """A `model` instance built without Model.__init__: `attributes` (attname, value pairs)
    go into its __dict__, where the fields' descriptors read them, and its _state is new
    (database alias `db`, `adding`, a copy of `fields_cache`: related instances already
    loaded), as Model.from_db and Model.__getstate__ leave it. For callers that know no
    pre_init or post_init receiver needs to run."""
    row = model.__new__(model)
    row.__dict__.update(attributes)
    state = ModelState()
    state.adding = adding
    state.db = db
    state.fields_cache = dict(fields_cache or {})
    row._state = state
    return row


@cache
def _attnames(model: type[models.Model]) -> list[str]:
    return [field.attname for field in model._meta.concrete_fields]


@cache
def _insert_sql(model: type[models.Model]) -> str:
    names = ", ".join(f"{field.column}" for field in model._meta.concrete_fields)
    marks = ", ".join("%s" for _ in model._meta.concrete_fields)
    return f"INSERT INTO {model._meta.db_table} ({names}) VALUES ({marks})"  # noqa: S608


def _insert_params(row: models.Model) -> list[Any]:
    connection = _default()
    fields = type(row)._meta.concrete_fields
    return [field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields]


def _inserted(row: models.Model) -> None:
    row._state.adding = False
    row._state.db = DEFAULT_DB_ALIAS


def insert(row: models.Model) -> None:
    """INSERTs `row` (every concrete field, as the instance holds it, the primary key
    included), its values prepared for the database as the ORM prepares them
    (Field.get_db_prep_save). No save() signals or auto fields: for models that need none."""
    execute(_insert_sql(type(row)), _insert_params(row))
    _inserted(row)


@cache
def _insert_update_sql(
    inserted: type[models.Model], updated: type[models.Model], names: tuple[str, ...]
) -> str:
    # A data-modifying WITH runs exactly once, whether or not the main statement reads it.
    return f"WITH inserted AS ({_insert_sql(inserted)}) {_update_sql(updated, names)}"


def insert_and_update(new: models.Model, row: models.Model, names: Sequence[str]) -> int:
    """`insert(new)` and `update(row, names)`: one statement and one round trip on PostgreSQL
    (a data-modifying WITH), two elsewhere. Returns how many rows the UPDATE changed."""
    if _default().vendor != "postgresql":
        insert(new)
        return update(row, names)
    changed = execute(
        _insert_update_sql(type(new), type(row), tuple(names)),
        _insert_params(new) + _update_params(row, names),
    )
    _inserted(new)
    return changed


def column(model: type[models.Model], name: str) -> str:
    """The database column of `model`'s field `name`; raises ValueError if it has none."""
    found = _concrete(model, name).column
    if found is None:
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return found


def _concrete(model: type[models.Model], name: str) -> models.Field:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field) or not field.concrete:
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return field


@cache
def _update_sql(model: type[models.Model], names: tuple[str, ...]) -> str:
    meta = model._meta
    assignments = ", ".join(f"{_concrete(model, name).column} = %s" for name in names)
    return f"UPDATE {meta.db_table} SET {assignments} WHERE {meta.pk.column} = %s"  # noqa: S608


def update(row: models.Model, names: Sequence[str]) -> int:
    """UPDATEs the fields `names` of `row`'s database row to the instance's values, prepared
    as `insert` prepares them; returns how many rows changed (0 or 1)."""
    return execute(_update_sql(type(row), tuple(names)), _update_params(row, names))


def _update_params(row: models.Model, names: Sequence[str]) -> list[Any]:
    connection = _default()
    fields = [_concrete(type(row), name) for name in names]
    params = [field.get_db_prep_save(getattr(row, field.attname), connection) for field in fields]
    params.append(type(row)._meta.pk.get_db_prep_save(row.pk, connection))
    return params
