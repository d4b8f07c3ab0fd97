"""BusinessCalendar: every rule of DESIGN.md section 6, with worked examples."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import holidays as holidays_package
import pendulum
import pytest

from chamados import ConfigurationError, InvalidTicketError
from chamados.sla import BusinessCalendar

SP = "America/Sao_Paulo"
OFFICE = {"mon-fri": ["09:00-12:00", "13:00-18:00"]}
H = timedelta(hours=1)


def sp(*args: int) -> pendulum.DateTime:
    """A São Paulo local time."""
    return pendulum.datetime(*args, tz=SP)  # type: ignore[arg-type]


def office(**kwargs: object) -> BusinessCalendar:
    return BusinessCalendar(timezone=SP, hours=OFFICE, **kwargs)  # type: ignore[arg-type]


class TestConfiguration:
    @pytest.mark.parametrize(
        ("hours", "key"),
        [
            ({"mon": "09:00-09:00"}, "mon"),
            ({"mon": ["09:00-12:00", "11:00-13:00"]}, "mon"),
            ({"mon-fri": "09:00-12:00", "mon": "10:00-11:00"}, "mon-fri and mon"),
            ({"mon": "22:00-08:00", "tue": "07:00-12:00"}, "mon/tue"),
            ({"sun": "22:00-08:00", "mon": "07:00-12:00"}, "sun/mon"),
            ({"mon": "25:00-26:00"}, "mon"),
            ({"mon": "24:00-10:00"}, "mon"),
            ({"mon": "9h-18h"}, "mon"),
            ({"mon": "09:00"}, "mon"),
            ({"funday": "09:00-10:00"}, "funday"),
            ({"fri-mon": "09:00-10:00"}, "fri-mon"),
            ({}, "hours"),
        ],
    )
    def test_bad_hours_name_the_key(self, hours: dict[str, str], key: str) -> None:
        """Every problem in the hours is a ConfigurationError naming the offending key."""
        with pytest.raises(ConfigurationError) as caught:
            BusinessCalendar(timezone=SP, hours=hours)
        assert caught.value.key == key

    def test_forms_of_keys_and_intervals(self) -> None:
        """Ranges, lists of days, single strings, seconds and 24:00 are all accepted."""
        cal = BusinessCalendar(
            timezone=SP,
            hours={"mon,wed": "08:00:30-12:00", "sat-sun": ["20:00-24:00"], "fri": "22:00-02:00"},
        )
        assert cal.to_dict()["hours"] == {
            "mon": ["08:00:30-12:00"],
            "wed": ["08:00:30-12:00"],
            "fri": ["22:00-02:00"],
            "sat": ["20:00-24:00"],
            "sun": ["20:00-24:00"],
        }

    def test_unknown_time_zone(self) -> None:
        """An unknown zone is refused with the key."""
        with pytest.raises(ConfigurationError, match="IANA") as caught:
            BusinessCalendar(timezone="Brasil/Sampa", hours=OFFICE)
        assert caught.value.key == "timezone"

    def test_override_overlapping_a_neighbour_is_refused(self) -> None:
        """An override that runs into the next day's hours names the override."""
        with pytest.raises(ConfigurationError) as caught:
            office(overrides={date(2026, 3, 2): ["20:00-10:00"]})
        assert caught.value.key == "overrides[2026-03-02]"

    def test_holidays_must_be_dates(self) -> None:
        """A string or a datetime is not a holiday."""
        with pytest.raises(ConfigurationError):
            office(holidays="2026-12-25")
        with pytest.raises(ConfigurationError):
            office(holidays=[datetime(2026, 12, 25)])

    def test_empty_closures_are_refused(self) -> None:
        """A closure must remove something."""
        with pytest.raises(ConfigurationError, match="needs intervals"):
            office(closures={date(2026, 3, 2): []})


