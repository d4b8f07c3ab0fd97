"""``FakeClock``: a clock that only moves when the test moves it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pendulum

from chamados.clock import as_instant
from chamados.exceptions import ConfigurationError, InvalidTicketError

__all__ = ["FakeClock"]

DEFAULT_START = "2026-03-02T09:00:00-03:00"
"""A Monday, 09:00 in São Paulo."""


class FakeClock:
    """A ``Clock`` for tests and demos: it starts at a given instant and moves on command.

    ``start`` is an aware datetime or an ISO 8601 string with an offset; ``tz`` names the
    zone a string without offset is in (and the zone ``now()`` answers in).

    >>> clock = FakeClock("2026-03-02T09:00:00-03:00")
    >>> clock.advance(hours=2).isoformat()
    '2026-03-02T11:00:00-03:00'
    >>> clock.set("2026-03-06T18:00:00-03:00").day_of_week
    <WeekDay.FRIDAY: 4>
    """

    def __init__(self, start: str | datetime = DEFAULT_START, *, tz: str | None = None) -> None:
        self._tz = tz
        self._now = self._parse(start)

    def now(self) -> pendulum.DateTime:
        """The instant the clock is at."""
        return self._now

    def set(self, value: str | datetime) -> pendulum.DateTime:
        """Jump to ``value`` (forwards or backwards) and return it."""
        self._now = self._parse(value)
        return self._now

    def advance(
        self,
        delta: timedelta | None = None,
        *,
        days: float = 0,
        hours: float = 0,
        minutes: float = 0,
        seconds: float = 0,
    ) -> pendulum.DateTime:
        """Move forward by ``delta`` plus the given units (elapsed time) and return the instant."""
        step = (delta or timedelta()) + timedelta(
            days=days, hours=hours, minutes=minutes, seconds=seconds
        )
        self._now = self._now + step
        return self._now

    def _parse(self, value: str | datetime) -> pendulum.DateTime:
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                raise ConfigurationError(
                    f"FakeClock needs an ISO 8601 datetime, got {value!r}", key="start"
                ) from None
            if parsed.tzinfo is None and self._tz is not None:
                return pendulum.instance(parsed, tz=self._tz)
            value = parsed
        try:
            instant = as_instant(value, name="FakeClock start")
        except InvalidTicketError as error:
            raise ConfigurationError(
                f"{error} (or pass tz='America/Sao_Paulo' to FakeClock)", key="start"
            ) from None
        return instant.in_timezone(self._tz) if self._tz is not None else instant

    def __repr__(self) -> str:
        return f"FakeClock({self._now.isoformat()!r})"
