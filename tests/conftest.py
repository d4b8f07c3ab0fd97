"""Shared fixtures for chamados' own tests (the chamados_* fixtures come from the plugin)."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

from chamados import Party
from tests.sql_servers import engine, mariadb_engine, postgres_engine, server

__all__ = ["engine", "mariadb_engine", "postgres_engine", "server"]  # the SQL fixtures

# In CI, property tests run more examples and print the blob to reproduce a failure.
settings.register_profile("ci", max_examples=300, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


@pytest.fixture
def ana() -> Party:
    """An N1 agent."""
    return Party.agent("ana", name="Ana")


@pytest.fixture
def bruno() -> Party:
    """An N2 specialist."""
    return Party.agent("bruno", name="Bruno")


@pytest.fixture
def maria() -> Party:
    """The customer who opens most tickets in these tests."""
    return Party.customer("c-1", name="Maria")


@pytest.fixture
def seller() -> Party:
    """A marketplace seller (a partner)."""
    return Party.partner("seller-9", name="Loja do Zé")
