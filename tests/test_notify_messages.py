"""Customer and partner status messages: who is told what, in which words, and never more."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pendulum
import pytest

from chamados.desk import Helpdesk
from chamados.events import Replied, TicketEvent
from chamados.exceptions import ConfigurationError, InvalidTicketError
from chamados.ids import SequentialIds
from chamados.model import Message, Party, PartyKind, Priority
from chamados.notify.messages import CustomerMessages, OutgoingMessage
from chamados.notify.templates import (
    DEFAULT_TEMPLATES,
    PLACEHOLDERS,
    TEMPLATE_KEYS,
    MessageTemplate,
)
from chamados.sla import BusinessCalendar, SlaClock, SlaPolicy, Target
from chamados.testing import FakeClock, RecordingNotifier
from chamados.testing.notifier_contract import Scenario, every_kind_of_event

H = timedelta(hours=1)
SP = "America/Sao_Paulo"

MARIA = Party.customer("c-101", name="Maria")
ANA = Party.agent("ana", name="Ana")
SELLER = Party.partner("seller-9", name="Loja do Zé")


def store_policy(calendar: BusinessCalendar | None = None, **targets: Target) -> SlaPolicy:
    """The store's SLA: answer in 2 h, resolve in 48 h, partners answer in 24 h."""
    return SlaPolicy(
        name="loja",
        calendar=calendar or BusinessCalendar.always_open(timezone=SP),
        targets={
            "first_response": Target(calendar=2 * H),
            "resolution": Target(calendar=48 * H),
            "partner_response": Target(calendar=24 * H),
            **targets,
        },
        warn_at=[0.5],
    )


@dataclass
class World:
    """A desk on a fake Monday 09:00 in São Paulo, and the messages it would send."""

    desk: Helpdesk
    clock: FakeClock
    heard: RecordingNotifier
    messages: CustomerMessages

    def open(self, **fields: Any) -> str:
        """Open Maria's ticket about a late order (with the seller as partner)."""
        fields = {
            "channel": "site",
            "requester": MARIA,
            "partner": SELLER,
            "subject": "Pedido não chegou",
            "order_id": "P-1001",
            **fields,
        }
        return self.desk.open(**fields).id

    def last(self, kind: str) -> TicketEvent:
        """The latest event of ``kind``."""
        return next(e for e in reversed(self.heard.events) if e.kind == kind)

    def said(self, kind: str, messages: CustomerMessages | None = None) -> list[OutgoingMessage]:
        """What the latest event of ``kind`` tells people, rendered now."""
        event = self.last(kind)
        writer = messages or self.messages
        return writer.render(event, self.desk.get(event.ticket_id), now=self.clock.now())


Make = Callable[..., World]


@pytest.fixture
def make_world() -> Make:
    """Builds a World; keyword arguments go to CustomerMessages (``sla=False``: no SLA)."""

    def make(*, sla: bool = True, **options: Any) -> World:
        clock = FakeClock("2026-03-02T09:00:00-03:00")
        heard = RecordingNotifier()
        policies = [store_policy()] if sla else []
        desk = Helpdesk(
            clock=clock,
            notifiers=[heard],
            sla=policies,
            ticket_ids=SequentialIds("CH-"),
            tenant="loja-aurora",
        )
        options.setdefault("sla", policies)
        return World(desk, clock, heard, CustomerMessages(store_name="Loja Aurora", **options))

    return make


@pytest.fixture
def world(make_world: Make) -> World:
    """A World writing in pt-BR."""
    return make_world()


@pytest.fixture
def world_en(make_world: Make) -> World:
    """A World writing in English."""
    return make_world(lang="en")


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    """Two tickets through every kind of event (rendering never changes them)."""
    return every_kind_of_event()


def only(messages: list[OutgoingMessage]) -> OutgoingMessage:
    """The one message in ``messages``."""
    assert len(messages) == 1, messages
    return messages[0]


# -- received ---------------------------------------------------------------------------------


