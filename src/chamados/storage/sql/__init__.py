"""The SQL storage adapter, on SQLAlchemy 2 Core: SQLite, PostgreSQL and MariaDB.

``SqlStorage`` takes a URL (``sqlite:///chamados.db``, ``postgresql+psycopg://...``,
``mysql+pymysql://...``), an ``Engine``, or a ``Connection`` inside a transaction the
host application holds (chamados then writes through it, inside a savepoint, and never
commits: the host's commit or rollback decides for both).

The package, top down (a module imports only the ones below it):

- ``store``: ``SqlStorage`` and its unit of work (tickets, histories, idempotency keys);
- ``outbox`` (``SqlOutbox``) and ``indicators`` (``SqlIndicators``, and the facts
  tables each commit writes);
- ``database``: ``Database``, the engine or the host's connection, transactions, and the
  one place driver errors become chamados errors; ``make_engine``;
- ``schema``: the tables, ``SCHEMA_VERSION`` and the migrations.
"""

from chamados.storage.sql.database import make_engine
from chamados.storage.sql.schema import SCHEMA_VERSION, metadata
from chamados.storage.sql.store import SqlStorage

__all__ = ["SCHEMA_VERSION", "SqlStorage", "make_engine", "metadata"]
