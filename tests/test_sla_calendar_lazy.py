"""BusinessCalendar expands lazily, a few dates at a time: a first call does the work its
answer needs, and answers what a calendar with its years wholly expanded answers.

The work is counted (dates expanded, holiday years looked up), never timed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import holidays as holidays_package
import pendulum
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chamados import ConfigurationError, InvalidTicketError
from chamados.sla import BusinessCalendar
from chamados.sla.holidays import HolidaySource

SP = "America/Sao_Paulo"
OFFICE = {"mon-fri": ["09:00-12:00", "13:00-18:00"]}


def sp(*args: int) -> pendulum.DateTime:
    """A São Paulo local time."""
    return pendulum.datetime(*args, tz=SP)  # type: ignore[arg-type]


def expanded(cal: BusinessCalendar) -> int:
    """How many dates the calendar has expanded, in every year."""
    return sum(run.hi - run.lo for run in cal._years.values())


class TestTheFirstCall:
    def test_the_first_add_expands_a_few_dates_not_the_year(self) -> None:
        """40 business hours from a Friday afternoon: the ten days from that Friday, and a
        few more for the holiday."""
        cal = BusinessCalendar(timezone=SP, hours=OFFICE, holidays=[date(2026, 4, 21)])
        due = cal.add(sp(2026, 4, 17, 15), timedelta(hours=40))
        assert due == sp(2026, 4, 27, 15)  # Tiradentes (Tuesday) closed
        assert expanded(cal) <= 18
        assert all(run.business is None for run in cal._years.values())  # no year whole
        assert cal._summaries == {}  # and no year crossed by its total

    def test_between_and_is_open_on_a_fresh_calendar_expand_ten_days(self) -> None:
        """A measure within a week expands the ten days from its start only."""
        cal = BusinessCalendar(timezone=SP, hours=OFFICE)
        assert cal.between(sp(2026, 6, 1, 9), sp(2026, 6, 5, 18)) == timedelta(hours=40)
        assert not cal.is_open(sp(2026, 6, 6, 10))
        assert expanded(cal) == 10

    def test_a_year_of_business_time_expands_the_years_it_crosses_once(self) -> None:
        """Far answers expand whole years, as before: never more than the start's year and
        the answer's."""
        cal = BusinessCalendar(timezone=SP, hours=OFFICE)
        start = sp(2026, 3, 2, 9)
        due = cal.add(start, timedelta(hours=2250))
        assert cal.between(start, due) == timedelta(hours=2250)
        assert expanded(cal) <= 2 * 366

    def test_a_night_shift_reaches_back_into_the_block_before(self) -> None:
        """An instant early on the first date expanded is inside the shift that started the
        evening before, on a date not yet expanded (in the previous year on January 1)."""
        cal = BusinessCalendar(timezone=SP, hours={"mon-sun": "22:00-06:00"})
        assert cal.is_open(sp(2027, 1, 1, 3))
        assert cal.between(sp(2027, 1, 1, 3), sp(2027, 1, 1, 7)) == timedelta(hours=3)
        fresh = BusinessCalendar(timezone=SP, hours={"mon-sun": "22:00-06:00"})
        assert fresh.add(sp(2027, 1, 9, 1), timedelta(hours=1)) == sp(2027, 1, 9, 2)


