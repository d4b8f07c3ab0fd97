"""``SqlStorage`` and its unit of work: tickets, histories and idempotency keys in SQL.

How a unit of work runs: reads are short transactions of their own, and the commit
writes the ticket row with a version check, the history, the outbox, the facts and the
idempotency key in one transaction. A stale version, a duplicate id or key, or a lost
connection leaves nothing written. A command loads its ticket with
``get(..., lock=True)``, which opens that transaction at once and holds the ticket until
the commit (``SELECT ... FOR UPDATE`` on PostgreSQL and MariaDB, ``BEGIN IMMEDIATE`` on
SQLite, which lets one writer at a time): commands on one ticket queue up instead of
failing the version check, and reads (``Helpdesk.get``) never wait. The SLA monitor's
``claim_due`` opens the transaction early too, and skips rows others hold (``FOR UPDATE
SKIP LOCKED``). Every statement runs under ``Database.guard``, where driver errors
become chamados errors.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, ParamSpec, TypeVar

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, Engine, Transaction

from chamados.clock import epoch_micros
from chamados.events import TicketEvent
from chamados.exceptions import ConcurrencyError, ConfigurationError, StorageError
from chamados.model import Party, PartyKind, Ticket
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
    has_running_clock,
)
from chamados.storage.sql.database import Database
from chamados.storage.sql.indicators import SqlIndicators, write_facts
from chamados.storage.sql.outbox import SqlOutbox, outbox_row
from chamados.storage.sql.schema import (
    dimensions,
    history,
    idempotency,
    init_schema,
    outbox,
    read_version,
    tickets,
    upgrade_schema,
    verify_schema,
)

__all__ = ["SqlStorage", "event_row", "ticket_row"]

_P = ParamSpec("_P")
_T = TypeVar("_T")

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
    3
    """

    def __init__(self, target: str | Engine | Connection, *, create: bool | None = None) -> None:
        self.database = Database(target)
        self._create = create if create is not None else self.database.host is None
        self._checked = False

    @property
    def engine(self) -> Engine:
        """The engine: the one made from the URL, the host's, or the host connection's."""
        return self.database.engine

    @property
    def dialect(self) -> str:
        """``sqlite``, ``postgresql``, ``mysql`` or ``mariadb``."""
        return self.database.dialect

    def __repr__(self) -> str:
        return f"<SqlStorage {self.database!r}>"

    # -- schema ------------------------------------------------------------------------------

    def schema_version(self) -> int | None:
        """The chamados schema version of the database, ``None`` if it has no chamados tables."""
        with self.database.ddl() as conn:
            return read_version(conn)

    def init(self) -> None:
        """Create chamados' tables (``chamados db init``); an existing schema is refused."""
        with self.database.ddl() as conn:
            init_schema(conn)
            self._ready(conn)

    def upgrade(self) -> int:
        """Migrate the schema to this chamados' version (``chamados db upgrade``); returns
        the number of migrations run."""
        with self.database.ddl() as conn:
            ran = upgrade_schema(conn)
            self._ready(conn)
        return ran

    def check(self) -> None:
        """Raise ``SchemaVersionError`` unless the schema is this chamados' version."""
        if self._checked:
            return
        with self.database.ddl() as conn:
            verify_schema(conn, create=self._create, where=repr(self))
            self._ready(conn)

    def _ready(self, conn: Connection) -> None:
        """The schema is this chamados' one: note it, and what the server allows."""
        self.database.note_server(conn)
        self._checked = True

    # -- units of work ----------------------------------------------------------------------

    def unit_of_work(self) -> UnitOfWork:
        self.database.check_host()
        self.check()
        return _SqlUnitOfWork(self.database)

    def outbox(self) -> Outbox:
        """The outbox in ``chamados_outbox``; each call is a transaction of its own."""
        if self.database.host is not None:
            raise ConfigurationError(
                "a relay needs transactions of its own, not the host's: give it "
                "SqlStorage(engine).outbox() (Helpdesk(storage=engine).relay())",
                key="storage",
            )
        self.check()
        return SqlOutbox(self.database)

    def indicators(self) -> IndicatorEngine:
        """Indicators computed by the database (``chamados.storage.sql.indicators``)."""
        self.check()
        return SqlIndicators(self.database)

    @property
    def in_host_transaction(self) -> bool:
        return self.database.host is not None

    def close(self) -> None:
        """Dispose of the engine's connections (only when this storage made the engine)."""
        self.database.close()


def _guarded(method: Callable[_P, _T]) -> Callable[_P, _T]:
    """Run a unit of work's method under ``Database.guard``."""

    @functools.wraps(method)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _T:
        self = args[0]
        assert isinstance(self, _SqlUnitOfWork)
        with self._db.guard():
            return method(*args, **kwargs)

    return wrapper


