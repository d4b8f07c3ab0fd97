"""SLA policies and targets: what a ticket is promised, on which calendar, paused when.

A ``Target`` is an amount of business time, calendar time (24x7) or business days, or the
earliest or latest of several ("12 business hours or 24 calendar hours, whichever comes
first"). An ``SlaPolicy`` gives targets to metrics, chooses the tickets it applies to,
and says which states pause its clocks.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any, Literal

from attrs import field, frozen

from chamados import limits
from chamados.exceptions import ConfigurationError
from chamados.model import Category, Priority, Ticket
from chamados.policies import Condition, TicketPredicate, compile_condition
from chamados.sla.calendar import BusinessCalendar

__all__ = [
    "METRICS",
    "TEAM_METRICS",
    "Metric",
    "SlaPolicy",
    "Target",
    "TargetPart",
    "applicable",
]

Metric = Literal[
    "first_response", "next_response", "periodic_update", "resolution", "partner_response"
]
METRICS: tuple[Metric, ...] = (
    "first_response",
    "next_response",
    "periodic_update",
    "resolution",
    "partner_response",
)
TEAM_METRICS: frozenset[str] = frozenset(METRICS) - {"partner_response"}
"""Metrics that measure the team; ``partner_response`` measures partners."""

Kind = Literal["business", "calendar", "business_days"]


@frozen
class TargetPart:
    """One measure of a target: ``amount`` of business or calendar time, or ``days``."""

    kind: Kind
    amount: timedelta | None = None
    days: int | None = None

    def describe(self) -> str:
        """``"12h business"``, ``"24h calendar"``, ``"3 business days"``."""
        if self.kind == "business_days":
            return f"{self.days} business day{'s' if self.days != 1 else ''}"
        assert self.amount is not None
        return f"{_duration(self.amount)} {self.kind}"


def _duration(amount: timedelta) -> str:
    seconds = int(amount.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    if hours and minutes:
        return f"{hours}h{minutes:02d}"
    return f"{hours}h" if hours else f"{minutes}min"


@frozen(init=False)
class Target:
    """How long a metric may take.

    >>> from datetime import timedelta
    >>> Target(business=timedelta(hours=8)).describe()
    '8h business'
    >>> Target.earliest(business=timedelta(hours=12), calendar=timedelta(hours=24)).describe()
    'earliest of 12h business, 24h calendar'
    """

    parts: tuple[TargetPart, ...]
    mode: Literal["earliest", "latest"] = "earliest"

    def __init__(
        self,
        *,
        business: timedelta | None = None,
        calendar: timedelta | None = None,
        business_days: int | None = None,
    ) -> None:
        parts = _parts(business=business, calendar=calendar, business_days=business_days)
        if len(parts) != 1:
            raise ConfigurationError(
                "a Target takes exactly one of business=, calendar= or business_days=; "
                "use Target.earliest(...) or Target.latest(...) to combine them",
                key="target",
            )
        self.__attrs_init__(parts=parts, mode="earliest")

    @classmethod
    def earliest(cls, *targets: Target, **measures: Any) -> Target:
        """Due when the first of several measures runs out (the usual marketplace rule)."""
        return cls._combine("earliest", targets, measures)

    @classmethod
    def latest(cls, *targets: Target, **measures: Any) -> Target:
        """Due when the last of several measures runs out."""
        return cls._combine("latest", targets, measures)

    @classmethod
    def _combine(
        cls,
        mode: Literal["earliest", "latest"],
        targets: Sequence[Target],
        measures: Mapping[str, Any],
    ) -> Target:
        unknown = set(measures) - {"business", "calendar", "business_days"}
        if unknown:
            raise ConfigurationError(
                f"unknown target measure(s) {', '.join(sorted(unknown))}; use business=, "
                f"calendar= or business_days=",
                key="target",
            )
        parts = [part for target in targets for part in target.parts]
        parts.extend(_parts(**measures))
        if not parts:
            raise ConfigurationError(f"Target.{mode}() needs at least one measure", key="target")
        target = object.__new__(cls)
        target.__attrs_init__(parts=tuple(parts), mode=mode)
        return target

    def describe(self) -> str:
        """The target in words."""
        if len(self.parts) == 1:
            return self.parts[0].describe()
        return f"{self.mode} of {', '.join(p.describe() for p in self.parts)}"


def _parts(
    *,
    business: timedelta | None = None,
    calendar: timedelta | None = None,
    business_days: int | None = None,
) -> tuple[TargetPart, ...]:
    parts: list[TargetPart] = []
    for kind, amount in (("business", business), ("calendar", calendar)):
        if amount is None:
            continue
        if not isinstance(amount, timedelta) or amount <= timedelta(0):
            raise ConfigurationError(
                f"{kind}= must be a positive timedelta, got {amount!r}", key="target"
            )
        if amount > BusinessCalendar.HORIZON:
            raise ConfigurationError(
                f"{kind}={amount} is longer than {BusinessCalendar.HORIZON_YEARS} years, "
                f"the horizon within which calendars answer; give a target a customer can "
                f"wait for",
                key="target",
            )
        parts.append(TargetPart(kind, amount=amount))  # type: ignore[arg-type]
    if business_days is not None:
        if (
            isinstance(business_days, bool)
            or not isinstance(business_days, int)
            or business_days < 1
        ):
            raise ConfigurationError(
                f"business_days= must be a whole number of days, at least 1, "
                f"got {business_days!r}",
                key="target",
            )
        if business_days > BusinessCalendar.HORIZON.days:
            raise ConfigurationError(
                f"business_days={business_days} do not fit in "
                f"{BusinessCalendar.HORIZON_YEARS} years, the horizon within which calendars "
                f"answer; give a target a customer can wait for",
                key="target",
            )
        parts.append(TargetPart("business_days", days=business_days))
    return tuple(parts)


TargetSpec = Target | Mapping[Priority | str, Target]
PauseSpec = Collection[str] | Mapping[str, Collection[str]]
Warning = float | timedelta

_CATEGORIES = frozenset(c.value for c in Category)


def _pause_sets(pause_on: PauseSpec, metrics: Iterable[str]) -> dict[str, frozenset[str]]:
    """Pause states per metric. A plain set applies to the team metrics only."""
    if isinstance(pause_on, Mapping):
        unknown = set(pause_on) - set(METRICS)
        if unknown:
            raise ConfigurationError(
                f"pause_on names unknown metric(s) {', '.join(sorted(unknown))}",
                key="pause_on",
            )
        found = {metric: frozenset(pause_on.get(metric, ())) for metric in metrics}
    else:
        if isinstance(pause_on, str):
            raise ConfigurationError(
                "pause_on must be a set of state categories or names, not a string",
                key="pause_on",
            )
        shared = frozenset(pause_on)
        found = {m: shared if m in TEAM_METRICS else frozenset() for m in metrics}
    for names in found.values():
        for name in names:
            if not isinstance(name, str) or not name:
                raise ConfigurationError(
                    f"pause_on entries must be names, got {name!r}", key="pause_on"
                )
    return found


@frozen(init=False, eq=False)
class SlaPolicy:
    """Targets for a kind of ticket, on one calendar.

    ``when`` chooses tickets (see ``chamados.policies.compile_condition``; ``None``: every ticket).
    Policies sharing a ``group`` compete: the first in the ``Helpdesk``'s list that matches
    wins, so a group ends with its default (``when=None``). Policies without a group
    apply whenever they match, so a marketplace's SLA and the store's own can run on the
    same ticket, each with its own clocks.

    ``targets`` maps metrics to a ``Target``, or to targets by priority (a ``"default"``
    key covers priorities not listed; a priority with no target gets no clock).
    ``pause_on`` lists the state categories (``"pending"``, ``"on_hold"``) or state names
    that pause the clocks: a set applies to the team's metrics; a mapping sets them per
    metric (``partner_response`` pauses only where told). ``warn_at`` lists fractions of
    the target (``0.75``) and amounts of time left (``timedelta(minutes=30)``).
    ``reopen`` says what a reopen does to the resolution clock: ``"resume"`` (default:
    the time spent resolved counts as paused) or ``"restart"`` (a new cycle).

    ``first_response_from`` says when the first response clock starts: at the ticket's
    ``"opening"`` (default), or at the ``"customer_message"``: the requester's first
    public, human message (which may be the one it opens the ticket with), so a ticket
    the team opens for a customer owes no first response until the customer writes
    (as Zammad and Request Tracker count it). If the team writes first, the customer's
    message starts ``next_response`` as usual. ``start_after`` (a ``Target``) delays the
    clocks that start with the ticket: they count from the moment that target runs out
    after the opening (Request Tracker's ``Starts``); later cycles count at once.
    """

    name: str
    calendar: BusinessCalendar
    targets: Mapping[str, TargetSpec]
    when: Condition | None
    pause_on: Mapping[str, frozenset[str]]
    warn_at: tuple[Warning, ...]
    group: str | None
    reopen: Literal["resume", "restart"]
    first_response_from: Literal["opening", "customer_message"]
    start_after: Target | None
    matches: TicketPredicate = field(repr=False)
    fingerprint: str = field(repr=False)

    def __init__(
        self,
        *,
        name: str,
        calendar: BusinessCalendar,
        targets: Mapping[str, TargetSpec],
        when: Condition | None = None,
        pause_on: PauseSpec = frozenset({"pending"}),
        warn_at: Iterable[Warning] = (0.75,),
        group: str | None = None,
        reopen: Literal["resume", "restart"] = "resume",
        first_response_from: Literal["opening", "customer_message"] = "opening",
        start_after: Target | None = None,
    ) -> None:
        if not isinstance(name, str) or not name.strip():
            raise ConfigurationError("an SlaPolicy needs a name", key="name")
        if len(name) > limits.NAME:
            raise ConfigurationError(
                f"an SlaPolicy's name is stored in at most {limits.NAME} characters; "
                f"{name[:20]!r}... has {len(name)}",
                key="name",
            )
        where = f"policy {name!r}"
        if not isinstance(calendar, BusinessCalendar):
            raise ConfigurationError(
                f"{where}: calendar must be a BusinessCalendar", key="calendar"
            )
        if not isinstance(targets, Mapping) or not targets:
            raise ConfigurationError(
                f"{where}: targets must map metrics to targets", key="targets"
            )
        for metric, spec in targets.items():
            if metric not in METRICS:
                raise ConfigurationError(
                    f"{where}: unknown metric {metric!r}; use {', '.join(METRICS)}",
                    key=f"targets.{metric}",
                )
            _check_spec(spec, f"{where}: targets.{metric}")
            _check_reach(spec, calendar, f"{where}: targets.{metric}", f"targets.{metric}")
        if reopen not in ("resume", "restart"):
            raise ConfigurationError(
                f"{where}: reopen must be 'resume' or 'restart'", key="reopen"
            )
        if first_response_from not in ("opening", "customer_message"):
            raise ConfigurationError(
                f"{where}: first_response_from must be 'opening' or 'customer_message', got "
                f"{first_response_from!r}",
                key="first_response_from",
            )
        if start_after is not None:
            if not isinstance(start_after, Target):
                raise ConfigurationError(
                    f"{where}: start_after must be a Target (Target(business=...), "
                    f"Target(business_days=...)...), got {start_after!r}",
                    key="start_after",
                )
            _check_reach(start_after, calendar, f"{where}: start_after", "start_after")
        warnings = tuple(warn_at)
        for warning in warnings:
            fraction = isinstance(warning, float | int) and not isinstance(warning, bool)
            if fraction and 0 < warning < 1:  # type: ignore[operator]
                continue
            if isinstance(warning, timedelta) and warning > timedelta(0):
                continue
            raise ConfigurationError(
                f"{where}: warn_at takes fractions between 0 and 1 or positive timedeltas, "
                f"got {warning!r}",
                key="warn_at",
            )
        pauses = _pause_sets(pause_on, targets)
        digest = hashlib.sha1(
            repr(
                (sorted(targets), sorted((m, sorted(s)) for m, s in pauses.items()), reopen)
                # Only when not the default, so fingerprints stored before stay valid.
                + ((first_response_from,) if first_response_from != "opening" else ())
            ).encode(),
            usedforsecurity=False,
        ).hexdigest()[:12]
        self.__attrs_init__(
            name=name,
            calendar=calendar,
            targets=dict(targets),
            when=when,
            pause_on=pauses,
            warn_at=warnings,
            group=group,
            reopen=reopen,
            first_response_from=first_response_from,
            start_after=start_after,
            matches=compile_condition(when, where=f"{where}: when"),
            fingerprint=digest,
        )

    def target_for(self, metric: str, priority: Priority) -> Target | None:
        """The target of ``metric`` for a ticket of ``priority`` (``None``: no clock)."""
        spec = self.targets.get(metric)
        if spec is None or isinstance(spec, Target):
            return spec
        for key, target in spec.items():
            if key == priority or key == priority.value:
                return target
        return spec.get("default")

    def pauses(self, metric: str, status: str, category: Category) -> bool:
        """True when ``metric`` is paused in ``status`` (of ``category``)."""
        names = self.pause_on.get(metric, frozenset())
        return status in names or category.value in names


def _check_spec(spec: Any, where: str) -> None:
    if isinstance(spec, Target):
        return
    if not isinstance(spec, Mapping) or not spec:
        raise ConfigurationError(
            f"{where} must be a Target or a mapping of priorities to Targets", key=where
        )
    for key, target in spec.items():
        if key != "default":
            Priority.parse(key)
        if not isinstance(target, Target):
            raise ConfigurationError(
                f"{where}[{key!r}] must be a Target, got {target!r}", key=where
            )


def _check_reach(spec: TargetSpec, calendar: BusinessCalendar, where: str, key: str) -> None:
    """Refuse targets the calendar cannot reach within its horizon: every command would
    search a century for a due time and fail."""
    targets = [spec] if isinstance(spec, Target) else list(spec.values())
    for part in (part for target in targets for part in target.parts):
        if part.kind == "business" and part.amount is not None:
            too_far = part.amount > calendar.max_duration
            years = part.amount / (calendar.weekly_hours * 52)
            week = _duration(calendar.weekly_hours)
        elif part.kind == "business_days" and part.days is not None:
            too_far = part.days > calendar.max_business_days
            years = part.days / (calendar.weekly_days * 52)
            week = f"{calendar.weekly_days} days"
        else:
            continue
        if too_far:
            raise ConfigurationError(
                f"{where}: {part.describe()} would take about {years:,.0f} years on this "
                f"calendar (open {week} a week), and calendars "
                f"answer within {calendar.HORIZON_YEARS} years; shorten the target or give "
                f"the calendar more hours",
                key=key,
            )


def applicable(policies: Sequence[SlaPolicy], ticket: Ticket) -> list[SlaPolicy]:
    """The policies that apply to ``ticket``: every matching one without a group, and the
    first matching one of each group, in list order."""
    found: list[SlaPolicy] = []
    taken: set[str] = set()
    for policy in policies:
        if policy.group is not None and policy.group in taken:
            continue
        if policy.matches(ticket):
            found.append(policy)
            if policy.group is not None:
                taken.add(policy.group)
    return found
