"""A brute-force business calendar, written plainly, to check BusinessCalendar against.

It expands each local date on its own into open intervals of POSIX timestamps (using
``datetime.timestamp()`` with ``fold=0``, not the engine's arithmetic), removes holidays
and closures, and answers by walking the intervals one by one. It is slow and simple on
purpose.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def seconds(text: str) -> int:
    parts = [int(p) for p in text.split(":")]
    while len(parts) < 3:
        parts.append(0)
    return parts[0] * 3600 + parts[1] * 60 + parts[2]


def spans(texts: list[str]) -> list[tuple[int, int]]:
    found = []
    for text in texts:
        start, end = (seconds(t) for t in text.split("-"))
        if end < start:
            end += 86_400
        found.append((start, end))
    return found


class Reference:
    """Open intervals between two dates, in microseconds since the epoch."""

    def __init__(
        self,
        *,
        timezone: str,
        week: dict[str, list[str]],
        holidays: set[date],
        overrides: dict[date, list[str]],
        closures: dict[date, list[str]],
        first: date,
        last: date,
    ) -> None:
        self.zone = ZoneInfo(timezone)
        pieces: list[tuple[int, int]] = []
        day = first - timedelta(days=1)
        while day <= last + timedelta(days=1):
            hours = overrides.get(day)
            if hours is None:
                hours = week.get(WEEKDAYS[day.weekday()], [])
            for start, end in spans(hours):
                opened, closes = self.at(day, start), self.at(day, end)
                if closes > opened:
                    pieces.append((opened, closes))
            day += timedelta(days=1)
        self.holidays = holidays
        self.closures = closures
        closed = self.closed()
        self.intervals = sorted(
            piece for start, end in pieces for piece in self.remove(start, end, closed)
        )

    def at(self, day: date, secs: int) -> int:
        day = day + timedelta(days=secs // 86_400)
        secs %= 86_400
        wall = datetime(
            day.year,
            day.month,
            day.day,
            secs // 3600,
            secs % 3600 // 60,
            secs % 60,
            tzinfo=self.zone,
            fold=0,
        )
        return int(wall.timestamp()) * 1_000_000

    def closed(self) -> list[tuple[int, int]]:
        found = []
        for day in self.holidays:
            found.append((self.at(day, 0), self.at(day, 86_400)))
        for day, texts in self.closures.items():
            for start, end in spans(texts):
                found.append((self.at(day, start), self.at(day, end)))
        return found

    def remove(self, start: int, end: int, closed: list[tuple[int, int]]) -> list[tuple[int, int]]:
        pieces = [(start, end)]
        for cut_start, cut_end in closed:
            kept = []
            for a, b in pieces:
                if cut_end <= a or cut_start >= b:
                    kept.append((a, b))
                    continue
                if a < cut_start:
                    kept.append((a, cut_start))
                if cut_end < b:
                    kept.append((cut_end, b))
            pieces = kept
        return pieces

    def between(self, a: int, b: int) -> int:
        sign = 1
        if b < a:
            a, b, sign = b, a, -1
        return sign * sum(max(0, min(e, b) - max(s, a)) for s, e in self.intervals)

    def add(self, a: int, d: int) -> int | None:
        if d == 0:
            return a
        for s, e in self.intervals:
            if e <= a:
                continue
            s = max(s, a)
            if d <= e - s:
                return s + d
            d -= e - s
        return None  # beyond the expanded range

    def is_open(self, t: int) -> bool:
        return any(s <= t < e for s, e in self.intervals)

    def next_open(self, t: int) -> int | None:
        for s, e in self.intervals:
            if t < e:
                return max(s, t)
        return None
