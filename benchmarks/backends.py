"""The storages the storage, outbox and report benchmarks compare, side by side.

``backends(postgres=URL, mariadb=URL)`` lists (name, factory) pairs: memory, SQLite in
a temporary file, and each server whose URL is given (a scratch schema or database,
dropped afterwards); servers without a URL are left out, saying so.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from chamados import MemoryStorage, Storage
from chamados.storage.sql import SqlStorage
from chamados.testing.databases import scratch_database

Backend = tuple[str, Callable[[], AbstractContextManager[Storage]]]


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
