"""The domain values: parties, priorities, messages and the ticket."""

from __future__ import annotations

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chamados import InvalidTicketError, Message, Party, PartyKind, Priority, Ticket, limits
from chamados.model import Category, Owner, UncheckedTicket, validate_ticket
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

    def test_the_team_is_agents_and_automations(self) -> None:
        """Agents and systems are the team; every kind is either on the team or external."""
        assert [p.is_team for p in PartyKind] == [False, False, True, False, True]
        assert all(kind.is_team != kind.is_external for kind in PartyKind)
        assert Party.agent("ana").is_team
        assert not Party.marketplace("amazon").is_team

    def test_empty_id_is_refused(self) -> None:
        """A party needs an id."""
        with pytest.raises(InvalidTicketError):
            Party.customer("  ")

    @pytest.mark.parametrize("kind", ["customer", "Customer", " CUSTOMER "])
    def test_a_kind_given_by_name_is_the_kind(self, kind: str) -> None:
        """APIs and files carry kinds as names: Party("customer", "c") is a customer."""
        party = Party(kind, "c-1")  # type: ignore[arg-type]
        assert party.kind is PartyKind.CUSTOMER
        assert party == Party.customer("c-1")
        assert party.is_external

    @pytest.mark.parametrize("kind", ["client", "", 5, None])
    def test_an_unknown_kind_is_refused_naming_the_kinds(self, kind: object) -> None:
        """A kind that is no PartyKind is refused when the party is made, not later."""
        with pytest.raises(InvalidTicketError, match="customer, partner, agent") as caught:
            Party(kind, "c-1")  # type: ignore[arg-type]
        assert caught.value.field == "kind"

    @pytest.mark.parametrize(
        ("id", "name", "field"),
        [
            ("c" * 129, None, "id"),
            ("c\x00", None, "id"),
            ("c", "n" * 256, "name"),
            (5, None, "id"),
        ],
    )
    def test_ids_and_names_keep_the_limits(self, id: object, name: object, field: str) -> None:
        """A party id is at most 128 characters and a name 255, both clean text."""
        with pytest.raises(InvalidTicketError) as caught:
            Party(PartyKind.CUSTOMER, id, name)  # type: ignore[arg-type]
        assert caught.value.field == field

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

    @pytest.mark.parametrize(
        ("author", "public", "automated", "counts"),
        [
            (Party.agent("ana"), True, False, True),
            (Party.system(), True, False, True),
            (Party.agent("ana"), False, False, False),
            (Party.agent("ana"), True, True, False),
            (Party.system(), True, True, False),
            (Party.customer("c-1"), True, False, False),
            (Party.partner("seller-9"), True, False, False),
            (Party.marketplace("amazon"), True, False, False),
        ],
    )
    def test_only_a_public_human_team_reply_counts_as_a_response(
        self, author: Party, public: bool, automated: bool, counts: bool
    ) -> None:
        """A response is public, written by a person or rule of the team, not automated."""
        at = pendulum.datetime(2026, 3, 2, 10, tz="America/Sao_Paulo")
        message = Message("m-1", author, "Oi", at, public=public, automated=automated)
        assert message.counts_as_response is counts

    def test_empty_body_is_refused(self) -> None:
        """A message needs words."""
        with pytest.raises(InvalidTicketError, match="body"):
            Message(id="m1", author=Party.agent("ana"), body=" ", at=pendulum.now("UTC"))

    @pytest.mark.parametrize("flag", ["public", "automated"])
    @pytest.mark.parametrize("value", ["false", "", 0, 1, None])
    def test_flags_take_only_booleans(self, flag: str, value: object) -> None:
        """public="false" is refused: a truthy string would publish an internal note."""
        with pytest.raises(InvalidTicketError, match="True or False") as caught:
            Message(
                id="m1",
                author=Party.agent("ana"),
                body="x",
                at=pendulum.now("UTC"),
                **{flag: value},  # type: ignore[arg-type]
            )
        assert caught.value.field == flag

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"body": "x" * 100_001}, "body"),
            ({"body": "a\udc80"}, "body"),
            ({"external_id": "e" * 256}, "external_id"),
            ({"author": "ana"}, "author"),
            ({"at": "2026-03-02"}, "at"),
        ],
    )
    def test_values_past_the_limits_are_refused(
        self, overrides: dict[str, object], field: str
    ) -> None:
        """A message keeps the same limits on every storage."""
        values: dict[str, object] = {
            "id": "m1",
            "author": Party.agent("ana"),
            "body": "x",
            "at": pendulum.now("UTC"),
        }
        with pytest.raises(InvalidTicketError) as caught:
            Message(**{**values, **overrides})  # type: ignore[arg-type]
        assert caught.value.field == field


