"""The demo: four days of a marketplace store's support, told as a timeline.

Loja Aurora sells on its own site and on Mercado Livre and Amazon, and partners with
sellers. Tickets arrive by site, e-mail, marketplace messages and the partner portal on
the Thursday before Good Friday; the team answers, waits on customers and partners,
escalates a payment problem to N2, handles a return through the marketplace returns
workflow and resolves. Then comes the holiday and the weekend, during which Amazon's
24-calendar-hour clock keeps running while the store's business-hour clocks wait, and on
Monday a customer reopens. ``run_demo`` prints each event as it happens, the SLA clocks
at the end of each day, and the final state of every ticket.
"""

from __future__ import annotations

import tomllib
from datetime import timedelta
from importlib import resources
from typing import Any, TextIO

from chamados.desk import Helpdesk
from chamados.events import TicketEvent
from chamados.exceptions import ConfigurationError
from chamados.ids import SequentialIds
from chamados.labels import language
from chamados.model import Party, Priority
from chamados.notify.messages import CustomerMessages, OutgoingMessage
from chamados.notify.notifiers import Route
from chamados.policies import Policies, parse_policies
from chamados.reports.render import render_report
from chamados.sla import METRICS, BusinessCalendar, SlaPolicy, Target
from chamados.sla.presets import amazon as amazon_preset
from chamados.sla.wording import CLOCK_STATUS_LABELS, METRIC_LABELS
from chamados.storage import MemoryStorage, Storage
from chamados.testing.clock import FakeClock

__all__ = ["continue_demo", "demo_automation", "demo_policies", "run_demo"]

TENANT = "loja-aurora"
ZONE = "America/Sao_Paulo"
H = timedelta(hours=1)


class _TimelinePrinter:
    """A notifier that prints every event with the workflow's labels."""

    def __init__(self, out: TextIO, lang: str) -> None:
        self.out = out
        self.lang = lang
        self.desk: Helpdesk | None = None
        self.broken_pipe = False

    def notify(self, event: TicketEvent) -> None:
        assert self.desk is not None
        workflow = self.desk.workflows.get(self.desk.get(event.ticket_id).workflow)
        when = event.at.in_timezone(ZONE).format("ddd HH:mm", locale=_locale(self.lang))
        self.line(f"  {when}  {event.ticket_id}  {workflow.describe(event, lang=self.lang)}")

    def line(self, text: str = "") -> None:
        if self.broken_pipe:
            return
        try:
            print(text, file=self.out)
        except BrokenPipeError:
            self.broken_pipe = True  # the reader left (`chamados demo | head`): stop writing


class _MessagePrinter:
    """A notifier that writes what customers and partners would receive, as the
    e-mail notifier would send it: one line per message as it goes, and every message
    kept for the end of the demo."""

    name = "customer-messages"

    def __init__(self, printer: _TimelinePrinter, lang: str) -> None:
        self.printer = printer
        self.messages = CustomerMessages(store_name="Loja Aurora", lang=lang, sla=demo_policies())
        self.sent: list[OutgoingMessage] = []

    def wants(self, event: TicketEvent) -> bool:
        return self.messages.wants(event)

    def notify(self, event: TicketEvent) -> None:
        desk = self.printer.desk
        assert desk is not None
        for message in self.messages.render(event, desk.get(event.ticket_id), now=event.at):
            self.sent.append(message)
            to = message.to.name or message.to.id
            self.printer.line(f"                         ✉ {to}: {message.subject}")


def _locale(lang: str) -> str:
    return "pt_br" if lang == "pt-BR" else "en"


def demo_policies() -> list[SlaPolicy]:
    """The demo store's SLAs: its own, Amazon's, and one for its partner sellers."""
    calendar = BusinessCalendar.brazil(
        subdivision="SP", hours={"mon-fri": ["09:00-12:00", "13:00-18:00"]}
    )
    store = SlaPolicy(
        name="loja",
        calendar=calendar,
        targets={
            "first_response": Target(business=4 * H),
            "next_response": Target(business=8 * H),
            "resolution": {
                Priority.URGENT: Target(business=8 * H),
                Priority.HIGH: Target(business=16 * H),
                "default": Target(business_days=3),
            },
        },
        pause_on={"pending"},
        warn_at=[0.75, timedelta(minutes=30)],
    )
    partners = SlaPolicy(
        name="parceiros",
        when=lambda ticket: ticket.partner is not None,
        calendar=calendar,
        targets={"partner_response": Target(business=24 * H)},
    )
    return [amazon_preset(calendar=calendar), store, partners]


