"""chamados against django-helpdesk on the same database: commands and an agent's list.

Run:  make bench-peers      (or .venv/bin/python benchmarks/bench_peers.py [options])

The peer is django-helpdesk 2.6 on Django 5.2 (the ``bench`` dependency group), the
ticket tracker a Python shop would otherwise pick. Each backend runs in a process of its
own (Django is configured once per process): SQLite in files of a temporary folder
(WAL on both sides), and the PostgreSQL of ``CHAMADOS_TEST_POSTGRES_URL`` (or
``--postgres URL``), each side in a scratch schema the run creates and drops.

Contenders, for each operation, timed in interleaved rounds (``harness.compare``):

- ``chamados sla`` / ``chamados plain``: a ``Helpdesk`` with one SLA policy keeping three
  clocks on business hours (``backends.store_policy``), and one without a policy, each in
  a tenant of its own on the same ``SqlStorage``; the default ``SystemClock``.
- ``models sla`` / ``models plain``: django-helpdesk's models used the way its own code
  uses them, in one ``transaction.atomic()``: ``Ticket.save`` + ``FollowUp.save`` to open
  (as ``TicketForm.save``), ``FollowUp.objects.create`` + ``ticket.save()`` to reply (as
  ``update_ticket``), and a ``FollowUp`` with ``new_status`` plus a ``TicketChange`` to
  change status. django-helpdesk has no SLA clocks; its nearest equivalent is a ticket's
  ``due_date`` and its queue's ``escalate_days`` (a cron command raises the priority of
  tickets left alone). ``sla`` opens tickets in a queue with ``escalate_days=1`` and a
  ``due_date`` three days ahead; replies and status changes cost the same either way.
- ``views``: django-helpdesk's own views through Django's test client, a logged-in staff
  user: ``POST /api/tickets/`` (``TicketForm``), ``POST /api/followups/``
  (``update_ticket``) for a reply and for a status change, and the staff ticket list's
  JSON (``datatables_ticket_list``) for the agent's list. No e-mail is sent (no
  submitter address, no queue copies): chamados has no notifier either.

Operations (``--only``): ``open``; ``reply`` (a public reply from the agent, on a pool of
open tickets); ``status`` (chamados: ``ask_customer`` then ``customer_replied``; the
peer: resolved, then reopened); ``list`` (an agent's 50 oldest active tickets, with their
clocks: chamados' ``Helpdesk.tickets(assignee=..., status=..., limit=50)``; the peer's
``Ticket.objects.filter(assigned_to=..., status__in=OPEN_STATUSES)[:50]`` with the queue,
or its list view) at each of ``--sizes`` stored tickets. Stored tickets are spread over
20 agents, one in four active. Both sides are seeded with bulk inserts of rows: the peer
with ``bulk_create``; chamados with copies of real tickets (opened, assigned, answered,
some resolved, by a ``Helpdesk``) written as the rows its SQL adapter writes
(``ticket_row``, ``event_row``), ``--seed port`` for ``UnitOfWork.add`` instead. Each
chamados tenant holds ``size`` tickets; the peer's queue holds ``size`` tickets.

Printed: per contender the median time per operation; per pair the ratio peer time /
chamados time (above 1: chamados is faster) with its spread; and the round trips per
command on each side (chamados: ``harness.RoundTrips``; the peer: Django's
``execute_wrapper`` statements, plus BEGIN and COMMIT around an atomic block).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from itertools import count
from pathlib import Path
from typing import Any

import attrs
import pendulum
import sqlalchemy as sa
from backends import store_policy
from harness import Contender, Results, RoundTrips, compare, describe_machine
from peer_helpdesk import AGENTS, Peer, configure_django, django_statements

from chamados import Helpdesk, Party, SequentialIds
from chamados.model import Ticket
from chamados.storage.sql import SqlStorage, make_engine
from chamados.storage.sql import schema as sql
from chamados.storage.sql.store import event_row, ticket_row
from chamados.testing import FakeClock
from chamados.testing.databases import scratch_database

OPS = ("open", "reply", "status", "list")
ACTIVE = ("new", "open", "waiting_customer", "waiting_partner", "on_hold")
CUSTOMER, AGENT = Party.customer("c-1"), Party.agent("agent-00")
POOL = 300  # tickets replied to / moved in turn


# -- chamados ---------------------------------------------------------------------------------


class Ours:
    """chamados' side: a desk with the SLA policy and one without, in tenants of their own."""

    def __init__(self, storage: SqlStorage) -> None:
        self.storage = storage
        self.desks = {
            True: Helpdesk(storage=storage, sla=store_policy(), tenant="loja-sla"),
            False: Helpdesk(storage=storage, tenant="loja-plain"),
        }
        self.stored = 0
        self.templates = {sla: self._templates(sla) for sla in (True, False)}

    def open(self, sla: bool) -> str:
        return (
            self.desks[sla]
            .open(
                channel="site",
                requester=CUSTOMER,
                subject="Pedido não chegou",
                body="Oi, meu pedido não chegou.",
            )
            .id
        )

    def started(self, sla: bool) -> str:
        """A ticket the agent has answered once (so it is open)."""
        ticket_id = self.open(sla)
        self.desks[sla].reply(ticket_id, author=AGENT, body="Olá! Vamos verificar.")
        return ticket_id

    def reply(self, sla: bool, ticket_id: str) -> None:
        self.desks[sla].reply(
            ticket_id, author=AGENT, body="Olá! Já verificamos com a transportadora."
        )

    def status(self, sla: bool, ticket_id: str, event: str) -> None:
        self.desks[sla].transition(ticket_id, event, actor=AGENT)

    def list(self, sla: bool) -> list[Ticket]:
        found = self.desks[sla].tickets(assignee=AGENT.id, status=ACTIVE, limit=50)
        assert len(found) == 50, len(found)
        return found

    def _templates(self, sla: bool) -> tuple[Ticket, Ticket, Any]:
        """An active and a resolved ticket made by a desk, with their first event."""
        clock = FakeClock(pendulum.now("America/Sao_Paulo").subtract(hours=2).isoformat())
        tenant = "loja-sla" if sla else "loja-plain"
        desk = Helpdesk(
            clock=clock, sla=store_policy() if sla else (), ticket_ids=SequentialIds("T-")
        )
        made = []
        for resolve in (False, True):
            ticket = desk.open(
                tenant=tenant,
                channel="site",
                requester=CUSTOMER,
                subject="Pedido não chegou",
                body="Oi, meu pedido não chegou.",
            )
            clock.advance(minutes=10)
            desk.assign(ticket.id, actor=AGENT, assignee=AGENT.id)
            ticket = desk.reply(ticket.id, author=AGENT, body="Olá! Vamos verificar.")
            if resolve:
                clock.advance(minutes=30)
                ticket = desk.resolve(ticket.id, actor=AGENT, summary="Entregue")
            made.append(ticket)
        return made[0], made[1], desk.history(made[0].id)[0]

    def seed(self, total: int, *, port: bool) -> None:
        """Stored tickets up to ``total`` in each tenant."""
        while self.stored < total:
            batch = range(self.stored, min(total, self.stored + 5000))
            rows = []
            for sla in (True, False):
                active, resolved, opened = self.templates[sla]
                for n in batch:
                    copy = (active if n % 4 == 0 else resolved).copy()
                    copy.id = f"S{int(sla)}-{n:07d}"
                    copy.version = 1
                    copy.assignee = f"agent-{n % AGENTS:02d}"
                    rows.append((copy, attrs.evolve(opened, id=f"E-{copy.id}", ticket_id=copy.id)))
            if port:
                with self.storage.unit_of_work() as uow:
                    for ticket, event in rows:
                        uow.add(ticket)
                        uow.record([event])
                    uow.commit()
            else:
                self.storage.check()
                with self.storage.engine.begin() as conn:
                    conn.execute(sa.insert(sql.tickets), [ticket_row(t) for t, _ in rows])
                    conn.execute(sa.insert(sql.history), [event_row(e) for _, e in rows])
            self.stored = batch.stop
        with self.storage.engine.connect() as conn:
            if self.storage.dialect == "postgresql":
                conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
            else:
                conn.exec_driver_sql("ANALYZE")
                conn.commit()


