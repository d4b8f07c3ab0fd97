"""BusinessCalendar bounds: every call answers or refuses with the documented error, early,
after a bounded amount of work, whatever the calendar and however long the duration.

The work is counted, never timed: a calendar counts in ``_work`` the years it expands or
crosses by their totals, which is what a call costs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chamados import ConfigurationError, InvalidTicketError
from chamados.sla import BusinessCalendar, SlaPolicy, Target

SP = "America/Sao_Paulo"
OFFICE = {"mon-fri": ["09:00-12:00", "13:00-18:00"]}
HORIZON_YEARS = BusinessCalendar.HORIZON_YEARS
MAX_WORK = HORIZON_YEARS + 8
"""Years one call may expand or cross: the horizon, the start's year and its neighbours."""


def sp(*args: int) -> pendulum.DateTime:
    """A São Paulo local time."""
    return pendulum.datetime(*args, tz=SP)  # type: ignore[arg-type]


def one_minute_a_week() -> BusinessCalendar:
    return BusinessCalendar(timezone=SP, hours={"wed": "10:00-10:01"})


def night_shift() -> BusinessCalendar:
    return BusinessCalendar(timezone=SP, hours={"mon-fri": "22:00-06:00"})


def work_of(cal: BusinessCalendar, call: Callable[[], Any]) -> int:
    """The years ``call`` expanded or crossed, whether it answered or refused."""
    before = cal._work
    with contextlib.suppress(InvalidTicketError, ConfigurationError):
        call()
    return cal._work - before


class TestTheIssueCases:
    def test_a_night_shift_refuses_a_billion_days_before_searching(self) -> None:
        """add(t, 999,999,999 days) is refused by arithmetic, without looking at a year."""
        cal = night_shift()
        with pytest.raises(InvalidTicketError, match="within 100 years") as caught:
            cal.add(sp(2026, 3, 2, 9), timedelta(days=999_999_999))
        assert caught.value.field == "duration"
        assert cal._work == 0

    def test_a_year_of_business_time_on_one_minute_a_week_is_refused_at_once(self) -> None:
        """365 days of business time need 10,000 years of this calendar: refused unsearched."""
        cal = one_minute_a_week()
        assert work_of(cal, lambda: cal.add(sp(2026, 3, 2, 9), timedelta(days=365))) == 0
        with pytest.raises(InvalidTicketError, match="1min a week"):
            cal.add(sp(2026, 3, 2, 9), timedelta(days=365))

    def test_a_policy_whose_target_the_calendar_cannot_reach_is_refused(self) -> None:
        """The SLA policy is refused when built, naming the target and how long it takes."""
        with pytest.raises(ConfigurationError, match="10,108 years") as caught:
            SlaPolicy(
                name="lenta",
                calendar=one_minute_a_week(),
                targets={"resolution": Target(business=timedelta(days=365))},
            )
        assert caught.value.key == "targets.resolution"

    def test_a_policy_refuses_business_days_per_priority_it_cannot_reach(self) -> None:
        """Targets by priority are checked too."""
        with pytest.raises(ConfigurationError, match="business days") as caught:
            SlaPolicy(
                name="lenta",
                calendar=one_minute_a_week(),
                targets={"resolution": {"high": Target(business_days=20_000)}},
            )
        assert caught.value.key == "targets.resolution"

    @pytest.mark.parametrize(
        "measure",
        [
            {"business_days": 10**9},
            {"business": timedelta(days=999_999_999)},
            {"calendar": timedelta(days=50_000)},
        ],
    )
    def test_targets_beyond_the_horizon_are_refused_when_built(
        self, measure: dict[str, Any]
    ) -> None:
        """No calendar can reach them: a ConfigurationError, not a slow first command."""
        with pytest.raises(ConfigurationError, match="100 years") as caught:
            Target(**measure)
        assert caught.value.key == "target"

    def test_a_trillion_business_days_are_refused_before_searching(self) -> None:
        """add_business_days refuses what cannot fit within the horizon, by arithmetic."""
        cal = BusinessCalendar(timezone=SP, hours=OFFICE)
        with pytest.raises(InvalidTicketError) as caught:
            cal.add_business_days(sp(2026, 1, 5, 10), 10**12)
        assert caught.value.field == "days"
        assert cal._work == 0

    def test_a_reachable_target_on_one_minute_a_week_answers_with_bounded_work(self) -> None:
        """80 hours at a minute a week end in 2118: found by crossing years by their totals."""
        cal = one_minute_a_week()
        start = sp(2026, 3, 2, 9)
        work = work_of(cal, lambda: cal.add(start, timedelta(hours=80)))
        due = cal.add(start, timedelta(hours=80))
        assert due == sp(2118, 2, 23, 10, 1)
        assert cal.between(start, due) == timedelta(hours=80)
        assert work <= MAX_WORK
        assert len(cal._years) <= 4  # crossed by totals, not expanded