def demo_automation() -> Policies:
    """The demo store's priority rules, routes, agents and SLA actions (the same file as
    ``examples/policies.toml``)."""
    text = resources.files("chamados").joinpath("demo_policies.toml").read_text("utf-8")
    return parse_policies(tomllib.loads(text), source="demo_policies.toml")


def _desk(
    storage: Storage, clock: FakeClock, printer: _TimelinePrinter, mail: _MessagePrinter
) -> Helpdesk:
    desk = Helpdesk(
        storage=storage,
        clock=clock,
        ticket_ids=SequentialIds("CH-"),
        notifiers=[Route(printer, name="timeline"), Route(mail, name="customer-messages")],
        sla=demo_policies(),
        policies=demo_automation(),
        tenant=TENANT,
    )
    printer.desk = desk
    return desk


def run_demo(out: TextIO, *, lang: str = "pt-BR", storage: Storage | None = None) -> Helpdesk:
    """Run the four days, printing to ``out`` in ``lang``; return the desk.

    The tickets go to ``storage`` (in memory when ``None``), which must hold no tickets
    of the demo's store yet.
    """
    lang = language(lang)
    pt = lang == "pt-BR"
    clock = FakeClock("2026-04-02T08:00:00-03:00")
    printer = _TimelinePrinter(out, lang)
    mail = _MessagePrinter(printer, lang)
    desk = _desk(storage if storage is not None else MemoryStorage(), clock, printer, mail)
    if desk.tickets(limit=1):
        raise ConfigurationError(
            f"the demo needs a storage without tickets of {TENANT!r}; {desk.storage!r} has "
            f"some (continue it with `chamados demo --continue`)",
            key="storage",
        )

    names = {
        "ana": "Ana (N1)",
        "bruno": "Bruno (N1)",
        "felipe": "Felipe (N1 financeiro)",
        "carla": "Carla (N2 financeiro)",
        "diego": "Diego (marketplace)",
    }

    def handler(ticket_id: str) -> Party:
        """The agent the routing and assignment policies gave the ticket."""
        assignee = desk.get(ticket_id).assignee
        assert assignee is not None
        return Party.agent(assignee, name=names[assignee])

    bot = Party.system("autoresposta", name="Autoresposta")
    maria = Party.customer("c-101", name="Maria")
    joao = Party.customer("c-202", name="João")
    lucia = Party.customer("c-303", name="Lúcia")
    rafael = Party.customer("c-404", name="Rafael")
    pedro = Party.customer("amzn-77", name="Pedro")
    seller = Party.partner("seller-9", name="Loja do Zé")
    amazon = Party.marketplace("amazon", name="Amazon")

    def at(day: str, hhmm: str) -> None:
        clock.set(f"2026-04-{day}T{hhmm}:00-03:00")

    def heading(pt_text: str, en_text: str) -> None:
        printer.line()
        printer.line(pt_text if pt else en_text)

    printer.line(
        "Loja Aurora — quatro dias de atendimento (2 a 6 de abril de 2026, com a "
        "Sexta-feira Santa)"
        if pt
        else "Loja Aurora — four days of support (2 to 6 April 2026, with Good Friday)"
    )
    heading("Quinta-feira, 2 de abril", "Thursday, 2 April")

    at("02", "08:12")
    payment = desk.open(
        channel="site",
        requester=maria,
        subject="Pagamento aprovado, mas o pedido foi cancelado",
        body="Paguei no cartão e recebi e-mail de cancelamento do pedido A-1001.",
        category="pagamento",
        order_id="A-1001",
        idempotency_key="site-form-88231",
    )
    desk.reply(
        payment.id,
        author=bot,
        body="Recebemos seu chamado e responderemos em breve.",
        automated=True,
    )

    at("02", "08:31")
    message: dict[str, Any] = {
        "channel": "mercado_livre",
        "requester": joao,
        "partner": seller,
        "subject": "Quando chega meu pedido?",
        "body": "Comprei há 8 dias e o rastreio não atualiza.",
        "category": "entrega",
        "order_id": "ML-4417",
        "idempotency_key": "ML-MSG-99102",
    }
    delivery = desk.open(**message)
    again = desk.open(**message)  # the marketplace delivered the same message again
    printer.line(
        f"  qui 08:31  {again.id}  (mensagem ML-MSG-99102 entregue de novo pelo Mercado Livre: "
        f"mesmo chamado)"
        if pt
        else f"  Thu 08:31  {again.id}  (message ML-MSG-99102 delivered again by Mercado Livre: "
        f"same ticket)"
    )

    at("02", "08:47")
    claim = desk.open(
        channel="amazon",
        requester=lucia,
        partner=seller,
        subject="Liquidificador chegou com a jarra trincada",
        body="Quero devolver, a jarra veio trincada.",
        category="devolucao",
        order_id="AMZ-702-1180",
        workflow="returns",
    )

    at("02", "09:02")
    payout = desk.open(
        channel="portal_parceiro",
        requester=seller,
        partner=seller,
        subject="Repasse da semana não caiu",
        body="O repasse dos pedidos de 23/03 a 29/03 não entrou na conta.",
        category="disputa",
    )

    at("02", "09:15")
    spam = desk.open(channel="site", requester=rafael, subject="GANHE DINHEIRO RÁPIDO", body="...")

    felipe, logistics, diego = handler(payment.id), handler(delivery.id), handler(claim.id)
    partners_desk = handler(payout.id)

    at("02", "09:20")
    desk.reply(payment.id, author=felipe, body="Olá, Maria! Pode nos enviar o comprovante?")
    desk.transition(payment.id, "ask_customer", actor=felipe)
    desk.transition(spam.id, "cancel", actor=handler(spam.id), reason="spam")

    at("02", "09:40")
    desk.reply(delivery.id, author=logistics, body="Olá, João! Vamos confirmar com o vendedor.")
    desk.transition(delivery.id, "ask_partner", actor=logistics, reason="rastreio parado")
    desk.add_note(
        delivery.id, author=logistics, body="Terceira reclamação de atraso deste vendedor."
    )

    at("02", "10:05")
    desk.transition(claim.id, "forward_to_partner", actor=diego)
    desk.reply(claim.id, author=diego, body="Encaminhamos seu pedido de devolução ao vendedor.")

    at("02", "10:30")
    desk.reply(payment.id, author=maria, body="Segue o comprovante do cartão.")

    at("02", "11:10")
    desk.escalate(
        payment.id,
        actor=felipe,
        reason="gateway estornou e recobrou; precisa de análise do N2",
    )
    desk.set_priority(payment.id, "urgent", actor=felipe, reason="cobrança em duplicidade")
    carla = handler(payment.id)

    at("02", "11:45")
    desk.reply(delivery.id, author=seller, body="Reenviamos hoje, novo rastreio BR123456789.")
    desk.transition(claim.id, "accept", actor=seller)

    at("02", "13:20")
    desk.reply(
        payout.id, author=partners_desk, body="Pode nos enviar as notas fiscais do período?"
    )
    desk.transition(payout.id, "ask_partner", actor=partners_desk)

    at("02", "13:30")
    desk.reply(delivery.id, author=logistics, body="Seu pedido foi reenviado: BR123456789.")
    desk.resolve(
        delivery.id, actor=logistics, summary="Vendedor reenviou o pedido com novo rastreio."
    )

    at("02", "14:05")
    desk.reply(
        payment.id, author=carla, body="Estornamos a cobrança duplicada e reativamos seu pedido."
    )
    desk.resolve(
        payment.id, actor=carla, summary="Estorno da cobrança duplicada e pedido reativado."
    )
    at("02", "14:30")
    desk.rate(payment.id, 5, actor=maria, comment="Resolveram no mesmo dia!")

    at("02", "15:10")
    desk.transition(claim.id, "ship_back", actor=lucia, reason="código de postagem PX99")
    at("02", "16:40")
    desk.transition(claim.id, "receive", actor=diego)
    desk.resolve(claim.id, actor=diego, summary="Reembolso integral no cartão.")
    desk.reply(claim.id, author=amazon, body="Reembolso confirmado pela Amazon.")

    at("02", "16:55")
    desk.reply(payout.id, author=seller, body="Seguem as NFs 1201 a 1240.")
    desk.escalate(payout.id, actor=partners_desk, reason="divergência no repasse")

    at("02", "17:40")
    wrong = desk.open(
        channel="amazon",
        requester=pedro,
        subject="Recebi a cor errada",
        body="Pedi a jarra azul e veio vermelha. Podem trocar?",
        category="troca",
        order_id="AMZ-702-2211",
    )
    at("02", "17:50")
    desk.close(claim.id, actor=diego)
    at("02", "18:00")
    _print_clocks(
        desk,
        printer,
        lang,
        pt_title="Relógios de SLA às 18h de quinta",
        en_title="SLA clocks at 18:00 on Thursday",
    )

    heading(
        "Sexta-feira Santa (feriado), sábado e domingo: o monitor de SLA roda a cada hora",
        "Good Friday (a holiday), Saturday and Sunday: the SLA monitor runs every hour",
    )
    for _ in range(24 * 3 + 15):
        clock.set((clock.now().add(hours=1)).isoformat())
        desk.tick()

    heading("Segunda-feira, 6 de abril", "Monday, 6 April")
    at("06", "09:10")
    desk.reply(
        wrong.id,
        author=handler(wrong.id),
        body="Olá, Pedro! Já separamos a jarra azul para troca.",
    )
    desk.tick()
    at("06", "10:00")
    desk.reopen(delivery.id, actor=joao, reason="o novo rastreio também não atualiza")
    desk.transition(delivery.id, "ask_partner", actor=logistics)
    at("06", "11:00")
    desk.tick()
    at("06", "12:00")
    desk.tick()

    _print_clocks(
        desk,
        printer,
        lang,
        pt_title="Relógios de SLA às 12h de segunda",
        en_title="SLA clocks at 12:00 on Monday",
    )
    printer.line()
    _print_final_state(desk, printer, lang)
    _print_messages(mail, printer, lang)
    printer.line()
    printer.line(render_report(desk.report(), lang=lang, max_rows=12))
    if printer.broken_pipe:
        raise BrokenPipeError("the demo's output was closed")
    return desk


