"""Property-based tests: invariants of workflows and of the Helpdesk under any command order."""

from __future__ import annotations

from typing import Any

import pendulum
from hypothesis import event, given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from chamados import ChamadosError, Helpdesk, Party, SequentialIds, StatusChanged
from chamados.model import Category
from chamados.testing import FakeClock, make_ticket
from chamados.workflows import ReturnsWorkflow, StandardWorkflow, Workflow

NOW = pendulum.datetime(2026, 3, 2, 12, tz="America/Sao_Paulo")
WORKFLOWS: list[type[Workflow]] = [StandardWorkflow, ReturnsWorkflow]
DATA = st.fixed_dictionaries(
    {},
    optional={
        "summary": st.sampled_from(["ok", "", "  "]),
        "reason": st.sampled_from(["spam", ""]),
    },
)


@settings(max_examples=200, deadline=None)
@given(
    workflow=st.sampled_from(WORKFLOWS),
    steps=st.lists(
        st.tuples(st.text("abcdefghijklmnopqrstuvwxyz_", max_size=20), DATA), max_size=15
    ),
    picks=st.lists(st.integers(0, 30), max_size=15),
)
def test_any_event_sequence_keeps_the_machine_consistent(
    workflow: type[Workflow], steps: list[tuple[str, dict[str, Any]]], picks: list[int]
) -> None:
    """Each fire moves along a declared transition or raises and leaves the status alone."""
    ticket = make_ticket(workflow=workflow.workflow_name, status=workflow.initial_status())
    declared = set(workflow.transitions())
    events = list(workflow.actions)
    for index, (random_name, data) in enumerate(steps):
        # Mostly real events, sometimes garbage names.
        pick = picks[index] if index < len(picks) else 0
        event = events[pick % len(events)] if pick < 25 else random_name or "x"
        before = ticket.status
        try:
            after = workflow(ticket).fire(event, now=NOW, **data)
        except ChamadosError:
            assert ticket.status == before
            continue
        assert (event, before, after) in declared
        assert ticket.status == after in workflow.statuses


class HelpdeskMachine(RuleBasedStateMachine):
    """Random commands by random parties on a few tickets; invariants hold after each."""

    parties = st.sampled_from(
        [
            Party.agent("ana"),
            Party.agent("ana"),
            Party.agent("bruno"),
            Party.system(),
            Party.customer("c-1"),
            Party.customer("c-2"),
            Party.partner("p-1"),
            Party.marketplace("site"),
        ]
    )

    def __init__(self) -> None:
        super().__init__()
        self.clock = FakeClock()
        self.desk = Helpdesk(clock=self.clock, ticket_ids=SequentialIds())
        self.ids: list[str] = []
        self.saved_versions: dict[str, int] = {}

    @rule(workflow=st.sampled_from(["standard", "returns"]))
    def open(self, workflow: str) -> None:
        ticket = self.desk.open(
            tenant="loja",
            channel="site",
            requester=Party.customer("c-1"),
            partner=Party.partner("p-1"),
            subject="x",
            workflow=workflow,
        )
        self.ids.append(ticket.id)
        self.saved_versions[ticket.id] = 1

    def run(self, index: int, command: str, *args: Any, **kwargs: Any) -> None:
        ticket_id = self.ids[index % len(self.ids)]
        before = (self.desk.get(ticket_id), len(self.desk.history(ticket_id)))
        try:
            result = getattr(self.desk, command)(ticket_id, *args, **kwargs)
        except ChamadosError:
            assert (self.desk.get(ticket_id), len(self.desk.history(ticket_id))) == before
            return
        stored = self.desk.get(ticket_id)
        assert result == stored
        assert stored.version in (before[0].version, before[0].version + 1)
        self.saved_versions[ticket_id] = stored.version

    @precondition(lambda self: self.ids)
    @rule(
        index=st.integers(0, 5),
        actor=parties,
        event=st.sampled_from(
            sorted(set(StandardWorkflow.actions) | set(ReturnsWorkflow.actions))
        ),
        data=DATA,
    )
    def transition(self, index: int, actor: Party, event: str, data: dict[str, Any]) -> None:
        self.run(index, "transition", event, actor=actor, **data)

    @precondition(lambda self: self.ids)
    @rule(index=st.integers(0, 5), pick=st.integers(0, 10), actor=parties, data=DATA)
    def allowed_transition(
        self, index: int, pick: int, actor: Party, data: dict[str, Any]
    ) -> None:
        ticket_id = self.ids[index % len(self.ids)]
        allowed = self.desk.allowed_events(ticket_id)
        if allowed:
            self.run(index, "transition", allowed[pick % len(allowed)], actor=actor, **data)

    @precondition(lambda self: self.ids)
    @rule(index=st.integers(0, 5), actor=parties, public=st.booleans(), automated=st.booleans())
    def reply(self, index: int, actor: Party, public: bool, automated: bool) -> None:
        self.run(index, "reply", author=actor, body="msg", public=public, automated=automated)

    @precondition(lambda self: self.ids)
    @rule(
        index=st.integers(0, 5),
        actor=parties,
        command=st.sampled_from(["resolve", "reopen", "close"]),
    )
    def lifecycle(self, index: int, actor: Party, command: str) -> None:
        kwargs: dict[str, Any] = {"summary": "feito"} if command == "resolve" else {}
        self.run(index, command, actor=actor, **kwargs)

    @precondition(lambda self: self.ids)
    @rule(index=st.integers(0, 5), actor=parties, score=st.integers(0, 6))
    def rate(self, index: int, actor: Party, score: int) -> None:
        self.run(index, "rate", score, actor=actor)

    @precondition(lambda self: self.ids)
    @rule(
        index=st.integers(0, 5), actor=parties, priority=st.sampled_from(["low", "high", "urgent"])
    )
    def set_priority(self, index: int, actor: Party, priority: str) -> None:
        self.run(index, "set_priority", priority, actor=actor)

    @precondition(lambda self: self.ids)
    @rule(index=st.integers(0, 5), actor=parties)
    def escalate(self, index: int, actor: Party) -> None:
        self.run(index, "escalate", actor=actor, reason="complexo")

    @rule(hours=st.integers(0, 200))
    def wait(self, hours: int) -> None:
        self.clock.advance(hours=hours)

    @invariant()
    def history_explains_the_ticket(self) -> None:
        for ticket_id in self.ids:
            ticket = self.desk.get(ticket_id)
            history = self.desk.history(ticket_id)
            workflow = self.desk.workflows.get(ticket.workflow)
            assert ticket.version == self.saved_versions[ticket_id] == history[-1].version
            versions = [e.version for e in history]
            assert versions == sorted(versions)
            assert set(versions) == set(range(1, ticket.version + 1))
            status = workflow.initial_status()
            for change in (e for e in history if isinstance(e, StatusChanged)):
                assert change.from_status == status
                status = change.to_status
            assert status == ticket.status
            category = workflow.status_of(ticket.status).category
            if category is Category.RESOLVED:
                assert ticket.resolved_at is not None
                assert ticket.resolution
            if category.is_active:
                assert ticket.resolved_at is None
                assert ticket.resolution is None
            assert (ticket.closed_at is not None) == (category is Category.CLOSED)
            event(f"status {ticket.status}")
            assert 1 <= ticket.tier <= 2


HelpdeskMachine.TestCase.settings = settings(
    max_examples=80, stateful_step_count=40, deadline=None
)
TestHelpdeskInvariants = HelpdeskMachine.TestCase
