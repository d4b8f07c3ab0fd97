"""Conditions on tickets: which tickets a policy, a rule or a route applies to.

A condition is either a callable taking the ticket and returning a bool, or a mapping of
field to expected value(s); every entry must hold. Values may be a single value or a
collection of accepted values. Keys:

- ``channel``, ``category``, ``tenant``, ``team``, ``status``, ``workflow``, ``order_id``;
- ``priority``: a ``Priority`` or its name;
- ``tier``: 1 (N1), 2 (N2)...;
- ``requester``: the requester's kind (``"customer"``, ``"partner"``...);
- ``partner``: the partner's id (or ``None`` for tickets without a partner);
- ``tags``: tags the ticket must all carry;
- ``fields.<name>`` (or ``custom_fields={"name": value}``): custom field values.

>>> from chamados.testing import make_ticket
>>> vip = compile_condition({"channel": ["site", "app"], "fields.segment": "vip"})
>>> vip(make_ticket(custom_fields={"segment": "vip"}))
True
>>> vip(make_ticket(channel="amazon", custom_fields={"segment": "vip"}))
False
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from chamados.exceptions import ConfigurationError
from chamados.model import Priority, Ticket

__all__ = ["Condition", "TicketPredicate", "compile_condition"]

TicketPredicate = Callable[[Ticket], bool]
Condition = Mapping[str, Any] | TicketPredicate

_PLAIN = ("channel", "category", "tenant", "team", "status", "workflow", "order_id", "tier")


def _always(ticket: Ticket) -> bool:
    return True


def compile_condition(condition: Condition | None, *, where: str = "when") -> TicketPredicate:
    """A predicate for ``condition`` (``None`` matches every ticket).

    Unknown keys are ``ConfigurationError`` naming ``where`` and the key.
    """
    if condition is None:
        return _always
    if callable(condition):
        return condition
    if not isinstance(condition, Mapping):
        raise ConfigurationError(
            f"{where} must be a mapping of fields to values or a callable on the ticket",
            key=where,
        )
    checks: list[TicketPredicate] = []
    for key, expected in condition.items():
        if key == "custom_fields":
            if not isinstance(expected, Mapping):
                raise ConfigurationError(
                    f"{where}.custom_fields must map field names to values", key=f"{where}.{key}"
                )
            checks.extend(_field(name, value) for name, value in expected.items())
        else:
            checks.append(_check(key, expected, where=where))

    def matches(ticket: Ticket) -> bool:
        return all(check(ticket) for check in checks)

    return matches


def _accepted(expected: Any) -> frozenset[Any]:
    if isinstance(expected, str | bytes) or not isinstance(expected, Collection):
        return frozenset([expected])
    return frozenset(expected)


def _check(key: str, expected: Any, *, where: str) -> TicketPredicate:
    if key in _PLAIN:
        accepted = _accepted(expected)
        return lambda ticket: getattr(ticket, key) in accepted
    if key == "priority":
        priorities = frozenset(Priority.parse(p) for p in _accepted(expected))
        return lambda ticket: ticket.priority in priorities
    if key == "requester":
        kinds = _accepted(expected)
        return lambda ticket: ticket.requester.kind.value in kinds
    if key == "partner":
        partners = _accepted(expected)
        return lambda ticket: (ticket.partner.id if ticket.partner else None) in partners
    if key == "tags":
        required = _accepted(expected)
        return lambda ticket: required <= ticket.tags
    if key.startswith("fields."):
        return _field(key.removeprefix("fields."), expected)
    known = ", ".join([*_PLAIN, "priority", "requester", "partner", "tags", "fields.<name>"])
    raise ConfigurationError(
        f"{where}: unknown condition {key!r}; use {known}", key=f"{where}.{key}"
    )


def _field(name: str, expected: Any) -> TicketPredicate:
    accepted = _accepted(expected)
    return lambda ticket: ticket.custom_fields.get(name) in accepted
