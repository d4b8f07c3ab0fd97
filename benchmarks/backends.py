"""The storages the benchmarks compare, side by side, and the SLA policy they keep.

``backends(postgres=URL, mariadb=URL)`` lists (name, factory) pairs: memory, SQLite in
a temporary file, and each server whose URL is given (a scratch schema or database,
dropped afterwards); servers without a URL are left out, saying so. ``store_policy()``
is the policy of a store on business hours with three targets, the one the command
benchmarks keep clocks for.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import timedelta
from pathlib import Path

from chamados import MemoryStorage, Storage
from chamados.sla import BusinessCalendar, SlaPolicy, Target
from chamados.storage.sql import SqlStorage
from chamados.testing.databases import scratch_database

Backend = tuple[str, Callable[[], AbstractContextManager[Storage]]]

H = timedelta(hours=1)


def store_policy() -> list[SlaPolicy]:
    """One policy, three clocks: first response in 4 business hours, next response in 8,
    resolution in 3 business days; Monday to Friday 09:00-18:00 in São Paulo."""
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


@contextmanager
def memory() -> Iterator[Storage]:
    yield MemoryStorage()


@contextmanager
def sqlite() -> Iterator[Storage]:
    with tempfile.TemporaryDirectory() as folder:
        storage = SqlStorage(f"sqlite:///{Path(folder) / 'bench.db'}")
        yield storage
        storage.close()


@contextmanager
def server(url: str) -> Iterator[Storage]:
    with scratch_database(url, prefix="chamados_bench") as engine:
        yield SqlStorage(engine)


def backends(
    *, postgres: str | None, mariadb: str | None, with_memory: bool = True
) -> list[Backend]:
    found: list[Backend] = [("memory", memory)] if with_memory else []
    found.append(("sqlite file", sqlite))
    for name, url in (("postgresql", postgres), ("mariadb", mariadb)):
        if url:
            found.append((name, lambda url=url: server(url)))
        else:
            flag = "postgres" if name == "postgresql" else name
            print(f"({name} left out: give --{flag} URL or set its CHAMADOS_TEST_* variable)")
    return found
