"""Service levels: business calendars, SLA policies and targets, clocks, presets."""

from chamados.sla.calendar import BusinessCalendar
from chamados.sla.clocks import SlaClock
from chamados.sla.holidays import BRAZIL_ZONES, HolidaySource
from chamados.sla.policy import METRICS, SlaPolicy, Target
from chamados.sla.presets import PRESETS, Preset, amazon, americanas
from chamados.sla.wording import Expectations, promise

__all__ = [
    "BRAZIL_ZONES",
    "METRICS",
    "PRESETS",
    "BusinessCalendar",
    "Expectations",
    "HolidaySource",
    "Preset",
    "SlaClock",
    "SlaPolicy",
    "Target",
    "amazon",
    "americanas",
    "promise",
]
