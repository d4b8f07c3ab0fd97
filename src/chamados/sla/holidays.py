"""Holiday sources: fixed dates, the ``holidays`` package, and Brazil's pontos facultativos.

A source answers, for one year, which local dates are closed all day and which dates are
closed for part of the day. Calendars ask lazily, one year at a time, and keep the
answer; a calendar saved with ``to_dict()`` keeps the answers too, so upgrading the
``holidays`` package never moves a deadline that was already computed.

The sources chamados builds from a description (``HolidaySource.brazil``, ``from_spec``)
share their answers across calendars, per country, subdivision, categories and year: the
``holidays`` package takes tens of microseconds to work out a year, and a desk with many
calendars of one state asks for the same years over and over. A source wrapping a
``holidays`` calendar the caller built (and may have changed) keeps its answers to itself.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

import holidays as holidays_package
from attrs import frozen

from chamados.exceptions import ConfigurationError
from chamados.sla.hours import DAY, Interval

__all__ = ["BRAZIL_ZONES", "HolidaySource", "YearHolidays"]

BRAZIL_ZONES: Mapping[str, str] = {
    "AC": "America/Rio_Branco",
    "AL": "America/Maceio",
    "AM": "America/Manaus",
    "AP": "America/Belem",
    "BA": "America/Bahia",
    "CE": "America/Fortaleza",
    "DF": "America/Sao_Paulo",
    "ES": "America/Sao_Paulo",
    "GO": "America/Sao_Paulo",
    "MA": "America/Fortaleza",
    "MG": "America/Sao_Paulo",
    "MS": "America/Campo_Grande",
    "MT": "America/Cuiaba",
    "PA": "America/Belem",
    "PB": "America/Fortaleza",
    "PE": "America/Recife",
    "PI": "America/Fortaleza",
    "PR": "America/Sao_Paulo",
    "RJ": "America/Sao_Paulo",
    "RN": "America/Fortaleza",
    "RO": "America/Porto_Velho",
    "RR": "America/Boa_Vista",
    "RS": "America/Sao_Paulo",
    "SC": "America/Sao_Paulo",
    "SE": "America/Maceio",
    "SP": "America/Sao_Paulo",
    "TO": "America/Araguaina",
}
"""The time zone of each Brazilian state (UF): the zone of its capital."""

_UNTIL_14 = ((0, 14 * 3600),)
_FROM_14 = ((14 * 3600, DAY),)

_SHARED_MAX = 4096
"""How many (source, year) answers the shared sources keep before starting afresh."""
_shared: dict[tuple[Any, ...], YearHolidays] = {}
_shared_lock = threading.Lock()  # a holidays calendar fills itself in as it is read


@frozen
class YearHolidays:
    """What a source closes in one year: whole dates, and parts of dates."""

    dates: frozenset[date]
    partial: Mapping[date, tuple[Interval, ...]]


class HolidaySource:
    """Holidays from the ``holidays`` package, one year at a time.

    ``partial_optional`` turns Brazil's half-day pontos facultativos into closures: Ash
    Wednesday is closed until 14:00, Christmas Eve and New Year's Eve from 14:00, as the
    federal government's yearly ordinance sets them. Other optional days close all day.
    """

    def __init__(self, calendar: Any, *, partial_optional: bool = False) -> None:
        if not isinstance(calendar, holidays_package.HolidayBase):
            raise ConfigurationError(
                f"{calendar!r} is not a holidays package calendar", key="holidays"
            )
        self.calendar = calendar
        self.partial_optional = partial_optional
        self._public_calendar: holidays_package.HolidayBase | None = None
        self._key: tuple[Any, ...] | None = None  # set when answers are shared

    @classmethod
    def _described(
        cls, country: str, subdivision: str | None, categories: Iterable[str], *, partial: bool
    ) -> HolidaySource:
        """A source built from its description, sharing its answers with the sources of
        the same description."""
        categories = tuple(sorted(categories))
        calendar = holidays_package.country_holidays(
            country, subdiv=subdivision, categories=categories
        )
        source = cls(calendar, partial_optional=partial)
        source._key = (country, subdivision, categories, partial)
        return source

    @classmethod
    def brazil(cls, subdivision: str | None, *, optional: bool) -> HolidaySource:
        """Brazil's national holidays, the state's, and the pontos facultativos if asked."""
        known_subdivisions = holidays_package.list_supported_countries()["BR"]
        if subdivision is not None and subdivision not in known_subdivisions:
            known = ", ".join(s for s in known_subdivisions if len(s) == 2)
            raise ConfigurationError(
                f"unknown Brazilian subdivision {subdivision!r}; use a UF: {known}",
                key="subdivision",
            )
        categories = ("public", "optional") if optional else ("public",)
        return cls._described("BR", subdivision, categories, partial=optional)

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> HolidaySource:
        """The source ``spec()`` describes."""
        try:
            return cls._described(
                spec["country"],
                spec.get("subdivision"),
                spec["categories"],
                partial=bool(spec.get("partial_optional", False)),
            )
        except (KeyError, NotImplementedError) as error:
            raise ConfigurationError(
                f"cannot rebuild the holiday source {dict(spec)!r}: {error}", key="holidays"
            ) from None

    def spec(self) -> dict[str, Any]:
        """A JSON-ready description from which ``from_spec`` rebuilds this source."""
        return {
            "country": self.calendar.country,
            "subdivision": self.calendar.subdiv,
            "categories": sorted(self.calendar.categories),
            "partial_optional": self.partial_optional,
        }

    def year(self, year: int) -> YearHolidays:
        """The dates closed in ``year``."""
        if self._key is None:
            return self._year(year)
        key = (*self._key, year)
        found = _shared.get(key)
        if found is None:
            with _shared_lock:
                found = _shared.get(key)
                if found is None:
                    found = self._year(year)
                    if len(_shared) >= _SHARED_MAX:
                        _shared.clear()
                    _shared[key] = found
        return found

    def _year(self, year: int) -> YearHolidays:
        calendar = self.calendar
        if calendar.expand or year in calendar.years:
            _ = date(year, 1, 1) in calendar  # loads the year into the calendar
        found = {day for day in calendar if day.year == year}
        partial: dict[date, tuple[Interval, ...]] = {}
        if self.partial_optional and found:
            public = self._public()
            for day in {day for day in found if day not in public}:
                if day == easter(year) - timedelta(days=46):
                    partial[day] = _UNTIL_14
                elif (day.month, day.day) in ((12, 24), (12, 31)):
                    partial[day] = _FROM_14
        return YearHolidays(frozenset(found - partial.keys()), partial)

    def _public(self) -> holidays_package.HolidayBase:
        """The public holidays alone (kept: it loads each year once, when asked)."""
        if self._public_calendar is None:
            self._public_calendar = holidays_package.country_holidays(
                self.calendar.country, subdiv=self.calendar.subdiv
            )
        return self._public_calendar

    def __repr__(self) -> str:
        return f"HolidaySource({self.spec()!r})"


def easter(year: int) -> date:
    """Easter Sunday of ``year`` in the Gregorian calendar (the anonymous algorithm).

    >>> easter(2026)
    datetime.date(2026, 4, 5)
    """
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return date(year, month, day + 1)


def group_by_year(dates: Iterable[date]) -> dict[int, frozenset[date]]:
    """Dates grouped by their year."""
    years: dict[int, set[date]] = {}
    for day in dates:
        if type(day) is not date and (not isinstance(day, date) or hasattr(day, "hour")):
            raise ConfigurationError(
                f"holidays must be dates (datetime.date), got {day!r}", key="holidays"
            )
        found = years.get(day.year)
        if found is None:
            found = years[day.year] = set()
        found.add(day)
    return {year: frozenset(days) for year, days in years.items()}