class TestTheHorizon:
    def test_an_answer_beyond_the_horizon_is_refused(self) -> None:
        """Even when the duration fits the upper bound, a search stops at 100 years."""
        cal = one_minute_a_week()
        start = sp(2026, 3, 2, 9)
        assert timedelta(days=6) <= cal.max_duration
        with pytest.raises(InvalidTicketError, match="within 100 years") as caught:
            cal.add(start, timedelta(days=6))
        assert caught.value.field == "duration"
        with pytest.raises(InvalidTicketError, match="within 100 years"):
            cal.subtract(start, timedelta(days=6))

    def test_between_measures_spans_of_at_most_the_horizon(self) -> None:
        """A span longer than 100 years is refused, naming the end."""
        cal = BusinessCalendar(timezone=SP, hours=OFFICE)
        with pytest.raises(InvalidTicketError, match="100 years") as caught:
            cal.between(sp(1900, 1, 1), sp(2026, 1, 1))
        assert caught.value.field == "end"
        assert cal.between(sp(1927, 1, 1), sp(2026, 1, 1)) > timedelta(0)

    def test_the_bounds_are_upper_bounds_of_what_the_calendar_opens(self) -> None:
        """A century of a 45-hour week fits max_duration; max_business_days likewise."""
        cal = BusinessCalendar(timezone=SP, hours=OFFICE)
        start = sp(2026, 1, 1)
        century = cal.between(start, start.add(years=99))
        assert century <= cal.max_duration <= BusinessCalendar.HORIZON
        assert cal.add(start, century) <= start.add(years=99)
        assert 99 * 52 * 5 <= cal.max_business_days <= BusinessCalendar.HORIZON.days


