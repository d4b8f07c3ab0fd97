"""The notifier port: whoever must hear about ticket events (customers, partners, teams)."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from chamados.events import TicketEvent

__all__ = ["Notifier"]


@runtime_checkable
class Notifier(Protocol):
    """Receives the events of each committed command, in order.

    ``event.id`` is stable: a notifier that may see an event twice drops the repeat by it.
    A notifier that cannot deliver raises ``chamados.DeliveryError``.
    """

    def notify(self, event: TicketEvent) -> None:
        """Deliver one event."""
        ...