def test_received_gives_the_customer_the_ticket_number_and_the_first_answer_time(
    world: World,
) -> None:
    """A new ticket tells its requester its number and when the first answer is due."""
    ticket = world.open()
    message = only(world.said("opened"))
    assert (message.to, message.template, message.lang) == (MARIA, "received", "pt-BR")
    assert message.subject == "Recebemos seu chamado CH-0001"
    assert "Olá, Maria!" in message.body
    assert f"Recebemos seu chamado {ticket} sobre “Pedido não chegou” (pedido P-1001)." in (
        message.body
    )
    assert "Nossa equipe vai responder hoje até as 11h." in message.body
    assert message.body.endswith("Equipe Loja Aurora")
    assert (message.ticket_id, message.tenant) == ("CH-0001", "loja-aurora")
    assert message.event_id == world.last("opened").id


def test_received_in_english(world_en: World) -> None:
    """The same message in English says the deadline the English way."""
    world_en.open()
    message = only(world_en.said("opened"))
    assert message.lang == "en"
    assert message.subject == "We received your ticket CH-0001"
    assert "Hello Maria," in message.body
    assert "about “Pedido não chegou” (order P-1001)" in message.body
    assert "Our team will answer today by 11 am." in message.body
    assert message.body.endswith("The Loja Aurora team")


def test_received_without_a_running_clock_promises_an_answer_soon(make_world: Make) -> None:
    """With no SLA, the promise is 'em breve' rather than a made-up time."""
    world = make_world(sla=False)
    world.open()
    assert "Nossa equipe vai responder em breve." in only(world.said("opened")).body


def test_received_is_sent_to_the_customer_who_opened_the_ticket(world: World) -> None:
    """Opening a ticket yourself still gets you its number (the one self-caused message)."""
    world.open()
    assert world.last("opened").actor == MARIA
    assert only(world.said("opened")).to == MARIA


# -- replied ---------------------------------------------------------------------------------


def test_a_public_team_reply_reaches_the_customer_with_its_text(
    world: World, world_en: World
) -> None:
    """The team's public answer is forwarded to the requester, signed by the agent."""
    for w, intro in (
        (world, "Ana respondeu ao seu chamado CH-0001"),
        (world_en, "Ana answered your ticket CH-0001"),
    ):
        ticket = w.open()
        w.desk.reply(ticket, author=ANA, body="Olá Maria, vamos verificar.")
        message = only(w.said("replied"))
        assert (message.to, message.template) == (MARIA, "replied")
        assert intro in message.body
        assert "Olá Maria, vamos verificar." in message.body


def test_a_public_reply_by_the_system_is_signed_by_the_team(world: World) -> None:
    """A reply by an integration shows as 'Nossa equipe', not as the system's id."""
    ticket = world.open()
    world.desk.reply(ticket, author=Party.system("erp"), body="Seguimos no caso.")
    assert "Nossa equipe respondeu" in only(world.said("replied")).body


def test_an_automated_reply_sends_no_new_answer_message(world: World) -> None:
    """The store's auto-acknowledgement is no answer: the customer already got 'received',
    and gets no 'Nova resposta' for it."""
    ticket = world.open()
    world.clock.advance(minutes=1)
    world.desk.reply(ticket, author=Party.system("bot"), body="Recebemos!", automated=True)
    assert world.said("replied") == []
    assert not world.messages.wants(world.last("replied"))


def test_the_customers_own_reply_is_not_echoed_back(world: World) -> None:
    """Customers and partners are not sent what they wrote themselves."""
    ticket = world.open(body="Comprei há 10 dias.")
    assert world.said("replied") == []
    world.desk.reply(ticket, author=SELLER, body="Reenviamos hoje.")
    assert world.said("replied") == []


def test_a_non_public_reply_sends_nothing(world: World) -> None:
    """A Replied event carrying a non-public message is never forwarded."""
    ticket = world.open()
    private = Message(id="m-1", author=ANA, body="segredo", at=world.clock.now(), public=False)
    event = Replied(
        id="e-1",
        ticket_id=ticket,
        tenant="loja-aurora",
        version=2,
        at=world.clock.now(),
        actor=ANA,
        message=private,
    )
    assert not world.messages.wants(event)
    assert world.messages.render(event, world.desk.get(ticket), now=world.clock.now()) == []


# -- waiting on the customer or on the partner -------------------------------------------------


