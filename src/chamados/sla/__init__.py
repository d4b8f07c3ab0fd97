"""Service levels: business calendars (and, next, SLA policies and clocks)."""

from chamados.sla.calendar import BusinessCalendar
from chamados.sla.holidays import BRAZIL_ZONES, HolidaySource

__all__ = ["BRAZIL_ZONES", "BusinessCalendar", "HolidaySource"]
