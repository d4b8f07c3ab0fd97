"""The ticket and its values: parties, messages, priorities, state categories and owners.

Values are frozen attrs classes; the ``Ticket`` is a mutable attrs class that only the
``Helpdesk`` changes, one command at a time. Nothing here does I/O or reads the time.

Why one long module (about 650 lines): every field's check (``validate_ticket``, with
the limits of ``chamados.limits``) sits beside the field it checks, so a new field cannot
be added without its rule.
"""

from __future__ import annotations

import enum
import functools
import math
import operator
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeAlias

import pendulum
from attrs import Attribute, define, field, frozen

from chamados import limits
from chamados.exceptions import InvalidTicketError
from chamados.labels import Label
from chamados.limits import check_flag, check_integer, check_text
from chamados.tracking import SlaClock, SlaState, TicketStats

__all__ = [
    "Category",
    "FieldValue",
    "Message",
    "Owner",
    "Party",
    "PartyKind",
    "Priority",
    "Ticket",
    "UncheckedTicket",
    "check_custom_fields",
    "check_instant",
    "check_tags",
    "validate_ticket",
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
    def is_team(self) -> bool:
        """Agents and automations are the support team: the one definition of who is on
        the team (access rules, SLA responses, indicators and customer messages ask here).
        Every kind is either on the team or external."""
        return self in _TEAM

    @property
    def label(self) -> Label:
        """What to call this kind of party."""
        return _PARTY_LABELS[self]


_EXTERNAL = frozenset({PartyKind.CUSTOMER, PartyKind.PARTNER, PartyKind.MARKETPLACE})
_TEAM = frozenset({PartyKind.AGENT, PartyKind.SYSTEM})
_PARTY_LABELS = {
    PartyKind.CUSTOMER: Label(pt="Cliente", en="Customer"),
    PartyKind.PARTNER: Label(pt="Parceiro", en="Partner"),
    PartyKind.AGENT: Label(pt="Atendente", en="Agent"),
    PartyKind.MARKETPLACE: Label(pt="Marketplace", en="Marketplace"),
    PartyKind.SYSTEM: Label(pt="Sistema", en="System"),
}


def _party_kind(value: PartyKind | str) -> PartyKind:
    """A ``PartyKind``, from itself or from its name (``"customer"``, as APIs send it)."""
    if isinstance(value, PartyKind):
        return value
    if isinstance(value, str):
        try:
            return PartyKind(value.strip().lower())
        except ValueError:
            pass
    kinds = ", ".join(k.value for k in PartyKind)
    raise InvalidTicketError(
        f"a party's kind must be a PartyKind or one of {kinds}, got {value!r}", field="kind"
    )


def _text(limit: int, *, blank: bool = False) -> Callable[[object, Attribute[Any], object], None]:
    """An attrs validator: a string as ``chamados.limits.check_text`` accepts it."""

    def valid(instance: object, attribute: Attribute[Any], value: object) -> None:
        check_text(value, field=attribute.name, limit=limit, blank=blank)

    return valid


def _optional_text(limit: int) -> Callable[[object, Attribute[Any], object], None]:
    """An attrs validator: ``None``, or a string as ``check_text`` accepts it."""

    def valid(instance: object, attribute: Attribute[Any], value: object) -> None:
        if value is not None:
            check_text(value, field=attribute.name, limit=limit)

    return valid


def _flag(instance: object, attribute: Attribute[Any], value: object) -> None:
    check_flag(value, field=attribute.name)


def _instant(instance: object, attribute: Attribute[Any], value: object) -> None:
    check_instant(value, field=attribute.name)


def check_instant(value: object, *, field: str) -> pendulum.DateTime:
    """``value`` if it is a time-zone aware pendulum ``DateTime`` (what chamados stores)."""
    if not isinstance(value, pendulum.DateTime) or value.tzinfo is None:
        raise InvalidTicketError(
            f"{field} must be a time-zone aware pendulum DateTime, got {value!r}", field=field
        )
    return value


@frozen
class Party:
    """Someone who acts on tickets: a customer, partner (seller, supplier), agent, ...

    Two parties are the same when kind and id match; ``name`` is only for display. The
    kind may be given by name (``Party("customer", "c-1")``), as APIs and files carry it.

    >>> Party.customer("c-1") == Party.customer("c-1", name="Maria")
    True
    >>> Party.partner("seller-9")
    Party(kind=<PartyKind.PARTNER: 'partner'>, id='seller-9', name=None)
    """

    kind: PartyKind = field(converter=_party_kind)
    id: str = field(validator=_text(limits.ID))
    name: str | None = field(default=None, eq=False, validator=_optional_text(limits.PARTY_NAME))

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

    @property
    def is_team(self) -> bool:
        """True for agents and automations: the support team (``PartyKind.is_team``)."""
        return self.kind.is_team

    def __str__(self) -> str:
        shown = self.name or self.id
        return f"{self.kind.value}:{shown}"


def _party(instance: object, attribute: Attribute[Any], value: object) -> None:
    _check_party(value, field=attribute.name)


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

    id: str = field(validator=_text(limits.TICKET_ID))
    author: Party = field(validator=_party)
    body: str = field(validator=_text(limits.BODY))
    at: pendulum.DateTime = field(validator=_instant)
    public: bool = field(default=True, validator=_flag)
    automated: bool = field(default=False, validator=_flag)
    external_id: str | None = field(default=None, validator=_optional_text(limits.EXTERNAL_ID))

    @property
    def internal(self) -> bool:
        """An internal note: only the support team sees it."""
        return not self.public

    @property
    def counts_as_response(self) -> bool:
        """A public, human reply by the team: what answers the customer.

        The one definition of a response: it meets the SLA response metrics, counts as the
        first response in the indicators, and sends the customer a ``replied`` message.
        Internal notes and automated messages (auto-acknowledgements, bots) never do.

        >>> import pendulum
        >>> at = pendulum.datetime(2026, 3, 2, 10, tz="America/Sao_Paulo")
        >>> Message("m-1", Party.agent("ana"), "Resolvido!", at).counts_as_response
        True
        >>> Message("m-2", Party.system(), "Recebemos", at, automated=True).counts_as_response
        False
        """
        return self.public and not self.automated and self.author.kind in _TEAM


def _to_tags(value: Iterable[str]) -> frozenset[str]:
    """Tags as a frozenset; a lone string is refused (it would become a set of letters)."""
    if isinstance(value, str):
        raise InvalidTicketError(
            f"tags must be a collection of strings, not the string {value!r}", field="tags"
        )
    if isinstance(value, frozenset):
        return value
    if not isinstance(value, Iterable) or isinstance(value, Mapping):
        raise InvalidTicketError(
            f"tags must be a collection of strings, got {type(value).__name__}", field="tags"
        )
    try:
        return frozenset(value)
    except TypeError:
        raise InvalidTicketError(
            f"tags must be strings, got {[type(tag).__name__ for tag in value]}", field="tags"
        ) from None


def _check_party(value: object, field: str) -> None:
    if not isinstance(value, Party):
        raise InvalidTicketError(
            f"{field} must be a Party (Party.customer(...), Party.agent(...)...), got {value!r}",
            field=field,
        )
    if not isinstance(value.kind, PartyKind):
        raise InvalidTicketError(f"{field}.kind must be a PartyKind", field=f"{field}.kind")
    check_text(value.id, field=f"{field}.id", limit=limits.ID)
    if value.name is not None:
        check_text(value.name, field=f"{field}.name", limit=limits.PARTY_NAME)


def _check_optional_party(value: object, field: str) -> None:
    if value is not None:
        _check_party(value, field)


def check_tags(value: object, field: str = "tags") -> None:
    """Refuse tags that are not a frozenset of at most ``limits.TAGS`` non-empty texts."""
    if not isinstance(value, frozenset):
        raise InvalidTicketError(f"tags must be a frozenset, got {value!r}", field=field)
    if len(value) > limits.TAGS:
        raise InvalidTicketError(
            f"a ticket carries at most {limits.TAGS} tags, got {len(value)}", field=field
        )
    for tag in value:
        check_text(tag, field=field, limit=limits.TAG, label="a tag")


def check_custom_fields(value: object, field: str = "custom_fields") -> None:
    """Refuse custom fields that are not a mapping of names to storable scalars."""
    if not isinstance(value, Mapping):
        raise InvalidTicketError(
            f"custom_fields must be a mapping of names to values, got {type(value).__name__}",
            field=field,
        )
    if len(value) > limits.FIELDS:
        raise InvalidTicketError(
            f"a ticket carries at most {limits.FIELDS} custom fields, got {len(value)}",
            field=field,
        )
    for key, item in value.items():
        if not (
            type(key) is str
            and len(key) <= limits.FIELD_NAME
            and key.isascii()
            and "\x00" not in key
            and key
            and not key.isspace()
        ):
            check_text(key, field=field, limit=limits.FIELD_NAME, label="a custom field name")
        kind = type(item)
        if item is None or kind is bool:
            continue
        if kind is int and limits.INTEGER_MIN <= item <= limits.INTEGER_MAX:
            continue
        if (
            kind is str
            and len(item) <= limits.FIELD_VALUE
            and item.isascii()
            and "\x00" not in item
        ):
            continue
        _check_field_value(key, item, f"{field}.{key}")


def _check_field_value(key: str, value: object, field: str) -> None:
    if value is None or value is True or value is False:
        return
    if isinstance(value, str):
        check_text(value, field=field, limit=limits.FIELD_VALUE, blank=True)
    elif isinstance(value, int):
        if not limits.INTEGER_MIN <= value <= limits.INTEGER_MAX:
            raise InvalidTicketError(
                f"custom field {key!r} holds {value}, beyond a 64-bit integer; store it as "
                f"a string",
                field=field,
            )
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidTicketError(
                f"custom field {key!r} must be a finite number, got {value!r}", field=field
            )
    else:
        raise InvalidTicketError(
            f"custom field {key!r} must be a str, int, float, bool or None, "
            f"got {type(value).__name__}",
            field=field,
        )


def _check_priority(value: object, field: str) -> None:
    if not isinstance(value, Priority):
        raise InvalidTicketError(f"priority must be a Priority, got {value!r}", field=field)


def _check_tier(value: object, field: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= limits.TIER:
        raise InvalidTicketError(
            f"tier must be an integer from 1 to {limits.TIER} (1 = N1, 2 = N2), got {value!r}",
            field=field,
        )


def _check_rating(value: object, field: str) -> None:
    if value is not None:
        check_integer(value, field=field, low=1, high=5)


def _check_version(value: object, field: str) -> None:
    check_integer(value, field=field, low=0, high=_VERSION_MAX)


def _check_optional_instant(value: object, field: str) -> None:
    if value is not None:
        check_instant(value, field=field)


def _check_flag(value: object, field: str) -> None:
    check_flag(value, field=field)


def _check_instant(value: object, field: str) -> None:
    check_instant(value, field=field)


def _check_clocks(value: object, field: str) -> None:
    if not isinstance(value, tuple):
        raise InvalidTicketError(f"sla_clocks must be a tuple, got {value!r}", field=field)


def _text_rule(limit: int, *, blank: bool = False) -> _Rule:
    def rule(value: object, field: str) -> None:
        check_text(value, field=field, limit=limit, blank=blank)

    return rule


_Rule = Callable[[object, str], object]
_VERSION_MAX = 2**31 - 1  # an INTEGER column
_TEXT, _OPTIONAL_TEXT, _FREE_TEXT, _OTHER = 1, 2, 3, 0

_TICKET_RULES: tuple[tuple[str, int, int, _Rule], ...] = (
    # Every field a command or a host can set, in the order errors are reported: the
    # name, the kind of rule (text ones have a fast path in validate_ticket), the text
    # limit, and the check. The SLA engine's state and the indicator facts are the
    # engine's own values, not input.
    ("id", _TEXT, limits.TICKET_ID, _text_rule(limits.TICKET_ID)),
    ("tenant", _TEXT, limits.TENANT, _text_rule(limits.TENANT)),
    ("channel", _TEXT, limits.CHANNEL, _text_rule(limits.CHANNEL)),
    ("requester", _OTHER, 0, _check_party),
    ("subject", _TEXT, limits.SUBJECT, _text_rule(limits.SUBJECT)),
    ("workflow", _TEXT, limits.NAME, _text_rule(limits.NAME)),
    ("status", _TEXT, limits.NAME, _text_rule(limits.NAME)),
    ("created_at", _OTHER, 0, _check_instant),
    ("updated_at", _OTHER, 0, _check_instant),
    ("priority", _OTHER, 0, _check_priority),
    ("category", _OPTIONAL_TEXT, limits.ID, _text_rule(limits.ID)),
    ("partner", _OTHER, 0, _check_optional_party),
    ("order_id", _OPTIONAL_TEXT, limits.ID, _text_rule(limits.ID)),
    ("team", _OPTIONAL_TEXT, limits.TEAM, _text_rule(limits.TEAM)),
    ("assignee", _OPTIONAL_TEXT, limits.TEAM, _text_rule(limits.TEAM)),
    ("tier", _OTHER, 0, _check_tier),
    ("tags", _OTHER, 0, check_tags),
    ("custom_fields", _OTHER, 0, check_custom_fields),
    ("resolution", _FREE_TEXT, limits.TEXT, _text_rule(limits.TEXT, blank=True)),
    ("resolved_at", _OTHER, 0, _check_optional_instant),
    ("closed_at", _OTHER, 0, _check_optional_instant),
    ("rating", _OTHER, 0, _check_rating),
    ("priority_manual", _OTHER, 0, _check_flag),
    ("version", _OTHER, 0, _check_version),
    ("sla_clocks", _OTHER, 0, _check_clocks),
    ("sla_deadline", _OTHER, 0, _check_optional_instant),
)


_RULED = operator.attrgetter(*(rule[0] for rule in _TICKET_RULES))
_NOTHING_KNOWN = tuple(object() for _ in _TICKET_RULES)


def validate_ticket(ticket: Ticket, *, since: Ticket | None = None) -> None:
    """Raise ``InvalidTicketError`` naming the first field of ``ticket`` that breaks the
    rules (types and ``chamados.limits``).

    ``since`` is the ticket as it was loaded: fields that still hold the very same
    (immutable) value are not checked again, so a command pays only for what it changed.
    Custom fields, a mutable mapping, are always checked.
    """
    if not isinstance(ticket, Ticket):
        raise InvalidTicketError(f"expected a Ticket, got {type(ticket).__name__}")
    values = _RULED(ticket)
    before = _RULED(since) if since is not None else _NOTHING_KNOWN
    for (name, kind, limit, rule), value, old in zip(_TICKET_RULES, values, before, strict=True):
        if value is old and name != "custom_fields":
            continue
        if kind:  # text: plain ASCII within the limit passes at once
            if value is None and kind != _TEXT:
                continue
            if (
                type(value) is str
                and len(value) <= limit
                and value.isascii()
                and "\x00" not in value
                and (kind == _FREE_TEXT or (value and not value.isspace()))
            ):
                continue
        try:
            rule(value, name)
        except InvalidTicketError as error:
            if error.ticket_id is None and name != "id":
                error.ticket_id = ticket.id
            raise


@define(eq=True, on_setattr=[])
class Ticket:
    """A support ticket ("chamado"): who asked what, through which channel, and where it is.

    ``status`` is the name of a state of ``workflow``; ``version`` counts saved commands
    (0 for a ticket never saved) and guards against lost updates. Only the ``Helpdesk``
    changes tickets: a ticket you get from it is your copy.

    Every field is checked when a ticket is made and again, by the storage port, before
    it is saved (``validate_ticket``): a value breaking ``chamados.limits`` is an
    ``InvalidTicketError`` naming the field, whatever the storage.

    ``priority_manual`` is set when a person (or an SLA action) chose the priority: the
    priority rules leave it alone until ``Helpdesk.clear_priority``.

    ``sla_clocks`` are the SLA clocks as of the moment the ticket was read or changed;
    ``sla_deadline`` is the next instant the SLA monitor must look at it; ``sla_state``
    is what the SLA engine remembers between commands.
    """

    id: str
    tenant: str
    channel: str
    requester: Party
    subject: str
    workflow: str
    status: str
    created_at: pendulum.DateTime
    updated_at: pendulum.DateTime
    priority: Priority = Priority.NORMAL
    category: str | None = None
    partner: Party | None = None
    order_id: str | None = None
    team: str | None = None
    assignee: str | None = None
    tier: int = 1
    tags: frozenset[str] = field(default=frozenset(), converter=_to_tags)
    custom_fields: Mapping[str, FieldValue] = field(factory=dict)
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

    def __attrs_post_init__(self) -> None:
        validate_ticket(self)

    def copy(self) -> Ticket:
        """An independent copy (custom fields included)."""
        clone = _shallow_copy(self)
        clone.custom_fields = dict(self.custom_fields)
        return clone

    def involves(self, party: Party) -> bool:
        """True when ``party`` is this ticket's requester or partner."""
        return party == self.requester or party == self.partner


class UncheckedTicket(Ticket):
    """Makes a ``Ticket`` without the constructor's check, for code that hands the ticket
    straight to the storage port, which checks every field before it stages a ticket
    (``UnitOfWork.add``): the desk's ``open``. Checking at construction too would do the
    same work twice on every new ticket. The object made is a plain ``Ticket``; anything
    else builds tickets with the constructor.
    """

    __slots__ = ()

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "__class__", Ticket)


def _shallow_copy(ticket: Ticket) -> Ticket:
    clone = object.__new__(Ticket)
    for name in _TICKET_SLOTS:
        object.__setattr__(clone, name, getattr(ticket, name))
    return clone


_TICKET_SLOTS = tuple(a.name for a in Ticket.__attrs_attrs__)
