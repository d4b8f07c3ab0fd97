"""The domain values: parties, priorities, messages and the ticket."""

from __future__ import annotations

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chamados import InvalidTicketError, Message, Party, PartyKind, Priority, Ticket
from chamados.model import Category, Owner
from chamados.testing import make_ticket


class TestParty:
    def test_constructors_set_the_kind(self) -> None:
        """Each named constructor makes the matching kind of party."""
        assert Party.customer("c-1").kind is PartyKind.CUSTOMER
        assert Party.partner("seller-9").kind is PartyKind.PARTNER
        assert Party.agent("ana").kind is PartyKind.AGENT
        assert Party.marketplace("amazon").kind is PartyKind.MARKETPLACE
        assert Party.system().kind is PartyKind.SYSTEM

    def test_display_name_does_not_change_identity(self) -> None:
        """Two parties with the same kind and id are the same, whatever their names."""
        assert Party.customer("c-1", name="Maria") == Party.customer("c-1")
        assert Party.customer("c-1") != Party.partner("c-1")

    def test_external_parties(self) -> None:
        """Customers, partners and marketplaces are external; agents and systems are not."""
        assert [p.is_external for p in PartyKind] == [True, True, False, True, False]

    def test_empty_id_is_refused(self) -> None:
        """A party needs an id."""
        with pytest.raises(InvalidTicketError):
            Party.customer("  ")

    def test_str_shows_kind_and_name(self) -> None:
        """str() is for timelines: kind and name (or id)."""
        assert str(Party.agent("ana", name="Ana")) == "agent:Ana"
        assert str(Party.customer("c-1")) == "customer:c-1"


class TestPriority:
    def test_priorities_are_ordered(self) -> None:
        """low < normal < high < urgent."""
        assert sorted([Priority.URGENT, Priority.LOW, Priority.HIGH, Priority.NORMAL]) == [
            Priority.LOW,
            Priority.NORMAL,
            Priority.HIGH,
            Priority.URGENT,
        ]
        assert Priority.HIGH > Priority.NORMAL >= Priority.NORMAL

    def test_parse_accepts_names_in_any_case(self) -> None:
        """Priorities come from config files and APIs as strings."""
        assert Priority.parse(" High ") is Priority.HIGH
        assert Priority.parse(Priority.LOW) is Priority.LOW

    def test_parse_refuses_unknown_names(self) -> None:
        """An unknown priority is an InvalidTicketError that lists the valid ones."""
        with pytest.raises(InvalidTicketError, match="low, normal, high, urgent"):
            Priority.parse("critical")

    @given(st.sampled_from(list(Priority)), st.integers(-10, 10))
    def test_raised_stays_in_range_and_moves_monotonically(
        self, start: Priority, steps: int
    ) -> None:
        """raised() clamps at the ends and never moves against the sign of steps."""
        result = start.raised(steps)
        assert result in list(Priority)
        if steps >= 0:
            assert result >= start
        else:
            assert result <= start

    def test_labels_in_both_languages(self) -> None:
        """Every priority has a pt-BR and an English label."""
        assert Priority.URGENT.label.get("pt-BR") == "Urgente"
        assert Priority.URGENT.label.get("en") == "Urgent"


class TestMessage:
    def test_internal_is_the_opposite_of_public(self) -> None:
        """An internal note is a message that is not public."""
        at = pendulum.now("UTC")
        note = Message(id="m1", author=Party.agent("ana"), body="x", at=at, public=False)
        assert note.internal

    def test_empty_body_is_refused(self) -> None:
        """A message needs words."""
        with pytest.raises(InvalidTicketError, match="body"):
            Message(id="m1", author=Party.agent("ana"), body=" ", at=pendulum.now("UTC"))


class TestTicket:
    def test_defaults(self) -> None:
        """A new ticket is normal priority, N1, untagged and unassigned."""
        ticket = make_ticket()
        assert (ticket.priority, ticket.tier, ticket.tags, ticket.assignee) == (
            Priority.NORMAL,
            1,
            frozenset(),
            None,
        )

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("tier", 0),
            ("tier", True),
            ("priority", "high"),
            ("subject", ""),
            ("tenant", ""),
            ("tags", "vip"),
            ("tags", {""}),
            ("custom_fields", {"items": [1, 2]}),
            ("custom_fields", {"": 1}),
        ],
    )
    def test_invalid_fields_are_refused(self, field: str, value: object) -> None:
        """Each invalid field raises InvalidTicketError naming the field."""
        with pytest.raises(InvalidTicketError) as caught:
            make_ticket(**{field: value})
        assert caught.value.field is not None
        assert caught.value.field.startswith(field)

    def test_copy_is_independent(self) -> None:
        """Changing a copy, its custom fields included, leaves the original alone."""
        ticket = make_ticket(custom_fields={"valor": 10})
        clone = ticket.copy()
        clone.custom_fields["valor"] = 20  # type: ignore[index]
        clone.status = "open"
        assert ticket.custom_fields == {"valor": 10}
        assert ticket.status == "new"
        assert clone == clone.copy()

    def test_involves_requester_and_partner(self) -> None:
        """involves() is true for the requester and the partner only."""
        ticket = make_ticket(partner=Party.partner("s-1"))
        assert ticket.involves(Party.customer("c-1"))
        assert ticket.involves(Party.partner("s-1"))
        assert not ticket.involves(Party.customer("c-2"))
        assert isinstance(ticket, Ticket)


def test_categories_know_whether_they_are_active() -> None:
    """new, open, pending and on_hold are active; resolved and closed are not."""
    assert [c.is_active for c in Category] == [True, True, True, True, False, False]


def test_owners_and_categories_have_labels() -> None:
    """Every owner and category has labels in both languages."""
    for item in [*Owner, *Category]:
        assert item.label.pt
        assert item.label.en
