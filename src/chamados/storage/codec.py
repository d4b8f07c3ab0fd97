"""JSON for the domain: tickets, events and SLA state as plain, JSON-ready values.

Storage adapters that keep documents (the SQL adapter's ``data`` columns, an outbox, a
webhook body) use ``dumps`` and ``loads``. The encoding is tagged and lossless: a decoded
value equals the one encoded, datetimes keep their time zone, sets stay sets. Only
classes registered here (the domain's attrs classes) are decoded, so a stored document
cannot make chamados build anything else. Decoding does not check values against
``chamados.limits`` again (the storage port did, before saving): nothing stored makes a
read fail.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

import attrs
import pendulum

from chamados import events as events_module
from chamados.exceptions import StorageError
from chamados.model import Category, Message, Owner, Party, PartyKind, Priority, Ticket
from chamados.storage.port import IdempotencyRecord
from chamados.tracking import Breach, Cycle, SlaClock, SlaState, Stay, TicketStats

__all__ = ["decode", "dumps", "encode", "loads"]

_CLASSES: dict[str, type[Any]] = {
    cls.__name__: cls
    for cls in (
        Ticket,
        Message,
        Party,
        events_module.Cause,
        Cycle,
        SlaState,
        SlaClock,
        IdempotencyRecord,
        TicketStats,
        Stay,
        Breach,
    )
}
_CLASSES.update(
    {
        name: value
        for name, value in vars(events_module).items()
        if isinstance(value, type) and issubclass(value, events_module.TicketEvent)
    }
)
_ENUMS: dict[str, type[Any]] = {
    cls.__name__: cls for cls in (Priority, PartyKind, Category, Owner)
}


def encode(value: Any) -> Any:
    """``value`` as JSON-ready data (dicts, lists, strings, numbers, booleans, None)."""
    encoder = _ENCODERS.get(type(value))
    if encoder is None:
        encoder = _encoder_for(value)
        _ENCODERS[type(value)] = encoder
    return encoder(value)


def _same(value: Any) -> Any:
    return value


def _encode_datetime(value: pendulum.DateTime) -> dict[str, Any]:
    fixed = isinstance(value.tzinfo, pendulum.FixedTimezone) or value.tzinfo is None
    return {"$dt": value.isoformat(), "tz": None if fixed else value.timezone_name}


def _encode_timedelta(value: timedelta) -> dict[str, Any]:
    return {"$td": (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds}


def _encode_set(value: frozenset[Any] | set[Any]) -> dict[str, Any]:
    return {"$set": sorted((encode(v) for v in value), key=json.dumps)}


def _encode_mapping(value: Mapping[Any, Any]) -> dict[str, Any]:
    if not all(isinstance(k, str) for k in value):
        raise StorageError(f"cannot store a mapping with non-string keys: {value!r}")
    return {"$map": {k: encode(v) for k, v in value.items()}}


def _encoder_for(value: Any) -> Callable[[Any], Any]:
    """How to encode values of ``type(value)`` (kept per type by ``encode``)."""
    kind = type(value)
    if value is None or isinstance(value, bool | int | float | str):
        return _same
    if isinstance(value, pendulum.DateTime):
        return _encode_datetime
    if isinstance(value, timedelta):
        return _encode_timedelta
    if kind.__name__ in _ENUMS and isinstance(value, _ENUMS[kind.__name__]):
        name = kind.__name__
        return lambda member: {"$enum": name, "v": member.value}
    if isinstance(value, frozenset | set):
        return _encode_set
    if isinstance(value, tuple):
        return lambda items: {"$tuple": [encode(v) for v in items]}
    if isinstance(value, list):
        return lambda items: [encode(v) for v in items]
    if attrs.has(kind) and kind.__name__ in _CLASSES:
        name, fields = kind.__name__, tuple(a.name for a in attrs.fields(kind))
        return lambda obj: {"$cls": name, "f": {f: encode(getattr(obj, f)) for f in fields}}
    if isinstance(value, Mapping):
        return _encode_mapping
    return _refuse


def _refuse(value: Any) -> Any:
    raise StorageError(f"cannot store a value of type {type(value).__name__}: {value!r}")


_ENCODERS: dict[type[Any], Callable[[Any], Any]] = {}


def decode(data: Any) -> Any:
    """The value ``encode`` turned into ``data``."""
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        return data
    for tag in data:  # the tag is the first key
        decoder = _DECODERS.get(tag)
        if decoder is not None:
            return decoder(data)
        break
    raise StorageError(f"stored data is not in chamados' format: {data!r}")


@functools.cache
def _zone(name: str) -> pendulum.Timezone:
    return pendulum.timezone(name)


@functools.cache
def _offset(seconds: int) -> pendulum.FixedTimezone:
    return pendulum.FixedTimezone(seconds)


def _datetime(data: dict[str, Any]) -> pendulum.DateTime:
    # datetime.fromisoformat is C code, some 50 times faster than pendulum.parse; the
    # result is rebuilt as a pendulum DateTime in the stored zone (or fixed offset).
    moment = datetime.fromisoformat(data["$dt"])
    offset = moment.utcoffset()
    zone: pendulum.Timezone | pendulum.FixedTimezone
    if data.get("tz"):
        zone = _zone(data["tz"])
        moment = moment.astimezone(zone)
    else:
        zone = _offset(int(offset.total_seconds()) if offset is not None else 0)
    return pendulum.DateTime(
        moment.year,
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
        moment.microsecond,
        tzinfo=zone,
        fold=moment.fold,
    )


def _enum(data: dict[str, Any]) -> Any:
    enum = _ENUMS.get(data["$enum"])
    if enum is None:
        raise StorageError(f"stored data names an unknown enum {data['$enum']!r}")
    return enum(data["v"])


def _instance(data: dict[str, Any]) -> Any:
    cls = _CLASSES.get(data["$cls"])
    if cls is None:
        raise StorageError(f"stored data names an unknown class {data['$cls']!r}")
    fields = data["f"]
    # Built without running the constructor's checks: they ran when the value was
    # saved, and a value stored before a limit was tightened must still read back.
    created = object.__new__(cls)
    for name, default, factory in _FIELDS[cls.__name__]:
        if name in fields:
            value = decode(fields[name])
        elif factory:
            value = default()
        elif default is attrs.NOTHING:
            raise StorageError(f"a stored {cls.__name__} has no {name!r}")
        else:
            value = default
        object.__setattr__(created, name, value)
    return created


def _field_defaults(cls: type[Any]) -> tuple[tuple[str, Any, bool], ...]:
    """Per field of ``cls``: its name, its default (or factory), and whether it is one."""
    found = []
    for a in attrs.fields(cls):
        if isinstance(a.default, attrs.Factory):  # type: ignore[arg-type]
            found.append((a.name, a.default.factory, True))
        else:
            found.append((a.name, a.default, False))
    return tuple(found)


_FIELDS: dict[str, tuple[tuple[str, Any, bool], ...]] = {
    name: _field_defaults(cls) for name, cls in _CLASSES.items()
}


_DECODERS: dict[str, Any] = {
    "$dt": _datetime,
    "$td": lambda data: timedelta(microseconds=data["$td"]),
    "$enum": _enum,
    "$set": lambda data: frozenset(decode(v) for v in data["$set"]),
    "$tuple": lambda data: tuple(decode(v) for v in data["$tuple"]),
    "$map": lambda data: {k: decode(v) for k, v in data["$map"].items()},
    "$cls": _instance,
}


def dumps(value: Any) -> str:
    """``value`` as a compact JSON string."""
    return json.dumps(encode(value), separators=(",", ":"), ensure_ascii=False)


def loads(text: str) -> Any:
    """The value ``dumps`` wrote."""
    return decode(json.loads(text))
