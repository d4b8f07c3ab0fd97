"""The public JSON form of a ticket event: what webhooks (and any other channel) send out.

Unlike the internal storage codec, this form is meant for other programs to read: plain
JSON values with no type tags, stable field names, datetimes as ISO 8601 with their UTC
offset, and a sentence saying what happened in pt-BR and English. It is built from the
event's attrs fields, so a new kind of event needs no change here.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any

import attrs

from chamados.events import TicketEvent, describe
from chamados.model import Message, Party

__all__ = ["event_payload", "payload_bytes"]

_COMMON = frozenset(field.name for field in attrs.fields(TicketEvent))
"""The fields every event has; they sit at the top level, the rest go under ``data``."""

LANGUAGES = ("pt-BR", "en")
"""The languages of ``text``."""


def event_payload(event: TicketEvent) -> dict[str, Any]:
    """``event`` as JSON-ready data: the body of a webhook, before encoding.

    The top level holds what every event has (``id``, ``kind``, ``ticket_id``,
    ``tenant``, ``version``, ``at``, ``actor``, ``reason``, and ``cause``: what made an
    automation act, ``{"code", "params"}``, or ``None``); ``data`` holds the fields of
    this kind of event; ``text`` says what happened, in ``pt-BR`` and ``en``. Values become
    JSON: datetimes are ISO 8601 strings with their offset, parties are
    ``{"kind", "id", "name"}``, messages are ``{"id", "author", "body", "public",
    "automated", "external_id", "at"}``, enums (priorities) are their value, sets are
    sorted lists, tuples (a ``(before, after)`` change) are lists, durations are seconds.

    >>> from chamados import Party, Priority, PriorityChanged
    >>> from chamados.testing import FakeClock
    >>> event = PriorityChanged(id="ev-7", ticket_id="CH-1", tenant="loja", version=3,
    ...     at=FakeClock("2026-03-02T09:00:00-03:00").now(), actor=Party.agent("ana"),
    ...     from_priority=Priority.NORMAL, to_priority=Priority.HIGH, reason="cliente VIP")
    >>> payload = event_payload(event)
    >>> payload["kind"], payload["at"], payload["actor"]
    ('priority_changed', '2026-03-02T09:00:00-03:00', {'kind': 'agent', 'id': 'ana', 'name': None})
    >>> payload["data"]
    {'from_priority': 'normal', 'to_priority': 'high', 'rules': []}
    >>> payload["text"]["en"]
    'agent:ana: priority Normal → High (cliente VIP)'
    """
    fields = attrs.fields(type(event))
    data = {
        field.name: _json_ready(getattr(event, field.name), where=field.name)
        for field in fields
        if field.name not in _COMMON
    }
    return {
        "id": event.id,
        "kind": event.kind,
        "ticket_id": event.ticket_id,
        "tenant": event.tenant,
        "version": event.version,
        "at": event.at.isoformat(),
        "actor": _party(event.actor),
        "reason": event.reason,
        "cause": _json_ready(event.cause, where="cause"),
        "data": data,
        "text": {lang: describe(event, lang=lang) for lang in LANGUAGES},
    }


def payload_bytes(event: TicketEvent) -> bytes:
    """``event_payload(event)`` as compact UTF-8 JSON with sorted keys: the same event
    always gives the same bytes, which is what a signature covers.

    >>> from chamados import Party, Reopened
    >>> from chamados.testing import FakeClock
    >>> event = Reopened(id="ev-8", ticket_id="CH-1", tenant="loja", version=4,
    ...     at=FakeClock("2026-03-02T09:00:00-03:00").now(), actor=Party.customer("c-1"),
    ...     status="open", reason="não chegou")
    >>> payload_bytes(event)[:60].decode()
    '{"actor":{"id":"c-1","kind":"customer","name":null},"at":"20'
    >>> "não chegou" in payload_bytes(event).decode("utf-8")
    True
    """
    return json.dumps(
        event_payload(event), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode("utf-8")


def _party(party: Party) -> dict[str, Any]:
    return {"kind": party.kind.value, "id": party.id, "name": party.name}


def _message(message: Message) -> dict[str, Any]:
    return {
        "id": message.id,
        "author": _party(message.author),
        "body": message.body,
        "public": message.public,
        "automated": message.automated,
        "external_id": message.external_id,
        "at": message.at.isoformat(),
    }


def _json_ready(value: Any, *, where: str) -> Any:
    """``value`` as JSON data; ``where`` names the field, for the error on an unknown type."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, enum.Enum):
        return _json_ready(value.value, where=where)
    if isinstance(value, Party):
        return _party(value)
    if isinstance(value, Message):
        return _message(value)
    if isinstance(value, Mapping):
        return {str(key): _json_ready(item, where=f"{where}.{key}") for key, item in value.items()}
    if isinstance(value, frozenset | set):
        return _sorted([_json_ready(item, where=where) for item in value])
    if isinstance(value, tuple | list):
        return [_json_ready(item, where=where) for item in value]
    if attrs.has(type(value)):
        return {
            field.name: _json_ready(getattr(value, field.name), where=f"{where}.{field.name}")
            for field in attrs.fields(type(value))
        }
    raise TypeError(
        f"event field {where!r} holds a {type(value).__name__}, which the webhook payload "
        f"cannot represent; teach chamados.notify.payload._json_ready about it"
    )


def _sorted(items: list[Any]) -> list[Any]:
    """``items`` in a stable order, even when they are of different types."""
    try:
        return sorted(items)
    except TypeError:
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
