"""Properties of BusinessCalendar, and agreement with a brute-force reference, on random
calendars, holidays, overrides, closures, zones (with DST) and instants."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pendulum
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from chamados import ConfigurationError
from chamados.clock import epoch_micros
from chamados.sla import BusinessCalendar
from tests.sla_reference import WEEKDAYS, Reference

ZONES = [
    "America/Sao_Paulo",
    "Europe/Paris",
    "America/New_York",
    "UTC",
    "Australia/Lord_Howe",
    "Asia/Kolkata",
]
# Periods around DST changes: Brazil's last years of DST (changes at midnight), and today.
BASES = [
    date(2016, 10, 1),
    date(2018, 10, 20),
    date(2019, 2, 1),
    date(2026, 3, 1),
    date(2026, 10, 10),
]
SPAN_DAYS = 40
US = 1_000_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def clock(secs: int) -> str:
    secs %= 86_400 * 2
    if secs == 86_400:
        return "24:00"
    secs %= 86_400
    text = f"{secs // 3600:02d}:{secs % 3600 // 60:02d}"
    return text + (f":{secs % 60:02d}" if secs % 60 else "")


@st.composite
def intervals(draw: Any, *, allow_overnight: bool = True) -> list[str]:
    """Zero to three intervals of one day, on quarter hours with occasional odd seconds."""
    count = draw(st.integers(0, 3))
    marks = sorted(
        draw(st.lists(st.integers(0, 96), min_size=2 * count, max_size=2 * count, unique=True))
    )
    jitter = draw(st.sampled_from([0, 0, 0, 7]))
    found = []
    for i in range(count):
        start, end = marks[2 * i] * 900 + jitter, marks[2 * i + 1] * 900
        found.append(f"{clock(start)}-{clock(end)}")
    if allow_overnight and found and draw(st.booleans()):
        start = marks[-1] * 900
        if start < 86_400:
            end = draw(st.integers(0, 8)) * 900  # ends the next morning
            found[-1] = f"{clock(start)}-{clock(end)}"
    return found


@st.composite
def calendars(draw: Any) -> tuple[BusinessCalendar, Reference, int, int]:
    zone = draw(st.sampled_from(ZONES))
    base = draw(st.sampled_from(BASES))
    week = {day: draw(intervals()) for day in WEEKDAYS}
    in_period = st.integers(0, SPAN_DAYS).map(lambda n: base + timedelta(days=n))
    holidays = set(draw(st.lists(in_period, max_size=6)))
    overrides = draw(st.dictionaries(in_period, intervals(allow_overnight=False), max_size=2))
    closures = draw(
        st.dictionaries(in_period, intervals(allow_overnight=False).filter(bool), max_size=2)
    )
    try:
        built = BusinessCalendar(
            timezone=zone,
            hours={day: hours for day, hours in week.items() if hours},
            holidays=sorted(holidays),
            overrides=overrides,
            closures=closures,
        )
    except ConfigurationError:
        assume(False)
        raise  # pragma: no cover
    last = base + timedelta(days=SPAN_DAYS + 120)
    reference = Reference(
        timezone=zone,
        week=week,
        holidays=holidays,
        overrides=overrides,
        closures=closures,
        first=base - timedelta(days=3),
        last=last,
    )
    low = int(datetime(base.year, base.month, base.day, tzinfo=UTC).timestamp()) * US
    return built, reference, low, low + SPAN_DAYS * 86_400 * US


def at(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


def micros_of(value: datetime) -> int:
    return calendar.timegm(value.utctimetuple()) * US + value.microsecond


# Instants and durations on quarter hours half of the time, so answers often land exactly
# on the start or the end of an interval, where off-by-one mistakes live.
INSTANT = st.one_of(
    st.integers(0, SPAN_DAYS * 86_400 * US),
    st.integers(0, SPAN_DAYS * 96).map(lambda q: q * 900 * US),
)
DURATION = st.one_of(
    st.integers(0, 80 * 3600 * US),
    st.integers(0, 320).map(lambda q: q * 900 * US),
)

CHECK = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)


@CHECK
@given(calendars(), INSTANT, INSTANT, DURATION)
def test_agrees_with_the_reference(
    built: tuple[BusinessCalendar, Reference, int, int], x: int, y: int, d: int
) -> None:
    """between, add, subtract, is_open and next_open give the reference's answers."""
    cal, reference, low, _ = built
    a, b = low + x, low + y
    assert cal.between(at(a), at(b)) == timedelta(microseconds=reference.between(a, b))
    assert cal.is_open(at(a)) == reference.is_open(a)
    expected_next = reference.next_open(a)
    if expected_next is not None:
        assert micros_of(cal.next_open(at(a))) == expected_next
    expected = reference.add(a, d)
    if expected is not None:
        result = cal.add(at(a), timedelta(microseconds=d))
        assert micros_of(result) == expected
        assert result.tzinfo is not None
        assert result.timezone_name == cal.timezone
        if d and reference.is_open(a):
            assert micros_of(cal.subtract(result, timedelta(microseconds=d))) == a


