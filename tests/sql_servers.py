"""Database servers for the SQL storage tests: one schema or database per test run.

``CHAMADOS_TEST_POSTGRES_URL`` and ``CHAMADOS_TEST_MARIADB_URL`` name the servers. When
one is unset its tests skip, saying so; when it is set but the server cannot be reached,
the tests fail: CI sets both and must not pass without them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from chamados.storage.sql import SqlStorage, make_engine, metadata
from chamados.testing.databases import scratch_database

FIXTURES = {"postgresql": "postgres_engine", "mariadb": "mariadb_engine"}
POSTGRES = "CHAMADOS_TEST_POSTGRES_URL"
MARIADB = "CHAMADOS_TEST_MARIADB_URL"


def server_url(variable: str) -> str:
    url = os.environ.get(variable)
    if not url:
        pytest.skip(f"{variable} is not set: the tests against this database server skip")
    return url


@contextmanager
def server_engine(variable: str, server: str) -> Iterator[Engine]:
    """An engine on a scratch schema or database of the server named by ``variable``."""
    url = server_url(variable)
    try:
        with scratch_database(url) as engine:
            yield engine
    except sa.exc.OperationalError as error:
        pytest.fail(f"{variable} is set but {server} cannot be reached: {error}")


@pytest.fixture(scope="session")
def postgres_engine() -> Iterator[Engine]:
    """An engine on a schema of its own in the PostgreSQL of CHAMADOS_TEST_POSTGRES_URL."""
    with server_engine(POSTGRES, "PostgreSQL") as engine:
        yield engine


@pytest.fixture(scope="session")
def mariadb_engine() -> Iterator[Engine]:
    """An engine on a database of its own in the MariaDB of CHAMADOS_TEST_MARIADB_URL."""
    with server_engine(MARIADB, "MariaDB") as engine:
        yield engine


def empty(engine: Engine) -> SqlStorage:
    """A storage on ``engine`` with chamados' tables, all empty."""
    storage = SqlStorage(engine)
    storage.check()
    with engine.begin() as conn:
        for table in reversed(metadata.sorted_tables):
            if table.name != "chamados_schema":
                conn.execute(table.delete())
    return storage


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An engine on each backend, its chamados tables created and empty."""
    if request.param == "sqlite":
        made = make_engine(f"sqlite:///{tmp_path / 'chamados.db'}")
        SqlStorage(made).check()
        yield made
        made.dispose()
        return
    server: Engine = request.getfixturevalue(FIXTURES[request.param])
    empty(server)
    yield server


@pytest.fixture(params=["postgresql", "mariadb"])
def server(request: pytest.FixtureRequest) -> Engine:
    """An engine on each database server (the backends with row locks and kills)."""
    found: Engine = request.getfixturevalue(FIXTURES[request.param])
    empty(found)
    return found
