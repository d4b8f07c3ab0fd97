"""Working hours as written by people (``{"mon-fri": ["09:00-12:00", "13:00-18:00"]}``),
parsed and checked into seconds from local midnight.

An interval ``"HH:MM-HH:MM"`` (seconds allowed: ``"HH:MM:SS"``) is a half-open range of
local wall time. ``24:00`` is a valid end. An end before the start crosses midnight: the
interval belongs to the day it starts on and ends on the next one, so its end is stored
as more than 86,400 seconds. Every problem is a ``ConfigurationError`` naming the key.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Hashable, Iterable, Mapping, Sequence

from chamados.exceptions import ConfigurationError

__all__ = ["DAY", "WEEKDAYS", "Interval", "format_interval", "parse_intervals", "parse_week"]

DAY = 86_400
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

Interval = tuple[int, int]
"""Seconds from local midnight of the owning day: ``(start, end)``, ``start < end``."""

_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def _seconds(text: str, *, key: str, end: bool) -> int:
    match = _TIME.match(text.strip())
    if match is None:
        raise ConfigurationError(
            f"{key}: {text!r} is not a time; write HH:MM or HH:MM:SS", key=key
        )
    hours, minutes, seconds = int(match[1]), int(match[2]), int(match[3] or 0)
    value = hours * 3600 + minutes * 60 + seconds
    if minutes > 59 or seconds > 59 or value > DAY or (value == DAY and not end):
        allowed = "00:00 to 24:00" if end else "00:00 to 23:59:59"
        raise ConfigurationError(
            f"{key}: {text!r} is not a valid {'end' if end else 'start'} ({allowed})", key=key
        )
    return value


def parse_interval(text: str, *, key: str) -> Interval:
    """``"22:00-06:00"`` -> ``(79200, 108000)``: an end before the start is the next day."""
    if not isinstance(text, str) or text.count("-") != 1:
        raise ConfigurationError(
            f"{key}: {text!r} is not an interval; write 'HH:MM-HH:MM'", key=key
        )
    left, right = text.split("-")
    start = _seconds(left, key=key, end=False)
    end = _seconds(right, key=key, end=True)
    if start == end:
        raise ConfigurationError(
            f"{key}: {text!r} starts and ends at the same time; an interval needs some "
            f"length (write 00:00-24:00 for a whole day)",
            key=key,
        )
    if end < start:
        end += DAY
    return (start, end)


def parse_intervals(value: str | Sequence[str], *, key: str) -> tuple[Interval, ...]:
    """One interval string or a list of them, sorted and checked for overlaps."""
    texts = [value] if isinstance(value, str) else list(value)
    intervals = sorted(parse_interval(text, key=key) for text in texts)
    _check_no_overlap(intervals, key=key)
    return tuple(intervals)


def _check_no_overlap(intervals: Sequence[Interval], *, key: str) -> None:
    for (s1, e1), (s2, e2) in itertools.pairwise(intervals):
        if s2 < e1:
            raise ConfigurationError(
                f"{key}: intervals {format_interval((s1, e1))} and "
                f"{format_interval((s2, e2))} overlap",
                key=key,
            )


def _days(key: str) -> list[int]:
    days: list[int] = []
    for part in key.lower().replace(" ", "").split(","):
        if "-" in part:
            first, _, last = part.partition("-")
            if first not in WEEKDAYS or last not in WEEKDAYS:
                raise ConfigurationError(
                    f"unknown weekday range {key!r}; use mon..sun, like 'mon-fri'", key=key
                )
            a, b = WEEKDAYS.index(first), WEEKDAYS.index(last)
            if b < a:
                raise ConfigurationError(
                    f"weekday range {key!r} runs backwards; write it from the earlier day "
                    f"(for example 'fri-sun' and 'mon')",
                    key=key,
                )
            days.extend(range(a, b + 1))
        elif part in WEEKDAYS:
            days.append(WEEKDAYS.index(part))
        else:
            raise ConfigurationError(
                f"unknown weekday {part!r} in {key!r}; use mon, tue, wed, thu, fri, sat, sun "
                f"or ranges like 'mon-fri'",
                key=key,
            )
    return days


def parse_week(
    hours: Mapping[str, str | Sequence[str]],
) -> tuple[tuple[Interval, ...], ...]:
    """Weekly hours, Monday first, each day's intervals sorted and checked.

    A weekday named by several keys gets the intervals of all of them. Overlaps within
    a day, and between a day's overnight interval and the next day's intervals, are
    errors naming the keys. The weeks of the few texts a process uses are kept.
    """
    if not isinstance(hours, Mapping):
        raise ConfigurationError(
            "hours must map weekdays to intervals, like {'mon-fri': '09:00-18:00'}", key="hours"
        )
    try:
        text = tuple((k, v if isinstance(v, str) else tuple(v)) for k, v in hours.items())
        found = _weeks.get(text)
    except TypeError:  # not hashable: parse_intervals says what is wrong
        text, found = None, None
    if found is None:
        found = _parse_week(hours)
        if text is not None:
            if len(_weeks) >= _WEEKS_MAX:
                _weeks.clear()
            _weeks[text] = found
    return found


_WEEKS_MAX = 256
_weeks: dict[Hashable, tuple[tuple[Interval, ...], ...]] = {}


def _parse_week(hours: Mapping[str, str | Sequence[str]]) -> tuple[tuple[Interval, ...], ...]:
    week: list[list[Interval]] = [[] for _ in WEEKDAYS]
    keys: list[list[str]] = [[] for _ in WEEKDAYS]
    for key, value in hours.items():
        intervals = parse_intervals(value, key=key)
        for day in _days(key):
            week[day].extend(intervals)
            keys[day].append(key)
    days: list[tuple[Interval, ...]] = []
    for day, found in enumerate(week):
        found.sort()
        _check_no_overlap(found, key=" and ".join(keys[day]) or WEEKDAYS[day])
        days.append(tuple(found))
    for day in range(7):
        following = (day + 1) % 7
        check_spill(days[day], days[following], key=f"{WEEKDAYS[day]}/{WEEKDAYS[following]}")
    if not any(days):
        raise ConfigurationError(
            "the calendar has no working time at all; give hours to at least one weekday",
            key="hours",
        )
    return tuple(days)


def check_spill(today: Iterable[Interval], tomorrow: Iterable[Interval], *, key: str) -> None:
    """An overnight interval of ``today`` must end before ``tomorrow``'s first interval."""
    spill = max((end - DAY for _, end in today), default=0)
    first = min((start for start, _ in tomorrow), default=DAY)
    if spill > first:
        raise ConfigurationError(
            f"{key}: an overnight interval runs until {_clock(spill)} of the next day, past "
            f"that day's start at {_clock(first)}",
            key=key,
        )


def _clock(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours:02d}:{minutes:02d}" + (f":{secs:02d}" if secs else "")


def format_interval(interval: Interval) -> str:
    """``(79200, 108000)`` -> ``"22:00-06:00"``: the text ``parse_interval`` reads back."""
    start, end = interval
    end_text = _clock(end - DAY) if end > DAY else _clock(end)
    return f"{_clock(start)}-{end_text}"
