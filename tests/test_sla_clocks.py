"""SLA clocks on real tickets: scenarios with a FakeClock in São Paulo."""

from __future__ import annotations

from datetime import date, timedelta

import pendulum
import pytest

from chamados import (
    ConcurrencyError,
    ConfigurationError,
    Helpdesk,
    MemoryStorage,
    Party,
    Priority,
    SequentialIds,
)
from chamados.events import (
    SlaApplied,
    SlaBreached,
    SlaEvent,
    SlaMet,
    SlaPaused,
    SlaResumed,
    SlaWarning,
    TicketEvent,
)
from chamados.sla import BusinessCalendar, SlaClock, SlaPolicy, Target
from chamados.storage.port import Changes, UnitOfWork
from chamados.testing import FakeClock

SP = "America/Sao_Paulo"
H = timedelta(hours=1)
CAL = BusinessCalendar(
    timezone=SP,
    hours={"mon-fri": "09:00-18:00"},
    holidays=[date(2026, 4, 3)],  # Good Friday
)
ANA, MARIA, SELLER = Party.agent("ana"), Party.customer("c-1"), Party.partner("s-9")


def sp(*args: int) -> pendulum.DateTime:
    return pendulum.datetime(*args, tz=SP)  # type: ignore[arg-type]


def store(**kwargs: object) -> SlaPolicy:
    values: dict[str, object] = {
        "name": "loja",
        "calendar": CAL,
        "targets": {
            "first_response": Target(business=4 * H),
            "next_response": Target(business=8 * H),
            "resolution": {
                Priority.URGENT: Target(business=8 * H),
                "default": Target(business_days=3),
            },
        },
        "pause_on": {"pending"},
        "warn_at": [0.75, timedelta(minutes=30)],
    }
    values.update(kwargs)
    return SlaPolicy(**values)  # type: ignore[arg-type]


def desk_at(start: str, *policies: SlaPolicy, storage: MemoryStorage | None = None) -> Helpdesk:
    return Helpdesk(
        clock=FakeClock(start),
        sla=policies or (store(),),
        ticket_ids=SequentialIds(),
        storage=storage,
    )


def clock_of(desk: Helpdesk, ticket_id: str, metric: str, policy: str = "loja") -> SlaClock:
    clocks = {(c.policy, c.metric): c for c in desk.get(ticket_id).sla_clocks}
    return clocks[(policy, metric)]


def sla_events(desk: Helpdesk, ticket_id: str) -> list[SlaEvent]:
    return [e for e in desk.history(ticket_id) if isinstance(e, SlaEvent)]


def advance(desk: Helpdesk, **kwargs: float) -> None:
    desk.clock.advance(**kwargs)  # type: ignore[attr-defined]


def goto(desk: Helpdesk, when: str) -> None:
    desk.clock.set(when)  # type: ignore[attr-defined]


def open_ticket(desk: Helpdesk, **kwargs: object) -> str:
    values: dict[str, object] = {
        "tenant": "loja-1",
        "channel": "site",
        "requester": MARIA,
        "subject": "Pedido não chegou",
        "body": "Cadê meu pedido?",
    }
    values.update(kwargs)
    return desk.open(**values).id  # type: ignore[arg-type]


