"""Storage: commands, round trips, the SLA monitor and listings, memory vs SQL databases.

Run:  .venv/bin/python benchmarks/bench_storage.py      (or make bench-storage)

Backends, side by side in one run: the in-memory storage (the floor), SQLite in a file
(WAL, in a temporary directory), and the PostgreSQL and MariaDB of
``CHAMADOS_TEST_POSTGRES_URL`` / ``CHAMADOS_TEST_MARIADB_URL`` (or ``--postgres`` /
``--mariadb``; each run uses a schema or database of its own and drops it). A server
whose URL is not given is left out, saying so. Every figure comes from interleaved
rounds (``harness.compare``), with ratios taken round by round.

1. Commands through ``Helpdesk`` with one SLA policy keeping three clocks
   (``backends.store_policy``), one thread: ``open``; ``add_note`` (load, version-checked
   update, one event and one message); ``reply`` + ``ask_customer`` + the customer's
   answer (three commands, clocks pausing and resuming), all backends interleaved; each
   SQL backend's time as a ratio to memory's. Then the round trips each command sends
   (``harness.RoundTrips``: statements, BEGIN/COMMIT/ROLLBACK, pool pre-pings), the
   figure the goal "one transaction, at most 4 round trips on PostgreSQL" is about.
2. The SLA monitor and the listings at ``--sizes`` open tickets (10,000 then 100,000:
   the same storage, grown), per backend, interleaved: the due query's SQL alone (the
   ids, through the deadline index), ``uow.due(now, limit=100)`` (the same with the
   documents decoded), ``desk.tick()`` over 100 due tickets (per due ticket: the goal is
   at most half a reply's cost), one ``reply`` (the yardstick), and an agent's 50 oldest
   active tickets (``Helpdesk.tickets(assignee=..., status=..., limit=50)``; with
   ``--queue`` also ``Helpdesk.queue(limit=50)``, which reads every active ticket today).
   Printed: each as a ratio to the reply of the same round, so the rows at 10,000 and
   100,000 compare even if the machine's load changed in between (flat: the same ratio).
   The open tickets are copies of one real ticket (opened and answered, clocks running)
   written as the SQL adapter's rows (``ticket_row``; through ``UnitOfWork.add`` on
   memory), assigned in turn to 20 agents. Before each round's tick, 100 due tickets are
   added through ``UnitOfWork.add`` (untimed); the tick handles them and they are no
   longer due.
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid
from collections.abc import Callable
from contextlib import ExitStack
from itertools import count
from typing import Any

import attrs
import sqlalchemy as sa
from backends import backends, store_policy
from harness import Contender, RoundTrips, compare, describe_machine

from chamados import Helpdesk, Party, SequentialIds, Storage
from chamados.clock import epoch_micros
from chamados.events import TicketEvent
from chamados.model import Ticket
from chamados.storage.sql import SqlStorage
from chamados.storage.sql import schema as sql
from chamados.storage.sql.store import event_row, ticket_row
from chamados.testing import FakeClock

CUSTOMER, AGENT = Party.customer("c-1"), Party.agent("agent-00")
ACTIVE = ("new", "open", "waiting_customer", "waiting_partner", "on_hold")
START = "2026-03-02T09:00:00-03:00"


# -- 1. commands ----------------------------------------------------------------------------------


class Commands:
    """The commands of section 1 on one storage."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.clock = FakeClock(START)
        self.desk = Helpdesk(
            storage=storage, clock=self.clock, sla=store_policy(), tenant="loja-1"
        )
        self.n = count()
        self.target = self.open()
        self.talk = self.open()

    def open(self) -> str:
        return self.desk.open(
            channel="site", requester=CUSTOMER, subject=f"Pedido {next(self.n)}", body="Oi"
        ).id

    def note(self) -> None:
        self.desk.add_note(self.target, author=AGENT, body=f"nota {next(self.n)}")

    def reply_and_wait(self) -> None:
        self.desk.reply(self.talk, author=AGENT, body=f"Pode confirmar? {next(self.n)}")
        self.desk.transition(self.talk, "ask_customer", actor=AGENT)
        self.desk.reply(self.talk, author=CUSTOMER, body="Sim")

    def round_trips(self) -> dict[str, RoundTrips]:
        """Each command counted alone, 20 times."""
        assert isinstance(self.storage, SqlStorage)
        talk = self.open()
        steps: dict[str, Callable[[], Any]] = {
            "open": self.open,
            "add_note": self.note,
            "reply (agent)": lambda: self.desk.reply(talk, author=AGENT, body="Olá"),
            "ask_customer": lambda: self.desk.transition(talk, "ask_customer", actor=AGENT),
            "reply (customer)": lambda: self.desk.reply(talk, author=CUSTOMER, body="Sim"),
            "get (a read)": lambda: self.desk.get(talk),
        }
        counters = {name: RoundTrips(self.storage.engine) for name in steps}
        for _ in range(20):
            for name, step in steps.items():
                with counters[name].counting():
                    step()
        return counters


