"""What a ticket keeps between commands, as frozen values: a leaf, imports nothing of chamados.

The ticket (``chamados.model``) carries these values; the commands fold each one's
events into them, so nothing later has to replay a ticket's history.
"""

from __future__ import annotations

import pendulum
from attrs import frozen

__all__ = ["Breach", "Stay", "TicketStats"]


# -- the facts indicators are computed from (folded by chamados.reports.facts) ---------------


@frozen
class Breach:
    """An SLA breach, and where the ticket stood when it happened: the status and who
    owed the next action then (``team``, ``customer``, ``partner``, ``marketplace``)."""

    policy: str
    metric: str
    cycle: int
    owner: str
    status: str


@frozen
class Stay:
    """A ticket's time in one status with one team, tier and assignee.

    ``left_at`` is ``None`` for the stay in progress (kept in ``TicketStats``); stays
    that ended are written to storage with their calendar and business seconds.
    """

    ticket_id: str
    tenant: str
    status: str
    team: str | None
    tier: int
    assignee: str | None
    entered_at: pendulum.DateTime
    left_at: pendulum.DateTime | None = None
    calendar_s: int | None = None
    business_s: int | None = None


@frozen
class TicketStats:
    """What a ticket's history says for indicators, folded event by event.

    Durations are whole seconds from the ticket's opening: to the team's first public,
    human reply (``first_response_*``) and to its latest resolution (``resolution_*``).
    """

    stay: Stay
    first_response_at: pendulum.DateTime | None = None
    first_response_s: int | None = None
    first_response_business_s: int | None = None
    resolution_s: int | None = None
    resolution_business_s: int | None = None
    resolutions: int = 0
    reopens: int = 0
    escalations: int = 0
    max_tier: int = 1
    breaches: tuple[Breach, ...] = ()
    active: bool = True
    """Whether the ticket's status is active (not resolved or closed): the backlog."""