class TestTheFridayTicket:
    """Opened Friday 17:30, answered at once, then waiting on the customer all weekend."""

    def test_clocks_start_with_the_ticket(self) -> None:
        """first_response and resolution start at opening, with their due times."""
        desk = desk_at("2026-03-06T17:30:00-03:00")
        t = open_ticket(desk)
        first = clock_of(desk, t, "first_response")
        assert (first.status, first.due_at) == ("running", sp(2026, 3, 9, 12, 30))
        resolution = clock_of(desk, t, "resolution")
        assert resolution.due_at == sp(2026, 3, 11, 17, 30)  # three business days
        applied = [e for e in sla_events(desk, t) if isinstance(e, SlaApplied)]
        assert [(e.metric, e.target) for e in applied] == [
            ("first_response", "4h business"),
            ("resolution", "3 business days"),
        ]

    def test_the_weekend_wait_on_the_customer_never_counts(self) -> None:
        """Paused from Friday 17:45 to Monday 10:00; only 15 business minutes were used."""
        desk = desk_at("2026-03-06T17:30:00-03:00")
        t = open_ticket(desk)
        advance(desk, minutes=15)
        desk.reply(t, author=ANA, body="Qual o número do pedido?")
        desk.transition(t, "ask_customer", actor=ANA)
        resolution = clock_of(desk, t, "resolution")
        assert (resolution.status, resolution.due_at) == ("paused", None)
        goto(desk, "2026-03-09T10:00:00-03:00")
        desk.reply(t, author=MARIA, body="A-1001")
        resolution = clock_of(desk, t, "resolution")
        assert resolution.status == "running"
        assert resolution.paused_for == sp(2026, 3, 9, 10) - sp(2026, 3, 6, 17, 45)
        assert resolution.remaining == timedelta(hours=27) - timedelta(minutes=15)
        assert resolution.due_at == CAL.add(sp(2026, 3, 9, 10), resolution.remaining)
        kinds = [type(e) for e in sla_events(desk, t) if e.metric == "resolution"]
        assert kinds == [SlaApplied, SlaPaused, SlaResumed]

    def test_first_response_is_met_by_the_human_reply(self) -> None:
        """The reply meets first_response; the customer's answer starts next_response."""
        desk = desk_at("2026-03-06T17:30:00-03:00")
        t = open_ticket(desk)
        goto(desk, "2026-03-09T09:10:00-03:00")
        desk.reply(t, author=ANA, body="Olá!")
        first = clock_of(desk, t, "first_response")
        assert (first.status, first.met_at) == ("met", sp(2026, 3, 9, 9, 10))
        advance(desk, minutes=20)
        desk.reply(t, author=MARIA, body="Oi")
        following = clock_of(desk, t, "next_response")
        assert (following.cycle, following.status) == (1, "running")
        assert following.due_at == sp(2026, 3, 9, 17, 30)


class TestAutomatedReplies:
    def test_an_auto_reply_is_not_a_response(self) -> None:
        """An automated message from the team leaves first_response running."""
        desk = desk_at("2026-03-02T09:00:00-03:00")
        t = open_ticket(desk)
        desk.reply(t, author=Party.system("bot"), body="Recebemos!", automated=True)
        desk.reply(t, author=ANA, body="Recebemos!", automated=True)
        assert clock_of(desk, t, "first_response").status == "running"
        assert not any(isinstance(e, SlaMet) for e in sla_events(desk, t))


class TestHolidaysAndPriority:
    def test_a_holiday_does_not_count(self) -> None:
        """Opened Thursday before Good Friday: the 4 hours run into Monday."""
        desk = desk_at("2026-04-02T16:00:00-03:00")
        t = open_ticket(desk)
        assert clock_of(desk, t, "first_response").due_at == sp(2026, 4, 6, 11)

    def test_raising_the_priority_mid_way_keeps_time_used_and_paused(self) -> None:
        """The target changes; the time used and the pauses stay."""
        desk = desk_at("2026-03-02T09:00:00-03:00")
        t = open_ticket(desk)
        advance(desk, hours=1)
        desk.reply(t, author=ANA, body="Vou verificar")
        desk.transition(t, "ask_customer", actor=ANA)
        advance(desk, hours=3)
        desk.reply(t, author=MARIA, body="Segue")
        advance(desk, hours=1)
        desk.set_priority(t, "urgent", actor=ANA, reason="cliente VIP")
        resolution = clock_of(desk, t, "resolution")
        # 1 hour before the wait, 1 hour after it: 8 - 2 = 6 business hours left.
        assert resolution.remaining == 6 * H
        assert resolution.paused_for == 3 * H
        assert resolution.due_at == sp(2026, 3, 3, 11)

    def test_a_priority_change_that_makes_a_clock_overdue_reports_the_breach(self) -> None:
        """The command that shortens the target reports the breach at once."""
        desk = desk_at("2026-03-02T09:00:00-03:00")
        t = open_ticket(desk)
        goto(desk, "2026-03-03T12:00:00-03:00")  # 12 business hours later
        desk.set_priority(t, "urgent", actor=ANA)
        breaches = [e for e in sla_events(desk, t) if isinstance(e, SlaBreached)]
        assert [(e.metric, e.breached_at) for e in breaches] == [
            ("first_response", sp(2026, 3, 2, 13)),
            ("resolution", sp(2026, 3, 2, 17)),
        ]


