"""What a desk is given, checked before any work: ``UNSET``, the arguments most commands
share, filters, settings, the tenant of a new ticket and the clock's answer.

Every check here raises before a unit of work begins, the same on every storage: a wrong
argument is an ``InvalidTicketError`` naming it, a wrong setting a ``ConfigurationError``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

import pendulum

from chamados import limits
from chamados.clock import Clock, as_instant
from chamados.desk.access import check_party
from chamados.exceptions import AccessDeniedError, ConfigurationError, InvalidTicketError
from chamados.limits import check_optional_text
from chamados.model import Priority

__all__ = [
    "UNSET",
    "check_command",
    "check_key",
    "check_viewer",
    "mapping",
    "names",
    "now",
    "setting",
    "tenant_for_open",
]


class _Unset:
    # The class name is part of every stored idempotency fingerprint that holds UNSET
    # (chamados.desk.idempotency keys "anything else" by class name and repr): keep it.
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset()
"""Marks an argument that was not given (``assign(team=UNSET)`` keeps the team)."""


def check_command(actor: object, reason: object, key: object) -> None:
    """The arguments most commands share: who acts, why, and the idempotency key."""
    check_party(actor, "actor")
    check_optional_text(reason, field="reason", limit=limits.TEXT, blank=True)
    check_key(key)


def check_key(key: object) -> None:
    """An idempotency key: ``None`` or a text within ``limits.IDEMPOTENCY_KEY``."""
    check_optional_text(key, field="idempotency_key", limit=limits.IDEMPOTENCY_KEY)


def check_viewer(viewer: object, name: str) -> None:
    """A reader: ``None`` (the team) or a ``Party``."""
    if viewer is not None:
        check_party(viewer, name)


def names(value: object, field: str) -> list[Any]:
    """A filter's values: one string, or a collection of them."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable) and not isinstance(value, Mapping):
        found = list(value)
        if all(isinstance(name, str | Priority) for name in found):
            return found
    raise InvalidTicketError(
        f"{field} must be a name or a collection of names, got {value!r}", field=field
    )


def mapping(value: object, field: str) -> Mapping[str, Any]:
    """``value`` itself, if it is a mapping."""
    if not isinstance(value, Mapping):
        raise InvalidTicketError(
            f"{field} must be a mapping of names to values, got {type(value).__name__}",
            field=field,
        )
    return value


def setting(check: Callable[..., object], value: object, key: str, **options: Any) -> None:
    """Run a ``chamados.limits`` check on a setting: a refusal is a ``ConfigurationError``."""
    try:
        check(value, field=key, **options)
    except InvalidTicketError as error:
        raise ConfigurationError(str(error), key=key) from None


def tenant_for_open(scope: str | None, tenant: str | None) -> str:
    """The tenant a new ticket belongs to: ``tenant``, or the desk's ``scope``; a desk
    scoped to one tenant opens tickets for no other."""
    if tenant is None:
        if scope is None:
            raise InvalidTicketError(
                "open needs tenant= (or use desk.for_tenant(...))", field="tenant"
            )
        return scope
    if scope is not None and tenant != scope:
        raise AccessDeniedError(
            f"this Helpdesk is scoped to tenant {scope!r}; it cannot open tickets "
            f"for tenant {tenant!r}"
        )
    return tenant


def now(clock: Clock) -> pendulum.DateTime:
    """The time ``clock`` tells, as an instant; a clock that answers something else is a
    ``ConfigurationError`` of the desk that was given it."""
    value = clock.now()
    try:
        return as_instant(value, name="clock.now()")
    except InvalidTicketError as error:
        raise ConfigurationError(
            f"the clock {clock!r} returned {value!r}: {error}", key="clock"
        ) from None