# -- contenders -------------------------------------------------------------------------------


def cycle(items: list[Any]) -> Callable[[], Any]:
    counter = count()
    return lambda: items[next(counter) % len(items)]


def command_contenders(op: str, ours: Ours, peer: Peer) -> list[Contender]:
    if op == "open":
        return [
            Contender("chamados sla", lambda: ours.open(True)),
            Contender("chamados plain", lambda: ours.open(False)),
            Contender("models sla", lambda: peer.open(True)),
            Contender("models plain", lambda: peer.open(False)),
            Contender("views", peer.view_open),
        ]
    ours_pools = {sla: cycle([ours.started(sla) for _ in range(POOL)]) for sla in (True, False)}
    peer_pools = {sla: cycle([peer.open(sla) for _ in range(POOL)]) for sla in (True, False)}
    views_pool = cycle([peer.open(True) for _ in range(POOL)])
    if op == "reply":
        return [
            Contender("chamados sla", lambda: ours.reply(True, ours_pools[True]())),
            Contender("chamados plain", lambda: ours.reply(False, ours_pools[False]())),
            Contender("models sla", lambda: peer.reply(peer_pools[True]())),
            Contender("models plain", lambda: peer.reply(peer_pools[False]())),
            Contender("views", lambda: peer.view_followup(views_pool())),
        ]
    moved: dict[Any, int] = {}

    def ours_status(sla: bool) -> None:
        ticket_id = ours_pools[sla]()
        n = moved[ticket_id] = moved.get(ticket_id, -1) + 1
        ours.status(sla, ticket_id, "ask_customer" if n % 2 == 0 else "customer_replied")

    def views_status() -> None:
        ticket_id = views_pool()
        n = moved[ticket_id] = moved.get(ticket_id, -1) + 1
        peer.view_followup(ticket_id, new_status=3 if n % 2 == 0 else 2)

    return [
        Contender("chamados sla", lambda: ours_status(True)),
        Contender("chamados plain", lambda: ours_status(False)),
        Contender("models sla", lambda: peer.status(peer_pools[True]())),
        Contender("models plain", lambda: peer.status(peer_pools[False]())),
        Contender("views", views_status),
    ]


