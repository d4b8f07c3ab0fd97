"""The SQL adapter beyond the contract: schema versions, the host's transaction,
atomicity, lost connections, real concurrency and the SLA monitor on real databases."""

from __future__ import annotations

import io
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine

from chamados import (
    AccessDeniedError,
    ConcurrencyError,
    ConfigurationError,
    Helpdesk,
    IdempotencyKeyReusedError,
    MemoryStorage,
    Party,
    SchemaVersionError,
    SequentialIds,
    StatusChanged,
    StorageConfigurationError,
    StorageError,
    StorageUnavailableError,
    describe,
    retry_on_conflict,
)
from chamados.demo import continue_demo, run_demo
from chamados.events import SlaBreached, SlaEvent, SlaWarning, TicketEvent
from chamados.settings import storage_from
from chamados.sla import BusinessCalendar, SlaPolicy, Target
from chamados.storage import TicketQuery
from chamados.storage.sql import SCHEMA_VERSION, SqlStorage, make_engine
from chamados.storage.sql import schema as sql_module
from chamados.testing import FakeClock, RecordingNotifier, open_ticket
from chamados.testing.databases import scratch_database
from chamados.workflows import WorkflowRegistry
from tests.sql_servers import MARIADB, server_url
from tests.test_service import ShippingWorkflow

ANA = Party.agent("ana", name="Ana")
MARIA = Party.customer("c-1", name="Maria")
START = "2026-03-02T09:00:00-03:00"
H = timedelta(hours=1)


def count(engine: Engine, table: str, **where: Any) -> int:
    chosen = sql_module.metadata.tables[table]
    statement = sa.select(sa.func.count()).select_from(chosen)
    for column, value in where.items():
        statement = statement.where(chosen.c[column] == value)
    with engine.connect() as conn:
        return int(conn.execute(statement).scalar_one())


def desk_on(storage: Any, **options: Any) -> Helpdesk:
    return Helpdesk(storage=storage, clock=FakeClock(START), **options)


def first_response_policy() -> SlaPolicy:
    """Answer within 2 calendar hours; warn at half the time."""
    return SlaPolicy(
        name="loja",
        calendar=BusinessCalendar.always_open(timezone="America/Sao_Paulo"),
        targets={"first_response": Target(calendar=2 * H)},
        warn_at=[0.5],
    )


# -- the same story on every backend --------------------------------------------------------------


def test_the_demo_tells_the_same_story_on_every_backend(engine: Engine) -> None:
    """Four days of tickets give the same output, tickets and histories in memory and
    in the database; continuing a week later does too."""
    in_memory, stored = io.StringIO(), io.StringIO()
    reference = run_demo(in_memory, storage=MemoryStorage())
    desk = run_demo(stored, storage=SqlStorage(engine))
    assert stored.getvalue() == in_memory.getvalue()
    assert desk.tickets() == reference.tickets()

    def story(d: Helpdesk) -> list[list[tuple[Any, ...]]]:
        return [
            [(e.kind, e.version, e.at, e.actor, describe(e)) for e in d.history(t.id)]
            for t in d.tickets()
        ]

    assert story(desk) == story(reference)
    later_memory, later_stored = io.StringIO(), io.StringIO()
    continue_demo(later_memory, reference.storage)
    continue_demo(later_stored, SqlStorage(engine))
    assert later_stored.getvalue() == later_memory.getvalue()


def test_the_data_a_transition_required_is_kept_on_every_backend(engine: Engine) -> None:
    """The tracking code a workflow's event requires comes back from the database."""
    workflows = WorkflowRegistry.with_builtins()
    workflows.register(ShippingWorkflow)
    desk = desk_on(SqlStorage(engine), workflows=workflows)
    t = desk.open(
        tenant="loja-1", channel="site", requester=MARIA, subject="Troca", workflow="envio"
    )
    desk.transition(t.id, "postar", actor=ANA, codigo_postagem="PX123BR ção")
    change = desk.history(t.id)[-1]
    assert isinstance(change, StatusChanged)
    assert change.details == {"codigo_postagem": "PX123BR ção"}


# -- schema versions ------------------------------------------------------------------------------


def test_a_database_without_tables_is_refused_when_not_allowed_to_create(tmp_path: Path) -> None:
    """create=False on an empty database says to run chamados db init; init() fixes it."""
    storage = SqlStorage(f"sqlite:///{tmp_path / 'x.db'}", create=False)
    with pytest.raises(SchemaVersionError, match="run `chamados db init`") as caught:
        storage.unit_of_work()
    assert (caught.value.found, caught.value.expected) == (None, SCHEMA_VERSION)
    storage.init()
    assert storage.schema_version() == SCHEMA_VERSION
    with pytest.raises(SchemaVersionError, match="already has chamados' schema"):
        storage.init()


