"""Indicators: right on a hand-made story, and the same in memory and in SQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from chamados import (
    ConfigurationError,
    Helpdesk,
    MemoryStorage,
    Party,
    Priority,
    SequentialIds,
    Storage,
)
from chamados.cli import main
from chamados.events import SlaBreached
from chamados.policies import Policies, SlaAction
from chamados.reports import DIMENSIONS, INDICATORS, render_table
from chamados.reports.engine import nearest_rank
from chamados.sla import BusinessCalendar, SlaPolicy, Target
from chamados.storage.sql import SqlStorage
from chamados.testing import FakeClock
from chamados.testing.workload import simulate, store_policies

H = timedelta(hours=1)
START = "2026-03-02T08:00:00-03:00"  # a Monday
ANA, BRUNO = Party.agent("ana"), Party.agent("bruno")
SELLER = Party.partner("seller-9", name="Loja do Zé")


def simulated(storage: Storage, *, tickets: int = 120, seed: int = 11) -> Helpdesk:
    clock = FakeClock(START)
    desk = Helpdesk(
        storage=storage, clock=clock, sla=store_policies(), ticket_ids=SequentialIds("T-")
    )
    simulate(desk, clock, tickets=tickets, seed=seed)
    return desk


def rounded(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {k: round(v, 6) if isinstance(v, float) else v for k, v in row.items()} for row in records
    ]


CUTS: list[tuple[str, tuple[str, ...]]] = [
    (name, by)
    for name in INDICATORS
    for by in ([()] if name == "partner_compliance" else [(), *((d,) for d in DIMENSIONS)])
] + [("time_in_status", ("team", "tier")), ("first_response", ("channel", "priority"))]


def test_every_indicator_agrees_in_memory_and_in_sql(engine: Engine) -> None:
    """The same simulated week gives the same tables, cut by every dimension, in memory
    and on SQLite, PostgreSQL and MariaDB (SQL aggregation, not Python loops)."""
    memory = simulated(MemoryStorage())
    sql = simulated(SqlStorage(engine))
    assert len(sql.tickets()) == len(memory.tickets()) == 120
    for name, by in CUTS:
        expected = memory.indicator(name, by=by)
        got = sql.indicator(name, by=by)
        assert rounded(got.records()) == rounded(expected.records()), (name, by)
        assert got.columns == expected.columns
    start, end = (
        pendulum.parse("2026-03-03T00:00:00-03:00"),
        pendulum.parse("2026-03-06T00:00:00-03:00"),
    )
    for filters in ({"channel": "amazon"}, {"team": "logistica", "tier": 1}, {"priority": "high"}):
        for name in INDICATORS:
            expected = memory.indicator(name, start=start, end=end, **filters)
            got = sql.indicator(name, start=start, end=end, **filters)
            assert rounded(got.records()) == rounded(expected.records()), (name, filters)


def test_the_simulation_exercises_every_indicator() -> None:
    """The agreement test means something: every indicator has rows to compare."""
    desk = simulated(MemoryStorage())
    report = desk.report()
    assert all(len(table) > 0 for table in report.tables), [
        t.name for t in report.tables if not len(t)
    ]


class TestOneStory:
    """Three tickets with known timings, checked number by number."""

    @pytest.fixture
    def desk(self) -> Helpdesk:
        clock = FakeClock(START)
        policy = SlaPolicy(
            name="loja",
            calendar=BusinessCalendar(
                timezone="America/Sao_Paulo", hours={"mon-fri": "09:00-18:00"}
            ),
            targets={
                "first_response": Target(business=2 * H),
                "partner_response": Target(business=4 * H),
            },
            warn_at=[],
        )
        desk = Helpdesk(clock=clock, sla=[policy], ticket_ids=SequentialIds("T-"))
        maria, joao, lucia = (Party.customer(c) for c in ("c-1", "c-2", "c-3"))
        a = desk.open(tenant="loja-1", channel="site", requester=maria, subject="a", team="sac")
        clock.advance(hours=2)  # 10:00: answered 1h of business time after opening at 8:00
        desk.reply(a.id, author=ANA, body="Oi")
        b = desk.open(
            tenant="loja-1",
            channel="amazon",
            requester=joao,
            subject="b",
            team="sac",
            partner=SELLER,
        )
        clock.advance(hours=1)  # 11:00
        desk.transition(b.id, "ask_partner", actor=ANA)
        clock.advance(hours=3)  # 14:00: the seller answers after 3 business hours
        desk.reply(b.id, author=SELLER, body="Enviado")
        desk.resolve(a.id, actor=ANA, summary="ok")
        c = desk.open(tenant="loja-1", channel="site", requester=lucia, subject="c", team="sac")
        clock.advance(hours=5)  # 19:00: nobody answered c; its 2 business hours ran out
        desk.tick()
        desk.resolve(b.id, actor=BRUNO, summary="ok")
        desk.reopen(a.id, actor=maria, reason="voltou")
        desk.rate(b.id, actor=joao, score=4)
        clock.advance(hours=1)
        assert c.status == "new"
        return desk

    def test_first_response_in_calendar_and_business_time(self, desk: Helpdesk) -> None:
        """a: opened 8:00, answered 10:00 → 2h calendar, 1h business."""
        [row] = desk.indicator("first_response").records()
        assert row["answered"] == 1
        assert (row["calendar_median"], row["business_median"]) == (7200, 3600)

    def test_sla_attainment_and_breach_cause(self, desk: Helpdesk) -> None:
        """a met its first answer; b (never answered, paused while the seller had it)
        breached in status open, c in status new: both while waiting on the team."""
        rows = {(r["policy"], r["metric"]): r for r in desk.indicator("sla_attainment").records()}
        first = rows[("loja", "first_response")]
        assert (first["met"], first["breached"], first["running"]) == (1, 2, 0)
        assert first["attainment"] == pytest.approx(1 / 3)
        causes = {
            (r["metric"], r["cause"], r["status"]): r["breaches"]
            for r in desk.indicator("breach_causes").records()
        }
        assert causes == {
            ("first_response", "team", "new"): 1,
            ("first_response", "team", "open"): 1,
        }

    def test_rates_backlog_partner_and_csat(self, desk: Helpdesk) -> None:
        """Reopen 1 of 2 resolved, nobody escalated, c is the backlog, the seller met
        its deadline in 3h, b was rated 4."""
        [reopen] = desk.indicator("reopen_rate").records()
        assert (reopen["resolved"], reopen["reopened"], reopen["rate"]) == (2, 1, 0.5)
        [n1] = desk.indicator("n1_resolution").records()
        assert n1["rate"] == 1.0
        backlog = desk.indicator("backlog").records()
        assert {(r["status"], r["age"]): r["tickets"] for r in backlog} == {
            ("new", "< 1d"): 1,
            ("open", "< 1d"): 1,
        }
        [partner] = desk.indicator("partner_compliance").records()
        assert (partner["partner"], partner["met"], partner["median_response"]) == (
            "seller-9",
            1,
            3 * 3600,
        )
        [csat] = desk.indicator("csat").records()
        assert (csat["ratings"], csat["average"], csat["score_4"]) == (1, 4.0, 1)

    def test_time_in_status(self, desk: Helpdesk) -> None:
        """b waited 3 business hours on the partner; stays that ended are counted."""
        rows = {r["status"]: r for r in desk.indicator("time_in_status").records()}
        assert rows["waiting_partner"]["calendar_median"] == 3 * 3600
        assert rows["waiting_partner"]["business_median"] == 3 * 3600

    def test_filters_and_periods_narrow_the_tickets(self, desk: Helpdesk) -> None:
        """Filters pick tickets by dimension; the period by creation time."""
        assert desk.indicator("volume", channel="amazon").column("tickets") == [1]
        assert desk.indicator("volume", by=["channel"]).records() == [
            {"channel": "amazon", "tickets": 1},
            {"channel": "site", "tickets": 2},
        ]
        late = pendulum.parse("2026-03-02T13:00:00-03:00")
        assert desk.indicator("volume", start=late).column("tickets") == [1]
        assert desk.indicator("volume", tier="N2").records() == []


class TestABreachNoticedLate:
    """Item 10: a breach noticed by a later command (no tick in between) is attributed to
    the status the ticket was in when it ran out, not to the one the command moved it to."""

    @pytest.fixture
    def desk(self) -> Helpdesk:
        policy = SlaPolicy(
            name="loja",
            calendar=BusinessCalendar(
                timezone="America/Sao_Paulo", hours={"mon-fri": "09:00-18:00"}
            ),
            targets={
                "first_response": Target(business=2 * H),
                "partner_response": Target(business=2 * H),
            },
            warn_at=[],
        )
        clock = FakeClock("2026-03-02T09:00:00-03:00")  # a Monday
        return Helpdesk(clock=clock, sla=[policy], ticket_ids=SequentialIds("T-"))

    def causes(self, desk: Helpdesk) -> dict[tuple[str, str, str], int]:
        return {
            (r["metric"], r["cause"], r["status"]): r["breaches"]
            for r in desk.indicator("breach_causes").records()
        }

    def open(self, desk: Helpdesk, **kwargs: Any) -> str:
        maria = Party.customer("c-1")
        return desk.open(
            tenant="loja-1", channel="site", requester=maria, subject="a", **kwargs
        ).id

    def test_asking_the_customer_after_the_deadline_blames_the_team_in_new(
        self, desk: Helpdesk
    ) -> None:
        """Due 11:00; ask_customer at 11:02 moves it to waiting_customer: team/new."""
        t = self.open(desk)
        desk.clock.set("2026-03-02T11:02:00-03:00")  # type: ignore[attr-defined]
        desk.transition(t, "ask_customer", actor=ANA)
        assert self.causes(desk) == {("first_response", "team", "new"): 1}

    def test_a_late_first_reply_blames_the_team_in_new(self, desk: Helpdesk) -> None:
        """The agent's reply at 11:30 also starts work (open): the breach was in new."""
        t = self.open(desk)
        desk.clock.set("2026-03-02T11:30:00-03:00")  # type: ignore[attr-defined]
        desk.reply(t, author=ANA, body="Desculpe a demora")
        assert desk.get(t).status == "open"
        assert self.causes(desk) == {("first_response", "team", "new"): 1}

    def test_a_late_partner_reply_blames_the_partner(self, desk: Helpdesk) -> None:
        """The seller had it from 09:00 (due 11:00) and replies at 11:30, which moves the
        ticket back to the team: the breach was the partner's, in waiting_partner."""
        t = self.open(desk, partner=SELLER)
        desk.reply(t, author=ANA, body="Vamos falar com o vendedor")
        desk.transition(t, "ask_partner", actor=ANA)
        desk.clock.set("2026-03-02T11:30:00-03:00")  # type: ignore[attr-defined]
        desk.reply(t, author=SELLER, body="Enviado")
        assert desk.get(t).status == "open"
        assert self.causes(desk) == {("partner_response", "partner", "waiting_partner"): 1}

    def test_the_breach_event_says_the_status_it_ran_out_in(self, desk: Helpdesk) -> None:
        """SlaBreached carries the status at breached_at, for the history and webhooks."""
        t = self.open(desk)
        desk.clock.set("2026-03-02T11:02:00-03:00")  # type: ignore[attr-defined]
        desk.transition(t, "ask_customer", actor=ANA)
        [breach] = [e for e in desk.history(t) if isinstance(e, SlaBreached)]
        assert (breach.status, breach.breached_at) == ("new", desk.clock.now().set(minute=0))

    def test_a_breach_an_sla_action_brings_forward_keeps_the_status_it_ran_out_in(
        self,
    ) -> None:
        """The 50% warning (11:00) of a 4-hour target, noticed at 11:30 by ask_customer,
        raises the priority to urgent (1 hour): the breach at 10:00 found in the action's
        round was in new, though the command had moved the ticket on already."""
        policy = SlaPolicy(
            name="loja",
            calendar=BusinessCalendar(
                timezone="America/Sao_Paulo", hours={"mon-fri": "09:00-18:00"}
            ),
            targets={
                "first_response": {"urgent": Target(business=H), "default": Target(business=4 * H)}
            },
            warn_at=[0.5],
        )
        clock = FakeClock("2026-03-02T09:00:00-03:00")
        desk = Helpdesk(
            clock=clock,
            sla=[policy],
            policies=Policies(sla_actions=[SlaAction(on="warning", raise_by=3)]),
            ticket_ids=SequentialIds("T-"),
        )
        t = self.open(desk)
        clock.set("2026-03-02T11:30:00-03:00")
        desk.transition(t, "ask_customer", actor=ANA)
        assert desk.get(t).priority is Priority.URGENT
        [breach] = [e for e in desk.history(t) if isinstance(e, SlaBreached)]
        assert (breach.breached_at.hour, breach.status) == (10, "new")

    def test_a_policy_applied_later_attributes_old_breaches_from_the_history(
        self, desk: Helpdesk
    ) -> None:
        """A policy that starts to apply replays the history: a breach long past is
        attributed to the status the ticket had then."""
        late = SlaPolicy(
            name="urgente",
            when={"priority": "urgent"},
            calendar=BusinessCalendar(
                timezone="America/Sao_Paulo", hours={"mon-fri": "09:00-18:00"}
            ),
            targets={"first_response": Target(business=H)},
            warn_at=[],
        )
        desk = Helpdesk(clock=desk.clock, sla=[late], ticket_ids=SequentialIds("U-"))
        t = self.open(desk)
        desk.clock.set("2026-03-02T10:30:00-03:00")  # type: ignore[attr-defined]
        desk.transition(t, "ask_customer", actor=ANA)
        desk.set_priority(t, "urgent", actor=ANA)
        [breach] = [e for e in desk.history(t) if isinstance(e, SlaBreached)]
        assert (breach.policy, breach.status) == ("urgente", "new")


