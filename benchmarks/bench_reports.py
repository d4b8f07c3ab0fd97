"""Indicators over 100,000 tickets: every indicator of a report, memory vs SQL.

Run:  .venv/bin/python benchmarks/bench_reports.py      (or make bench-reports)

A simulated store (``chamados.testing.workload``: tickets answered sooner or later,
waiting on customers and sellers, escalated, resolved, reopened, rated, with the SLA
monitor running) produces ``--seed-tickets`` tickets with realistic histories through a
real ``Helpdesk``. Their facts (the ticket rows and their facts rows, SLA outcomes,
breaches and stays) are then copied, a week apart, into two storages of each backend:
one of ``--small`` tickets (10,000) and one of ``--tickets`` (100,000); the most recent
week is the same in both. Timed in interleaved rounds (``harness.compare``, one call a
round): ``desk.report()`` over everything (all twelve indicators, default cuts) and over
the last 7 days, on both storages: a report over a window should not depend on how much
is stored (the ratio 100,000 / 10,000 near 1), and the whole report over 100,000
tickets should take under 1 s on PostgreSQL, under 2 s on SQLite. Then each indicator
alone over everything on the large storage, interleaved too.

SQL backends: SQLite in a file, and the PostgreSQL / MariaDB of
``CHAMADOS_TEST_POSTGRES_URL`` / ``CHAMADOS_TEST_MARIADB_URL`` (or ``--postgres`` /
``--mariadb``), each in a scratch schema or database dropped afterwards.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack
from datetime import timedelta
from typing import Any

import attrs
import sqlalchemy as sa
from backends import backends
from harness import Contender, compare, describe_machine

from chamados import Helpdesk, MemoryStorage, SequentialIds, Storage
from chamados.model import Ticket
from chamados.reports import DEFAULT_CUTS, INDICATORS
from chamados.storage.sql import SqlStorage
from chamados.storage.sql import schema as sql
from chamados.storage.sql.indicators import breach_rows, fact_row, outcome_rows, stay_row
from chamados.storage.sql.store import ticket_row
from chamados.testing import FakeClock
from chamados.testing.workload import simulate, store_policies
from chamados.tracking import Stay

START = "2026-03-02T08:00:00-03:00"


def seed(count: int) -> tuple[list[Ticket], list[Stay], Any]:
    clock = FakeClock(START)
    storage = MemoryStorage()
    desk = Helpdesk(
        storage=storage, clock=clock, sla=store_policies(), ticket_ids=SequentialIds("S-")
    )
    simulate(desk, clock, tickets=count, seed=42)
    return list(storage._tickets.values()), list(storage._stays), clock.now()


def copies(
    tickets: list[Ticket], stays: list[Stay], total: int
) -> Iterator[tuple[Ticket, list[Stay]]]:
    """``total`` tickets: the seed tickets again and again, each round a week earlier,
    with their stays."""
    by_ticket: dict[str, list[Stay]] = {}
    for stay in stays:
        by_ticket.setdefault(stay.ticket_id, []).append(stay)
    made = 0
    round_ = 0
    while made < total:
        shift = timedelta(weeks=round_)
        for ticket in tickets:
            if made == total:
                return
            new_id = f"B{round_:04d}-{ticket.id}"
            copy = ticket.copy()
            copy.id = new_id
            copy.created_at = ticket.created_at - shift
            copy.updated_at = ticket.updated_at - shift
            if copy.stats is not None:
                copy.stats = attrs.evolve(
                    copy.stats, stay=attrs.evolve(copy.stats.stay, ticket_id=new_id)
                )
            moved = [
                attrs.evolve(
                    s,
                    ticket_id=new_id,
                    entered_at=s.entered_at - shift,
                    left_at=None if s.left_at is None else s.left_at - shift,
                )
                for s in by_ticket.get(ticket.id, [])
            ]
            made += 1
            yield copy, moved
        round_ += 1


def fill(storage: Storage, rows: Iterator[tuple[Ticket, list[Stay]]]) -> None:
    if isinstance(storage, MemoryStorage):  # through the port, 5,000 a unit of work
        done = False
        while not done:
            with storage.unit_of_work() as uow:
                for n, (ticket, stays) in enumerate(rows):
                    ticket.version = 1  # a new ticket's first save
                    uow.add(ticket)
                    uow.add_stays(stays)
                    if n == 4999:
                        break
                else:
                    done = True
                uow.commit()
        return
    assert isinstance(storage, SqlStorage)
    storage.check()
    batch: list[tuple[Ticket, list[Stay]]] = []

    def flush() -> None:
        with storage.engine.begin() as conn:
            conn.execute(sa.insert(sql.tickets), [ticket_row(t) for t, _ in batch])
            conn.execute(sa.insert(sql.facts), [fact_row(t) for t, _ in batch])
            outcomes = [r for t, _ in batch for r in outcome_rows(t)]
            if outcomes:
                conn.execute(sa.insert(sql.sla_outcomes), outcomes)
            breaches = [r for t, _ in batch for r in breach_rows(t)]
            if breaches:
                conn.execute(sa.insert(sql.breaches), breaches)
            stays = [stay_row(s) for _, ss in batch for s in ss]
            if stays:
                conn.execute(sa.insert(sql.stays), stays)
        batch.clear()

    for item in rows:
        batch.append(item)
        if len(batch) == 2000:
            flush()
    if batch:
        flush()
    if storage.dialect == "postgresql":
        with storage.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    elif storage.dialect == "sqlite":
        with storage.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="indicators over many tickets")
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=10_000)
    parser.add_argument("--seed-tickets", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgres", default=os.environ.get("CHAMADOS_TEST_POSTGRES_URL"))
    parser.add_argument("--mariadb", default=os.environ.get("CHAMADOS_TEST_MARIADB_URL"))
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument("--skip-indicators", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    tickets, stays, now = seed(args.seed_tickets)
    print(
        f"{describe_machine('SQLAlchemy')}; {len(tickets):,} simulated tickets "
        f"({len(stays):,} stays; seeding took {time.perf_counter() - started:.1f} s), "
        f"copied a week apart; {args.rounds} interleaved rounds, one call each"
    )
    chosen = backends(
        postgres=args.postgres, mariadb=args.mariadb, with_memory=not args.skip_memory
    )
    week = now.subtract(days=7)
    sizes = (args.small, args.tickets)
    for name, make in chosen:
        with ExitStack() as stack:
            desks = {}
            for size in sizes:
                storage = stack.enter_context(make())
                started = time.perf_counter()
                fill(storage, copies(tickets, stays, size))
                print(
                    f"  {name}: {size:,} tickets loaded in {time.perf_counter() - started:.1f} s"
                )
                desks[size] = Helpdesk(storage=storage, clock=FakeClock(now.isoformat()))
            contenders = []
            for size, desk in desks.items():
                contenders += [
                    Contender(f"whole, {size:,}", desk.report, ops=1, warmup=1),
                    Contender(
                        f"7 days, {size:,}",
                        lambda d=desk: d.report(start=week),
                        ops=1,
                        warmup=1,
                    ),
                ]
            results = compare(contenders, rounds=args.rounds)
            print(f"\n{name}: desk.report(), every indicator")
            results.print_times(unit="report")
            small, large = (f"{s:,}" for s in sizes)
            results.print_ratios(
                [(f"7 days, {small}", f"7 days, {large}"), (f"whole, {small}", f"whole, {large}")],
                title="  large / small (7 days: the goal is 1):",
            )
            if args.skip_indicators:
                continue
            desk = desks[args.tickets]
            results = compare(
                [
                    Contender(
                        indicator,
                        lambda i=indicator, d=desk: d.indicator(i, by=DEFAULT_CUTS[i]),
                        ops=1,
                        warmup=1,
                    )
                    for indicator in INDICATORS
                ],
                rounds=args.rounds,
            )
            print(f"\n{name}: each indicator alone over {args.tickets:,} tickets")
            results.print_times(unit="call")
    return 0


if __name__ == "__main__":
    sys.exit(main())