def test_waiting_on_you_asks_the_customer_for_an_answer(world: World, world_en: World) -> None:
    """A move to a state the customer owns tells the requester, with the state's label."""
    for w, label in (
        (world, "Situação atual: Aguardando cliente."),
        (world_en, "Current status: Waiting on customer."),
    ):
        ticket = w.open()
        w.desk.transition(ticket, "ask_customer", actor=ANA)
        message = only(w.said("status_changed"))
        assert (message.to, message.template) == (MARIA, "waiting_on_you")
        assert label in message.body
        assert "CH-0001" in message.subject


def test_waiting_on_you_uses_the_workflow_labels(world: World) -> None:
    """In the returns workflow, an accepted return asks the customer to ship the item."""
    ticket = world.open(subject="Quero devolver", workflow="returns", order_id=None)
    world.desk.transition(ticket, "forward_to_partner", actor=ANA)
    world.desk.transition(ticket, "accept", actor=SELLER)
    message = only(world.said("status_changed"))
    assert message.template == "waiting_on_you"
    assert "Situação atual: Aguardando envio do cliente." in message.body


def test_waiting_on_partner_tells_the_customer_the_sellers_deadline(
    world: World, world_en: World
) -> None:
    """The requester hears the ticket waits on the seller, and until when."""
    for w, text in (
        (world, "para Loja do Zé, que deve responder amanhã até as 9h."),
        (world_en, "to Loja do Zé, who should answer tomorrow by 9 am."),
    ):
        ticket = w.open()
        w.desk.transition(ticket, "ask_partner", actor=ANA)
        to_customer, _ = w.said("status_changed")
        assert (to_customer.to, to_customer.template) == (MARIA, "waiting_on_partner")
        assert text in to_customer.body


def test_waiting_on_partner_asks_the_partner_to_answer_by_its_deadline(
    world: World, world_en: World
) -> None:
    """The partner gets a request to answer by its own SLA deadline."""
    for w, text in (
        (world, "Por favor, responda amanhã até as 9h."),
        (world_en, "Please answer tomorrow by 9 am."),
    ):
        ticket = w.open()
        w.desk.transition(ticket, "ask_partner", actor=ANA)
        _, to_partner = w.said("status_changed")
        assert (to_partner.to, to_partner.template) == (SELLER, "partner_request")
        assert text in to_partner.body
        assert to_partner.subject.startswith("Loja Aurora: ")


def test_without_a_partner_clock_the_partner_is_asked_as_soon_as_possible(
    make_world: Make,
) -> None:
    """No partner_response clock: the customer hears 'em breve', the seller 'o quanto antes'."""
    world = make_world(sla=False)
    ticket = world.open()
    world.desk.transition(ticket, "ask_partner", actor=ANA)
    to_customer, to_partner = world.said("status_changed")
    assert "que deve responder em breve." in to_customer.body
    assert "Por favor, responda o quanto antes." in to_partner.body


def test_a_ticket_without_partner_still_tells_the_customer_it_waits_on_the_seller(
    world: World,
) -> None:
    """With no partner on the ticket, only the customer is told, about 'o vendedor'."""
    ticket = world.open(partner=None)
    world.desk.transition(ticket, "ask_partner", actor=ANA)
    message = only(world.said("status_changed"))
    assert message.template == "waiting_on_partner"
    assert "para o vendedor, que deve responder" in message.body


def test_a_request_is_dropped_once_the_ticket_has_moved_on(world: World) -> None:
    """'We need your answer', rendered after the customer answered, sends nothing."""
    ticket = world.open()
    world.desk.transition(ticket, "ask_customer", actor=ANA)
    asked = world.last("status_changed")
    world.desk.reply(ticket, author=MARIA, body="Aqui está.")
    assert world.messages.render(asked, world.desk.get(ticket), now=world.clock.now()) == []


def test_moves_to_team_owned_states_send_nothing(world: World) -> None:
    """Starting work or putting on hold is the team's business, not a message."""
    ticket = world.open()
    world.desk.transition(ticket, "start", actor=ANA)
    assert world.said("status_changed") == []
    world.desk.transition(ticket, "hold", actor=ANA)
    assert world.said("status_changed") == []


# -- escalated, resolved, closed --------------------------------------------------------------