@given(st.lists(st.integers(min_value=0, max_value=10**6), min_size=1), st.integers(1, 100))
def test_nearest_rank_is_the_smallest_value_with_enough_below(
    values: list[int], percent: int
) -> None:
    """The p-th percentile is the smallest value v with at least p% of values ≤ v."""
    ordered = sorted(values)
    got = nearest_rank(ordered, percent)
    assert got in ordered
    assert 100 * sum(1 for v in ordered if v <= got) >= percent * len(ordered)
    smaller = [v for v in ordered if v < got]
    assert 100 * len(smaller) < percent * len(ordered)


def test_bad_requests_are_configuration_errors() -> None:
    """Unknown indicators, dimensions and filters, and backwards periods, are refused."""
    desk = Helpdesk(clock=FakeClock(START))
    with pytest.raises(ConfigurationError, match="unknown indicator"):
        desk.indicator("happiness")
    with pytest.raises(ConfigurationError, match="cannot cut by"):
        desk.indicator("volume", by=["color"])
    with pytest.raises(ConfigurationError, match="cannot filter on"):
        desk.indicator("volume", color="red")
    with pytest.raises(ConfigurationError, match="before end"):
        desk.indicator("volume", start=pendulum.parse("2027-01-01T00:00:00Z"))
    with pytest.raises(ConfigurationError, match="ranked by partner"):
        desk.indicator("partner_compliance", by=["team"])


