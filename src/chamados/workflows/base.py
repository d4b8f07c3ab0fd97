"""The workflow base class: python-statemachine 3 ``StateChart`` with strict flags and guards.

A workflow is a flat state machine whose state values are the statuses stored on tickets.
Each state is a ``Status`` that says its category (``new``, ``open``, ``pending``...), who
owes the next action, and its labels; each event is an ``Action`` with labels. The class
is checked when it is defined, so the known traps of python-statemachine 3 fail at import
time with a message that says what to rename, instead of misbehaving at run time.

One machine serves one command: ``Workflow(ticket)`` restores a machine on the ticket (the
ticket is the model, ``status`` its state field), ``fire()`` sends one event, and the
machine is dropped. Machines are cheap to build and are never shared between threads.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from typing import Any, ClassVar

import pendulum
from attrs import frozen
from statemachine import Event, State, StateChart
from statemachine.exceptions import InvalidDefinition, InvalidStateValue, TransitionNotAllowed
from statemachine.factory import StateMachineMetaclass

from chamados.events import TicketEvent, describe
from chamados.exceptions import (
    InvalidTicketError,
    TransitionNotAllowedError,
    UnknownStatusError,
    WorkflowDefinitionError,
)
from chamados.labels import Label
from chamados.model import Category, Owner, PartyKind, Ticket

__all__ = [
    "RESERVED_NAMES",
    "Action",
    "Status",
    "Workflow",
    "WorkflowOptions",
]

SEND_RESERVED = frozenset(
    {"source", "target", "event", "model", "state", "machine", "transition", "event_data"}
)
"""Keyword arguments python-statemachine's ``send()`` overwrites with its own values."""

RESERVED_NAMES = frozenset(
    SEND_RESERVED
    | {name for name in dir(StateChart) if not name.startswith("__")}
    | {
        "fire",
        "options",
        "ticket",
        "now",
        "actor",
        "reason",
        "data",
        "workflow_name",
        "label",
        "statuses",
        "actions",
        "reply_events",
        "party_events",
        "commands",
        "status_of",
        "action_of",
        "category_of",
        "describe",
    }
)
"""Names a state or an event may not take: python-statemachine or chamados already use them."""

_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


@frozen(kw_only=True)
class WorkflowOptions:
    """Settings a workflow reads at run time; a registry can change them per workflow.

    ``reopen_window``: how long after being resolved a ticket may still be reopened
    (``None`` for no limit). ``max_tier``: the highest support level (2 = N2).
    """

    reopen_window: timedelta | None = timedelta(days=7)
    max_tier: int = 2

    def __attrs_post_init__(self) -> None:
        from chamados.exceptions import ConfigurationError

        if self.reopen_window is not None and self.reopen_window < timedelta(0):
            raise ConfigurationError("reopen_window must not be negative", key="reopen_window")
        if self.max_tier < 1:
            raise ConfigurationError("max_tier must be at least 1", key="max_tier")


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
    each must be passed to ``fire()`` as a non-empty string, or the event is refused with
    an ``InvalidTicketError`` naming it.

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


@frozen
class _Step:
    """One transition as data: the event, where it starts and where it ends."""

    event: str
    source: str
    target: str


class WorkflowMeta(StateMachineMetaclass):
    """Builds a workflow class, then checks it against the known python-statemachine traps."""

    def __init__(cls, name: str, bases: tuple[type, ...], attrs: dict[str, Any]) -> None:
        own_labels, own_requires = _action_labels(attrs)
        before = [(base, _signature(base)) for base in bases if _is_workflow(base)]
        try:
            super().__init__(name, bases, attrs)  # type: ignore[arg-type]
        except InvalidDefinition as error:
            for base, signature in before:
                _check_unchanged(base, signature, child=name)
            raise WorkflowDefinitionError(str(error), workflow=name) from error
        for base, signature in before:
            _check_unchanged(base, signature, child=name)
        inherited: dict[str, Label] = {}
        inherited_requires: dict[str, tuple[str, ...]] = {}
        for base in reversed(cls.__mro__[1:]):
            inherited.update(getattr(base, "_action_labels", {}))
            inherited_requires.update(getattr(base, "_requires", {}))
        cls._action_labels: dict[str, Label] = {**inherited, **own_labels}
        cls._requires: dict[str, tuple[str, ...]] = {**inherited_requires, **own_requires}
        if not cls.states:  # an abstract base such as Workflow itself
            cls._chamados_steps: frozenset[_Step] = frozenset()
            return
        _check_definition(cls, attrs)
        cls._chamados_steps = _signature(cls)
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
        for s, t, e in _steps(cls.states):
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


def _steps(states: Iterable[State]) -> Iterable[tuple[State, State | None, str]]:
    for state in states:
        for transition in state.transitions:
            for event in transition.events:
                yield state, transition.target, str(event)


def _signature(cls: Any) -> frozenset[_Step]:
    """The transitions a class has now, as plain data, to notice later changes."""
    return frozenset(
        _Step(str(e), s.id or "?", (t.id or "?") if t is not None else "")
        for s, t, e in _steps(getattr(cls, "states_map", {}).values())
    )