def test_escalated_tells_the_customer_a_specialist_has_it(world: World, world_en: World) -> None:
    """Escalation to N2 is told, with when to expect news."""
    for w, texts in (
        (world, ("encaminhado a um especialista", "Você terá um retorno hoje até as 11h.")),
        (world_en, ("passed to a specialist", "You will hear from us today by 11 am.")),
    ):
        ticket = w.open()
        w.desk.escalate(ticket, actor=ANA, team="logistica", reason="transportadora")
        message = only(w.said("escalated"))
        assert (message.to, message.template) == (MARIA, "escalated")
        for text in texts:
            assert text in message.subject + message.body


def test_resolved_gives_the_summary_and_how_to_reopen(world: World, world_en: World) -> None:
    """The resolution summary is sent with the way back: reply to this message."""
    for w, reopen in (
        (world, "responder a esta mensagem que reabrimos o chamado"),
        (world_en, "reply to this message and we will reopen the ticket"),
    ):
        ticket = w.open()
        w.desk.resolve(ticket, actor=ANA, summary="Pedido reenviado com novo rastreio.")
        message = only(w.said("resolved"))
        assert (message.to, message.template) == (MARIA, "resolved")
        assert "Pedido reenviado com novo rastreio." in message.body
        assert reopen in message.body


def test_closed_by_the_team_is_told(world: World, world_en: World) -> None:
    """Closing a ticket tells its requester."""
    for w, text in ((world, "foi encerrado"), (world_en, "is closed")):
        ticket = w.open()
        w.desk.resolve(ticket, actor=ANA, summary="Entregue.")
        w.desk.close(ticket, actor=ANA)
        message = only(w.said("closed"))
        assert (message.to, message.template) == (MARIA, "closed")
        assert text in message.body


def test_closed_by_the_customer_is_not_told_to_them(world: World) -> None:
    """Nobody is told about what they did themselves."""
    ticket = world.open()
    world.desk.resolve(ticket, actor=ANA, summary="Entregue.")
    world.desk.close(ticket, actor=MARIA)
    assert world.said("closed") == []


# -- deadline slipping -----------------------------------------------------------------------


def test_a_breach_apologises_with_a_new_estimate(world: World, world_en: World) -> None:
    """A missed first answer (due 11h, seen at 12h) gives 12h + the 2 h target again: 14h."""
    for w, texts in (
        (world, ("o prazo de primeira resposta", "Nova previsão: hoje até as 14h.")),
        (world_en, ("the first response time", "New estimate: today by 2 pm.")),
    ):
        w.open()
        w.clock.advance(hours=3)
        w.desk.tick()
        message = only(w.said("sla_breached"))
        assert (message.to, message.template) == (MARIA, "deadline_slipping")
        for text in texts:
            assert text in message.body


def apologies(world: World, messages: CustomerMessages | None = None) -> list[OutgoingMessage]:
    """Every deadline_slipping message the ticket's events render now."""
    writer = messages or world.messages
    found = []
    for event in world.heard.events:
        ticket = world.desk.get(event.ticket_id)
        found += writer.render(event, ticket, now=world.clock.now())
    return [m for m in found if m.template == "deadline_slipping"]


def test_by_default_a_missed_deadline_gets_one_apology(world: World) -> None:
    """The 50% warning (10h) says nothing; the breach (11h) apologises, once."""
    world.open()
    world.clock.advance(hours=1)
    world.desk.tick()
    assert not world.messages.wants(world.last("sla_warning"))
    assert world.said("sla_warning") == []
    world.clock.advance(hours=1, minutes=30)
    world.desk.tick()
    assert len(apologies(world)) == 1


def test_a_chosen_warning_apologises_instead_of_the_breach(make_world: Make) -> None:
    """With slip_warnings={"50%"} the customer hears at the warning, with an estimate
    from the due time (11h + 2 h = 13h); the breach that follows does not apologise
    again."""
    world = make_world(slip_warnings={"50%"})
    world.open()
    world.clock.advance(hours=1)
    world.desk.tick()
    assert "Nova previsão: hoje até as 13h." in only(world.said("sla_warning")).body
    world.clock.advance(hours=1, minutes=30)
    world.desk.tick()
    assert world.said("sla_breached") == []
    assert len(apologies(world)) == 1


def test_a_chosen_warning_overtaken_by_the_breach_still_apologises_once(
    make_world: Make,
) -> None:
    """Warning and breach seen at once: one apology, whichever is rendered."""
    world = make_world(slip_warnings={"50%"})
    world.open()
    world.clock.advance(hours=3)
    world.desk.tick()
    assert len(apologies(world)) == 1