def test_tables_export_to_dict_and_csv() -> None:
    """A real table exports to JSON-ready data and CSV with raw values."""
    desk = simulated(MemoryStorage(), tickets=30, seed=2)
    table = desk.indicator("first_response", by=["channel"])
    data = table.to_dict()
    assert data["name"] == "first_response"
    assert data["columns"][0] == {
        "name": "channel",
        "kind": "text",
        "label": {"pt-BR": "Canal", "en": "Channel"},
    }
    lines = table.to_csv().splitlines()
    assert lines[0].startswith("channel,answered,calendar_mean")
    assert len(lines) == len(table) + 1
    report = desk.report()
    assert report.to_dict()["tables"][0]["name"] == "volume"


def backlog_story(storage: Storage) -> Helpdesk:
    """Two tickets that changed after Monday: by Wednesday the one waiting on its customer
    on Monday night was escalated and resolved, the one resolved on Monday was reopened."""
    clock = FakeClock(START)  # Monday 08:00
    desk = Helpdesk(storage=storage, clock=clock, ticket_ids=SequentialIds("T-"))
    maria, joao = Party.customer("c-1"), Party.customer("c-2")
    waiting = desk.open(tenant="loja", channel="site", requester=maria, subject="a", team="sac")
    clock.advance(hours=1)
    done = desk.open(tenant="loja", channel="site", requester=joao, subject="b", team="sac")
    clock.advance(hours=1)  # 10:00
    desk.transition(waiting.id, "ask_customer", actor=ANA)
    desk.resolve(done.id, actor=ANA, summary="ok")
    clock.set("2026-03-03T09:00:00-03:00")  # Tuesday
    desk.escalate(waiting.id, actor=ANA, reason="difícil", team="especialistas")
    desk.resolve(waiting.id, actor=BRUNO, summary="ok")
    clock.set("2026-03-04T09:00:00-03:00")  # Wednesday
    desk.reopen(done.id, actor=joao, reason="voltou")
    return desk