class _SqlUnitOfWork(UnitOfWork):
    def __init__(self, database: Database) -> None:
        super().__init__()
        self._db = database
        self._conn: Connection | None = None
        # The writing transaction, when a locked read or a claim opened it before the
        # commit: later reads and the commit run in it.
        self._held: Transaction | None = None

    # -- connections and transactions ------------------------------------------------------

    def _connection(self) -> Connection:
        if self._conn is None:
            self._conn = self._db.connect()
        return self._conn

    def _rows(
        self, statement: sa.Executable, parameters: dict[str, Any] | None = None
    ) -> Sequence[sa.Row[Any]]:
        conn = self._connection()
        if self._db.host is not None or self._held is not None:
            return conn.execute(statement, parameters).all()
        with self._db.begin(conn, write=False):
            return conn.execute(statement, parameters).all()

    def _write_transaction(self) -> Transaction:
        if self._held is not None:
            return self._held
        return self._db.begin(self._connection(), write=True)

    def _hold(self) -> Connection:
        """The connection, in the writing transaction this unit of work holds until it
        ends (begun now if not yet; the host's own transaction on a host connection)."""
        conn = self._connection()
        if self._db.host is None and self._held is None:
            self._held = self._db.begin(conn, write=True)  # SQLite: one writer at a time
        return conn

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

    def _get_locked(self, ticket_id: str) -> Ticket | None:
        with self._db.guard(ticket=ticket_id):  # a clash: ConcurrencyError on the ticket
            conn = self._hold()
            statement = _GET_TICKET_LOCKED if self._db.locks_rows else _GET_TICKET
            row = conn.execute(statement, {"ticket_id": ticket_id}).first()
        return _ticket(row[0]) if row is not None else None

    @_guarded
    def _claim_due(self, now: int, tenant: str | None, skip: frozenset[str]) -> Ticket | None:
        conn = self._hold()
        statement = self._due_statement(now, tenant, skip).limit(1)
        if self._db.locks_rows:
            statement = statement.with_for_update(skip_locked=True)
        row = conn.execute(statement).first()
        return _ticket(row[0]) if row is not None else None

    @_guarded
    def _count_held(self, tenant: str, agent_ids: frozenset[str]) -> Mapping[str, int]:
        c = tickets.c
        statement = (
            sa.select(c.assignee, sa.func.count())
            .where(c.tenant == tenant, c.assignee.in_(sorted(agent_ids)), c.sla_running)
            .group_by(c.assignee)
        )
        counts: dict[str, int] = {}
        for row in self._rows(statement):
            assignee, count = tuple(row)
            counts[assignee] = int(count)
        return counts

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

    def _commit(self, changes: Changes) -> None:
        # A clash stops the command on its first updated ticket (ConcurrencyError).
        first = next(iter(changes.updates), (None, None))
        ticket = None if first[0] is None else first[0].id
        loaded = first[1]
        try:
            with self._db.guard(ticket=ticket, loaded=loaded):
                conn = self._connection()
                transaction = self._write_transaction()
                try:
                    self._write(conn, changes)
                    self._db.commit(transaction, ticket=ticket, loaded=loaded)
                except sa_exc.IntegrityError as error:
                    self._db.abandon(transaction)
                    raise self._conflict(changes) from error
                except BaseException:
                    self._db.abandon(transaction)
                    raise
        finally:
            self._held = None

    def _write(self, conn: Connection, changes: Changes) -> None:
        """Every row of ``changes``, in the open transaction."""
        for ticket in changes.inserts:
            conn.execute(_INSERT_TICKET, ticket_row(ticket))
        for ticket, loaded in changes.updates:
            done = conn.execute(
                _UPDATE_TICKET, {**ticket_row(ticket), "b_id": ticket.id, "b_loaded": loaded}
            )
            if done.rowcount != 1:
                actual = conn.execute(
                    sa.select(tickets.c.version).where(tickets.c.id == ticket.id)
                ).scalar()
                raise ConcurrencyError(ticket.id, expected=loaded, actual=actual)
        if changes.events:
            conn.execute(sa.insert(history), [event_row(e) for e in changes.events])
        if changes.outbox:
            conn.execute(sa.insert(outbox), [outbox_row(e) for e in changes.outbox])
        write_facts(conn, changes)
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
            self._db.abandon(self._held)
            self._held = None

    def _end(self) -> None:
        if self._conn is not None:
            self._db.release(self._conn)
            self._conn = None


def _ticket(document: str) -> Ticket:
    ticket = codec.loads(document)
    if not isinstance(ticket, Ticket):
        raise StorageError("a stored ticket document does not hold a ticket")
    return ticket


def ticket_row(ticket: Ticket) -> dict[str, Any]:
    """The ``chamados_tickets`` row of ``ticket``: its document and the columns queries
    filter and sort on."""
    return {
        "id": ticket.id,
        **dimensions(ticket),
        "workflow": ticket.workflow,
        "requester_kind": ticket.requester.kind.value,
        "requester_id": ticket.requester.id,
        "sla_deadline_us": epoch_micros(ticket.sla_deadline) if ticket.sla_deadline else None,
        "sla_running": has_running_clock(ticket),
        "version": ticket.version,
        "data": codec.dumps(ticket),
    }


def event_row(event: TicketEvent) -> dict[str, Any]:
    """The ``chamados_history`` row of ``event``."""
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