def section_commands(chosen: list[Any], args: argparse.Namespace) -> None:
    with ExitStack() as stack:
        opened = {name: Commands(stack.enter_context(make())) for name, make in chosen}
        contenders = []
        for name, c in opened.items():
            contenders += [
                Contender(f"{name} open", c.open),
                Contender(f"{name} add_note", c.note),
                Contender(f"{name} reply+ask+answer", c.reply_and_wait, per_call=3),
            ]
        results = compare(contenders, rounds=args.rounds, seconds=args.seconds, ops=args.ops)
        print("\n1. commands, one thread, SLA clocks kept (time per command)")
        results.print_times()
        floor = next(iter(opened))
        pairs = [
            (f"{floor} {command}", f"{name} {command}")
            for name in list(opened)[1:]
            for command in ("open", "add_note", "reply+ask+answer")
        ]
        if pairs:
            results.print_ratios(pairs, title=f"  each backend's time / {floor}'s:")
        print("\n  round trips per command (20 commands each):")
        for name, c in opened.items():
            if not isinstance(c.storage, SqlStorage):
                continue
            for command, counter in c.round_trips().items():
                per = counter.per(20)
                print(
                    f"    {name:<12}{command:<18}{per['round trips']:>5.1f}  "
                    f"({per['statements']:.1f} statements, {per['transactions']:.1f} "
                    f"transactions, {per['pre-pings']:.1f} pre-pings)"
                )


# -- 2. the SLA monitor and the listings ----------------------------------------------------------


def template() -> tuple[Ticket, TicketEvent]:
    """A real ticket, opened and answered once, with its SLA clocks running; its first
    event."""
    clock = FakeClock(START)
    desk = Helpdesk(clock=clock, sla=store_policy(), ticket_ids=SequentialIds())
    ticket = desk.open(
        tenant="loja-1", channel="site", requester=CUSTOMER, subject="Pedido", body="Oi"
    )
    clock.advance(minutes=30)
    desk.reply(ticket.id, author=AGENT, body="Olá!")
    clock.advance(minutes=30)
    ticket = desk.reply(ticket.id, author=CUSTOMER, body="Cadê?")
    return ticket, desk.history(ticket.id)[0]


