"""SLA clocks: what a clock says at any instant, derived from what it remembers.

A clock is one policy's measure of one metric on one ticket. It remembers only facts
taken from the ticket's history: when its cycle started, the spans of time it ran,
whether it runs now, when it stopped, and which warnings and breach it has reported
(``Cycle``, a value the ticket keeps: ``chamados.tracking``). Everything else (due
time, breach time, time left, time paused) is derived from those facts with the policy's
calendar and the ticket's current priority, so a change of priority, target or calendar
applies at once and never loses paused time (``measure``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

import pendulum
from attrs import frozen

from chamados.sla.calendar import BusinessCalendar
from chamados.sla.policy import SlaPolicy, Target, TargetPart
from chamados.tracking import ClockStatus, Cycle, SlaClock, SlaState, Span

# Cycle, SlaClock and SlaState are the values a ticket keeps (chamados.tracking); they
# are re-exported here, where the SLA package has always offered them.
__all__ = ["Cycle", "Measure", "SlaClock", "SlaState", "measure", "run_out"]


@frozen
class Measure:
    """A clock's derived values, and the instants of its warning thresholds."""

    clock: SlaClock
    warnings: tuple[tuple[str, pendulum.DateTime], ...]


class _Part:
    """One measure of a target on its calendar, for one cycle: its amount (business days
    counted from ``base``) and the business time of each span the cycle counted."""

    def __init__(
        self,
        part: TargetPart,
        calendar: BusinessCalendar,
        base: pendulum.DateTime,
        spans: Sequence[Span],
    ) -> None:
        self.calendar = calendar
        self.spans = spans
        if part.kind == "business_days":
            assert part.days is not None
            end = calendar.add_business_days(base, part.days)
            self.amount = calendar.between(base, end)
        else:
            assert part.amount is not None
            self.amount = part.amount
        self.ran = [calendar.between(a, b) for a, b in spans]

    def consumed(self, running: pendulum.DateTime | None, now: pendulum.DateTime) -> timedelta:
        total = sum(self.ran, timedelta(0))
        if running is not None and now > running:
            total += self.calendar.between(running, now)
        return total

    def reach(
        self, amount: timedelta, going_on: pendulum.DateTime | None
    ) -> pendulum.DateTime | None:
        """When the consumed time reaches ``amount``: within the spans counted, or
        counting on from ``going_on``; ``None`` if not reached and not counting."""
        amount = max(amount, timedelta(0))
        done = timedelta(0)
        for (start, _), ran in zip(self.spans, self.ran, strict=True):
            if done + ran >= amount:
                return self.calendar.add(start, amount - done)
            done += ran
        if going_on is None:
            return None
        return self.calendar.add(going_on, amount - done)


def run_out(
    target: Target,
    calendar: BusinessCalendar,
    calendar_time: BusinessCalendar,
    start: pendulum.DateTime,
) -> pendulum.DateTime:
    """When ``target`` runs out counting from ``start`` without a pause (an offset such
    as ``SlaPolicy.start_after``): each measure on its calendar, combined by its mode."""
    parts = [
        _Part(part, calendar_time if part.kind == "calendar" else calendar, start, ())
        for part in target.parts
    ]
    found = _combine(target.mode, [p.reach(p.amount, start) for p in parts])
    assert found is not None  # every measure counts from start
    return found


def _elapsed(start: datetime, end: datetime) -> timedelta:
    """Real time from ``start`` to ``end`` (stdlib arithmetic: pendulum's is slower)."""
    return datetime.__sub__(end, start)


def _combine(mode: str, instants: Sequence[pendulum.DateTime | None]) -> pendulum.DateTime | None:
    known = [i for i in instants if i is not None]
    if mode == "earliest":
        return min(known) if known else None
    return max(known) if known and len(known) == len(instants) else None


def _threshold(warning: float | timedelta) -> str:
    if isinstance(warning, timedelta):
        minutes = int(warning.total_seconds() // 60)
        text = f"{minutes // 60}h{minutes % 60:02d}" if minutes >= 60 else f"{minutes}min"
        return f"{text} left"
    return f"{round(warning * 100)}%"


def measure(
    cycle: Cycle,
    policy: SlaPolicy,
    target: Target,
    now: pendulum.DateTime,
    calendar_time: BusinessCalendar,
    *,
    counts_from: pendulum.DateTime | None = None,
) -> Measure:
    """Derive a clock's values at ``now`` from its facts and today's target and calendars.

    ``calendar_time`` is the 24x7 calendar used for calendar-hour measures. With
    ``counts_from`` (``SlaPolicy.start_after``) the clock counts nothing before that
    instant: it runs, but its target is measured from there (business days too).
    """
    spans: tuple[Span, ...] = cycle.spans
    running = cycle.running_since
    stopped_on = cycle.stopped_at
    if counts_from is not None:
        spans = tuple((max(a, counts_from), b) for a, b in spans if b > counts_from)
        if running is not None and running < counts_from:
            running = counts_from
        if stopped_on is not None and stopped_on < counts_from:
            stopped_on = counts_from
    base = counts_from if counts_from is not None else cycle.started_at
    parts = [
        _Part(part, calendar_time if part.kind == "calendar" else policy.calendar, base, spans)
        for part in target.parts
    ]
    # The instant each measure runs out: counting on if the clock runs now. For a
    # stopped clock, its due time is where it would have run out had it kept counting.
    actual = _combine(target.mode, [p.reach(p.amount, running) for p in parts])
    if cycle.stopped_at is not None:
        due = _combine(target.mode, [p.reach(p.amount, stopped_on) for p in parts])
    else:
        due = actual if running is not None else None
    end = cycle.stopped_at or now
    breached_at = actual if actual is not None and actual <= end else None
    if cycle.stopped_at is not None:
        status: ClockStatus = "breached" if breached_at else "met"
    elif breached_at is not None:
        status = "breached"
    else:
        status = "running" if running is not None else "paused"
    lefts = [p.amount - p.consumed(running, end) for p in parts]
    remaining = min(lefts) if target.mode == "earliest" else max(lefts)
    # Paused time is wall-clock time not running: the facts, whatever counted.
    ran = sum((_elapsed(a, b) for a, b in cycle.spans), timedelta(0))
    if cycle.running_since is not None:
        ran += _elapsed(cycle.running_since, end)
    warnings = []
    for warning in policy.warn_at:
        if isinstance(warning, timedelta):
            amounts = [p.amount - warning for p in parts]
        else:
            amounts = [p.amount * warning for p in parts]
        instant = _combine(
            target.mode,
            [p.reach(a, running) for p, a in zip(parts, amounts, strict=True)],
        )
        if instant is not None:
            warnings.append((_threshold(warning), instant))
    clock = SlaClock(
        policy=cycle.policy,
        metric=cycle.metric,
        cycle=cycle.number,
        status=status,
        target=target.describe(),
        started_at=cycle.started_at,
        due_at=due,
        breached_at=breached_at,
        met_at=cycle.stopped_at,
        paused_for=_elapsed(cycle.started_at, end) - ran,
        remaining=remaining,
        computed_at=now,
    )
    return Measure(clock, tuple(warnings))
