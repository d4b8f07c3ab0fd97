"""Indicator engines: the port, the shared rules, and the in-memory engine.

An engine answers ``table(name, by=..., scope=...)`` for every indicator of the
catalogue. Storage adapters provide one (``Storage.indicators()``): the in-memory
adapter computes in Python (here), the SQL adapter with SQL aggregation
(``chamados.storage.sql_indicators``). Both follow the same rules, stated once here:

- the period: ticket indicators count the tickets *created* in ``[start, end)``;
  time in status counts the stays that *ended* in it; the backlog is the tickets that
  were active *at* ``end``, in the status (and team, tier, agent) they had then, aged
  at ``end``: a ticket resolved since still counts, one reopened since does not;
- a status is active unless its category is resolved or closed; ``Scope.settled``
  names the statuses that are not (``settled_statuses`` of the desk's workflows);
- medians and 90th percentiles are nearest-rank (the value at rank ⌈p·n⌉ of the sorted
  values), so both engines give the very same numbers; means are plain averages;
- attainment and rates are ``None`` when their denominator is 0;
- rows are sorted by their keys (``None`` last); partners by compliance, then volume.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import pendulum
from attrs import field, frozen

from chamados import limits
from chamados.clock import seconds_between
from chamados.exceptions import ConfigurationError, InvalidTicketError
from chamados.limits import check_text
from chamados.model import Priority, Ticket
from chamados.reports.catalog import AGE_BUCKETS, DIMENSIONS, INDICATORS
from chamados.reports.results import Report, Table
from chamados.tracking import Stay
from chamados.workflows.registry import WorkflowRegistry

if TYPE_CHECKING:
    from chamados.storage.memory import MemoryStorage

__all__ = [
    "DEFAULT_CUTS",
    "IndicatorEngine",
    "MemoryIndicators",
    "Scope",
    "nearest_rank",
    "settled_statuses",
]

DEFAULT_CUTS: dict[str, tuple[str, ...]] = {
    "volume": ("channel",),
    "first_response": ("channel",),
    "resolution": ("team",),
    "sla_attainment": (),
    "breach_causes": (),
    "backlog": (),
    "reopen_rate": ("team",),
    "escalation_rate": ("category",),
    "n1_resolution": ("team",),
    "time_in_status": ("team", "category"),
    "partner_compliance": (),
    "csat": ("channel",),
}
"""How a report cuts each indicator unless told otherwise."""


def _filters(value: Mapping[str, Any]) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise ConfigurationError(
            f"filters must map dimensions to values, got {value!r}", key="filters"
        )
    found = {}
    for name, v in value.items():
        if v is None:
            continue
        if isinstance(v, bool) or not isinstance(v, str | int | Priority):
            raise ConfigurationError(
                f"the filter {name}= takes a name or a number, got {v!r}", key=str(name)
            )
        found[name] = v.value if isinstance(v, Priority) else str(v)
    return found


# How long a filter value may be: as long as the values the dimension holds.
_FILTER_LIMITS = {
    "tenant": limits.TENANT,
    "channel": limits.CHANNEL,
    "category": limits.ID,
    "team": limits.TEAM,
    "agent": limits.TEAM,
    "partner": limits.ID,
    "tier": limits.NAME,
    "priority": limits.NAME,
}


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


def _names(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


def _builtin_settled() -> frozenset[str]:
    return settled_statuses(WorkflowRegistry.with_builtins())


@frozen
class Scope:
    """What a report looks at: a period, a tenant, and filters on dimensions.

    ``filters`` maps dimensions (``channel``, ``team``, ``tier``, ``agent``,
    ``partner``...) to a value; ``tier`` takes ``2`` or ``"N2"``, ``priority`` a name.
    ``settled`` names the statuses that are not active (by default the built-in
    workflows'; ``Helpdesk.report`` passes its own workflows').
    """

    end: pendulum.DateTime
    start: pendulum.DateTime | None = None
    tenant: str | None = None
    filters: Mapping[str, str] = field(factory=dict, converter=_filters)
    settled: frozenset[str] = field(factory=_builtin_settled, converter=_names)

    def __attrs_post_init__(self) -> None:
        unknown = set(self.filters) - set(DIMENSIONS)
        if unknown:
            raise ConfigurationError(
                f"cannot filter on {sorted(unknown)}; the dimensions are {', '.join(DIMENSIONS)}",
                key="filters",
            )
        for name, value in self.filters.items():
            try:
                check_text(value, field=name, limit=_FILTER_LIMITS[name])
            except InvalidTicketError as error:
                raise ConfigurationError(f"the filter {error}", key=name) from None
            self.wanted(name)  # tier and priority must parse
        if self.start is not None and self.start >= self.end:
            raise ConfigurationError("start must come before end", key="start")

    def wanted(self, name: str) -> str | int | None:
        """The filter on dimension ``name`` in the engines' raw form (tier and priority
        as numbers), or ``None``."""
        value = self.filters.get(name)
        if value is None:
            return None
        if name == "tier":
            number = value.strip().upper().removeprefix("N")
            if not number.isdigit() or not 1 <= int(number) <= limits.TIER:
                raise ConfigurationError(
                    f"the filter tier= takes a support level from 1 to {limits.TIER} "
                    f"(2 or 'N2'), got {value!r}",
                    key="tier",
                )
            return int(number)
        if name == "priority":
            try:
                return Priority(value.lower()).rank
            except ValueError:
                raise ConfigurationError(f"unknown priority {value!r}", key="priority") from None
        return value


def _dimensions(value: object, *, key: str) -> tuple[str, ...]:
    """Dimensions to cut by: a list of names (one name alone is a mistake, not letters)."""
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ConfigurationError(
            f"{key} must be a list of dimensions (['channel']), got {value!r}", key=key
        )
    dimensions = tuple(value)
    if not all(isinstance(d, str) for d in dimensions):
        raise ConfigurationError(
            f"{key} must be a list of dimension names (['channel']), got {value!r}", key=key
        )
    return dimensions


def _cuts(value: object) -> dict[str, tuple[str, ...]]:
    """A report's ``cuts``: indicator names to the dimensions to cut each by."""
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ConfigurationError(
            f"cuts must map indicator names to lists of dimensions "
            f"({{'volume': ['channel']}}), got {value!r}",
            key="cuts",
        )
    unknown = sorted(str(name) for name in value if name not in INDICATORS)
    if unknown:
        raise ConfigurationError(
            f"cuts names unknown indicators {', '.join(unknown)}; the indicators are "
            f"{', '.join(INDICATORS)}",
            key="cuts",
        )
    return {name: _dimensions(by, key=f"cuts[{name!r}]") for name, by in value.items()}


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
    return numerator / denominator if denominator else None


