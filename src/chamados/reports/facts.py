"""Folding a command's events into the facts indicators are computed from.

Indicators must not replay every ticket's history on each report. So each command
folds its events into ``TicketStats`` (kept on the ticket: first response, resolution,
reopenings, escalations, SLA breaches and who the ticket was waiting on when they
happened) and closes ``Stay``\\ s: the time a ticket spent in one status with one team
and tier, measured in calendar and business time when it ends. Both are values of
``chamados.tracking``; ``fold`` is the one function that makes them. Storage adapters
index both, so a report is a few aggregate queries.

Business time is measured on the desk's business-hours calendar (``Helpdesk(
business_hours=...)``, by default the calendar of its first SLA policy); without one,
business figures are ``None``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

import pendulum
from attrs import evolve

from chamados.clock import seconds_between
from chamados.events import (
    Assigned,
    Escalated,
    Reopened,
    Replied,
    Resolved,
    SlaBreached,
    StatusChanged,
    TicketEvent,
    TicketOpened,
)
from chamados.model import Ticket
from chamados.sla.calendar import BusinessCalendar
from chamados.tracking import Breach, Stay, TicketStats
from chamados.workflows.base import Workflow

__all__ = ["fold"]


def fold(
    ticket: Ticket,
    events: Iterable[TicketEvent],
    *,
    workflow: type[Workflow],
    calendar: BusinessCalendar | None,
) -> tuple[TicketStats, list[Stay]]:
    """``ticket.stats`` after ``events`` (the ticket's new events, in order), and the
    stays they ended. ``ticket`` is the ticket after the events; its ``stats`` (``None``
    for a new ticket) are the facts before them."""
    stats = ticket.stats
    ended: list[Stay] = []
    for event in events:
        if isinstance(event, TicketOpened):
            stay = Stay(
                ticket_id=event.ticket_id,
                tenant=event.tenant,
                status=event.status,
                team=event.team,
                tier=event.tier,
                assignee=None,
                entered_at=event.at,
            )
            stats = TicketStats(stay=stay, max_tier=event.tier)
            continue
        if stats is None:  # a ticket from before facts were kept: start from here
            stats = TicketStats(stay=_stay_of(ticket, event.at), max_tier=ticket.tier)
        stats, done = _apply(stats, event, ticket, workflow, calendar)
        if done is not None:
            ended.append(done)
    if stats is None:
        stats = TicketStats(stay=_stay_of(ticket, ticket.created_at), max_tier=ticket.tier)
    active = workflow.status_of(ticket.status).category.is_active
    if active != stats.active:
        stats = evolve(stats, active=active)
    return stats, ended


def _apply(
    stats: TicketStats,
    event: TicketEvent,
    ticket: Ticket,
    workflow: type[Workflow],
    calendar: BusinessCalendar | None,
) -> tuple[TicketStats, Stay | None]:
    stay = stats.stay
    if isinstance(event, Replied):
        message = event.message
        human_team = message.counts_as_response
        if human_team and stats.first_response_at is None:
            calendar_s, business_s = _measure(ticket.created_at, event.at, calendar)
            stats = evolve(
                stats,
                first_response_at=event.at,
                first_response_s=calendar_s,
                first_response_business_s=business_s,
            )
        return stats, None
    if isinstance(event, Resolved):
        calendar_s, business_s = _measure(ticket.created_at, event.at, calendar)
        return evolve(
            stats,
            resolutions=stats.resolutions + 1,
            resolution_s=calendar_s,
            resolution_business_s=business_s,
        ), None
    if isinstance(event, Reopened):
        return evolve(stats, reopens=stats.reopens + 1), None
    if isinstance(event, SlaBreached):
        # The status when the clock ran out, which the command that noticed the breach
        # may have changed since (older events lack it: the current stay's).
        status = event.status if event.status is not None else stay.status
        owner = workflow.status_of(status).owner
        breach = Breach(
            policy=event.policy,
            metric=event.metric,
            cycle=event.cycle,
            owner=owner.value if owner is not None else "nobody",
            status=status,
        )
        return evolve(stats, breaches=(*stats.breaches, breach)), None
    if isinstance(event, StatusChanged):
        return _move(stats, event.at, calendar, status=event.to_status)
    if isinstance(event, Escalated):
        stats = evolve(
            stats,
            escalations=stats.escalations + 1,
            max_tier=max(stats.max_tier, event.to_tier),
        )
        return _move(stats, event.at, calendar, tier=event.to_tier, team=event.to_team)
    if isinstance(event, Assigned):
        return _move(stats, event.at, calendar, team=event.to_team, assignee=event.to_assignee)
    return stats, None


_KEEP = object()


def _move(
    stats: TicketStats,
    at: pendulum.DateTime,
    calendar: BusinessCalendar | None,
    *,
    status: object = _KEEP,
    team: object = _KEEP,
    tier: object = _KEEP,
    assignee: object = _KEEP,
) -> tuple[TicketStats, Stay | None]:
    """End the stay in progress at ``at`` and start the next one with what changed."""
    old = stats.stay
    changes: dict[str, Any] = {
        name: value
        for name, value in (
            ("status", status),
            ("team", team),
            ("tier", tier),
            ("assignee", assignee),
        )
        if value is not _KEEP and value != getattr(old, name)
    }
    if not changes:
        return stats, None
    if at <= old.entered_at:  # changed again at the same instant: no time was spent
        return evolve(stats, stay=evolve(old, **changes)), None
    calendar_s, business_s = _measure(old.entered_at, at, calendar)
    ended = evolve(old, left_at=at, calendar_s=calendar_s, business_s=business_s)
    return evolve(stats, stay=evolve(old, entered_at=at, **changes)), ended


def _measure(
    start: datetime, end: datetime, calendar: BusinessCalendar | None
) -> tuple[int, int | None]:
    calendar_s = max(0, seconds_between(start, end))
    if calendar is None:
        return calendar_s, None
    return calendar_s, max(0, int(calendar.between(start, end).total_seconds()))


def _stay_of(ticket: Ticket, since: pendulum.DateTime) -> Stay:
    return Stay(
        ticket_id=ticket.id,
        tenant=ticket.tenant,
        status=ticket.status,
        team=ticket.team,
        tier=ticket.tier,
        assignee=ticket.assignee,
        entered_at=since,
    )
