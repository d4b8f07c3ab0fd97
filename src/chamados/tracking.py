"""What a ticket keeps between commands, as frozen values: its SLA clocks and its facts.

A ``Ticket`` carries these values from one command to the next, and storage keeps them
with it (``chamados.storage.codec`` knows them by class name, so moving them never
changes a stored document). They are plain data: the engines that compute them live
above the ticket (``chamados.sla.clocks`` derives clocks, ``chamados.sla.engine`` folds
events into cycles, ``chamados.reports.facts`` folds them into the facts indicators are
computed from), so ``chamados.model`` can type its fields with them at run time and
depend on nothing above it.

This module imports nothing from chamados: it sits at the bottom of the layers.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

import pendulum
from attrs import evolve, frozen

__all__ = [
    "Breach",
    "ClockStatus",
    "Cycle",
    "SlaClock",
    "SlaState",
    "Span",
    "Stay",
    "TicketStats",
]


# -- SLA: what the SLA engine keeps on a ticket ---------------------------------------------

Span = tuple[pendulum.DateTime, pendulum.DateTime]
"""An interval a clock ran: from its start up to (not including) its end."""

ClockStatus = Literal["running", "paused", "met", "breached"]
"""What a clock says at an instant."""


@frozen
class Cycle:
    """The facts of one run of one clock, taken from the ticket's history."""

    policy: str
    metric: str
    number: int
    started_at: pendulum.DateTime
    spans: tuple[Span, ...] = ()
    running_since: pendulum.DateTime | None = None
    stopped_at: pendulum.DateTime | None = None
    warned: frozenset[str] = frozenset()
    breach_reported: bool = False

    @property
    def key(self) -> tuple[str, str]:
        """``(policy, metric)``: a ticket has one current cycle per key."""
        return (self.policy, self.metric)

    def pause(self, at: pendulum.DateTime) -> Cycle:
        """Stop counting at ``at``, keeping the span that ran."""
        if self.running_since is None:
            return self
        span = (self.running_since, at)
        spans = (*self.spans, span) if at > self.running_since else self.spans
        return evolve(self, spans=spans, running_since=None)

    def resume(self, at: pendulum.DateTime) -> Cycle:
        """Count again from ``at``."""
        return self if self.running_since is not None else evolve(self, running_since=at)

    def stop(self, at: pendulum.DateTime) -> Cycle:
        """End the cycle at ``at`` (the metric was met)."""
        return evolve(self.pause(at), stopped_at=at)


@frozen
class SlaState:
    """What the SLA engine keeps on a ticket between commands.

    ``fingerprint`` names the policies (and their pause rules) the cycles were built
    under: when it no longer matches, the clocks are rebuilt from the whole history.
    """

    fingerprint: str
    status: str
    cycles: tuple[Cycle, ...] = ()
    team_replied: bool = False
    last_public_by_team: bool = False


@frozen
class SlaClock:
    """One clock as it stands at ``computed_at``: the view users read.

    ``status`` is ``running``, ``paused``, ``met`` or ``breached`` (a clock that ran out
    stays ``breached`` even when the metric is met later; ``met_at`` then says when).
    ``due_at`` is ``None`` while paused. ``remaining`` is the time left of the measure
    closest to running out (negative once breached); ``paused_for`` the wall-clock time
    the cycle spent paused.
    """

    policy: str
    metric: str
    cycle: int
    status: ClockStatus
    target: str
    started_at: pendulum.DateTime
    due_at: pendulum.DateTime | None
    breached_at: pendulum.DateTime | None
    met_at: pendulum.DateTime | None
    paused_for: timedelta
    remaining: timedelta
    computed_at: pendulum.DateTime


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