class TestReopen:
    def test_reopen_resumes_and_resolved_time_is_paused(self) -> None:
        """Resolved for two days, reopened: the clock picks up where it stopped."""
        desk = desk_at("2026-03-02T09:00:00-03:00")
        t = open_ticket(desk)
        advance(desk, hours=2)
        desk.resolve(t, actor=ANA, summary="Reenviado")
        assert clock_of(desk, t, "resolution").status == "met"
        goto(desk, "2026-03-04T10:00:00-03:00")
        desk.reopen(t, actor=MARIA, reason="não chegou")
        resolution = clock_of(desk, t, "resolution")
        assert (resolution.cycle, resolution.status) == (1, "running")
        assert resolution.paused_for == sp(2026, 3, 4, 10) - sp(2026, 3, 2, 11)
        assert resolution.remaining == timedelta(hours=27 - 2)
        kinds = [type(e) for e in sla_events(desk, t) if e.metric == "resolution"]
        assert kinds == [SlaApplied, SlaMet, SlaResumed]

    def test_reopen_can_restart_instead(self) -> None:
        """With reopen='restart' the resolution clock starts a new cycle."""
        desk = desk_at("2026-03-02T09:00:00-03:00", store(reopen="restart"))
        t = open_ticket(desk)
        advance(desk, hours=2)
        desk.resolve(t, actor=ANA, summary="Reenviado")
        advance(desk, hours=1)
        desk.reopen(t, actor=MARIA)
        resolution = clock_of(desk, t, "resolution")
        assert (resolution.cycle, resolution.remaining) == (2, timedelta(hours=27))


class TestTwoPoliciesAndWarnings:
    def test_the_marketplace_and_the_store_each_keep_their_clocks(self) -> None:
        """Amazon's 24 calendar hours run over the weekend; the store's do not."""
        amazon = SlaPolicy(
            name="amazon",
            when={"channel": "amazon"},
            calendar=CAL,
            targets={"first_response": Target(calendar=24 * H)},
        )
        desk = desk_at("2026-03-06T17:30:00-03:00", amazon, store())
        t = open_ticket(desk, channel="amazon")
        assert clock_of(desk, t, "first_response", "amazon").due_at == sp(2026, 3, 7, 17, 30)
        assert clock_of(desk, t, "first_response", "loja").due_at == sp(2026, 3, 9, 12, 30)
        goto(desk, "2026-03-07T18:00:00-03:00")
        events = desk.tick()
        assert [(type(e), e.policy) for e in events if isinstance(e, SlaEvent)] == [
            (SlaWarning, "amazon"),
            (SlaBreached, "amazon"),
        ]

    def test_each_warning_once_then_the_breach_once(self) -> None:
        """75%, then 30 minutes left, then the breach: each reported once."""
        desk = desk_at("2026-03-02T09:00:00-03:00")
        open_ticket(desk)
        seen: list[tuple[str, object]] = []
        for minute in range(0, 300, 10):
            goto(desk, sp(2026, 3, 2, 9).add(minutes=minute).isoformat())
            for event in desk.tick():
                if isinstance(event, SlaWarning):
                    seen.append((event.threshold, event.reached_at))
                elif isinstance(event, SlaBreached):
                    seen.append(("breach", event.breached_at))
        assert seen == [
            ("75%", sp(2026, 3, 2, 12)),
            ("30min left", sp(2026, 3, 2, 12, 30)),
            ("breach", sp(2026, 3, 2, 13)),
        ]

    def test_breached_stays_breached_when_met_late(self) -> None:
        """The clock records both the breach and the late answer."""
        desk = desk_at("2026-03-02T09:00:00-03:00")
        t = open_ticket(desk)
        goto(desk, "2026-03-02T15:00:00-03:00")
        desk.reply(t, author=ANA, body="Desculpe a demora")
        first = clock_of(desk, t, "first_response")
        assert (first.status, first.breached_at, first.met_at) == (
            "breached",
            sp(2026, 3, 2, 13),
            sp(2026, 3, 2, 15),
        )
        met = [e for e in sla_events(desk, t) if isinstance(e, SlaMet)]
        assert met[0].breached
        kinds = [type(e) for e in sla_events(desk, t) if e.metric == "first_response"]
        assert kinds == [SlaApplied, SlaWarning, SlaWarning, SlaBreached, SlaMet]