class TestSharedAcrossCalendars:
    def test_calendars_of_one_state_look_each_holiday_year_up_once(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Two calendars built with brazil() share the years the holidays package worked out."""
        looked_up: list[int] = []
        resolve = HolidaySource._year

        def counted(source: HolidaySource, year: int) -> Any:
            looked_up.append(year)
            return resolve(source, year)

        monkeypatch.setattr(HolidaySource, "_year", counted)
        first = BusinessCalendar.brazil(subdivision="PE", hours=OFFICE, optional=True)
        assert not first.is_open(sp(2031, 3, 6, 10))  # Data Magna de Pernambuco
        seen = len(looked_up)
        assert seen >= 1
        second = BusinessCalendar.brazil(subdivision="PE", hours=OFFICE, optional=True)
        assert not second.is_open(sp(2031, 3, 6, 10))
        assert len(looked_up) == seen
        assert second.to_dict()["holiday_parts"] == first.to_dict()["holiday_parts"]

    def test_a_holidays_calendar_the_caller_built_is_not_shared(self) -> None:
        """A holidays package calendar handed in may have been changed: its years stay its
        own."""
        mine = holidays_package.country_holidays("BR", subdiv="SP")
        mine.update({date(2031, 6, 2): "Dia da loja"})
        ours = BusinessCalendar(timezone=SP, hours=OFFICE, holidays=mine)
        plain = BusinessCalendar.brazil(subdivision="SP", hours=OFFICE)
        assert not ours.is_open(sp(2031, 6, 2, 10))
        assert plain.is_open(sp(2031, 6, 2, 10))


# -- properties: a fresh calendar answers what a wholly expanded one answers ------------------

ZONES = st.sampled_from(
    ["America/Sao_Paulo", "Europe/Paris", "Australia/Lord_Howe", "America/New_York", "UTC"]
)
HOURS = st.sampled_from(
    [
        OFFICE,
        {"mon-fri": "22:00-06:00"},
        {"sun": "23:30-00:30", "wed": "10:00-10:01"},
        {"mon-sun": ["00:00-01:30", "02:00-03:00", "23:00-24:00"]},
        {"mon-sat": "08:00-20:00"},
    ]
)
FIRST_YEAR = 2015


@st.composite
def twins(draw: Any) -> tuple[BusinessCalendar, BusinessCalendar]:
    """A calendar and its twin with the years 2014-2021 expanded whole."""
    days = st.integers(0, 6 * 366).map(lambda n: date(FIRST_YEAR, 1, 1) + timedelta(days=n))
    arguments: dict[str, Any] = {
        "timezone": draw(ZONES),
        "hours": draw(HOURS),
        "holidays": draw(st.lists(days, max_size=40)),
        "overrides": draw(st.dictionaries(days, st.sampled_from([[], "10:00-11:00"]), max_size=3)),
        "closures": draw(st.dictionaries(days, st.just("00:00-14:00"), max_size=3)),
    }
    try:
        cal, twin = BusinessCalendar(**arguments), BusinessCalendar(**arguments)
    except ConfigurationError:  # an override next to a night shift it would overlap
        cal = BusinessCalendar(timezone=arguments["timezone"], hours=arguments["hours"])
        twin = BusinessCalendar(timezone=arguments["timezone"], hours=arguments["hours"])
    for year in range(FIRST_YEAR - 1, FIRST_YEAR + 7):
        twin._year(year)
    return cal, twin


INSTANTS = st.integers(0, 6 * 366 * 86_400).map(
    lambda s: datetime(FIRST_YEAR, 1, 1, tzinfo=UTC) + timedelta(seconds=s)
)
SPANS = st.one_of(
    st.integers(0, 120 * 3600).map(lambda s: timedelta(seconds=s)),
    st.integers(0, 90).map(lambda d: timedelta(days=d)),
)


def same(call: Any, cal: BusinessCalendar, twin: BusinessCalendar) -> None:
    """``call`` answers alike on both calendars, or refuses alike."""
    answers = []
    for calendar in (cal, twin):
        try:
            answers.append(call(calendar))
        except (InvalidTicketError, ConfigurationError) as error:
            answers.append(type(error))
    assert answers[0] == answers[1]


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(twins(), INSTANTS, INSTANTS, SPANS)
def test_a_fresh_calendar_answers_what_an_expanded_one_answers(
    pair: tuple[BusinessCalendar, BusinessCalendar], a: datetime, b: datetime, span: timedelta
) -> None:
    """add, subtract, between, is_open and next_open: blocks grown on demand, years
    expanded whole, the same answers."""
    cal, twin = pair
    same(lambda c: c.add(a, span), cal, twin)
    same(lambda c: c.subtract(b, span), cal, twin)
    same(lambda c: c.between(a, b), cal, twin)
    same(lambda c: c.is_open(b), cal, twin)
    same(lambda c: c.next_open(a), cal, twin)
    same(lambda c: c.add_business_days(b, span.days), cal, twin)


class TestConstruction:
    def test_the_same_hours_text_is_parsed_once_and_shared(self) -> None:
        """Calendars built from equal hours share one parsed week (it is immutable)."""
        first = BusinessCalendar(timezone=SP, hours={"mon-fri": ["09:00-12:00", "13:00-18:00"]})
        second = BusinessCalendar(timezone=SP, hours={"mon-fri": ("09:00-12:00", "13:00-18:00")})
        assert second._days.week is first._days.week

    def test_bad_hours_are_refused_every_time(self) -> None:
        """A refused text is not kept: it is refused again, naming the key."""
        for _ in range(2):
            with pytest.raises(ConfigurationError) as caught:
                BusinessCalendar(timezone=SP, hours={"mon": ["09:00-12:00", 5]})  # type: ignore[list-item]
            assert caught.value.key == "mon"
