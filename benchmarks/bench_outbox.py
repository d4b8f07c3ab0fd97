"""The outbox relay: messages per second, memory vs SQLite vs PostgreSQL (and MariaDB).

Run:  .venv/bin/python benchmarks/bench_outbox.py      (or make bench-outbox)

Before each timed drain the outbox gets ``--messages`` new events (10 per ticket, so
per-ticket order is in play) through a unit of work (``UnitOfWork.enqueue``, untimed),
then one relay drains them through a notifier that does nothing, timed from the first
claim to the last settlement. Every backend and setting is a contender of the same
interleaved rounds (``harness.compare``); the ratio is each one's time per message
over memory's with ``timeout=None``. Two relay settings:
``timeout=None`` (each delivery called in the relay's thread: the cost of the outbox
itself) and the default ``timeout=60`` (each delivery in a guard thread that the relay
can give up on: what a production relay pays for surviving a hung notifier).

PostgreSQL and MariaDB come from ``CHAMADOS_TEST_POSTGRES_URL`` /
``CHAMADOS_TEST_MARIADB_URL`` (or ``--postgres`` / ``--mariadb``), each in a schema or
database of its own that the run drops; a server without a URL is left out.
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid
from contextlib import ExitStack
from itertools import count

import attrs
from backends import backends
from harness import Contender, compare, describe_machine

from chamados import Party, Storage
from chamados.events import TicketEvent, TicketOpened
from chamados.model import Priority
from chamados.notify import CallableNotifier, OutboxRelay
from chamados.testing import FakeClock

CLOCK = FakeClock("2026-03-02T09:00:00-03:00")
FILLS = count()


def events(count_: int) -> list[TicketEvent]:
    """``count_`` events, ten per ticket, of tickets no earlier fill used."""
    fill = next(FILLS)
    template = TicketOpened(
        id="x",
        ticket_id="x",
        tenant="loja-1",
        version=1,
        at=CLOCK.now(),
        actor=Party.customer("c-1"),
        channel="site",
        requester=Party.customer("c-1"),
        subject="Pedido não chegou",
        workflow="standard",
        status="new",
        priority=Priority.NORMAL,
    )
    return [
        attrs.evolve(
            template,
            id=uuid.uuid4().hex,
            ticket_id=f"T-{fill:04d}-{n // 10:06d}",
            version=n % 10 + 1,
        )
        for n in range(count_)
    ]


def fill(storage: Storage, messages: int) -> None:
    with storage.unit_of_work() as uow:
        uow.enqueue(events(messages))
        uow.commit()


class Drain:
    """One relay setting on one storage: fill (untimed), then drain (timed)."""

    def __init__(self, storage: Storage, timeout: float | None, batch: int, messages: int):
        self.storage = storage
        self.messages = messages
        self.delivered = 0
        self.relay = OutboxRelay(
            storage.outbox(),
            [CallableNotifier(self.nothing)],
            clock=CLOCK,
            batch=batch,
            timeout=timeout,
        )

    def nothing(self, event: TicketEvent) -> None:
        self.delivered += 1

    def fill(self) -> None:
        fill(self.storage, self.messages)

    def drain(self) -> None:
        before = self.delivered
        while self.relay.run_once().claimed:
            pass
        assert self.delivered - before == self.messages, self.delivered - before


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="outbox relay throughput")
    parser.add_argument("--messages", type=int, default=2_000, help="a drain (2,000)")
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--postgres", default=os.environ.get("CHAMADOS_TEST_POSTGRES_URL"))
    parser.add_argument("--mariadb", default=os.environ.get("CHAMADOS_TEST_MARIADB_URL"))
    args = parser.parse_args(argv)
    chosen = backends(postgres=args.postgres, mariadb=args.mariadb)
    print(
        f"{describe_machine('SQLAlchemy')}; {args.messages:,} messages a drain, 10 per "
        f"ticket, batch {args.batch}, a no-op notifier; {args.rounds} interleaved rounds"
    )
    with ExitStack() as stack:
        contenders = []
        for name, make in chosen:
            for timeout in (None, 60.0):
                # A storage of its own per setting: each drain finds only its messages.
                drain = Drain(stack.enter_context(make()), timeout, args.batch, args.messages)
                contenders.append(
                    Contender(
                        f"{name} timeout={timeout}",
                        drain.drain,
                        before=drain.fill,
                        per_call=args.messages,
                        ops=1,
                        warmup=1,
                    )
                )
        results = compare(contenders, rounds=args.rounds)
    results.print_times(unit="message")
    print(
        "  messages per second (median): "
        + ", ".join(f"{c.name} {1 / results.median(c.name):,.0f}" for c in contenders)
    )
    floor = contenders[0].name
    results.print_ratios(
        [(floor, c.name) for c in contenders[1:]], title=f"  time per message / {floor}'s:"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
