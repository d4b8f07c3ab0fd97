"""The SQL adapter passes the storage contract on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from chamados.storage.sql import SqlStorage
from chamados.testing import StorageContract
from tests.sql_servers import empty


class TestSqliteStorage(StorageContract):
    """SQLite in a file: the embedded default."""

    locks_tickets = True

    @pytest.fixture
    def storage(self, tmp_path: Path) -> SqlStorage:
        return SqlStorage(f"sqlite:///{tmp_path / 'chamados.db'}")


class TestSqliteMemoryStorage(StorageContract):
    """SQLite in memory: one shared connection, so one thread at a time."""

    concurrent_writers = False

    @pytest.fixture
    def storage(self) -> SqlStorage:
        return SqlStorage("sqlite://")


class TestPostgresStorage(StorageContract):
    """PostgreSQL through psycopg 3, in a schema of its own."""

    claims_lock_rows = True
    locks_tickets = True

    @pytest.fixture
    def storage(self, postgres_engine: Engine) -> SqlStorage:
        return empty(postgres_engine)


class TestMariadbStorage(StorageContract):
    """MariaDB through PyMySQL, in a database of its own."""

    claims_lock_rows = True
    locks_tickets = True

    @pytest.fixture
    def storage(self, mariadb_engine: Engine) -> SqlStorage:
        return empty(mariadb_engine)