def test_slip_warnings_chooses_which_warnings_reach_customers(make_world: Make) -> None:
    """The default () tells breaches only; naming a threshold tells that warning; None
    tells every warning."""
    world = make_world()
    world.open()
    world.clock.advance(hours=1)
    world.desk.tick()
    assert world.said("sla_warning") == []
    assert not world.messages.wants(world.last("sla_warning"))
    chosen = CustomerMessages(store_name="Loja Aurora", slip_warnings={"50%"})
    assert len(world.said("sla_warning", chosen)) == 1
    every = CustomerMessages(store_name="Loja Aurora", slip_warnings=None)
    assert len(world.said("sla_warning", every)) == 1


def test_a_clock_met_since_sends_no_apology(world: World) -> None:
    """A breach rendered after the team answered sends nothing."""
    ticket = world.open()
    world.clock.advance(hours=3)
    world.desk.tick()
    world.desk.reply(ticket, author=ANA, body="Desculpe a demora.")
    assert world.said("sla_breached") == []


def test_partner_deadlines_are_not_customer_deadlines(world: World) -> None:
    """A partner_response breach is not told to the customer."""
    ticket = world.open()
    world.desk.reply(ticket, author=ANA, body="Vamos acionar o vendedor.")
    world.desk.transition(ticket, "ask_partner", actor=ANA)
    world.clock.advance(hours=25)
    world.desk.tick()
    breach = world.last("sla_breached")
    assert breach.metric == "partner_response"  # type: ignore[attr-defined]
    assert not world.messages.wants(breach)
    assert world.said("sla_breached") == []


def _clock(started: pendulum.DateTime, due: pendulum.DateTime) -> SlaClock:
    """A breached first-response clock of policy 'loja'."""
    return SlaClock(
        policy="loja",
        metric="first_response",
        cycle=1,
        status="breached",
        target="4h business",
        started_at=started,
        due_at=due,
        breached_at=due,
        met_at=None,
        paused_for=timedelta(0),
        remaining=timedelta(0),
        computed_at=due,
    )


def test_the_new_estimate_runs_the_target_again_on_the_policys_calendar() -> None:
    """Due Friday 17h, 4 business hours (09-18h) again: Monday 12h."""
    calendar = BusinessCalendar(timezone=SP, hours={"mon-fri": "09:00-18:00"})
    policy = store_policy(calendar, first_response=Target(business=4 * H))
    messages = CustomerMessages(store_name="Loja Aurora", sla=[policy])
    due = pendulum.datetime(2026, 3, 6, 17, tz=SP)
    clock = _clock(due.subtract(hours=4), due)
    estimate = messages.new_estimate(clock, missed=due, priority=Priority.NORMAL, now=due)
    assert estimate == pendulum.datetime(2026, 3, 9, 12, tz=SP)


def test_the_new_estimate_starts_from_now_when_the_breach_is_seen_late() -> None:
    """Seen two hours after the due time, the fresh run starts now."""
    policy = store_policy(first_response=Target(calendar=4 * H))
    messages = CustomerMessages(store_name="Loja Aurora", sla=[policy])
    due = pendulum.datetime(2026, 3, 6, 17, tz=SP)
    estimate = messages.new_estimate(
        _clock(due.subtract(hours=4), due),
        missed=due,
        priority=Priority.NORMAL,
        now=due.add(hours=2),
    )
    assert estimate == pendulum.datetime(2026, 3, 6, 23, tz=SP)


def test_without_the_policy_the_new_estimate_repeats_the_elapsed_allowance() -> None:
    """Unknown policy: the clock had 5h30 from start to due, so it gets 5h30 again,
    rounded up to the hour."""
    messages = CustomerMessages(store_name="Loja Aurora")
    due = pendulum.datetime(2026, 3, 6, 17, tz=SP)
    clock = _clock(due.subtract(hours=5, minutes=30), due)
    estimate = messages.new_estimate(clock, missed=due, priority=Priority.NORMAL, now=due)
    assert estimate == pendulum.datetime(2026, 3, 6, 23, tz=SP)


# -- overrides -------------------------------------------------------------------------------


