"""Who may do what to a ticket: the access rules every ``Helpdesk`` command applies.

The team (agents and automations: ``Party.is_team``) may do
everything. External parties (customers,
partners, marketplaces) act only on tickets that involve them: a customer on tickets it
requested, a partner on tickets naming it as partner, a marketplace on tickets of its
channel. They write in public only, never change priorities, assignments or levels, and
fire only the workflow events their workflow grants them.
"""

from __future__ import annotations

from collections.abc import Iterable

from chamados.events import NoteAdded, TicketEvent
from chamados.exceptions import AccessDeniedError, InvalidTicketError
from chamados.model import Party, PartyKind, Ticket
from chamados.workflows.base import Workflow

__all__ = [
    "TEAM_ONLY",
    "check_involved",
    "check_may_fire",
    "check_party",
    "check_team",
    "visible_to",
]

TEAM_ONLY = "only the support team (agents and automations)"


def check_party(party: object, name: str) -> Party:
    """``party`` itself, if it is a ``Party``; an ``InvalidTicketError`` naming ``name`` if not."""
    if not isinstance(party, Party):
        raise InvalidTicketError(
            f"{name} must be a Party (Party.customer(...), Party.agent(...)...), got {party!r}",
            field=name,
        )
    return party


def check_involved(party: Party, ticket: Ticket, doing: str) -> None:
    """External parties act only on tickets that involve them."""
    if not party.is_external:
        return
    marketplace = party.kind is PartyKind.MARKETPLACE
    if party.id == ticket.channel if marketplace else ticket.involves(party):
        return
    raise AccessDeniedError(
        f"{party} may not {doing} ticket {ticket.id!r}: it is not the ticket's "
        f"{'channel' if marketplace else 'requester or partner'}",
        ticket_id=ticket.id,
        actor=str(party),
    )


def check_team(party: Party, ticket: Ticket, doing: str) -> None:
    """Only the team (agents and automations, ``Party.is_team``) may ``doing``."""
    if not party.is_team:
        raise AccessDeniedError(
            f"{party} may not {doing}: {TEAM_ONLY} can", ticket_id=ticket.id, actor=str(party)
        )


def check_may_fire(party: Party, ticket: Ticket, workflow: type[Workflow], event: str) -> None:
    """External parties fire only the events ``workflow.party_events`` grants their kind."""
    if party.is_external and event not in workflow.party_events.get(party.kind, ()):
        raise AccessDeniedError(
            f"{party} may not fire {event!r} on ticket {ticket.id!r}: in workflow "
            f"{workflow.workflow_name!r} that is for the team",
            ticket_id=ticket.id,
            actor=str(party),
        )


def visible_to(viewer: Party | None, events: Iterable[TicketEvent]) -> list[TicketEvent]:
    """The events ``viewer`` may read: everything for the team, no internal notes outside."""
    if viewer is None or viewer.is_team:
        return list(events)
    return [event for event in events if not isinstance(event, NoteAdded)]
