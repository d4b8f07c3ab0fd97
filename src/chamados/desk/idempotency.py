"""Idempotency keys: a key bound to one command, one party and one set of arguments.

A command given an idempotency key (a marketplace message id, an e-mail ``Message-ID``)
stores, with its result, who sent it and the fingerprint of its name and arguments. A
repeat of the key answers with the first result only

- to a party allowed to see that result (the team, or the customer, partner or
  marketplace the ticket involves); anyone else gets ``AccessDeniedError``, which says
  nothing about the first command;
- for the same command on the same ticket, sent by the same party with the same
  arguments; anything else is ``IdempotencyKeyReusedError``, saying what differs.

The fingerprint is the SHA-256 of a canonical form of the command's name and arguments.
The form does not depend on the process, the Python version or the order of mappings
and sets (``hash()`` does, so it is not used): a webhook retried by another worker, after
a deploy, matches. Values compare as the command sees them: parties by kind and id (not
their display name), datetimes by the instant they mean, enums by value, anything else by
its type and ``repr``.

>>> from chamados.model import Party
>>> first = fingerprint("reply", {"author": Party.customer("c-1"), "body": "Oi"})
>>> first == fingerprint("reply", {"body": "Oi", "author": Party.customer("c-1", name="M")})
True
>>> first == fingerprint("reply", {"author": Party.customer("c-1"), "body": "Olá"})
False
>>> len(first)
64
"""

from __future__ import annotations

import enum
import hashlib
import json
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from attrs import frozen

from chamados.desk.access import check_involved
from chamados.exceptions import AccessDeniedError, IdempotencyKeyReusedError
from chamados.model import Party, Ticket
from chamados.storage.port import IdempotencyRecord, UnitOfWork

__all__ = ["KeyUse", "fingerprint"]

_FORMAT = "chamados.fingerprint/1"
"""Hashed into every fingerprint: a change of the canonical form changes this name."""


def fingerprint(command: str, arguments: Mapping[str, Any]) -> str:
    """The SHA-256 (hex) of ``command`` and its ``arguments`` in canonical form."""
    canonical = json.dumps(
        [_FORMAT, command, _canonical(arguments)],
        ensure_ascii=True,
        separators=(",", ":"),
        sort_keys=True,
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


@frozen
class KeyUse:
    """One command's use of an idempotency key: the key, the command, who sent it, and
    the fingerprint of its arguments."""

    key: str
    command: str
    actor: Party
    fingerprint: str

    @classmethod
    def of(
        cls, key: str | None, command: str, *, actor: Party, arguments: Mapping[str, Any]
    ) -> KeyUse | None:
        """The use of ``key`` by this command, or ``None`` when it has no key."""
        if key is None:
            return None
        return cls(key, command, actor, fingerprint(command, arguments))

    def remember(self, uow: UnitOfWork, result: Ticket) -> None:
        """Stage the key in ``uow``, bound to this command, party and arguments."""
        uow.remember(
            self.key,
            command=self.command,
            result=result,
            actor=self.actor,
            fingerprint=self.fingerprint,
        )

    def answer(self, record: IdempotencyRecord, ticket_id: str | None) -> Ticket:
        """The first result, when ``record`` is this very command sent again (on
        ``ticket_id``, ``None`` for ``open``); else the error saying why not.

        Records from before schema version 2 hold no party or fingerprint: for them only
        the access check, the command and the ticket are compared.
        """
        result = record.result
        try:
            check_involved(self.actor, result, "see")
        except AccessDeniedError:
            raise AccessDeniedError(
                f"idempotency key {record.key!r} belongs to a command of another party, "
                f"whose result {self.actor} may not see; give each command its own key "
                f"(a marketplace message id, a request id)",
                actor=str(self.actor),
            ) from None
        if record.command != self.command or (
            ticket_id is not None and record.ticket_id != ticket_id
        ):
            differs = ""
        elif record.actor is not None and record.actor != self.actor:
            differs = f" by another party ({self.actor})"
        elif record.fingerprint is not None and record.fingerprint != self.fingerprint:
            differs = " with other arguments"
        else:
            return result.copy()
        again = self.command if ticket_id is None else f"{self.command} on ticket {ticket_id!r}"
        raise IdempotencyKeyReusedError(
            record.key, first=record.describes(), again=again + differs, ticket_id=result.id
        )


def _canonical(value: Any) -> Any:
    """``value`` as JSON data that equal arguments share; tagged, so types stay apart."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        return {"$float": repr(value)}  # NaN and the infinities too
    if isinstance(value, Party):
        return {"$party": [value.kind.value, value.id]}
    if isinstance(value, enum.Enum):
        return {"$enum": [type(value).__name__, _canonical(value.value)]}
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            return {"$naive": value.isoformat()}
        return {"$instant": value.astimezone(UTC).isoformat()}
    if isinstance(value, date | time):
        return {"$" + type(value).__name__: value.isoformat()}
    if isinstance(value, timedelta):
        return {"$td": (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds}
    if isinstance(value, Mapping):
        items = [[_canonical(k), _canonical(v)] for k, v in value.items()]
        return {"$map": sorted(items, key=_sort_key)}
    if isinstance(value, set | frozenset):
        return {"$set": sorted((_canonical(v) for v in value), key=_sort_key)}
    if isinstance(value, list | tuple):
        return {"$seq": [_canonical(v) for v in value]}
    # Anything else (a marker like UNSET, a host's own value): its class name and repr,
    # not its module, which a refactoring may move.
    return {"$other": [type(value).__qualname__, repr(value)]}


def _sort_key(item: Any) -> str:
    return json.dumps(item, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
