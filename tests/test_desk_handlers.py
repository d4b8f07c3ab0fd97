"""The desk's handlers, called directly: a Command and arguments in, events out, no storage."""

from __future__ import annotations

from typing import Any

import pendulum
import pytest

from chamados import (
    UNSET,
    AccessDeniedError,
    Assigned,
    Escalated,
    FieldsChanged,
    NoteAdded,
    Party,
    Priority,
    PriorityChanged,
    Replied,
    StatusChanged,
    TicketOpened,
    TransitionNotAllowedError,
)
from chamados.command import Command
from chamados.desk import assignment, conversation, fields, lifecycle
from chamados.policies import Policies, RoutingPolicy
from chamados.testing import make_ticket
from chamados.workflows import WorkflowRegistry

NOW = pendulum.parse("2026-03-02T10:00:00-03:00")
ANA, MARIA = Party.agent("ana"), Party.customer("c-1")
WORKFLOWS = WorkflowRegistry.with_builtins()
NO_POLICIES = Policies()


def command(**ticket: Any) -> Command:
    """A command in progress on a ticket that exists nowhere but here."""
    return Command(WORKFLOWS, make_ticket(**ticket), NOW, version=2)


def kinds(cmd: Command) -> list[type]:
    return [type(event) for event in cmd.events]


def test_a_customer_reply_gives_the_ball_back_to_the_team() -> None:
    """A public reply of the customer on a ticket waiting on them fires the workflow's
    reply event: the message, then the status change."""
    cmd = command(status="waiting_customer")
    conversation.reply(
        cmd,
        NO_POLICIES,
        author=MARIA,
        body="Segue o comprovante.",
        public=True,
        automated=False,
        external_id=None,
        at=None,
    )
    assert kinds(cmd) == [Replied, StatusChanged]
    assert cmd.ticket.status == "open"


def test_an_automated_reply_moves_nothing() -> None:
    """An auto-responder's message is recorded and never moves the ticket."""
    cmd = command(status="waiting_customer")
    conversation.reply(
        cmd,
        NO_POLICIES,
        author=MARIA,
        body="Estou de férias.",
        public=True,
        automated=True,
        external_id=None,
        at=None,
    )
    assert kinds(cmd) == [Replied]
    assert cmd.ticket.status == "waiting_customer"


def test_a_customer_may_not_write_an_internal_note() -> None:
    """An internal note is the team's: the customer is refused and nothing is recorded."""
    cmd = command()
    with pytest.raises(AccessDeniedError):
        conversation.reply(
            cmd,
            NO_POLICIES,
            author=MARIA,
            body="psst",
            public=False,
            automated=False,
            external_id=None,
            at=None,
        )
    assert cmd.events == []


def test_an_agent_note_is_a_note() -> None:
    """A non-public message of the team is a NoteAdded, and moves nothing."""
    cmd = command()
    conversation.reply(
        cmd,
        NO_POLICIES,
        author=ANA,
        body="Cliente VIP",
        public=False,
        automated=False,
        external_id=None,
        at=None,
    )
    assert kinds(cmd) == [NoteAdded]
    assert cmd.ticket.status == "new"


def test_nothing_is_said_on_a_closed_ticket() -> None:
    """A closed ticket refuses a reply with the workflow's refusal."""
    cmd = command(status="closed")
    with pytest.raises(TransitionNotAllowedError, match="the ticket is closed"):
        conversation.reply(
            cmd,
            NO_POLICIES,
            author=ANA,
            body="Oi",
            public=True,
            automated=False,
            external_id=None,
            at=None,
        )


def test_opening_records_the_ticket_and_routes_it() -> None:
    """new_ticket makes the ticket; open records it, the first message and the route."""
    arguments: dict[str, Any] = {
        "channel": "site",
        "requester": MARIA,
        "subject": "Cobrança em dobro",
        "body": "Fui cobrada duas vezes.",
        "category": None,
        "priority": None,
        "partner": None,
        "order_id": None,
        "team": None,
        "tags": frozenset(),
        "custom_fields": {},
        "workflow": "standard",
        "opened_by": MARIA,
    }
    policies = Policies(routing=RoutingPolicy([], default_team="atendimento"))
    ticket = lifecycle.new_ticket(
        "T-0042", NOW, tenant="loja-1", workflows=WORKFLOWS, policies=policies, **arguments
    )
    assert (ticket.status, ticket.priority, ticket.priority_manual) == (
        "new",
        Priority.NORMAL,
        False,
    )
    cmd = Command(WORKFLOWS, ticket, NOW, version=1)
    lifecycle.open(cmd, policies, **arguments)
    assert kinds(cmd) == [TicketOpened, Replied, Assigned]
    assert cmd.ticket.team == "atendimento"