def _check_unchanged(base: Any, signature: frozenset[_Step], *, child: str) -> None:
    recorded: frozenset[_Step] = getattr(base, "_chamados_steps", signature)
    added = (signature | _signature(base)) - recorded
    if added:
        shown = ", ".join(sorted(f"{s.event}: {s.source} -> {s.target}" for s in added))
        raise WorkflowDefinitionError(
            f"defining {child!r} added transitions to its parent {base.__name__!r} ({shown}): "
            f"python-statemachine shares states between a class and its subclasses, so new "
            f"transitions on inherited states change the parent too. Declare a new workflow "
            f"class with its own Status objects instead of subclassing {base.__name__!r}.",
            workflow=base.__name__,
            names=sorted(s.event for s in added),
        )


def _check_definition(cls: Any, attrs: Mapping[str, Any]) -> None:
    name = cls.__name__
    states = list(cls.states_map.values())
    known = {id(state) for state in states}

    lost = sorted(
        {f"{str(e)!r}" for s, t, e in _steps(states) if t is not None and id(t) not in known}
    )
    if lost:
        raise WorkflowDefinitionError(
            f"event(s) {', '.join(lost)} lead to a state the class no longer holds: its "
            f"attribute was overwritten, usually by an event with the same name as the state "
            f"(python-statemachine drops such a state). Rename the event (e.g. 'close' for "
            f"the state 'closed').",
            workflow=name,
            names=[x.strip("'") for x in lost],
        )

    state_ids = {state.id for state in states}
    event_ids = {str(event) for event in cls._events}
    clash = sorted(state_ids & event_ids)
    if clash:
        raise WorkflowDefinitionError(
            f"{', '.join(clash)} name both a state and an event; python-statemachine then "
            f"hides the state. Rename the event (a verb, e.g. 'close' for the state 'closed').",
            workflow=name,
            names=clash,
        )

    for kind, ids in (("state", sorted(state_ids)), ("event", sorted(event_ids))):
        reserved = [i for i in ids if i in RESERVED_NAMES]
        if reserved:
            raise WorkflowDefinitionError(
                f"the {kind} name(s) {', '.join(reserved)} are reserved by python-statemachine "
                f"or chamados (for example 'state' and 'event' are overwritten by send(), and "
                f"'model' or 'send' replace the machine's own attributes). Rename them.",
                workflow=name,
                names=reserved,
            )
        bad = [i for i in ids if not _IDENTIFIER.match(i)]
        if bad:
            raise WorkflowDefinitionError(
                f"{kind} name(s) {', '.join(bad)} must be lower_snake_case identifiers, "
                f"because they are stored and used in URLs and configuration.",
                workflow=name,
                names=bad,
            )

    plain = sorted(state.id for state in states if not isinstance(state, Status))
    if plain:
        raise WorkflowDefinitionError(
            f"state(s) {', '.join(plain)} must be declared with chamados.workflows.Status(pt=..., "
            f"en=..., category=...) so SLAs and reports know what they mean.",
            workflow=name,
            names=plain,
        )

    unlabeled = sorted(event_ids - set(cls._action_labels))
    if unlabeled:
        raise WorkflowDefinitionError(
            f"event(s) {', '.join(unlabeled)} have no labels; declare each as "
            f"name = Action(transitions, pt='...', en='...').",
            workflow=name,
            names=unlabeled,
        )

    wrong_final = sorted(
        state.id for state in states if state.final and state.category is not Category.CLOSED
    )
    if wrong_final:
        raise WorkflowDefinitionError(
            f"final state(s) {', '.join(wrong_final)} must have category 'closed': nothing "
            f"can happen to a ticket in a final state.",
            workflow=name,
            names=wrong_final,
        )

    referenced = [(f"reply_events[{k.value}]", v) for k, v in cls.reply_events.items()]
    referenced += [(f"commands[{k!r}]", v) for k, v in cls.commands.items()]
    referenced += [
        (f"party_events[{k.value}]", v) for k, vs in cls.party_events.items() for v in sorted(vs)
    ]
    unknown_commands = sorted(set(cls.commands) - {"resolve", "reopen", "close"})
    if unknown_commands:
        raise WorkflowDefinitionError(
            f"commands may map only 'resolve', 'reopen' and 'close', not "
            f"{', '.join(unknown_commands)}",
            workflow=name,
            names=unknown_commands,
        )
    missing = [f"{where} = {event!r}" for where, event in referenced if event not in event_ids]
    if missing:
        raise WorkflowDefinitionError(
            f"{'; '.join(missing)} name events the workflow does not declare; declare them or "
            f"fix the names.",
            workflow=name,
            names=[event for _, event in referenced if event not in event_ids],
        )


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
    _chamados_steps: ClassVar[frozenset[_Step]]

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
    def transitions(cls) -> list[tuple[str, str, str]]:
        """Every transition as ``(event, source, target)``, in declaration order."""
        return [(e, s.id, t.id if t else s.id) for s, t, e in _steps(cls.states_map.values())]

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
            value = data.get(name)
            if not isinstance(value, str) or not value.strip():
                raise InvalidTicketError(
                    f"{event!r} needs {name}= (a non-empty text), so the history says why",
                    field=name,
                    ticket_id=ticket_id,
                )
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


def _human(delta: timedelta) -> str:
    days, seconds = delta.days, delta.seconds
    if days and not seconds:
        return f"{days} day{'s' if days != 1 else ''}"
    hours = days * 24 + seconds // 3600
    return f"{hours}h{(seconds % 3600) // 60:02d}"