def test_an_older_schema_asks_for_upgrade_and_upgrade_migrates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A schema one version behind is refused until upgrade() runs the migration."""
    url = f"sqlite:///{tmp_path / 'x.db'}"
    SqlStorage(url).init()
    monkeypatch.setattr(sql_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    ran: list[int] = []

    def migrate(conn: sa.Connection) -> None:
        ran.append(1)
        conn.exec_driver_sql("CREATE TABLE chamados_extra (x INTEGER)")

    monkeypatch.setitem(sql_module.MIGRATIONS, SCHEMA_VERSION, migrate)
    storage = SqlStorage(url)
    with pytest.raises(SchemaVersionError, match="older than this chamados") as caught:
        storage.unit_of_work()
    assert "chamados db upgrade" in str(caught.value)
    assert caught.value.found == SCHEMA_VERSION
    assert storage.upgrade() == 1
    assert ran == [1]
    assert SqlStorage(url).schema_version() == SCHEMA_VERSION + 1
    with SqlStorage(url).unit_of_work() as uow:
        assert uow.find(TicketQuery(tenant="loja-1")) == []
    assert SqlStorage(url).upgrade() == 0


def as_schema_2(engine: Engine) -> None:
    """Turn chamados' tables on ``engine`` back into schema 2: the messages table back
    (empty), tickets without ``sla_running``."""
    messages = sa.Table(  # as schemas 1 and 2 made it
        "chamados_messages",
        sa.MetaData(),
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("ticket_id", sa.String(64), nullable=False),
        sa.Column("tenant", sa.String(128), nullable=False),
        sa.Column("author_kind", sa.String(32), nullable=False),
        sa.Column("author_id", sa.String(128), nullable=False),
        sa.Column("public", sa.Boolean, nullable=False),
        sa.Column("automated", sa.Boolean, nullable=False),
        sa.Column("external_id", sa.String(255)),
        sa.Column("at_us", sa.BigInteger, nullable=False),
        sa.Column("body", sql_module.tickets.c.data.type, nullable=False),
        sa.Index("ix_chamados_messages_ticket", "ticket_id", "at_us"),
    )
    with engine.begin() as conn:
        messages.create(conn)
        conn.exec_driver_sql("ALTER TABLE chamados_tickets DROP COLUMN sla_running")
        conn.execute(sa.update(sql_module.schema_table).values(version=2))


def as_schema_1(engine: Engine) -> None:
    """Turn chamados' tables on ``engine`` back into schema 1: schema 2, and idempotency
    keys without the party and fingerprint columns (their rows kept)."""
    as_schema_2(engine)
    table = sql_module.idempotency
    old = sa.Table(  # as schema 1 made it
        table.name,
        sa.MetaData(),
        sa.Column("tenant", sa.String(128), primary_key=True),
        sa.Column("key", sa.String(191), primary_key=True),
        sa.Column("command", sa.String(64), nullable=False),
        sa.Column("ticket_id", sa.String(64), nullable=False),
        sa.Column("result", table.c.result.type, nullable=False),
    )
    with engine.begin() as conn:
        rows = [dict(row._mapping) for row in conn.execute(sa.select(*old.c))]
        table.drop(conn)
        old.create(conn)
        if rows:
            conn.execute(sa.insert(old), rows)
        conn.execute(sa.update(sql_module.schema_table).values(version=1))


def test_upgrade_from_schema_1_keeps_the_keys_stored_before(engine: Engine) -> None:
    """A version-1 database upgrades to 3; a key stored before answers its own
    command again, still only to a party allowed to see the result."""
    desk = desk_on(SqlStorage(engine))
    ticket = desk.open(tenant="loja-1", channel="site", requester=MARIA, subject="Oi")
    first = desk.reply(ticket.id, author=ANA, body="Olá!", idempotency_key="msg-1")
    as_schema_1(engine)
    with pytest.raises(SchemaVersionError, match="chamados db upgrade"):
        SqlStorage(engine).unit_of_work()
    assert SqlStorage(engine).upgrade() == 2
    assert SqlStorage(engine).schema_version() == SCHEMA_VERSION == 3
    desk = desk_on(SqlStorage(engine))
    assert desk.reply(ticket.id, author=ANA, body="Olá!", idempotency_key="msg-1") == first
    with pytest.raises(AccessDeniedError):
        desk.reply(ticket.id, author=Party.customer("bob"), body="x", idempotency_key="msg-1")
    with pytest.raises(IdempotencyKeyReusedError):
        desk.set_priority(ticket.id, "high", actor=ANA, idempotency_key="msg-1")
    desk.reply(ticket.id, author=ANA, body="Novo", idempotency_key="msg-2")
    with pytest.raises(IdempotencyKeyReusedError, match="other arguments"):
        desk.reply(ticket.id, author=ANA, body="Outro", idempotency_key="msg-2")
    assert len(desk.messages(ticket.id)) == 2


def test_upgrade_from_schema_2_drops_the_messages_table_and_counts_each_agents_load(
    engine: Engine,
) -> None:
    """A version-2 database upgrades to 3: the messages table nothing read is gone, the
    messages are still the history's, and each agent's load (tickets held with an SLA
    clock running) is counted from the tickets stored before, in one query."""
    bia = Party.agent("bia")
    desk = desk_on(SqlStorage(engine), sla=[first_response_policy()])
    held = [desk.open(tenant="loja-1", channel="site", requester=MARIA, subject=s) for s in "abc"]
    for ticket, agent in zip(held, [ANA, ANA, bia], strict=True):
        desk.assign(ticket.id, actor=ANA, assignee=agent.id)
    desk.reply(held[1].id, author=ANA, body="Olá!")  # first response met: no clock runs
    desk.assign(
        desk.open(tenant="loja-2", channel="site", requester=MARIA, subject="d").id,
        actor=ANA,
        assignee=ANA.id,
    )
    as_schema_2(engine)
    with pytest.raises(SchemaVersionError, match="chamados db upgrade") as caught:
        SqlStorage(engine).unit_of_work()
    assert caught.value.found == 2
    assert SqlStorage(engine).upgrade() == 1
    assert SqlStorage(engine).schema_version() == SCHEMA_VERSION == 3
    with engine.connect() as conn:
        assert "chamados_messages" not in sa.inspect(conn).get_table_names()
    storage = SqlStorage(engine)
    with storage.unit_of_work() as uow:
        assert uow.held("loja-1", ["ana", "bia", "caio"]) == {"ana": 1, "bia": 1, "caio": 0}
        assert uow.held("loja-2", ["ana"]) == {"ana": 1}
    desk = desk_on(storage, sla=[first_response_policy()])
    assert [m.body for m in desk.messages(held[1].id)] == ["Olá!"]
    desk.reply(held[0].id, author=ANA, body="Oi")
    with storage.unit_of_work() as uow:
        assert uow.held("loja-1", ["ana", "bia"]) == {"ana": 0, "bia": 1}


@pytest.mark.parametrize("version", [0, -3])
def test_a_schema_version_no_chamados_made_is_refused(tmp_path: Path, version: int) -> None:
    """A schema table holding a version no chamados ever wrote is refused with a
    SchemaVersionError naming it, by check() and upgrade() alike (not a KeyError)."""
    storage = SqlStorage(f"sqlite:///{tmp_path / 'x.db'}")
    storage.init()
    with storage.engine.begin() as conn:
        conn.execute(sa.update(sql_module.schema_table).values(version=version))
    for run in (SqlStorage(storage.engine).unit_of_work, SqlStorage(storage.engine).upgrade):
        with pytest.raises(SchemaVersionError, match=f"version {version}") as caught:
            run()
        assert (caught.value.found, caught.value.expected) == (version, SCHEMA_VERSION)


def test_upgrading_a_version_1_mariadb_makes_its_text_compare_exactly() -> None:
    """Version 1 tables kept MariaDB's default collation, where "K" and "k " equal "k":
    the migration to version 2 converts them, after which two such keys are two keys."""
    with scratch_database(server_url(MARIADB)) as engine:
        with engine.begin() as conn:
            sql_module.metadata.create_all(conn)  # default collation, as version 1 had
            conn.execute(sa.insert(sql_module.schema_table).values(version=1))
        as_schema_1(engine)
        with pytest.raises(SchemaVersionError, match="chamados db upgrade"):
            SqlStorage(engine).unit_of_work()
        assert SqlStorage(engine).upgrade() == SCHEMA_VERSION - 1
        desk = Helpdesk(storage=engine, clock=FakeClock(), ticket_ids=SequentialIds())
        ids = {open_ticket(desk, idempotency_key=key).id for key in ("k", "K", "k ", "ḱ")}
        assert len(ids) == 4


def test_a_newer_schema_asks_to_upgrade_chamados(tmp_path: Path) -> None:
    """A database migrated by a newer chamados is refused, never written."""
    storage = SqlStorage(f"sqlite:///{tmp_path / 'x.db'}")
    storage.init()
    with storage.engine.begin() as conn:
        conn.execute(sa.update(sql_module.schema_table).values(version=SCHEMA_VERSION + 1))
    for fresh in (SqlStorage(storage.engine), SqlStorage(storage.engine)):
        with pytest.raises(SchemaVersionError, match="upgrade chamados"):
            fresh.unit_of_work()
    with pytest.raises(SchemaVersionError, match="newer than this chamados"):
        SqlStorage(storage.engine).upgrade()


def test_stray_chamados_tables_without_a_version_are_refused(tmp_path: Path) -> None:
    """Tables that look like chamados' but carry no schema version are not touched."""
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.begin() as conn:
        conn.exec_driver_sql("CREATE TABLE chamados_tickets (id TEXT)")
    with pytest.raises(SchemaVersionError, match="no schema version"):
        SqlStorage(engine).unit_of_work()