class TestMonitor:
    def test_the_monitor_twice_reports_once(self) -> None:
        """A second tick finds nothing left to report."""
        desk = desk_at("2026-03-02T09:00:00-03:00")
        open_ticket(desk)
        goto(desk, "2026-03-02T14:00:00-03:00")
        first = desk.tick()
        assert any(isinstance(e, SlaBreached) for e in first)
        assert desk.tick() == []

    def test_the_deadline_is_the_next_warning_or_due_time(self) -> None:
        """The stored deadline points the monitor at the next instant that matters."""
        desk = desk_at("2026-03-02T09:00:00-03:00")
        t = open_ticket(desk)
        assert desk.get(t).sla_deadline == sp(2026, 3, 2, 12)  # 75% of first_response
        goto(desk, "2026-03-02T12:05:00-03:00")
        desk.tick()
        assert desk.get(t).sla_deadline == sp(2026, 3, 2, 12, 30)

    def test_only_due_tickets_are_touched(self) -> None:
        """Tickets whose deadline has not come are not saved by the monitor."""
        desk = desk_at("2026-03-02T09:00:00-03:00")
        t = open_ticket(desk)
        goto(desk, "2026-03-02T10:00:00-03:00")
        assert desk.tick() == []
        assert desk.get(t).version == 1

    def test_two_monitors_at_the_same_time_report_once(self) -> None:
        """One monitor saves first; the other retries, finds the events recorded."""
        storage = InterleavingStorage()
        clock = FakeClock("2026-03-02T09:00:00-03:00")
        a = Helpdesk(storage=storage, clock=clock, sla=[store()], ticket_ids=SequentialIds())
        b = Helpdesk(storage=storage, clock=clock, sla=[store()])
        t = open_ticket(a)
        clock.set("2026-03-02T14:00:00-03:00")
        from_b: list[TicketEvent] = []
        storage.before_commit.append(lambda: from_b.extend(b.tick()))
        from_a = a.tick()
        breaches = [e for e in from_a + from_b if isinstance(e, SlaBreached)]
        assert len(breaches) == 1
        assert len([e for e in sla_events(a, t) if isinstance(e, SlaBreached)]) == 1

    def test_a_ticket_that_keeps_changing_is_left_for_the_next_tick(
        self, caplog: pytest.LogCaptureFixture
    ) -> None:
        """The monitor gives up on a ticket after a few conflicts and logs it."""
        storage = InterleavingStorage()
        desk = desk_at("2026-03-02T09:00:00-03:00", storage=storage)
        t = open_ticket(desk)
        goto(desk, "2026-03-02T14:00:00-03:00")
        # Another worker whose commands change the ticket but, behind in time, report
        # nothing of the SLA (a desk without policies would end the clocks instead).
        other = Helpdesk(
            storage=storage, clock=FakeClock("2026-03-02T09:30:00-03:00"), sla=[store()]
        )
        for n in range(3):
            storage.before_commit.append(lambda n=n: other.add_note(t, author=ANA, body=f"{n}"))
        assert desk.tick() == []
        assert "gave up" in caplog.text
        assert any(isinstance(e, SlaBreached) for e in desk.tick())


class InterleavingStorage(MemoryStorage):
    """Runs queued callbacks just before the next commit (another worker's work), and
    holds no tickets (an adapter that only checks versions), so that work can change
    the ticket under the command committing."""

    def __init__(self) -> None:
        super().__init__()
        self.before_commit: list[object] = []
        self.busy = False

    def unit_of_work(self) -> UnitOfWork:
        uow = super().unit_of_work()
        uow._get_locked = uow._get  # type: ignore[method-assign]
        inner = uow._commit  # type: ignore[attr-defined]

        def commit(changes: Changes) -> None:
            if self.before_commit and not self.busy:  # the callback's own commits pass
                self.busy = True
                try:
                    self.before_commit.pop(0)()  # type: ignore[operator]
                finally:
                    self.busy = False
            inner(changes)

        uow._commit = commit  # type: ignore[attr-defined]
        return uow