class IndicatorEngine(ABC):
    """Computes indicators over one storage. Subclasses provide the raw rows; this class
    checks the request, normalises keys, sorts, and builds tables and reports."""

    def table(self, name: str, *, scope: Scope, by: Iterable[str] = ()) -> Table:
        """The indicator ``name`` for ``scope``, cut by the dimensions ``by``."""
        indicator = INDICATORS.get(name) if isinstance(name, str) else None
        if indicator is None:
            raise ConfigurationError(
                f"unknown indicator {name!r}; the indicators are {', '.join(INDICATORS)}",
                key="indicator",
            )
        cut = _dimensions(by, key="by")
        unknown = [d for d in cut if d not in DIMENSIONS]
        if unknown or len(set(cut)) != len(cut):
            raise ConfigurationError(
                f"cannot cut by {list(cut)}; the dimensions are {', '.join(DIMENSIONS)}",
                key="by",
            )
        if name == "partner_compliance" and cut:
            raise ConfigurationError("partner_compliance is ranked by partner only", key="by")
        compute: Callable[[tuple[str, ...], Scope], list[tuple[Any, ...]]] = getattr(
            self, f"_{name}"
        )
        rows = compute(cut, scope)
        keys = len(indicator.keys) + len(cut)
        rows = [_normalise(row, indicator.keys, cut) for row in rows]
        if name == "partner_compliance":
            rows.sort(key=lambda r: (-(r[6] if r[6] is not None else -1), -r[2], r[1] or ""))
            rows = [(rank, *row[1:]) for rank, row in enumerate(rows, start=1)]
        else:
            rows.sort(key=lambda r: tuple(_sort_key(v) for v in r[:keys]))
        return Table(
            name=name,
            title=indicator.title,
            by=cut,
            columns=indicator.columns(cut),
            rows=rows,
        )

    def report(self, scope: Scope, *, cuts: Mapping[str, Iterable[str]] | None = None) -> Report:
        """Every indicator for ``scope``, cut as ``cuts`` says (``DEFAULT_CUTS`` for the
        indicators it leaves out)."""
        chosen = {**DEFAULT_CUTS, **_cuts(cuts)}
        return Report(
            start=scope.start,
            end=scope.end,
            tenant=scope.tenant,
            scope=dict(scope.filters),
            tables=[self.table(name, scope=scope, by=chosen[name]) for name in INDICATORS],
            settled=scope.settled,
        )

    # Each returns rows: the indicator's key columns, then the ``by`` dimensions (tier
    # and priority as numbers), then the measures, in catalogue order.

    @abstractmethod
    def _volume(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]: ...
    @abstractmethod
    def _first_response(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]: ...
    @abstractmethod
    def _resolution(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]: ...
    @abstractmethod
    def _sla_attainment(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]: ...
    @abstractmethod
    def _breach_causes(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]: ...
    @abstractmethod
    def _backlog(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]: ...
    @abstractmethod
    def _reopen_rate(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]: ...
    @abstractmethod
    def _escalation_rate(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]: ...
    @abstractmethod
    def _n1_resolution(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]: ...
    @abstractmethod
    def _time_in_status(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]: ...
    @abstractmethod
    def _partner_compliance(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]: ...
    @abstractmethod
    def _csat(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]: ...


