"""The ticket and its values: parties, messages, priorities, state categories and owners.

Values are frozen attrs classes; the ``Ticket`` is a mutable attrs class that only the
``Helpdesk`` changes, one command at a time. Nothing here does I/O or reads the time.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, TypeAlias

import pendulum
from attrs import Attribute, define, field, frozen

from chamados.exceptions import InvalidTicketError
from chamados.labels import Label

if TYPE_CHECKING:
    from chamados.reports.facts import TicketStats
    from chamados.sla.clocks import SlaClock, SlaState

__all__ = [
    "Category",
    "FieldValue",
    "Message",
    "Owner",
    "Party",
    "PartyKind",
    "Priority",
    "Ticket",
]

FieldValue: TypeAlias = str | int | float | bool | None
"""A custom field value: what JSON and every SQL database can store as a scalar."""


class PartyKind(enum.Enum):
    """Who a party is to the store: its customer, a partner, an agent, a marketplace, or us."""

    CUSTOMER = "customer"
    PARTNER = "partner"
    AGENT = "agent"
    MARKETPLACE = "marketplace"
    SYSTEM = "system"

    @property
    def is_external(self) -> bool:
        """Customers, partners and marketplaces are outside the support team."""
        return self in _EXTERNAL

    @property
    def label(self) -> Label:
        """What to call this kind of party."""
        return _PARTY_LABELS[self]


_EXTERNAL = frozenset({PartyKind.CUSTOMER, PartyKind.PARTNER, PartyKind.MARKETPLACE})
_PARTY_LABELS = {
    PartyKind.CUSTOMER: Label(pt="Cliente", en="Customer"),
    PartyKind.PARTNER: Label(pt="Parceiro", en="Partner"),
    PartyKind.AGENT: Label(pt="Atendente", en="Agent"),
    PartyKind.MARKETPLACE: Label(pt="Marketplace", en="Marketplace"),
    PartyKind.SYSTEM: Label(pt="Sistema", en="System"),
}


def _non_empty(instance: object, attribute: Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        owner = type(instance).__name__
        raise InvalidTicketError(
            f"{owner}.{attribute.name} must be a non-empty string, got {value!r}",
            field=attribute.name,
        )


def _optional_non_empty(instance: object, attribute: Attribute[Any], value: object) -> None:
    if value is not None:
        _non_empty(instance, attribute, value)


@frozen
class Party:
    """Someone who acts on tickets: a customer, partner (seller, supplier), agent, ...

    Two parties are the same when kind and id match; ``name`` is only for display.

    >>> Party.customer("c-1") == Party.customer("c-1", name="Maria")
    True
    >>> Party.partner("seller-9")
    Party(kind=<PartyKind.PARTNER: 'partner'>, id='seller-9', name=None)
    """

    kind: PartyKind
    id: str = field(validator=_non_empty)
    name: str | None = field(default=None, eq=False)

    @classmethod
    def customer(cls, id: str, *, name: str | None = None) -> Party:
        """A customer of the store (the buyer)."""
        return cls(PartyKind.CUSTOMER, id, name)

    @classmethod
    def partner(cls, id: str, *, name: str | None = None) -> Party:
        """A partner: a marketplace seller or a supplier."""
        return cls(PartyKind.PARTNER, id, name)

    @classmethod
    def agent(cls, id: str, *, name: str | None = None) -> Party:
        """A member of the support team."""
        return cls(PartyKind.AGENT, id, name)

    @classmethod
    def marketplace(cls, id: str, *, name: str | None = None) -> Party:
        """A marketplace the store sells on (``"mercado_livre"``, ``"amazon"``...)."""
        return cls(PartyKind.MARKETPLACE, id, name)

    @classmethod
    def system(cls, id: str = "chamados", *, name: str | None = None) -> Party:
        """An automation: the SLA monitor, a rule, an integration."""
        return cls(PartyKind.SYSTEM, id, name)

    @property
    def is_external(self) -> bool:
        """True for customers, partners and marketplaces."""
        return self.kind.is_external

    def __str__(self) -> str:
        shown = self.name or self.id
        return f"{self.kind.value}:{shown}"


@functools.total_ordering
class Priority(enum.Enum):
    """How urgent a ticket is; priorities are ordered ``LOW < NORMAL < HIGH < URGENT``.

    >>> Priority.parse("high") > Priority.NORMAL
    True
    >>> Priority.NORMAL.raised(2)
    <Priority.URGENT: 'urgent'>
    """

    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"

    @property
    def rank(self) -> int:
        """0 for ``LOW`` up to 3 for ``URGENT``."""
        return _PRIORITY_RANK[self]

    @property
    def label(self) -> Label:
        """What to call this priority."""
        return _PRIORITY_LABELS[self]

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Priority):
            return NotImplemented
        return self.rank < other.rank

    def raised(self, steps: int = 1) -> Priority:
        """This priority moved ``steps`` up (or down, when negative), clamped to the range."""
        rank = min(max(self.rank + steps, 0), len(_PRIORITY_ORDER) - 1)
        return _PRIORITY_ORDER[rank]

    @classmethod
    def parse(cls, value: Priority | str) -> Priority:
        """The priority named by ``value``; an unknown name is an ``InvalidTicketError``."""
        if isinstance(value, Priority):
            return value
        try:
            return cls(value.strip().lower() if isinstance(value, str) else value)
        except ValueError:
            names = ", ".join(p.value for p in cls)
            raise InvalidTicketError(
                f"unknown priority {value!r}; use one of {names}", field="priority"
            ) from None


_PRIORITY_ORDER = (Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT)
_PRIORITY_RANK = {p: i for i, p in enumerate(_PRIORITY_ORDER)}
_PRIORITY_LABELS = {
    Priority.LOW: Label(pt="Baixa", en="Low"),
    Priority.NORMAL: Label(pt="Normal", en="Normal"),
    Priority.HIGH: Label(pt="Alta", en="High"),
    Priority.URGENT: Label(pt="Urgente", en="Urgent"),
}


class Category(enum.Enum):
    """What a workflow state means to SLAs and reports, whatever the workflow calls it."""

    NEW = "new"
    OPEN = "open"
    PENDING = "pending"
    ON_HOLD = "on_hold"
    RESOLVED = "resolved"
    CLOSED = "closed"

    @property
    def is_active(self) -> bool:
        """True until the ticket is resolved or closed."""
        return self not in (Category.RESOLVED, Category.CLOSED)

    @property
    def label(self) -> Label:
        """What to call this category."""
        return _CATEGORY_LABELS[self]


_CATEGORY_LABELS = {
    Category.NEW: Label(pt="Novo", en="New"),
    Category.OPEN: Label(pt="Em aberto", en="Open"),
    Category.PENDING: Label(pt="Pendente", en="Pending"),
    Category.ON_HOLD: Label(pt="Em espera", en="On hold"),
    Category.RESOLVED: Label(pt="Resolvido", en="Resolved"),
    Category.CLOSED: Label(pt="Fechado", en="Closed"),
}


class Owner(enum.Enum):
    """Who owes the next action while a ticket is in a state."""

    TEAM = "team"
    CUSTOMER = "customer"
    PARTNER = "partner"
    MARKETPLACE = "marketplace"

    @property
    def label(self) -> Label:
        """What to call this owner."""
        return _OWNER_LABELS[self]


_OWNER_LABELS = {
    Owner.TEAM: Label(pt="Equipe", en="Team"),
    Owner.CUSTOMER: Label(pt="Cliente", en="Customer"),
    Owner.PARTNER: Label(pt="Parceiro", en="Partner"),
    Owner.MARKETPLACE: Label(pt="Marketplace", en="Marketplace"),
}


@frozen
class Message:
    """A message on a ticket: a public reply or an internal note.

    ``automated`` marks messages written by a machine (auto-replies, bots); they never
    count as a response for SLAs. ``external_id`` is the id the message has in the
    channel it came from (a marketplace message id, an e-mail Message-ID).
    """

    id: str = field(validator=_non_empty)
    author: Party
    body: str = field(validator=_non_empty)
    at: pendulum.DateTime
    public: bool = True
    automated: bool = False
    external_id: str | None = field(default=None, validator=_optional_non_empty)

    @property
    def internal(self) -> bool:
        """An internal note: only the support team sees it."""
        return not self.public


def _valid_tier(instance: Ticket, attribute: Attribute[int], value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidTicketError(
            f"tier must be an integer >= 1 (1 = N1, 2 = N2), got {value!r}", field="tier"
        )


def _valid_priority(instance: Ticket, attribute: Attribute[Priority], value: Priority) -> None:
    if not isinstance(value, Priority):
        raise InvalidTicketError(f"priority must be a Priority, got {value!r}", field="priority")


def _to_tags(value: Iterable[str]) -> frozenset[str]:
    """Tags as a frozenset; a lone string is refused (it would become a set of letters)."""
    if isinstance(value, str):
        raise InvalidTicketError(
            f"tags must be a collection of strings, not the string {value!r}", field="tags"
        )
    return frozenset(value)


def _valid_tags(instance: Ticket, attribute: Attribute[frozenset[str]], value: object) -> None:
    for tag in value:  # type: ignore[attr-defined]
        if not isinstance(tag, str) or not tag.strip():
            raise InvalidTicketError(f"tags must be non-empty strings, got {tag!r}", field="tags")


def _valid_fields(
    instance: Ticket, attribute: Attribute[Mapping[str, FieldValue]], value: object
) -> None:
    if not isinstance(value, Mapping):
        raise InvalidTicketError(
            f"custom_fields must be a mapping, got {type(value).__name__}", field="custom_fields"
        )
    for key, item in value.items():
        if not isinstance(key, str) or not key:
            raise InvalidTicketError(
                f"custom field names must be non-empty strings, got {key!r}",
                field="custom_fields",
            )
        if item is not None and not isinstance(item, str | int | float | bool):
            raise InvalidTicketError(
                f"custom field {key!r} must be a str, int, float, bool or None, "
                f"got {type(item).__name__}",
                field=f"custom_fields.{key}",
            )


@define(eq=True, on_setattr=[])
class Ticket:
    """A support ticket ("chamado"): who asked what, through which channel, and where it is.

    ``status`` is the name of a state of ``workflow``; ``version`` counts saved commands
    (0 for a ticket never saved) and guards against lost updates. Only the ``Helpdesk``
    changes tickets: a ticket you get from it is your copy.

    ``priority_manual`` is set when a person (or an SLA action) chose the priority: the
    priority rules leave it alone until ``Helpdesk.clear_priority``.

    ``sla_clocks`` are the SLA clocks as of the moment the ticket was read or changed;
    ``sla_deadline`` is the next instant the SLA monitor must look at it; ``sla_state``
    is what the SLA engine remembers between commands.
    """

    id: str = field(validator=_non_empty)
    tenant: str = field(validator=_non_empty)
    channel: str = field(validator=_non_empty)
    requester: Party
    subject: str = field(validator=_non_empty)
    workflow: str = field(validator=_non_empty)
    status: str = field(validator=_non_empty)
    created_at: pendulum.DateTime
    updated_at: pendulum.DateTime
    priority: Priority = field(default=Priority.NORMAL, validator=_valid_priority)
    category: str | None = field(default=None, validator=_optional_non_empty)
    partner: Party | None = None
    order_id: str | None = field(default=None, validator=_optional_non_empty)
    team: str | None = field(default=None, validator=_optional_non_empty)
    assignee: str | None = field(default=None, validator=_optional_non_empty)
    tier: int = field(default=1, validator=_valid_tier)
    tags: frozenset[str] = field(default=frozenset(), converter=_to_tags, validator=_valid_tags)
    custom_fields: Mapping[str, FieldValue] = field(factory=dict, validator=_valid_fields)
    resolution: str | None = None
    resolved_at: pendulum.DateTime | None = None
    closed_at: pendulum.DateTime | None = None
    rating: int | None = None
    priority_manual: bool = False
    version: int = 0
    sla_state: SlaState | None = field(default=None, repr=False)
    sla_clocks: tuple[SlaClock, ...] = ()
    sla_deadline: pendulum.DateTime | None = None
    stats: TicketStats | None = field(default=None, repr=False)

    def copy(self) -> Ticket:
        """An independent copy (custom fields included)."""
        clone = _shallow_copy(self)
        clone.custom_fields = dict(self.custom_fields)
        return clone

    def involves(self, party: Party) -> bool:
        """True when ``party`` is this ticket's requester or partner."""
        return party == self.requester or party == self.partner


def _shallow_copy(ticket: Ticket) -> Ticket:
    clone = object.__new__(Ticket)
    for name in _TICKET_SLOTS:
        object.__setattr__(clone, name, getattr(ticket, name))
    return clone


_TICKET_SLOTS = tuple(a.name for a in Ticket.__attrs_attrs__)
