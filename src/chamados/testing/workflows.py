"""``check_workflow``: prove a custom workflow is sound before tickets depend on it."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from attrs import field, frozen

from chamados.desk import Helpdesk
from chamados.exceptions import ChamadosError
from chamados.ids import SequentialIds
from chamados.model import Category, Party
from chamados.testing.clock import FakeClock
from chamados.testing.factories import make_ticket
from chamados.workflows.base import Workflow
from chamados.workflows.guards import check_unchanged, steps_of
from chamados.workflows.registry import WorkflowRegistry

__all__ = ["Step", "WorkflowPath", "check_workflow"]


@frozen
class Step:
    """One event of a path, with the data and the actor that fire it."""

    event: str
    data: Mapping[str, Any] = field(factory=dict)
    actor: Party = field(factory=lambda: Party.agent("checker"))


StepLike = str | tuple[str, Mapping[str, Any]] | Step


@frozen
class WorkflowPath:
    """Events fired from the initial state, and the status the ticket must end in."""

    steps: Sequence[StepLike]
    ends_in: str
    name: str = ""


CUSTOMER = Party.customer("c-1")
"""The requester of the tickets ``check_workflow`` walks, unless told otherwise."""
PARTNER = Party.partner("p-1")
"""The partner of the tickets ``check_workflow`` walks, unless told otherwise."""


def check_workflow(
    workflow: type[Workflow],
    *,
    paths: Iterable[WorkflowPath] = (),
    customer: Party = CUSTOMER,
    partner: Party | None = PARTNER,
    channel: str = "site",
) -> None:
    """Check ``workflow`` and raise ``AssertionError`` listing every problem found.

    It checks that the class is a concrete workflow whose transitions were not changed
    after it was defined, that it registers and instantiates on a ticket, that every
    state is reachable from the initial one, that every active state can reach a
    resolved or closed one, and that each path walks, through a real ``Helpdesk``, to
    the status it names.

    Each path walks its own ticket, opened on ``channel`` by ``customer`` with
    ``partner`` (``None``: no partner), so steps whose ``actor`` is that customer, that
    partner, or the marketplace named like the channel, act on a ticket that involves
    them. A step's actor is an agent unless it says otherwise.

    >>> from chamados.workflows import StandardWorkflow
    >>> check_workflow(StandardWorkflow, paths=[
    ...     WorkflowPath(["start", "ask_customer", "customer_replied",
    ...                   ("resolve", {"summary": "Reenviado"}), "close"], ends_in="closed"),
    ... ])
    """
    problems: list[str] = []
    if not isinstance(workflow, type) or not issubclass(workflow, Workflow) or not workflow.states:
        raise AssertionError(f"{workflow!r} is not a concrete chamados Workflow class")
    name = workflow.workflow_name
    try:
        check_unchanged(workflow, steps_of(workflow), child=workflow.__name__)
        registry = WorkflowRegistry()
        registry.register(workflow)
        initial = workflow.initial_status()
        workflow(make_ticket(workflow=name, status=initial))
    except ChamadosError as error:
        raise AssertionError(f"{workflow.__name__}: {error}") from error

    graph: dict[str, set[str]] = {status: set() for status in workflow.statuses}
    for _, source, target in workflow.transitions():
        graph[source].add(target)
    reachable = _reach(graph, initial)
    unreachable = sorted(set(graph) - reachable)
    if unreachable:
        problems.append(f"states not reachable from {initial!r}: {', '.join(unreachable)}")
    ends = {s for s, status in workflow.statuses.items() if not status.category.is_active}
    stuck = sorted(
        s
        for s, status in workflow.statuses.items()
        if status.category.is_active and not (_reach(graph, s) & ends)
    )
    if stuck:
        problems.append(f"active states that can never be resolved or closed: {', '.join(stuck)}")
    if not any(s.category is Category.CLOSED for s in workflow.statuses.values()):
        problems.append("no state has category 'closed'")

    for number, path in enumerate(paths, start=1):
        label = path.name or f"path {number}"
        problem = _walk(
            workflow, registry, path, customer=customer, partner=partner, channel=channel
        )
        if problem:
            problems.append(f"{label}: {problem}")
    if problems:
        raise AssertionError(f"{workflow.__name__}:\n- " + "\n- ".join(problems))


def _reach(graph: Mapping[str, set[str]], start: str) -> set[str]:
    seen = {start}
    queue = deque([start])
    while queue:
        for nxt in graph[queue.popleft()]:
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _walk(
    workflow: type[Workflow],
    registry: WorkflowRegistry,
    path: WorkflowPath,
    *,
    customer: Party,
    partner: Party | None,
    channel: str,
) -> str:
    if path.ends_in not in workflow.statuses:
        return f"ends_in {path.ends_in!r} is not a state of the workflow"
    desk = Helpdesk(clock=FakeClock(), workflows=registry, ticket_ids=SequentialIds())
    try:
        ticket = desk.open(
            tenant="check",
            channel=channel,
            requester=customer,
            partner=partner,
            subject="check_workflow",
            workflow=workflow.workflow_name,
        )
    except ChamadosError as error:
        return f"the ticket could not be opened: {error}"
    for raw in path.steps:
        step = _step(raw)
        try:
            ticket = desk.transition(ticket.id, step.event, actor=step.actor, **step.data)
        except ChamadosError as error:
            return f"{step.event!r} failed in {ticket.status!r}: {error}"
    if ticket.status != path.ends_in:
        return f"ended in {ticket.status!r}, expected {path.ends_in!r}"
    return ""


def _step(raw: StepLike) -> Step:
    if isinstance(raw, Step):
        return raw
    if isinstance(raw, str):
        return Step(raw)
    event, data = raw
    return Step(event, dict(data))
