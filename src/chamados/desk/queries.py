"""The read side of the desk: tickets, their history and messages, work queues,
expectations and indicators. Nothing here saves anything.

Each read runs one unit of work and reads a ticket (and its history) once. A ticket read
has its SLA clocks brought to now for the reader (``SlaEngine.refresh``: the stored
ticket does not change; the monitor and the next command save what moved). A ``viewer``
outside the team reads only tickets that involve it, and never internal notes
(``chamados.desk.access``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from chamados.clock import Clock, as_instant
from chamados.desk.access import check_involved, visible_to
from chamados.desk.arguments import now
from chamados.events import NoteAdded, Replied, TicketEvent
from chamados.model import Message, Party, Ticket
from chamados.policies import queue_order
from chamados.reports.engine import settled_statuses
from chamados.reports.port import Scope
from chamados.reports.results import Report, Table
from chamados.sla.engine import SlaEngine
from chamados.sla.wording import Expectations
from chamados.storage.port import Storage, TicketQuery, UnitOfWork
from chamados.workflows.registry import WorkflowRegistry

__all__ = ["Queries"]


class Queries:
    """Reads tickets of ``storage`` for a desk; every method takes the desk's tenant
    (``None``: every tenant)."""

    def __init__(
        self, *, storage: Storage, clock: Clock, workflows: WorkflowRegistry, sla: SlaEngine
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.workflows = workflows
        self.sla = sla

    def get(self, ticket_id: str, *, tenant: str | None, viewer: Party | None) -> Ticket:
        """The ticket, its clocks as of now; only one that involves ``viewer``."""
        with self.storage.unit_of_work() as uow:
            ticket = uow.get(ticket_id, tenant=tenant)
            if viewer is not None:
                check_involved(viewer, ticket, "see")
            self._refresh(uow, ticket)
        return ticket

    def history(
        self, ticket_id: str, *, tenant: str | None, viewer: Party | None
    ) -> list[TicketEvent]:
        """The ticket's events ``viewer`` may read, oldest first."""
        _, events = self._read(ticket_id, tenant=tenant, viewer=viewer)
        return events

    def messages(
        self, ticket_id: str, *, tenant: str | None, viewer: Party | None
    ) -> list[Message]:
        """The ticket's messages ``viewer`` may read, oldest first."""
        _, events = self._read(ticket_id, tenant=tenant, viewer=viewer)
        return [e.message for e in events if isinstance(e, Replied | NoteAdded)]

    def timeline(
        self, ticket_id: str, *, tenant: str | None, lang: str, viewer: Party | None
    ) -> list[str]:
        """The events ``viewer`` may read as lines in ``lang``, at the local time of the
        ticket's creation."""
        ticket, events = self._read(ticket_id, tenant=tenant, viewer=viewer)
        if not events:
            return []
        workflow = self.workflows.get(ticket.workflow, ticket_id=ticket.id)
        zone = ticket.created_at.timezone or "UTC"
        return [
            f"{event.at.in_timezone(zone).format('YYYY-MM-DD HH:mm')}  "
            f"{workflow.describe(event, lang=lang)}"
            for event in events
        ]

    def tickets(self, query: TicketQuery) -> list[Ticket]:
        """The tickets ``query`` matches, oldest first, their clocks as of now."""
        with self.storage.unit_of_work() as uow:
            found = uow.find(query)
            for ticket in found:
                self._refresh(uow, ticket)
        return found

    def allowed_events(
        self, ticket_id: str, *, tenant: str | None, actor: Party | None
    ) -> tuple[str, ...]:
        """The events the ticket's state accepts now, those granted to ``actor`` if it is
        an external party."""
        ticket = self.get(ticket_id, tenant=tenant, viewer=actor)
        workflow = self.workflows.get(ticket.workflow, ticket_id=ticket.id)
        events = workflow.allowed_in(ticket.status)
        if actor is not None and actor.is_external:
            permitted = workflow.party_events.get(actor.kind, frozenset())
            events = tuple(e for e in events if e in permitted)
        return events

    def queue(
        self, query: TicketQuery, *, assigned: bool | None, limit: int | None
    ) -> list[Ticket]:
        """The active tickets ``query`` matches, held (``assigned=True``), not held
        (``False``) or both (``None``), most pressing first (``queue_order``)."""
        found = []
        for ticket in self.tickets(query):
            workflow = self.workflows.get(ticket.workflow, ticket_id=ticket.id)
            if not workflow.status_of(ticket.status).category.is_active:
                continue
            if assigned is not None and (ticket.assignee is not None) != assigned:
                continue
            found.append(ticket)
        found.sort(key=queue_order)
        return found[:limit] if limit is not None else found

    def expectations(self, ticket_id: str, *, tenant: str | None, lang: str) -> Expectations:
        """When the customer can expect the next answer and the resolution."""
        ticket = self.get(ticket_id, tenant=tenant, viewer=None)
        return Expectations.of(ticket, now=now(self.clock), lang=lang)

    def indicator(
        self,
        name: str,
        *,
        by: Iterable[str],
        start: datetime | None,
        end: datetime | None,
        tenant: str | None,
        filters: Mapping[str, Any],
    ) -> Table:
        """One indicator over the tickets created from ``start`` to ``end`` (now)."""
        scope = self._scope(start, end, tenant=tenant, filters=filters)
        return self.storage.indicators().table(name, scope=scope, by=by)

    def report(
        self,
        *,
        start: datetime | None,
        end: datetime | None,
        cuts: Mapping[str, Iterable[str]] | None,
        tenant: str | None,
        filters: Mapping[str, Any],
    ) -> Report:
        """Every indicator over the same period and filters."""
        scope = self._scope(start, end, tenant=tenant, filters=filters)
        return self.storage.indicators().report(scope, cuts=cuts)

    def _read(
        self, ticket_id: str, *, tenant: str | None, viewer: Party | None
    ) -> tuple[Ticket, list[TicketEvent]]:
        """The ticket and the events ``viewer`` may read, in one unit of work."""
        with self.storage.unit_of_work() as uow:
            ticket = uow.get(ticket_id, tenant=tenant)
            events = uow.history(ticket_id, tenant=tenant)
        if viewer is not None:
            check_involved(viewer, ticket, "see")
        return ticket, visible_to(viewer, events)

    def _refresh(self, uow: UnitOfWork, ticket: Ticket) -> None:
        """Bring a ticket's SLA clocks to now, for reading (nothing is saved)."""
        if self.sla.tracks(ticket):
            self.sla.refresh(ticket, now(self.clock), lambda: uow.history(ticket.id, tenant=None))

    def _scope(
        self,
        start: datetime | None,
        end: datetime | None,
        *,
        tenant: str | None,
        filters: Mapping[str, Any],
    ) -> Scope:
        return Scope(
            start=None if start is None else as_instant(start, name="start"),
            end=now(self.clock) if end is None else as_instant(end, name="end"),
            tenant=tenant,
            filters=filters,
            settled=settled_statuses(self.workflows),
        )
