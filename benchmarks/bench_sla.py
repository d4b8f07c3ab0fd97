"""The SLA monitor and clock recomputation, on the in-memory storage.

Run:  .venv/bin/python benchmarks/bench_sla.py      (or make bench-sla)

1. One ``desk.tick()`` that finds 100 tickets due among 1,000, 10,000 and 100,000 open
   tickets: it should stay nearly flat as open tickets grow, because the storage answers
   from an index on the next SLA deadline.
2. Recomputing one ticket's clocks: from the state kept on the ticket (what every read
   does), and by replaying its whole history (what a change of policy rules does).

Open tickets are copies of one real ticket (opened and answered through the Helpdesk,
with two policies), stored with their own ids and deadlines, so building 100,000 of them
takes seconds; the 100 due tickets have deadlines in the past.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import timedelta

from chamados import Helpdesk, MemoryStorage, Party, SequentialIds
from chamados.sla import BusinessCalendar, SlaPolicy, Target
from chamados.sla.engine import SlaEngine
from chamados.sla.presets import amazon
from chamados.testing import FakeClock

H = timedelta(hours=1)


def policies() -> list[SlaPolicy]:
    calendar = BusinessCalendar.brazil(subdivision="SP", hours={"mon-fri": "09:00-18:00"})
    store = SlaPolicy(
        name="loja",
        calendar=calendar,
        targets={
            "first_response": Target(business=4 * H),
            "next_response": Target(business=8 * H),
            "resolution": {"urgent": Target(business=8 * H), "default": Target(business_days=3)},
        },
        warn_at=[0.75, timedelta(minutes=30)],
    )
    return [amazon(calendar=calendar), store]


def build(open_tickets: int, due: int) -> tuple[Helpdesk, FakeClock]:
    clock = FakeClock("2026-03-02T09:00:00-03:00")
    storage = MemoryStorage()
    desk = Helpdesk(storage=storage, clock=clock, sla=policies(), ticket_ids=SequentialIds())
    customer, agent = Party.customer("c-1"), Party.agent("ana")
    template = desk.open(
        tenant="loja-1", channel="amazon", requester=customer, subject="Pedido", body="Oi"
    )
    clock.advance(minutes=30)
    template = desk.reply(template.id, author=agent, body="Olá!")
    clock.advance(minutes=30)
    template = desk.reply(template.id, author=customer, body="Cadê?")
    history = desk.history(template.id)
    later = template.sla_deadline
    assert later is not None
    with storage.unit_of_work() as uow:
        for n in range(open_tickets):
            ticket = template.copy()
            ticket.id = f"B-{n:06d}"
            ticket.version = 1
            # With the template, `due` tickets are overdue; the others look again next week.
            ticket.sla_deadline = later if n < due - 1 else later.add(days=7)
            uow.add(ticket)
            uow.record(
                [
                    type(e)(**{**_fields(e), "ticket_id": ticket.id, "version": 1})
                    for e in history[:1]
                ]
            )
        uow.commit()
    clock.set(later.add(minutes=1).isoformat())
    return desk, clock


def _fields(event: object) -> dict[str, object]:
    import attrs

    return attrs.asdict(event, recurse=False)  # type: ignore[arg-type]


def time_tick(open_tickets: int, due: int, rounds: int) -> tuple[float, int]:
    timings, emitted = [], 0
    for _ in range(rounds):
        desk, _ = build(open_tickets, due)
        start = time.perf_counter()
        events = desk.tick()
        timings.append(time.perf_counter() - start)
        emitted = len(events)
    return statistics.median(timings), emitted


def time_recompute(rounds: int = 2000) -> tuple[float, float, int]:
    clock = FakeClock("2026-03-06T17:30:00-03:00")
    desk = Helpdesk(clock=clock, sla=policies(), ticket_ids=SequentialIds())
    customer, agent = Party.customer("c-1"), Party.agent("ana")
    ticket_id = desk.open(
        tenant="loja-1", channel="amazon", requester=customer, subject="Pedido", body="Oi"
    ).id
    for hours in (1, 20, 3, 5, 30, 2):
        clock.advance(hours=hours)
        desk.reply(ticket_id, author=agent, body="Vamos ver")
        desk.transition(ticket_id, "ask_customer", actor=agent)
        clock.advance(hours=hours)
        desk.reply(ticket_id, author=customer, body="Segue")
    history = desk.history(ticket_id)
    ticket = desk.get(ticket_id)
    engine = SlaEngine(policies(), desk.workflows)
    now = clock.now()

    def kept() -> None:
        engine.refresh(ticket, now, lambda: history)

    def replayed() -> None:
        fresh = ticket.copy()
        fresh.sla_state = None
        engine.refresh(fresh, now, lambda: history)

    results = []
    for work in (kept, replayed):
        work()
        start = time.perf_counter()
        for _ in range(rounds):
            work()
        results.append((time.perf_counter() - start) / rounds * 1e6)
    return results[0], results[1], len(history)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="SLA monitor and recomputation")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--due", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    print(f"python {sys.version.split()[0]}; in-memory storage; median of {args.rounds} ticks")
    header = ("open tickets", "due", "tick (ms)", "per due ticket (µs)", "events")
    print(f"{header[0]:>13} {header[1]:>5} {header[2]:>10} {header[3]:>20} {header[4]:>7}")
    for size in (int(s) for s in args.sizes.split(",")):
        seconds, emitted = time_tick(size, args.due, args.rounds)
        print(
            f"{size:>13,} {args.due:>5} {seconds * 1e3:>10.1f} "
            f"{seconds / args.due * 1e6:>20.0f} {emitted:>7}"
        )
    kept, replayed, events = time_recompute()
    print()
    print(f"recompute one ticket's clocks (2 policies, {events} events in its history):")
    print(f"  from the kept state (every read)      {kept:8.1f} µs")
    print(f"  replaying the whole history           {replayed:8.1f} µs")
    return 0


if __name__ == "__main__":
    sys.exit(main())
