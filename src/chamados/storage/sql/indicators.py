"""Indicators in SQL: the facts tables, written with each command, and their aggregates.

The unit of work's commit calls ``write_facts``: one narrow row per ticket in
``chamados_facts`` (its dimensions and measures, from ``Ticket.stats``), its SLA
outcomes and breaches (each rewritten only when it changed), and the stays that ended
(appended). Every indicator is one or two ``GROUP BY`` queries over ``chamados_facts`` (one narrow
row per ticket), ``chamados_sla_outcomes``, ``chamados_breaches`` and ``chamados_stays``;
nothing loads tickets into Python. Medians and 90th percentiles are nearest-rank,
computed with window functions that SQLite, PostgreSQL and MariaDB all have
(``ROW_NUMBER() OVER (PARTITION BY ... ORDER BY value)``): the value at the first rank
``r`` with ``100·r ≥ p·n``. The rules shared with the in-memory engine live in
``chamados.reports.engine``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from chamados.clock import epoch_micros, seconds_between
from chamados.model import Ticket
from chamados.reports.catalog import AGE_BUCKETS
from chamados.reports.engine import clock_outcome, rate
from chamados.reports.port import IndicatorEngine, Scope
from chamados.storage.port import Changes
from chamados.storage.sql.database import Database
from chamados.storage.sql.schema import breaches, dimensions, facts, sla_outcomes, stays
from chamados.tracking import Stay

__all__ = ["SqlIndicators", "write_facts"]

_T = facts.c
_DIMENSIONS: dict[str, sa.ColumnElement[Any]] = {
    "tenant": _T.tenant,
    "channel": _T.channel,
    "category": _T.category,
    "team": _T.team,
    "tier": _T.tier,
    "agent": _T.assignee,
    "partner": _T.partner_id,
    "priority": _T.priority,
}
_STAY_DIMENSIONS: dict[str, sa.ColumnElement[Any]] = {
    **_DIMENSIONS,
    "team": stays.c.team,
    "tier": stays.c.tier,
    "agent": stays.c.assignee,
}


def _number(value: Any) -> Any:
    """Drivers return some aggregates as ``Decimal`` (PostgreSQL's and MariaDB's ``SUM``
    and ``AVG``): make them floats. Counts are made ``int`` where they are read."""
    if isinstance(value, Decimal):
        return float(value)
    return value


class SqlIndicators(IndicatorEngine):
    """Indicators over a ``SqlStorage``, computed by the database."""

    def __init__(self, database: Database) -> None:
        self._db = database

    # -- plumbing ---------------------------------------------------------------------------

    def _rows(self, statement: sa.Select[Any]) -> list[tuple[Any, ...]]:
        with self._db.transaction() as conn:
            return [tuple(_number(v) for v in row) for row in conn.execute(statement)]

    def _where(
        self,
        scope: Scope,
        *,
        dimensions: dict[str, sa.ColumnElement[Any]] = _DIMENSIONS,
        cohort: bool = True,
    ) -> list[sa.ColumnElement[bool]]:
        """The scope as conditions on the tickets (and stays): tenant, filters, and,
        for a cohort, creation in the period."""
        where: list[sa.ColumnElement[bool]] = []
        if scope.tenant is not None:
            where.append(_T.tenant == scope.tenant)
        for name in scope.filters:
            where.append(dimensions[name] == scope.wanted(name))
        if cohort:
            where.append(_T.created_us < epoch_micros(scope.end, "end"))
            if scope.start is not None:
                where.append(_T.created_us >= epoch_micros(scope.start, "start"))
        return where

    @staticmethod
    def _dims(by: tuple[str, ...], table: dict[str, sa.ColumnElement[Any]]) -> list[Any]:
        return [table[name].label(f"d_{name}") for name in by]

    def _durations(
        self,
        source: Any,
        keys: list[Any],
        calendar: Any,
        business: Any,
        where: list[sa.ColumnElement[bool]],
    ) -> list[tuple[Any, ...]]:
        """Per group of ``keys``: count, then mean, nearest-rank median and 90th
        percentile of ``calendar`` and of ``business`` (rows where ``calendar`` is set).
        One query per measure: each window sorts by one value (MariaDB mixes up windows
        that sort differently in one query)."""
        calendars = self._percentiles(source, keys, calendar, [*where, calendar.is_not(None)])
        businesses = self._percentiles(
            source, keys, business, [*where, calendar.is_not(None), business.is_not(None)]
        )
        rows = []
        for key, (count, *measures) in calendars.items():
            _, *more = businesses.get(key, (0, None, None, None))
            rows.append((*key, count, *measures, *more))
        return rows

    def _percentiles(
        self, source: Any, keys: list[Any], value: Any, where: list[sa.ColumnElement[bool]]
    ) -> dict[tuple[Any, ...], tuple[int, float | None, int | None, int | None]]:
        names = [f"k{n}" for n in range(len(keys))]
        inner = (
            sa.select(
                *(key.label(name) for key, name in zip(keys, names, strict=True)),
                value.label("v"),
                sa.func.row_number().over(partition_by=keys, order_by=value).label("r"),
                sa.func.count().over(partition_by=keys).label("n"),
            )
            .select_from(source)
            .where(*where)
            .subquery()
        )
        group = [inner.c[name] for name in names]
        c = inner.c

        def percentile(percent: int) -> Any:
            return sa.func.min(sa.case((c.r * 100 >= c.n * percent, c.v), else_=None))

        # The mean as sum / count in Python: MariaDB's AVG keeps 4 decimals only.
        statement = sa.select(
            *group, sa.func.count(), sa.func.sum(c.v), percentile(50), percentile(90)
        )
        if group:
            statement = statement.group_by(*group)
        width = len(keys)
        return {
            tuple(row[:width]): (
                int(row[width]),
                float(row[width + 1]) / int(row[width]),
                _int(row[width + 2]),
                _int(row[width + 3]),
            )
            for row in self._rows(statement)
            if row[width]
        }

    # -- indicators -------------------------------------------------------------------------

    def _volume(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]:
        dims = self._dims(by, _DIMENSIONS)
        statement = sa.select(*dims, sa.func.count()).where(*self._where(scope))
        rows = self._rows(statement.group_by(*dims) if dims else statement)
        return [(*row[:-1], int(row[-1])) for row in rows if row[-1]]

    def _first_response(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]:
        return self._durations(
            facts,
            [_DIMENSIONS[name] for name in by],
            _T.first_response_s,
            _T.first_response_business_s,
            self._where(scope),
        )

    def _resolution(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]:
        return self._durations(
            facts,
            [_DIMENSIONS[name] for name in by],
            _T.resolution_s,
            _T.resolution_business_s,
            [*self._where(scope), _T.resolutions > 0],
        )

    def _sla_attainment(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]:
        o = sla_outcomes.c
        keys = [o.policy, o.metric, *self._dims(by, _DIMENSIONS)]
        statement = (
            sa.select(
                *keys,
                _count_if(o.outcome == "met"),
                _count_if(o.outcome == "breached"),
                _count_if(o.outcome == "running"),
            )
            .select_from(sla_outcomes.join(facts, _T.ticket_id == o.ticket_id))
            .where(*self._where(scope))
            .group_by(*keys)
        )
        rows = []
        for row in self._rows(statement):
            met, late, running = int(row[-3]), int(row[-2]), int(row[-1])
            rows.append((*row[:-3], met, late, running, rate(met, met + late)))
        return rows

    def _breach_causes(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]:
        b = breaches.c
        keys = [b.policy, b.metric, b.owner, b.status, *self._dims(by, _DIMENSIONS)]
        statement = (
            sa.select(*keys, sa.func.count())
            .select_from(breaches.join(facts, _T.ticket_id == b.ticket_id))
            .where(*self._where(scope))
            .group_by(*keys)
        )
        return [(*row[:-1], int(row[-1])) for row in self._rows(statement)]

    def _backlog(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]:
        end = epoch_micros(scope.end, "end")
        s = stays.c
        # The stay that covered the end, for tickets that changed since: their status,
        # team, tier and agent then. Tickets without one are as they are now.
        then = (
            sa.select(s.ticket_id, s.status, s.team, s.tier, s.assignee)
            .where(s.entered_us <= end, s.left_us > end)
            .subquery("then")
        )
        changed = then.c.ticket_id.is_not(None)

        def at_end(now: Any, before: Any) -> Any:
            return sa.case((changed, before), else_=now)

        dimensions = {
            **_DIMENSIONS,
            "team": at_end(_T.team, then.c.team),
            "tier": at_end(_T.tier, then.c.tier),
            "agent": at_end(_T.assignee, then.c.assignee),
        }
        whens = [
            (_T.created_us > end - limit * 1_000_000, label)
            for label, limit in AGE_BUCKETS
            if limit is not None
        ]
        bucket = sa.case(*whens, else_=AGE_BUCKETS[-1][0]).label("age")
        status = at_end(_T.status, then.c.status).label("status")
        keys = [status, bucket, *self._dims(by, dimensions)]
        active = sa.or_(
            sa.and_(changed, then.c.status.not_in(sorted(scope.settled))),
            sa.and_(then.c.ticket_id.is_(None), _T.active.is_(True)),
        )
        where = [
            *self._where(scope, dimensions=dimensions, cohort=False),
            _T.created_us < end,
            active,
        ]
        statement = (
            sa.select(*keys, sa.func.count())
            .select_from(facts.outerjoin(then, then.c.ticket_id == _T.ticket_id))
            .where(*where)
            .group_by(*keys)
        )
        return [(*row[:-1], int(row[-1])) for row in self._rows(statement)]

    def _reopen_rate(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]:
        return self._rates(by, scope, _T.reopens > 0, [_T.resolutions > 0])

    def _escalation_rate(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]:
        return self._rates(by, scope, _T.max_tier > 1, [])

    def _n1_resolution(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]:
        return self._rates(by, scope, _T.max_tier == 1, [_T.resolutions > 0])

    def _rates(
        self,
        by: tuple[str, ...],
        scope: Scope,
        counted: sa.ColumnElement[bool],
        among: list[sa.ColumnElement[bool]],
    ) -> list[tuple[Any, ...]]:
        dims = self._dims(by, _DIMENSIONS)
        statement = sa.select(*dims, sa.func.count(), _count_if(counted)).where(
            *self._where(scope), *among
        )
        rows = self._rows(statement.group_by(*dims) if dims else statement)
        return [
            (*row[:-2], int(row[-2]), int(row[-1]), rate(int(row[-1]), int(row[-2])))
            for row in rows
            if row[-2]
        ]

    def _time_in_status(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]:
        s = stays.c
        where = self._where(scope, dimensions=_STAY_DIMENSIONS, cohort=False)
        where.append(s.left_us < epoch_micros(scope.end, "end"))
        if scope.start is not None:
            where.append(s.left_us >= epoch_micros(scope.start, "start"))
        return self._durations(
            stays.join(facts, _T.ticket_id == s.ticket_id),
            [s.status, *(_STAY_DIMENSIONS[name] for name in by)],
            s.calendar_s,
            s.business_s,
            where,
        )

    def _partner_compliance(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]:
        o = sla_outcomes.c
        source = sla_outcomes.join(facts, _T.ticket_id == o.ticket_id)
        where = [
            *self._where(scope),
            o.metric == "partner_response",
            _T.partner_id.is_not(None),
        ]
        counts = self._rows(
            sa.select(
                _T.partner_id,
                sa.func.count(),
                _count_if(o.outcome == "met"),
                _count_if(o.outcome == "breached"),
                _count_if(o.outcome == "running"),
            )
            .select_from(source)
            .where(*where)
            .group_by(_T.partner_id)
        )
        medians = {
            row[0]: row[3]
            for row in self._durations(source, [_T.partner_id], o.response_s, o.response_s, where)
        }
        return [
            (
                0,
                partner,
                int(total),
                int(met),
                int(late),
                int(running),
                rate(int(met), int(met) + int(late)),
                medians.get(partner),
            )
            for partner, total, met, late, running in counts
        ]

    def _csat(self, by: tuple[str, ...], scope: Scope) -> list[tuple[Any, ...]]:
        dims = self._dims(by, _DIMENSIONS)
        statement = sa.select(
            *dims,
            sa.func.count(),
            sa.func.sum(_T.rating),
            *(_count_if(_T.rating == score) for score in range(1, 6)),
        ).where(*self._where(scope), _T.rating.is_not(None))
        rows = self._rows(statement.group_by(*dims) if dims else statement)
        keys = len(dims)
        return [
            (
                *row[:keys],
                int(row[keys]),
                int(row[keys + 1]) / int(row[keys]),
                *(int(v) for v in row[keys + 2 :]),
            )
            for row in rows
            if row[keys]
        ]


def _count_if(condition: sa.ColumnElement[bool]) -> Any:
    return sa.func.coalesce(sa.func.sum(sa.case((condition, 1), else_=0)), 0)


def _int(value: Any) -> int | None:
    return None if value is None else int(value)


# -- the facts, written with each command ----------------------------------------------------


def write_facts(conn: Connection, changes: Changes) -> None:
    """Write the indicator rows of ``changes`` in the unit of work's transaction: each
    saved ticket's facts row, its SLA outcomes and breaches (each rewritten only when it
    changed), and the stays that ended (appended)."""
    for ticket in changes.inserts:
        conn.execute(sa.insert(facts).values(**fact_row(ticket)))
    for ticket, _ in changes.updates:
        row = fact_row(ticket)
        loaded = changes.before.get(ticket.id)
        if loaded is None or row != fact_row(loaded):
            conn.execute(sa.update(facts).where(facts.c.ticket_id == ticket.id).values(**row))
    saved = [*changes.inserts, *(ticket for ticket, _ in changes.updates)]
    for ticket in saved:
        before = changes.before.get(ticket.id)
        for table, rows_of in ((sla_outcomes, outcome_rows), (breaches, breach_rows)):
            rows = rows_of(ticket)
            old = rows_of(before)
            if rows == old:
                continue
            if old:
                conn.execute(sa.delete(table).where(table.c.ticket_id == ticket.id))
            if rows:
                conn.execute(sa.insert(table), rows)
    if changes.stays:
        conn.execute(sa.insert(stays), [stay_row(stay) for stay in changes.stays])


def fact_row(ticket: Ticket) -> dict[str, Any]:
    """The ticket's row in ``chamados_facts``."""
    stats = ticket.stats
    return {
        "ticket_id": ticket.id,
        **dimensions(ticket),
        "active": True if stats is None else stats.active,
        "first_response_s": None if stats is None else stats.first_response_s,
        "first_response_business_s": None if stats is None else stats.first_response_business_s,
        "resolution_s": None if stats is None else stats.resolution_s,
        "resolution_business_s": None if stats is None else stats.resolution_business_s,
        "resolutions": 0 if stats is None else stats.resolutions,
        "reopens": 0 if stats is None else stats.reopens,
        "max_tier": ticket.tier if stats is None else stats.max_tier,
        "rating": ticket.rating,
    }