# -- choosing the storage -------------------------------------------------------------------------


def test_storage_is_chosen_by_url_engine_connection_or_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A URL, an Engine or a Connection make a SqlStorage; CHAMADOS_STORAGE_URL is used
    when no storage is given; memory otherwise."""
    url = f"sqlite:///{tmp_path / 'x.db'}"
    assert isinstance(Helpdesk(storage=url).storage, SqlStorage)
    engine = make_engine(url)
    assert Helpdesk(storage=engine).storage.engine is engine  # type: ignore[attr-defined]
    with engine.connect() as conn:
        assert isinstance(storage_from(conn), SqlStorage)
    monkeypatch.setenv("CHAMADOS_STORAGE_URL", url)
    from_env = Helpdesk(clock=FakeClock(START))
    assert isinstance(from_env.storage, SqlStorage)
    from_env.open(tenant="loja-1", channel="site", requester=MARIA, subject="Oi")
    assert len(Helpdesk(storage=url).tickets()) == 1  # persisted in that file
    monkeypatch.setenv("CHAMADOS_STORAGE_URL", " ")
    assert isinstance(Helpdesk().storage, MemoryStorage)
    assert isinstance(storage_from(None, environ={}), MemoryStorage)
    with pytest.raises(ConfigurationError, match="not a database URL"):
        Helpdesk(storage="definitely not a url")
    with pytest.raises(ConfigurationError, match="driver for oracle"):
        Helpdesk(storage="oracle+nosuchdriver://x/y")


# -- the host's transaction -----------------------------------------------------------------------


def orders_table(engine: Engine) -> sa.Table:
    table = sa.Table(
        "host_orders",
        sa.MetaData(),
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("status", sa.String(32)),
    )
    table.drop(engine, checkfirst=True)
    table.create(engine)
    return table


@pytest.mark.parametrize("outcome", ["commit", "rollback"])
def test_commands_join_the_hosts_transaction(engine: Engine, outcome: str) -> None:
    """Through the host's Connection, chamados writes inside the host's transaction and
    never commits: the ticket and the host's order are stored together or not at all."""
    orders = orders_table(engine)
    with engine.connect() as conn, conn.begin() as transaction:
        conn.execute(sa.insert(orders).values(id="pedido-1", status="refund_requested"))
        desk = desk_on(conn)
        ticket = desk.open(tenant="loja-1", channel="site", requester=MARIA, subject="Estorno")
        desk.reply(ticket.id, author=ANA, body="Estorno aprovado")
        assert len(desk.history(ticket.id)) == 3  # visible inside the transaction
        assert count(engine, "chamados_tickets") == 0  # but not outside it
        if outcome == "commit":
            transaction.commit()
        else:
            transaction.rollback()
    stored = 1 if outcome == "commit" else 0
    assert count(engine, "chamados_tickets") == stored
    assert count(engine, "chamados_history") == 3 * stored  # opened, started, replied
    with engine.connect() as conn:
        assert len(conn.execute(sa.select(orders)).all()) == stored
    orders.drop(engine)