class TestTicket:
    def test_an_unchecked_ticket_is_a_plain_ticket_left_for_the_port_to_check(self) -> None:
        """UncheckedTicket skips the constructor's check (the storage port checks before
        staging) and makes a plain Ticket, stored and compared like any other."""
        at = pendulum.datetime(2026, 3, 2, tz="UTC")
        fields = {
            "id": "T-1",
            "tenant": "loja-1",
            "channel": "site",
            "requester": Party.customer("c-1"),
            "subject": "Oi",
            "workflow": "standard",
            "status": "new",
            "created_at": at,
            "updated_at": at,
        }
        made = UncheckedTicket(**fields, team=5)  # type: ignore[arg-type]
        assert type(made) is Ticket
        with pytest.raises(InvalidTicketError) as caught:
            validate_ticket(made)
        assert caught.value.field == "team"
        assert UncheckedTicket(**fields) == Ticket(**fields)

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
            ("custom_fields", {"valor": float("nan")}),
            ("custom_fields", {"valor": float("inf")}),
            ("custom_fields", {"valor": 2**63}),
            ("custom_fields", {"nota": "x" * 1001}),
            ("custom_fields", "valor=1"),
            ("team", 5),
            ("team", ""),
            ("team", "t" * 129),
            ("assignee", 5),
            ("subject", "s" * 256),
            ("subject", "a\x00b"),
            ("category", "a\ud800"),
            ("order_id", 123),
            ("tier", 100),
            ("tags", {"t" * 65}),
            ("tags", {f"t{n}" for n in range(101)}),
            ("tags", 5),
            ("rating", 6),
            ("priority_manual", "yes"),
            ("requester", "c-1"),
            ("partner", "seller-9"),
            ("created_at", "2026-03-02"),
        ],
    )
    def test_invalid_fields_are_refused(self, field: str, value: object) -> None:
        """Each invalid field raises InvalidTicketError naming the field."""
        with pytest.raises(InvalidTicketError) as caught:
            make_ticket(**{field: value})
        assert caught.value.field is not None
        assert caught.value.field.startswith(field)

    @pytest.mark.parametrize(
        ("field", "value"),
        [("team", 5), ("assignee", ""), ("tier", "2"), ("subject", "x" * 256), ("tags", {""})],
    )
    def test_a_field_changed_after_the_ticket_was_made_is_caught(
        self, field: str, value: object
    ) -> None:
        """validate_ticket checks the ticket as it is now, not as it was made."""
        ticket = make_ticket()
        setattr(ticket, field, value)
        with pytest.raises(InvalidTicketError) as caught:
            validate_ticket(ticket)
        assert caught.value.field == field
        assert caught.value.ticket_id == ticket.id

    def test_only_changed_fields_are_checked_again(self) -> None:
        """With since=, values that were there already pass (a value stored before a limit
        was tightened still saves); what changed is checked."""
        loaded = make_ticket()
        object.__setattr__(loaded, "subject", "s" * 300)  # as an older version stored it
        ticket = loaded.copy()
        ticket.version += 1
        validate_ticket(ticket, since=loaded)
        ticket.team = "t" * 129
        with pytest.raises(InvalidTicketError) as caught:
            validate_ticket(ticket, since=loaded)
        assert caught.value.field == "team"

    def test_values_at_the_limits_are_accepted(self) -> None:
        """Every field may use its whole limit."""
        ticket = make_ticket(
            id="T" * limits.TICKET_ID,
            tenant="l" * limits.TENANT,
            subject="ç" * limits.SUBJECT,
            team="t" * limits.TEAM,
            tier=limits.TIER,
            tags={f"{n:02d}" + "t" * (limits.TAG - 2) for n in range(limits.TAGS)},
            custom_fields={
                **{
                    f"{n:02d}" + "f" * (limits.FIELD_NAME - 2): n for n in range(limits.FIELDS - 2)
                },
                "big": limits.INTEGER_MAX,
                "text": "😀" * limits.FIELD_VALUE,
            },
        )
        validate_ticket(ticket)

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
