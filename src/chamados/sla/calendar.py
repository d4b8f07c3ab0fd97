"""Business calendars: adding and measuring business time, exactly and fast.

A ``BusinessCalendar`` knows, for each local date, the intervals of wall time that are
open: the weekly hours (or that date's override), minus holidays (whole local dates) and
closures (parts of dates). ``docs/calendars.md`` states each rule it follows, with
examples.

How it is fast: inside, instants are integer microseconds since the epoch. The open
intervals of a year are expanded into sorted arrays of starts and ends with a running sum
of open time, so finding the instant at which a duration runs out is a binary search,
whatever the duration: a year of business time costs about what an hour costs. A year is
expanded lazily, a few dates at a time (``_Year`` is the run of dates expanded so far), so
the first call on a new calendar expands the ten days or so its answer needs, not the
whole year. What each date opens, and how cheaply, is ``days.py``'s job
(``CalendarDays``); pendulum is used only to build the answers.

How it stays bounded: a search crosses the years it does not stop in by their totals of
open time (``_summary``), computed from the weekly hours plus the few dates that differ
(holidays, overrides, closures, daylight-saving changes) without expanding them, and it
never goes further than ``HORIZON_YEARS`` from where it started. A duration longer than
the calendar can open within the horizon (an upper bound worked out from the weekly
hours at construction) is refused before any search. So the work of one call is at most
two expanded years and about a hundred year totals, whatever it is asked.

Why one long module (about 990 lines): it is one engine. The runs of expanded dates, the
year totals and the horizon are private state every search keeps consistent; split
across modules, each part would reach into the others' internals. The rules of the dates
are apart, in ``days.py``.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_package
import pendulum

from chamados.clock import epoch_micros as _instant
from chamados.exceptions import ConfigurationError, InvalidTicketError
from chamados.sla.days import FIRST_YEAR, LAST_YEAR, CalendarDays, Expanded
from chamados.sla.holidays import BRAZIL_ZONES, HolidaySource, YearHolidays, group_by_year
from chamados.sla.hours import (
    DAY,
    WEEKDAYS,
    Interval,
    format_interval,
    parse_intervals,
    parse_week,
)

__all__ = ["BusinessCalendar"]

_US = 1_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_AVERAGE_YEAR_US = 31_556_952 * _US
_DAY_US = DAY * _US
_MAX_EMPTY_YEARS = 3
_FIRST_YEAR, _LAST_YEAR = FIRST_YEAR, LAST_YEAR
_HORIZON_YEARS = 100
_HORIZON = timedelta(days=36_525)  # 100 Julian years
_HORIZON_US = _HORIZON.days * _DAY_US
_SCHEMA = 1
_ONE_US = timedelta(microseconds=1)
_ONE_DAY = timedelta(days=1)
_DateTime = pendulum.DateTime

HolidaysArg = Iterable[date] | holidays_package.HolidayBase | HolidaySource | None


_CHUNK = 8
"""How many dates a search expands at a time, when it goes past what is expanded."""
_FIRST_CHUNK = 10
"""How many dates the first look at a year expands, from the date looked at: enough for
most answers of a few business days."""


class _Year:
    """The open intervals of a run of expanded dates of one year, as sorted arrays with
    running sums of open time. The run grows a few dates at a time, forward or back.

    The year's dates are the ordinals ``[first, end)``; those of ``[lo, hi)`` are expanded
    (the run is empty while ``lo == hi``): they hold the instants ``[low, high)``, between
    the local midnights that start ``lo`` and ``hi``. Interval ``k`` is ``[starts[k],
    ends[k])`` in epoch microseconds, owned by the local date ``owners[k]`` it starts on;
    an overnight interval of the run's last date belongs to it even when it ends after
    ``high``. Open time is counted from the start of the first dates expanded, so growing
    the run changes no position already handed out: ``head`` and ``tail`` are the
    positions at ``low`` and ``high``, ``before[k]`` and ``through[k]`` those at the start
    and end of interval ``k``, and an instant ``t`` inside interval ``k`` is at
    ``shifts[k] + t``. ``local[k]`` is ``(midnight,
    year, month, day)`` when the zone's offset is the same all through interval ``k``
    (``midnight``: the local midnight of its date at that offset), so answers inside are
    built without a zone lookup; otherwise ``None``. Once every date is expanded,
    ``total`` is the year's open time and ``business`` its business dates (sorted
    ordinals); until then ``business`` is ``None``.
    """

    __slots__ = (
        "before",
        "business",
        "end",
        "ends",
        "first",
        "head",
        "hi",
        "high",
        "lo",
        "local",
        "low",
        "number",
        "owners",
        "shifts",
        "starts",
        "tail",
        "through",
        "total",
    )

    def __init__(self, number: int, first: int, end: int) -> None:
        self.number, self.first, self.end = number, first, end
        self.lo = self.hi = first
        self.low = self.high = 0
        self.head = self.tail = self.total = 0
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.owners: list[int] = []
        self.local: list[tuple[int, int, int, int] | None] = []
        self.before: list[int] = []
        self.through: list[int] = []
        self.shifts: list[int] = []
        self.business: list[int] | None = None if end > first else []

    @classmethod
    def empty(cls, number: int) -> _Year:
        """A year the calendar does not work in: nothing is open there."""
        return cls(number, 0, 0)

    def grow(self, lo: int, hi: int, expanded: Expanded) -> None:
        """Add the expanded dates ``[lo, hi)`` next to the run (after it or before it)."""
        (low, high), starts, ends, owners, local = expanded
        before: list[int] = []
        through: list[int] = []
        shifts: list[int] = []
        after = self.lo == self.hi or lo == self.hi
        if after:
            position = self.tail
        else:
            position = self.head - sum(ends) + sum(starts)
            self.lo, self.low, self.head = lo, low, position
        for start, end in zip(starts, ends, strict=True):
            before.append(position)
            shifts.append(position - start)
            position += end - start
            through.append(position)
        if self.lo == self.hi:  # the first dates: the lists are the run's
            self.lo, self.hi, self.low, self.high = lo, hi, low, high
            self.head, self.tail = self.tail, position
            self.starts, self.ends, self.owners, self.local = starts, ends, owners, local
            self.before, self.through, self.shifts = before, through, shifts
        elif after:
            self.hi, self.high, self.tail = hi, high, position
            self.starts += starts
            self.ends += ends
            self.owners += owners
            self.local += local
            self.before += before
            self.through += through
            self.shifts += shifts
        else:
            self.starts[:0] = starts
            self.ends[:0] = ends
            self.owners[:0] = owners
            self.local[:0] = local
            self.before[:0] = before
            self.through[:0] = through
            self.shifts[:0] = shifts
        if self.lo == self.first and self.hi == self.end:
            self.total = self.tail - self.head
            self.business = sorted(set(self.owners))


class BusinessCalendar:
    """Open hours in a time zone, with holidays, overrides and closures.

    ``hours`` maps weekdays (``"mon"``..``"sun"``, ranges like ``"mon-fri"``, lists like
    ``"mon,wed"``) to one ``"HH:MM-HH:MM"`` interval or a list of them. ``holidays`` are
    dates (or a ``holidays`` package calendar) closed from 00:00 to 24:00. ``overrides``
    replace a date's weekly hours (an empty list closes it); ``closures`` remove
    intervals from a date. Every problem is a ``ConfigurationError`` naming the key.

    >>> from datetime import date, timedelta
    >>> import pendulum
    >>> cal = BusinessCalendar(timezone="America/Sao_Paulo",
    ...                        hours={"mon-fri": ["09:00-12:00", "13:00-18:00"]},
    ...                        holidays=[date(2026, 12, 25)])
    >>> friday = pendulum.datetime(2026, 12, 4, 16, tz="America/Sao_Paulo")
    >>> cal.add(friday, timedelta(hours=2))
    DateTime(2026, 12, 4, 18, 0, 0, tzinfo=Timezone('America/Sao_Paulo'))
    >>> cal.between(friday, friday.add(days=3))
    datetime.timedelta(seconds=28800)
    """

    def __init__(
        self,
        *,
        timezone: str,
        hours: Mapping[str, str | Sequence[str]],
        holidays: HolidaysArg = None,
        overrides: Mapping[date, str | Sequence[str]] | None = None,
        closures: Mapping[date, str | Sequence[str]] | None = None,
    ) -> None:
        self.timezone = timezone
        try:
            self._zone = ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError, TypeError):
            raise ConfigurationError(
                f"unknown time zone {timezone!r}; use an IANA name like 'America/Sao_Paulo'",
                key="timezone",
            ) from None
        self._tz = _pendulum_zone(timezone)
        self._days = days = CalendarDays(
            self._zone,
            parse_week(hours),
            _dated_intervals(overrides, "overrides", allow_empty=True),
            _dated_intervals(closures, "closures", allow_empty=False),
        )
        if isinstance(holidays, HolidaySource):
            days.source = holidays
        elif isinstance(holidays, holidays_package.HolidayBase):
            days.source = HolidaySource(holidays)
        elif holidays is not None:
            if isinstance(holidays, str | bytes):
                raise ConfigurationError(
                    "holidays must be a list of dates, not a string", key="holidays"
                )
            days.fixed = group_by_year(holidays)
        self._years: dict[int, _Year] = {}
        self._summaries: dict[int, tuple[int, int]] = {}
        self._last = _Year.empty(0)  # the run last looked up: a one-compare cache
        self._work = 0  # years expanded or totalled: what tests count to bound the work
        self._low, self._high = days.low, days.high
        self._week_us = week_us = days.week_us
        # How far past what is expanded a search grows a year a few dates at a time;
        # further than that it expands the whole year, or crosses it by its total.
        self._near_us = 8 * sum(week_us)
        # Upper bounds of what the calendar opens within the horizon (101 year numbers):
        # 52 weeks and the two longest weekdays a year, a day a year for daylight-saving
        # changes, and every override in full. Holidays and closures only take away.
        years = _HORIZON_YEARS + 1
        per_year = 52 * sum(week_us) + sum(sorted(week_us)[-2:]) + _DAY_US
        extra = sum(end - start for hours in days.overrides.values() for start, end in hours)
        self._max_us = min(_HORIZON_US, years * per_year + extra * _US)
        open_days = sum(1 for day in week_us if day)
        self._max_days = min(_HORIZON.days, years * (52 * open_days + 2) + len(days.overrides))
        self._always = (
            all(day == ((0, DAY),) for day in days.week)
            and not days.overrides
            and not days.closures
            and not days.fixed
            and days.source is None
        )

    # -- constructors -----------------------------------------------------------------------

    @classmethod
    def brazil(
        cls,
        *,
        subdivision: str | None = None,
        hours: Mapping[str, str | Sequence[str]],
        optional: bool = False,
        extra_holidays: Iterable[date] = (),
        overrides: Mapping[date, str | Sequence[str]] | None = None,
        closures: Mapping[date, str | Sequence[str]] | None = None,
        timezone: str | None = None,
    ) -> BusinessCalendar:
        """A calendar with Brazil's holidays from the ``holidays`` package.

        National holidays plus those of ``subdivision`` (a UF: ``"SP"``, ``"RJ"``...),
        resolved lazily per year and kept. ``optional=True`` adds the pontos facultativos
        (Carnival Monday and Tuesday, Corpus Christi...) with Ash Wednesday closed until
        14:00 and Christmas Eve and New Year's Eve closed from 14:00. ``extra_holidays``
        adds municipal holidays (São Paulo's January 25, say). The zone defaults to the
        state's (``America/Manaus`` for AM) or ``America/Sao_Paulo``.
        """
        source = HolidaySource.brazil(subdivision, optional=optional)
        zone = timezone or BRAZIL_ZONES.get(subdivision or "", "America/Sao_Paulo")
        calendar = cls(
            timezone=zone, hours=hours, holidays=source, overrides=overrides, closures=closures
        )
        calendar._days.fixed = group_by_year(extra_holidays)
        return calendar

    @classmethod
    def always_open(cls, *, timezone: str = "UTC") -> BusinessCalendar:
        """Open 24 hours a day, every day: for targets in calendar (not business) time."""
        return cls(timezone=timezone, hours={"mon-sun": "00:00-24:00"})

    # -- the arithmetic ---------------------------------------------------------------------

    HORIZON_YEARS = _HORIZON_YEARS
    HORIZON = _HORIZON
    """How far a calendar answers: no answer lies more than 100 years (``HORIZON``, 36,525
    days) from the instant it is counted from, and ``between`` measures spans of at most
    that. Every search stops there, so none does more than a century's work."""

    @property
    def max_duration(self) -> timedelta:
        """The most business time ``add`` and ``subtract`` accept: an upper bound on what
        this calendar opens within ``HORIZON_YEARS``, worked out from its weekly hours
        (holidays only lower it). A longer duration is refused at once."""
        return timedelta(microseconds=self._max_us)

    @property
    def weekly_hours(self) -> timedelta:
        """The open time of a usual week (the weekly hours, before holidays)."""
        return timedelta(microseconds=sum(self._week_us))

    @property
    def weekly_days(self) -> int:
        """The weekdays with open hours."""
        return sum(1 for day in self._week_us if day)

    @property
    def max_business_days(self) -> int:
        """The most business days ``add_business_days`` accepts: an upper bound on the
        business dates within ``HORIZON_YEARS``. More are refused at once."""
        return self._max_days

    def add(self, start: datetime, duration: timedelta) -> pendulum.DateTime:
        """The earliest instant at which ``duration`` of business time has passed since
        ``start``. Running out at the end of an interval answers that end."""
        offset = start.utcoffset() if isinstance(start, datetime) else None
        if offset is None:
            t = _instant(start, "start")  # refuses a naive datetime, saying why
        else:  # chamados.clock.epoch_micros inline: the call is a tenth of a warm add
            t = (
                (
                    (start.toordinal() - _EPOCH_ORDINAL) * DAY
                    + start.hour * 3600
                    + start.minute * 60
                    + start.second
                    - offset.days * DAY
                    - offset.seconds
                )
                * _US
                + start.microsecond
                - offset.microseconds
            )
        d = duration // _ONE_US if type(duration) is timedelta else _micros(duration)
        # The hot path, inline: the start and the answer in the run looked up last (which
        # is in the years the calendar works in); anything else goes the long way.
        found = self._last
        if not (found.low <= t < found.high and 0 < d <= self._max_us):
            return self._add_edge(start, duration, t)
        k = bisect_right(found.starts, t) - 1
        if k < 0:
            return self._add_edge(start, duration, t)
        end = found.ends[k]
        target = found.shifts[k] + (t if t < end else end) + d
        if target > found.tail:
            return self._seek(found, target, t, duration)
        k = bisect_left(found.through, target)
        micros = target - found.shifts[k]
        local = found.local[k]
        if local is not None:
            midnight, year, month, day = local
            rest = micros - midnight
            if rest < _DAY_US:
                seconds, micro = divmod(rest, _US)
                hours, seconds = divmod(seconds, 3600)
                minutes, seconds = divmod(seconds, 60)
                return _DateTime(year, month, day, hours, minutes, seconds, micro, self._tz)
        return self._answer(found, k, micros)

    def _add_edge(self, start: datetime, duration: timedelta, t: int) -> pendulum.DateTime:
        """``add`` off its hot path: refusals, a zero duration, the always-open calendar,
        a start outside the run looked up last."""
        d = _micros(duration)
        if not self._low <= t < self._high:
            raise self._outside(start, "start")
        if d == 0:
            return self._datetime(t)
        if d > self._max_us:
            raise self._too_long(duration, start, "after")
        if self._always:
            if t + d >= self._high:
                raise self._too_long(duration, start, "after")
            return self._datetime(t + d)
        found, position = self._locate(t)
        return self._seek(found, position + d, t, duration)

    def subtract(self, end: datetime, duration: timedelta) -> pendulum.DateTime:
        """The latest instant from which ``duration`` of business time ends at ``end``."""
        t, d = self._read(end, "end"), _micros(duration)
        if d == 0:
            return self._datetime(t)
        if d > self._max_us:
            raise self._too_long(duration, end, "before")
        if self._always:
            if t - d < self._low:
                raise self._too_long(duration, end, "before")
            return self._datetime(t - d)
        found, position = self._locate(t)
        target = position - d
        while target < found.head and found.lo > found.first:
            if found.head - target > self._near_us:
                self._complete(found)
            else:
                self._back(found, _CHUNK)
        if target < found.head:
            rest = found.head - target  # open time to go back before the year's start
            first = number = found.number
            empty = 0
            while rest > 0:
                number -= 1
                if self._beyond(number, first, t - _HORIZON_US):
                    raise self._too_long(duration, end, "before")
                total = self._summary(number)[0]
                empty = empty + 1 if total == 0 else 0
                self._check_search(empty, number, t)
                rest -= total
            found = self._year(number)
            target = found.head - rest
        # found.head <= target < found.tail here: the latest instant at that position is
        # inside an interval, or the start of one.
        k = bisect_right(found.before, target) - 1
        micros = found.starts[k] + target - found.before[k]
        if t - micros > _HORIZON_US:
            raise self._too_long(duration, end, "before")
        return self._answer(found, k, micros)

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Business time in ``[start, end)``; negative when ``end`` is before ``start``.

        The instants may be at most ``HORIZON_YEARS`` apart."""
        offset = start.utcoffset() if isinstance(start, datetime) else None
        if offset is None:
            a = _instant(start, "start")
        else:  # epoch_micros inline, as in add
            a = (
                (
                    (start.toordinal() - _EPOCH_ORDINAL) * DAY
                    + start.hour * 3600
                    + start.minute * 60
                    + start.second
                    - offset.days * DAY
                    - offset.seconds
                )
                * _US
                + start.microsecond
                - offset.microseconds
            )
        offset = end.utcoffset() if isinstance(end, datetime) else None
        if offset is None:
            b = _instant(end, "end")
        else:
            b = (
                (
                    (end.toordinal() - _EPOCH_ORDINAL) * DAY
                    + end.hour * 3600
                    + end.minute * 60
                    + end.second
                    - offset.days * DAY
                    - offset.seconds
                )
                * _US
                + end.microsecond
                - offset.microseconds
            )
        last = self._last
        if last.low <= a < last.high and last.low <= b < last.high:
            # The hot path: both instants in the run looked up last (what _locate does).
            ka = bisect_right(last.starts, a) - 1
            kb = bisect_right(last.starts, b) - 1
            if ka >= 0 and kb >= 0:
                end_a, end_b = last.ends[ka], last.ends[kb]
                return timedelta(
                    0,
                    0,
                    last.shifts[kb]
                    + (b if b < end_b else end_b)
                    - last.shifts[ka]
                    - (a if a < end_a else end_a),
                )
        return self._between(start, end, a, b)

    def _between(self, start: datetime, end: datetime, a: int, b: int) -> timedelta:
        """``between`` off its hot path."""
        low, high = self._low, self._high
        if not (low <= a < high and low <= b < high):
            self._read(start, "start")
            self._read(end, "end")
        sign = 1
        if b < a:
            a, b, sign = b, a, -1
        if b - a > _HORIZON_US:
            raise InvalidTicketError(
                f"from {start.isoformat()} to {end.isoformat()} is more than "
                f"{_HORIZON_YEARS} years; a calendar measures spans of at most "
                f"{_HORIZON_YEARS} years (36,525 days): check the instants",
                field="end",
            )
        if self._always:
            return timedelta(0, 0, sign * (b - a))
        year_a, pos_a = self._locate(a)
        year_b, pos_b = self._locate(b)
        if year_a is year_b:
            micros = pos_b - pos_a
        else:
            # Growing a run changes none of its positions: pos_a and pos_b still hold.
            micros = self._end_of(year_a.number).tail - pos_a
            micros += pos_b - self._start_of(year_b.number).head
            for number in range(year_a.number + 1, year_b.number):
                micros += self._summary(number)[0]
        return timedelta(0, 0, sign * micros)

    def is_open(self, instant: datetime) -> bool:
        """True when ``instant`` is inside an open interval."""
        t = self._read(instant, "instant")
        if self._always:
            return True
        found, k = self._interval(t)
        return k >= 0 and t < found.ends[k]

    def next_open(self, instant: datetime) -> pendulum.DateTime:
        """``instant`` if it is open, else the start of the next open interval."""
        return self._next_open(self._read(instant, "instant"))

    def add_business_days(self, start: datetime, days: int) -> pendulum.DateTime:
        """The ``days``-th next business date at ``start``'s wall time, or the next open
        moment after it when that moment is closed.

        A business date is a local date with open time. ``days=0`` keeps the date.
        """
        t = self._read(start, "start")
        if isinstance(days, bool) or not isinstance(days, int) or days < 0:
            raise InvalidTicketError(
                f"days must be a whole number of business days, 0 or more, got {days!r}",
                field="days",
            )
        if days > self._max_days:
            raise self._too_many_days(days, start)
        local = (_EPOCH + timedelta(microseconds=t)).astimezone(self._zone)
        ordinal = local.toordinal()
        if days:
            ordinal = self._nth_business_date(ordinal, days, t, start)
        seconds = local.hour * 3600 + local.minute * 60 + local.second
        answer = self._days.local(ordinal, seconds) + local.microsecond
        if answer >= self._high:
            raise self._too_many_days(days, start)
        found = self._next_open(answer)
        if _instant(found, "answer") - t > _HORIZON_US:
            raise self._too_many_days(days, start)
        return found

    # -- saving -----------------------------------------------------------------------------

    def to_dict(self, *, years: Iterable[int] = ()) -> dict[str, Any]:
        """A JSON-ready dict from which ``from_dict`` rebuilds an equal calendar.

        The holidays of every year resolved so far, and of ``years``, are written out as
        dates, so a later ``holidays`` package cannot move deadlines in those years.
        """
        frozen = (
            {
                year: self._days.holidays(year)
                for year in {*self._days.resolved, *self._days.frozen, *years}
            }
            if self._days.source is not None
            else {}
        )
        holidays = {d for year in frozen.values() for d in year.dates}
        holidays.update(d for days in self._days.fixed.values() for d in days)
        parts = {d: i for year in frozen.values() for d, i in year.partial.items()}
        return {
            "schema": _SCHEMA,
            "timezone": self.timezone,
            "hours": {
                WEEKDAYS[day]: [format_interval(i) for i in intervals]
                for day, intervals in enumerate(self._days.week)
                if intervals
            },
            "holidays": sorted(d.isoformat() for d in holidays),
            "holiday_source": None if self._days.source is None else self._days.source.spec(),
            "holiday_years": sorted(frozen),
            "holiday_parts": _dated_texts({d.toordinal(): i for d, i in parts.items()}),
            "overrides": _dated_texts(self._days.overrides),
            "closures": _dated_texts(self._days.closures),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> BusinessCalendar:
        """The calendar ``to_dict`` wrote."""
        if not isinstance(data, Mapping) or data.get("schema") != _SCHEMA:
            found = data.get("schema") if isinstance(data, Mapping) else data
            raise ConfigurationError(
                f"not a saved calendar of schema {_SCHEMA} (got {found!r})", key="schema"
            )
        try:
            calendar = cls(
                timezone=data["timezone"],
                hours=data["hours"],
                overrides=_dates(data["overrides"]),
                closures=_dates(data["closures"]),
            )
            holidays = [date.fromisoformat(d) for d in data["holidays"]]
            parts = {
                day: parse_intervals(value, key=f"holiday_parts[{day}]")
                for day, value in _dates(data["holiday_parts"]).items()
            }
            source, frozen_years = data["holiday_source"], set(data["holiday_years"])
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            if isinstance(error, ConfigurationError):
                raise
            raise ConfigurationError(f"not a saved calendar: {error!r}", key="calendar") from None
        if source is not None:
            calendar._days.source = HolidaySource.from_spec(source)
            calendar._always = False
            for year in frozen_years:
                calendar._days.frozen[year] = YearHolidays(
                    frozenset(d for d in holidays if d.year == year),
                    {d: i for d, i in parts.items() if d.year == year},
                )
        calendar._days.fixed = group_by_year(d for d in holidays if d.year not in frozen_years)
        calendar._always = calendar._always and not calendar._days.fixed
        return calendar

    def __repr__(self) -> str:
        open_days = [WEEKDAYS[d] for d, intervals in enumerate(self._days.week) if intervals]
        return f"<BusinessCalendar {self.timezone} open {','.join(open_days)}>"

    # -- inside: instants as epoch microseconds -------------------------------------------

    def _read(self, value: datetime, name: str) -> int:
        """``value`` as epoch microseconds, refused unless it is in the years the
        calendar works in (2 to 9998, local time)."""
        t = _instant(value, name)
        if not self._low <= t < self._high:
            raise self._outside(value, name)
        return t

    def _outside(self, value: datetime, name: str) -> InvalidTicketError:
        return InvalidTicketError(
            f"{name} {value.isoformat()} is outside the years {_FIRST_YEAR} to "
            f"{_LAST_YEAR} a calendar works in; check the instant",
            field=name,
        )

    def _too_long(self, duration: timedelta, start: datetime, way: str) -> InvalidTicketError:
        """The refusal of a duration whose answer is beyond the horizon or the years."""
        return InvalidTicketError(
            f"{duration} of business time {way} {start.isoformat()} does not run out within "
            f"{_HORIZON_YEARS} years, or not between the years {_FIRST_YEAR} and "
            f"{_LAST_YEAR}, on this calendar (open at most {_hours(self._week_us)} a week); "
            f"a calendar answers within {_HORIZON_YEARS} years: check the duration",
            field="duration",
        )

    def _too_many_days(self, days: int, start: datetime) -> InvalidTicketError:
        """The refusal of business days whose answer is beyond the horizon or the years."""
        return InvalidTicketError(
            f"{days} business days after {start.isoformat()} do not fit within "
            f"{_HORIZON_YEARS} years, or not before the end of the year {_LAST_YEAR}, on "
            f"this calendar; a calendar answers within {_HORIZON_YEARS} years: check the "
            f"number of days",
            field="days",
        )

    def _datetime(self, micros: int) -> pendulum.DateTime:
        """The instant ``micros`` as a pendulum ``DateTime`` in the calendar's zone."""
        local = (_EPOCH + timedelta(microseconds=micros)).astimezone(self._zone)
        return pendulum.DateTime(
            local.year,
            local.month,
            local.day,
            local.hour,
            local.minute,
            local.second,
            local.microsecond,
            tzinfo=self._tz,
            fold=local.fold,
        )

    def _answer(self, found: _Year, k: int, micros: int) -> pendulum.DateTime:
        """Instant ``micros``, which lies in interval ``k`` of ``found``, as a DateTime."""
        local = found.local[k]
        if local is None:
            return self._datetime(micros)
        midnight, year, month, day = local
        rest = micros - midnight
        if rest >= _DAY_US:  # the next morning of an overnight interval
            days, rest = divmod(rest, _DAY_US)
            moved = date.fromordinal(found.owners[k] + days)
            year, month, day = moved.year, moved.month, moved.day
        seconds, micro = divmod(rest, _US)
        hours, seconds = divmod(seconds, 3600)
        minutes, seconds = divmod(seconds, 60)
        return _DateTime(year, month, day, hours, minutes, seconds, micro, self._tz)

    def _year_number(self, t: int) -> int:
        """The local year of instant ``t``, clamped to the years the calendar works in."""
        if t < self._low:
            return _FIRST_YEAR - 1
        if t >= self._high:
            return _LAST_YEAR + 1
        year = min(max(1970 + t // _AVERAGE_YEAR_US, _FIRST_YEAR), _LAST_YEAR)
        while t < self._days.midnight(year):
            year -= 1
        while t >= self._days.midnight(year + 1):
            year += 1
        return year

    def _year_of(self, t: int) -> _Year:
        """The run of the year whose local dates hold instant ``t`` (in the years the
        calendar works in), grown to hold the date of ``t``."""
        last = self._last
        if last.low <= t < last.high:
            return last
        number = self._year_number(t)
        found = self._years.get(number)
        if found is None or not found.low <= t < found.high:
            found = self._reach(number, t)
        self._last = found
        return found

    def _reach(self, number: int, t: int) -> _Year:
        """The run of year ``number``, grown to the date holding instant ``t``."""
        found = self._years.get(number) or self._new_year(number)
        # The local date of t, at the offset of the year's first midnight: a daylight-
        # saving change may put it a date off, near a midnight; the loops below mend that.
        local = (t - self._days.midnight(number)) // _DAY_US + found.first
        local = min(max(local, found.first), found.end - 1)
        if found.lo == found.hi:
            self._grow(found, local, min(local + _FIRST_CHUNK, found.end))
        elif local < found.lo:
            self._grow(found, local, found.lo)
        elif local >= found.hi:
            self._grow(found, found.hi, local + 1)
        while t < found.low and found.lo > found.first:
            self._back(found, 1)
        while t >= found.high and found.hi < found.end:
            self._forward(found, 1)
        return found

    def _new_year(self, number: int) -> _Year:
        self._work += 1
        found = _Year(number, date(number, 1, 1).toordinal(), date(number + 1, 1, 1).toordinal())
        self._years[number] = found
        return found

    def _grow(self, found: _Year, lo: int, hi: int) -> None:
        """Expand the dates ``[lo, hi)`` of ``found``'s year into its run."""
        # The years of the dates lo - 1 to hi: the closed dates around them.
        years = range(found.number - (lo == found.first), found.number + 1 + (hi == found.end))
        found.grow(lo, hi, self._days.expand(lo, hi, years))

    def _forward(self, found: _Year, dates: int = _CHUNK) -> None:
        """Grow ``found``'s run by ``dates`` dates (fewer at the year's end) forward."""
        self._grow(found, found.hi, min(found.hi + dates, found.end))

    def _back(self, found: _Year, dates: int) -> None:
        """Grow ``found``'s run by ``dates`` dates (fewer at the year's start) back."""
        self._grow(found, max(found.lo - dates, found.first), found.lo)

    def _complete(self, found: _Year) -> None:
        """Expand every date of ``found``'s year."""
        if found.lo == found.hi:
            self._grow(found, found.first, found.end)
            return
        if found.lo > found.first:
            self._grow(found, found.first, found.lo)
        if found.hi < found.end:
            self._grow(found, found.hi, found.end)

    def _year(self, year: int) -> _Year:
        """Year ``year`` wholly expanded; an empty year outside the years the calendar
        works in (nothing is open there)."""
        if not _FIRST_YEAR <= year <= _LAST_YEAR:
            self._work += 1
            return _Year.empty(year)
        found = self._years.get(year) or self._new_year(year)
        if found.business is None:
            self._complete(found)
            self._summaries.pop(year, None)
        return found

    def _start_of(self, year: int) -> _Year:
        """The run of ``year`` grown back to its first date."""
        if not _FIRST_YEAR <= year <= _LAST_YEAR:
            return _Year.empty(year)
        found = self._years.get(year) or self._new_year(year)
        if found.lo == found.hi:
            self._grow(found, found.first, found.first + _CHUNK)
        elif found.lo > found.first:
            self._grow(found, found.first, found.lo)
        return found

    def _end_of(self, year: int) -> _Year:
        """The run of ``year`` grown forward to its last date."""
        if not _FIRST_YEAR <= year <= _LAST_YEAR:
            return _Year.empty(year)
        found = self._years.get(year) or self._new_year(year)
        if found.lo == found.hi:
            self._grow(found, found.end - _CHUNK, found.end)
        elif found.hi < found.end:
            self._grow(found, found.hi, found.end)
        return found

    def _summary(self, year: int) -> tuple[int, int]:
        """The open time of ``year`` and its number of business dates, from its expanded
        intervals if they are at hand, otherwise without expanding it (``_sum_year``)."""
        self._work += 1
        expanded = self._years.get(year)
        if expanded is not None and expanded.business is not None:
            return expanded.total, len(expanded.business)
        found = self._summaries.get(year)
        if found is None:
            found = self._summaries[year] = self._days.sum_year(year)
        return found

    def _interval(self, t: int) -> tuple[_Year, int]:
        """The run and index of the last interval starting at or before ``t`` (-1: none)."""
        found = self._year_of(t)
        while True:
            k = bisect_right(found.starts, t) - 1
            if k >= 0 or not self._days.overnight:
                return found, k
            if found.lo > found.first:  # the date before may hold an overnight interval
                self._back(found, 1)
                continue
            previous = self._end_of(found.number - 1)
            if previous.starts and t < previous.ends[-1]:
                return previous, len(previous.starts) - 1
            return found, k

    def _locate(self, t: int) -> tuple[_Year, int]:
        """A run holding ``t`` and the position of ``t`` in it (the open time before it)."""
        found = self._last
        if not found.low <= t < found.high:
            found = self._year_of(t)
        while True:
            k = bisect_right(found.starts, t) - 1
            if k >= 0:
                end = found.ends[k]
                return found, found.shifts[k] + (t if t < end else end)
            if not self._days.overnight:  # nothing earlier reaches t
                return found, found.head
            if found.lo > found.first:  # the date before may hold an overnight interval
                self._back(found, 1)
                continue
            previous = self._end_of(found.number - 1)
            if previous.starts and t < previous.ends[-1]:
                return previous, previous.shifts[-1] + t
            return found, found.head

    def _seek(
        self, found: _Year, target: int, origin: int, duration: timedelta
    ) -> pendulum.DateTime:
        """The earliest instant at which the open time of ``found`` reaches ``target``,
        growing its run forward, then crossing later years by their totals and expanding
        only the one it stops in (or the first dates of the next years, when little is
        left to go)."""
        while target > found.tail and found.hi < found.end:
            if target - found.tail > self._near_us:
                self._complete(found)
            else:
                self._forward(found)
        if target > found.tail:
            first = number = found.number
            rest = target - found.tail
            empty = 0 if found.tail > found.head or self._summary(first)[0] else 1
            while True:
                number += 1
                near = number > _LAST_YEAR or number - first >= _HORIZON_YEARS - 1
                if near and self._beyond(number, first, origin + _HORIZON_US):
                    raise self._too_long(duration, self._datetime(origin), "after")
                known = self._years.get(number)
                if rest <= self._near_us or (known is not None and known.first == known.lo):
                    # Walk the year from its first date: cheaper than its total.
                    self._work += 1
                    found = self._start_of(number)
                    while rest > found.tail - found.head and found.hi < found.end:
                        if rest - found.tail + found.head > self._near_us:
                            self._complete(found)
                        else:
                            self._forward(found)
                    total = found.tail - found.head
                    if rest <= total:
                        target = found.head + rest
                        break
                else:
                    total = self._summary(number)[0]
                    if rest <= total:
                        found = self._year(number)
                        target = found.head + rest
                        break
                rest -= total
                empty = empty + 1 if total == 0 else 0
                self._check_search(empty, number, origin)
        k = bisect_left(found.through, target)
        micros = target - found.shifts[k]
        if micros - origin > _HORIZON_US:
            raise self._too_long(duration, self._datetime(origin), "after")
        return self._answer(found, k, micros)

    def _beyond(self, number: int, first: int, horizon: int) -> bool:
        """Whether a search from year ``first`` that reached year ``number`` has left the
        years the calendar works in, or passed the year of the instant ``horizon``. Years
        within 99 of ``first`` are always within the horizon (36,525 days is more than 99
        years), so the exact year is worked out only near it."""
        if not _FIRST_YEAR <= number <= _LAST_YEAR:
            return True
        if abs(number - first) < _HORIZON_YEARS - 1:
            return False
        limit = self._year_number(horizon)
        return number > limit if number > first else number < limit

    def _next_open(self, t: int) -> pendulum.DateTime:
        if self._always:
            return self._datetime(t)
        found, k = self._interval(t)
        if k >= 0 and t < found.ends[k]:
            return self._answer(found, k, t)
        while k + 1 >= len(found.starts) and found.hi < found.end:
            self._forward(found)
        if k + 1 < len(found.starts):
            return self._answer(found, k + 1, found.starts[k + 1])
        number, empty = found.number, 0
        while True:
            number += 1
            if number > _LAST_YEAR:
                raise InvalidTicketError(
                    f"the calendar does not open again after {self._datetime(t).isoformat()} "
                    f"before the end of the year {_LAST_YEAR}, the last it works in",
                    field="instant",
                )
            found = self._start_of(number)
            while not found.starts and found.hi < found.end:
                self._forward(found)
            if found.starts:
                return self._answer(found, 0, found.starts[0])
            empty += 1
            self._check_search(empty, number, t)

    def _nth_business_date(self, ordinal: int, days: int, origin: int, start: datetime) -> int:
        number = date.fromordinal(ordinal).year
        business = self._year(number).business
        assert business is not None  # a whole year has its business dates
        index = bisect_right(business, ordinal) + days - 1
        count = len(business)
        if index >= count:
            first, empty = number, 0
            while index >= count:
                index -= count
                empty = empty + 1 if not count else 0
                self._check_search(empty, number, origin)
                number += 1
                if self._beyond(number, first, origin + _HORIZON_US):
                    raise self._too_many_days(days, start)
                count = self._summary(number)[1]
            business = self._year(number).business
            assert business is not None
        return business[index]

    def _check_search(self, empty_years: int, year: int, origin: int) -> None:
        if empty_years >= _MAX_EMPTY_YEARS:
            raise ConfigurationError(
                f"the calendar has no open time for {empty_years} years in a row (up to "
                f"{year}), searching from {self._datetime(origin).isoformat()}: its holidays "
                f"and closures leave nothing open; check them",
                key="holidays",
            )


_pendulum_zones: dict[str, Any] = {}


def _pendulum_zone(name: str) -> Any:
    """pendulum's time zone ``name``, kept: pendulum does not keep its zones, so each new
    one reads the zone file again (about as long as building the rest of a calendar)."""
    found = _pendulum_zones.get(name)
    if found is None:
        found = _pendulum_zones[name] = pendulum.timezone(name)
    return found


def _hours(week_us: Sequence[int]) -> str:
    """The open time of a week in words: ``"45h"``, ``"1min"``."""
    seconds = sum(week_us) // _US
    hours, minutes = divmod(seconds // 60, 60)
    if hours and minutes:
        return f"{hours}h{minutes:02d}"
    return f"{hours}h" if hours else f"{minutes}min" if minutes else f"{seconds}s"


def _micros(duration: timedelta) -> int:
    if not isinstance(duration, timedelta):
        raise InvalidTicketError(
            f"a duration must be a timedelta, got {type(duration).__name__}", field="duration"
        )
    micros = (duration.days * DAY + duration.seconds) * _US + duration.microseconds
    if micros < 0:
        raise InvalidTicketError(
            f"a duration must not be negative, got {duration}; use subtract() to go back",
            field="duration",
        )
    return micros


def _dated_texts(values: Mapping[int, tuple[Interval, ...]]) -> dict[str, list[str]]:
    return {
        date.fromordinal(ordinal).isoformat(): [format_interval(i) for i in intervals]
        for ordinal, intervals in sorted(values.items())
    }


def _dates(values: Mapping[str, Any]) -> dict[date, Any]:
    return {date.fromisoformat(day): value for day, value in values.items()}


def _dated_intervals(
    values: Mapping[date, str | Sequence[str]] | None, name: str, *, allow_empty: bool
) -> dict[int, tuple[Interval, ...]]:
    if values is None:
        return {}
    if not isinstance(values, Mapping):
        raise ConfigurationError(f"{name} must map dates to intervals", key=name)
    found: dict[int, tuple[Interval, ...]] = {}
    for day, value in values.items():
        if not isinstance(day, date) or isinstance(day, datetime):
            raise ConfigurationError(f"{name} keys must be dates, got {day!r}", key=name)
        if not _FIRST_YEAR <= day.year <= _LAST_YEAR:
            raise ConfigurationError(
                f"{name}[{day.isoformat()}]: a calendar works in the years {_FIRST_YEAR} to "
                f"{_LAST_YEAR}",
                key=name,
            )
        key = f"{name}[{day.isoformat()}]"
        if not isinstance(value, str) and not value:
            if not allow_empty:
                raise ConfigurationError(f"{key}: a closure needs intervals", key=key)
            found[day.toordinal()] = ()
            continue
        found[day.toordinal()] = parse_intervals(value, key=key)
    return found
