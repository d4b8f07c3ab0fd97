"""Actions on SLA warnings and breaches (``SlaAction``), and the party automation acts as.

A support lead says what happens when a clock warns or breaches: raise the priority,
escalate, reassign, tag. ``SlaAction`` is that configuration, checked when it is made;
the desk runs the matching actions inside the command that recorded the warning or
breach (``chamados.desk.automation.run_sla_actions``), as ``AUTOMATION``.
"""

from __future__ import annotations

from typing import Literal

from attrs import frozen

from chamados import limits
from chamados.events import SlaBreached, SlaEvent, SlaWarning
from chamados.exceptions import ConfigurationError, InvalidTicketError
from chamados.limits import check_optional_text
from chamados.model import Party

__all__ = ["AUTOMATION", "SlaAction"]

AUTOMATION = Party.system("automacao", name="Automação")
"""The party automatic decisions are recorded as."""


@frozen(kw_only=True)
class SlaAction:
    """What to do when an SLA clock warns or breaches.

    ``on`` is ``"warning"`` or ``"breach"``; ``metric``, ``policy`` and ``threshold``
    (``"75%"``, ``"30min left"``) narrow which events match (``None``: any). Effects:
    ``raise_by`` steps of priority (and the priority then sticks, like a manual one),
    ``escalate`` one support level (to ``escalate_to`` team, if given), ``reassign`` to
    another agent by the desk's assignment strategy, ``add_tag``.
    """

    on: Literal["warning", "breach"]
    metric: str | None = None
    policy: str | None = None
    threshold: str | None = None
    raise_by: int = 0
    escalate: bool = False
    escalate_to: str | None = None
    reassign: bool = False
    add_tag: str | None = None
    name: str = ""

    def __attrs_post_init__(self) -> None:
        where = f"SLA action {self.name!r}" if self.name else "an SLA action"
        if self.on not in ("warning", "breach"):
            raise ConfigurationError(f"{where}: on must be 'warning' or 'breach'", key="on")
        if not (self.raise_by or self.escalate or self.reassign or self.add_tag):
            raise ConfigurationError(
                f"{where} does nothing: give raise, escalate, reassign or tag", key="on"
            )
        for key, value, limit in (
            ("escalate_to", self.escalate_to, limits.TEAM),
            ("add_tag", self.add_tag, limits.TAG),
        ):
            try:
                check_optional_text(value, field=key, limit=limit)
            except InvalidTicketError as error:
                raise ConfigurationError(f"{where}: {error}", key=key) from None

    def matches(self, event: SlaEvent) -> bool:
        """True when ``event`` triggers this action."""
        kind = SlaWarning if self.on == "warning" else SlaBreached
        if not isinstance(event, kind):
            return False
        if self.metric is not None and event.metric != self.metric:
            return False
        if self.policy is not None and event.policy != self.policy:
            return False
        return not (
            self.threshold is not None and getattr(event, "threshold", None) != self.threshold
        )
