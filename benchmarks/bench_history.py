"""A command on a ticket with a long history against the same command on a short one.

Run:  make bench-history     (or .venv/bin/python benchmarks/bench_history.py [options])

A ticket that waits on its customer again and again collects events (each pause and
resume of its SLA clocks, each status change, each message). Nothing in a command
should grow with that history: the goal is that a command on a 5,000-event ticket costs
at most 1.2 times the same command on a short ticket, with or without an SLA policy, on
every backend, and that the stored document stays small.

The command: the agent asks the customer (``ask_customer``) or the customer answers
(a public reply that moves the ticket back to ``open``), in turn on each ticket.
Contenders, interleaved (``harness.compare``), per backend:

- ``sla short`` / ``plain short``: a pool of tickets opened, assigned, answered and
  waited on once (14 events with the SLA policy of ``backends.store_policy``, 8 without),
  each used in turn, so each grows by only a few events over the run;
- ``sla long`` / ``plain long``: one ticket with at least ``--events`` events (5,000) made
  the same way, by waiting on the customer over and over.

The tickets are made by a ``Helpdesk`` on the in-memory storage (the memory backend
measures that storage itself) and copied into each SQL database as the rows the SQL
adapter writes (``ticket_row``, ``event_row``). Printed per backend: the time per
command, the ratio long / short with its spread, and the stored document's size and
history length of a short and of the long ticket.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from itertools import count
from typing import Any

import sqlalchemy as sa
from backends import backends, store_policy
from harness import Contender, compare, describe_machine

from chamados import Helpdesk, MemoryStorage, Party, SequentialIds, Storage
from chamados.events import TicketEvent
from chamados.model import Ticket
from chamados.storage import codec
from chamados.storage.sql import SqlStorage
from chamados.storage.sql import schema as sql
from chamados.storage.sql.store import event_row, ticket_row
from chamados.testing import FakeClock

CUSTOMER, AGENT = Party.customer("c-1"), Party.agent("agent-00")
TENANT = {True: "loja-sla", False: "loja-plain"}


def wait_once(desk: Helpdesk, clock: FakeClock, ticket_id: str) -> None:
    """The agent asks the customer; the customer answers."""
    clock.advance(minutes=7)
    desk.transition(ticket_id, "ask_customer", actor=AGENT)
    clock.advance(minutes=13)
    desk.reply(ticket_id, author=CUSTOMER, body="Segue o comprovante.")


def short_ticket(desk: Helpdesk, clock: FakeClock, tenant: str) -> str:
    ticket = desk.open(
        tenant=tenant,
        channel="site",
        requester=CUSTOMER,
        subject="Pedido não chegou",
        body="Oi, meu pedido não chegou.",
    )
    clock.advance(minutes=10)
    desk.assign(ticket.id, actor=AGENT, assignee=AGENT.id)
    desk.reply(ticket.id, author=AGENT, body="Olá! Pode mandar o comprovante?")
    wait_once(desk, clock, ticket.id)
    return ticket.id


class Made:
    """The tickets of one mode (with the SLA policy or without), on a memory storage."""

    def __init__(self, storage: MemoryStorage, sla: bool, events: int, pool: int) -> None:
        self.sla = sla
        self.clock = FakeClock("2026-03-02T09:00:00-03:00")
        self.desk = Helpdesk(
            storage=storage,
            clock=self.clock,
            sla=store_policy() if sla else (),
            ticket_ids=SequentialIds(f"{'S' if sla else 'P'}-"),
        )
        self.short = [short_ticket(self.desk, self.clock, TENANT[sla]) for _ in range(pool)]
        self.long = short_ticket(self.desk, self.clock, TENANT[sla])
        while len(self.desk.history(self.long)) < events:
            wait_once(self.desk, self.clock, self.long)

    def documents(self) -> list[tuple[Ticket, list[TicketEvent]]]:
        """The tickets as stored, with their histories."""
        with self.desk.storage.unit_of_work() as uow:
            return [
                (uow.get(ticket_id, tenant=None), uow.history(ticket_id, tenant=None))
                for ticket_id in [self.long, *self.short]
            ]


def copy_into(storage: SqlStorage, documents: list[tuple[Ticket, list[TicketEvent]]]) -> None:
    """Write the made tickets and histories as the SQL adapter's rows."""
    storage.check()
    with storage.engine.begin() as conn:
        if documents:
            conn.execute(sa.insert(sql.tickets), [ticket_row(t) for t, _ in documents])
        events = [event_row(e) for _, history in documents for e in history]
        for start in range(0, len(events), 5000):
            conn.execute(sa.insert(sql.history), events[start : start + 5000])