class TestOtherMetrics:
    def test_next_response_cycles(self) -> None:
        """Each customer message after a team reply starts a new cycle."""
        desk = desk_at("2026-03-02T09:00:00-03:00")
        t = open_ticket(desk)
        for n in range(3):
            advance(desk, minutes=10)
            desk.reply(t, author=ANA, body=f"resposta {n}")
            advance(desk, minutes=10)
            desk.reply(t, author=MARIA, body=f"pergunta {n}")
            desk.reply(t, author=MARIA, body="e mais uma coisa")  # same cycle
        following = clock_of(desk, t, "next_response")
        assert (following.cycle, following.status) == (3, "running")
        met = [
            e for e in sla_events(desk, t) if isinstance(e, SlaMet) and e.metric == "next_response"
        ]
        assert [e.cycle for e in met] == [1, 2]

    def test_periodic_update(self) -> None:
        """The longest gap between public team updates while the ticket is open."""
        policy = store(targets={"periodic_update": Target(business=2 * H)})
        desk = desk_at("2026-03-02T09:00:00-03:00", policy)
        t = open_ticket(desk)
        desk.reply(t, author=ANA, body="Estamos vendo")
        goto(desk, "2026-03-02T12:00:00-03:00")
        events = desk.tick()
        assert [e.metric for e in events if isinstance(e, SlaBreached)] == ["periodic_update"]
        desk.reply(t, author=ANA, body="Atualização")
        update = clock_of(desk, t, "periodic_update")
        assert (update.cycle, update.status, update.due_at) == (2, "running", sp(2026, 3, 2, 14))
        desk.resolve(t, actor=ANA, summary="ok")
        assert clock_of(desk, t, "periodic_update").status == "met"

    def test_partner_response(self) -> None:
        """Runs while the partner owes the answer; met when the partner replies."""
        policy = SlaPolicy(
            name="parceiros",
            calendar=CAL,
            targets={"partner_response": Target(business=24 * H)},
        )
        desk = desk_at("2026-03-02T09:00:00-03:00", policy)
        t = open_ticket(desk, partner=SELLER)
        assert desk.get(t).sla_clocks == ()
        desk.transition(t, "ask_partner", actor=ANA)
        partner = clock_of(desk, t, "partner_response", "parceiros")
        assert (partner.status, partner.due_at) == ("running", sp(2026, 3, 4, 15))
        advance(desk, hours=5)
        desk.reply(t, author=SELLER, body="Enviado")
        partner = clock_of(desk, t, "partner_response", "parceiros")
        assert (partner.status, partner.met_at) == ("met", sp(2026, 3, 2, 14))
        desk.transition(t, "ask_partner", actor=ANA)
        assert clock_of(desk, t, "partner_response", "parceiros").cycle == 2


class TestRecomputation:
    def test_a_new_pause_rule_rebuilds_the_clocks_from_history(self) -> None:
        """Changing a policy's pause set replays the history under the new rule."""
        storage = MemoryStorage()
        before = desk_at("2026-03-02T09:00:00-03:00", store(), storage=storage)
        t = open_ticket(before)
        advance(before, hours=1)
        before.reply(t, author=ANA, body="Aguardando")
        before.transition(t, "ask_customer", actor=ANA)
        advance(before, hours=2)
        assert clock_of(before, t, "resolution").status == "paused"
        after = Helpdesk(
            storage=storage,
            clock=before.clock,
            sla=[store(pause_on=set())],
            ticket_ids=SequentialIds(),
        )
        resolution = clock_of(after, t, "resolution")
        assert (resolution.status, resolution.paused_for) == ("running", timedelta(0))

    def test_a_calendar_change_applies_at_once(self) -> None:
        """Another calendar moves the due times without a replay or lost pauses."""
        storage = MemoryStorage()
        before = desk_at("2026-03-02T09:00:00-03:00", store(), storage=storage)
        t = open_ticket(before)
        longer = BusinessCalendar(timezone=SP, hours={"mon-fri": "08:00-20:00"})
        after = Helpdesk(storage=storage, clock=before.clock, sla=[store(calendar=longer)])
        assert clock_of(after, t, "first_response").due_at == sp(2026, 3, 2, 13)

    def test_reads_show_the_clock_as_of_now(self) -> None:
        """get() shows a clock that ran out as breached even before the monitor runs."""
        desk = desk_at("2026-03-02T09:00:00-03:00")
        t = open_ticket(desk)
        goto(desk, "2026-03-02T14:00:00-03:00")
        assert clock_of(desk, t, "first_response").status == "breached"
        assert not any(isinstance(e, SlaBreached) for e in sla_events(desk, t))


class TestExpectations:
    def test_the_customer_reads_when_to_expect_an_answer(self) -> None:
        """The next answer and the resolution, in pt-BR and English."""
        desk = desk_at("2026-03-06T17:30:00-03:00")
        t = open_ticket(desk)
        pt = desk.expectations(t)
        assert pt.next_answer == sp(2026, 3, 9, 12, 30)
        assert pt.next_answer_text == "até segunda-feira às 12h30"
        assert pt.resolution_text == "até quarta-feira às 17h30"
        en = desk.expectations(t, lang="en")
        assert en.next_answer_text == "by Monday at 12:30 pm"

    def test_nothing_is_promised_while_waiting_on_the_customer(self) -> None:
        """Paused clocks promise nothing."""
        desk = desk_at("2026-03-02T09:00:00-03:00")
        t = open_ticket(desk)
        desk.reply(t, author=ANA, body="Pode mandar foto?")
        desk.transition(t, "ask_customer", actor=ANA)
        expectations = desk.expectations(t)
        assert (expectations.next_answer, expectations.resolution) == (None, None)