class Monitor:
    """One storage with open tickets (grown by ``grow``), a desk and the operations."""

    def __init__(self, storage: Storage, due: int) -> None:
        self.storage = storage
        self.due = due
        self.ticket, self.event = template()
        deadline = self.ticket.sla_deadline
        assert deadline is not None
        self.deadline = deadline
        self.now = deadline.add(minutes=1)
        self.clock = FakeClock(self.now.isoformat())
        self.desk = Helpdesk(storage=storage, clock=self.clock, sla=store_policy())
        self.stored = 0
        self.made = count()
        self.pool = [
            self.desk.open(tenant="loja-1", channel="site", requester=CUSTOMER, subject="P").id
            for _ in range(200)
        ]
        self.replies = count()

    def copy(
        self, ticket_id: str, *, due: bool, assignee: str | None
    ) -> tuple[Ticket, TicketEvent]:
        ticket = attrs.evolve(self.ticket, id=ticket_id, version=1, assignee=assignee)
        ticket.sla_deadline = self.deadline if due else self.deadline.add(days=30)
        event = attrs.evolve(self.event, id=uuid.uuid4().hex, ticket_id=ticket_id, version=1)
        return ticket, event

    def grow(self, total: int) -> None:
        """Open (not due) tickets up to ``total``, assigned in turn to 20 agents."""
        rows = [
            self.copy(f"B-{n:07d}", due=False, assignee=f"agent-{n % 20:02d}")
            for n in range(self.stored, total)
        ]
        self.stored = total
        if isinstance(self.storage, SqlStorage):
            self.storage.check()
            with self.storage.engine.begin() as conn:
                for start in range(0, len(rows), 5000):
                    batch = rows[start : start + 5000]
                    conn.execute(sa.insert(sql.tickets), [ticket_row(t) for t, _ in batch])
                    conn.execute(sa.insert(sql.history), [event_row(e) for _, e in batch])
            analyze(self.storage)
            return
        self.add(rows)

    def add(self, rows: list[tuple[Ticket, TicketEvent]]) -> None:
        for start in range(0, len(rows), 5000):
            with self.storage.unit_of_work() as uow:
                for ticket, event in rows[start : start + 5000]:
                    uow.add(ticket)
                    uow.record([event])
                uow.commit()

    def add_due(self) -> None:
        """``due`` new due tickets, for the next tick (untimed)."""
        self.add(
            [
                self.copy(f"D-{next(self.made):07d}", due=True, assignee=None)
                for _ in range(self.due)
            ]
        )

    def tick(self) -> None:
        emitted = self.desk.tick()
        assert len({e.ticket_id for e in emitted}) == self.due, len(emitted)

    def due_query(self) -> None:
        if not isinstance(self.storage, SqlStorage):
            with self.storage.unit_of_work() as uow:
                uow.due(self.now, tenant="loja-1", limit=self.due)
            return
        c = sql.tickets.c
        statement = (
            sa.select(c.id)
            .where(c.sla_deadline_us <= epoch_micros(self.now), c.tenant == "loja-1")
            .order_by(c.sla_deadline_us, c.id)
            .limit(self.due)
        )
        with self.storage.engine.connect() as conn:
            conn.execute(statement).all()

    def due_documents(self) -> None:
        with self.storage.unit_of_work() as uow:
            uow.due(self.now, tenant="loja-1", limit=self.due)

    def reply(self) -> None:
        ticket_id = self.pool[next(self.replies) % len(self.pool)]
        self.desk.reply(ticket_id, author=AGENT, body="Olá")

    def agent_list(self) -> None:
        found = self.desk.tickets(assignee=AGENT.id, status=ACTIVE, limit=50)
        assert len(found) == 50, len(found)

    def queue(self) -> None:
        self.desk.queue(assigned=None, limit=50)


def analyze(storage: SqlStorage) -> None:
    if storage.dialect == "postgresql":
        with storage.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    elif storage.dialect == "sqlite":
        with storage.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


def section_monitor(chosen: list[Any], args: argparse.Namespace) -> None:
    sizes = [int(s) for s in args.sizes.split(",")]
    print(
        f"\n2. the SLA monitor ({args.due} due a tick) and the listings, as the open "
        f"tickets grow: {', '.join(f'{s:,}' for s in sizes)}"
    )
    for name, make in chosen:
        with make() as storage:
            m = Monitor(storage, args.due)
            for size in sizes:
                m.grow(size)
                contenders = [
                    Contender("reply", m.reply),
                    Contender("due query", m.due_query),
                    Contender("due()", m.due_documents),
                    Contender(
                        "tick/due", m.tick, before=m.add_due, per_call=args.due, ops=1, warmup=1
                    ),
                    Contender("agent's 50", m.agent_list),
                ]
                if args.queue:
                    contenders.append(Contender("queue(50)", m.queue, warmup=0, ops=1))
                results = compare(
                    contenders, rounds=args.rounds, seconds=args.seconds, ops=args.ops
                )
                print(f"\n  {name}, {size:,} open tickets:")
                results.print_times()
                results.print_ratios(
                    [("reply", c.name) for c in contenders[1:]],
                    title="  time / a reply's (tick/due: the goal is at most 0.5):",
                )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="storage: commands, monitor, listings")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds (7)")
    parser.add_argument("--seconds", type=float, default=0.3, help="per contender a round")
    parser.add_argument("--ops", type=int, default=None, help="fixed calls a round instead")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--due", type=int, default=100)
    parser.add_argument("--only", default="commands,monitor", help="commands,monitor")
    parser.add_argument("--queue", action="store_true", help="also time Helpdesk.queue")
    parser.add_argument("--postgres", default=os.environ.get("CHAMADOS_TEST_POSTGRES_URL"))
    parser.add_argument("--mariadb", default=os.environ.get("CHAMADOS_TEST_MARIADB_URL"))
    args = parser.parse_args(argv)

    chosen = backends(postgres=args.postgres, mariadb=args.mariadb)
    print(describe_machine("SQLAlchemy", "psycopg", "PyMySQL"))
    only = args.only.split(",")
    if "commands" in only:
        section_commands(chosen, args)
    if "monitor" in only:
        section_monitor(chosen, args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
