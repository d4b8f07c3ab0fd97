"""One database as chamados uses it: an engine, or the host's connection, and its errors.

``Database`` is what the SQL adapter's parts share (the unit of work, the outbox, the
indicators): the engine (made by ``make_engine`` from a URL, or the host's), or the
``Connection`` of a transaction the host holds; short transactions of their own
(``transaction()``); and the ONE place driver errors become chamados errors
(``guard()``): ``StorageConfigurationError`` when the database refuses the connection for
good (unknown database or user, wrong password, bad options, a SQLite folder that does
not exist), ``ConcurrencyError`` (or ``ClashError`` when no ticket is at stake) when it
stopped a transaction that clashed with another, ``StorageUnavailableError`` when it
cannot be reached, ``StorageError`` otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, Engine, Transaction
from sqlalchemy.pool import StaticPool

from chamados.exceptions import (
    ChamadosError,
    ConcurrencyError,
    ConfigurationError,
    StorageConfigurationError,
    StorageError,
    StorageUnavailableError,
)

__all__ = ["ClashError", "Database", "make_engine"]

_LOCKING = frozenset({"postgresql", "mysql", "mariadb"})
_WRITE = "chamados_write"  # Connection.info: the next BEGIN on SQLite is BEGIN IMMEDIATE


def make_engine(url: str, **options: Any) -> Engine:
    """An engine for ``url`` set up the way chamados needs it.

    SQLite gets real transactions (SQLAlchemy's recipe for pysqlite), WAL, a busy timeout,
    and ``BEGIN IMMEDIATE`` for writing transactions; ``sqlite://`` (in memory) gets one
    shared connection. Servers get ``pool_pre_ping`` so a dead pooled connection is
    replaced rather than failing a command.
    """
    try:
        parsed = sa.make_url(url)
    except sa_exc.ArgumentError as error:
        raise ConfigurationError(f"not a database URL: {url!r} ({error})", key="storage") from None
    if parsed.get_backend_name() == "sqlite":
        memory = parsed.database in (None, "", ":memory:")
        engine = sa.create_engine(
            parsed,
            connect_args={"check_same_thread": False, "timeout": 30},
            **({"poolclass": StaticPool} if memory else {}),
            **options,
        )
        _sqlite_transactions(engine, wal=not memory)
        return engine
    try:
        if parsed.get_backend_name() in ("mysql", "mariadb"):
            charset = parsed.query.get("charset", "utf8mb4")
            if charset != "utf8mb4":
                raise StorageConfigurationError(
                    f"chamados stores text as utf8mb4 on MySQL and MariaDB (every character, "
                    f"emoji included), so the URL's charset={charset!r} cannot be used; "
                    f"drop it or write charset=utf8mb4"
                )
            options.setdefault("isolation_level", "READ COMMITTED")  # see Database
        return sa.create_engine(parsed, pool_pre_ping=True, **options)
    except (ModuleNotFoundError, sa_exc.NoSuchModuleError) as error:
        raise ConfigurationError(
            f"the driver for {parsed.drivername} is not installed ({error}); chamados[sql] "
            f"brings psycopg (postgresql+psycopg://) and PyMySQL (mysql+pymysql://)",
            key="storage",
        ) from None


def _sqlite_transactions(engine: Engine, *, wal: bool) -> None:
    @sa_event.listens_for(engine, "connect")
    def connect(dbapi_connection: Any, record: Any) -> None:
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout = 30000")
        if wal:
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()

    @sa_event.listens_for(engine, "begin")
    def begin(connection: Connection) -> None:
        immediate = connection.info.get(_WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class ClashError(StorageError):
    """The database stopped a transaction that clashed with another (a deadlock, a
    serialization failure, a lock wait that timed out) where no ticket's version was at
    stake: it changed nothing, and running it again is safe. ``clash`` names it."""

    def __init__(self, message: str, *, clash: str) -> None:
        super().__init__(message)
        self.clash = clash


class Database:
    """An engine, or the host's connection, with chamados' transactions and errors.

    ``target`` is a URL (the engine is made here and disposed of by ``close``), an
    ``Engine``, or a ``Connection`` in a transaction the host holds (chamados then writes
    through it, inside a savepoint, and never commits).
    """

    def __init__(self, target: str | Engine | Connection) -> None:
        self.host: Connection | None = None
        self._owned = False
        if isinstance(target, str):
            self.engine = make_engine(target)
            self._owned = True
        elif isinstance(target, Engine):
            self.engine = target
            if target.dialect.name in ("mysql", "mariadb"):
                # InnoDB's default REPEATABLE READ takes gap locks on locking reads, which
                # deadlock the outbox's and the monitor's claims against concurrent
                # inserts; READ COMMITTED (PostgreSQL's default) does not. Only the
                # connections chamados takes from the pool are set so.
                self.engine = target.execution_options(isolation_level="READ COMMITTED")
        elif isinstance(target, Connection):
            self.host = target
            self.engine = target.engine
        else:
            raise ConfigurationError(
                f"SqlStorage takes a URL, an Engine or a Connection, got {type(target).__name__}",
                key="storage",
            )
        self.dialect = self.engine.dialect.name
        self.locks_rows = self.dialect in _LOCKING
        """Whether the database locks rows (``SELECT ... FOR UPDATE [SKIP LOCKED]``);
        SQLite serialises writers instead."""
        self._max_packet: int | None = None  # MariaDB's max_allowed_packet, once known

    def __repr__(self) -> str:
        where = self.engine.url.render_as_string(hide_password=True)
        return f"{where}{' (host transaction)' if self.host is not None else ''}"

    # -- connections and transactions -----------------------------------------------------------

    def connect(self) -> Connection:
        """The host's connection, or a new one from the engine's pool (close it after)."""
        if self.host is not None:
            return self.host
        return self.engine.connect()

    def release(self, conn: Connection) -> None:
        """Give back a connection ``connect`` took from the pool (never the host's)."""
        if conn is not self.host:
            with suppress(sa_exc.SQLAlchemyError):
                conn.close()

    def begin(self, conn: Connection, *, write: bool) -> Transaction:
        """Begin a transaction on a connection of the pool: a writing one takes SQLite's
        write lock at once (``BEGIN IMMEDIATE``). On the host's connection, a savepoint
        inside the host's transaction, which must be open."""
        if conn is self.host:
            self.check_host()
            return conn.begin_nested()
        conn.info[_WRITE] = write
        return conn.begin()

    def check_host(self) -> None:
        """Refuse to work on the host's connection outside a transaction."""
        if self.host is not None and not self.host.in_transaction():
            raise ConfigurationError(
                "the host's Connection must be in a transaction (with conn.begin(): ...); "
                "chamados writes inside it and leaves the commit to the host",
                key="storage",
            )

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A short writing transaction on a connection of the engine's pool, committed when
        the block ends (guarded: driver errors arrive as chamados errors)."""
        with self.guard(), self.engine.connect() as conn:
            conn.info[_WRITE] = True
            with conn.begin():
                yield conn

    @contextmanager
    def ddl(self) -> Iterator[Connection]:
        """A writing transaction for reading or changing the schema: the host's own
        transaction on its connection, else one of the pool's (guarded)."""
        with self.guard():
            if self.host is not None:
                yield self.host
                return
            with self.engine.connect() as conn:
                conn.info[_WRITE] = True
                with conn.begin():
                    yield conn

    def note_server(self, conn: Connection) -> None:
        """Read what the server allows (MariaDB's max_allowed_packet), for ``guard``."""
        if self.dialect in ("mysql", "mariadb"):
            limit = conn.exec_driver_sql("SELECT @@max_allowed_packet").scalar()
            self._max_packet = int(limit) if limit is not None else None

    def commit(
        self, transaction: Transaction, *, ticket: str | None = None, loaded: int | None = None
    ) -> None:
        """Commit ``transaction``; a connection lost while the server commits is a
        ``StorageUnavailableError`` with ``maybe_stored`` (the commit may have happened),
        a clash a ``ConcurrencyError`` on ``ticket`` (see ``guard``)."""
        with self.guard(ticket=ticket, loaded=loaded, committing=True):
            transaction.commit()

    @staticmethod
    def abandon(transaction: Transaction) -> None:
        """Roll ``transaction`` back if it is still open; a connection already gone means
        the server dropped it, which is the same."""
        try:
            if transaction.is_active:
                transaction.rollback()
        except sa_exc.SQLAlchemyError:
            pass

    def close(self) -> None:
        """Dispose of the engine's connections (only when this database made the engine)."""
        if self._owned:
            self.engine.dispose()

    # -- errors ---------------------------------------------------------------------------------

    @contextmanager
    def guard(
        self, *, ticket: str | None = None, loaded: int | None = None, committing: bool = False
    ) -> Iterator[None]:
        """The one place driver errors become chamados errors (``translate``).

        ``ticket`` (and the version ``loaded``) is the ticket a clash stops the command
        on (a ``ConcurrencyError``); ``committing`` says the block commits, where a lost
        connection may have left the command stored.
        """
        try:
            yield
        except sa_exc.DBAPIError as error:
            raise self.translate(
                error, ticket=ticket, loaded=loaded, committing=committing
            ) from error
        except FileNotFoundError as error:  # a file the driver opens to connect (SSL)
            named = [
                f"{name}={value}"
                for name, value in self.engine.url.query.items()
                if isinstance(value, str) and ("/" in value or "\\" in value)
            ]
            raise StorageConfigurationError(
                f"a file the database connection needs is missing ({error}; the URL names "
                f"{', '.join(named) or 'no file'}); fix its path in the URL's options"
            ) from error
        except sa_exc.SQLAlchemyError as error:
            raise StorageError(f"storage failed: {_first_line(error)}") from error

    def translate(
        self,
        error: sa_exc.DBAPIError,
        *,
        ticket: str | None = None,
        loaded: int | None = None,
        committing: bool = False,
    ) -> ChamadosError:
        """What ``error`` means to chamados, in this order: a connection lost while the
        server commits (``StorageUnavailableError``, maybe stored); a transaction stopped
        for clashing with another (``ConcurrencyError`` on ``ticket``, else
        ``ClashError``); a refusal only a change of configuration fixes
        (``StorageConfigurationError``); a statement too large for the server
        (``StorageError``); a database out of reach (``StorageUnavailableError``, nothing
        stored, worth a retry); any other refusal (``StorageError``)."""
        if committing and self.host is None and _lost(error, self.dialect):
            return StorageUnavailableError(
                f"the connection was lost while the database committed "
                f"({_first_line(error)}); the command may or may not be stored: retry "
                f"it with the same idempotency key",
                maybe_stored=True,
            )
        clash = _clash(error)
        if clash is not None:
            if ticket is not None:
                return ConcurrencyError(ticket, expected=loaded, actual=None, clash=clash)
            return ClashError(f"the database refused: {_first_line(error)}", clash=clash)
        fix = _misconfigured(error, self.engine.url)
        if fix is not None:
            return StorageConfigurationError(
                f"cannot connect to the database ({_first_line(error)}); {fix}. "
                f"Nothing was stored, and retrying will not help until that is fixed"
            )
        if self._too_large(error):
            return StorageError(
                f"the database refused a statement larger than its max_allowed_packet "
                f"({_first_line(error)}); nothing was stored. Store less (a shorter "
                f"message, fewer or smaller fields), or raise max_allowed_packet on "
                f"the server"
            )
        if _lost(error, self.dialect):
            return StorageUnavailableError(
                f"the database cannot be reached ({_first_line(error)}); nothing was "
                f"stored, retry when it is back"
            )
        return StorageError(f"the database refused: {_first_line(error)}")

    def _too_large(self, error: sa_exc.DBAPIError) -> bool:
        """Whether MariaDB refused a statement larger than its max_allowed_packet. It
        says so (1153) and hangs up; the client may only see the connection lost while
        it sent the statement, or while it rolled back after the refusal."""
        seen: BaseException | None = error
        for _ in range(8):  # the error, and the ones it interrupted
            if seen is None:
                return False
            if isinstance(seen, sa_exc.DBAPIError):
                if _code(seen) in _MYSQL_TOO_LARGE:
                    return True
                if (
                    self._max_packet is not None
                    and seen.params is not None
                    and _lost(seen, self.dialect)
                    and _largest_row(seen.params) >= self._max_packet
                ):
                    return True
            seen = seen.__context__
        return False


def _largest_row(parameters: Any) -> int:
    """The bytes of text in the largest row of a statement's ``parameters``."""
    rows = parameters if isinstance(parameters, list | tuple) else [parameters]
    largest = 0
    for row in rows:
        values = row.values() if isinstance(row, dict) else row
        if not isinstance(values, Iterable):
            continue
        size = sum(
            len(v.encode("utf-8", "surrogatepass")) if isinstance(v, str) else len(v)
            for v in values
            if isinstance(v, str | bytes)
        )
        largest = max(largest, size)
    return largest


def _code(error: sa_exc.DBAPIError) -> int | None:
    """The MySQL/MariaDB error number of ``error``, if it has one."""
    args = getattr(error.orig, "args", ())
    return args[0] if args and isinstance(args[0], int) else None


# What to fix when the server refuses a connection for good (not an outage).
_FIX_DATABASE = "create the database, or fix the database name in the URL"
_FIX_USER = "fix the user or the password in the URL, or give that user access"
_FIX_OPTIONS = "fix the connection options in the URL (sslmode, ssl_*, timeouts...)"
_MYSQL_REFUSALS = {
    1044: "give the user access to that database, or fix the database name in the URL",
    1045: _FIX_USER,
    1049: _FIX_DATABASE,
    1251: "the server wants an authentication method the driver lacks; " + _FIX_USER,
    1698: _FIX_USER,
    2059: "the server wants an authentication plugin the driver lacks; " + _FIX_USER,
}
_MYSQL_TOO_LARGE = frozenset({1153, 1301})  # max_allowed_packet
_POSTGRES_REFUSALS = (  # fragments of libpq's messages: a failed connection has no SQLSTATE
    ('database "', "does not exist", _FIX_DATABASE),
    ('role "', "does not exist", _FIX_USER),
    ("authentication failed", "", _FIX_USER),
    ("is not permitted to log in", "", _FIX_USER),
    ("permission denied for database", "", "give the user CONNECT on the database"),
    ("no pg_hba.conf entry", "", "allow this client in the server's pg_hba.conf, or " + _FIX_USER),
    ("sslmode", "", _FIX_OPTIONS),
    ("ssl", "required", _FIX_OPTIONS),
)


def _misconfigured(error: sa_exc.DBAPIError, url: sa.URL) -> str | None:
    """What to fix, when ``error`` is a connection the database refuses for a reason
    only a change of configuration removes; ``None`` for anything else (an outage, a
    refused statement)."""
    if error.statement is not None:  # a statement failed, not the connection
        return None
    backend = url.get_backend_name()
    if backend in ("mysql", "mariadb"):
        code = _code(error)
        return _MYSQL_REFUSALS.get(code) if code is not None else None
    if backend == "postgresql":
        if isinstance(error, sa_exc.ProgrammingError):  # an option libpq does not accept
            return _FIX_OPTIONS
        text = str(error.orig).lower()
        for first, second, fix in _POSTGRES_REFUSALS:
            if first in text and second in text:
                return fix
        return None
    if backend == "sqlite" and "unable to open database file" in str(error.orig):
        return _sqlite_path_problem(url.database)
    return None


def _sqlite_path_problem(database: str | None) -> str | None:
    """Why SQLite cannot open the file ``database`` for good, if the path says so."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    path = Path(database).expanduser().absolute()
    if path.is_dir():
        return f"{path} is a folder, not a database file; fix the path in the URL"
    folder = path.parent
    if not folder.exists():
        return f"the folder {folder} does not exist; create it, or fix the path in the URL"
    if not folder.is_dir():
        return f"{folder} is not a folder; fix the path in the URL"
    return None


def _lost(error: sa_exc.DBAPIError, dialect: str) -> bool:
    """Whether the error means the database is out of reach (not that it refused)."""
    if error.connection_invalidated or isinstance(error, sa_exc.InterfaceError):
        return True
    if not isinstance(error, sa_exc.OperationalError) or _clash(error) is not None:
        return False
    if dialect == "sqlite":  # SQLite says OperationalError for refusals too ("no such table")
        return any(reason in str(error.orig) for reason in _SQLITE_UNAVAILABLE)
    return True


_SQLITE_UNAVAILABLE = (
    "database is locked",
    "database table is locked",
    "unable to open database file",
    "disk I/O error",
)


# Transactions the database stopped because they clashed with others: retryable.
_CLASH_SQLSTATES = {
    "40001": "serialization failure",
    "40P01": "deadlock",
    "55P03": "lock wait timeout",  # PostgreSQL's lock_timeout, when the host sets one
}
_CLASH_MYSQL_CODES = {1213: "deadlock", 1205: "lock wait timeout"}


def _clash(error: sa_exc.DBAPIError) -> str | None:
    """``deadlock`` (or the like) when the database rolled the transaction back because
    it clashed with another; ``None`` for every other error."""
    original = error.orig
    sqlstate = getattr(original, "sqlstate", None) or getattr(original, "pgcode", None)
    if isinstance(sqlstate, str) and sqlstate in _CLASH_SQLSTATES:
        return _CLASH_SQLSTATES[sqlstate]
    args = getattr(original, "args", ())
    if args and isinstance(args[0], int) and args[0] in _CLASH_MYSQL_CODES:
        return _CLASH_MYSQL_CODES[args[0]]
    return None


def _first_line(error: BaseException) -> str:
    return str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