def continue_demo(out: TextIO, storage: Storage, *, lang: str = "pt-BR") -> Helpdesk:
    """A week after the last thing stored in ``storage``: read the demo's tickets back,
    run the SLA monitor and close what the customers left resolved.

    Each run moves on a week more, so it shows the tickets survived the process that
    made them; it does nothing new once every ticket is closed.
    """
    lang = language(lang)
    pt = lang == "pt-BR"
    printer = _TimelinePrinter(out, lang)
    mail = _MessagePrinter(printer, lang)
    clock = FakeClock("2026-04-02T08:00:00-03:00")
    desk = _desk(storage, clock, printer, mail)
    stored = desk.tickets()
    if not stored:
        raise ConfigurationError(
            f"{storage!r} holds no tickets of the demo; run `chamados demo` first",
            key="storage",
        )
    last = max(ticket.updated_at for ticket in stored).in_timezone(ZONE)
    now = last.add(days=7).at(9, 0)
    clock.set(now)
    events = sum(len(desk.history(ticket.id)) for ticket in stored)
    locale = _locale(lang)
    printer.line(
        f"Loja Aurora — uma semana depois: {now.format('dddd, D [de] MMMM', locale=locale)}"
        if pt
        else f"Loja Aurora — a week later: {now.format('dddd, D MMMM', locale=locale)}"
    )
    printer.line(
        f"Lidos do banco: {len(stored)} chamados, {events} eventos no histórico"
        if pt
        else f"Read from the database: {len(stored)} tickets, {events} events in their history"
    )
    printer.line()
    printer.line("Monitor de SLA" if pt else "SLA monitor")
    if not desk.tick():
        printer.line("  nada vencido" if pt else "  nothing due")
    printer.line()
    printer.line("Fechamento automático dos resolvidos" if pt else "Closing what stayed resolved")
    closer = Party.system("fechamento", name="Fechamento automático")
    closed = 0
    for ticket in stored:
        if "close" in desk.allowed_events(ticket.id, actor=closer):
            desk.close(ticket.id, actor=closer, reason="7 dias sem retorno do cliente")
            closed += 1
    if not closed:
        printer.line("  nada a fechar" if pt else "  nothing to close")
    printer.line()
    _print_final_state(desk, printer, lang)
    if printer.broken_pipe:
        raise BrokenPipeError("the demo's output was closed")
    return desk


