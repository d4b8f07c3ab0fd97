"""Time: the clock port, the naive-datetime check and the FakeClock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pendulum
import pytest

from chamados import Clock, ConfigurationError, InvalidTicketError, SystemClock
from chamados.clock import as_instant
from chamados.testing import FakeClock


def test_system_clock_is_aware_and_utc() -> None:
    """The system clock answers in UTC, never naive."""
    now = SystemClock().now()
    assert now.tzinfo is not None
    assert now.utcoffset() == timedelta(0)
    assert isinstance(SystemClock(), Clock)


def test_as_instant_refuses_naive_datetimes() -> None:
    """A naive datetime is refused with the input's name in the message."""
    with pytest.raises(InvalidTicketError, match="at must be time-zone aware") as caught:
        as_instant(datetime(2026, 3, 2, 9), name="at")
    assert caught.value.field == "at"


def test_as_instant_refuses_non_datetimes() -> None:
    """Strings and dates are not instants."""
    with pytest.raises(InvalidTicketError, match="must be a datetime"):
        as_instant("2026-03-02", name="at")  # type: ignore[arg-type]


def test_as_instant_keeps_the_instant() -> None:
    """The pendulum DateTime returned is the same instant."""
    value = datetime(2026, 3, 2, 12, tzinfo=UTC)
    assert as_instant(value) == value
    assert isinstance(as_instant(value), pendulum.DateTime)


class TestFakeClock:
    def test_starts_where_told(self) -> None:
        """now() is the start instant until the test moves it."""
        clock = FakeClock("2026-03-02T09:00:00-03:00")
        assert clock.now().isoformat() == "2026-03-02T09:00:00-03:00"
        assert clock.now() == clock.now()

    def test_advance_adds_elapsed_time(self) -> None:
        """advance() accepts a timedelta and units, and returns the new instant."""
        clock = FakeClock("2026-03-02T09:00:00-03:00")
        assert clock.advance(timedelta(hours=1), minutes=30).isoformat() == (
            "2026-03-02T10:30:00-03:00"
        )

    def test_set_jumps(self) -> None:
        """set() moves to any instant, backwards included."""
        clock = FakeClock("2026-03-02T09:00:00-03:00")
        clock.set("2026-01-01T00:00:00+00:00")
        assert clock.now() == pendulum.datetime(2026, 1, 1)

    def test_a_zone_localises_naive_strings(self) -> None:
        """With tz=, a string without offset is read in that zone."""
        clock = FakeClock("2026-03-02T09:00:00", tz="America/Sao_Paulo")
        assert clock.now().utcoffset() == timedelta(hours=-3)

    def test_naive_start_without_zone_is_refused(self) -> None:
        """A FakeClock never guesses a zone."""
        with pytest.raises(ConfigurationError, match="time-zone aware"):
            FakeClock("2026-03-02T09:00:00")

    def test_garbage_is_refused(self) -> None:
        """A start that is not ISO 8601 is a ConfigurationError."""
        with pytest.raises(ConfigurationError, match="ISO 8601"):
            FakeClock("next monday")
