"""The access rules: who may act on and read which tickets."""

from __future__ import annotations

import attrs
import pytest

from chamados import AccessDeniedError, InvalidTicketError, NoteAdded, Party
from chamados.desk.access import (
    check_involved,
    check_may_fire,
    check_party,
    check_team,
    visible_to,
)
from chamados.testing import make_ticket
from chamados.testing.contract import _opened, _reply
from chamados.workflows import ReturnsWorkflow

TICKET = make_ticket(channel="amazon", partner=Party.partner("seller-9"))


@pytest.mark.parametrize(
    "party",
    [
        Party.agent("ana"),
        Party.system(),
        Party.customer("c-1"),
        Party.partner("seller-9"),
        Party.marketplace("amazon"),
    ],
)
def test_the_team_and_the_parties_involved_may_act(party: Party) -> None:
    """Agents, automations, the requester, the partner and the channel's marketplace."""
    check_involved(party, TICKET, "change")


@pytest.mark.parametrize(
    "party",
    [Party.customer("c-2"), Party.partner("seller-1"), Party.marketplace("mercado_livre")],
)
def test_strangers_may_not(party: Party) -> None:
    """Anyone external and not involved is refused, with the party in the error."""
    with pytest.raises(AccessDeniedError) as caught:
        check_involved(party, TICKET, "change")
    assert caught.value.actor == str(party)
    assert caught.value.ticket_id == TICKET.id


def test_only_the_team_does_team_work() -> None:
    """Customers cannot do what check_team guards."""
    check_team(Party.system(), TICKET, "assign")
    with pytest.raises(AccessDeniedError, match="only the support team"):
        check_team(Party.customer("c-1"), TICKET, "assign")


def test_parties_fire_only_granted_events() -> None:
    """The partner may accept a return but not refund it."""
    partner = Party.partner("seller-9")
    check_may_fire(partner, TICKET, ReturnsWorkflow, "accept")
    with pytest.raises(AccessDeniedError, match="'refund'"):
        check_may_fire(partner, TICKET, ReturnsWorkflow, "refund")
    check_may_fire(Party.agent("ana"), TICKET, ReturnsWorkflow, "refund")


def test_internal_notes_are_invisible_outside_the_team() -> None:
    """visible_to drops NoteAdded for external viewers only."""
    reply = _reply(TICKET, "público")
    note = NoteAdded(
        id="n1",
        ticket_id=TICKET.id,
        tenant=TICKET.tenant,
        version=1,
        at=reply.at,
        actor=Party.agent("ana"),
        message=attrs.evolve(reply.message, public=False),
    )
    events = [_opened(TICKET), reply, note]
    assert visible_to(Party.customer("c-1"), events) == events[:2]
    assert visible_to(Party.agent("ana"), events) == events
    assert visible_to(None, events) == events


def test_parties_must_be_parties() -> None:
    """A string where a Party belongs is an InvalidTicketError naming the argument."""
    with pytest.raises(InvalidTicketError, match="author must be a Party") as caught:
        check_party("ana", "author")
    assert caught.value.field == "author"
