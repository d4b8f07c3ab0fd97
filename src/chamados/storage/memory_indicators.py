"""Indicators over the in-memory storage, computed in Python from the stored facts.

``MemoryIndicators`` reads the tickets and the ended stays through a snapshot callable
(``MemoryStorage`` hands it one), so it knows nothing of how the storage keeps them.
It computes from the same facts the SQL engine aggregates, by the same rules
(``chamados.reports.engine``), and gives the same numbers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from chamados.clock import seconds_between
from chamados.model import Ticket
from chamados.reports.engine import age_bucket, clock_outcome, durations, nearest_rank, rate
from chamados.reports.port import IndicatorEngine, Scope
from chamados.tracking import Stay

__all__ = ["MemoryIndicators", "Snapshot"]

Snapshot = Callable[[], tuple[Sequence[Ticket], Sequence[Stay]]]
"""The stored tickets and the stays that ended, as of the call. The tickets are not
copied: the engine only reads them."""


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
    """Indicators over the facts ``snapshot`` returns, computed in Python."""

    def __init__(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot

    # -- selections -----------------------------------------------------------------------

    def _tickets(self, scope: Scope) -> list[Ticket]:
        tickets, _ = self._snapshot()
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
                    counts[(clock.policy, clock.metric, *key)][clock_outcome(clock)] += 1
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
        tickets, stays = self._snapshot()
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
        stored, stays = self._snapshot()
        tickets = {t.id: t for t in stored}
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
                counts[ticket.partner.id][clock_outcome(clock)] += 1
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


def _matches(dims: Mapping[str, Any], scope: Scope) -> bool:
    return all(dims.get(name) == scope.wanted(name) for name in scope.filters)
