"""Storage: commands per second and the SLA monitor's due query, memory vs SQL databases.

Run:  .venv/bin/python benchmarks/bench_storage.py      (or make bench-storage)

Backends, side by side in one run: the in-memory storage (the floor), SQLite in a file
(WAL, in a temporary directory), and the PostgreSQL and MariaDB of
``CHAMADOS_TEST_POSTGRES_URL`` / ``CHAMADOS_TEST_MARIADB_URL`` (or ``--postgres`` /
``--mariadb``; each run uses a schema or database of its own and drops it). A server
whose URL is not given is left out, saying so.

1. Commands per second through ``Helpdesk``, one thread: ``open`` (insert the ticket,
   its events, the idempotency-free path), ``add_note`` (load, version-checked update,
   one event and one message) and ``reply`` + ``ask_customer`` pairs (a transition with
   SLA clocks kept).
2. The SLA monitor with 100 tickets due among 10,000 and 100,000 open: the due query's
   SQL alone (the ids, through the deadline index), ``uow.due(now, limit=100)`` (the
   same with the 100 ticket documents decoded), and a whole ``tick()`` that claims,
   brings up to date and saves the 100, one short transaction each. Both should stay nearly flat as
   open tickets grow. The open tickets are copies of one real ticket written straight
   into the tables, so building 100,000 takes seconds, not minutes.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import attrs
import sqlalchemy as sa
from backends import backends

from chamados import Helpdesk, MemoryStorage, Party, SequentialIds, Storage
from chamados.clock import epoch_micros
from chamados.events import TicketEvent
from chamados.model import Ticket
from chamados.sla import BusinessCalendar, SlaPolicy, Target
from chamados.storage.sql import SqlStorage
from chamados.storage.sql import schema as sql
from chamados.storage.sql.store import event_row, ticket_row
from chamados.testing import FakeClock

H = timedelta(hours=1)
CUSTOMER, AGENT = Party.customer("c-1"), Party.agent("ana")


def policies() -> list[SlaPolicy]:
    calendar = BusinessCalendar.brazil(subdivision="SP", hours={"mon-fri": "09:00-18:00"})
    return [
        SlaPolicy(
            name="loja",
            calendar=calendar,
            targets={
                "first_response": Target(business=4 * H),
                "next_response": Target(business=8 * H),
                "resolution": Target(business_days=3),
            },
            warn_at=[0.75],
        )
    ]


# -- 1. commands per second -----------------------------------------------------------------------


def rate(work: Callable[[int], None], seconds: float) -> float:
    """Calls of ``work(n)`` per second over about ``seconds``, after a warm-up."""
    for n in range(20):
        work(n)
    done, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        for _ in range(20):
            work(done)
            done += 1
    return done / elapsed


def commands_per_second(storage: Storage, seconds: float) -> dict[str, float]:
    clock = FakeClock("2026-03-02T09:00:00-03:00")
    desk = Helpdesk(storage=storage, clock=clock, sla=policies(), tenant="loja-1")

    def open_one(n: int) -> None:
        desk.open(channel="site", requester=CUSTOMER, subject=f"Pedido {n}", body="Oi")

    target = desk.open(channel="site", requester=CUSTOMER, subject="Notas").id

    def note(n: int) -> None:
        desk.add_note(target, author=AGENT, body=f"nota {n}")

    talk = desk.open(channel="site", requester=CUSTOMER, subject="Conversa").id

    def reply_and_wait(n: int) -> None:
        desk.reply(talk, author=AGENT, body=f"Pode confirmar? {n}")
        desk.transition(talk, "ask_customer", actor=AGENT)
        desk.reply(talk, author=CUSTOMER, body="Sim")

    return {
        "open": rate(open_one, seconds),
        "add_note": rate(note, seconds),
        "reply+ask+answer (3 cmds)": rate(reply_and_wait, seconds) * 3,
    }


# -- 2. the SLA monitor ---------------------------------------------------------------------------


def template() -> tuple[Ticket, list[TicketEvent], FakeClock]:
    """A real ticket, opened and answered once, with its SLA clocks running."""
    clock = FakeClock("2026-03-02T09:00:00-03:00")
    desk = Helpdesk(clock=clock, sla=policies(), ticket_ids=SequentialIds())
    ticket = desk.open(
        tenant="loja-1", channel="site", requester=CUSTOMER, subject="Pedido", body="Oi"
    )
    clock.advance(minutes=30)
    desk.reply(ticket.id, author=AGENT, body="Olá!")
    clock.advance(minutes=30)
    ticket = desk.reply(ticket.id, author=CUSTOMER, body="Cadê?")
    return ticket, desk.history(ticket.id), clock


def copies(open_tickets: int, due: int) -> tuple[list[Ticket], list[TicketEvent], Any]:
    ticket, history, _ = template()
    deadline = ticket.sla_deadline
    assert deadline is not None
    tickets, events = [], []
    for n in range(open_tickets):
        copy = attrs.evolve(ticket, id=f"B-{n:06d}", version=1)
        copy.sla_deadline = deadline if n < due else deadline.add(days=30)
        tickets.append(copy)
        events.append(attrs.evolve(history[0], id=uuid.uuid4().hex, ticket_id=copy.id, version=1))
    return tickets, events, deadline.add(minutes=1)


def fill(storage: Storage, tickets: list[Ticket], events: list[TicketEvent]) -> None:
    if isinstance(storage, SqlStorage):
        storage.check()
        with storage.engine.begin() as conn:
            for start in range(0, len(tickets), 5000):
                conn.execute(
                    sa.insert(sql.tickets),
                    [ticket_row(t) for t in tickets[start : start + 5000]],
                )
                conn.execute(
                    sa.insert(sql.history),
                    [event_row(e) for e in events[start : start + 5000]],
                )
        return
    with storage.unit_of_work() as uow:
        for ticket, event in zip(tickets, events, strict=True):
            uow.add(ticket)
            uow.record([event])
        uow.commit()


def restore(storage: Storage, due: list[Ticket]) -> None:
    """Put the due tickets back as they were before a tick handled them."""
    if isinstance(storage, SqlStorage):
        with storage.engine.begin() as conn:
            for ticket in due:
                conn.execute(
                    sa.update(sql.tickets)
                    .where(sql.tickets.c.id == ticket.id)
                    .values(**ticket_row(ticket))
                )
            ids = [t.id for t in due]
            conn.execute(
                sa.delete(sql.history).where(
                    sql.history.c.ticket_id.in_(ids), sql.history.c.version > 1
                )
            )
        return
    assert isinstance(storage, MemoryStorage)
    with storage._lock:
        for ticket in due:
            storage._tickets[ticket.id] = ticket.copy()
            storage._history[ticket.id] = storage._history[ticket.id][:1]
            storage._index_deadline(ticket)


def monitor(storage: Storage, open_tickets: int, due: int, rounds: int) -> dict[str, float]:
    tickets, events, now = copies(open_tickets, due)
    fill(storage, tickets, events)
    clock = FakeClock(now.isoformat())
    desk = Helpdesk(storage=storage, clock=clock, sla=policies())
    queries, index = [], []
    for _ in range(max(rounds, 5)):
        with storage.unit_of_work() as uow:
            start = time.perf_counter()
            found = uow.due(now, tenant="loja-1", limit=due)
            queries.append(time.perf_counter() - start)
        assert len(found) == due, len(found)
        if isinstance(storage, SqlStorage):
            index.append(index_query(storage, now, due))
    if not index:  # memory: the index is a sorted list; due() is the whole cost
        index = queries
    ticks = []
    for _ in range(rounds):
        start = time.perf_counter()
        emitted = desk.tick()
        ticks.append(time.perf_counter() - start)
        assert len({e.ticket_id for e in emitted}) == due, len(emitted)
        restore(storage, tickets[:due])
    return {
        "index_ms": statistics.median(index) * 1e3,
        "query_ms": statistics.median(queries) * 1e3,
        "tick_ms": statistics.median(ticks) * 1e3,
    }


def index_query(storage: SqlStorage, now: Any, due: int) -> float:
    """The due query's SQL alone: ids of the due tickets, through the deadline index."""
    c = sql.tickets.c
    statement = (
        sa.select(c.id)
        .where(c.sla_deadline_us <= epoch_micros(now), c.tenant == "loja-1")
        .order_by(c.sla_deadline_us, c.id)
        .limit(due)
    )
    with storage.engine.connect() as conn:
        start = time.perf_counter()
        found = conn.execute(statement).all()
        elapsed = time.perf_counter() - start
    assert len(found) == due
    return elapsed