def test_a_command_the_workflow_lacks_is_refused() -> None:
    """A customer may not resolve: only the team fires resolve in the standard workflow."""
    cmd = command(status="open")
    with pytest.raises(AccessDeniedError, match="'resolve'"):
        lifecycle.resolve(cmd, NO_POLICIES, actor=MARIA, reason=None, summary="feito")
    lifecycle.resolve(cmd, NO_POLICIES, actor=ANA, reason=None, summary="Estornado.")
    assert cmd.ticket.resolution == "Estornado."


def test_an_active_ticket_is_not_rated() -> None:
    """A rating waits until the ticket is resolved or closed."""
    with pytest.raises(TransitionNotAllowedError, match="rated once it is resolved"):
        lifecycle.rate(command(status="open"), NO_POLICIES, score=5, actor=MARIA, comment=None)


def test_assigning_what_is_there_records_nothing() -> None:
    """assign with UNSET keeps a value; the same team and agent again is no event."""
    cmd = command(team="atendimento", assignee="ana")
    assignment.assign(cmd, NO_POLICIES, actor=ANA, team=UNSET, assignee="ana", reason=None)
    assert cmd.events == []
    assignment.assign(cmd, NO_POLICIES, actor=ANA, team=UNSET, assignee=None, reason=None)
    assert (cmd.ticket.team, cmd.ticket.assignee) == ("atendimento", None)


def test_escalation_stops_at_the_highest_level() -> None:
    """N1 to N2 works; N2 to N3 is refused, saying why."""
    cmd = command(status="open", assignee="ana")
    assignment.escalate(cmd, NO_POLICIES, actor=ANA, reason="gateway", team="pagamentos")
    assert kinds(cmd) == [Escalated, Assigned]
    assert (cmd.ticket.tier, cmd.ticket.team, cmd.ticket.assignee) == (2, "pagamentos", None)
    with pytest.raises(TransitionNotAllowedError, match="highest support level"):
        assignment.escalate(cmd, NO_POLICIES, actor=ANA, reason="de novo", team=UNSET)


def test_a_held_ticket_cannot_be_claimed() -> None:
    """claim refuses a ticket someone holds, with Taken (dispatch tries the next one)."""
    with pytest.raises(assignment.Taken):
        assignment.claim(command(assignee="bruno"), NO_POLICIES, agent_id="ana")


def test_an_update_merges_custom_fields() -> None:
    """A None custom field is removed, the others merged; one event lists the changes."""
    cmd = command(custom_fields={"pedido": "ML-1", "itens": 2})
    fields.update(
        cmd,
        NO_POLICIES,
        actor=ANA,
        subject=UNSET,
        category=UNSET,
        tags=UNSET,
        custom_fields={"itens": None, "loja": "sp"},
        reason=None,
    )
    assert kinds(cmd) == [FieldsChanged]
    assert cmd.ticket.custom_fields == {"pedido": "ML-1", "loja": "sp"}


def test_a_pinned_priority_set_again_records_nothing() -> None:
    """set_priority to the pinned priority is no event; clear_priority unpins it."""
    cmd = command(priority=Priority.HIGH, priority_manual=True)
    fields.set_priority(cmd, NO_POLICIES, priority=Priority.HIGH, actor=ANA, reason=None)
    assert cmd.events == []
    fields.clear_priority(cmd, NO_POLICIES, actor=ANA, reason=None)
    assert kinds(cmd) == [PriorityChanged]
    assert not cmd.ticket.priority_manual


def test_a_command_knows_its_workflow_and_refuses_with_it() -> None:
    """Command.workflow is the ticket's class; refuse() lists the events its state allows."""
    cmd = command(status="resolved")
    assert cmd.workflow is WORKFLOWS.get("standard")
    with pytest.raises(TransitionNotAllowedError) as caught:
        cmd.refuse("assign", "because")
    assert caught.value.allowed == ("reopen", "close")
    cmd.check_not_closed("assign")  # resolved is not closed


def test_the_agent_load_is_given_to_the_command() -> None:
    """Command(load=...) is what assignment asks; by default nobody holds anything."""
    assert command().load("ana") == 0
    loaded = Command(WORKFLOWS, make_ticket(), NOW, version=2, load=lambda agent: 7)
    assert loaded.load("ana") == 7