def outcome_rows(ticket: Ticket | None) -> list[dict[str, Any]]:
    """The rows of ``ticket``'s SLA clocks in ``chamados_sla_outcomes``."""
    if ticket is None:
        return []
    rows = []
    for clock in ticket.sla_clocks:
        response = (
            max(0, seconds_between(clock.started_at, clock.met_at))
            if clock.met_at is not None
            else None
        )
        rows.append(
            {
                "ticket_id": ticket.id,
                "policy": clock.policy,
                "metric": clock.metric,
                "cycle": clock.cycle,
                "tenant": ticket.tenant,
                "outcome": clock_outcome(clock),
                "response_s": response,
            }
        )
    return rows


def breach_rows(ticket: Ticket | None) -> list[dict[str, Any]]:
    """The rows of ``ticket``'s SLA breaches in ``chamados_breaches`` (one per clock cycle)."""
    if ticket is None or ticket.stats is None:
        return []
    return [
        {
            "ticket_id": ticket.id,
            "policy": b.policy,
            "metric": b.metric,
            "cycle": b.cycle,
            "tenant": ticket.tenant,
            "owner": b.owner,
            "status": b.status,
        }
        for b in {(b.policy, b.metric, b.cycle): b for b in ticket.stats.breaches}.values()
    ]


def stay_row(stay: Stay) -> dict[str, Any]:
    """The ``chamados_stays`` row of a stay that ended."""
    assert stay.left_at is not None
    assert stay.calendar_s is not None
    return {
        "ticket_id": stay.ticket_id,
        "tenant": stay.tenant,
        "status": stay.status,
        "team": stay.team,
        "tier": stay.tier,
        "assignee": stay.assignee,
        "entered_us": epoch_micros(stay.entered_at),
        "left_us": epoch_micros(stay.left_at),
        "calendar_s": stay.calendar_s,
        "business_s": stay.business_s,
    }
