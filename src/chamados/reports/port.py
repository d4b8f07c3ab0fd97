"""The indicator engine port: what a report asks (``Scope``) and what an engine answers.

An engine answers ``table(name, by=..., scope=...)`` for every indicator of the
catalogue (``chamados.reports.catalog``). Storage adapters provide one
(``Storage.indicators()``): the in-memory adapter computes in Python
(``chamados.storage.memory_indicators``), the SQL adapter with SQL aggregation
(``chamados.storage.sql.indicators``). ``IndicatorEngine`` checks the request,
normalises and sorts the rows and builds the tables; adapters fill in the raw rows,
following the rules of ``chamados.reports.engine``. Nothing here knows a storage.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import pendulum
from attrs import field, frozen

from chamados import limits
from chamados.exceptions import ConfigurationError, InvalidTicketError
from chamados.limits import check_text
from chamados.model import Priority
from chamados.reports.catalog import AGE_BUCKETS, DIMENSIONS, INDICATORS
from chamados.reports.engine import settled_statuses
from chamados.reports.results import Report, Table
from chamados.workflows.registry import WorkflowRegistry

__all__ = ["DEFAULT_CUTS", "IndicatorEngine", "Scope"]

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
