"""Guards against the known traps of python-statemachine 3, run when a workflow is defined.

Each check raises ``WorkflowDefinitionError`` with a message that says what to rename or
change, so a broken workflow fails at import time instead of misbehaving on a ticket:

- an event named like a state (the library hides or drops the state);
- names python-statemachine's ``send()`` overwrites, or that replace the machine's own
  attributes (``state``, ``event``, ``model``, ``send``...);
- a subclass that adds transitions to inherited states (they appear on the parent too);
- states that are not ``Status``, events that are not ``Action``, final states that are
  not ``closed``, and maps (``reply_events``, ``commands``, ``party_events``) that name
  events the workflow lacks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from attrs import frozen
from statemachine import State, StateChart

from chamados.exceptions import WorkflowDefinitionError
from chamados.model import Category
from chamados.workflows.declarations import Status

__all__ = [
    "RESERVED_NAMES",
    "SEND_RESERVED",
    "Step",
    "check_definition",
    "check_unchanged",
    "steps",
    "steps_of",
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


@frozen
class Step:
    """One transition as data: the event, where it starts and where it ends."""

    event: str
    source: str
    target: str


def steps(states: Iterable[State]) -> Iterable[tuple[State, State | None, str]]:
    for state in states:
        for transition in state.transitions:
            for event in transition.events:
                yield state, transition.target, str(event)


def steps_of(cls: Any) -> frozenset[Step]:
    """The transitions a class has now, as plain data, to notice later changes."""
    return frozenset(
        Step(str(e), s.id or "?", (t.id or "?") if t is not None else "")
        for s, t, e in steps(getattr(cls, "states_map", {}).values())
    )


def check_unchanged(base: Any, signature: frozenset[Step], *, child: str) -> None:
    recorded: frozenset[Step] = getattr(base, "_chamados_steps", signature)
    added = (signature | steps_of(base)) - recorded
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


def check_definition(cls: Any, attrs: Mapping[str, Any]) -> None:
    name = cls.__name__
    states = list(cls.states_map.values())
    known = {id(state) for state in states}

    lost = sorted(
        {f"{str(e)!r}" for s, t, e in steps(states) if t is not None and id(t) not in known}
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
