"""Factories: tickets with sensible defaults, so a test states only what it is about."""

from __future__ import annotations

from typing import Any

import pendulum

from chamados.desk import Helpdesk
from chamados.model import Party, Priority, Ticket
from chamados.testing.clock import DEFAULT_START

__all__ = ["make_ticket", "open_ticket"]


def make_ticket(**overrides: Any) -> Ticket:
    """A ``Ticket`` value (not stored anywhere), at version 1 unless told otherwise.

    >>> make_ticket(subject="Cobrança em dobro").status
    'new'
    """
    at = pendulum.parse(DEFAULT_START)
    values: dict[str, Any] = {
        "id": "T-0001",
        "tenant": "loja-1",
        "channel": "site",
        "requester": Party.customer("c-1"),
        "subject": "Pedido não chegou",
        "workflow": "standard",
        "status": "new",
        "created_at": at,
        "updated_at": at,
        "priority": Priority.NORMAL,
        "version": 1,
    }
    values.update(overrides)
    return Ticket(**values)


def open_ticket(desk: Helpdesk, **overrides: Any) -> Ticket:
    """Open a ticket on ``desk`` with defaults for every argument not given."""
    values: dict[str, Any] = {
        "channel": "site",
        "requester": Party.customer("c-1"),
        "subject": "Pedido não chegou",
    }
    if desk.tenant is None:
        values["tenant"] = "loja-1"
    values.update(overrides)
    return desk.open(**values)