def test_a_refused_write_inside_the_hosts_transaction_spares_the_host_work(
    engine: Engine,
) -> None:
    """chamados writes in a savepoint: when its insert is refused (an id already taken,
    which open() then retries with the next id), the host's transaction goes on."""
    orders = orders_table(engine)
    with engine.connect() as conn, conn.begin():
        desk = desk_on(conn, ticket_ids=SequentialIds("T-"))
        desk.open(tenant="loja-1", channel="site", requester=MARIA, subject="Um")
        conn.execute(sa.insert(orders).values(id="pedido-1", status="paid"))
        clone = desk_on(conn, ticket_ids=SequentialIds("T-"))  # T-0001 again, then T-0002
        second = clone.open(tenant="loja-1", channel="site", requester=MARIA, subject="Dois")
        assert second.id == "T-0002"
        conn.execute(sa.insert(orders).values(id="pedido-2", status="paid"))
    assert count(engine, "chamados_tickets") == 2
    with engine.connect() as conn:
        assert len(conn.execute(sa.select(orders)).all()) == 2
    orders.drop(engine)


def test_a_host_connection_outside_a_transaction_is_refused(engine: Engine) -> None:
    """chamados never commits for the host, so it needs the host's transaction open."""
    with engine.connect() as conn:
        desk = desk_on(conn)
        with pytest.raises(ConfigurationError, match="must be in a transaction"):
            desk.open(tenant="loja-1", channel="site", requester=MARIA, subject="Oi")
        conn.rollback()
    assert count(engine, "chamados_tickets") == 0