def list_contenders(ours: Ours, peer: Peer) -> list[Contender]:
    return [
        Contender("chamados sla", lambda: ours.list(True)),
        Contender("chamados plain", lambda: ours.list(False)),
        Contender("models", peer.list),
        Contender("views", peer.view_list),
    ]


PAIRS = {
    "commands": [
        ("chamados sla", "models sla"),
        ("chamados plain", "models plain"),
        ("chamados sla", "views"),
        ("chamados plain", "views"),
    ],
    "list": [
        ("chamados sla", "models"),
        ("chamados plain", "models"),
        ("chamados sla", "views"),
        ("chamados plain", "views"),
    ],
}


def round_trips(contenders: list[Contender], ours: Ours) -> None:
    """Round trips per call: chamados' counted on its engine, the peer's statements."""
    counter = RoundTrips(ours.storage.engine)
    calls = 20
    print("  round trips per call (20 calls):")
    for c in contenders:
        if c.name.startswith("chamados"):
            counter.reset()
            with counter.counting():
                for _ in range(calls):
                    c.op()
            per = counter.per(calls)
            print(
                f"    {c.name:<16}{per['round trips']:>6.1f}  ({per['statements']:.1f} "
                f"statements in {per['transactions']:.1f} transactions, "
                f"{per['pre-pings']:.1f} pre-pings)"
            )
        else:
            with django_statements() as sent:
                for _ in range(calls):
                    c.op()
            statements = len(sent) / calls
            if c.name.startswith("models") and statements > 1:
                print(
                    f"    {c.name:<16}{statements + 2:>6.1f}  ({statements:.1f} statements in "
                    f"1 transaction: BEGIN and COMMIT)"
                )
            else:
                print(
                    f"    {c.name:<16}{statements:>6.1f}  ({statements:.1f} statements"
                    + (", each its own transaction)" if c.name == "views" else ")")
                )