def test_policy_names_are_unique() -> None:
    """Two policies with one name would share clocks."""
    with pytest.raises(ConfigurationError, match="named 'loja'"):
        Helpdesk(sla=[store(), store()])


def test_a_desk_without_policies_keeps_no_clocks() -> None:
    """No SLA, no clocks, no monitor work."""
    desk = Helpdesk(clock=FakeClock())
    t = open_ticket(desk)
    assert desk.get(t).sla_clocks == ()
    assert desk.tick() == []


def test_concurrency_error_is_still_raised_for_commands() -> None:
    """SLA bookkeeping does not hide a stale save."""
    storage = InterleavingStorage()
    desk = desk_at("2026-03-02T09:00:00-03:00", storage=storage)
    t = open_ticket(desk)
    storage.before_commit.append(lambda: desk.add_note(t, author=ANA, body="antes"))
    with pytest.raises(ConcurrencyError):
        desk.set_priority(t, "high", actor=ANA)


def test_a_policy_that_starts_to_apply_mid_way_is_replayed_from_the_history() -> None:
    """Raising the priority brings in the urgent policy, with clocks from the opening."""
    urgent = SlaPolicy(
        name="urgente",
        when={"priority": "urgent"},
        calendar=CAL,
        targets={"resolution": Target(business=4 * H)},
    )
    desk = desk_at("2026-03-02T09:00:00-03:00", urgent, store())
    t = open_ticket(desk)
    assert {c.policy for c in desk.get(t).sla_clocks} == {"loja"}
    goto(desk, "2026-03-02T11:00:00-03:00")
    desk.set_priority(t, "urgent", actor=ANA)
    resolution = clock_of(desk, t, "resolution", "urgente")
    assert (resolution.started_at, resolution.due_at) == (sp(2026, 3, 2, 9), sp(2026, 3, 2, 13))
    applied = [
        e for e in sla_events(desk, t) if isinstance(e, SlaApplied) and e.policy == "urgente"
    ]
    assert len(applied) == 1
    desk.set_priority(t, "high", actor=ANA)
    assert {c.policy for c in desk.get(t).sla_clocks} == {"loja"}


class TestADeskWithoutPolicies:
    """Item 7: removing every policy ends the clocks, as a policy that stops matching does."""

    def desks(self) -> tuple[Helpdesk, Helpdesk, str]:
        storage = MemoryStorage()
        before = desk_at("2026-03-02T09:00:00-03:00", store(), storage=storage)
        t = open_ticket(before)
        after = Helpdesk(storage=storage, clock=before.clock, sla=[])
        return before, after, t

    def test_reads_show_no_clocks(self) -> None:
        """get() on a desk without policies shows none of the clocks the ticket carried."""
        _, after, t = self.desks()
        ticket = after.get(t)
        assert (ticket.sla_clocks, ticket.sla_deadline) == ((), None)

    def test_nothing_is_promised_to_the_customer(self) -> None:
        """expectations() promises no answer and no resolution."""
        _, after, t = self.desks()
        expected = after.expectations(t)
        assert (expected.next_answer_text, expected.resolution_text) == (None, None)

    def test_a_command_saves_the_ticket_without_clocks(self) -> None:
        """The first command stores the ticket with no clocks, state or deadline, and
        records no SLA event."""
        _, after, t = self.desks()
        after.add_note(t, author=ANA, body="sem SLA agora")
        stored = after.storage.unit_of_work().get(t, tenant=None)
        assert (stored.sla_state, stored.sla_clocks, stored.sla_deadline) == (None, (), None)
        assert [type(e) for e in sla_events(after, t)] == [SlaApplied, SlaApplied]

    def test_the_monitor_ends_stale_deadlines_and_records_nothing(self) -> None:
        """A tick after the old deadline clears it, so the ticket is not due again."""
        _, after, t = self.desks()
        goto(after, "2026-03-02T14:00:00-03:00")
        assert after.tick() == []
        stored = after.storage.unit_of_work().get(t, tenant=None)
        assert (stored.sla_clocks, stored.sla_deadline) == ((), None)
        assert after.tick() == []
        assert not any(isinstance(e, SlaBreached) for e in sla_events(after, t))

    def test_a_ticket_that_never_had_clocks_is_left_alone(self) -> None:
        """Without policies and without clocks, a command never reads the history for SLA."""
        desk = Helpdesk(clock=FakeClock("2026-03-02T09:00:00-03:00"), ticket_ids=SequentialIds())
        t = open_ticket(desk)
        desk.add_note(t, author=ANA, body="nota")
        stored = desk.storage.unit_of_work().get(t, tenant=None)
        assert (stored.sla_state, stored.sla_clocks, stored.sla_deadline) == (None, (), None)

    def test_policies_brought_back_rebuild_the_clocks_from_the_history(self) -> None:
        """A desk with the policy again replays the history: the clocks are as if kept."""
        _, after, t = self.desks()
        after.add_note(t, author=ANA, body="sem SLA agora")
        again = Helpdesk(storage=after.storage, clock=after.clock, sla=[store()])
        first = clock_of(again, t, "first_response")
        assert (first.status, first.due_at) == ("running", sp(2026, 3, 2, 13))