# -- atomicity ------------------------------------------------------------------------------------


@contextmanager
def failing_on(
    engine: Engine, fragment: str, action: Callable[[Any], None]
) -> Iterator[list[str]]:
    """Run ``action(connection)`` just before the first statement containing ``fragment``."""
    fired: list[str] = []

    def hook(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if fragment in statement and not fired:
            fired.append(statement)
            action(conn)

    sa_event.listen(engine, "before_cursor_execute", hook)
    try:
        yield fired
    finally:
        sa_event.remove(engine, "before_cursor_execute", hook)


def snapshot(engine: Engine, ticket_id: str) -> dict[str, int]:
    """What the database holds of a ticket, row by row."""
    with engine.connect() as conn:
        version = conn.execute(
            sa.select(sql_module.tickets.c.version).where(sql_module.tickets.c.id == ticket_id)
        ).scalar_one()
    return {
        "version": version,
        "history": count(engine, "chamados_history", ticket_id=ticket_id),
        "outbox": count(engine, "chamados_outbox", ticket_id=ticket_id),
        "keys": count(engine, "chamados_idempotency"),
    }


def boom(conn: Any) -> None:
    raise RuntimeError("disk full")


@pytest.mark.parametrize("table", ["chamados_history", "chamados_outbox", "chamados_idempotency"])
def test_a_command_writes_everything_or_nothing(engine: Engine, table: str) -> None:
    """The ticket row, its events, outbox rows and idempotency key are one
    transaction: a failure writing any of them leaves the others unwritten."""
    desk = desk_on(SqlStorage(engine), notifiers=[RecordingNotifier()])
    ticket = desk.open(tenant="loja-1", channel="site", requester=MARIA, subject="Oi")
    before = snapshot(engine, ticket.id)
    with (
        failing_on(engine, f"INSERT INTO {table}", boom) as fired,
        pytest.raises(RuntimeError, match="disk full"),
    ):
        desk.reply(ticket.id, author=ANA, body="Olá!", idempotency_key="msg-1")
    assert fired
    assert snapshot(engine, ticket.id) == before
    desk.reply(ticket.id, author=ANA, body="Olá!", idempotency_key="msg-1")
    after = snapshot(engine, ticket.id)
    assert after == {
        "version": before["version"] + 1,
        "history": before["history"] + 2,  # replied, and the status it moved to
        "outbox": before["outbox"] + 2,
        "keys": before["keys"] + 1,
    }


# -- lost connections -----------------------------------------------------------------------------


def kill(conn: Any) -> None:
    """Kill the server session behind ``conn`` from another connection."""
    engine: Engine = conn.engine
    raw = conn.connection.dbapi_connection
    admin = make_engine(engine.url.render_as_string(hide_password=False))
    try:
        with admin.begin() as other:
            if engine.dialect.name == "postgresql":
                other.execute(
                    sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": raw.info.backend_pid}
                )
            else:
                other.exec_driver_sql(f"KILL CONNECTION {int(raw.thread_id())}")
    finally:
        admin.dispose()


@pytest.mark.parametrize("moment", ["INSERT INTO chamados_history", "INSERT INTO chamados_outbox"])
def test_a_connection_killed_mid_command_stores_nothing(server: Engine, moment: str) -> None:
    """The server session dies half-way through a command's writes: the command raises
    StorageUnavailableError, nothing of it is stored, and the next command works."""
    desk = desk_on(SqlStorage(server), notifiers=[RecordingNotifier()])
    ticket = desk.open(tenant="loja-1", channel="site", requester=MARIA, subject="Oi")
    before = snapshot(server, ticket.id)
    with (
        failing_on(server, moment, kill) as fired,
        pytest.raises(StorageUnavailableError, match="cannot be reached") as caught,
    ):
        desk.reply(ticket.id, author=ANA, body="Olá!", idempotency_key="msg-1")
    assert fired
    assert caught.value.maybe_stored is False
    assert snapshot(server, ticket.id) == before
    desk.reply(ticket.id, author=ANA, body="Olá!", idempotency_key="msg-1")
    assert snapshot(server, ticket.id)["history"] == before["history"] + 2


def test_a_connection_lost_during_commit_may_have_stored_and_the_key_makes_it_safe(
    server: Engine,
) -> None:
    """Killed at COMMIT, the outcome is unknown to the client: the error says so
    (maybe_stored), and retrying with the same idempotency key applies it once."""
    desk = desk_on(SqlStorage(server))
    ticket = desk.open(tenant="loja-1", channel="site", requester=MARIA, subject="Oi")
    before = snapshot(server, ticket.id)
    fired: list[bool] = []

    def on_commit(conn: Any) -> None:
        if not fired and conn.info.get("chamados_write"):  # the command's, not a read's
            fired.append(True)
            kill(conn)

    sa_event.listen(server, "commit", on_commit)
    try:
        with pytest.raises(StorageUnavailableError, match="may or may not") as caught:
            desk.reply(ticket.id, author=ANA, body="Olá!", idempotency_key="msg-1")
    finally:
        sa_event.remove(server, "commit", on_commit)
    assert caught.value.maybe_stored is True
    retry_on_conflict(
        lambda: desk.reply(ticket.id, author=ANA, body="Olá!", idempotency_key="msg-1"),
        unavailable=True,
    )
    desk.reply(ticket.id, author=ANA, body="Olá!", idempotency_key="msg-1")
    assert snapshot(server, ticket.id)["history"] == before["history"] + 2
    assert len(desk.messages(ticket.id)) == 1


def test_an_unreachable_database_is_storage_unavailable() -> None:
    """No server at the URL: StorageUnavailableError, with the driver's reason."""
    storage = SqlStorage("postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(StorageUnavailableError, match="cannot be reached"):
        storage.unit_of_work()


def wrong(engine: Engine, **parts: str) -> str:
    """The URL of ``engine`` with ``parts`` (database, username, query) replaced."""
    url = engine.url
    query = parts.pop("query", None)
    if query is not None:
        url = url.update_query_string(query)
    return url.set(**parts).render_as_string(hide_password=False)


@pytest.mark.parametrize(
    ("change", "hint"),
    [
        ({"database": "chamados_no_such_database"}, "the database name"),
        ({"username": "chamados_no_such_user"}, "the user"),
    ],
    ids=["unknown database", "unknown user"],
)
def test_a_database_that_refuses_the_url_is_a_configuration_error(
    server: Engine, change: dict[str, str], hint: str
) -> None:
    """An unknown database or user is a mistake in the URL, not an outage: a
    StorageConfigurationError saying what to fix, which no retry repeats."""
    storage = SqlStorage(wrong(server, **change))
    calls: list[int] = []

    def command() -> None:
        calls.append(1)
        storage.unit_of_work()

    with pytest.raises(StorageConfigurationError, match=hint) as caught:
        retry_on_conflict(command, unavailable=True, delay=0)
    assert not isinstance(caught.value, StorageUnavailableError)
    assert "retry when it is back" not in str(caught.value)
    assert caught.value.key == "storage"
    assert calls == [1]


@pytest.mark.parametrize("charset", ["nosuch", "latin1", "utf8"])
def test_a_mariadb_url_with_another_charset_is_a_configuration_error(charset: str) -> None:
    """A MySQL/MariaDB URL naming a charset other than utf8mb4 is refused before
    connecting, saying what to write (not a driver's AttributeError at first use)."""
    with pytest.raises(StorageConfigurationError, match="charset=utf8mb4"):
        SqlStorage(f"mysql+pymysql://root@127.0.0.1:3306/test?charset={charset}")


def test_a_bad_sslmode_is_a_configuration_error(postgres_engine: Engine) -> None:
    """A connection option the driver refuses is a mistake in the URL."""
    storage = SqlStorage(wrong(postgres_engine, query="sslmode=bogus"))
    with pytest.raises(StorageConfigurationError, match="sslmode"):
        storage.unit_of_work()


def test_a_missing_certificate_file_is_a_configuration_error(mariadb_engine: Engine) -> None:
    """An SSL option naming a file that is not there is a mistake in the URL."""
    storage = SqlStorage(wrong(mariadb_engine, query="ssl_ca=/chamados/no/such/ca.pem"))
    with pytest.raises(StorageConfigurationError, match=r"ca\.pem"):
        storage.unit_of_work()


def test_a_sqlite_file_in_a_missing_folder_is_a_configuration_error(tmp_path: Path) -> None:
    """SQLite cannot create a file in a folder that does not exist: the error names the
    folder to create."""
    missing = tmp_path / "no" / "such"
    storage = SqlStorage(f"sqlite:///{missing / 'chamados.db'}")
    with pytest.raises(StorageConfigurationError, match="does not exist") as caught:
        storage.unit_of_work()
    assert str(missing) in str(caught.value)


def test_a_statement_over_the_packet_limit_is_refused_not_unavailable(
    mariadb_engine: Engine,
) -> None:
    """MariaDB's max_allowed_packet refusal is a StorageError naming the limit: running
    the same command again would be refused again."""
    storage = SqlStorage(mariadb_engine)
    storage.check()
    with mariadb_engine.connect() as conn:
        limit = int(conn.exec_driver_sql("SELECT @@max_allowed_packet").scalar_one())
    with (
        pytest.raises(StorageError, match="max_allowed_packet") as caught,
        storage.database.guard(),
        mariadb_engine.connect() as conn,
    ):
        conn.execute(sa.select(sa.literal("x" * (limit + 1024))))
    assert not isinstance(caught.value, StorageUnavailableError)


# -- concurrency with real workers ----------------------------------------------------------------


def run_workers(workers: int, work: Callable[[int], None]) -> None:
    """Run ``work(n)`` on ``workers`` threads started together; re-raise any failure."""
    start = threading.Barrier(workers)
    failures: list[BaseException] = []

    def run(n: int) -> None:
        try:
            start.wait()
            work(n)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures


def check_versions(desk: Helpdesk, ticket_id: str) -> None:
    """Each saved version appears once in the history, in order, with no gap."""
    versions = [e.version for e in desk.history(ticket_id)]
    assert versions == sorted(versions)
    assert sorted(set(versions)) == list(range(1, desk.get(ticket_id).version + 1))


def test_many_workers_on_the_same_tickets_lose_nothing(server: Engine) -> None:
    """Eight threads, each with its own connections, add notes to the same three
    tickets, without retrying: each command waits for its ticket, so every note lands,
    none raises ConcurrencyError, and the versions have no gap."""
    storage = SqlStorage(server)
    desk = desk_on(storage)
    tickets = [
        desk.open(tenant="loja-1", channel="site", requester=MARIA, subject=f"t{n}").id
        for n in range(3)
    ]
    workers, rounds = 8, 12

    def bare(n: int) -> None:
        for i in range(rounds):
            desk.add_note(tickets[(n + i) % 3], author=ANA, body=f"a{n}-{i}")

    run_workers(workers, bare)
    notes = sum(1 for t in tickets for e in desk.history(t) if e.kind == "note_added")
    assert notes == workers * rounds
    for ticket_id in tickets:
        check_versions(desk, ticket_id)


def test_replies_to_one_ticket_at_once_queue_up(engine: Engine) -> None:
    """32 threads replying to one ticket at once, with the desk's defaults (no retry):
    each command waits for the ticket, so every reply is stored and none fails."""
    desk = desk_on(SqlStorage(engine))
    ticket = desk.open(tenant="loja-1", channel="mercado_livre", requester=MARIA, subject="Oi")
    run_workers(
        32,
        lambda n: desk.reply(
            ticket.id, author=MARIA, body=f"mensagem {n}", idempotency_key=f"ML-{n}"
        ),
    )
    assert sorted(m.body for m in desk.messages(ticket.id)) == sorted(
        f"mensagem {n}" for n in range(32)
    )
    assert desk.get(ticket.id).version == 33
    check_versions(desk, ticket.id)


def test_a_command_that_waits_too_long_for_its_ticket_is_a_conflict(server: Engine) -> None:
    """A command whose wait for a held ticket outlasts the database's lock timeout raises
    ConcurrencyError (retry it), not a storage failure."""
    desk = desk_on(SqlStorage(server))
    ticket = desk.open(tenant="loja-1", channel="site", requester=MARIA, subject="Oi")
    short = (
        "SET lock_timeout = '1s'"
        if server.dialect.name == "postgresql"
        else "SET SESSION innodb_lock_wait_timeout = 1"
    )
    with SqlStorage(server).unit_of_work() as holder, server.connect() as conn:
        holder.get(ticket.id, tenant=None, lock=True)
        conn.exec_driver_sql(short)
        conn.commit()
        with (
            conn.begin(),
            SqlStorage(conn).unit_of_work() as waiting,
            pytest.raises(ConcurrencyError, match="lock wait timeout") as caught,
        ):
            waiting.get(ticket.id, tenant=None, lock=True)
        assert (caught.value.ticket_id, caught.value.expected) == (ticket.id, None)


def test_two_monitors_ticking_at_once_report_each_deadline_once(engine: Engine) -> None:
    """Two SLA monitors (own desks, own connections) tick the same due tickets at the
    same moment: each warning and breach is recorded and published exactly once."""
    clock = FakeClock(START)
    opener = Helpdesk(storage=SqlStorage(engine), clock=clock, sla=[first_response_policy()])
    tickets = [
        opener.open(tenant="loja-1", channel="site", requester=MARIA, subject=f"t{n}").id
        for n in range(20)
    ]
    clock.advance(hours=3)  # past the warning (1h) and the due time (2h) of every ticket
    notifiers = [RecordingNotifier(), RecordingNotifier()]
    monitors = [
        Helpdesk(
            storage=SqlStorage(engine),
            clock=clock,
            sla=[first_response_policy()],
            notifiers=[notifier],
        )
        for notifier in notifiers
    ]
    emitted: list[list[TicketEvent]] = [[], []]

    def tick(n: int) -> None:
        emitted[n] = monitors[n].tick()

    run_workers(2, tick)
    reported = Counter((e.ticket_id, type(e).__name__) for events in emitted for e in events)
    published = Counter(
        (e.ticket_id, type(e).__name__) for notifier in notifiers for e in notifier.events
    )
    expected = Counter({(t, kind): 1 for t in tickets for kind in ("SlaWarning", "SlaBreached")})
    stored = Counter(
        (t, type(e).__name__)
        for t in tickets
        for e in opener.history(t)
        if isinstance(e, SlaWarning | SlaBreached)
    )
    assert reported == expected
    assert published == expected
    assert stored == expected
    assert monitors[0].tick() == []
    assert monitors[1].tick() == []
    for ticket_id in tickets:
        check_versions(opener, ticket_id)
        assert all(isinstance(e, SlaEvent) for e in opener.history(ticket_id)[1:])


def test_the_monitor_claims_no_more_than_its_limit(engine: Engine) -> None:
    """tick(limit=n) handles n due tickets; the next tick the rest."""
    clock = FakeClock(START)
    desk = Helpdesk(storage=SqlStorage(engine), clock=clock, sla=[first_response_policy()])
    for n in range(5):
        desk.open(tenant="loja-1", channel="site", requester=MARIA, subject=f"t{n}")
    clock.advance(hours=3)
    first = {e.ticket_id for e in desk.tick(limit=3)}
    second = {e.ticket_id for e in desk.tick()}
    assert len(first) == 3
    assert len(second) == 2
    assert not first & second
    with pytest.raises(ValueError, match="limit"):
        desk.tick(limit=0)


def test_a_storage_error_names_the_refusal(tmp_path: Path) -> None:
    """A database that refuses a statement (not a lost connection) is a StorageError."""
    storage = SqlStorage(f"sqlite:///{tmp_path / 'x.db'}")
    desk = desk_on(storage)
    ticket = desk.open(tenant="loja-1", channel="site", requester=MARIA, subject="Oi")
    with storage.engine.begin() as conn:
        conn.exec_driver_sql("DROP TABLE chamados_history")
    with pytest.raises(StorageError, match="the database refused") as caught:
        desk.reply(ticket.id, author=ANA, body="Olá!")
    assert not isinstance(caught.value, StorageUnavailableError)
    assert desk.get(ticket.id).version == ticket.version
