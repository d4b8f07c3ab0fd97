"""What a ticket keeps between commands, as frozen values: its SLA clocks and their facts.

A ``Ticket`` carries these values from one command to the next, and storage keeps them
with it (``chamados.storage.codec`` knows them by class name, so moving them never
changes a stored document). They are plain data: the engines that compute them live
above the ticket (``chamados.sla.clocks`` derives clocks, ``chamados.sla.engine`` folds
events into cycles), so ``chamados.model`` can type its fields with them at run time and
depend on nothing above it.

This module imports nothing from chamados: it sits at the bottom of the layers.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Literal

import pendulum
from attrs import evolve, frozen

__all__ = ["ClockStatus", "Cycle", "SlaClock", "SlaState", "Span"]


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