# -- a run on one backend ------------------------------------------------------------------------


@contextmanager
def chamados_storage(backend: str, folder: Path, postgres: str | None) -> Iterator[SqlStorage]:
    if backend == "sqlite":
        storage = SqlStorage(f"sqlite:///{folder / 'chamados.db'}")
        yield storage
        storage.close()
        return
    assert postgres is not None
    with scratch_database(postgres, prefix="chamados_bench") as engine:
        yield SqlStorage(engine)


def run_backend(args: argparse.Namespace) -> None:
    backend = args.backend
    only = set(args.only.split(","))
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        schema = configure_django(backend, folder, args.postgres)
        try:
            machine = describe_machine("SQLAlchemy", "psycopg", "Django", "django-helpdesk")
            print(f"\n=== {backend}: {machine}")
            with chamados_storage(backend, folder, args.postgres) as storage:
                ours, peer = Ours(storage), Peer()
                ours.seed(sizes[0], port=args.seed == "port")
                peer.seed(sizes[0])
                options = {"rounds": args.rounds, "seconds": args.seconds, "ops": args.ops}
                for op in ("open", "reply", "status"):
                    if op not in only:
                        continue
                    contenders = command_contenders(op, ours, peer)
                    results: Results = compare(contenders, **options)
                    print(f"\n{backend}, {op} ({sizes[0]:,} stored):")
                    results.print_times()
                    results.print_ratios(PAIRS["commands"], title="  peer time / chamados time:")
                    round_trips(contenders, ours)
                if "list" in only:
                    for size in sizes:
                        ours.seed(size, port=args.seed == "port")
                        peer.seed(size)
                        contenders = list_contenders(ours, peer)
                        results = compare(contenders, **options)
                        print(
                            f"\n{backend}, list an agent's 50 oldest active tickets, "
                            f"{size:,} stored:"
                        )
                        results.print_times()
                        results.print_ratios(PAIRS["list"], title="  peer time / chamados time:")
                        round_trips(contenders, ours)
        finally:
            from django.db import connections

            connections.close_all()
            if schema is not None:
                admin = make_engine(args.postgres)
                with admin.begin() as conn:
                    conn.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
                admin.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="chamados against django-helpdesk")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds (5)")
    parser.add_argument("--seconds", type=float, default=0.3, help="per contender a round")
    parser.add_argument("--ops", type=int, default=None, help="fixed calls a round instead")
    parser.add_argument("--only", default=",".join(OPS), help="open,reply,status,list")
    parser.add_argument("--sizes", default="10000,100000", help="stored tickets for list")
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--seed", choices=("rows", "port"), default="rows")
    parser.add_argument("--postgres", default=os.environ.get("CHAMADOS_TEST_POSTGRES_URL"))
    parser.add_argument("--backend", help=argparse.SUPPRESS)  # one backend, in this process
    args = parser.parse_args(argv)
    if min(int(s) for s in args.sizes.split(",")) < 4 * AGENTS * 50:
        parser.error(f"--sizes: at least {4 * AGENTS * 50:,} (the agent lists 50 of its tickets)")
    if args.backend:
        run_backend(args)
        return 0
    status = 0
    for backend in args.backends.split(","):
        if backend == "postgresql" and not args.postgres:
            print("(postgresql left out: give --postgres URL or set CHAMADOS_TEST_POSTGRES_URL)")
            continue
        argv_ = list(argv if argv is not None else sys.argv[1:])
        done = subprocess.run([sys.executable, __file__, *argv_, "--backend", backend])
        status = status or done.returncode
    return status


if __name__ == "__main__":
    sys.exit(main())