class TestAdd:
    def test_running_out_at_an_interval_end_answers_that_end(self) -> None:
        """Due Friday 18:00, not Monday 09:00."""
        assert office().add(sp(2026, 3, 6, 17), H) == sp(2026, 3, 6, 18)

    def test_adding_nothing_is_the_start_itself(self) -> None:
        """add(t, 0) == t, even when t is closed."""
        saturday = sp(2026, 3, 7, 3, 21, 5)
        assert office().add(saturday, timedelta(0)) == saturday

    def test_counting_starts_at_the_next_open_moment(self) -> None:
        """From a closed instant, business time starts counting at the next opening."""
        assert office().add(sp(2026, 3, 7, 10), H) == sp(2026, 3, 9, 10)

    def test_the_lunch_break_does_not_count(self) -> None:
        """11:00 plus 2 hours is 14:00 with a lunch break from 12:00 to 13:00."""
        assert office().add(sp(2026, 3, 2, 11), 2 * H) == sp(2026, 3, 2, 14)

    def test_answers_are_pendulum_in_the_calendar_zone(self) -> None:
        """Whatever zone the start is in, the answer is in the calendar's."""
        answer = office().add(datetime(2026, 3, 2, 12, tzinfo=UTC), H)
        assert isinstance(answer, pendulum.DateTime)
        assert answer.timezone_name == SP
        assert answer == sp(2026, 3, 2, 10)

    def test_negative_durations_are_refused(self) -> None:
        """Use subtract() to go back."""
        with pytest.raises(ValueError, match="subtract"):
            office().add(sp(2026, 3, 2, 10), -H)

    def test_naive_datetimes_are_refused(self) -> None:
        """A naive datetime names the argument."""
        with pytest.raises(InvalidTicketError, match="start must be time-zone aware"):
            office().add(datetime(2026, 3, 2, 10), H)
        with pytest.raises(InvalidTicketError, match="end must be time-zone aware"):
            office().between(sp(2026, 3, 2), datetime(2026, 3, 2, 10))

    def test_durations_must_be_timedeltas(self) -> None:
        """Hours as a number are refused."""
        with pytest.raises(InvalidTicketError, match="timedelta"):
            office().add(sp(2026, 3, 2, 10), 3)  # type: ignore[arg-type]

    def test_a_year_of_business_time(self) -> None:
        """Long durations cross years exactly."""
        cal = office()
        start = sp(2026, 6, 1, 9)
        end = cal.add(start, timedelta(hours=8 * 261))
        assert cal.between(start, end) == timedelta(hours=8 * 261)
        assert end.year == 2027


class TestSubtractBetweenOpen:
    def test_subtract_is_the_latest_start(self) -> None:
        """Two business hours before Monday 10:00 is Friday 17:00."""
        assert office().subtract(sp(2026, 3, 9, 10), 2 * H) == sp(2026, 3, 6, 17)

    def test_subtract_lands_on_a_start_rather_than_the_previous_end(self) -> None:
        """One hour before Monday 10:00 is Monday 09:00, not Friday 18:00."""
        assert office().subtract(sp(2026, 3, 9, 10), H) == sp(2026, 3, 9, 9)

    def test_between_is_signed(self) -> None:
        """between(b, a) == -between(a, b)."""
        cal = office()
        a, b = sp(2026, 3, 6, 17), sp(2026, 3, 9, 10)
        assert cal.between(a, b) == 2 * H
        assert cal.between(b, a) == -2 * H
        assert cal.between(a, a) == timedelta(0)

    def test_open_intervals_include_their_start_only(self) -> None:
        """Open at 09:00, closed at 12:00 (the lunch break starts)."""
        cal = office()
        assert cal.is_open(sp(2026, 3, 2, 9))
        assert not cal.is_open(sp(2026, 3, 2, 12))
        assert not cal.is_open(sp(2026, 3, 2, 8, 59, 59))

    def test_next_open(self) -> None:
        """next_open is the instant itself when open, else the next opening."""
        cal = office()
        assert cal.next_open(sp(2026, 3, 2, 10)) == sp(2026, 3, 2, 10)
        assert cal.next_open(sp(2026, 3, 2, 12, 30)) == sp(2026, 3, 2, 13)
        assert cal.next_open(sp(2026, 3, 6, 18)) == sp(2026, 3, 9, 9)


