"""Handlers of who holds a ticket: a team and an agent set by hand, the support level
(escalation), assignment by the desk's strategy, and an agent claiming a ticket.

A handler is a plain function of the ``Command`` in progress, the desk's ``Policies`` and
the command's arguments (``chamados.desk.pipeline``, step 3): it decides, changes the
ticket copy and records events, and never touches storage. Assignment by strategy is
``chamados.desk.automation.assign`` (called through its module: ``assign`` here is the
command that sets a team or an agent by hand).
"""

from __future__ import annotations

from chamados.command import Command
from chamados.desk import automation
from chamados.desk.access import check_team
from chamados.desk.arguments import _Unset
from chamados.events import Assigned, Cause
from chamados.model import Party
from chamados.policies import AUTOMATION, Policies

__all__ = ["Taken", "assign", "auto_assign", "claim", "escalate"]


class Taken(Exception):
    """Another agent claimed the ticket first."""


def assign(
    command: Command,
    policies: Policies,
    /,
    *,
    actor: Party,
    team: str | _Unset | None,
    assignee: str | _Unset | None,
    reason: str | None,
) -> None:
    """Move the ticket to ``team`` and/or ``assignee`` (``UNSET`` keeps either); nothing
    is recorded when both are already there."""
    ticket = command.ticket
    check_team(actor, ticket, "assign tickets")
    command.check_not_closed("assign")
    new_team = ticket.team if isinstance(team, _Unset) else team
    new_assignee = ticket.assignee if isinstance(assignee, _Unset) else assignee
    if (new_team, new_assignee) == (ticket.team, ticket.assignee):
        return
    command.emit(
        Assigned,
        actor=actor,
        reason=reason,
        from_team=ticket.team,
        to_team=new_team,
        from_assignee=ticket.assignee,
        to_assignee=new_assignee,
    )
    ticket.team, ticket.assignee = new_team, new_assignee


def escalate(
    command: Command,
    policies: Policies,
    /,
    *,
    actor: Party,
    reason: str,
    team: str | _Unset | None,
) -> None:
    """Move an active ticket one support level up (not past the workflow's ``max_tier``),
    to ``team`` (``UNSET`` keeps it); then assign it if the desk assigns on escalation."""
    ticket = command.ticket
    check_team(actor, ticket, "escalate tickets")
    status = command.workflow.status_of(ticket.status)
    max_tier = command.workflows.options(ticket.workflow).max_tier
    problem = None
    if not status.category.is_active:
        problem = f"the ticket is {status.category.value}; reopen it first"
    elif ticket.tier >= max_tier:
        problem = f"it is already at N{ticket.tier}, the highest support level"
    if problem is not None:
        command.refuse("escalate", problem)
    command.escalate(
        actor=actor,
        reason=reason,
        team=ticket.team if isinstance(team, _Unset) else team,
    )
    if policies.assign_on_escalation:
        automation.assign(
            command, policies, command.load, actor=AUTOMATION, trigger=Cause("escalated")
        )


def auto_assign(command: Command, policies: Policies, /, *, actor: Party) -> None:
    """Assign the ticket by the desk's strategy; nothing changes when nobody can take it."""
    check_team(actor, command.ticket, "assign tickets")
    command.check_not_closed("auto_assign")
    automation.assign(command, policies, command.load, actor=actor, trigger=Cause("auto_assign"))


def claim(command: Command, policies: Policies, /, *, agent_id: str) -> None:
    """Give an unassigned ticket to ``agent_id``; ``Taken`` when someone holds it."""
    ticket = command.ticket
    if ticket.assignee is not None:
        raise Taken(ticket.id)
    command.emit(
        Assigned,
        actor=Party.agent(agent_id),
        cause=Cause("claimed"),
        from_team=ticket.team,
        to_team=ticket.team,
        from_assignee=None,
        to_assignee=agent_id,
    )
    ticket.assignee = agent_id
