"""Properties of SLA clocks under any sequence of commands, waits and monitor ticks."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from chamados import ChamadosError, Helpdesk, Party, SequentialIds, StatusChanged
from chamados.events import SlaBreached, SlaEvent
from chamados.sla import BusinessCalendar, SlaPolicy, Target
from chamados.sla.engine import SlaEngine
from chamados.testing import FakeClock

H = timedelta(hours=1)
CAL = BusinessCalendar.brazil(subdivision="SP", hours={"mon-fri": ["09:00-12:00", "13:00-18:00"]})
POLICIES = [
    SlaPolicy(
        name="loja",
        calendar=CAL,
        targets={
            "first_response": Target(business=2 * H),
            "next_response": Target.earliest(business=4 * H, calendar=24 * H),
            "periodic_update": Target(business=6 * H),
            "resolution": {"urgent": Target(business=8 * H), "default": Target(business_days=2)},
            "partner_response": Target(business=8 * H),
        },
        pause_on={"pending"},
        warn_at=[0.5, timedelta(minutes=45)],
    ),
    SlaPolicy(
        name="marketplace",
        when={"channel": "amazon"},
        calendar=CAL,
        targets={
            "first_response": Target(calendar=24 * H),
            "resolution": Target.latest(business_days=1, calendar=12 * H),
        },
        pause_on={"resolution": {"waiting_customer"}},
        reopen="restart",
    ),
    SlaPolicy(  # tickets the team opens on the phone: the peers' options
        name="telefone",
        when={"channel": "phone"},
        calendar=CAL,
        targets={
            "first_response": Target(business=2 * H),
            "resolution": Target(business_days=1),
        },
        first_response_from="customer_message",
        start_after=Target(business=H),
    ),
]
ANA, MARIA, SELLER = Party.agent("ana"), Party.customer("c-1"), Party.partner("s-9")

ACTIONS = st.lists(
    st.one_of(
        st.tuples(st.just("wait"), st.integers(1, 60 * 30)),  # minutes
        st.tuples(st.just("reply"), st.sampled_from(["agent", "customer", "partner", "bot"])),
        st.tuples(
            st.just("event"),
            st.sampled_from(
                ["ask_customer", "ask_partner", "hold", "resume", "start", "reopen", "close"]
            ),
        ),
        st.tuples(st.just("resolve"), st.just("")),
        st.tuples(st.just("priority"), st.sampled_from(["low", "normal", "high", "urgent"])),
        st.tuples(st.just("tick"), st.just("")),
    ),
    max_size=25,
)


def play(actions: list[tuple[str, Any]], channel: str) -> tuple[Helpdesk, str]:
    clock = FakeClock("2026-03-05T16:00:00-03:00")  # Thursday, with a weekend ahead
    desk = Helpdesk(clock=clock, sla=POLICIES, ticket_ids=SequentialIds())
    phone = channel == "phone"  # opened by an agent, without the customer's message
    ticket = desk.open(
        tenant="loja",
        channel=channel,
        requester=MARIA,
        partner=SELLER,
        subject="x",
        body=None if phone else "oi",
        opened_by=ANA if phone else None,
    ).id
    authors = {"agent": ANA, "customer": MARIA, "partner": SELLER, "bot": Party.system("bot")}
    for action, value in actions:
        try:
            if action == "wait":
                clock.advance(minutes=value)
            elif action == "reply":
                desk.reply(ticket, author=authors[value], body="m", automated=value == "bot")
            elif action == "event":
                desk.transition(ticket, value, actor=ANA)
            elif action == "resolve":
                desk.resolve(ticket, actor=ANA, summary="feito")
            elif action == "priority":
                desk.set_priority(ticket, value, actor=ANA)
            else:
                desk.tick()
        except ChamadosError:
            pass
    return desk, ticket


@settings(max_examples=80, deadline=None)
@given(ACTIONS, st.sampled_from(["site", "amazon", "phone"]))
def test_replaying_the_whole_history_gives_the_clocks_kept_event_by_event(
    actions: list[tuple[str, Any]], channel: str
) -> None:
    """The state folded command by command equals a replay of the whole history."""
    desk, ticket_id = play(actions, channel)
    kept = desk.get(ticket_id)
    replayed = desk.get(ticket_id)
    replayed.sla_state = None
    SlaEngine(POLICIES, desk.workflows).refresh(
        replayed, desk.clock.now(), lambda: desk.history(ticket_id)
    )
    assert replayed.sla_clocks == kept.sla_clocks
    assert kept.sla_state is not None
    assert replayed.sla_state is not None
    strip = [
        (c.key, c.number, c.started_at, c.spans, c.running_since, c.stopped_at)
        for c in kept.sla_state.cycles
    ]
    again = [
        (c.key, c.number, c.started_at, c.spans, c.running_since, c.stopped_at)
        for c in replayed.sla_state.cycles
    ]
    assert sorted(strip) == sorted(again)


@settings(max_examples=80, deadline=None)
@given(ACTIONS)
def test_paused_time_never_counts(actions: list[tuple[str, Any]]) -> None:
    """No running span of a team clock overlaps a time the ticket waited on the customer
    or partner (the store policy pauses on 'pending'), and time used + left = target."""
    desk, ticket_id = play(actions, "site")
    ticket = desk.get(ticket_id)
    history = desk.history(ticket_id)
    workflow = desk.workflows.get(ticket.workflow)
    pending: list[tuple[Any, Any]] = []
    since = None
    for event in history:
        if isinstance(event, StatusChanged):
            paused = workflow.status_of(event.to_status).category.value == "pending"
            if paused and since is None:
                since = event.at
            elif not paused and since is not None:
                pending.append((since, event.at))
                since = None
    if since is not None:
        pending.append((since, desk.clock.now().add(years=1)))
    assert ticket.sla_state is not None
    for cycle in ticket.sla_state.cycles:
        if cycle.policy != "loja" or cycle.metric == "partner_response":
            continue
        spans = list(cycle.spans)
        if cycle.running_since is not None:
            spans.append((cycle.running_since, desk.clock.now()))
        for start, end in spans:
            for wait_start, wait_end in pending:
                assert end <= wait_start or start >= wait_end, (cycle, (start, end))
    for clock in ticket.sla_clocks:
        if clock.policy != "loja" or clock.metric not in ("first_response", "periodic_update"):
            continue
        cycle = next(c for c in ticket.sla_state.cycles if c.key == (clock.policy, clock.metric))
        used = sum((CAL.between(a, b) for a, b in cycle.spans), timedelta(0))
        if cycle.running_since is not None:
            used += CAL.between(cycle.running_since, desk.clock.now())
        target = {"first_response": 2 * H, "periodic_update": 6 * H}[clock.metric]
        assert used + clock.remaining == target


@settings(max_examples=80, deadline=None)
@given(ACTIONS, st.sampled_from(["site", "amazon", "phone"]))
def test_each_breach_is_reported_at_most_once(
    actions: list[tuple[str, Any]], channel: str
) -> None:
    """However commands and ticks interleave, one breach event per clock cycle at most."""
    desk, ticket_id = play([*actions, ("wait", 60 * 24 * 10), ("tick", ""), ("tick", "")], channel)
    breaches = Counter(
        (e.policy, e.metric, e.cycle)
        for e in desk.history(ticket_id)
        if isinstance(e, SlaBreached)
    )
    assert all(count == 1 for count in breaches.values()), breaches
    warnings = Counter(
        (e.policy, e.metric, e.cycle, getattr(e, "threshold", ""))
        for e in desk.history(ticket_id)
        if isinstance(e, SlaEvent) and e.kind == "sla_warning"
    )
    assert all(count == 1 for count in warnings.values()), warnings
