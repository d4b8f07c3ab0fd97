"""Service levels: business calendars, SLA policies and targets, clocks, presets."""

from chamados.sla.calendar import BusinessCalendar
from chamados.sla.clocks import SlaClock
from chamados.sla.holidays import BRAZIL_ZONES, HolidaySource
from chamados.sla.policy import METRICS, SlaPolicy, Target
from chamados.sla.wording import Expectations, promise

__all__ = [
    "BRAZIL_ZONES",
    "METRICS",
    "BusinessCalendar",
    "Expectations",
    "HolidaySource",
    "SlaClock",
    "SlaPolicy",
    "Target",
    "promise",
]