def age_bucket(seconds: float) -> str:
    """The backlog age bucket of an age in seconds."""
    for label, limit in AGE_BUCKETS:
        if limit is None or seconds < limit:
            return label
    raise AssertionError("unreachable")  # pragma: no cover


def _normalise(
    row: tuple[Any, ...], keys: tuple[Any, ...], by: tuple[str, ...]
) -> tuple[Any, ...]:
    values = list(row)
    for offset, name in enumerate(by):
        index = len(keys) + offset
        value = values[index]
        if value is None:
            continue
        if name == "tier":
            values[index] = f"N{int(value)}"
        elif name == "priority":
            values[index] = _PRIORITY_NAMES.get(int(value), str(value))
        else:
            values[index] = str(value)
    return tuple(values)


_PRIORITY_NAMES = {p.rank: p.value for p in Priority}
_AGE_ORDER = {label: n for n, (label, _) in enumerate(AGE_BUCKETS)}


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (2, "")
    if isinstance(value, str) and value in _AGE_ORDER:
        return (0, _AGE_ORDER[value])
    return (1, str(value))


# -- the in-memory engine -------------------------------------------------------------------


def _dims(ticket: Ticket) -> dict[str, Any]:
    return {
        "tenant": ticket.tenant,
        "channel": ticket.channel,
        "category": ticket.category,
        "team": ticket.team,
        "tier": ticket.tier,
        "agent": ticket.assignee,
        "partner": ticket.partner.id if ticket.partner else None,
        "priority": ticket.priority.rank,
    }


def _stay_dims(stay: Stay, ticket: Ticket) -> dict[str, Any]:
    return {**_dims(ticket), "team": stay.team, "tier": stay.tier, "agent": stay.assignee}