def _print_messages(mail: _MessagePrinter, printer: _TimelinePrinter, lang: str) -> None:
    """Every kind of message customers and partners received, in full (the first of
    each kind), as the e-mail notifier would send them."""
    pt = lang == "pt-BR"
    printer.line()
    printer.line(
        f"Mensagens a clientes e parceiros: {len(mail.sent)} enviadas; a primeira de cada tipo"
        if pt
        else f"Messages to customers and partners: {len(mail.sent)} sent; the first of each kind"
    )
    shown: set[str] = set()
    for message in mail.sent:
        if message.template in shown:
            continue
        shown.add(message.template)
        printer.line()
        to = message.to.name or message.to.id
        printer.line(f"  ✉ {'Para' if pt else 'To'}: {to} ({message.to.kind.value})")
        printer.line(f"    {'Assunto' if pt else 'Subject'}: {message.subject}")
        for text in message.body.splitlines():
            printer.line(f"    │ {text}".rstrip())


def _table(printer: _TimelinePrinter, rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for index, row in enumerate(rows):
        printer.line(
            "  "
            + "  ".join(
                cell.ljust(width) for cell, width in zip(row, widths, strict=True)
            ).rstrip()
        )
        if index == 0:
            printer.line("  " + "  ".join("-" * width for width in widths))


def _print_clocks(
    desk: Helpdesk, printer: _TimelinePrinter, lang: str, *, pt_title: str, en_title: str
) -> None:
    pt = lang == "pt-BR"
    printer.line()
    printer.line(pt_title if pt else en_title)
    rows: list[tuple[str, ...]] = [
        ("Chamado", "Política", "Métrica", "Estado", "Prazo", "Cumprido", "Violado")
        if pt
        else ("Ticket", "Policy", "Metric", "Status", "Due", "Met", "Breached")
    ]
    locale = _locale(lang)

    def when(value: object) -> str:
        return value.format("ddd DD/MM HH:mm", locale=locale) if value is not None else "-"  # type: ignore[attr-defined]

    order: dict[str, int] = {metric: n for n, metric in enumerate(METRICS)}
    for ticket in desk.tickets():
        for clock in sorted(ticket.sla_clocks, key=lambda c: (order[c.metric], c.policy)):
            rows.append(
                (
                    ticket.id,
                    clock.policy,
                    METRIC_LABELS[clock.metric].get(lang),
                    CLOCK_STATUS_LABELS[clock.status].get(lang),
                    when(clock.due_at),
                    when(clock.met_at),
                    when(clock.breached_at),
                )
            )
    _table(printer, rows)


def _print_final_state(desk: Helpdesk, printer: _TimelinePrinter, lang: str) -> None:
    pt = lang == "pt-BR"
    printer.line("Estado final dos chamados" if pt else "Final state of the tickets")
    rows: list[tuple[str, ...]] = [
        ("Chamado", "Canal", "Fluxo", "Status", "Prioridade", "Equipe", "Nível", "Nota")
        if pt
        else ("Ticket", "Channel", "Workflow", "Status", "Priority", "Team", "Level", "Rating")
    ]
    for ticket in desk.tickets():
        workflow = desk.workflows.get(ticket.workflow)
        rows.append(
            (
                ticket.id,
                ticket.channel,
                workflow.label.get(lang),
                workflow.status_of(ticket.status).label.get(lang),
                ticket.priority.label.get(lang),
                ticket.team or "-",
                f"N{ticket.tier}",
                "-" if ticket.rating is None else f"{ticket.rating}/5",
            )
        )
    _table(printer, rows)
