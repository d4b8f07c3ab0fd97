"""The workflow base class: python-statemachine 3 ``StateChart`` with strict flags.

A workflow is a flat state machine whose state values are the statuses stored on tickets.
Each state is a ``Status`` that says its category (``new``, ``open``, ``pending``...), who
owes the next action, and its labels; each event is an ``Action`` with labels. The class
is checked when it is defined (``guards.py``), so the known traps of python-statemachine 3
fail at import time with a message that says what to rename.

One machine serves one command: ``Workflow(ticket)`` restores a machine in the ticket's
status, ``fire()`` sends one event and updates the ticket, and the machine is dropped.
Machines are never shared between threads.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, ClassVar

import pendulum
from statemachine import StateChart
from statemachine.exceptions import InvalidDefinition, InvalidStateValue, TransitionNotAllowed
from statemachine.factory import StateMachineMetaclass

from chamados import limits
from chamados.events import TicketEvent, describe
from chamados.exceptions import (
    InvalidTicketError,
    TransitionNotAllowedError,
    UnknownStatusError,
    WorkflowDefinitionError,
)
from chamados.labels import Label
from chamados.limits import check_text
from chamados.model import Category, PartyKind, Ticket
from chamados.workflows.declarations import Action, Status, WorkflowOptions
from chamados.workflows.guards import (
    RESERVED_NAMES,
    SEND_RESERVED,
    Step,
    check_definition,
    check_unchanged,
    steps,
    steps_of,
)

__all__ = [
    "RESERVED_NAMES",
    "SEND_RESERVED",
    "Action",
    "Status",
    "Workflow",
    "WorkflowOptions",
]


class WorkflowMeta(StateMachineMetaclass):
    """Builds a workflow class, then checks it against the known python-statemachine traps."""

    def __init__(cls, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> None:
        own_labels, own_requires = _action_labels(attrs)
        before = [(base, steps_of(base)) for base in bases if _is_workflow(base)]
        try:
            super().__init__(name, bases, attrs)  # type: ignore[arg-type]
        except InvalidDefinition as error:
            for base, signature in before:
                check_unchanged(base, signature, child=name)
            raise WorkflowDefinitionError(str(error), workflow=name) from error
        for base, signature in before:
            check_unchanged(base, signature, child=name)
        inherited: dict[str, Label] = {}
        inherited_requires: dict[str, tuple[str, ...]] = {}
        for base in reversed(cls.__mro__[1:]):
            inherited.update(getattr(base, "_action_labels", {}))
            inherited_requires.update(getattr(base, "_requires", {}))
        cls._action_labels: dict[str, Label] = {**inherited, **own_labels}
        cls._requires: dict[str, tuple[str, ...]] = {**inherited_requires, **own_requires}
        if not cls.states:  # an abstract base such as Workflow itself
            cls._chamados_steps: frozenset[Step] = frozenset()
            return
        check_definition(cls, attrs)
        cls._chamados_steps = steps_of(cls)
        cls.statuses: Mapping[str, Status] = {
            state.id: state  # type: ignore[misc]
            for state in cls.states_map.values()
        }
        cls.actions: Mapping[str, Label] = {
            event.id: cls._action_labels[event.id] for event in cls._events
        }
        cls._allowed: Mapping[str, tuple[str, ...]] = {
            status: tuple(dict.fromkeys(str(e) for e in state.transitions.unique_events))
            for status, state in cls.statuses.items()
        }
        targets: dict[tuple[str, str], set[str]] = {}
        for s, t, e in steps(cls.states):
            targets.setdefault((s.id, e), set()).add(t.id if t is not None else s.id)
        cls._targets: Mapping[tuple[str, str], frozenset[str]] = {
            key: frozenset(found) for key, found in targets.items()
        }
        if "workflow_name" not in attrs:
            cls.workflow_name = _default_name(name)


def _is_workflow(cls: type) -> bool:
    return isinstance(cls, WorkflowMeta)


def _default_name(class_name: str) -> str:
    stem = class_name.removesuffix("Workflow") or class_name
    return re.sub(r"(?<!^)(?=[A-Z])", "_", stem).lower()


def _action_labels(
    attrs: Mapping[str, Any],
) -> tuple[dict[str, Label], dict[str, tuple[str, ...]]]:
    labels: dict[str, Label] = {}
    requires: dict[str, tuple[str, ...]] = {}
    for key, value in attrs.items():
        if isinstance(value, Action):
            for name in {key, value.id} if value._has_real_id else {key}:
                labels[name] = value.label
                requires[name] = value.requires
    return labels, requires


class _Cursor:
    """The machine's model: only the status. A small model keeps each machine cheap."""

    __slots__ = ("status",)

    def __init__(self, status: str) -> None:
        self.status = status


