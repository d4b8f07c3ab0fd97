"""Time as a port: the ``Clock`` protocol, the system clock, and the one check for instants.

Nothing else in chamados asks the system for the time. The domain receives a ``Clock`` and
asks it; tests hand in ``chamados.testing.FakeClock``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, runtime_checkable

import pendulum

from chamados.exceptions import InvalidTicketError

__all__ = [
    "Clock",
    "SystemClock",
    "as_instant",
    "epoch_micros",
    "from_epoch_micros",
    "seconds_between",
]


@runtime_checkable
class Clock(Protocol):
    """Tells the current instant.

    ``now()`` must return a time-zone-aware datetime; chamados converts it to a pendulum
    ``DateTime`` and refuses naive values.
    """

    def now(self) -> datetime:
        """The current instant, time-zone aware."""
        ...


class SystemClock:
    """The real clock: the system's current time in UTC."""

    def now(self) -> pendulum.DateTime:
        """The current instant in UTC."""
        return pendulum.now("UTC")

    def __repr__(self) -> str:
        return "SystemClock()"


def as_instant(value: datetime, *, name: str = "datetime") -> pendulum.DateTime:
    """Return ``value`` as a pendulum ``DateTime``, refusing naive datetimes.

    A naive datetime has no time zone, so the instant it means is unknown; chamados never
    guesses. ``name`` appears in the error so the caller knows which input was wrong.

    >>> from datetime import datetime, timezone
    >>> as_instant(datetime(2026, 3, 2, 12, tzinfo=timezone.utc))
    DateTime(2026, 3, 2, 12, 0, 0, tzinfo=Timezone('UTC'))
    >>> as_instant(datetime(2026, 3, 2, 12), name="at")
    Traceback (most recent call last):
    ...
    chamados.exceptions.InvalidTicketError: at must be time-zone aware, got the naive ...
    """
    if not isinstance(value, datetime):
        raise InvalidTicketError(
            f"{name} must be a datetime, got {type(value).__name__}", field=name
        )
    if value.tzinfo is None or value.utcoffset() is None:
        raise InvalidTicketError(
            f"{name} must be time-zone aware, got the naive datetime {value}; attach a zone "
            f'(e.g. datetime(..., tzinfo=ZoneInfo("America/Sao_Paulo")))',
            field=name,
        )
    if isinstance(value, pendulum.DateTime):
        return value
    return pendulum.instance(value)


_EPOCH_ORDINAL = 719_163  # date(1970, 1, 1).toordinal()


def epoch_micros(value: datetime, name: str = "datetime") -> int:
    """``value`` as integer microseconds since the Unix epoch, exactly.

    Naive datetimes are refused as ``as_instant`` refuses them.

    >>> from datetime import datetime, timezone
    >>> epoch_micros(datetime(1970, 1, 1, 0, 0, 1, 5, tzinfo=timezone.utc))
    1000005
    """
    offset = value.utcoffset() if isinstance(value, datetime) else None
    if offset is None:
        as_instant(value, name=name)  # raises the clear error
        raise AssertionError("unreachable")  # pragma: no cover
    seconds = (
        (value.toordinal() - _EPOCH_ORDINAL) * 86_400
        + value.hour * 3600
        + value.minute * 60
        + value.second
        - offset.days * 86_400
        - offset.seconds
    )
    return seconds * 1_000_000 + value.microsecond - offset.microseconds


def seconds_between(start: datetime, end: datetime) -> int:
    """Whole seconds from ``start`` to ``end`` (negative if ``end`` comes first), from
    their epoch microseconds: exact, and much cheaper than subtracting pendulum
    datetimes, which builds an interval.

    >>> from datetime import datetime, timezone
    >>> seconds_between(datetime(2026, 1, 1, tzinfo=timezone.utc),
    ...                 datetime(2026, 1, 1, 1, 0, 30, 999999, tzinfo=timezone.utc))
    3630
    """
    return (epoch_micros(end) - epoch_micros(start)) // 1_000_000


def from_epoch_micros(micros: int) -> pendulum.DateTime:
    """The instant ``micros`` microseconds after the Unix epoch, in UTC: the inverse of
    ``epoch_micros``.

    >>> from_epoch_micros(1000005).isoformat()
    '1970-01-01T00:00:01.000005+00:00'
    """
    return pendulum.from_timestamp(micros // 1_000_000).add(microseconds=micros % 1_000_000)