MONDAY_NIGHT = pendulum.parse("2026-03-03T00:00:00-03:00")


@pytest.mark.parametrize("backend", ["memory", "sql"])
def test_the_backlog_is_as_it_stood_at_the_end_of_the_period(backend: str, engine: Engine) -> None:
    """A report that ends on Monday night counts the tickets active then, in the status
    and team they had then, aged then: not the tickets active today, in memory and in SQL."""
    desk = backlog_story(MemoryStorage() if backend == "memory" else SqlStorage(engine))
    table = desk.indicator("backlog", by=["team"], end=MONDAY_NIGHT)
    assert table.records() == [
        {"status": "waiting_customer", "age": "< 1d", "team": "sac", "tickets": 1}
    ]
    assert desk.indicator("backlog", end=MONDAY_NIGHT, team="especialistas").records() == []
    now = desk.indicator("backlog", by=["team"]).records()
    assert now == [{"status": "open", "age": "1-3d", "team": "sac", "tickets": 1}]


def test_the_report_and_the_command_line_agree_on_the_backlog(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`chamados report --to` shows the backlog Helpdesk.report(end=...) computes."""
    db = tmp_path / "story.db"
    desk = backlog_story(SqlStorage(f"sqlite:///{db}"))
    expected = desk.report(end=MONDAY_NIGHT)["backlog"]
    desk.storage.close()
    args = ["report", "--db", str(db), "--to", "2026-03-03", "--lang", "en"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert render_table(expected, lang="en") in out
    assert "Waiting on customer  < 1d        1" in out


def test_importing_the_reports_builds_no_workflow_registry() -> None:
    """Importing the catalogue builds nothing: the words for the built-in statuses are
    read from the workflows the first time a renderer asks for one."""
    import subprocess
    import sys

    code = (
        "import chamados, chamados.reports.catalog as c; "
        "print(c._builtin_status_labels.cache_info().misses); "
        "print(c.INDICATORS['backlog'].keys[0].word('waiting_partner', 'en')); "
        "print(c._builtin_status_labels.cache_info().misses)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:3] == ["0", "Waiting on partner", "1"]
