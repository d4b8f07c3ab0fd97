"""The notifier contract: what every notifier does, as pytest tests.

Subclass ``NotifierContract`` and override three things: the ``notifier`` fixture (a
notifier wired to a receiving end the test controls: a local HTTP server, a local SMTP
server, a list), ``delivered(notifier)`` (the event ids the receiving end got, in
order, repeats included) and ``fail_next(notifier, transient=...)`` (make the receiving
end refuse the next delivery). The ``scenario`` fixture gives a desk whose tickets have
gone through every kind of event, for notifiers that look tickets up. The numbers (C1,
C2...) match the list in ``docs/notifications.md``.

    class TestMyNotifier(NotifierContract):
        @pytest.fixture
        def notifier(self, scenario):
            return MyNotifier(..., tickets=scenario.desk.get)

        def delivered(self, notifier):
            return [...]

        def fail_next(self, notifier, *, transient):
            ...
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any, ClassVar

import pytest
from attrs import frozen

from chamados.desk import Helpdesk
from chamados.events import TicketEvent
from chamados.exceptions import DeliveryError
from chamados.ids import SequentialIds
from chamados.model import Party
from chamados.notify.notifier import Notifier
from chamados.sla import BusinessCalendar, SlaPolicy, Target
from chamados.testing.clock import FakeClock
from chamados.testing.notifiers import RecordingNotifier

__all__ = ["NotifierContract", "Scenario", "every_kind_of_event"]

H = timedelta(hours=1)


@frozen
class Scenario:
    """A desk and, in order, every event its tickets went through."""

    desk: Helpdesk
    clock: FakeClock
    events: tuple[TicketEvent, ...]

    def first(self, kind: str) -> TicketEvent:
        """The first event of ``kind`` (``"opened"``, ``"sla_breached"``...)."""
        return next(e for e in self.events if e.kind == kind)


def every_kind_of_event() -> Scenario:
    """Run two tickets through every kind of event chamados records: a customer's
    ticket (replies, an internal note, waiting on the customer and on a partner, an
    escalation, priority and field changes, SLA warnings and a breach, resolve, reopen,
    resolve, rate, close) and a return handled with a seller."""
    clock = FakeClock("2026-03-02T09:00:00-03:00")
    recorder = RecordingNotifier()
    store = SlaPolicy(
        name="loja",
        calendar=BusinessCalendar.always_open(timezone="America/Sao_Paulo"),
        targets={
            "first_response": Target(calendar=2 * H),
            "resolution": Target(calendar=48 * H),
            "partner_response": Target(calendar=24 * H),
        },
        warn_at=[0.5],
    )
    desk = Helpdesk(
        clock=clock,
        notifiers=[recorder],
        sla=[store],
        ticket_ids=SequentialIds("CH-"),
        tenant="loja-aurora",
    )
    maria = Party.customer("c-101", name="Maria")
    ana = Party.agent("ana", name="Ana")
    bruno = Party.agent("bruno", name="Bruno")
    seller = Party.partner("seller-9", name="Loja do Zé")
    ticket = desk.open(
        channel="site",
        requester=maria,
        partner=seller,
        subject="Pedido não chegou",
        body="Comprei há 10 dias e nada.",
        order_id="P-1001",
    ).id
    clock.advance(hours=3)  # past the first answer's warning and due time
    desk.tick()
    desk.add_note(ticket, author=ana, body="Cliente VIP, cuidado.")
    desk.reply(ticket, author=ana, body="Olá Maria, vamos verificar.")
    desk.transition(ticket, "ask_customer", actor=ana)
    clock.advance(hours=1)
    desk.reply(ticket, author=maria, body="O número é P-1001.")
    desk.transition(ticket, "ask_partner", actor=ana)
    clock.advance(hours=2)
    desk.reply(ticket, author=seller, body="Reenviamos hoje.")
    desk.set_priority(ticket, "high", actor=ana, reason="cliente VIP")
    desk.update(ticket, actor=ana, tags=["atraso"])
    desk.escalate(ticket, actor=ana, team="logistica", reason="transportadora")
    desk.assign(ticket, assignee="bruno", actor=bruno)
    clock.advance(hours=1)
    desk.resolve(ticket, actor=bruno, summary="Pedido reenviado com novo rastreio.")
    desk.reopen(ticket, actor=maria, reason="ainda não chegou")
    desk.resolve(ticket, actor=bruno, summary="Entregue hoje.")
    desk.rate(ticket, actor=maria, score=5, comment="Ótimo")
    desk.close(ticket, actor=maria)
    joao = Party.customer("c-202", name="João")
    returned = desk.open(
        channel="mercado_livre",
        requester=joao,
        partner=seller,
        subject="Quero devolver",
        workflow="returns",
    ).id
    desk.transition(returned, "forward_to_partner", actor=ana)
    kinds = {e.kind for e in recorder.events}
    missing = {
        "opened",
        "replied",
        "note_added",
        "status_changed",
        "priority_changed",
        "fields_changed",
        "escalated",
        "assigned",
        "resolved",
        "reopened",
        "rated",
        "closed",
        "sla_applied",
        "sla_paused",
        "sla_resumed",
        "sla_warning",
        "sla_breached",
        "sla_met",
    } - kinds
    assert not missing, f"the scenario lacks {missing}"
    return Scenario(desk=desk, clock=clock, events=tuple(recorder.events))


class NotifierContract:
    """Requirements C1-C5 of a notifier. Override ``notifier``, ``delivered`` and
    ``fail_next``; declare ``can_hang = True`` and override ``hang_next`` to check C5."""

    can_hang: ClassVar[bool] = False

    @pytest.fixture
    def scenario(self) -> Scenario:
        """A desk whose tickets went through every kind of event."""
        return every_kind_of_event()

    @pytest.fixture
    def notifier(self, scenario: Scenario) -> Notifier:
        """The notifier under test. Subclasses override this."""
        pytest.fail("override the `notifier` fixture in your NotifierContract subclass")

    def delivered(self, notifier: Any) -> list[str]:
        """The event ids the receiving end got, in order, repeats included."""
        raise NotImplementedError(f"{type(self).__name__} must override delivered(notifier)")

    def fail_next(self, notifier: Any, *, transient: bool) -> None:
        """Make the receiving end refuse the next delivery."""
        raise NotImplementedError(f"{type(self).__name__} must override fail_next(notifier)")

    def hang_next(self, notifier: Any) -> None:
        """Make the receiving end take longer than the notifier's timeout, once."""
        raise NotImplementedError(
            f"{type(self).__name__} declares can_hang = True but does not override hang_next"
        )

    # -- requirements ------------------------------------------------------------------

    def test_c1_every_kind_of_event_is_accepted(
        self, notifier: Notifier, scenario: Scenario
    ) -> None:
        """C1: every kind of event is delivered or left alone; nothing else is raised,
        and what arrives carries the event's id."""
        for event in scenario.events:
            notifier.notify(event)
        got = self.delivered(notifier)
        assert got, "nothing arrived"
        assert set(got) <= {e.id for e in scenario.events}

    def test_c2_a_transient_failure_is_a_transient_delivery_error(
        self, notifier: Notifier, scenario: Scenario
    ) -> None:
        """C2: a refusal worth retrying raises DeliveryError(transient=True); the next
        delivery goes through."""
        event = scenario.first("opened")
        self.fail_next(notifier, transient=True)
        with pytest.raises(DeliveryError) as caught:
            notifier.notify(event)
        assert caught.value.transient is True
        notifier.notify(event)
        assert event.id in self.delivered(notifier)

    def test_c3_a_permanent_failure_is_a_permanent_delivery_error(
        self, notifier: Notifier, scenario: Scenario
    ) -> None:
        """C3: a refusal that retrying cannot fix raises DeliveryError(transient=False)."""
        self.fail_next(notifier, transient=False)
        with pytest.raises(DeliveryError) as caught:
            notifier.notify(scenario.first("opened"))
        assert caught.value.transient is False

    def test_c4_a_repeat_arrives_with_the_same_id(
        self, notifier: Notifier, scenario: Scenario
    ) -> None:
        """C4: delivering one event twice sends it twice, with the same id, so the
        receiver can drop the repeat."""
        event = scenario.first("opened")
        notifier.notify(event)
        notifier.notify(event)
        assert self.delivered(notifier).count(event.id) >= 2

    def test_c5_a_receiver_that_hangs_is_a_transient_error_within_the_timeout(
        self, notifier: Notifier, scenario: Scenario
    ) -> None:
        """C5: a receiver slower than the timeout raises DeliveryError(transient=True)
        soon after the timeout, not when the receiver finally answers."""
        if not self.can_hang:
            pytest.skip(f"{type(self).__name__} declares can_hang = False")
        timeout = float(getattr(notifier, "timeout", 1.0))
        self.hang_next(notifier)
        start = time.monotonic()
        with pytest.raises(DeliveryError) as caught:
            notifier.notify(scenario.first("opened"))
        assert caught.value.transient is True
        assert time.monotonic() - start < timeout + 2.0
