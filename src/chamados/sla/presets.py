"""SLA presets for the deadlines marketplaces publish for their sellers.

Each preset builds an ``SlaPolicy`` for the tickets of one marketplace channel, and
carries where its numbers come from and when they were read (``PRESETS``). Marketplaces
change their rules and contracts differ between sellers: **check your own contract** and
adjust the targets; a preset is a starting point, not legal advice.

>>> from chamados.sla import BusinessCalendar
>>> from chamados.sla.presets import amazon
>>> calendar = BusinessCalendar.brazil(subdivision="SP", hours={"mon-fri": "09:00-18:00"})
>>> amazon(calendar=calendar).targets["first_response"].describe()
'24h calendar'
"""

from __future__ import annotations

from datetime import date, timedelta

from attrs import frozen

from chamados.sla.calendar import BusinessCalendar
from chamados.sla.policy import SlaPolicy, Target

__all__ = ["PRESETS", "Preset", "amazon", "americanas"]


@frozen
class Preset:
    """Where a preset's numbers come from."""

    name: str
    rule: str
    source: str
    read_on: date
    note: str = ""


PRESETS: dict[str, Preset] = {
    "amazon": Preset(
        name="amazon",
        rule="Respond to buyer messages within 24 hours, including weekends and holidays; "
        "auto-responders are not a valid response.",
        source="https://sellercentral.amazon.com/gp/help/external/202152030 "
        "(Amazon Seller Central help: buyer-seller messaging response time)",
        read_on=date(2026, 11, 22),
        note="Read from a stored copy of the page. Amazon has asked for 12 hours in some "
        "holiday seasons; Amazon.com.br contracts may differ.",
    ),
    "americanas": Preset(
        name="americanas",
        rule="First answer within 12 business hours or 24 calendar hours, whichever comes first.",
        source="chamados issue 4 (the project's SLA specification), which states this "
        "deadline as an example; no published Americanas document was available to check it",
        read_on=date(2026, 11, 22),
        note="Unverified: confirm it against your Americanas Marketplace contract.",
    ),
}
"""Each preset's rule, its source and the date it was read."""


def amazon(
    *, calendar: BusinessCalendar, channel: str = "amazon", name: str = "amazon"
) -> SlaPolicy:
    """Amazon buyer messages: 24 calendar hours for every answer, weekends and holidays
    included (``calendar`` gives the zone). Automated replies never count."""
    day = Target(calendar=timedelta(hours=24))
    return SlaPolicy(
        name=name,
        when={"channel": channel},
        calendar=calendar,
        targets={"first_response": day, "next_response": day},
        pause_on=set(),
        warn_at=(0.5, timedelta(hours=2)),
    )


def americanas(
    *, calendar: BusinessCalendar, channel: str = "americanas", name: str = "americanas"
) -> SlaPolicy:
    """Americanas: 12 business hours or 24 calendar hours, whichever comes first, for
    the first answer and each answer after."""
    target = Target.earliest(business=timedelta(hours=12), calendar=timedelta(hours=24))
    return SlaPolicy(
        name=name,
        when={"channel": channel},
        calendar=calendar,
        targets={"first_response": target, "next_response": target},
        pause_on=set(),
        warn_at=(0.75, timedelta(hours=1)),
    )