class TestPauseNamesAreChecked:
    """Item 13: pause_on names a state category or a status of a registered workflow."""

    def test_a_typo_is_refused_when_the_desk_is_built(self) -> None:
        """'waiting' is neither: the error names it, suggests the statuses it resembles
        and lists the categories."""
        with pytest.raises(ConfigurationError, match="'waiting'") as caught:
            Helpdesk(sla=[store(pause_on={"waiting"})])
        assert caught.value.key == "pause_on"
        message = str(caught.value)
        assert "waiting_customer" in message
        assert "pending" in message

    def test_a_typo_in_a_per_metric_pause_set_is_refused(self) -> None:
        """Mappings per metric are checked too, naming the metric."""
        with pytest.raises(ConfigurationError, match="for resolution names 'on-hold'") as caught:
            Helpdesk(sla=[store(pause_on={"resolution": {"on-hold"}})])
        assert caught.value.key == "pause_on"

    def test_categories_and_statuses_of_every_registered_workflow_are_accepted(self) -> None:
        """A category, a standard status and a status of the returns workflow all pass."""
        desk = Helpdesk(sla=[store(pause_on={"on_hold", "waiting_customer", "awaiting_partner"})])
        assert desk.sla.policies[0].pause_on["resolution"] == {
            "on_hold",
            "waiting_customer",
            "awaiting_partner",
        }


class TestFirstResponseFromTheCustomersMessage:
    """first_response_from="customer_message" (Zammad, Request Tracker): the first
    response clock starts when the customer first writes, not when the team opens a
    ticket for them."""

    def policy(self, **kwargs: object) -> SlaPolicy:
        return store(first_response_from="customer_message", **kwargs)

    def test_a_ticket_the_team_opens_has_no_first_response_clock_yet(self) -> None:
        """Opened by an agent without a message: nothing runs, nothing is promised."""
        desk = desk_at("2026-03-02T09:00:00-03:00", self.policy())
        t = open_ticket(desk, opened_by=ANA, body=None)
        assert {c.metric for c in desk.get(t).sla_clocks} == {"resolution"}
        assert desk.expectations(t).next_answer is None

    def test_the_clock_starts_at_the_customers_first_message(self) -> None:
        """The customer writes Monday 16:00: four business hours run out Tuesday 11:00."""
        desk = desk_at("2026-03-02T09:00:00-03:00", self.policy())
        t = open_ticket(desk, opened_by=ANA, body=None)
        goto(desk, "2026-03-02T16:00:00-03:00")
        desk.reply(t, author=MARIA, body="Alô? Preciso de ajuda.")
        first = clock_of(desk, t, "first_response")
        assert (first.started_at, first.due_at) == (sp(2026, 3, 2, 16), sp(2026, 3, 3, 11))

    def test_a_message_the_customer_writes_when_opening_starts_it_at_once(self) -> None:
        """A body is the customer's own message: the clock starts with the ticket."""
        desk = desk_at("2026-03-02T09:00:00-03:00", self.policy())
        t = open_ticket(desk)
        assert clock_of(desk, t, "first_response").due_at == sp(2026, 3, 2, 13)

    def test_automated_and_internal_messages_do_not_start_it(self) -> None:
        """An auto-responder's message, or a note, is not the customer writing."""
        desk = desk_at("2026-03-02T09:00:00-03:00", self.policy())
        t = open_ticket(desk, opened_by=ANA, body=None)
        desk.reply(t, author=MARIA, body="Estou de férias.", automated=True)
        desk.reply(t, author=ANA, body="nota", public=False)
        assert "first_response" not in {c.metric for c in desk.get(t).sla_clocks}

    def test_after_a_team_message_the_customer_starts_next_response(self) -> None:
        """The team wrote first (outreach): the customer's answer owes a next response."""
        desk = desk_at("2026-03-02T09:00:00-03:00", self.policy())
        t = open_ticket(desk, opened_by=ANA, body=None)
        desk.reply(t, author=ANA, body="Seu pedido vai atrasar.")
        advance(desk, hours=1)
        desk.reply(t, author=MARIA, body="Por quê?")
        metrics = {c.metric for c in desk.get(t).sla_clocks}
        assert "next_response" in metrics
        assert "first_response" not in metrics

    def test_the_default_starts_with_the_ticket(self) -> None:
        """Unchanged by default: a ticket the team opens runs its first response clock."""
        desk = desk_at("2026-03-02T09:00:00-03:00")
        t = open_ticket(desk, opened_by=ANA, body=None)
        assert clock_of(desk, t, "first_response").due_at == sp(2026, 3, 2, 13)

    def test_unknown_values_are_refused(self) -> None:
        """Only 'opening' and 'customer_message'."""
        with pytest.raises(ConfigurationError) as caught:
            store(first_response_from="customer")
        assert caught.value.key == "first_response_from"