class TestDatesAndShifts:
    def test_a_holiday_closes_its_whole_date(self) -> None:
        """Christmas is closed; the hour runs on the 28th."""
        cal = office(holidays=[date(2026, 12, 25)])
        assert cal.add(sp(2026, 12, 24, 17, 30), H) == sp(2026, 12, 28, 9, 30)

    def test_a_holidays_package_calendar_is_accepted(self) -> None:
        """A holidays object is read one year at a time."""
        cal = office(holidays=holidays_package.Brazil(subdiv="SP"))
        assert not cal.is_open(sp(2026, 7, 9, 10))  # Revolução Constitucionalista
        assert cal.is_open(sp(2026, 7, 10, 10))

    def test_an_override_replaces_the_day(self) -> None:
        """An extra Saturday (Black Friday week), and a date closed with an empty list."""
        cal = office(overrides={date(2026, 11, 28): ["10:00-22:00"], date(2026, 3, 3): []})
        assert cal.is_open(sp(2026, 11, 28, 21))
        assert not cal.is_open(sp(2026, 3, 3, 10))

    def test_a_closure_removes_part_of_a_date(self) -> None:
        """Ash Wednesday closed until 14:00."""
        cal = office(closures={date(2026, 2, 18): ["00:00-14:00"]})
        assert cal.add(sp(2026, 2, 17, 17, 30), H) == sp(2026, 2, 18, 14, 30)

    def test_the_overnight_shift_belongs_to_its_first_day(self) -> None:
        """Monday 22:00 plus eight hours is Tuesday 06:00; Friday's shift runs into Saturday."""
        nights = BusinessCalendar(timezone=SP, hours={"mon-fri": "22:00-06:00"})
        assert nights.add(sp(2026, 3, 2, 22), 8 * H) == sp(2026, 3, 3, 6)
        assert nights.is_open(sp(2026, 3, 7, 5))
        assert not nights.is_open(sp(2026, 3, 8, 5))

    def test_a_holiday_cuts_an_overnight_shift_at_midnight(self) -> None:
        """The shift starting the night before a holiday stops at 00:00."""
        nights = BusinessCalendar(
            timezone=SP, hours={"mon-fri": "22:00-06:00"}, holidays=[date(2026, 3, 3)]
        )
        assert nights.between(sp(2026, 3, 2, 22), sp(2026, 3, 3, 6)) == 2 * H
        assert not nights.is_open(sp(2026, 3, 3, 1))

    def test_add_business_days(self) -> None:
        """Same wall time on the n-th next business date, or the next opening after it."""
        cal = office(holidays=[date(2026, 4, 3)])  # Good Friday
        assert cal.add_business_days(sp(2026, 4, 1, 10), 2) == sp(2026, 4, 6, 10)
        assert cal.add_business_days(sp(2026, 4, 1, 20), 1) == sp(2026, 4, 6, 9)
        assert cal.add_business_days(sp(2026, 4, 4, 10), 0) == sp(2026, 4, 6, 9)
        with pytest.raises(InvalidTicketError):
            cal.add_business_days(sp(2026, 4, 1, 10), -1)


class TestDaylightSaving:
    def test_sao_paulo_spring_gap_moves_the_opening_forward(self) -> None:
        """2018-11-04 00:00 did not exist in São Paulo: a 00:00 opening is at 01:00."""
        cal = BusinessCalendar(timezone=SP, hours={"sun": "00:00-02:00"})
        assert cal.next_open(sp(2018, 11, 3, 12)) == sp(2018, 11, 4, 1)
        assert cal.between(sp(2018, 11, 3), sp(2018, 11, 5)) == H

    def test_sao_paulo_autumn_ambiguity_takes_the_first_occurrence(self) -> None:
        """2019-02-16 23:00 happened twice; 23:00 to 24:00 then lasts two real hours."""
        cal = BusinessCalendar(timezone=SP, hours={"sat": "23:00-24:00"})
        opening = cal.next_open(sp(2019, 2, 16, 12))
        assert opening.utcoffset() == timedelta(hours=-2)
        assert cal.between(sp(2019, 2, 16), sp(2019, 2, 18)) == 2 * H
        later = cal.add(opening, timedelta(minutes=90))
        assert (later.hour, later.minute, later.utcoffset()) == (23, 30, timedelta(hours=-3))

    def test_a_25_hour_day_counts_25_hours(self) -> None:
        """Durations are elapsed real time: Paris's 2026-10-25 is 25 hours long."""
        paris = BusinessCalendar(timezone="Europe/Paris", hours={"sun": "00:00-24:00"})
        day = pendulum.datetime(2026, 10, 25, tz="Europe/Paris")
        assert paris.between(day, day.add(days=1)) == 25 * H

    def test_a_gap_inside_an_interval_shortens_it(self) -> None:
        """Paris 2026-03-29 02:00 -> 03:00: 01:00 to 04:00 holds two real hours."""
        paris = BusinessCalendar(timezone="Europe/Paris", hours={"sun": "01:00-04:00"})
        day = pendulum.datetime(2026, 3, 29, tz="Europe/Paris")
        assert paris.between(day, day.add(days=1)) == 2 * H

    def test_an_interval_wholly_in_a_gap_vanishes(self) -> None:
        """New York 2026-03-08 02:30-03:30 moves to 03:30-03:30: nothing is open."""
        ny = BusinessCalendar(timezone="America/New_York", hours={"sun": "02:30-03:30"})
        day = pendulum.datetime(2026, 3, 8, tz="America/New_York")
        assert ny.between(day, day.add(days=1)) == timedelta(0)
        assert ny.between(day.add(days=7), day.add(days=8)) == H


