"""The desk's pipeline and read side: the bound on SLA action rounds, reads that read once,
the agent load commands are given, and the deprecated ``chamados.service`` alias."""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from chamados import (
    UNSET,
    Helpdesk,
    MemoryStorage,
    Party,
    Priority,
    PriorityChanged,
    SequentialIds,
    SlaBreached,
    SlaWarning,
)
from chamados.desk import pipeline
from chamados.policies import Agent, Agents, Policies, SlaAction
from chamados.sla import BusinessCalendar, SlaPolicy, Target
from chamados.storage import UnitOfWork
from chamados.testing import FakeClock

H = timedelta(hours=1)
MARIA = Party.customer("c-1")
CAL = BusinessCalendar(timezone="America/Sao_Paulo", hours={"mon-fri": "09:00-18:00"})
SHRINKING = SlaPolicy(
    name="loja",
    calendar=CAL,
    targets={
        "first_response": {
            "low": Target(business=16 * H),
            "normal": Target(business=8 * H),
            "high": Target(business=5 * H),
            "urgent": Target(business=4 * H),
        }
    },
    warn_at=[0.25, 0.5, 0.75],
)
"""Each priority step shortens the target, so at 13:30 each raise crosses one more
threshold: 4.5 business hours are 28% of low's, 56% of normal's, 90% of high's target and
past urgent's."""


def chain_desk() -> Helpdesk:
    """Every SLA warning raises the priority one step: a chain of actions."""
    return Helpdesk(
        clock=FakeClock("2026-03-02T09:00:00-03:00"),
        ticket_ids=SequentialIds(),
        sla=[SHRINKING],
        policies=Policies(sla_actions=[SlaAction(on="warning", raise_by=1)]),
    )


def run_chain() -> list[Any]:
    desk = chain_desk()
    desk.open(tenant="loja-1", channel="site", requester=MARIA, subject="x", priority="low")
    desk.clock.set("2026-03-02T13:30:00-03:00")  # type: ignore[attr-defined]
    return desk.tick()


def test_sla_actions_and_clocks_take_turns_for_at_most_three_rounds() -> None:
    """A warning raises the priority, the shorter target warns again, and so on: one
    command runs the engine and the actions three times (SLA_ACTION_ROUNDS), so the
    breach the third raise leads to waits for a later command or tick."""
    assert pipeline.SLA_ACTION_ROUNDS == 3
    events = run_chain()
    assert [e.threshold for e in events if isinstance(e, SlaWarning)] == ["25%", "50%", "75%"]
    assert [e.to_priority for e in events if isinstance(e, PriorityChanged)] == [
        Priority.NORMAL,
        Priority.HIGH,
        Priority.URGENT,
    ]
    assert not any(isinstance(e, SlaBreached) for e in events)


def test_the_bound_is_what_stops_the_chain(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a fourth round the engine measures the last raise in the same command and
    records the breach: the rounds, not the policies, ended the chain above."""
    monkeypatch.setattr(pipeline, "SLA_ACTION_ROUNDS", 4)
    events = run_chain()
    assert [type(e) for e in events][-1] is SlaBreached


def counting(storage: MemoryStorage) -> Counter[str]:
    """Count the units of work ``storage`` opens and the reads the desk asks of them (not
    the reads a unit of work makes for itself: ``history`` checks the ticket's tenant)."""
    counts: Counter[str] = Counter()
    depth = [0]
    original = storage.unit_of_work

    def unit_of_work() -> Any:
        uow = original()
        counts["units of work"] += 1
        for name in ("get", "history", "find"):
            read = getattr(uow, name)

            def counted(
                *args: Any, _read: Callable[..., Any] = read, _name: str = name, **kwargs: Any
            ) -> Any:
                counts[_name] += depth[0] == 0
                depth[0] += 1
                try:
                    return _read(*args, **kwargs)
                finally:
                    depth[0] -= 1

            setattr(uow, name, counted)
        return uow

    storage.unit_of_work = unit_of_work  # type: ignore[method-assign]
    return counts


@pytest.mark.parametrize("read", ["history", "messages", "timeline"])
def test_a_read_reads_the_ticket_and_its_history_once(read: str) -> None:
    """history, messages and timeline each run one unit of work that reads the ticket
    once and its history once (timeline used to run two and read the ticket three times)."""
    storage = MemoryStorage()
    desk = Helpdesk(storage=storage, clock=FakeClock("2026-03-02T09:00:00-03:00"), sla=[SHRINKING])
    ticket = desk.open(tenant="loja-1", channel="site", requester=MARIA, subject="x", body="Oi")
    counts = counting(storage)
    lines = getattr(desk, read)(ticket.id, viewer=MARIA)
    assert lines
    assert counts == Counter({"units of work": 1, "get": 1, "history": 1})


def test_a_command_asks_the_agent_load_through_one_function(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Assignment counts an agent's tickets only through pipeline.agent_load, the one
    place to change how the count is made."""
    asked: list[str] = []
    made = pipeline.agent_load

    def load(uow: Any, tenant: str, roster: Any = tuple) -> Callable[[str], int]:
        counted = made(uow, tenant, roster)

        def ask(agent_id: str) -> int:
            asked.append(agent_id)
            return counted(agent_id)

        return ask

    monkeypatch.setattr(pipeline, "agent_load", load)
    desk = Helpdesk(
        clock=FakeClock("2026-03-02T09:00:00-03:00"),
        policies=Policies(
            agents=Agents([Agent("ana", teams={"n1"}), Agent("bruno", teams={"n1"})]),
            assign_on_open=True,
        ),
    )
    ticket = desk.open(tenant="loja-1", channel="site", requester=MARIA, subject="x", team="n1")
    assert ticket.assignee == "ana"
    assert sorted(set(asked)) == ["ana", "bruno"]


def test_one_grouped_count_gives_every_agents_load(monkeypatch: pytest.MonkeyPatch) -> None:
    """A command that assigns asks the storage once (UnitOfWork.held) for the loads of
    all the desk's agents, however many candidates the strategy weighs."""
    calls: list[set[str]] = []
    held = UnitOfWork.held

    def counting(self: UnitOfWork, tenant: str, agent_ids: Any) -> dict[str, int]:
        calls.append(set(agent_ids))
        return held(self, tenant, agent_ids)

    monkeypatch.setattr(UnitOfWork, "held", counting)
    team = [Agent(name, teams={"n1"}) for name in ("ana", "bruno", "carla", "davi")]
    desk = Helpdesk(
        clock=FakeClock("2026-03-02T09:00:00-03:00"),
        policies=Policies(agents=Agents(team), assign_on_open=True),
    )
    desk.open(tenant="loja-1", channel="site", requester=MARIA, subject="x", team="n1")
    assert calls == [{"ana", "bruno", "carla", "davi"}]


def test_the_old_service_module_still_works_and_says_where_to_go() -> None:
    """chamados.service is an alias for one release: its names are the desk's, with a
    DeprecationWarning naming the new home."""
    service = importlib.import_module("chamados.service")
    with pytest.warns(DeprecationWarning, match=r"import Helpdesk from chamados"):
        assert service.Helpdesk is Helpdesk
    with pytest.warns(DeprecationWarning, match=r"chamados\.desk"):
        assert service.UNSET is UNSET
    with pytest.raises(AttributeError):
        service.Desk  # noqa: B018 - the access is the test
