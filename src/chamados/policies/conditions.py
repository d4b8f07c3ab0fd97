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
- ``subject``: words, any of which in the subject matches (case and accents ignored:
  ``"cobranca"`` finds "Cobrança em dobro");
- ``fields.<name>`` (or ``fields={"name": value}``, ``custom_fields={...}``, which TOML's
  dotted keys produce): custom field values.

A value may also be a comparison: ``{"gte": 1000}`` (``gt``, ``gte``, ``lt``, ``lte``,
``ne``, ``in``, ``not_in``), for order values and the like; a missing field never
matches a comparison. Values are plain (text, numbers, booleans, dates) or lists of
them; ``subject``, ``tags``, ``requester`` and ``priority`` take text. Anything else
is a ``ConfigurationError`` naming the key, when the condition is compiled.

>>> from chamados.testing import make_ticket
>>> vip = compile_condition({"channel": ["site", "app"], "fields.segment": "vip"})
>>> vip(make_ticket(custom_fields={"segment": "vip"}))
True
>>> vip(make_ticket(channel="amazon", custom_fields={"segment": "vip"}))
False
>>> big = compile_condition({"fields.order_value": {"gte": 1000}, "subject": ["estorno"]})
>>> big(make_ticket(subject="Pedido de ESTORNO", custom_fields={"order_value": 1299.9}))
True
"""

from __future__ import annotations

import operator
import re
import unicodedata
from collections.abc import Callable, Collection, Mapping
from datetime import date, time
from typing import Any

from chamados.exceptions import ConfigurationError, InvalidTicketError
from chamados.model import PartyKind, Priority, Ticket

__all__ = ["Condition", "TicketPredicate", "compile_condition", "describe_condition"]

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
        if not isinstance(key, str):
            raise ConfigurationError(
                f"{where}: a condition key must be text, got {key!r}", key=where
            )
        if key in ("custom_fields", "fields"):
            if not isinstance(expected, Mapping):
                raise ConfigurationError(
                    f"{where}.custom_fields must map field names to values", key=f"{where}.{key}"
                )
            checks.extend(
                _field(name, value, where=f"{where}.fields.{name}")
                for name, value in expected.items()
            )
        else:
            checks.append(_check(key, expected, where=where))

    def matches(ticket: Ticket) -> bool:
        return all(check(ticket) for check in checks)

    return matches


_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
    "ne": operator.ne,
    "in": lambda value, options: value in options,
    "not_in": lambda value, options: value not in options,
}


def searchable(text: str) -> str:
    """Lower case without accents: how a ``subject`` condition compares words.

    >>> searchable("Cobrança em DOBRO")
    'cobranca em dobro'
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


_PLAIN_VALUES = (str, int, float, bool, date, time)
"""What a condition compares with: the scalar values TOML has (``datetime`` is a
``date``)."""


def _plain(value: Any, where: str, *, text: bool = False) -> Any:
    """``value`` if it is a plain value (text only, when ``text``)."""
    if not isinstance(value, str if text else _PLAIN_VALUES):
        wanted = "text" if text else "text, a number, a boolean or a date"
        raise ConfigurationError(f"{where} must be {wanted}, got {value!r}", key=where)
    return value


def _comparison(spec: Mapping[str, Any], where: str) -> Callable[[Any], bool]:
    unknown = sorted(str(name) for name in set(spec) - set(_OPERATORS))
    if unknown or not spec:
        raise ConfigurationError(
            f"{where}: unknown comparison {', '.join(unknown) or '{}'}; use "
            f"{', '.join(_OPERATORS)}",
            key=where,
        )
    tests = []
    for name, value in spec.items():
        if name in ("in", "not_in"):
            value = _accepted(value, f"{where}.{name}")
        else:
            _plain(value, f"{where}.{name}")
        tests.append((_OPERATORS[name], value))

    def compare(value: Any) -> bool:
        if value is None:
            return False
        try:
            return all(test(value, expected) for test, expected in tests)
        except TypeError:
            return False

    return compare


def _matcher(expected: Any, where: str) -> Callable[[Any], bool]:
    """A test on one value: equality with any accepted value, or a comparison."""
    if isinstance(expected, Mapping):
        return _comparison(expected, where)
    accepted = _accepted(expected, where)
    return lambda value: value in accepted


def _accepted(expected: Any, where: str, *, text: bool = False) -> frozenset[Any]:
    """The accepted values: one plain value, or a collection of them (``None`` is
    accepted too, but not where ``text`` is required: a ticket without a partner, a
    field that is not set)."""
    if isinstance(expected, str | bytes) or not isinstance(expected, Collection):
        values: Collection[Any] = [expected]
    elif isinstance(expected, Mapping):
        raise ConfigurationError(
            f"{where} must be a value or a list of values, got {expected!r}", key=where
        )
    else:
        values = expected
    return frozenset(
        None if value is None and not text else _plain(value, where, text=text) for value in values
    )


def _listed(expected: Any, where: str) -> Collection[Any]:
    if isinstance(expected, Mapping) or not isinstance(expected, Collection):
        raise ConfigurationError(
            f"{where} must be a name or a list of names, got {expected!r}", key=where
        )
    return expected


def _check(key: str, expected: Any, *, where: str) -> TicketPredicate:
    at = f"{where}.{key}"
    if key in _PLAIN:
        test = _matcher(expected, at)
        return lambda ticket: test(getattr(ticket, key))
    if key == "priority":
        named = [expected] if isinstance(expected, Priority) else expected
        try:
            priorities = frozenset(
                p if isinstance(p, Priority) else Priority.parse(_plain(p, at, text=True))
                for p in ([named] if isinstance(named, str) else _listed(named, at))
            )
        except InvalidTicketError as error:
            raise ConfigurationError(f"{at}: {error}", key=at) from None
        return lambda ticket: ticket.priority in priorities
    if key == "requester":
        kinds = _accepted(expected, at, text=True)
        unknown = sorted(kinds - {kind.value for kind in PartyKind})
        if unknown:
            raise ConfigurationError(
                f"{at}: unknown party kind(s) {', '.join(unknown)}; use "
                f"{', '.join(kind.value for kind in PartyKind)}",
                key=at,
            )
        return lambda ticket: ticket.requester.kind.value in kinds
    if key == "partner":
        partners = _accepted(expected, at)
        return lambda ticket: (ticket.partner.id if ticket.partner else None) in partners
    if key == "tags":
        required = _accepted(expected, at, text=True)
        return lambda ticket: required <= ticket.tags
    if key == "subject":
        words = [searchable(w) for w in _accepted(expected, at, text=True)]
        patterns = [re.compile(rf"\b{re.escape(w)}\b") for w in words]
        return lambda ticket: any(p.search(searchable(ticket.subject)) for p in patterns)
    if key.startswith("fields."):
        return _field(key.removeprefix("fields."), expected, where=f"{where}.{key}")
    known = ", ".join(
        [*_PLAIN, "priority", "requester", "partner", "tags", "subject", "fields.<name>"]
    )
    raise ConfigurationError(
        f"{where}: unknown condition {key!r}; use {known}", key=f"{where}.{key}"
    )


def _field(name: str, expected: Any, *, where: str) -> TicketPredicate:
    test = _matcher(expected, where)
    return lambda ticket: test(ticket.custom_fields.get(name))


def describe_condition(condition: Condition | None) -> str:
    """A condition in one line, for explanations: ``"category='pagamento'"``."""
    if condition is None:
        return "every ticket"
    if callable(condition):
        return getattr(condition, "__name__", "a custom condition")
    return ", ".join(f"{key}={value!r}" for key, value in condition.items())