class Workflow(StateChart[_Cursor], metaclass=WorkflowMeta):
    """Base class of ticket workflows.

    Subclasses declare ``Status`` states and ``Action`` events in the class body, exactly
    as python-statemachine 3 states and events. The flags are strict: an event the
    current state does not accept raises ``TransitionNotAllowedError``, and errors in
    callbacks propagate instead of becoming ``error.execution`` events.

    Rules every workflow gets, checked before the machine runs (so no callback of the
    workflow sees a refused event):

    - entering a ``resolved`` state needs a resolution ``summary``;
    - leaving a ``resolved`` state for an active one (a reopen) is allowed only within
      ``options.reopen_window`` of the resolution;
    - data an ``Action`` ``requires`` must be given.

    Callbacks (guards, validators, actions) receive ``ticket``, ``now``, ``actor``,
    ``reason`` and the event's data by name, as python-statemachine injects them.

    Class attributes a workflow may set:

    - ``workflow_name``: the name stored on tickets (default: the class name in snake case
      without ``Workflow``);
    - ``label``: the workflow's name for people;
    - ``reply_events``: party kind to the event fired when such a party replies publicly,
      if the current state accepts it (a customer answering a ticket that waits on them);
    - ``commands``: the events behind ``Helpdesk.resolve``, ``reopen`` and ``close``;
    - ``party_events``: the events customers, partners and marketplaces may fire
      themselves (on tickets that involve them); every other event is for the team.
    """

    allow_event_without_transition = False
    catch_errors_as_events = False
    enable_self_transition_entries = False
    atomic_configuration_update = True

    workflow_name: ClassVar[str] = ""
    label: ClassVar[Label] = Label(pt="Fluxo", en="Workflow")
    reply_events: ClassVar[Mapping[PartyKind, str]] = {}
    commands: ClassVar[Mapping[str, str]] = {}
    party_events: ClassVar[Mapping[PartyKind, frozenset[str]]] = {}
    default_options: ClassVar[WorkflowOptions] = WorkflowOptions()

    statuses: ClassVar[Mapping[str, Status]]
    actions: ClassVar[Mapping[str, Label]]
    _allowed: ClassVar[Mapping[str, tuple[str, ...]]]
    _targets: ClassVar[Mapping[tuple[str, str], frozenset[str]]]
    _requires: ClassVar[dict[str, tuple[str, ...]]]
    _action_labels: ClassVar[dict[str, Label]]
    _chamados_steps: ClassVar[frozenset[Step]]

    def __init__(self, ticket: Ticket, *, options: WorkflowOptions | None = None) -> None:
        self.options = options or self.default_options
        self.ticket = ticket
        if ticket.status not in self.statuses:
            raise UnknownStatusError(
                ticket.status,
                workflow=self.workflow_name,
                known=list(self.statuses),
                ticket_id=ticket.id,
            )
        try:
            super().__init__(model=_Cursor(ticket.status), state_field="status")
        except InvalidStateValue as error:  # pragma: no cover - checked above
            raise UnknownStatusError(
                str(error.value), workflow=self.workflow_name, known=list(self.statuses)
            ) from error

    # -- class-level queries ------------------------------------------------------------

    @classmethod
    def initial_status(cls) -> str:
        """The status a new ticket starts in."""
        assert cls.initial_state is not None
        return str(cls.initial_state.id)

    @classmethod
    def status_of(cls, status: str) -> Status:
        """The ``Status`` declared for ``status``; ``UnknownStatusError`` if there is none."""
        try:
            return cls.statuses[status]
        except KeyError:
            raise UnknownStatusError(
                status, workflow=cls.workflow_name, known=list(cls.statuses)
            ) from None

    @classmethod
    def allowed_in(cls, status: str) -> tuple[str, ...]:
        """The events ``status`` accepts (before any guard runs)."""
        cls.status_of(status)
        return cls._allowed[status]

    @classmethod
    def describe(cls, event: TicketEvent, *, lang: str = "pt-BR") -> str:
        """One line saying what ``event`` did, with this workflow's labels, in ``lang``."""

        def status(name: str) -> str:
            found = cls.statuses.get(name)
            return found.label.get(lang) if found is not None else name

        def action(name: str) -> str:
            found = cls.actions.get(name)
            return found.get(lang) if found is not None else name

        return describe(event, lang=lang, status=status, action=action)

    @classmethod
    def required(cls, event: str) -> tuple[str, ...]:
        """The data ``event`` requires (its ``Action``'s ``requires``); the history keeps
        it with the status change."""
        return cls._requires.get(event, ())

    @classmethod
    def transitions(cls) -> list[tuple[str, str, str]]:
        """Every transition as ``(event, source, target)``, in declaration order."""
        return [(e, s.id, t.id if t else s.id) for s, t, e in steps(cls.states_map.values())]

    # -- one command ---------------------------------------------------------------------

    def fire(
        self,
        event: str,
        /,
        *,
        ticket_id: str | None = None,
        now: pendulum.DateTime,
        **data: Any,
    ) -> str:
        """Send ``event`` to the machine, update the ticket's status and return it.

        ``now`` and ``data`` reach guards, validators and actions by name (python-statemachine
        dependency injection), together with ``ticket``. Names that python-statemachine
        overwrites (``state``, ``event``, ``source``...) are refused. A refused event
        raises and leaves the ticket's status as it was.
        """
        ticket = self.ticket
        status = self.model.status
        reserved = sorted(SEND_RESERVED & data.keys())
        if reserved:
            raise InvalidTicketError(
                f"the argument name(s) {', '.join(reserved)} are reserved by "
                f"python-statemachine and would be replaced silently; pass them under "
                f"another name.",
                field=reserved[0],
                ticket_id=ticket_id,
            )
        allowed = self._allowed[status]
        if event not in allowed:
            detail = None if event in self.actions else self._unknown_event(event)
            raise TransitionNotAllowedError(
                ticket_id=ticket_id,
                event=event,
                state=status,
                allowed=allowed,
                workflow=self.workflow_name,
                detail=detail,
            )
        for name in self._requires.get(event, ()):
            _check_required(event, name, data.get(name), ticket_id)
        targets = self._targets[(status, event)]
        if len(targets) == 1:
            (target,) = targets
            self._check_rules(status, target, event, ticket_id, now, data)
        try:
            self.send(event, ticket=ticket, now=now, **data)
        except TransitionNotAllowed:
            raise TransitionNotAllowedError(
                ticket_id=ticket_id,
                event=event,
                state=status,
                allowed=allowed,
                workflow=self.workflow_name,
                detail=f"the conditions of {event!r} are not met in {status!r}",
            ) from None
        new_status: str = self.model.status
        if len(targets) > 1:  # guards chose the target: check the shared rules now
            try:
                self._check_rules(status, new_status, event, ticket_id, now, data)
            except Exception:
                self.model.status = status
                raise
        ticket.status = new_status
        return new_status

    def _unknown_event(self, event: str) -> str:
        return f"the workflow has no event {event!r}; its events are: {', '.join(self.actions)}"

    def _check_rules(
        self,
        source_id: str,
        target_id: str,
        event: str,
        ticket_id: str | None,
        now: pendulum.DateTime,
        data: Mapping[str, Any],
    ) -> None:
        """The rules every workflow shares: a summary to resolve, the reopen window."""
        source, target = self.statuses[source_id], self.statuses[target_id]
        if target.category is Category.RESOLVED and source.category is not Category.RESOLVED:
            summary = data.get("summary")
            if not isinstance(summary, str) or not summary.strip():
                raise InvalidTicketError(
                    f"{event!r} needs a resolution summary: pass summary='what was done' so "
                    f"the customer and the history say how the ticket was solved.",
                    field="summary",
                    ticket_id=ticket_id,
                )
        if source.category is Category.RESOLVED and target.category.is_active:
            window = self.options.reopen_window
            resolved_at = self.ticket.resolved_at
            if window is not None and resolved_at is not None and now > resolved_at + window:
                raise TransitionNotAllowedError(
                    ticket_id=ticket_id,
                    event=event,
                    state=source_id,
                    allowed=self._allowed[source_id],
                    workflow=self.workflow_name,
                    detail=(
                        f"the reopen window of {_human(window)} ended at "
                        f"{(resolved_at + window).isoformat()}; open a new ticket instead"
                    ),
                )


def _check_required(event: str, name: str, value: Any, ticket_id: str | None) -> None:
    """Refuse a value ``event`` requires unless it is non-empty text the history can keep
    on every storage (the limits of a custom field's text, ``chamados.limits``)."""
    try:
        check_text(value, field=name, limit=limits.FIELD_VALUE)
    except InvalidTicketError as error:
        raise InvalidTicketError(
            f"{event!r} needs {name}= as text the history keeps ({error}), so the history "
            f"says why",
            field=name,
            ticket_id=ticket_id,
        ) from None


def _human(delta: timedelta) -> str:
    days, seconds = delta.days, delta.seconds
    if days and not seconds:
        return f"{days} day{'s' if days != 1 else ''}"
    hours = days * 24 + seconds // 3600
    return f"{hours}h{(seconds % 3600) // 60:02d}"