def stored_size(storage: Storage, ticket_id: str) -> int:
    """Bytes of the ticket's stored document."""
    if isinstance(storage, SqlStorage):
        with storage.engine.connect() as conn:
            document = conn.execute(
                sa.select(sql.tickets.c.data).where(sql.tickets.c.id == ticket_id)
            ).scalar_one()
        return len(document.encode())
    with storage.unit_of_work() as uow:
        return len(codec.dumps(uow.get(ticket_id, tenant=None)).encode())


def toggler(desk: Helpdesk, clock: FakeClock, ticket_ids: list[str]) -> Callable[[], Any]:
    """One command a call: on each ticket in turn, ask the customer, then the answer."""
    turn = count()
    with desk.storage.unit_of_work() as uow:
        waiting = {t for t in ticket_ids if uow.get(t, tenant=None).status == "waiting_customer"}

    def command() -> None:
        ticket_id = ticket_ids[next(turn) // 2 % len(ticket_ids)]
        clock.advance(seconds=1)
        if ticket_id in waiting:
            waiting.discard(ticket_id)
            desk.reply(ticket_id, author=CUSTOMER, body="Segue o comprovante.")
        else:
            waiting.add(ticket_id)
            desk.transition(ticket_id, "ask_customer", actor=AGENT)

    return command


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="a command on a long history vs a short one")
    parser.add_argument("--events", type=int, default=5000, help="events of the long ticket")
    parser.add_argument("--pool", type=int, default=500, help="short tickets used in turn")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=0.3, help="per contender a round")
    parser.add_argument("--ops", type=int, default=None, help="fixed calls a round instead")
    parser.add_argument("--postgres", default=os.environ.get("CHAMADOS_TEST_POSTGRES_URL"))
    parser.add_argument("--mariadb", default=os.environ.get("CHAMADOS_TEST_MARIADB_URL"))
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args(argv)
    print(describe_machine("SQLAlchemy", "python-statemachine"))

    started = time.perf_counter()
    memory = MemoryStorage()
    made = [Made(memory, sla, args.events, args.pool) for sla in (True, False)]
    print(
        f"made the tickets in {time.perf_counter() - started:.1f} s: long "
        + ", ".join(
            f"{'sla' if m.sla else 'plain'} {len(m.desk.history(m.long)):,} events, short "
            f"{len(m.desk.history(m.short[0]))}"
            for m in made
        )
    )
    documents = [d for m in made for d in m.documents()]  # before memory's run adds to them
    chosen = backends(postgres=args.postgres, mariadb=args.mariadb, with_memory=False)
    runs: list[tuple[str, Any]] = [] if args.skip_memory else [("memory", None)]
    runs += chosen
    for name, make in runs:
        if make is None:
            measure(name, memory, made, args)
            continue
        with make() as storage:
            assert isinstance(storage, SqlStorage)
            copy_into(storage, documents)
            measure(name, storage, made, args)
    return 0


def measure(name: str, storage: Storage, made: list[Made], args: argparse.Namespace) -> None:
    contenders = []
    for mode in made:
        label = "sla" if mode.sla else "plain"
        clock = FakeClock(mode.clock.now().add(minutes=1).isoformat())
        desk = Helpdesk(storage=storage, clock=clock, sla=store_policy() if mode.sla else ())
        contenders += [
            Contender(f"{label} short", toggler(desk, clock, mode.short)),
            Contender(f"{label} long", toggler(desk, clock, [mode.long])),
        ]
    sizes = {m.sla: (stored_size(storage, m.short[0]), stored_size(storage, m.long)) for m in made}
    results = compare(contenders, rounds=args.rounds, seconds=args.seconds, ops=args.ops)
    print(f"\n{name}: ask_customer / the customer's answer, in turn")
    results.print_times()
    results.print_ratios(
        [("sla short", "sla long"), ("plain short", "plain long")],
        title="  long / short (the goal: at most 1.2x):",
    )
    desk = Helpdesk(storage=storage)
    for m in made:
        short_doc, long_doc = sizes[m.sla]
        events = len(desk.history(m.long))
        print(
            f"  stored document, {'sla' if m.sla else 'plain'}: short {short_doc:,} bytes, "
            f"long {long_doc:,} bytes (its history now {events:,} events)"
        )


if __name__ == "__main__":
    sys.exit(main())