class TestBrazil:
    def test_state_holidays_and_zones(self) -> None:
        """SP closes on July 9, RJ does not; AM runs on Manaus time."""
        sp_cal = BusinessCalendar.brazil(subdivision="SP", hours=OFFICE)
        rj_cal = BusinessCalendar.brazil(subdivision="RJ", hours=OFFICE)
        assert not sp_cal.is_open(sp(2026, 7, 9, 10))
        assert rj_cal.is_open(sp(2026, 7, 9, 10))
        assert BusinessCalendar.brazil(subdivision="AM", hours=OFFICE).timezone == "America/Manaus"
        assert BusinessCalendar.brazil(hours=OFFICE).timezone == SP

    def test_pontos_facultativos(self) -> None:
        """optional=True closes Carnival and Ash Wednesday until 14:00, Dec 24 from 14:00."""
        cal = BusinessCalendar.brazil(subdivision="SP", hours=OFFICE, optional=True)
        assert not cal.is_open(sp(2026, 2, 16, 10))
        assert not cal.is_open(sp(2026, 2, 18, 10))
        assert cal.is_open(sp(2026, 2, 18, 15))
        assert cal.is_open(sp(2026, 12, 24, 11))
        assert not cal.is_open(sp(2026, 12, 24, 15))
        plain = BusinessCalendar.brazil(subdivision="SP", hours=OFFICE)
        assert plain.is_open(sp(2026, 2, 16, 10))

    def test_municipal_holidays_can_be_added(self) -> None:
        """São Paulo's anniversary on January 25 (a Monday in 2027)."""
        cal = BusinessCalendar.brazil(
            subdivision="SP", hours=OFFICE, extra_holidays=[date(2027, 1, 25)]
        )
        assert not cal.is_open(sp(2027, 1, 25, 10))

    def test_unknown_states_are_refused(self) -> None:
        """Subdivisions are UFs."""
        with pytest.raises(ConfigurationError, match="UF"):
            BusinessCalendar.brazil(subdivision="XX", hours=OFFICE)

    def test_holidays_are_resolved_lazily_per_year(self) -> None:
        """Only the years used (and their neighbours) are looked up."""
        cal = BusinessCalendar.brazil(subdivision="SP", hours=OFFICE)
        cal.is_open(sp(2026, 5, 5, 10))
        years = cal.to_dict()["holiday_years"]
        assert 2026 in years
        assert 2030 not in years


class TestBounds:
    def test_a_calendar_closed_for_years_raises_instead_of_looping(self) -> None:
        """Holidays on every date of four years: the search stops with a clear error."""
        closed = [date(2026, 1, 1) + timedelta(days=n) for n in range(4 * 366)]
        cal = office(holidays=closed)
        with pytest.raises(ConfigurationError, match="no open time"):
            cal.add(sp(2025, 12, 31, 17), 2 * H)
        with pytest.raises(ConfigurationError, match="no open time"):
            cal.next_open(sp(2026, 1, 1))
        assert cal.between(sp(2026, 1, 1), sp(2029, 1, 1)) == timedelta(0)

    def test_answers_beyond_the_supported_years_are_refused(self) -> None:
        """A duration that runs past year 9998 is an error, not an overflow."""
        with pytest.raises(InvalidTicketError, match="9998"):
            BusinessCalendar.always_open().add(sp(2026, 1, 1), timedelta(days=3_000_000))


class TestSaving:
    def test_round_trip_through_json(self) -> None:
        """to_dict is JSON-ready and from_dict gives a calendar with the same answers."""
        cal = BusinessCalendar.brazil(
            subdivision="SP",
            hours={"mon-fri": ["09:00-12:00", "13:00-18:00"], "sat": "09:00-13:00"},
            optional=True,
            extra_holidays=[date(2026, 1, 25)],
            overrides={date(2026, 11, 28): ["10:00-22:00"]},
            closures={date(2026, 3, 10): ["15:00-16:00"]},
        )
        data = json.loads(json.dumps(cal.to_dict(years=range(2025, 2028))))
        again = BusinessCalendar.from_dict(data)
        assert again.to_dict() == data
        start = sp(2026, 1, 20, 10)
        for hours in (1, 7, 40, 240, 2000):
            assert again.add(start, hours * H) == cal.add(start, hours * H)

    def test_saved_years_keep_their_holidays(self) -> None:
        """Dates stored for a year win over what the holidays package says later."""
        data = BusinessCalendar.brazil(subdivision="SP", hours=OFFICE).to_dict(years=[2026])
        data["holidays"].remove("2026-07-09")
        again = BusinessCalendar.from_dict(data)
        assert again.is_open(sp(2026, 7, 9, 10))  # as stored
        assert not again.is_open(sp(2027, 7, 9, 10))  # 2027 was not stored: from the package

    def test_garbage_is_refused(self) -> None:
        """Only what to_dict wrote can be read."""
        with pytest.raises(ConfigurationError, match="schema"):
            BusinessCalendar.from_dict({"schema": 99})
        with pytest.raises(ConfigurationError):
            BusinessCalendar.from_dict({"schema": 1, "timezone": SP})

    def test_repr(self) -> None:
        """repr shows the zone and the open weekdays."""
        assert repr(office()) == "<BusinessCalendar America/Sao_Paulo open mon,tue,wed,thu,fri>"
