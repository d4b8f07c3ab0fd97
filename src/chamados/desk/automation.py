"""Automation: the policies a support lead configures (``chamados.policies``), applied to
a command as it runs.

The ``Helpdesk`` calls in here at fixed points of a command:

- on open: route to a team, decide the priority, and assign an agent if asked;
- when fields change: decide the priority again, unless a person set it;
- on escalation: assign an N2 agent if asked;
- after the SLA clocks report warnings and breaches: run the matching ``SlaAction``s.

Every change is recorded as an event whose ``cause`` (a ``chamados.Cause``: a code and
its parameters, worded in the reader's language when shown) says what decided it; the
reason a person typed, if any, stays in ``reason``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

from chamados.command import Command
from chamados.events import (
    Assigned,
    Cause,
    FieldsChanged,
    SlaBreached,
    SlaEvent,
    SlaWarning,
    TicketEvent,
)
from chamados.model import Party, Ticket
from chamados.policies import AUTOMATION, Agent, Policies, Skills, describe_condition
from chamados.policies.routing import Load

__all__ = [
    "assign",
    "candidates",
    "decide_priority",
    "may_take",
    "new_sla_events",
    "route",
    "run_sla_actions",
]


def _why(why: str) -> str | None:
    """A rule's or route's why for the history: ``None`` for the default of a rule without
    a condition, which the history words in the reader's language."""
    return None if why == describe_condition(None) else why


def decide_priority(
    command: Command,
    policies: Policies,
    *,
    actor: Party,
    trigger: Literal["opened", "updated", "cleared"],
    reason: str | None = None,
) -> None:
    """Apply the priority policy, unless the priority was set by hand; ``trigger`` says
    which command ran the rules (see ``chamados.Cause``)."""
    ticket = command.ticket
    if policies.priority is None or ticket.priority_manual:
        return
    decision = policies.priority.decide(ticket)
    if decision.priority is ticket.priority:
        return
    firings = tuple((f.rule, f.before.value, f.after.value, _why(f.why)) for f in decision.fired)
    command.change_priority(
        decision.priority,
        actor=actor,
        reason=reason,
        manual=False,
        rules=decision.rules,
        cause=Cause(
            "priority_rules",
            {"trigger": trigger, "rules": firings, "default": decision.default.value},
        ),
    )


def route(command: Command, policies: Policies) -> None:
    """Send a new ticket without a team to the team its routes choose."""
    ticket = command.ticket
    if policies.routing is None or ticket.team is not None:
        return
    decision = policies.routing.route(ticket)
    if decision.team is None:
        return
    command.emit(
        Assigned,
        actor=AUTOMATION,
        cause=Cause(
            "routed",
            {
                "team": decision.team,
                "route": decision.route,
                "why": None if decision.route is None else _why(decision.why),
            },
        ),
        from_team=None,
        to_team=decision.team,
        from_assignee=ticket.assignee,
        to_assignee=ticket.assignee,
    )
    ticket.team = decision.team


def may_take(policies: Policies, agent: Agent, ticket: Ticket) -> bool:
    """Whether ``agent`` may take ``ticket``: they serve its team and tier and, with the
    skills strategy, have every skill it needs, judged against every agent of the desk.

    The one rule behind ``auto_assign``, assignment on open and on escalation, and
    ``next_ticket``: it depends on the ticket and the desk, never on who asks or who is
    present.
    """
    if not agent.serves(ticket):
        return False
    strategy = policies.assignment
    if isinstance(strategy, Skills) and policies.agents is not None:
        return strategy.able(ticket, agent, known=policies.agents.skills)
    return True


def candidates(
    policies: Policies, ticket: Ticket, load: Load, *, exclude: str | None = None
) -> list[Agent]:
    """Available agents who may take the ticket (``may_take``), under capacity."""
    if policies.agents is None:
        return []
    found = []
    for agent in policies.agents.available():
        if agent.id == exclude or not may_take(policies, agent, ticket):
            continue
        if agent.capacity is not None and load(agent.id) >= agent.capacity:
            continue
        found.append(agent)
    return found


def assign(
    command: Command,
    policies: Policies,
    load: Load,
    *,
    actor: Party,
    trigger: Cause,
    exclude: str | None = None,
) -> bool:
    """Give the ticket to the agent the strategy picks; False when nobody can take it.

    ``trigger`` is what asked for the assignment (``Cause("opened")``, an SLA action's
    cause...); the event's cause records it with the strategy and the agent chosen.
    """
    ticket = command.ticket
    chosen = policies.assignment.choose(
        ticket, candidates(policies, ticket, load, exclude=exclude), load
    )
    if chosen is None or chosen.id == ticket.assignee:
        return False
    command.emit(
        Assigned,
        actor=actor,
        cause=Cause(
            "assigned",
            {
                **trigger.params,
                "trigger": trigger.code,
                "strategy": policies.assignment.name,
                "agent": chosen.id,
            },
        ),
        from_team=ticket.team,
        to_team=ticket.team,
        from_assignee=ticket.assignee,
        to_assignee=chosen.id,
    )
    ticket.assignee = chosen.id
    return True


def run_sla_actions(
    command: Command,
    policies: Policies,
    events: Iterable[TicketEvent],
    load: Load,
    *,
    max_tier: int,
    active: bool,
) -> None:
    """Run the actions the warnings and breaches among ``events`` trigger."""
    ticket = command.ticket
    for event in events:
        if not isinstance(event, SlaEvent):
            continue
        for action in policies.sla_actions:
            if not action.matches(event):
                continue
            cause = _sla_cause(event)
            if action.raise_by:
                raised = ticket.priority.raised(action.raise_by)
                if raised is not ticket.priority:
                    command.change_priority(
                        raised, actor=AUTOMATION, reason=None, manual=True, cause=cause
                    )
                ticket.priority_manual = True
            if action.escalate and active and ticket.tier < max_tier:
                command.escalate(
                    actor=AUTOMATION,
                    reason=None,
                    team=action.escalate_to or ticket.team,
                    cause=cause,
                )
            if action.reassign and active:
                assign(
                    command,
                    policies,
                    load,
                    actor=AUTOMATION,
                    trigger=cause,
                    exclude=ticket.assignee,
                )
            if action.add_tag and action.add_tag not in ticket.tags:
                tags = ticket.tags | {action.add_tag}
                command.emit(
                    FieldsChanged,
                    actor=AUTOMATION,
                    cause=cause,
                    fields={"tags": (ticket.tags, tags)},
                )
                ticket.tags = tags


def _sla_cause(event: SlaEvent) -> Cause:
    """The cause of what an SLA action does on ``event``."""
    if isinstance(event, SlaWarning):
        return Cause(
            "sla_warning",
            {"policy": event.policy, "metric": event.metric, "threshold": event.threshold},
        )
    return Cause("sla_breach", {"policy": event.policy, "metric": event.metric})


def new_sla_events(events: Sequence[TicketEvent], since: int) -> list[TicketEvent]:
    """The warnings and breaches recorded after position ``since``."""
    return [e for e in events[since:] if isinstance(e, SlaWarning | SlaBreached)]
