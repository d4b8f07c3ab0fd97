"""Notifiers for tests: one that records, one that fails on demand."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from chamados.events import TicketEvent
from chamados.exceptions import DeliveryError

__all__ = ["FlakyNotifier", "RecordingNotifier"]

E = TypeVar("E", bound=TicketEvent)


class RecordingNotifier:
    """Keeps every event it is given, in order, for assertions.

    >>> notifier = RecordingNotifier()
    >>> notifier.kinds()
    []
    """

    def __init__(self) -> None:
        self.events: list[TicketEvent] = []

    def notify(self, event: TicketEvent) -> None:
        """Record ``event``."""
        self.events.append(event)

    def kinds(self) -> list[str]:
        """The ``kind`` of each recorded event (``"opened"``, ``"replied"``...)."""
        return [event.kind for event in self.events]

    def of_type(self, cls: type[E]) -> list[E]:
        """The recorded events of one class."""
        return [event for event in self.events if isinstance(event, cls)]

    def clear(self) -> None:
        """Forget everything recorded so far."""
        self.events.clear()

    def __len__(self) -> int:
        return len(self.events)


class FlakyNotifier(RecordingNotifier):
    """Fails with ``DeliveryError`` when ``fails(event)`` says so, else records the event.

    ``FlakyNotifier(times=2)`` fails its first two deliveries; ``transient`` says what
    kind of failure it reports.
    """

    def __init__(
        self,
        *,
        times: int = 0,
        fails: Callable[[TicketEvent], bool] | None = None,
        transient: bool = True,
    ) -> None:
        super().__init__()
        self._left = times
        self._fails = fails
        self.transient = transient
        self.failures = 0

    def notify(self, event: TicketEvent) -> None:
        """Fail as configured, or record ``event``."""
        failing = self._left > 0 or (self._fails is not None and self._fails(event))
        if failing:
            self._left = max(self._left - 1, 0)
            self.failures += 1
            raise DeliveryError(
                f"FlakyNotifier failed on {event.kind} {event.id}", transient=self.transient
            )
        super().notify(event)
