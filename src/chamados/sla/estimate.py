"""A new deadline to promise when a clock misses (or is about to miss) its due time.

Customers who are told "we will not make it" get a new estimate: a fresh run of the same
target, started when the old deadline runs out (or now, if that is later), measured like
the clock itself on its policy's calendar, and rounded up to the hour people say.
``chamados.notify.CustomerMessages.new_estimate`` words it; the arithmetic is here, with
the clocks.
"""

from __future__ import annotations

from datetime import timedelta

import pendulum

from chamados.clock import as_instant
from chamados.model import Priority
from chamados.sla.calendar import BusinessCalendar
from chamados.sla.clocks import measure
from chamados.sla.policy import SlaPolicy
from chamados.tracking import Cycle, SlaClock

__all__ = ["new_estimate"]


def new_estimate(
    clock: SlaClock,
    *,
    policy: SlaPolicy | None,
    missed: pendulum.DateTime,
    priority: Priority,
    now: pendulum.DateTime,
) -> pendulum.DateTime:
    """The new deadline for ``clock``, which misses its due time ``missed``.

    With the clock's ``policy`` (and a target for ``priority`` in it), the fresh run is
    measured on the policy's calendar; without, it lasts as long, in elapsed time, as the
    clock had from its start to ``missed``. Either way it starts at ``missed`` or ``now``,
    whichever is later, and is rounded up to the hour.
    """
    start = max(missed, now)
    target = policy.target_for(clock.metric, priority) if policy is not None else None
    due: pendulum.DateTime | None = None
    if policy is not None and target is not None:
        cycle = Cycle(
            policy=clock.policy,
            metric=clock.metric,
            number=clock.cycle,
            started_at=start,
            running_since=start,
        )
        always = BusinessCalendar.always_open(timezone=policy.calendar.timezone)
        due = measure(cycle, policy, target, start, always).clock.due_at
    if due is None:
        allowance = max(missed - as_instant(clock.started_at), timedelta(0))
        due = start + allowance
    return _round_up_to_hour(due)


def _round_up_to_hour(when: pendulum.DateTime) -> pendulum.DateTime:
    whole = when.set(minute=0, second=0, microsecond=0)
    return whole if whole == when else whole.add(hours=1)