class TestTheEdgesOfTheYears:
    CALENDARS: ClassVar[dict[str, Callable[[], BusinessCalendar]]] = {
        "office": lambda: BusinessCalendar(timezone=SP, hours=OFFICE),
        "nights": night_shift,
        "always": lambda: BusinessCalendar.always_open(timezone=SP),
    }
    OUTSIDE: ClassVar[list[datetime]] = [
        datetime(1, 1, 1, tzinfo=UTC),
        datetime(1, 12, 31, 23, tzinfo=UTC),
        datetime(9999, 12, 31, 23, 59, tzinfo=UTC),
        datetime.min.replace(tzinfo=UTC),
        datetime.max.replace(tzinfo=UTC),
    ]

    @pytest.mark.parametrize("name", CALENDARS)
    @pytest.mark.parametrize("instant", OUTSIDE)
    @pytest.mark.parametrize(
        ("method", "field"),
        [
            (lambda c, t: c.between(t, datetime(2026, 1, 1, tzinfo=UTC)), "start"),
            (lambda c, t: c.between(datetime(2026, 1, 1, tzinfo=UTC), t), "end"),
            (lambda c, t: c.add(t, timedelta(hours=1)), "start"),
            (lambda c, t: c.subtract(t, timedelta(hours=1)), "end"),
            (lambda c, t: c.next_open(t), "instant"),
            (lambda c, t: c.is_open(t), "instant"),
            (lambda c, t: c.add_business_days(t, 1), "start"),
        ],
    )
    def test_instants_outside_the_years_are_refused_naming_the_argument(
        self, name: str, instant: datetime, method: Callable[..., Any], field: str
    ) -> None:
        """Year 1 and year 9999 are InvalidTicketErrors naming the argument, never a bare
        ValueError or OverflowError."""
        with pytest.raises(InvalidTicketError, match="years 2 to 9998") as caught:
            method(self.CALENDARS[name](), instant)
        assert caught.value.field == field

    @pytest.mark.parametrize("name", CALENDARS)
    @pytest.mark.parametrize(
        "call",
        [
            lambda c: c.add(datetime(9998, 12, 31, 12, tzinfo=UTC), timedelta(days=40)),
            lambda c: c.subtract(datetime(2, 1, 2, 12, tzinfo=UTC), timedelta(days=40)),
            lambda c: c.add_business_days(datetime(9998, 12, 31, 12, tzinfo=UTC), 40),
        ],
    )
    def test_answers_outside_the_years_are_refused(
        self, name: str, call: Callable[[BusinessCalendar], Any]
    ) -> None:
        """Searches that would leave the years 2 to 9998 end with an InvalidTicketError."""
        with pytest.raises(InvalidTicketError, match="9998"):
            call(self.CALENDARS[name]())

    def test_no_opening_before_the_end_of_the_years_is_refused(self) -> None:
        """next_open after the last opening of the year 9998 says so, naming the instant."""
        cal = BusinessCalendar(timezone=SP, hours=OFFICE)
        with pytest.raises(InvalidTicketError, match="9998") as caught:
            cal.next_open(sp(9998, 12, 31, 19))
        assert caught.value.field == "instant"

    def test_the_first_and_last_supported_years_answer(self) -> None:
        """Instants in years 2 and 9998 work, including an overnight shift of New Year's
        Eve in 9998 and the first opening of year 2."""
        cal = night_shift()
        assert cal.next_open(sp(2, 1, 1)).year == 2
        assert cal.is_open(sp(9998, 12, 29, 23))  # a Tuesday night
        assert cal.between(sp(9998, 12, 27), sp(9998, 12, 30)) == timedelta(hours=10)

    def test_overrides_outside_the_years_are_refused(self) -> None:
        """A date the calendar cannot work with is a ConfigurationError naming the key."""
        with pytest.raises(ConfigurationError) as caught:
            BusinessCalendar(timezone=SP, hours=OFFICE, overrides={date(1, 1, 1): []})
        assert caught.value.key == "overrides"


# -- properties -------------------------------------------------------------------------------

HOURS = st.sampled_from(
    [
        {"wed": "10:00-10:01"},
        {"mon-fri": "22:00-06:00"},
        {"sun": "23:30-00:30"},
        {"mon-sun": "00:00-24:00"},
        {"mon-fri": ["09:00-12:00", "13:00-18:00"], "sat": "09:00-13:00"},
        {"mon-sun": [f"{h:02d}:00-{h:02d}:20" for h in range(24)]},
    ]
)
ZONES = st.sampled_from(
    ["America/Sao_Paulo", "Europe/Paris", "Australia/Lord_Howe", "America/Recife", "UTC"]
)
YEARS = st.integers(1995, 2030)


@st.composite
def adversarial_calendars(draw: Any) -> BusinessCalendar:
    """Sparse, overnight, many-interval and holiday-heavy calendars, DST zones included."""
    zone, hours = draw(ZONES), draw(HOURS)
    first = date(draw(YEARS), 1, 1)
    kind = draw(st.sampled_from(["none", "many", "brazil", "years"]))
    if kind == "brazil":
        return BusinessCalendar.brazil(subdivision="SP", hours=hours, timezone=zone, optional=True)
    holidays: list[date] = []
    if kind == "many":
        holidays = [first + timedelta(days=n) for n in draw(st.lists(st.integers(0, 4000)))]
    elif kind == "years":  # closed for a few whole years: empty years to cross
        holidays = [first + timedelta(days=n) for n in range(draw(st.integers(1, 4)) * 366)]
    return BusinessCalendar(timezone=zone, hours=hours, holidays=holidays)