def test_an_override_replaces_one_language_of_one_template(make_world: Make) -> None:
    """Overriding the pt-BR 'received' keeps the English one and every other template."""
    custom = MessageTemplate(
        subject="[$store] Chamado ${ticket}",
        body="$greeting Seu chamado $ticket ($subject, pedido $order) chegou. "
        "Resposta: $deadline. $$0",
    )
    world = make_world(templates={("received", "pt"): custom})
    world.open()
    message = only(world.said("opened"))
    assert message.subject == "[Loja Aurora] Chamado CH-0001"
    assert message.body == (
        "Olá, Maria! Seu chamado CH-0001 (Pedido não chegou, pedido P-1001) chegou. "
        "Resposta: hoje até as 11h. $0"
    )
    english = CustomerMessages(
        store_name="Loja Aurora", templates={("received", "pt"): custom}, lang="en"
    )
    assert "We received your ticket" in only(world.said("opened", english)).body


def test_an_override_with_an_unknown_placeholder_is_refused() -> None:
    """A placeholder the template does not offer fails at construction, naming it."""
    bad = MessageTemplate(subject="Chamado $ticket", body="Resumo: $summary")
    with pytest.raises(ConfigurationError, match=r"\$summary") as caught:
        CustomerMessages(store_name="Loja", templates={("received", "pt-BR"): bad})
    assert caught.value.key == "templates"


@pytest.mark.parametrize(
    "template",
    [
        MessageTemplate(subject="Chamado $ticket", body="Custa $5"),
        MessageTemplate(subject="Chamado ${ticket", body="Olá"),
        MessageTemplate(subject="Chamado ${ticket.id}", body="Olá"),
    ],
)
def test_an_override_that_does_not_parse_is_refused(template: MessageTemplate) -> None:
    """A stray '$', an unclosed brace or attribute access is a configuration error."""
    with pytest.raises(ConfigurationError):
        CustomerMessages(store_name="Loja", templates={("closed", "en"): template})


def test_placeholders_are_names_only_so_templates_cannot_reach_into_objects(
    make_world: Make,
) -> None:
    """'$ticket.__class__' is the ticket number followed by the text '.__class__'."""
    template = MessageTemplate(subject="$ticket.__class__", body="ok")
    world = make_world(templates={("received", "pt-BR"): template})
    world.open()
    assert only(world.said("opened")).subject == "CH-0001.__class__"


def test_unknown_template_keys_languages_and_values_are_refused() -> None:
    """Keys outside TEMPLATE_KEYS, languages chamados does not speak, and non-templates."""
    good = MessageTemplate(subject="s", body="b")
    with pytest.raises(ConfigurationError, match="unknown message template key"):
        CustomerMessages(store_name="Loja", templates={("reopened", "pt-BR"): good})
    with pytest.raises(ConfigurationError, match="unknown language"):
        CustomerMessages(store_name="Loja", templates={("closed", "fr"): good})
    with pytest.raises(ConfigurationError, match="must be a MessageTemplate"):
        CustomerMessages(store_name="Loja", templates={("closed", "en"): "texto"})  # type: ignore[dict-item]
    with pytest.raises(ConfigurationError, match="unknown message template key"):
        CustomerMessages(store_name="Loja", enabled=["received", "rated"])
    with pytest.raises(ConfigurationError):
        MessageTemplate(subject="  ", body="b")
    with pytest.raises(ConfigurationError, match="store_name"):
        CustomerMessages(store_name="")


def test_every_default_template_uses_only_its_placeholders() -> None:
    """The built-in texts obey the rules overrides are held to, in both languages."""
    assert {key for key, _ in DEFAULT_TEMPLATES} == set(TEMPLATE_KEYS) == set(PLACEHOLDERS)
    assert {lang for _, lang in DEFAULT_TEMPLATES} == {"pt-BR", "en"}
    CustomerMessages(store_name="Loja", templates=dict(DEFAULT_TEMPLATES))


def test_enabled_limits_the_messages_sent(make_world: Make) -> None:
    """A store that sends its own replies can turn 'replied' off."""
    world = make_world(enabled=["received"])
    ticket = world.open()
    world.desk.reply(ticket, author=ANA, body="Olá")
    assert world.said("replied") == []
    assert len(world.said("opened")) == 1


