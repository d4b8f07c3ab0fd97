"""Scratch databases for tests and benchmarks on real servers (needs ``chamados[sql]``).

``scratch_database(url)`` makes a schema (PostgreSQL) or a database (MariaDB, MySQL) of
its own on the server at ``url``, yields an engine confined to it, and drops it at the
end, so test runs never see each other's tables::

    with scratch_database("postgresql+psycopg://postgres@127.0.0.1/test") as engine:
        desk = Helpdesk(storage=engine)
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from chamados.exceptions import ConfigurationError
from chamados.storage.sql import make_engine

__all__ = ["scratch_database"]


@contextmanager
def scratch_database(url: str, *, prefix: str = "chamados_test") -> Iterator[Engine]:
    """An engine on a new, empty schema or database of the server at ``url``, dropped
    when the block ends. Connection errors propagate (``sqlalchemy.exc.OperationalError``)."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = make_engine(url)
    backend = admin.dialect.name
    try:
        if backend == "postgresql":
            with admin.begin() as conn:
                conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
            engine = make_engine(url, connect_args={"options": f"-csearch_path={name}"})
            drop = f'DROP SCHEMA "{name}" CASCADE'
        elif backend in ("mysql", "mariadb"):
            with admin.begin() as conn:
                conn.exec_driver_sql(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
            engine = make_engine(
                sa.make_url(url).set(database=name).render_as_string(hide_password=False)
            )
            drop = f"DROP DATABASE `{name}`"
        else:
            raise ConfigurationError(
                f"scratch_database works on PostgreSQL and MariaDB, not {backend}; for "
                f"SQLite use a file in a temporary folder",
                key="url",
            )
        try:
            yield engine
        finally:
            engine.dispose()
            with admin.begin() as conn:
                conn.exec_driver_sql(drop)
    finally:
        admin.dispose()
