"""Deadlines in the customer's words: "até sexta-feira às 18h", "by Friday at 6 pm".

Customers do not read ISO timestamps. ``promise`` says a deadline relative to now, in
the deadline's own time zone; ``Expectations`` gathers what a ticket promises next.
"""

from __future__ import annotations

import pendulum
from attrs import frozen

from chamados.labels import Label, language
from chamados.model import Ticket

__all__ = ["CLOCK_STATUS_LABELS", "METRIC_LABELS", "Expectations", "promise"]

METRIC_LABELS: dict[str, Label] = {
    "first_response": Label(pt="Primeira resposta", en="First response"),
    "next_response": Label(pt="Próxima resposta", en="Next response"),
    "periodic_update": Label(pt="Atualização periódica", en="Periodic update"),
    "resolution": Label(pt="Resolução", en="Resolution"),
    "partner_response": Label(pt="Resposta do parceiro", en="Partner response"),
}
"""What to call each metric."""

CLOCK_STATUS_LABELS: dict[str, Label] = {
    "running": Label(pt="Correndo", en="Running"),
    "paused": Label(pt="Pausado", en="Paused"),
    "met": Label(pt="Cumprido", en="Met"),
    "breached": Label(pt="Violado", en="Breached"),
}
"""What to call each clock status."""

_WEEKDAYS_PT = (
    "segunda-feira",
    "terça-feira",
    "quarta-feira",
    "quinta-feira",
    "sexta-feira",
    "sábado",
    "domingo",
)
_WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_ANSWERS = frozenset({"first_response", "next_response"})


def _hour_pt(when: pendulum.DateTime) -> str:
    return f"{when.hour}h" + (f"{when.minute:02d}" if when.minute else "")


def _hour_en(when: pendulum.DateTime) -> str:
    hour = when.hour % 12 or 12
    suffix = "am" if when.hour < 12 else "pm"
    if when.hour == 12 and when.minute == 0:
        return "noon"
    return f"{hour}:{when.minute:02d} {suffix}" if when.minute else f"{hour} {suffix}"


def promise(when: pendulum.DateTime, *, now: pendulum.DateTime, lang: str = "pt-BR") -> str:
    """``when`` said the way a customer reads it, seen from ``now``.

    >>> import pendulum
    >>> now = pendulum.datetime(2026, 3, 2, 10, tz="America/Sao_Paulo")    # a Monday
    >>> promise(now.set(hour=18), now=now)
    'hoje até as 18h'
    >>> promise(now.add(days=1).set(hour=9, minute=30), now=now, lang="en")
    'tomorrow by 9:30 am'
    >>> promise(now.add(days=4).set(hour=18), now=now)
    'até sexta-feira às 18h'
    >>> promise(now.add(days=15).set(hour=12), now=now, lang="en")
    'by Tue, Mar 17 at noon'
    """
    pt = language(lang) == "pt-BR"
    local_now = now.in_timezone(when.timezone or "UTC")
    days = (when.date() - local_now.date()).days
    if pt:
        hour = _hour_pt(when)
        if days <= 0:
            return f"hoje até as {hour}"
        if days == 1:
            return f"amanhã até as {hour}"
        if days < 7:
            return f"até {_WEEKDAYS_PT[when.weekday()]} às {hour}"
        return f"até {when.format('DD/MM')} às {hour}"
    hour = _hour_en(when)
    if days <= 0:
        return f"today by {hour}"
    if days == 1:
        return f"tomorrow by {hour}"
    if days < 7:
        return f"by {_WEEKDAYS_EN[when.weekday()]} at {hour}"
    return (
        f"by {_WEEKDAYS_EN[when.weekday()][:3]}, {_MONTHS_EN[when.month - 1]} {when.day} at {hour}"
    )


@frozen
class Expectations:
    """When the customer can expect the next answer and the resolution.

    Each is the earliest due time among the running clocks of that kind (all policies),
    or ``None`` when none runs: answered already, or waiting on the customer.
    """

    next_answer: pendulum.DateTime | None
    resolution: pendulum.DateTime | None
    next_answer_text: str | None
    resolution_text: str | None

    @classmethod
    def of(cls, ticket: Ticket, *, now: pendulum.DateTime, lang: str = "pt-BR") -> Expectations:
        """The expectations of ``ticket`` (its clocks as of ``now``)."""
        answer = resolution = None
        for clock in ticket.sla_clocks:
            if clock.status != "running" or clock.due_at is None:
                continue
            if clock.metric in _ANSWERS and (answer is None or clock.due_at < answer):
                answer = clock.due_at
            if clock.metric == "resolution" and (resolution is None or clock.due_at < resolution):
                resolution = clock.due_at
        return cls(
            next_answer=answer,
            resolution=resolution,
            next_answer_text=promise(answer, now=now, lang=lang) if answer else None,
            resolution_text=promise(resolution, now=now, lang=lang) if resolution else None,
        )
