"""The outbox relay: messages per second, memory vs SQLite vs PostgreSQL (and MariaDB).

Run:  .venv/bin/python benchmarks/bench_outbox.py      (or make bench-outbox)

The outbox is filled with ``--messages`` events (10 per ticket, so per-ticket order is
in play) written straight into it, then one relay drains it through a notifier that
does nothing, timed from the first claim to the last settlement. Two relay settings:
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
import time
import uuid

import attrs
import sqlalchemy as sa
from backends import backends

from chamados import MemoryStorage, Party, Storage
from chamados.events import TicketEvent, TicketOpened
from chamados.model import Priority
from chamados.notify import CallableNotifier, OutboxRelay
from chamados.storage.sql import SqlStorage
from chamados.storage.sql import schema as sql
from chamados.storage.sql.outbox import outbox_row
from chamados.testing import FakeClock

CLOCK = FakeClock("2026-03-02T09:00:00-03:00")


def events(count: int) -> list[TicketEvent]:
    """``count`` events, ten per ticket."""
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
            template, id=uuid.uuid4().hex, ticket_id=f"T-{n // 10:06d}", version=n % 10 + 1
        )
        for n in range(count)
    ]


def fill(storage: Storage, batch: list[TicketEvent]) -> None:
    if isinstance(storage, SqlStorage):
        storage.check()
        with storage.engine.begin() as conn:
            for start in range(0, len(batch), 5000):
                conn.execute(
                    sa.insert(sql.outbox),
                    [outbox_row(e) for e in batch[start : start + 5000]],
                )
        return
    assert isinstance(storage, MemoryStorage)
    with storage._lock:
        storage._outbox.add(batch)


def drain(storage: Storage, timeout: float | None, batch: int) -> tuple[float, int]:
    delivered = 0

    def nothing(event: TicketEvent) -> None:
        nonlocal delivered
        delivered += 1

    relay = OutboxRelay(
        storage.outbox(), [CallableNotifier(nothing)], clock=CLOCK, batch=batch, timeout=timeout
    )
    start = time.perf_counter()
    while relay.run_once().claimed:
        pass
    return time.perf_counter() - start, delivered


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="outbox relay throughput")
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--postgres", default=os.environ.get("CHAMADOS_TEST_POSTGRES_URL"))
    parser.add_argument("--mariadb", default=os.environ.get("CHAMADOS_TEST_MARIADB_URL"))
    args = parser.parse_args(argv)
    chosen = backends(postgres=args.postgres, mariadb=args.mariadb)
    print(
        f"python {sys.version.split()[0]}, SQLAlchemy {sa.__version__}; "
        f"{args.messages:,} messages, 10 per ticket, batch {args.batch}, a no-op notifier"
    )
    print(f"{'backend':<14}{'timeout=None':>16}{'timeout=60 s':>16}")
    for name, make in chosen:
        figures = []
        for timeout in (None, 60.0):
            with make() as storage:
                fill(storage, events(args.messages))
                seconds, delivered = drain(storage, timeout, args.batch)
                assert delivered == args.messages, delivered
                assert storage.outbox().counts()["delivered"] == args.messages
            figures.append(args.messages / seconds)
        print(f"{name:<14}" + "".join(f"{rate:>12,.0f} msg/s" for rate in figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
