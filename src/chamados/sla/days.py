"""What each local date of a business calendar opens: its weekly hours, or its override,
minus its holidays and closures, as instants in the calendar's time zone.

``CalendarDays`` is the half of ``BusinessCalendar`` (``calendar.py``) that knows the
rules of the dates: it expands a run of dates into open intervals (``expand``), totals a
year without expanding it (``sum_year``), and resolves the holidays of each year. The
calendar searches business time over what it gives, and keeps the bounds.

A date is *plain* when nothing but its weekday's hours shapes it: no override, no holiday
or closure on it or on a neighbouring date, and one UTC offset from its local midnight to
the one after its last interval ends (no zone changes its offset twice within a day). A
plain date's intervals are its hours shifted by that offset, a few additions; any other
date is worked out wall time by wall time (``day``). The UTC offsets at local midnights
and the first instant of each year are shared by the calendars of a zone, as the
``holidays`` package's years are shared by the sources built from one description
(``chamados.sla.holidays``): zone rules do not change while the process runs.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from chamados.sla.holidays import HolidaySource, YearHolidays
from chamados.sla.hours import DAY, Interval, check_spill

__all__ = ["FIRST_YEAR", "LAST_YEAR", "CalendarDays", "Expanded"]

_US = 1_000_000
_DAY_US = DAY * _US
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_ONE_DAY = timedelta(days=1)
FIRST_YEAR, LAST_YEAR = 2, 9998
"""The years a calendar works in (local time)."""
_FIRST_YEAR, _LAST_YEAR = FIRST_YEAR, LAST_YEAR

Expanded = tuple[
    tuple[int, int], list[int], list[int], list[int], list[tuple[int, int, int, int] | None]
]
"""What ``CalendarDays.expand`` gives: the instants of the local midnights that start the
first date and end the last, then the open intervals' starts, ends, owning dates and
local dates (``(midnight, year, month, day)``, or ``None`` near a daylight-saving change)."""

_At = Callable[[int, int], int]
"""A date (ordinal) and seconds of wall time after its midnight, to an instant."""
_Closed = Callable[[int, _At], list[tuple[int, int]]]
_NO_HOLIDAYS = YearHolidays(frozenset(), {})

_OFFSETS_MAX = 8192
_offsets: dict[tuple[ZoneInfo, int, int], tuple[int, ...]] = {}
_year_midnights: dict[tuple[ZoneInfo, int], int] = {}


class CalendarDays:
    """The dates of one calendar: weekly hours (``week``, seconds from local midnight per
    weekday), ``overrides`` and ``closures`` (by date ordinal), and holidays from a
    ``source``, ``fixed`` dates, or the years ``frozen`` by a saved calendar."""

    def __init__(
        self,
        zone: ZoneInfo,
        week: tuple[tuple[Interval, ...], ...],
        overrides: dict[int, tuple[Interval, ...]],
        closures: dict[int, tuple[Interval, ...]],
    ) -> None:
        self.zone, self.week, self.overrides, self.closures = zone, week, overrides, closures
        self.check_overrides()
        self.source: HolidaySource | None = None
        self.fixed: dict[int, frozenset[date]] = {}
        self.frozen: dict[int, YearHolidays] = {}
        self.resolved: dict[int, YearHolidays] = {}
        self.marked: dict[int, tuple[list[int], frozenset[int]]] = {}
        self.midnights: dict[int, int] = {}
        self.week_us = tuple(sum(end - start for start, end in day) * _US for day in week)
        self.pieces = tuple(tuple((s * _US, e * _US) for s, e in day) for day in week)
        self.override_years = _by_year(overrides)
        self.closure_years = _by_year(closures)
        self.overnight = any(end > DAY for day in (*week, *overrides.values()) for _, end in day)
        self.low, self.high = self.midnight(FIRST_YEAR), self.midnight(LAST_YEAR + 1)

    def local(self, ordinal: int, seconds: int) -> int:
        """Wall time ``seconds`` after the local midnight of date ``ordinal``, as an instant.

        A time in a DST gap moves forward by the gap; an ambiguous one is its first
        occurrence (``fold=0``, as ``zoneinfo`` reads it).
        """
        days, seconds = divmod(seconds, DAY)
        day = date.fromordinal(ordinal + days)
        hours, rest = divmod(seconds, 3600)
        wall = datetime(day.year, day.month, day.day, hours, rest // 60, rest % 60)
        offset = self.zone.utcoffset(wall)
        assert offset is not None
        local_seconds = (day.toordinal() - _EPOCH_ORDINAL) * DAY + seconds
        return (local_seconds - offset.days * DAY - offset.seconds) * _US

    def midnight(self, year: int) -> int:
        """The instant that starts ``year`` in the calendar's zone (kept, and shared with
        the other calendars of the zone)."""
        found = self.midnights.get(year)
        if found is None:
            key = (self.zone, year)
            found = _year_midnights.get(key)
            if found is None:
                found = self.local(date(year, 1, 1).toordinal(), 0)
                if len(_year_midnights) >= _OFFSETS_MAX:
                    _year_midnights.clear()
                _year_midnights[key] = found
            self.midnights[year] = found
        return found

    def offset(self, micros: int) -> int:
        utc = _EPOCH + timedelta(microseconds=micros)
        offset = self.zone.utcoffset(utc.astimezone(self.zone))
        assert offset is not None
        return (offset.days * DAY + offset.seconds) * _US + offset.microseconds

    def steady_offset(self, start: int, end: int) -> int | None:
        """The UTC offset over ``[start, end]`` if no DST change is within six hours of it.

        Then every local time in the interval is unambiguous and has this offset.
        """
        offset = self.offset(start)
        margin = 6 * 3600 * _US
        for instant in (start - margin, end, end + margin):
            if self.low <= instant < self.high and self.offset(instant) != offset:
                return None
        return offset

    def holidays(self, year: int) -> YearHolidays:
        found = self.resolved.get(year)
        if found is None:
            if not _FIRST_YEAR - 1 <= year <= _LAST_YEAR + 1:
                return _NO_HOLIDAYS
            found = self.frozen.get(year)
            if found is None:
                found = self.source.year(year) if self.source else _NO_HOLIDAYS
            extra = self.fixed.get(year)
            if extra:
                found = YearHolidays(found.dates | extra, found.partial)
            self.resolved[year] = found
        return found

    def closed(self, ordinal: int, at: _At | None = None) -> list[tuple[int, int]]:
        """Instants closed by holidays and closures that start on date ``ordinal``;
        ``at`` turns a date and a wall time into an instant (``local`` if not given)."""
        at = at or self.local
        day = date.fromordinal(ordinal)
        holidays = self.holidays(day.year)
        if day in holidays.dates:
            return [(at(ordinal, 0), at(ordinal + 1, 0))]
        parts = list(holidays.partial.get(day, ()))
        parts.extend(self.closures.get(ordinal, ()))
        return [(at(ordinal, s), at(ordinal, e)) for s, e in parts]

    def day(self, ordinal: int, closed: _Closed, at: _At) -> list[tuple[int, int, int]]:
        """The open pieces owned by date ``ordinal``: its hours minus the closed spans of
        that date and its neighbours (``closed(ordinal, at)``), their instants worked out
        by ``at`` (``local``, or one UTC offset where it is steady)."""
        hours = self.overrides.get(ordinal)
        if hours is None:
            hours = self.week[date.fromordinal(ordinal).weekday()]
        pieces: list[tuple[int, int, int]] = []
        for start_s, end_s in hours:
            start, end = at(ordinal, start_s), at(ordinal, end_s)
            if end <= start:  # wholly inside a DST gap
                continue
            cuts = closed(ordinal - 1, at) + closed(ordinal, at)
            if end_s > DAY:
                cuts = cuts + closed(ordinal + 1, at)
            for piece_start, piece_end in _subtract(start, end, cuts):
                pieces.append((piece_start, piece_end, ordinal))
        return pieces

    def marks(self, year: int) -> tuple[list[int], frozenset[int]]:
        """The dates of ``year`` (sorted ordinals) that holidays or closures close, in all
        or in part, and those closed all day by a holiday."""
        found = self.marked.get(year)
        if found is None:
            holidays = self.holidays(year)
            shut = frozenset(day.toordinal() for day in holidays.dates)
            marks = [*shut, *(day.toordinal() for day in holidays.partial)]
            marks += self.closure_years.get(year, ())
            marks.sort()
            found = self.marked[year] = marks, shut
        return found

    def special(
        self, first: int, last: int, years: Iterable[int], offsets: Sequence[int]
    ) -> tuple[set[int], set[int]]:
        """The dates of ``[first, last)`` that are not plain (module docstring), and
        those of them that open nothing (a holiday, with no hours past midnight);
        ``years`` are those of the dates ``first - 1`` to ``last``."""
        special: set[int] = set()
        shut: set[int] = set()
        for year in years:
            marks, holidays = self.marks(year)
            lo, hi = bisect.bisect_left(marks, first - 1), bisect.bisect_right(marks, last)
            # A closed date cuts itself, the date before when that one's hours run past
            # midnight, and the date after when its closed parts do.
            for ordinal in marks[lo:hi]:
                special.add(ordinal)
                if self.overnight:
                    special.add(ordinal - 1)
                elif ordinal in holidays:
                    shut.add(ordinal)
                if self.spills(ordinal):
                    special.add(ordinal + 1)
            for ordinal in self.override_years.get(year, ()):
                special.add(ordinal)
        if offsets.count(offsets[0]) != len(offsets):
            reach = 3 if self.overnight else 2  # the midnight after the last interval ends
            for index in range(last - first):
                if len(set(offsets[index + 1 : index + 1 + reach])) > 1:
                    special.add(first + index)
        return special, shut

    def expand(self, first: int, last: int, years: Iterable[int]) -> Expanded:
        """The open intervals owned by the dates ``[first, last)`` (in ``years``): the
        instants of the local midnights that start ``first`` and ``last``, then the
        intervals' starts, ends, owners and local dates (``_Year``).

        A date is *plain* (module docstring) unless ``special`` says otherwise; any other
        date goes through ``day``, with one UTC offset when the offsets at the midnights
        around it agree.
        """
        offsets = _midnight_offsets(self.zone, first - 1, last - first + 5)
        special, shut = self.special(first, last, years, offsets)
        starts: list[int] = []
        ends: list[int] = []
        owners: list[int] = []
        local: list[tuple[int, int, int, int] | None] = []
        week = self.pieces
        closed = _memo(self.closed)
        weekday = (first + 6) % 7
        base = (first - _EPOCH_ORDINAL) * _DAY_US
        for index in range(last - first):
            ordinal = first + index
            if ordinal in shut:  # a holiday's hours end by its midnight: all closed
                weekday = weekday + 1 if weekday < 6 else 0
                continue
            if ordinal in special:
                offset = offsets[index + 1]
                if offsets[index : index + 5].count(offset) == 5:
                    # One offset from the midnight before to three after: whatever its
                    # neighbours close, every instant the date needs has this offset.
                    info: tuple[int, int, int, int] | None = _local_date(ordinal, offset)
                    for start, end, _ in self.day(ordinal, closed, _steady(offset)):
                        starts.append(start)
                        ends.append(end)
                        owners.append(ordinal)
                        local.append(info)
                    weekday = weekday + 1 if weekday < 6 else 0
                    continue
                for start, end, _ in self.day(ordinal, closed, self.local):
                    starts.append(start)
                    ends.append(end)
                    owners.append(ordinal)
                    steady = self.steady_offset(start, end)
                    local.append(None if steady is None else _local_date(ordinal, steady))
            elif week[weekday]:
                midnight = base + index * _DAY_US - offsets[index + 1]
                day = date.fromordinal(ordinal)
                info = (midnight, day.year, day.month, day.day)
                for start, end in week[weekday]:
                    starts.append(midnight + start)
                    ends.append(midnight + end)
                    owners.append(ordinal)
                    local.append(info)
            weekday = weekday + 1 if weekday < 6 else 0
        span = (base - offsets[1], base + (last - first) * _DAY_US - offsets[last - first + 1])
        return span, starts, ends, owners, local

    def sum_year(self, year: int) -> tuple[int, int]:
        """The open time of ``year`` and its business dates, without expanding it.

        A date is *plain* when nothing but its weekly hours shapes it: no override, no
        holiday or closure on it or a neighbouring date (an overnight interval reaches
        the next date; a closure can reach back from the previous one), and the same UTC
        offset at the local midnights from its own to the one two days later. A plain date
        opens exactly its weekday's hours, so the year is its weekdays' hours plus, for
        the few other dates, the difference between what ``_day`` gives and those hours.
        """
        if not _FIRST_YEAR <= year <= _LAST_YEAR:
            return 0, 0
        first, last = date(year, 1, 1).toordinal(), date(year + 1, 1, 1).toordinal()
        length, start_day = last - first, date(year, 1, 1).weekday()
        weeks, rest = divmod(length, 7)
        week_us = self.week_us
        total = business = 0
        for weekday in range(7):
            count = weeks + ((weekday - start_day) % 7 < rest)
            total += count * week_us[weekday]
            business += count * (week_us[weekday] > 0)
        special: set[int] = set(self.override_years.get(year, ()))
        marked: list[int] = [*self.closure_years.get(year - 1, ())]
        marked += self.closure_years.get(year, ())
        marked += self.closure_years.get(year + 1, ())
        for number in (year - 1, year, year + 1):
            holidays = self.holidays(number)
            marked += (day.toordinal() for day in holidays.dates)
            marked += (day.toordinal() for day in holidays.partial)
        # A closed date changes itself, the date before when that one's hours run past
        # midnight, and the date after when its closed parts do.
        before = self.overnight
        for ordinal in marked:
            if first - 1 <= ordinal <= last:
                special.add(ordinal)
                if before:
                    special.add(ordinal - 1)
                if self.spills(ordinal):
                    special.add(ordinal + 1)
        # Daylight-saving changes: the offset at each local midnight, from the first date
        # to two days after the last (no zone changes its offset twice within a day).
        utcoffset, wall, one = self.zone.utcoffset, datetime(year, 1, 1), timedelta(days=1)
        offsets = []
        for _ in range(length + 2):
            offsets.append(utcoffset(wall))
            wall += one
        for index in range(length + 1):
            if offsets[index] != offsets[index + 1]:
                special.update((first + index - 1, first + index))
        closed = _memo(self.closed)
        for ordinal in special:
            if not first <= ordinal < last:
                continue
            usual = week_us[(start_day + ordinal - first) % 7]
            opened = sum(end - start for start, end, _ in self.day(ordinal, closed, self.local))
            total += opened - usual
            business += (opened > 0) - (usual > 0)
        return total, business

    def spills(self, ordinal: int) -> bool:
        """Whether the closed parts of date ``ordinal`` run past its midnight."""
        day = date.fromordinal(ordinal)
        parts = (*self.holidays(day.year).partial.get(day, ()), *self.closures.get(ordinal, ()))
        return any(end > DAY for _, end in parts)

    def check_overrides(self) -> None:
        for ordinal, hours in self.overrides.items():
            before = self.overrides.get(ordinal - 1)
            if before is None:
                before = self.week[date.fromordinal(ordinal - 1).weekday()]
            after = self.overrides.get(ordinal + 1)
            if after is None:
                after = self.week[date.fromordinal(ordinal + 1).weekday()]
            key = f"overrides[{date.fromordinal(ordinal).isoformat()}]"
            check_spill(before, hours, key=key)
            check_spill(hours, after, key=key)


def _midnight_offsets(zone: ZoneInfo, ordinal: int, count: int) -> tuple[int, ...]:
    """The UTC offsets (microseconds) at the local midnights of ``count`` dates from
    ``ordinal``, shared by the calendars of a zone: zone rules do not change while the
    process runs, and the first call on a new calendar mostly needs dates that others
    already looked up."""
    key = (zone, ordinal, count)
    found = _offsets.get(key)
    if found is None:
        utcoffset, wall, offsets = zone.utcoffset, datetime.fromordinal(ordinal), []
        for _ in range(count):
            offset = utcoffset(wall)
            assert offset is not None
            offsets.append((offset.days * DAY + offset.seconds) * _US + offset.microseconds)
            wall += _ONE_DAY
        if len(_offsets) >= _OFFSETS_MAX:
            _offsets.clear()
        found = _offsets[key] = tuple(offsets)
    return found


def _steady(offset: int) -> _At:
    """``CalendarDays.local`` where the UTC offset is ``offset`` throughout."""

    def at(ordinal: int, seconds: int) -> int:
        return (ordinal - _EPOCH_ORDINAL) * _DAY_US + seconds * _US - offset

    return at


def _memo(closed: _Closed) -> _Closed:
    """``closed`` remembering its answer per date, for one expansion (an answer is exact
    whichever ``at`` worked it out: a steady one is given only dates where it is)."""
    answers: dict[int, list[tuple[int, int]]] = {}

    def remembered(ordinal: int, at: _At) -> list[tuple[int, int]]:
        found = answers.get(ordinal)
        if found is None:
            found = answers[ordinal] = closed(ordinal, at)
        return found

    return remembered


def _local_date(ordinal: int, offset: int) -> tuple[int, int, int, int]:
    """``_Year.local`` of an interval of date ``ordinal`` at UTC offset ``offset``."""
    day = date.fromordinal(ordinal)
    return (ordinal - _EPOCH_ORDINAL) * _DAY_US - offset, day.year, day.month, day.day


def _subtract(start: int, end: int, cuts: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """``[start, end)`` minus the ``cuts``, as sorted non-empty pieces."""
    pieces = [(start, end)]
    for cut_start, cut_end in cuts:
        if cut_end <= start or cut_start >= end:
            continue
        next_pieces = []
        for a, b in pieces:
            if cut_end <= a or cut_start >= b:
                next_pieces.append((a, b))
                continue
            if a < cut_start:
                next_pieces.append((a, cut_start))
            if cut_end < b:
                next_pieces.append((cut_end, b))
        pieces = next_pieces
    return pieces


def _by_year(dated: Mapping[int, object]) -> dict[int, list[int]]:
    """The ordinals of ``dated`` grouped by their year."""
    found: dict[int, list[int]] = {}
    for ordinal in dated:
        found.setdefault(date.fromordinal(ordinal).year, []).append(ordinal)
    return found
