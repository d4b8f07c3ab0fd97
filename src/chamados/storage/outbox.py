"""The outbox port: events waiting to be delivered, claimed and settled by relays.

A command writes its events to the outbox in the same transaction as the ticket, so an
event is never lost between the database and the notifiers. Relays then *claim* due
messages (a lease: claimed messages are theirs until ``claimed_until``), deliver them,
and *settle* each one: delivered, to retry at a later time, dead, or released untouched.
A relay that dies holding a claim loses it when the lease runs out, and the messages
are claimed again: delivery is at least once, and ``OutboxMessage.id`` (the event id)
lets receivers drop repeats.

Order is kept per ticket: a claim takes, for each ticket, only a run of its oldest
pending messages, and none while an older one waits for a retry or is claimed by
someone else.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Literal

import pendulum
from attrs import evolve, field, frozen

from chamados import limits
from chamados.events import TicketEvent
from chamados.limits import storable_text

__all__ = ["Claim", "Outbox", "OutboxMessage", "Settlement"]

Status = Literal["pending", "delivered", "dead"]


def _names(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


@frozen
class OutboxMessage:
    """One event waiting for (or done with) delivery.

    ``id`` is the event's id: stable across retries and relays, for deduplication.
    ``delivered_to`` names the notifiers that already took it (a retry skips them).
    """

    id: str
    seq: int
    event: TicketEvent
    status: Status = "pending"
    attempts: int = 0
    next_attempt_at: pendulum.DateTime | None = None
    delivered_to: frozenset[str] = field(default=frozenset(), converter=_names)
    last_error: str | None = None
    delivered_at: pendulum.DateTime | None = None

    @property
    def ticket_id(self) -> str:
        return self.event.ticket_id

    @property
    def tenant(self) -> str:
        return self.event.tenant

    @property
    def kind(self) -> str:
        return self.event.kind


@frozen
class Claim:
    """Messages claimed by one relay until ``until``; ``token`` proves the claim."""

    token: str
    until: pendulum.DateTime
    messages: tuple[OutboxMessage, ...]

    def __len__(self) -> int:
        return len(self.messages)


def _error_text(value: str | None) -> str | None:
    return None if value is None else storable_text(str(value), limit=limits.ERROR)


@frozen
class Settlement:
    """What became of one claimed message.

    ``outcome``: ``delivered``; ``retry`` (one more failed attempt, due again at
    ``retry_at``); ``dead`` (a failed attempt, no more retries); ``release`` (not
    attempted: handed back as it was). ``error`` is kept as text every storage can hold
    (``chamados.limits.storable_text``): a notifier's message may carry anything.
    """

    message_id: str
    outcome: Literal["delivered", "retry", "dead", "release"]
    delivered_to: frozenset[str] = field(default=frozenset(), converter=_names)
    error: str | None = field(default=None, converter=_error_text)
    retry_at: pendulum.DateTime | None = None

    def applied_to(self, message: OutboxMessage, *, now: pendulum.DateTime) -> OutboxMessage:
        """``message`` after this settlement at ``now``: the rule every outbox follows
        (each adapter stores what this returns; none restates it).

        Every outcome adds ``delivered_to`` to the notifiers that took the message.
        ``delivered``: delivered at ``now``, no error. ``retry``: one more attempt, due
        again at ``retry_at``. ``dead``: one more attempt, never due again. Both keep
        ``error`` (an empty one as ``None``). ``release``: nothing else changes.
        """
        delivered_to = message.delivered_to | self.delivered_to
        if self.outcome == "release":
            return evolve(message, delivered_to=delivered_to)
        if self.outcome == "delivered":
            return evolve(
                message,
                status="delivered",
                delivered_to=delivered_to,
                delivered_at=now,
                last_error=None,
            )
        return evolve(
            message,
            status="dead" if self.outcome == "dead" else "pending",
            attempts=message.attempts + 1,
            next_attempt_at=self.retry_at if self.outcome == "retry" else None,
            delivered_to=delivered_to,
            last_error=self.error or None,
        )


class Outbox(ABC):
    """The outbox of one storage. Every method is a transaction of its own."""

    @abstractmethod
    def claim(
        self,
        now: pendulum.DateTime,
        *,
        limit: int,
        lease: timedelta,
        tenant: str | None = None,
        ids: Iterable[str] | None = None,
    ) -> Claim:
        """Claim up to ``limit`` due messages (pending, not backing off, not claimed),
        oldest first, keeping each ticket's order; ``ids`` narrows them to those."""

    @abstractmethod
    def settle(
        self, claim: Claim, settlements: Sequence[Settlement], *, now: pendulum.DateTime
    ) -> int:
        """Record what became of claimed messages, in one transaction; return how many
        were settled. A message whose claim was lost (the lease ran out and another
        relay claimed it) is left to that relay and not counted."""

    @abstractmethod
    def dead(self, *, tenant: str | None = None, limit: int = 100) -> list[OutboxMessage]:
        """Dead messages (no more retries), oldest first."""

    @abstractmethod
    def requeue(self, ids: Iterable[str], *, now: pendulum.DateTime) -> int:
        """Put dead messages back in line, due now with their attempts reset; return how
        many. Notifiers that took them already are still skipped."""

    @abstractmethod
    def get(self, message_id: str) -> OutboxMessage | None:
        """One message, whatever its status."""

    @abstractmethod
    def counts(self, *, tenant: str | None = None) -> dict[str, int]:
        """How many messages are ``pending``, ``delivered`` and ``dead``."""

    @abstractmethod
    def purge(self, *, delivered_before: pendulum.DateTime) -> int:
        """Delete messages delivered before the given time; return how many."""