# -- main -----------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="storage: commands/s and the SLA due query")
    parser.add_argument("--seconds", type=float, default=2.0, help="per command rate")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--due", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--postgres", default=os.environ.get("CHAMADOS_TEST_POSTGRES_URL"))
    parser.add_argument("--mariadb", default=os.environ.get("CHAMADOS_TEST_MARIADB_URL"))
    args = parser.parse_args(argv)

    chosen = backends(postgres=args.postgres, mariadb=args.mariadb)
    print(f"python {sys.version.split()[0]}, SQLAlchemy {sa.__version__}")

    print("\n1. commands per second, one thread (a timed loop each)")
    rows: dict[str, dict[str, float]] = {}
    for name, make in chosen:
        with make() as storage:
            rows[name] = commands_per_second(storage, args.seconds)
    commands = list(next(iter(rows.values())))
    print(f"{'backend':<14}" + "".join(f"{c:>28}" for c in commands))
    for name, figures in rows.items():
        print(f"{name:<14}" + "".join(f"{figures[c]:>26,.0f}/s" for c in commands))

    print(f"\n2. SLA monitor, {args.due} due (median of {args.rounds} ticks, 5+ queries)")
    print(
        f"{'backend':<14}{'open tickets':>14}{'index query (ms)':>18}"
        f"{'due() (ms)':>12}{'tick (ms)':>12}"
    )
    for name, make in chosen:
        for size in (int(s) for s in args.sizes.split(",")):
            with make() as storage:
                figures = monitor(storage, size, args.due, args.rounds)
            print(
                f"{name:<14}{size:>14,}{figures['index_ms']:>18.2f}"
                f"{figures['query_ms']:>12.2f}{figures['tick_ms']:>12.1f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