class TestStartAfter:
    """start_after (Request Tracker's Starts): the clocks that start with the ticket count
    from that long after the opening. Due times computed by hand on CAL (mon-fri 09-18,
    Good Friday 2026-04-03 closed)."""

    def test_business_hours_of_grace_move_every_opening_clock(self) -> None:
        """Opened Monday 17:00, two business hours of grace: counting starts Tuesday
        10:00; four business hours of first response are due Tuesday 14:00, and three
        business days of resolution Friday 10:00."""
        desk = desk_at("2026-03-02T17:00:00-03:00", store(start_after=Target(business=2 * H)))
        t = open_ticket(desk)
        assert clock_of(desk, t, "first_response").due_at == sp(2026, 3, 3, 14)
        assert clock_of(desk, t, "resolution").due_at == sp(2026, 3, 6, 10)

    def test_a_grace_of_business_days_skips_the_holiday(self) -> None:
        """Opened Thursday 2026-04-02 10:00 with one business day of grace: counting
        starts Monday 10:00 (Good Friday is closed); due Monday 14:00."""
        desk = desk_at("2026-04-02T10:00:00-03:00", store(start_after=Target(business_days=1)))
        t = open_ticket(desk)
        assert clock_of(desk, t, "first_response").due_at == sp(2026, 4, 6, 14)

    def test_a_reply_during_the_grace_meets_the_clock_with_nothing_used(self) -> None:
        """Answered before counting began: met, with the whole target left."""
        desk = desk_at("2026-03-02T17:00:00-03:00", store(start_after=Target(business=2 * H)))
        t = open_ticket(desk)
        goto(desk, "2026-03-03T09:30:00-03:00")
        desk.reply(t, author=ANA, body="Bom dia!")
        first = clock_of(desk, t, "first_response")
        assert (first.status, first.remaining) == ("met", 4 * H)

    def test_later_cycles_count_at_once(self) -> None:
        """A next response started after the grace counts from the customer's message:
        Monday 13:00 plus eight business hours is Tuesday 12:00."""
        desk = desk_at("2026-03-02T09:00:00-03:00", store(start_after=Target(business=2 * H)))
        t = open_ticket(desk)
        goto(desk, "2026-03-02T12:00:00-03:00")
        desk.reply(t, author=ANA, body="Olá")
        goto(desk, "2026-03-02T13:00:00-03:00")
        desk.reply(t, author=MARIA, body="Oi")
        assert clock_of(desk, t, "next_response").due_at == sp(2026, 3, 3, 12)

    def test_warnings_come_after_the_grace(self) -> None:
        """75% of four hours is three hours of counting: Tuesday 13:00, not Monday."""
        desk = desk_at("2026-03-02T17:00:00-03:00", store(start_after=Target(business=2 * H)))
        open_ticket(desk)
        goto(desk, "2026-03-03T12:59:00-03:00")
        assert not [e for e in desk.tick() if isinstance(e, SlaWarning)]
        goto(desk, "2026-03-03T13:00:00-03:00")
        [warning] = [e for e in desk.tick() if isinstance(e, SlaWarning)]
        assert (warning.metric, warning.reached_at) == ("first_response", sp(2026, 3, 3, 13))

    def test_the_grace_must_be_a_target(self) -> None:
        """start_after takes a Target, like the targets themselves."""
        with pytest.raises(ConfigurationError) as caught:
            store(start_after=2 * H)
        assert caught.value.key == "start_after"
