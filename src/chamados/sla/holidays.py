"""Holiday sources: fixed dates, the ``holidays`` package, and Brazil's pontos facultativos.

A source answers, for one year, which local dates are closed all day and which dates are
closed for part of the day. Calendars ask lazily, one year at a time, and keep the
answer; a calendar saved with ``to_dict()`` keeps the answers too, so upgrading the
``holidays`` package never moves a deadline that was already computed.
"""

from __future__ import annotations

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
        calendar = holidays_package.country_holidays(
            "BR", subdiv=subdivision, categories=categories
        )
        return cls(calendar, partial_optional=optional)

    @classmethod
    def from_spec(cls, spec: Mapping[str, Any]) -> HolidaySource:
        """The source ``spec()`` describes."""
        try:
            calendar = holidays_package.country_holidays(
                spec["country"], subdiv=spec.get("subdivision"), categories=spec["categories"]
            )
        except (KeyError, NotImplementedError) as error:
            raise ConfigurationError(
                f"cannot rebuild the holiday source {dict(spec)!r}: {error}", key="holidays"
            ) from None
        return cls(calendar, partial_optional=bool(spec.get("partial_optional", False)))

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
        if not isinstance(day, date) or hasattr(day, "hour"):
            raise ConfigurationError(
                f"holidays must be dates (datetime.date), got {day!r}", key="holidays"
            )
        years.setdefault(day.year, set()).add(day)
    return {year: frozenset(days) for year, days in years.items()}
