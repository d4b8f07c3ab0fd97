"""The rules both indicator engines follow, stated once: the port
(``chamados.reports.port``) and both adapters (``chamados.storage.memory_indicators``,
``chamados.storage.sql.indicators``) use these, so they give the very same numbers.

- the period: ticket indicators count the tickets *created* in ``[start, end)``;
  time in status counts the stays that *ended* in it; the backlog is the tickets that
  were active *at* ``end``, in the status (and team, tier, agent) they had then, aged
  at ``end``: a ticket resolved since still counts, one reopened since does not;
- a status is active unless its category is resolved or closed; ``Scope.settled``
  names the statuses that are not (``settled_statuses`` of the desk's workflows);
- an SLA clock's outcome is ``met``, ``breached`` (whether met late or not) or
  ``running`` (paused included): ``clock_outcome``;
- medians and 90th percentiles are nearest-rank (the value at rank ⌈p·n⌉ of the sorted
  values); means are plain averages;
- attainment and rates are ``None`` when their denominator is 0;
- rows are sorted by their keys (``None`` last); partners by compliance, then volume.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from chamados.reports.catalog import AGE_BUCKETS
from chamados.tracking import SlaClock
from chamados.workflows.registry import WorkflowRegistry

__all__ = [
    "age_bucket",
    "clock_outcome",
    "durations",
    "nearest_rank",
    "rate",
    "settled_statuses",
]


def settled_statuses(workflows: WorkflowRegistry) -> frozenset[str]:
    """The statuses of ``workflows`` that are not active (resolved or closed): where a
    ticket no longer waits. A name that is active in any workflow counts as active.

    >>> sorted(settled_statuses(WorkflowRegistry.with_builtins()))
    ['closed', 'denied', 'refunded', 'resolved']
    """
    settled: set[str] = set()
    active: set[str] = set()
    for name in workflows:
        for status, declared in workflows.get(name).statuses.items():
            (active if declared.category.is_active else settled).add(status)
    return frozenset(settled - active)


def nearest_rank(ordered: Sequence[int], percent: int) -> int | None:
    """The nearest-rank percentile of sorted values: the value at rank ⌈percent·n/100⌉.

    >>> nearest_rank([10, 20, 30, 40], 50), nearest_rank([10, 20, 30, 40], 90)
    (20, 40)
    """
    n = len(ordered)
    if n == 0:
        return None
    rank = (percent * n + 99) // 100
    return ordered[max(rank, 1) - 1]


def durations(values: Iterable[int | None]) -> tuple[float | None, int | None, int | None]:
    """Mean, median and 90th percentile of the values that are not ``None``."""
    known = sorted(v for v in values if v is not None)
    if not known:
        return None, None, None
    return sum(known) / len(known), nearest_rank(known, 50), nearest_rank(known, 90)


def rate(numerator: int, denominator: int) -> float | None:
    """``numerator / denominator``, or ``None`` when the denominator is 0."""
    return numerator / denominator if denominator else None


def age_bucket(seconds: float) -> str:
    """The backlog age bucket of an age in seconds."""
    for label, limit in AGE_BUCKETS:
        if limit is None or seconds < limit:
            return label
    raise AssertionError("unreachable")  # pragma: no cover


def clock_outcome(clock: SlaClock) -> str:
    """``met``, ``breached`` (whether met late or not) or ``running`` (paused included)."""
    if clock.breached_at is not None:
        return "breached"
    return "met" if clock.status == "met" else "running"
