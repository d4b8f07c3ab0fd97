"""The SLA monitor and clock recomputation, on the in-memory storage.

Run:  .venv/bin/python benchmarks/bench_sla.py      (or make bench-sla)

1. One ``desk.tick()`` that finds 100 tickets due among 1,000, 10,000 and 100,000 open
   tickets, the three storages side by side in interleaved rounds: it should stay flat
   as open tickets grow (the ratio to the smallest near 1), because the storage answers
   from an index on the next SLA deadline.
2. Recomputing one ticket's clocks: from the state kept on the ticket (what every read
   does today), and by replaying its whole history (what a change of policy rules does).

Open tickets are copies of one real ticket (opened and answered through the Helpdesk,
with two policies), stored with their own ids through ``UnitOfWork.add``, so building
100,000 of them takes seconds. Before each round's tick, 100 overdue copies are added
(untimed); the tick records a warning on each and moves its deadline on.
"""

from __future__ import annotations

import argparse
import sys
import uuid
from collections.abc import Callable
from datetime import timedelta
from itertools import count

import attrs
from harness import Contender, compare, describe_machine

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


class Store:
    """A memory storage with ``open_tickets`` open tickets that are not due; ``add_due``
    adds ``due`` overdue ones (untimed, before each tick), which the tick then handles."""

    def __init__(self, open_tickets: int, due: int) -> None:
        clock = FakeClock("2026-03-02T09:00:00-03:00")
        self.storage = MemoryStorage()
        self.due = due
        desk = Helpdesk(clock=clock, sla=policies(), ticket_ids=SequentialIds())
        customer, agent = Party.customer("c-1"), Party.agent("ana")
        template = desk.open(
            tenant="loja-1", channel="amazon", requester=customer, subject="Pedido", body="Oi"
        )
        clock.advance(minutes=30)
        template = desk.reply(template.id, author=agent, body="Olá!")
        clock.advance(minutes=30)
        self.template = desk.reply(template.id, author=customer, body="Cadê?")
        self.opened = desk.history(template.id)[0]
        later = self.template.sla_deadline
        assert later is not None
        self.deadline = later
        self.made = count()
        self.add(open_tickets, due=False)
        clock.set(later.add(minutes=1).isoformat())
        self.desk = Helpdesk(storage=self.storage, clock=clock, sla=policies())

    def add(self, n: int, *, due: bool) -> None:
        for start in range(0, n, 5000):
            with self.storage.unit_of_work() as uow:
                for _ in range(min(5000, n - start)):
                    ticket = self.template.copy()
                    ticket.id = f"B-{next(self.made):07d}"
                    ticket.version = 1
                    # Overdue now, or due again only next week.
                    ticket.sla_deadline = self.deadline if due else self.deadline.add(days=7)
                    uow.add(ticket)
                    uow.record(
                        [attrs.evolve(self.opened, id=uuid.uuid4().hex, ticket_id=ticket.id)]
                    )
                uow.commit()

    def add_due(self) -> None:
        self.add(self.due, due=True)

    def tick(self) -> None:
        events = self.desk.tick()
        assert len({e.ticket_id for e in events}) == self.due, len(events)


def recompute() -> tuple[Callable[[], None], Callable[[], None], int]:
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

    return kept, replayed, len(history)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="SLA monitor and recomputation")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--due", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=0.2, help="per contender a round")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    stores = {size: Store(size, args.due) for size in sizes}
    print(
        f"{describe_machine('python-statemachine')}; in-memory storage; {args.due} due "
        f"tickets a tick; {args.rounds} interleaved rounds"
    )
    contenders = [
        Contender(
            f"tick, {size:,} open",
            store.tick,
            before=store.add_due,
            per_call=args.due,
            ops=1,
            warmup=1,
        )
        for size, store in stores.items()
    ]
    results = compare(contenders, rounds=args.rounds, seconds=args.seconds)
    print("\n1. one tick, per due ticket:")
    results.print_times(unit="due")
    first = contenders[0].name
    results.print_ratios(
        [(first, c.name) for c in contenders[1:]], title="  against the smallest (flat: 1):"
    )
    kept, replayed, events = recompute()
    results = compare(
        [Contender("from the kept state", kept), Contender("replaying the history", replayed)],
        rounds=args.rounds,
        seconds=args.seconds,
    )
    print(f"\n2. recompute one ticket's clocks (2 policies, {events} events in its history):")
    results.print_times()
    results.print_ratios([("from the kept state", "replaying the history")])
    return 0


if __name__ == "__main__":
    sys.exit(main())
