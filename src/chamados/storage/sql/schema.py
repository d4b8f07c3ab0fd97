"""The SQL adapter's schema: its tables, its version, and the migrations between versions.

``metadata`` holds every table; ``SCHEMA_VERSION`` is the version this chamados reads
and writes, kept in ``chamados_schema``; ``MIGRATIONS[n]`` takes a database from version
``n`` to ``n + 1``. ``verify_schema``, ``init_schema`` and ``upgrade_schema`` run on a
connection the caller holds in a transaction (``Database.ddl``), and only
``upgrade_schema`` (``chamados db upgrade``) changes a schema of another version.
Tickets, events and idempotency results are JSON documents (``chamados.storage.codec``)
next to the columns queries filter and sort on.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import Connection
from sqlalchemy.schema import CreateColumn

from chamados import limits
from chamados.clock import epoch_micros
from chamados.exceptions import SchemaVersionError
from chamados.model import Ticket
from chamados.storage import codec
from chamados.storage.port import has_running_clock

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "breaches",
    "dimensions",
    "facts",
    "history",
    "idempotency",
    "init_schema",
    "metadata",
    "outbox",
    "read_version",
    "schema_table",
    "sla_outcomes",
    "stays",
    "tickets",
    "upgrade_schema",
    "verify_schema",
]

SCHEMA_VERSION = 3
"""The schema this chamados reads and writes (``MIGRATIONS`` lists the changes)."""

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
    # Whether one of its SLA clocks runs (chamados.storage.port.has_running_clock), for
    # the agents' load (UnitOfWork.held): one GROUP BY on the tenant-assignee index.
    sa.Column("sla_running", sa.Boolean, nullable=False, server_default=sa.false()),
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
    # in rows written before, see chamados.desk.idempotency).
    sa.Column("actor_kind", sa.String(32)),
    sa.Column("actor_id", sa.String(limits.ID)),
    sa.Column("fingerprint", sa.String(64)),
)


def dimensions(ticket: Ticket) -> dict[str, Any]:
    """The values of ``_dimension_columns`` for ``ticket`` (the tickets table's and the
    facts table's)."""
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


# -- versions -----------------------------------------------------------------------------------


def read_version(conn: Connection) -> int | None:
    """The chamados schema version of the database, ``None`` if it has no chamados tables."""
    names = set(sa.inspect(conn).get_table_names())
    if schema_table.name not in names:
        if names & {table.name for table in metadata.sorted_tables}:
            raise SchemaVersionError(
                "the database has some chamados tables but no schema version; it was "
                "not made by chamados db init",
                found=None,
                expected=SCHEMA_VERSION,
            )
        return None
    version = conn.execute(sa.select(sa.func.max(schema_table.c.version))).scalar()
    return int(version) if version is not None else None


def init_schema(conn: Connection) -> None:
    """Create chamados' tables (``chamados db init``); an existing schema is refused."""
    found = read_version(conn)
    if found is not None:
        raise SchemaVersionError(
            f"the database already has chamados' schema (version {found}); use "
            f"`chamados db upgrade` to bring it to version {SCHEMA_VERSION}",
            found=found,
            expected=SCHEMA_VERSION,
        )
    _create(conn)


def upgrade_schema(conn: Connection) -> int:
    """Migrate the schema to this chamados' version (``chamados db upgrade``), or create
    it in a database without one; returns the number of migrations run."""
    found = read_version(conn)
    if found is None:
        _create(conn)
        return 0
    if found > SCHEMA_VERSION:
        raise _newer(found)
    _check_known(found)
    ran = 0
    for version in range(found, SCHEMA_VERSION):
        MIGRATIONS[version](conn)
        conn.execute(sa.update(schema_table).values(version=version + 1))
        ran += 1
    return ran


def verify_schema(conn: Connection, *, create: bool, where: str) -> None:
    """Raise ``SchemaVersionError`` unless the schema is this chamados' version; create it
    in a database without chamados tables when ``create`` (``where`` names the database
    in the error otherwise)."""
    found = read_version(conn)
    if found is None:
        if not create:
            raise SchemaVersionError(
                f"the database has no chamados tables; run `chamados db init` (or "
                f"SqlStorage(...).init()) for {where}",
                found=None,
                expected=SCHEMA_VERSION,
            )
        _create(conn)
    elif found < SCHEMA_VERSION:
        _check_known(found)
        raise SchemaVersionError(
            f"the database's chamados schema is version {found}, older than this "
            f"chamados (version {SCHEMA_VERSION}); run `chamados db upgrade`",
            found=found,
            expected=SCHEMA_VERSION,
        )
    elif found > SCHEMA_VERSION:
        raise _newer(found)


def _create(conn: Connection) -> None:
    metadata.create_all(conn)
    _exact_text(conn)
    conn.execute(sa.insert(schema_table).values(version=SCHEMA_VERSION))


def _check_known(found: int) -> None:
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


def _newer(found: int) -> SchemaVersionError:
    return SchemaVersionError(
        f"the database's chamados schema is version {found}, newer than this chamados "
        f"(version {SCHEMA_VERSION}); upgrade chamados",
        found=found,
        expected=SCHEMA_VERSION,
    )


# -- migrations ---------------------------------------------------------------------------------


def _add_columns(conn: Connection, table: sa.Table, *names: str) -> None:
    """``ALTER TABLE ... ADD COLUMN`` for columns of ``table`` as ``metadata`` has them
    (nullable ones, or ones with a server default: rows already there get that)."""
    quote = conn.dialect.identifier_preparer.quote
    for name in names:
        column = table.c[name]
        assert column.nullable or column.server_default is not None, (
            f"{table.name}.{name} must be nullable or have a server default to be added"
        )
        spec = CreateColumn(column).compile(dialect=conn.dialect)
        conn.exec_driver_sql(f"ALTER TABLE {quote(table.name)} ADD COLUMN {spec}")


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


def _to_3(conn: Connection) -> None:
    """``chamados_messages`` goes: every reply wrote a row there and nothing read it (a
    ticket's messages are its ``Replied`` and ``NoteAdded`` events, in the history).
    Tickets get ``sla_running``, set from their documents for the tickets an agent holds
    (the only ones ``UnitOfWork.held`` counts)."""
    sa.Table("chamados_messages", sa.MetaData()).drop(conn, checkfirst=True)
    _add_columns(conn, tickets, "sla_running")
    c = tickets.c
    held = conn.execute(sa.select(c.id).where(c.assignee.is_not(None))).scalars().all()
    for start in range(0, len(held), 500):
        rows = conn.execute(sa.select(c.id, c.data).where(c.id.in_(held[start : start + 500])))
        running = [ticket_id for ticket_id, data in rows if _has_running_clock(data)]
        if running:
            conn.execute(sa.update(tickets).where(c.id.in_(running)).values(sla_running=True))


def _has_running_clock(document: str) -> bool:
    ticket = codec.loads(document)
    return isinstance(ticket, Ticket) and has_running_clock(ticket)


MIGRATIONS: dict[int, Callable[[Connection], None]] = {1: _to_2, 2: _to_3}
"""Schema migrations: ``MIGRATIONS[n]`` takes a database from version ``n`` to ``n + 1``."""