class MemoryIndicators(IndicatorEngine):
    """Indicators over a ``MemoryStorage``, computed in Python from the same facts the
    SQL engine aggregates."""

    def __init__(self, storage: MemoryStorage) -> None:
        self._storage = storage

    # -- selections -----------------------------------------------------------------------

    def _tickets(self, scope: Scope) -> list[Ticket]:
        with self._storage._lock:  # stored tickets are replaced, never changed: no copies
            tickets = list(self._storage._tickets.values())
        return [
            t
            for t in tickets
            if (scope.tenant is None or t.tenant == scope.tenant)
            and (scope.start is None or t.created_at >= scope.start)
            and t.created_at < scope.end
            and _matches(_dims(t), scope)
        ]

    def _grouped(self, by: tuple[str, ...], scope: Scope) -> dict[tuple[Any, ...], list[Ticket]]:
        groups: dict[tuple[Any, ...], list[Ticket]] = defaultdict(list)
        for ticket in self._tickets(scope):
            dims = _dims(ticket)
            groups[tuple(dims[d] for d in by)].append(ticket)
        return groups

    # -- indicators -----------------------------------------------------------------------

    def _volume(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]:
        return [(*key, len(group)) for key, group in self._grouped(by, scope).items()]

    def _first_response(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]:
        return self._durations(by, scope, "first_response_s", "first_response_business_s")

    def _resolution(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]:
        return self._durations(by, scope, "resolution_s", "resolution_business_s")

    def _durations(
        self, by: tuple[str, ...], scope: Scope, calendar: str, business: str
    ) -> list[tuple[Any, ...]]:
        rows = []
        for key, group in self._grouped(by, scope).items():
            stats = [t.stats for t in group if t.stats and getattr(t.stats, calendar) is not None]
            if not stats:
                continue
            rows.append(
                (
                    *key,
                    len(stats),
                    *durations(getattr(s, calendar) for s in stats),
                    *durations(getattr(s, business) for s in stats),
                )
            )
        return rows

    def _sla_attainment(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]:
        counts: dict[tuple[Any, ...], Counter[str]] = defaultdict(Counter)
        for key, group in self._grouped(by, scope).items():
            for ticket in group:
                for clock in ticket.sla_clocks:
                    counts[(clock.policy, clock.metric, *key)][_outcome(clock)] += 1
        return [
            (*key, c["met"], c["breached"], c["running"], rate(c["met"], c["met"] + c["breached"]))
            for key, c in counts.items()
        ]

    def _breach_causes(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]:
        counts: Counter[tuple[Any, ...]] = Counter()
        for key, group in self._grouped(by, scope).items():
            for ticket in group:
                for breach in ticket.stats.breaches if ticket.stats else ():
                    counts[(breach.policy, breach.metric, breach.owner, breach.status, *key)] += 1
        return [(*key, n) for key, n in counts.items()]

    def _backlog(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]:
        with self._storage._lock:
            tickets = list(self._storage._tickets.values())
            stays = list(self._storage._stays)
        at_end = {
            s.ticket_id: s
            for s in stays
            if s.left_at is not None and s.entered_at <= scope.end < s.left_at
        }
        counts: Counter[tuple[Any, ...]] = Counter()
        for ticket in tickets:
            if ticket.created_at >= scope.end:
                continue
            if scope.tenant is not None and ticket.tenant != scope.tenant:
                continue
            stay = at_end.get(ticket.id)
            if stay is None:  # the stay in progress began before the end
                status, dims = ticket.status, _dims(ticket)
                active = ticket.stats is None or ticket.stats.active
            else:
                status, dims = stay.status, _stay_dims(stay, ticket)
                active = stay.status not in scope.settled
            if not active or not _matches(dims, scope):
                continue
            age = seconds_between(ticket.created_at, scope.end)
            counts[(status, age_bucket(age), *(dims[d] for d in by))] += 1
        return [(*key, n) for key, n in counts.items()]

    def _reopen_rate(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]:
        rows = []
        for key, group in self._grouped(by, scope).items():
            resolved = [t for t in group if t.stats and t.stats.resolutions]
            reopened = sum(1 for t in resolved if t.stats and t.stats.reopens)
            if resolved:
                rows.append((*key, len(resolved), reopened, rate(reopened, len(resolved))))
        return rows

    def _escalation_rate(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]:
        rows = []
        for key, group in self._grouped(by, scope).items():
            escalated = sum(1 for t in group if t.stats and t.stats.max_tier > 1)
            rows.append((*key, len(group), escalated, rate(escalated, len(group))))
        return rows

    def _n1_resolution(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]:
        rows = []
        for key, group in self._grouped(by, scope).items():
            resolved = [t for t in group if t.stats and t.stats.resolutions]
            at_n1 = sum(1 for t in resolved if t.stats and t.stats.max_tier == 1)
            if resolved:
                rows.append((*key, len(resolved), at_n1, rate(at_n1, len(resolved))))
        return rows

    def _time_in_status(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]:
        with self._storage._lock:
            stays = list(self._storage._stays)
            tickets = {t.id: t for t in self._storage._tickets.values()}
        groups: dict[tuple[Any, ...], list[Stay]] = defaultdict(list)
        for stay in stays:
            ticket = tickets.get(stay.ticket_id)
            if ticket is None or stay.left_at is None:
                continue
            if scope.tenant is not None and stay.tenant != scope.tenant:
                continue
            if stay.left_at >= scope.end or (scope.start and stay.left_at < scope.start):
                continue
            dims = _stay_dims(stay, ticket)
            if not _matches(dims, scope):
                continue
            groups[(stay.status, *(dims[d] for d in by))].append(stay)
        return [
            (
                *key,
                len(group),
                *durations(s.calendar_s for s in group),
                *durations(s.business_s for s in group),
            )
            for key, group in groups.items()
        ]

    def _partner_compliance(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]:
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        responses: dict[str, list[int]] = defaultdict(list)
        for ticket in self._tickets(scope):
            if ticket.partner is None:
                continue
            for clock in ticket.sla_clocks:
                if clock.metric != "partner_response":
                    continue
                counts[ticket.partner.id][_outcome(clock)] += 1
                if clock.met_at is not None:
                    elapsed = seconds_between(clock.started_at, clock.met_at)
                    responses[ticket.partner.id].append(max(0, elapsed))
        rows = []
        for partner, c in counts.items():
            total = c["met"] + c["breached"] + c["running"]
            rows.append(
                (
                    0,
                    partner,
                    total,
                    c["met"],
                    c["breached"],
                    c["running"],
                    rate(c["met"], c["met"] + c["breached"]),
                    nearest_rank(sorted(responses[partner]), 50),
                )
            )
        return rows

    def _csat(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]:
        rows = []
        for key, group in self._grouped(by, scope).items():
            scores = [t.rating for t in group if t.rating is not None]
            if not scores:
                continue
            spread = Counter(scores)
            rows.append(
                (*key, len(scores), sum(scores) / len(scores), *(spread[n] for n in range(1, 6)))
            )
        return rows


def _outcome(clock: Any) -> str:
    """``met``, ``breached`` (whether met late or not) or ``running`` (paused included)."""
    if clock.breached_at is not None:
        return "breached"
    return "met" if clock.status == "met" else "running"


def _matches(dims: Mapping[str, Any], scope: Scope) -> bool:
    return all(dims.get(name) == scope.wanted(name) for name in scope.filters)