STARTS = st.integers(0, 40 * 366 * 86_400).map(
    lambda s: datetime(1995, 1, 1, tzinfo=UTC) + timedelta(seconds=s)
)
DURATIONS = st.one_of(
    st.integers(0, 400 * 3600).map(lambda s: timedelta(seconds=s)),
    st.integers(0, 40_000).map(lambda d: timedelta(days=d)),
    st.integers(40_000, 999_999_999).map(lambda d: timedelta(days=d)),
)
BOUNDED = settings(max_examples=80, deadline=None)


def answer_or_refuse(cal: BusinessCalendar, call: Callable[[], Any]) -> Any:
    """The answer, or None for a documented refusal; the call's work is bounded either way."""
    before = cal._work
    answer, refusal = None, None
    try:
        answer = call()
    except (InvalidTicketError, ConfigurationError) as error:
        refusal = error
    assert cal._work - before <= MAX_WORK
    if isinstance(refusal, InvalidTicketError):
        assert refusal.field in ("duration", "days")
    elif isinstance(refusal, ConfigurationError):
        assert refusal.key == "holidays"  # closed for years on end
    return answer


@BOUNDED
@given(adversarial_calendars(), STARTS, DURATIONS)
def test_add_answers_exactly_or_refuses_after_bounded_work(
    cal: BusinessCalendar, start: datetime, duration: timedelta
) -> None:
    """add either answers (and between measures the duration back) or refuses."""
    due = answer_or_refuse(cal, lambda: cal.add(start, duration))
    if due is not None:
        assert cal.between(start, due) == duration
        assert due - start <= BusinessCalendar.HORIZON


@BOUNDED
@given(adversarial_calendars(), STARTS, DURATIONS)
def test_subtract_answers_exactly_or_refuses_after_bounded_work(
    cal: BusinessCalendar, end: datetime, duration: timedelta
) -> None:
    """subtract either answers (and between measures the duration back) or refuses."""
    begin = answer_or_refuse(cal, lambda: cal.subtract(end, duration))
    if begin is not None:
        assert cal.between(begin, end) == duration


@BOUNDED
@given(adversarial_calendars(), STARTS, st.integers(0, 10**12))
def test_business_days_answer_or_refuse_after_bounded_work(
    cal: BusinessCalendar, start: datetime, days: int
) -> None:
    """add_business_days either answers at or after the start, or refuses."""
    found = answer_or_refuse(cal, lambda: cal.add_business_days(start, days))
    if found is not None:
        assert found >= start or days == 0


@BOUNDED
@given(adversarial_calendars(), STARTS, STARTS)
def test_between_and_next_open_need_bounded_work(
    cal: BusinessCalendar, a: datetime, b: datetime
) -> None:
    """between and next_open never do more than a horizon's work."""
    for call in (lambda: cal.between(a, b), lambda: cal.next_open(a)):
        assert work_of(cal, call) <= MAX_WORK


@settings(max_examples=40, deadline=None)
@given(adversarial_calendars(), st.integers(1995, 2026), st.integers(2, 6))
def test_years_crossed_by_their_totals_measure_what_expanded_years_measure(
    cal: BusinessCalendar, year: int, span: int
) -> None:
    """between over several years is the same whether the years in the middle are crossed
    by their totals or were expanded first (by asking about an instant in each)."""
    twin = BusinessCalendar.from_dict(cal.to_dict(years=range(year - 1, year + span + 2)))
    first, last = datetime(year, 2, 1, tzinfo=UTC), datetime(year + span, 11, 1, tzinfo=UTC)
    for middle in range(year, year + span + 1):
        twin.is_open(datetime(middle, 6, 1, tzinfo=UTC))
    assert cal.between(first, last) == twin.between(first, last)