@CHECK
@given(calendars(), INSTANT, DURATION)
def test_between_measures_back_what_add_added(
    built: tuple[BusinessCalendar, Reference, int, int], x: int, d: int
) -> None:
    """between(a, add(a, d)) == d, from open and closed instants alike."""
    cal, _, low, _ = built
    a = at(low + x)
    try:
        end = cal.add(a, timedelta(microseconds=d))
    except ConfigurationError:  # a sparse calendar whose holidays leave nothing open
        return
    assert cal.between(a, end) == timedelta(microseconds=d)


@CHECK
@given(calendars(), INSTANT, INSTANT, INSTANT)
def test_between_adds_up(
    built: tuple[BusinessCalendar, Reference, int, int], x: int, y: int, z: int
) -> None:
    """between(a, b) + between(b, c) == between(a, c), in any order of a, b, c."""
    cal, _, low, _ = built
    a, b, c = at(low + x), at(low + y), at(low + z)
    assert cal.between(a, b) + cal.between(b, c) == cal.between(a, c)
    assert cal.between(a, b) == -cal.between(b, a)


@CHECK
@given(calendars(), INSTANT, INSTANT, DURATION, DURATION)
def test_add_is_monotonic_in_both_arguments(
    built: tuple[BusinessCalendar, Reference, int, int], x: int, y: int, d1: int, d2: int
) -> None:
    """A later start or a longer duration never gives an earlier answer."""
    cal, _, low, _ = built
    a1, a2 = sorted((low + x, low + y))
    d1, d2 = sorted((d1, d2))
    try:
        assert cal.add(at(a1), timedelta(microseconds=d1)) <= cal.add(
            at(a1), timedelta(microseconds=d2)
        )
        assert cal.add(at(a1), timedelta(microseconds=d1)) <= cal.add(
            at(a2), timedelta(microseconds=d1)
        )
    except ConfigurationError:
        return


@CHECK
@given(calendars(), INSTANT, DURATION)
def test_subtract_inverts_add_on_open_instants(
    built: tuple[BusinessCalendar, Reference, int, int], x: int, d: int
) -> None:
    """subtract(add(a, d), d) == a whenever a is open."""
    cal, _, low, _ = built
    a = at(low + x)
    assume(cal.is_open(a))
    try:
        end = cal.add(a, timedelta(microseconds=d))
    except ConfigurationError:
        return
    assert cal.subtract(end, timedelta(microseconds=d)) == a


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(ZONES), st.integers(0, 20 * 365 * 86_400), st.integers(0, 5000 * 3600))
def test_long_durations_cross_years_exactly(zone: str, offset: int, seconds: int) -> None:
    """Adding up to a few years of business time measures back exactly."""
    cal = BusinessCalendar.brazil(
        subdivision="SP", hours={"mon-fri": "09:00-18:00"}, timezone=zone
    )
    start = at((int(datetime(2015, 1, 1, tzinfo=UTC).timestamp()) + offset) * US)
    end = cal.add(start, timedelta(seconds=seconds))
    assert cal.between(start, end) == timedelta(seconds=seconds)


@pytest.mark.parametrize("zone", ZONES)
def test_always_open_is_elapsed_time(zone: str) -> None:
    """The 24x7 calendar adds elapsed real time, across DST changes."""
    cal = BusinessCalendar.always_open(timezone=zone)
    start = datetime(2026, 3, 28, 12, tzinfo=UTC)
    assert cal.add(start, timedelta(hours=48)) == start + timedelta(hours=48)
    assert cal.between(start, start + timedelta(days=10)) == timedelta(days=10)


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(
        min_value=datetime(1935, 1, 1),
        max_value=datetime(2065, 1, 1),
        timezones=st.sampled_from([*ZONES, "America/Sao_Paulo", "Europe/Lisbon"]).map(ZoneInfo),
        allow_imaginary=False,
    ),
    st.booleans(),
)
def test_instants_are_read_as_epoch_micros_reads_them(value: datetime, as_pendulum: bool) -> None:
    """add and between read stdlib and pendulum datetimes inline on their hot paths: the
    same instant chamados.clock.epoch_micros gives (folds and odd old offsets included)."""
    if as_pendulum:
        value = pendulum.instance(value)
    cal = BusinessCalendar.always_open(timezone="UTC")
    origin = datetime(2000, 1, 1, tzinfo=UTC)
    since = timedelta(microseconds=epoch_micros(value) - epoch_micros(origin))
    assert cal.between(origin, value) == since
    assert cal.between(value, origin) == -since
    assert micros_of(cal.add(value, timedelta(microseconds=1))) == epoch_micros(value) + 1