def test_user_text_is_inserted_literally(world: World) -> None:
    """A '$placeholder' inside a summary stays text: substitution happens once."""
    ticket = world.open(subject="Cobrança\nem dobro de $5")
    world.desk.resolve(ticket, actor=ANA, summary="Estornamos $ticket e ${store}.")
    message = only(world.said("resolved"))
    assert "Estornamos $ticket e ${store}." in message.body
    assert message.subject == "Chamado CH-0001 resolvido"
    assert "“Cobrança em dobro de $5”" in message.body


def test_lang_of_chooses_each_recipients_language(make_world: Make) -> None:
    """The partner may read English while the customer reads Portuguese."""
    world = make_world(lang_of=lambda party: "en" if party.kind is PartyKind.PARTNER else None)
    ticket = world.open()
    world.desk.transition(ticket, "ask_partner", actor=ANA)
    to_customer, to_partner = world.said("status_changed")
    assert (to_customer.lang, to_partner.lang) == ("pt-BR", "en")
    assert "Please answer tomorrow by 9 am." in to_partner.body


# -- guarantees across every kind of event ----------------------------------------------------


def render_all(scenario: Scenario, lang: str) -> list[tuple[TicketEvent, OutgoingMessage]]:
    """Every message of every scenario event, rendered at the event's own instant."""
    messages = CustomerMessages(store_name="Loja Aurora", lang=lang)
    return [
        (event, message)
        for event in scenario.events
        for message in messages.render(event, scenario.desk.get(event.ticket_id), now=event.at)
    ]


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_internal_notes_and_reasons_never_reach_a_message(scenario: Scenario, lang: str) -> None:
    """No event of the scenario, in either language, carries a note or an agent's reason."""
    rendered = render_all(scenario, lang)
    assert rendered
    secrets = {"Cliente VIP, cuidado.", "cliente VIP", "VIP", "transportadora", "ainda não chegou"}
    for event, message in rendered:
        assert event.kind != "note_added"
        text = message.subject + message.body
        assert not any(secret in text for secret in secrets), (event.kind, text)
    notes = [e for e in scenario.events if e.kind == "note_added"]
    messages = CustomerMessages(store_name="Loja Aurora", lang=lang)
    for note in notes:
        assert not messages.wants(note)
        assert messages.render(note, scenario.desk.get(note.ticket_id), now=note.at) == []


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_only_customers_and_partners_ever_receive_messages(scenario: Scenario, lang: str) -> None:
    """Agents, marketplaces and the system are never recipients."""
    kinds = {message.to.kind for _, message in render_all(scenario, lang)}
    assert kinds <= {PartyKind.CUSTOMER, PartyKind.PARTNER}
    assert kinds == {PartyKind.CUSTOMER, PartyKind.PARTNER}


def test_a_marketplace_requester_gets_no_messages(world: World) -> None:
    """A ticket a marketplace opened is answered through the marketplace, not by us."""
    world.open(requester=Party.marketplace("mercado_livre"), partner=None)
    assert world.said("opened") == []


def test_events_customers_do_not_care_about_send_nothing(scenario: Scenario) -> None:
    """Assignment, priority, fields, SLA bookkeeping and ratings are not wanted."""
    messages = CustomerMessages(store_name="Loja Aurora")
    quiet = {
        "note_added",
        "assigned",
        "priority_changed",
        "fields_changed",
        "sla_applied",
        "sla_paused",
        "sla_resumed",
        "sla_met",
        "rated",
        "reopened",
    }
    for event in scenario.events:
        if event.kind in quiet:
            assert not messages.wants(event), event.kind


def test_rendering_is_deterministic(scenario: Scenario) -> None:
    """The same event, ticket and instant give equal messages, in the same order."""
    assert render_all(scenario, "pt-BR") == render_all(scenario, "pt-BR")


def test_an_event_must_be_rendered_with_its_own_ticket(scenario: Scenario) -> None:
    """Rendering CH-0001's event with CH-0002 is a caller's mistake, refused."""
    event = scenario.first("opened")
    with pytest.raises(InvalidTicketError, match="CH-0001"):
        CustomerMessages(store_name="Loja").render(
            event, scenario.desk.get("CH-0002"), now=event.at
        )
