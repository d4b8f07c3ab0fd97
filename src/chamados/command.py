"""One command's working state: the ticket being changed and the events that say how.

A ``Command`` is what a handler works on (``chamados.desk``): the ticket (the command's
own copy), the time the command runs at, the events recorded so far, the ticket's
workflow, and how many tickets an agent holds (for assignment). It saves nothing: the
desk's pipeline does, once the handler is done.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Any, NoReturn, TypeAlias, TypeVar

import pendulum

from chamados.events import (
    Assigned,
    Cause,
    Closed,
    Escalated,
    PriorityChanged,
    Reopened,
    Resolved,
    StatusChanged,
    TicketEvent,
)
from chamados.exceptions import TransitionNotAllowedError
from chamados.ids import new_uid
from chamados.model import Category, Party, Priority, Ticket
from chamados.workflows.base import Workflow
from chamados.workflows.registry import WorkflowRegistry

__all__ = ["Command", "Load"]

E = TypeVar("E", bound=TicketEvent)

Load: TypeAlias = Callable[[str], int]
"""How many tickets with a running SLA clock an agent holds (by agent id), for assignment."""


def _no_load(agent_id: str) -> int:
    """No agent holds anything: the load of a command that assigns nobody."""
    return 0


class Command:
    """The working state of one command: the ticket copy, the time, the events so far.

    ``fire`` runs one workflow transition and records what it meant: the status change,
    and ``Resolved``, ``Reopened`` or ``Closed`` when the transition crosses a category.
    """

    def __init__(
        self,
        workflows: WorkflowRegistry,
        ticket: Ticket,
        now: pendulum.DateTime,
        *,
        version: int,
        load: Load = _no_load,
    ) -> None:
        self.workflows = workflows
        self.ticket = ticket
        self.now = now
        self.version = version
        self.events: list[TicketEvent] = []
        self.load = load
        """Tickets with a running SLA clock held by an agent (``Load``): asked only when
        the command assigns someone."""

    @cached_property
    def workflow(self) -> type[Workflow]:
        """The ticket's workflow class (looked up when first asked: a command that never
        needs it works on a ticket of a workflow this desk does not know)."""
        return self.workflows.get(self.ticket.workflow, ticket_id=self.ticket.id)

    def refuse(self, doing: str, detail: str) -> NoReturn:
        """Raise the ``TransitionNotAllowedError`` for ``doing``, which the ticket's state
        does not allow, saying why (``detail``) and which events the state allows."""
        ticket, workflow = self.ticket, self.workflow
        raise TransitionNotAllowedError(
            ticket_id=ticket.id,
            event=doing,
            state=ticket.status,
            allowed=workflow.allowed_in(ticket.status),
            workflow=workflow.workflow_name,
            detail=detail,
        )

    def check_not_closed(self, doing: str) -> None:
        """Refuse ``doing`` on a closed ticket: a closed ticket never changes again."""
        if self.workflow.status_of(self.ticket.status).category is Category.CLOSED:
            self.refuse(doing, "the ticket is closed; open a new ticket that refers to it")

    def emit(self, cls: type[E], *, actor: Party, reason: str | None = None, **fields: Any) -> E:
        event = cls(
            id=new_uid(),
            ticket_id=self.ticket.id,
            tenant=self.ticket.tenant,
            version=self.version,
            at=self.now,
            actor=actor,
            reason=reason,
            **fields,
        )
        self.events.append(event)
        return event

    def change_priority(
        self,
        priority: Priority,
        *,
        actor: Party,
        reason: str | None,
        manual: bool,
        rules: tuple[str, ...] = (),
        cause: Cause | None = None,
    ) -> None:
        """Set the priority and record it; ``manual`` pins it against the priority rules."""
        ticket = self.ticket
        self.emit(
            PriorityChanged,
            actor=actor,
            reason=reason,
            cause=cause,
            from_priority=ticket.priority,
            to_priority=priority,
            rules=rules,
        )
        ticket.priority = priority
        ticket.priority_manual = manual

    def escalate(
        self, *, actor: Party, reason: str | None, team: str | None, cause: Cause | None = None
    ) -> None:
        """Move the ticket one level up, to ``team``; the assignee lets go (N2 picks it up)."""
        ticket = self.ticket
        self.emit(
            Escalated,
            actor=actor,
            reason=reason,
            cause=cause,
            from_tier=ticket.tier,
            to_tier=ticket.tier + 1,
            from_team=ticket.team,
            to_team=team,
        )
        if ticket.assignee is not None:
            self.emit(
                Assigned,
                actor=actor,
                reason=reason,
                cause=cause,
                from_team=team,
                to_team=team,
                from_assignee=ticket.assignee,
                to_assignee=None,
            )
        ticket.tier += 1
        ticket.team = team
        ticket.assignee = None

    def fire(
        self, event: str, *, actor: Party, reason: str | None, data: Mapping[str, Any]
    ) -> None:
        """Run one workflow transition and record what it meant."""
        ticket, workflow = self.ticket, self.workflow
        before = workflow.status_of(ticket.status)
        machine = self.workflows.machine(ticket)
        after_id = machine.fire(
            event, ticket_id=ticket.id, now=self.now, actor=actor, reason=reason, **data
        )
        after = workflow.statuses[after_id]
        self.emit(
            StatusChanged,
            actor=actor,
            reason=reason,
            event=event,
            from_status=before.id,
            to_status=after.id,
            details={
                name: data[name]
                for name in workflow.required(event)
                if name != "reason" and name in data
            },
        )
        if after.category is Category.RESOLVED and before.category is not Category.RESOLVED:
            summary = str(data.get("summary", "")).strip()
            ticket.resolution = summary
            ticket.resolved_at = self.now
            self.emit(Resolved, actor=actor, reason=reason, status=after.id, summary=summary)
        elif before.category is Category.RESOLVED and after.category.is_active:
            ticket.resolution = None
            ticket.resolved_at = None
            self.emit(Reopened, actor=actor, reason=reason, status=after.id)
        if after.category is Category.CLOSED:
            ticket.closed_at = self.now
            self.emit(Closed, actor=actor, reason=reason, status=after.id)
