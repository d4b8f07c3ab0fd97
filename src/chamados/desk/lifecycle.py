"""Handlers of a ticket's life: opening it, its workflow's events (resolve, reopen,
close and any other), and the customer's rating at the end.

A handler is a plain function of the ``Command`` in progress, the desk's ``Policies`` and
the command's arguments (``chamados.desk.pipeline``, step 3): it decides, changes the
ticket copy and records events, and never touches storage.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pendulum

from chamados.command import Command
from chamados.desk import automation
from chamados.desk.access import check_involved, check_may_fire
from chamados.desk.conversation import message
from chamados.events import Cause, Rated, Replied, TicketOpened
from chamados.exceptions import AccessDeniedError
from chamados.model import FieldValue, Party, Priority, Ticket, UncheckedTicket
from chamados.policies import AUTOMATION, Policies
from chamados.workflows.registry import WorkflowRegistry

__all__ = ["close", "new_ticket", "open", "rate", "reopen", "resolve", "transition"]


def new_ticket(
    ticket_id: str,
    now: pendulum.DateTime,
    *,
    tenant: str,
    workflows: WorkflowRegistry,
    policies: Policies,
    channel: str,
    requester: Party,
    subject: str,
    category: str | None,
    priority: Priority | None,
    partner: Party | None,
    order_id: str | None,
    team: str | None,
    tags: frozenset[str],
    custom_fields: dict[str, FieldValue],
    workflow: str,
    **opening: object,
) -> Ticket:
    """The ticket ``open`` makes, in its workflow's initial state, version 1 (unchecked
    here: the storage port checks every field before it stages the ticket): the
    priority given (pinned, as a person set it) or the priority policy's default.
    ``opening`` holds the rest of open's arguments (``body``, ``opened_by``), which
    ``open`` records."""
    default = policies.priority.default if policies.priority is not None else Priority.NORMAL
    return UncheckedTicket(  # the storage port checks it whole before staging it
        id=ticket_id,
        tenant=tenant,
        channel=channel,
        requester=requester,
        subject=subject,
        workflow=workflow,
        status=workflows.get(workflow).initial_status(),
        created_at=now,
        updated_at=now,
        priority=priority or default,
        priority_manual=priority is not None,
        category=category,
        partner=partner,
        order_id=order_id,
        team=team,
        tags=tags,
        custom_fields=custom_fields,
        version=1,
    )


def open(
    command: Command,
    policies: Policies,
    /,
    *,
    requester: Party,
    body: str | None,
    opened_by: Party,
    **ticket_fields: object,
) -> None:
    """Record the opening of the new ticket (``new_ticket`` set ``ticket_fields`` on it)
    and the requester's first message, then route it, decide its priority and, if the
    desk says so, assign it."""
    ticket = command.ticket
    command.emit(
        TicketOpened,
        actor=opened_by,
        channel=ticket.channel,
        requester=requester,
        subject=ticket.subject,
        workflow=ticket.workflow,
        status=ticket.status,
        priority=ticket.priority,
        category=ticket.category,
        partner=ticket.partner,
        order_id=ticket.order_id,
        team=ticket.team,
        tier=ticket.tier,
        tags=ticket.tags,
        custom_fields=dict(ticket.custom_fields),
    )
    if body is not None:
        first = message(author=requester, body=body, now=command.now)
        command.emit(Replied, actor=requester, message=first)
    automation.route(command, policies)
    automation.decide_priority(command, policies, actor=AUTOMATION, trigger="opened")
    if policies.assign_on_open:
        automation.assign(
            command, policies, command.load, actor=AUTOMATION, trigger=Cause("opened")
        )


def transition(
    command: Command,
    policies: Policies,
    /,
    *,
    event: str,
    actor: Party,
    reason: str | None,
    data: Mapping[str, Any],
) -> None:
    """Fire workflow ``event``, if ``actor`` may."""
    ticket = command.ticket
    check_involved(actor, ticket, "change")
    check_may_fire(actor, ticket, command.workflow, event)
    command.fire(event, actor=actor, reason=reason, data=data)


def resolve(
    command: Command, policies: Policies, /, *, actor: Party, reason: str | None, summary: str
) -> None:
    """Fire the workflow's resolve event, with the summary of the solution."""
    _workflow_command(command, "resolve", actor=actor, reason=reason, data={"summary": summary})


def reopen(command: Command, policies: Policies, /, *, actor: Party, reason: str | None) -> None:
    """Fire the workflow's reopen event (its guard keeps the reopen window)."""
    _workflow_command(command, "reopen", actor=actor, reason=reason, data={})


def close(command: Command, policies: Policies, /, *, actor: Party, reason: str | None) -> None:
    """Fire the workflow's close event."""
    _workflow_command(command, "close", actor=actor, reason=reason, data={})


def rate(
    command: Command,
    policies: Policies,
    /,
    *,
    score: int,
    actor: Party,
    comment: str | None,
) -> None:
    """Record a CSAT score on a resolved or closed ticket: the requester's, or one the
    team records for them."""
    ticket = command.ticket
    if actor.is_external and actor != ticket.requester:
        raise AccessDeniedError(
            f"only the requester ({ticket.requester}) rates ticket {ticket.id!r}, not {actor}",
            ticket_id=ticket.id,
            actor=str(actor),
        )
    if command.workflow.status_of(ticket.status).category.is_active:
        command.refuse("rate", "a ticket is rated once it is resolved or closed")
    command.emit(Rated, actor=actor, score=score, comment=comment, previous=ticket.rating)
    ticket.rating = score


def _workflow_command(
    command: Command, name: str, *, actor: Party, reason: str | None, data: Mapping[str, Any]
) -> None:
    """Fire the event the workflow maps command ``name`` to (``Workflow.commands``)."""
    ticket, workflow = command.ticket, command.workflow
    event = workflow.commands.get(name)
    if event is None:
        command.refuse(
            name,
            f"the workflow has no {name!r} command; use transition() with one of its events",
        )
    check_involved(actor, ticket, "change")
    check_may_fire(actor, ticket, workflow, event)
    command.fire(event, actor=actor, reason=reason, data=data)
