"""What a workflow declares: its states (``Status``), its events (``Action``), its options."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from attrs import frozen
from statemachine import Event, State

from chamados import limits
from chamados.exceptions import ConfigurationError
from chamados.labels import Label
from chamados.model import Category, Owner

__all__ = ["Action", "Status", "WorkflowOptions"]


@frozen(kw_only=True)
class WorkflowOptions:
    """Settings a workflow reads at run time; a registry can change them per workflow.

    ``reopen_window``: how long after being resolved a ticket may still be reopened
    (``None`` for no limit). ``max_tier``: the highest support level (2 = N2).
    """

    reopen_window: timedelta | None = timedelta(days=7)
    max_tier: int = 2

    def __attrs_post_init__(self) -> None:
        if self.reopen_window is not None and self.reopen_window < timedelta(0):
            raise ConfigurationError("reopen_window must not be negative", key="reopen_window")
        if isinstance(self.max_tier, bool) or not isinstance(self.max_tier, int):
            raise ConfigurationError("max_tier must be an integer", key="max_tier")
        if not 1 <= self.max_tier <= limits.TIER:
            raise ConfigurationError(f"max_tier must be from 1 to {limits.TIER}", key="max_tier")


class Status(State):
    """A workflow state with the meaning chamados needs: category, owner and labels.

    ``category`` is what SLAs and reports reason about (a ``pending`` state may pause a
    clock, whatever the workflow calls it). ``owner`` says who owes the next action while
    a ticket is here; it defaults to the team for active categories and to nobody for
    ``resolved`` and ``closed``. The state's stored value is its attribute name.
    """

    def __init__(
        self,
        *,
        pt: str,
        en: str,
        category: Category | str,
        owner: Owner | str | None = None,
        initial: bool = False,
        final: bool = False,
        enter: Any = None,
        exit: Any = None,
    ) -> None:
        super().__init__(name=en, initial=initial, final=final, enter=enter, exit=exit)
        self.label = Label(pt=pt, en=en)
        self.category = Category(category)
        if owner is None and self.category.is_active:
            owner = Owner.TEAM
        self.owner: Owner | None = None if owner is None else Owner(owner)


class Action(Event):
    """A workflow event with labels in pt-BR and English.

    ``requires`` names data the event cannot happen without (``requires=("reason",)``):
    each must be passed to ``fire()`` as a non-empty string (at most 1,000 characters, no
    NUL, no lone surrogate), or the event is refused with an ``InvalidTicketError`` naming
    it. The history keeps what was required: ``reason`` as the event's reason, the rest
    in ``StatusChanged.details``.

    >>> from chamados.workflows import Status, Action
    >>> a, b = Status(pt="A", en="A", category="new", initial=True), Status(
    ...     pt="B", en="B", category="closed", final=True)
    >>> finish = Action(a.to(b), pt="Concluir", en="Finish")
    >>> finish.label
    Label(pt='Concluir', en='Finish')
    """

    label: Label
    requires: tuple[str, ...]

    def __new__(
        cls,
        transitions: Any = None,
        *,
        pt: str,
        en: str,
        id: str | None = None,
        requires: Sequence[str] = (),
    ) -> Action:
        event: Action = super().__new__(cls, transitions, id=id, name=en)
        event.label = Label(pt=pt, en=en)
        event.requires = tuple(requires)
        return event
