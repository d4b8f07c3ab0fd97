"""The SQL storage adapter, on SQLAlchemy 2 Core: SQLite, PostgreSQL and MariaDB.

``SqlStorage`` takes a URL (``sqlite:///chamados.db``, ``postgresql+psycopg://...``,
``mysql+pymysql://...``), an ``Engine``, or a ``Connection`` inside a transaction the
host application holds (chamados then writes through it, inside a savepoint, and never
commits: the host's commit or rollback decides for both).

How a unit of work runs: reads are short transactions of their own, and the commit
writes the ticket row with a version check, the history, the messages, the outbox and
the idempotency key in one transaction. A stale version, a duplicate id or key, or a
lost connection leaves nothing written. A command loads its ticket with
``get(..., lock=True)``, which opens that transaction at once and holds the ticket until
the commit (``SELECT ... FOR UPDATE`` on PostgreSQL and MariaDB, ``BEGIN IMMEDIATE`` on
SQLite, which lets one writer at a time): commands on one ticket queue up instead of
failing the version check, and reads (``Helpdesk.get``) never wait. The SLA monitor's
``claim_due`` opens the transaction early too, and skips rows others hold (``FOR UPDATE
SKIP LOCKED``).

Tickets and events are stored as JSON documents (``chamados.storage.codec``) next to the
columns queries filter and sort on. Driver errors are translated here, in one place
(``SqlStorage._guard``): ``StorageConfigurationError`` when the database refuses the
connection for good (unknown database or user, wrong password, bad options, a SQLite
folder that does not exist), ``StorageUnavailableError`` when it cannot be reached,
``StorageError`` otherwise.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy import exc as sa_exc
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool

from chamados import limits
from chamados.clock import epoch_micros, seconds_between
from chamados.events import NoteAdded, Replied, TicketEvent
from chamados.exceptions import (
    ConcurrencyError,
    ConfigurationError,
    SchemaVersionError,
    StorageConfigurationError,
    StorageError,
    StorageUnavailableError,
)
from chamados.model import Party, PartyKind, Ticket
from chamados.tracking import Stay

if TYPE_CHECKING:
    from chamados.reports.port import IndicatorEngine
from chamados.storage import codec
from chamados.storage.outbox import Outbox
from chamados.storage.port import (
    Changes,
    DuplicateKeyError,
    IdempotencyRecord,
    Storage,
    TicketQuery,
    UnitOfWork,
)

__all__ = ["SCHEMA_VERSION", "SqlStorage", "make_engine", "metadata"]

SCHEMA_VERSION = 2
"""The schema this chamados reads and writes (``MIGRATIONS`` lists the changes)."""

_P = ParamSpec("_P")
_T = TypeVar("_T")

_DOC = sa.Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")
_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

metadata = sa.MetaData()

schema_table = sa.Table(
    "chamados_schema",
    metadata,
    sa.Column("version", sa.Integer, primary_key=True, autoincrement=False),
)


def _dimension_columns() -> list[sa.Column[Any]]:
    """The columns queries filter and group tickets by, in the tickets table and again
    in the narrow facts table (new objects each time: a column belongs to one table)."""
    return [
        sa.Column("tenant", sa.String(limits.TENANT), nullable=False),
        sa.Column("channel", sa.String(limits.CHANNEL), nullable=False),
        sa.Column("status", sa.String(limits.NAME), nullable=False),
        sa.Column("category", sa.String(limits.ID)),
        sa.Column("priority", sa.SmallInteger, nullable=False),
        sa.Column("team", sa.String(limits.TEAM)),
        sa.Column("tier", sa.SmallInteger, nullable=False),
        sa.Column("assignee", sa.String(limits.TEAM)),
        sa.Column("partner_id", sa.String(limits.ID)),
        sa.Column("created_us", sa.BigInteger, nullable=False),
    ]


tickets = sa.Table(
    "chamados_tickets",
    metadata,
    sa.Column("id", sa.String(limits.TICKET_ID), primary_key=True),
    *_dimension_columns(),
    sa.Column("workflow", sa.String(limits.NAME), nullable=False),
    sa.Column("requester_kind", sa.String(32), nullable=False),
    sa.Column("requester_id", sa.String(limits.ID), nullable=False),
    sa.Column("sla_deadline_us", sa.BigInteger),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("data", _DOC, nullable=False),
    sa.Index("ix_chamados_tickets_tenant_created", "tenant", "created_us"),
    sa.Index("ix_chamados_tickets_tenant_status", "tenant", "status"),
    sa.Index("ix_chamados_tickets_tenant_team_tier", "tenant", "team", "tier"),
    sa.Index("ix_chamados_tickets_tenant_assignee", "tenant", "assignee"),
    sa.Index("ix_chamados_tickets_tenant_partner", "tenant", "partner_id"),
    sa.Index("ix_chamados_tickets_tenant_priority", "tenant", "priority"),
    # The SLA monitor's due query, per tenant and across tenants, in claim order.
    sa.Index("ix_chamados_tickets_tenant_deadline", "tenant", "sla_deadline_us", "id"),
    sa.Index("ix_chamados_tickets_deadline", "sla_deadline_us", "id"),
)

history = sa.Table(
    "chamados_history",
    metadata,
    sa.Column("seq", _SEQ, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(limits.TICKET_ID), nullable=False, unique=True),
    sa.Column("ticket_id", sa.String(limits.TICKET_ID), nullable=False),
    sa.Column("tenant", sa.String(limits.TENANT), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(limits.NAME), nullable=False),
    sa.Column("at_us", sa.BigInteger, nullable=False),
    sa.Column("actor_kind", sa.String(32), nullable=False),
    sa.Column("actor_id", sa.String(limits.ID), nullable=False),
    sa.Column("data", _DOC, nullable=False),
    sa.Index("ix_chamados_history_ticket", "ticket_id", "seq"),
    sa.Index("ix_chamados_history_tenant_at", "tenant", "at_us"),
)

messages = sa.Table(
    "chamados_messages",
    metadata,
    sa.Column("id", sa.String(limits.TICKET_ID), primary_key=True),
    sa.Column("ticket_id", sa.String(limits.TICKET_ID), nullable=False),
    sa.Column("tenant", sa.String(limits.TENANT), nullable=False),
    sa.Column("author_kind", sa.String(32), nullable=False),
    sa.Column("author_id", sa.String(limits.ID), nullable=False),
    sa.Column("public", sa.Boolean, nullable=False),
    sa.Column("automated", sa.Boolean, nullable=False),
    sa.Column("external_id", sa.String(limits.EXTERNAL_ID)),
    sa.Column("at_us", sa.BigInteger, nullable=False),
    sa.Column("body", _DOC, nullable=False),
    sa.Index("ix_chamados_messages_ticket", "ticket_id", "at_us"),
)

outbox = sa.Table(
    "chamados_outbox",
    metadata,
    sa.Column("seq", _SEQ, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(limits.TICKET_ID), nullable=False, unique=True),
    sa.Column("ticket_id", sa.String(limits.TICKET_ID), nullable=False),
    sa.Column("tenant", sa.String(limits.TENANT), nullable=False),
    sa.Column("kind", sa.String(limits.NAME), nullable=False),
    sa.Column("created_us", sa.BigInteger, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_us", sa.BigInteger),
    sa.Column("delivered_us", sa.BigInteger),
    sa.Column("last_error", sa.Text),
    sa.Column("delivered_to", sa.Text),  # JSON list of notifier names
    sa.Column("claim_token", sa.String(32)),
    sa.Column("claimed_until_us", sa.BigInteger),
    sa.Column("data", _DOC, nullable=False),
    sa.Index("ix_chamados_outbox_status_seq", "status", "seq"),
    sa.Index("ix_chamados_outbox_ticket", "ticket_id", "status", "seq"),
    sa.Index("ix_chamados_outbox_claim", "claim_token"),
)

facts = sa.Table(
    # One narrow row per ticket for the indicators (chamados.reports.facts): the
    # dimensions and measures, without the ticket document, so aggregates scan little.
    "chamados_facts",
    metadata,
    sa.Column("ticket_id", sa.String(limits.TICKET_ID), primary_key=True),
    *_dimension_columns(),
    sa.Column("active", sa.Boolean, nullable=False),
    sa.Column("first_response_s", sa.BigInteger),
    sa.Column("first_response_business_s", sa.BigInteger),
    sa.Column("resolution_s", sa.BigInteger),
    sa.Column("resolution_business_s", sa.BigInteger),
    sa.Column("resolutions", sa.Integer, nullable=False),
    sa.Column("reopens", sa.Integer, nullable=False),
    sa.Column("max_tier", sa.SmallInteger, nullable=False),
    sa.Column("rating", sa.SmallInteger),
    sa.Index("ix_chamados_facts_tenant_created", "tenant", "created_us"),
    sa.Index("ix_chamados_facts_created", "created_us"),
    sa.Index("ix_chamados_facts_active", "active", "tenant"),
)

sla_outcomes = sa.Table(
    "chamados_sla_outcomes",
    metadata,
    sa.Column("ticket_id", sa.String(limits.TICKET_ID), primary_key=True),
    sa.Column("policy", sa.String(limits.NAME), primary_key=True),
    sa.Column("metric", sa.String(32), primary_key=True),
    sa.Column("cycle", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("tenant", sa.String(limits.TENANT), nullable=False),
    sa.Column("outcome", sa.String(16), nullable=False),  # met, breached, running
    sa.Column("response_s", sa.BigInteger),  # from start to met, calendar seconds
    sa.Index("ix_chamados_sla_outcomes_tenant", "tenant", "policy", "metric"),
)

breaches = sa.Table(
    "chamados_breaches",
    metadata,
    sa.Column("ticket_id", sa.String(limits.TICKET_ID), primary_key=True),
    sa.Column("policy", sa.String(limits.NAME), primary_key=True),
    sa.Column("metric", sa.String(32), primary_key=True),
    sa.Column("cycle", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("tenant", sa.String(limits.TENANT), nullable=False),
    sa.Column("owner", sa.String(32), nullable=False),
    sa.Column("status", sa.String(limits.NAME), nullable=False),
)

stays = sa.Table(
    "chamados_stays",
    metadata,
    sa.Column("seq", _SEQ, primary_key=True, autoincrement=True),
    sa.Column("ticket_id", sa.String(limits.TICKET_ID), nullable=False),
    sa.Column("tenant", sa.String(limits.TENANT), nullable=False),
    sa.Column("status", sa.String(limits.NAME), nullable=False),
    sa.Column("team", sa.String(limits.TEAM)),
    sa.Column("tier", sa.SmallInteger, nullable=False),
    sa.Column("assignee", sa.String(limits.TEAM)),
    sa.Column("entered_us", sa.BigInteger, nullable=False),
    sa.Column("left_us", sa.BigInteger, nullable=False),
    sa.Column("calendar_s", sa.BigInteger, nullable=False),
    sa.Column("business_s", sa.BigInteger),
    sa.Index("ix_chamados_stays_tenant_left", "tenant", "left_us"),
    sa.Index("ix_chamados_stays_ticket", "ticket_id"),
)

idempotency = sa.Table(
    "chamados_idempotency",
    metadata,
    sa.Column("tenant", sa.String(limits.TENANT), primary_key=True),
    sa.Column("key", sa.String(limits.IDEMPOTENCY_KEY), primary_key=True),
    sa.Column("command", sa.String(limits.NAME), nullable=False),
    sa.Column("ticket_id", sa.String(limits.TICKET_ID), nullable=False),
    sa.Column("result", _DOC, nullable=False),
    # Who used the key and the fingerprint of the command's arguments (schema 2; NULL
    # in rows written before, see chamados.idempotency).
    sa.Column("actor_kind", sa.String(32)),
    sa.Column("actor_id", sa.String(limits.ID)),
    sa.Column("fingerprint", sa.String(64)),
)

_TABLES = [t.name for t in metadata.sorted_tables]

# Statements every command runs, built once.
_GET_TICKET = sa.select(tickets.c.data).where(tickets.c.id == sa.bindparam("ticket_id"))
_GET_TICKET_LOCKED = _GET_TICKET.with_for_update()
_GET_HISTORY = (
    sa.select(history.c.data)
    .where(history.c.ticket_id == sa.bindparam("ticket_id"))
    .order_by(history.c.seq)
)
_INSERT_TICKET = sa.insert(tickets)
_UPDATE_TICKET = sa.update(tickets).where(
    tickets.c.id == sa.bindparam("b_id"), tickets.c.version == sa.bindparam("b_loaded")
)
_LOCKING = frozenset({"postgresql", "mysql", "mariadb"})


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
            options.setdefault("isolation_level", "READ COMMITTED")  # see SqlStorage
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
        immediate = connection.info.get("chamados_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


class SqlStorage(Storage):
    """Tickets in a SQL database: SQLite, PostgreSQL or MariaDB.

    ``target`` is a URL, an ``Engine``, or a ``Connection`` in a transaction the host
    holds. ``create`` makes the tables when the database has none of chamados' tables
    yet (default: yes, except on a host's connection); a schema of another version is
    never changed here: ``SchemaVersionError`` says to run ``chamados db upgrade``.

    >>> storage = SqlStorage("sqlite://")
    >>> storage.schema_version() is None  # the tables are made on first use
    True
    >>> with storage.unit_of_work() as uow:
    ...     uow.find(TicketQuery(tenant="loja-1"))
    []
    >>> storage.schema_version()
    2
    """

    def __init__(self, target: str | Engine | Connection, *, create: bool | None = None) -> None:
        self._host: Connection | None = None
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
            self._host = target
            self.engine = target.engine
        else:
            raise ConfigurationError(
                f"SqlStorage takes a URL, an Engine or a Connection, got {type(target).__name__}",
                key="storage",
            )
        self.dialect = self.engine.dialect.name
        self._create = create if create is not None else self._host is None
        self._checked = False
        self._max_packet: int | None = None  # MariaDB's max_allowed_packet, once known

    def __repr__(self) -> str:
        where = self.engine.url.render_as_string(hide_password=True)
        return f"<SqlStorage {where}{' (host transaction)' if self._host else ''}>"

    # -- schema ------------------------------------------------------------------------------

    def schema_version(self) -> int | None:
        """The chamados schema version of the database, ``None`` if it has no chamados tables."""
        with self._guard(), self._ddl_connection() as conn:
            return self._read_version(conn)

    def init(self) -> None:
        """Create chamados' tables (``chamados db init``); an existing schema is refused."""
        with self._guard(), self._ddl_connection() as conn:
            found = self._read_version(conn)
            if found is not None:
                raise SchemaVersionError(
                    f"the database already has chamados' schema (version {found}); use "
                    f"`chamados db upgrade` to bring it to version {SCHEMA_VERSION}",
                    found=found,
                    expected=SCHEMA_VERSION,
                )
            self._create_all(conn)
            self._ready(conn)

    def upgrade(self) -> int:
        """Migrate the schema to this chamados' version (``chamados db upgrade``); returns
        the number of migrations run."""
        with self._guard(), self._ddl_connection() as conn:
            found = self._read_version(conn)
            if found is None:
                self._create_all(conn)
                self._ready(conn)
                return 0
            if found > SCHEMA_VERSION:
                raise self._newer(found)
            self._check_known(found)
            ran = 0
            for version in range(found, SCHEMA_VERSION):
                MIGRATIONS[version](conn)
                conn.execute(sa.update(schema_table).values(version=version + 1))
                ran += 1
            self._ready(conn)
        return ran

    def check(self) -> None:
        """Raise ``SchemaVersionError`` unless the schema is this chamados' version."""
        if self._checked:
            return
        with self._guard(), self._ddl_connection() as conn:
            found = self._read_version(conn)
            if found is None:
                if not self._create:
                    raise SchemaVersionError(
                        f"the database has no chamados tables; run `chamados db init` (or "
                        f"SqlStorage(...).init()) for {self!r}",
                        found=None,
                        expected=SCHEMA_VERSION,
                    )
                self._create_all(conn)
            elif found < SCHEMA_VERSION:
                self._check_known(found)
                raise SchemaVersionError(
                    f"the database's chamados schema is version {found}, older than this "
                    f"chamados (version {SCHEMA_VERSION}); run `chamados db upgrade`",
                    found=found,
                    expected=SCHEMA_VERSION,
                )
            elif found > SCHEMA_VERSION:
                raise self._newer(found)
            self._ready(conn)

    def _ready(self, conn: Connection) -> None:
        """The schema is this chamados' one: note it, and what the server allows."""
        if self.dialect in ("mysql", "mariadb"):
            limit = conn.exec_driver_sql("SELECT @@max_allowed_packet").scalar()
            self._max_packet = int(limit) if limit is not None else None
        self._checked = True

    def _check_known(self, found: int) -> None:
        """Refuse a schema version older than ours that no chamados made (no migration
        leads from it), rather than fail in the middle of an upgrade."""
        if found >= 1 and all(v in MIGRATIONS for v in range(found, SCHEMA_VERSION)):
            return
        raise SchemaVersionError(
            f"the database's chamados_schema table says version {found}, which no chamados "
            f"made (versions run from 1 to {SCHEMA_VERSION}); it was changed by hand or by "
            f"another tool: restore the database from a backup, or set the version the "
            f"tables really have",
            found=found,
            expected=SCHEMA_VERSION,
        )

    def _newer(self, found: int) -> SchemaVersionError:
        return SchemaVersionError(
            f"the database's chamados schema is version {found}, newer than this chamados "
            f"(version {SCHEMA_VERSION}); upgrade chamados",
            found=found,
            expected=SCHEMA_VERSION,
        )

    @contextmanager
    def _ddl_connection(self) -> Iterator[Connection]:
        if self._host is not None:
            yield self._host
            return
        with self.engine.connect() as conn:
            conn.info["chamados_write"] = True
            with conn.begin():
                yield conn

    def _read_version(self, conn: Connection) -> int | None:
        names = set(sa.inspect(conn).get_table_names())
        if schema_table.name not in names:
            if names & set(_TABLES):
                raise SchemaVersionError(
                    "the database has some chamados tables but no schema version; it was "
                    "not made by chamados db init",
                    found=None,
                    expected=SCHEMA_VERSION,
                )
            return None
        version = conn.execute(sa.select(sa.func.max(schema_table.c.version))).scalar()
        return int(version) if version is not None else None

    def _create_all(self, conn: Connection) -> None:
        metadata.create_all(conn)
        _exact_text(conn)
        conn.execute(sa.insert(schema_table).values(version=SCHEMA_VERSION))

    # -- units of work ----------------------------------------------------------------------

    def unit_of_work(self) -> UnitOfWork:
        if self._host is not None and not self._host.in_transaction():
            raise ConfigurationError(
                "the host's Connection must be in a transaction (with conn.begin(): ...); "
                "chamados writes inside it and leaves the commit to the host",
                key="storage",
            )
        self.check()
        return _SqlUnitOfWork(self)

    def outbox(self) -> Outbox:
        """The outbox in ``chamados_outbox``; each call is a transaction of its own."""
        if self._host is not None:
            raise ConfigurationError(
                "a relay needs transactions of its own, not the host's: give it "
                "SqlStorage(engine).outbox() (Helpdesk(storage=engine).relay())",
                key="storage",
            )
        self.check()
        from chamados.storage.sql_outbox import SqlOutbox

        return SqlOutbox(self)

    def indicators(self) -> IndicatorEngine:
        """Indicators computed by the database (``chamados.storage.sql_indicators``)."""
        self.check()
        from chamados.storage.sql_indicators import SqlIndicators

        return SqlIndicators(self)

    @property
    def in_host_transaction(self) -> bool:
        return self._host is not None

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        """A short writing transaction on a connection of the engine's pool."""
        with self._guard(), self.engine.connect() as conn:
            conn.info["chamados_write"] = True  # SQLite: BEGIN IMMEDIATE
            with conn.begin():
                yield conn

    def close(self) -> None:
        """Dispose of the engine's connections (only when this storage made the engine)."""
        if self._owned:
            self.engine.dispose()

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

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """The one place driver errors become chamados errors: a refusal only a change
        of configuration fixes (``StorageConfigurationError``), a statement too large
        for the server, a database out of reach (``StorageUnavailableError``, worth a
        retry), or any other refusal (``StorageError``)."""
        try:
            yield
        except sa_exc.DBAPIError as error:
            fix = _misconfigured(error, self.engine.url)
            if fix is not None:
                raise StorageConfigurationError(
                    f"cannot connect to the database ({_first_line(error)}); {fix}. "
                    f"Nothing was stored, and retrying will not help until that is fixed"
                ) from error
            if self._too_large(error):
                raise StorageError(
                    f"the database refused a statement larger than its max_allowed_packet "
                    f"({_first_line(error)}); nothing was stored. Store less (a shorter "
                    f"message, fewer or smaller fields), or raise max_allowed_packet on "
                    f"the server"
                ) from error
            if _lost(error, self.dialect):
                raise StorageUnavailableError(
                    f"the database cannot be reached ({_first_line(error)}); nothing was "
                    f"stored, retry when it is back"
                ) from error
            raise StorageError(f"the database refused: {_first_line(error)}") from error
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


def _guarded(method: Callable[_P, _T]) -> Callable[_P, _T]:
    @functools.wraps(method)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        self = args[0]
        assert isinstance(self, _SqlUnitOfWork)
        with self._storage._guard():
            return method(*args, **kwargs)

    return wrapper


class _SqlUnitOfWork(UnitOfWork):
    def __init__(self, storage: SqlStorage) -> None:
        super().__init__()
        self._storage = storage
        self._conn: Connection | None = None
        # The writing transaction, when a locked read or a claim opened it before the
        # commit: later reads and the commit run in it.
        self._held: sa.engine.Transaction | None = None

    # -- connections and transactions ------------------------------------------------------

    def _connection(self) -> Connection:
        host = self._storage._host
        if host is not None:
            return host
        if self._conn is None:
            self._conn = self._storage.engine.connect()
        return self._conn

    def _rows(
        self, statement: sa.Executable, parameters: dict[str, Any] | None = None
    ) -> Sequence[sa.Row[Any]]:
        conn = self._connection()
        if self._storage._host is not None or self._held is not None:
            return conn.execute(statement, parameters).all()
        conn.info["chamados_write"] = False
        with conn.begin():
            return conn.execute(statement, parameters).all()

    def _write_transaction(self) -> Any:
        conn = self._connection()
        if self._storage._host is not None:
            if not conn.in_transaction():
                raise ConfigurationError(
                    "the host's Connection must be in a transaction (with conn.begin(): ...); "
                    "chamados writes inside it and leaves the commit to the host",
                    key="storage",
                )
            return conn.begin_nested()
        if self._held is not None:
            return self._held
        conn.info["chamados_write"] = True
        return conn.begin()

    # -- reads ------------------------------------------------------------------------------

    @_guarded
    def _get(self, ticket_id: str) -> Ticket | None:
        rows = self._rows(_GET_TICKET, {"ticket_id": ticket_id})
        return _ticket(rows[0][0]) if rows else None

    @_guarded
    def _history(self, ticket_id: str) -> Iterable[TicketEvent]:
        rows = self._rows(_GET_HISTORY, {"ticket_id": ticket_id})
        return [codec.loads(row[0]) for row in rows]

    @_guarded
    def _find(self, query: TicketQuery) -> Iterable[Ticket]:
        c = tickets.c
        statement = sa.select(c.data)
        conditions: list[sa.ColumnElement[bool]] = []
        if query.tenant is not None:
            conditions.append(c.tenant == query.tenant)
        if query.status is not None:
            conditions.append(c.status.in_(sorted(query.status)))
        for column, value in (
            (c.team, query.team),
            (c.assignee, query.assignee),
            (c.tier, query.tier),
            (c.channel, query.channel),
            (c.category, query.category),
        ):
            if value is not None:
                conditions.append(column == value)
        if query.priority is not None:
            conditions.append(c.priority.in_(sorted(p.rank for p in query.priority)))
        if query.requester is not None:
            conditions.append(c.requester_kind == query.requester.kind.value)
            conditions.append(c.requester_id == query.requester.id)
        if query.partner is not None:
            conditions.append(c.partner_id == query.partner.id)
        statement = statement.where(*conditions).order_by(c.created_us, c.id)
        if query.limit is not None and not query.tags:
            statement = statement.limit(query.limit)
        found = [_ticket(row[0]) for row in self._rows(statement)]
        # Tags and the partner's kind are checked on the documents (query.matches is the
        # reference), which also keeps the SQL simple.
        found = [t for t in found if query.matches(t)]
        return found[: query.limit] if query.limit is not None else found

    @_guarded
    def _due(self, now: int, tenant: str | None, limit: int | None) -> Iterable[Ticket]:
        statement = self._due_statement(now, tenant, frozenset())
        if limit is not None:
            statement = statement.limit(limit)
        return [_ticket(row[0]) for row in self._rows(statement)]

    def _due_statement(self, now: int, tenant: str | None, skip: frozenset[str]) -> sa.Select[Any]:
        c = tickets.c
        statement = sa.select(c.data).where(
            c.sla_deadline_us.is_not(None), c.sla_deadline_us <= now
        )
        if tenant is not None:
            statement = statement.where(c.tenant == tenant)
        if skip:
            statement = statement.where(c.id.not_in(sorted(skip)))
        return statement.order_by(c.sla_deadline_us, c.id)

    def _hold(self) -> Connection:
        """The connection, in the writing transaction this unit of work holds until it
        ends (begun now if not yet; the host's own transaction on a host connection)."""
        conn = self._connection()
        if self._storage._host is None and self._held is None:
            conn.info["chamados_write"] = True  # SQLite: BEGIN IMMEDIATE, one writer at a time
            self._held = conn.begin()
        return conn

    @_guarded
    def _get_locked(self, ticket_id: str) -> Ticket | None:
        conn = self._hold()
        statement = _GET_TICKET_LOCKED if self._storage.dialect in _LOCKING else _GET_TICKET
        try:
            row = conn.execute(statement, {"ticket_id": ticket_id}).first()
        except sa_exc.DBAPIError as error:
            clash = _clash(error)
            if clash is None:
                raise
            raise ConcurrencyError(ticket_id, expected=None, actual=None, clash=clash) from error
        return _ticket(row[0]) if row is not None else None

    @_guarded
    def _claim_due(self, now: int, tenant: str | None, skip: frozenset[str]) -> Ticket | None:
        conn = self._hold()
        statement = self._due_statement(now, tenant, skip).limit(1)
        if self._storage.dialect in _LOCKING:
            statement = statement.with_for_update(skip_locked=True)
        row = conn.execute(statement).first()
        return _ticket(row[0]) if row is not None else None

    @_guarded
    def _idempotency(self, tenant: str, key: str) -> IdempotencyRecord | None:
        c = idempotency.c
        rows = self._rows(
            sa.select(
                c.command, c.ticket_id, c.result, c.actor_kind, c.actor_id, c.fingerprint
            ).where(c.tenant == tenant, c.key == key)
        )
        if not rows:
            return None
        command, ticket_id, result, actor_kind, actor_id, fingerprint = tuple(rows[0])
        actor = None if actor_kind is None else Party(PartyKind(actor_kind), actor_id)
        return IdempotencyRecord(
            tenant, key, command, ticket_id, _ticket(result), actor=actor, fingerprint=fingerprint
        )

    # -- writes -------------------------------------------------------------------------------

    @_guarded
    def _commit(self, changes: Changes) -> None:
        conn = self._connection()
        transaction = self._write_transaction()
        try:
            for ticket in changes.inserts:
                conn.execute(_INSERT_TICKET, _columns(ticket))
            for ticket, loaded in changes.updates:
                done = conn.execute(
                    _UPDATE_TICKET, {**_columns(ticket), "b_id": ticket.id, "b_loaded": loaded}
                )
                if done.rowcount != 1:
                    actual = conn.execute(
                        sa.select(tickets.c.version).where(tickets.c.id == ticket.id)
                    ).scalar()
                    raise ConcurrencyError(ticket.id, expected=loaded, actual=actual)
            if changes.events:
                conn.execute(sa.insert(history), [_event_row(e) for e in changes.events])
                said = [
                    _message_row(e) for e in changes.events if isinstance(e, Replied | NoteAdded)
                ]
                if said:
                    conn.execute(sa.insert(messages), said)
            if changes.outbox:
                conn.execute(sa.insert(outbox), [_outbox_row(e) for e in changes.outbox])
            self._write_facts(conn, changes)
            for record in changes.keys:
                conn.execute(
                    sa.insert(idempotency).values(
                        tenant=record.tenant,
                        key=record.key,
                        command=record.command,
                        ticket_id=record.ticket_id,
                        result=codec.dumps(record.result),
                        actor_kind=None if record.actor is None else record.actor.kind.value,
                        actor_id=None if record.actor is None else record.actor.id,
                        fingerprint=record.fingerprint,
                    )
                )
            self._commit_transaction(transaction)
        except sa_exc.IntegrityError as error:
            self._abandon(transaction)
            raise self._conflict(changes) from error
        except sa_exc.DBAPIError as error:
            self._abandon(transaction)
            clash = _clash(error)
            first = next(iter(changes.updates), None)
            if clash is None or first is None:
                raise
            raise ConcurrencyError(
                first[0].id, expected=first[1], actual=None, clash=clash
            ) from error
        except BaseException:
            self._abandon(transaction)
            raise
        finally:
            self._held = None

    def _write_facts(self, conn: Connection, changes: Changes) -> None:
        """The indicator rows: the ticket's facts row, its SLA outcomes and breaches
        (each rewritten only when it changed), and the stays that ended (appended)."""
        for ticket in changes.inserts:
            conn.execute(sa.insert(facts).values(**_fact_row(ticket)))
        for ticket, _ in changes.updates:
            row = _fact_row(ticket)
            loaded = changes.before.get(ticket.id)
            if loaded is None or row != _fact_row(loaded):
                conn.execute(sa.update(facts).where(facts.c.ticket_id == ticket.id).values(**row))
        saved = [*changes.inserts, *(ticket for ticket, _ in changes.updates)]
        for ticket in saved:
            before = changes.before.get(ticket.id)
            for table, rows_of in ((sla_outcomes, _outcome_rows), (breaches, _breach_rows)):
                rows = rows_of(ticket)
                old = rows_of(before)
                if rows == old:
                    continue
                if old:
                    conn.execute(sa.delete(table).where(table.c.ticket_id == ticket.id))
                if rows:
                    conn.execute(sa.insert(table), rows)
        if changes.stays:
            conn.execute(sa.insert(stays), [_stay_row(stay) for stay in changes.stays])

    def _commit_transaction(self, transaction: Any) -> None:
        try:
            transaction.commit()
        except sa_exc.DBAPIError as error:
            if self._storage._host is None and _lost(error, self._storage.dialect):
                raise StorageUnavailableError(
                    f"the connection was lost while the database committed "
                    f"({_first_line(error)}); the command may or may not be stored: retry "
                    f"it with the same idempotency key",
                    maybe_stored=True,
                ) from error
            raise

    def _abandon(self, transaction: Any) -> None:
        try:
            if transaction.is_active:
                transaction.rollback()
        except sa_exc.SQLAlchemyError:
            pass  # the connection is gone: the server dropped the transaction already

    def _conflict(self, changes: Changes) -> Exception:
        """Why an insert was refused: a key someone else used, or an id that exists."""
        for record in changes.keys:
            taken = self._idempotency(record.tenant, record.key)
            if taken is not None:
                return DuplicateKeyError(taken)
        for ticket in changes.inserts:
            existing = self._get(ticket.id)
            if existing is not None:
                return ConcurrencyError(ticket.id, expected=0, actual=existing.version)
        return StorageError("the database refused the changes (a uniqueness constraint)")

    def _rollback(self) -> None:
        if self._held is not None:
            self._abandon(self._held)
            self._held = None

    def _end(self) -> None:
        if self._conn is not None:
            with suppress(sa_exc.SQLAlchemyError):
                self._conn.close()
            self._conn = None


def _ticket(document: str) -> Ticket:
    ticket = codec.loads(document)
    if not isinstance(ticket, Ticket):
        raise StorageError("a stored ticket document does not hold a ticket")
    return ticket


def _dimensions(ticket: Ticket) -> dict[str, Any]:
    """The values of ``_dimension_columns`` for ``ticket``."""
    return {
        "tenant": ticket.tenant,
        "channel": ticket.channel,
        "status": ticket.status,
        "category": ticket.category,
        "priority": ticket.priority.rank,
        "team": ticket.team,
        "tier": ticket.tier,
        "assignee": ticket.assignee,
        "partner_id": ticket.partner.id if ticket.partner else None,
        "created_us": epoch_micros(ticket.created_at),
    }


def _columns(ticket: Ticket) -> dict[str, Any]:
    return {
        "id": ticket.id,
        **_dimensions(ticket),
        "workflow": ticket.workflow,
        "requester_kind": ticket.requester.kind.value,
        "requester_id": ticket.requester.id,
        "sla_deadline_us": epoch_micros(ticket.sla_deadline) if ticket.sla_deadline else None,
        "version": ticket.version,
        "data": codec.dumps(ticket),
    }


def _fact_row(ticket: Ticket) -> dict[str, Any]:
    """The ticket's row in ``chamados_facts``."""
    stats = ticket.stats
    return {
        "ticket_id": ticket.id,
        **_dimensions(ticket),
        "active": True if stats is None else stats.active,
        "first_response_s": None if stats is None else stats.first_response_s,
        "first_response_business_s": None if stats is None else stats.first_response_business_s,
        "resolution_s": None if stats is None else stats.resolution_s,
        "resolution_business_s": None if stats is None else stats.resolution_business_s,
        "resolutions": 0 if stats is None else stats.resolutions,
        "reopens": 0 if stats is None else stats.reopens,
        "max_tier": ticket.tier if stats is None else stats.max_tier,
        "rating": ticket.rating,
    }


def _outcome_rows(ticket: Ticket | None) -> list[dict[str, Any]]:
    if ticket is None:
        return []
    rows = []
    for clock in ticket.sla_clocks:
        if clock.breached_at is not None:
            outcome = "breached"
        else:
            outcome = "met" if clock.status == "met" else "running"
        response = (
            max(0, seconds_between(clock.started_at, clock.met_at))
            if clock.met_at is not None
            else None
        )
        rows.append(
            {
                "ticket_id": ticket.id,
                "policy": clock.policy,
                "metric": clock.metric,
                "cycle": clock.cycle,
                "tenant": ticket.tenant,
                "outcome": outcome,
                "response_s": response,
            }
        )
    return rows


def _breach_rows(ticket: Ticket | None) -> list[dict[str, Any]]:
    if ticket is None or ticket.stats is None:
        return []
    return [
        {
            "ticket_id": ticket.id,
            "policy": b.policy,
            "metric": b.metric,
            "cycle": b.cycle,
            "tenant": ticket.tenant,
            "owner": b.owner,
            "status": b.status,
        }
        for b in {(b.policy, b.metric, b.cycle): b for b in ticket.stats.breaches}.values()
    ]


def _stay_row(stay: Stay) -> dict[str, Any]:
    assert stay.left_at is not None
    assert stay.calendar_s is not None
    return {
        "ticket_id": stay.ticket_id,
        "tenant": stay.tenant,
        "status": stay.status,
        "team": stay.team,
        "tier": stay.tier,
        "assignee": stay.assignee,
        "entered_us": epoch_micros(stay.entered_at),
        "left_us": epoch_micros(stay.left_at),
        "calendar_s": stay.calendar_s,
        "business_s": stay.business_s,
    }


def _event_row(event: TicketEvent) -> dict[str, Any]:
    return {
        "event_id": event.id,
        "ticket_id": event.ticket_id,
        "tenant": event.tenant,
        "version": event.version,
        "kind": event.kind,
        "at_us": epoch_micros(event.at),
        "actor_kind": event.actor.kind.value,
        "actor_id": event.actor.id,
        "data": codec.dumps(event),
    }


def _message_row(event: Replied | NoteAdded) -> dict[str, Any]:
    message = event.message
    return {
        "id": message.id,
        "ticket_id": event.ticket_id,
        "tenant": event.tenant,
        "author_kind": message.author.kind.value,
        "author_id": message.author.id,
        "public": message.public,
        "automated": message.automated,
        "external_id": message.external_id,
        "at_us": epoch_micros(message.at),
        "body": message.body,
    }


def _outbox_row(event: TicketEvent) -> dict[str, Any]:
    return {
        "event_id": event.id,
        "ticket_id": event.ticket_id,
        "tenant": event.tenant,
        "kind": event.kind,
        "created_us": epoch_micros(event.at),
        "data": codec.dumps(event),
    }


def _add_columns(conn: Connection, table: sa.Table, *names: str) -> None:
    """``ALTER TABLE ... ADD COLUMN`` for columns of ``table`` as ``metadata`` has them
    (nullable ones: rows already there get ``NULL``)."""
    for name in names:
        column = table.c[name]
        assert column.nullable, f"{table.name}.{name} must be nullable to be added"
        kind = column.type.compile(dialect=conn.dialect)
        quote = conn.dialect.identifier_preparer.quote
        conn.exec_driver_sql(f"ALTER TABLE {quote(table.name)} ADD COLUMN {quote(name)} {kind}")


def _exact_text(conn: Connection) -> None:
    """Make MySQL and MariaDB compare text exactly, as PostgreSQL, SQLite and memory do.

    Their default collations hold "Loja-1", "loja-1", "loja-1 " and "lója-1" equal, so one
    tenant's filter or one idempotency key would stand for another. Binary collations
    without padding compare code points: MariaDB's ``utf8mb4_nopad_bin``, MySQL 8's
    ``utf8mb4_0900_bin``.
    """
    if conn.dialect.name not in ("mysql", "mariadb"):
        return
    mariadb = getattr(conn.dialect, "is_mariadb", False)
    collation = "utf8mb4_nopad_bin" if mariadb else "utf8mb4_0900_bin"
    for table in metadata.sorted_tables:
        conn.exec_driver_sql(
            f"ALTER TABLE {table.name} CONVERT TO CHARACTER SET utf8mb4 COLLATE {collation}"
        )


def _to_2(conn: Connection) -> None:
    """Idempotency keys remember who used them and the fingerprint of the command's
    arguments (keys stored before hold ``NULL`` in both); text compares exactly on MySQL
    and MariaDB."""
    _add_columns(conn, idempotency, "actor_kind", "actor_id", "fingerprint")
    _exact_text(conn)


MIGRATIONS: dict[int, Callable[[Connection], None]] = {1: _to_2}
"""Schema migrations: ``MIGRATIONS[n]`` takes a database from version ``n`` to ``n + 1``."""
