"""The demo: one working day of a marketplace store's support, told as a timeline.

Loja Aurora sells on its own site and on Mercado Livre and Amazon, and partners with
sellers. Tickets arrive by site, e-mail, marketplace messages and the partner portal;
the team answers, waits on customers and partners, escalates a payment problem to N2,
handles a return through the marketplace returns workflow, resolves, and one customer
reopens. ``run_demo`` prints each event as it happens, then the state of every ticket.
"""

from __future__ import annotations

from typing import TextIO

from chamados.events import TicketEvent
from chamados.ids import SequentialIds
from chamados.labels import language
from chamados.model import Party
from chamados.service import Helpdesk
from chamados.testing.clock import FakeClock

__all__ = ["run_demo"]

TENANT = "loja-aurora"


class _TimelinePrinter:
    """A notifier that prints every event with the workflow's labels."""

    def __init__(self, out: TextIO, lang: str) -> None:
        self.out = out
        self.lang = lang
        self.desk: Helpdesk | None = None
        self.broken_pipe = False

    def notify(self, event: TicketEvent) -> None:
        assert self.desk is not None
        if self.broken_pipe:
            return
        workflow = self.desk.workflows.get(self.desk.get(event.ticket_id).workflow)
        when = event.at.in_timezone("America/Sao_Paulo").format("HH:mm")
        text = workflow.describe(event, lang=self.lang)
        try:
            print(f"  {when}  {event.ticket_id}  {text}", file=self.out)
        except BrokenPipeError:
            self.broken_pipe = True  # the reader left (`chamados demo | head`): stop writing


def run_demo(out: TextIO, *, lang: str = "pt-BR") -> Helpdesk:
    """Run the day, printing to ``out`` in ``lang``; return the desk for inspection."""
    lang = language(lang)
    pt = lang == "pt-BR"
    clock = FakeClock("2026-03-02T08:00:00-03:00")
    printer = _TimelinePrinter(out, lang)
    desk = Helpdesk(
        clock=clock, ticket_ids=SequentialIds("CH-"), notifiers=[printer], tenant=TENANT
    )
    printer.desk = desk

    ana = Party.agent("ana", name="Ana (N1)")
    bruno = Party.agent("bruno", name="Bruno (N1)")
    carla = Party.agent("carla", name="Carla (N2 pagamentos)")
    bot = Party.system("autoresposta", name="Autoresposta")
    maria = Party.customer("c-101", name="Maria")
    joao = Party.customer("c-202", name="João")
    lucia = Party.customer("c-303", name="Lúcia")
    rafael = Party.customer("c-404", name="Rafael")
    seller = Party.partner("seller-9", name="Loja do Zé")
    amazon = Party.marketplace("amazon", name="Amazon")

    def at(hhmm: str) -> None:
        clock.set(f"2026-03-02T{hhmm}:00-03:00")

    print(
        "Loja Aurora — um dia de atendimento (segunda-feira, 2 de março de 2026)"
        if pt
        else "Loja Aurora — a day of support (Monday, 2 March 2026)",
        file=out,
    )
    print(file=out)

    # 08:12 — site: a payment was approved but the order was cancelled.
    at("08:12")
    payment = desk.open(
        channel="site",
        requester=maria,
        subject="Pagamento aprovado, mas o pedido foi cancelado",
        body="Paguei no cartão e recebi e-mail de cancelamento do pedido A-1001.",
        category="pagamento",
        order_id="A-1001",
        priority="high",
        team="atendimento",
        idempotency_key="site-form-88231",
    )
    desk.reply(
        payment.id,
        author=bot,
        body="Recebemos seu chamado e responderemos em breve.",
        automated=True,
    )

    # 08:31 — Mercado Livre: where is my order?
    at("08:31")
    delivery = desk.open(
        channel="mercado_livre",
        requester=joao,
        partner=seller,
        subject="Quando chega meu pedido?",
        body="Comprei há 8 dias e o rastreio não atualiza.",
        category="entrega",
        order_id="ML-4417",
        team="logistica",
        idempotency_key="ML-MSG-99102",
    )
    # The marketplace delivers the same message again: nothing new is opened.
    again = desk.open(
        channel="mercado_livre",
        requester=joao,
        subject="Quando chega meu pedido?",
        idempotency_key="ML-MSG-99102",
    )
    print(
        f"  08:31  {again.id}  "
        + (
            "(mensagem ML-MSG-99102 entregue de novo pelo Mercado Livre: mesmo chamado)"
            if pt
            else "(message ML-MSG-99102 delivered again by Mercado Livre: same ticket)"
        ),
        file=out,
    )

    # 08:47 — Amazon: a return through the returns workflow, decided by the seller.
    at("08:47")
    claim = desk.open(
        channel="amazon",
        requester=lucia,
        partner=seller,
        subject="Liquidificador chegou com a jarra trincada",
        body="Quero devolver, a jarra veio trincada.",
        category="devolucao",
        order_id="AMZ-702-1180",
        team="marketplace",
        workflow="returns",
    )

    # 09:02 — partner portal: a seller asks about a missing payout.
    at("09:02")
    payout = desk.open(
        channel="portal_parceiro",
        requester=seller,
        partner=seller,
        subject="Repasse da semana não caiu",
        body="O repasse dos pedidos de 23/02 a 01/03 não entrou na conta.",
        category="financeiro",
        team="financeiro",
    )

    # 09:15 — site: spam.
    at("09:15")
    spam = desk.open(
        channel="site",
        requester=rafael,
        subject="GANHE DINHEIRO RÁPIDO",
        body="Clique aqui...",
    )

    # 09:20 — Ana takes the payment ticket and asks for the receipt.
    at("09:20")
    desk.assign(payment.id, actor=ana, assignee="ana")
    desk.reply(payment.id, author=ana, body="Olá, Maria! Pode nos enviar o comprovante?")
    desk.transition(payment.id, "ask_customer", actor=ana)
    desk.transition(spam.id, "cancel", actor=ana, reason="spam")

    # 09:40 — Bruno answers the delivery question and asks the seller.
    at("09:40")
    desk.assign(delivery.id, actor=bruno, assignee="bruno")
    desk.reply(delivery.id, author=bruno, body="Olá, João! Vamos confirmar com o vendedor.")
    desk.transition(delivery.id, "ask_partner", actor=bruno, reason="rastreio parado")
    desk.add_note(delivery.id, author=bruno, body="Terceira reclamação de atraso deste vendedor.")

    # 10:05 — the team forwards the return to the seller, who must decide.
    at("10:05")
    desk.transition(claim.id, "forward_to_partner", actor=ana)
    desk.reply(claim.id, author=ana, body="Encaminhamos seu pedido de devolução ao vendedor.")

    # 10:30 — Maria sends the receipt; the ticket comes back to the team.
    at("10:30")
    desk.reply(payment.id, author=maria, body="Segue o comprovante do cartão.")

    # 11:10 — Ana finds a gateway problem and escalates to N2 payments.
    at("11:10")
    desk.escalate(
        payment.id,
        actor=ana,
        reason="gateway estornou e recobrou; precisa de análise do N2",
        team="pagamentos",
    )
    desk.set_priority(payment.id, "urgent", actor=ana, reason="cobrança em duplicidade")

    # 11:45 — the seller answers about the delivery; the seller accepts the return.
    at("11:45")
    desk.reply(delivery.id, author=seller, body="Reenviamos hoje, novo rastreio BR123456789.")
    desk.transition(claim.id, "accept", actor=seller)

    # 12:20 — the payout: Bruno asks the seller for the invoice numbers.
    at("12:20")
    desk.reply(payout.id, author=bruno, body="Pode nos enviar as notas fiscais do período?")
    desk.transition(payout.id, "ask_partner", actor=bruno)

    # 13:30 — Bruno resolves the delivery question.
    at("13:30")
    desk.reply(delivery.id, author=bruno, body="Seu pedido foi reenviado: BR123456789.")
    desk.resolve(delivery.id, actor=bruno, summary="Vendedor reenviou o pedido com novo rastreio.")

    # 14:05 — Carla (N2) fixes the payment and resolves; Maria rates it.
    at("14:05")
    desk.assign(payment.id, actor=carla, assignee="carla")
    desk.reply(
        payment.id,
        author=carla,
        body="Estornamos a cobrança duplicada e reativamos seu pedido.",
    )
    desk.resolve(
        payment.id, actor=carla, summary="Estorno da cobrança duplicada e pedido reativado."
    )
    at("14:30")
    desk.rate(payment.id, 5, actor=maria, comment="Resolveram no mesmo dia!")

    # 15:10 — Lúcia posts the item back; it arrives at the warehouse.
    at("15:10")
    desk.transition(claim.id, "ship_back", actor=lucia, reason="código de postagem PX99")
    at("16:40")
    desk.transition(claim.id, "receive", actor=ana)
    desk.resolve(claim.id, actor=ana, summary="Reembolso integral no cartão.")
    desk.reply(claim.id, author=amazon, body="Reembolso confirmado pela Amazon.")

    # 16:55 — the seller sends the invoices; N2 finance takes the payout.
    at("16:55")
    desk.reply(payout.id, author=seller, body="Seguem as NFs 1201 a 1240.")
    desk.escalate(payout.id, actor=bruno, reason="divergência no repasse", team="financeiro")

    # 17:30 — João: the tracking still does not move; he reopens.
    at("17:30")
    desk.reopen(delivery.id, actor=joao, reason="o novo rastreio também não atualiza")
    desk.transition(delivery.id, "ask_partner", actor=bruno)

    at("17:50")
    desk.close(claim.id, actor=ana)

    if printer.broken_pipe:
        raise BrokenPipeError("the demo's output was closed")
    print(file=out)
    _print_final_state(desk, out, lang)
    return desk


def _print_final_state(desk: Helpdesk, out: TextIO, lang: str) -> None:
    pt = lang == "pt-BR"
    print("Estado final dos chamados" if pt else "Final state of the tickets", file=out)
    headers = (
        ("Chamado", "Canal", "Fluxo", "Status", "Prioridade", "Equipe", "Nível", "Nota")
        if pt
        else ("Ticket", "Channel", "Workflow", "Status", "Priority", "Team", "Level", "Rating")
    )
    rows = [headers]
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
    widths = [max(len(row[i]) for row in rows) for i in range(len(headers))]
    for index, row in enumerate(rows):
        print(
            "  "
            + "  ".join(
                cell.ljust(width) for cell, width in zip(row, widths, strict=True)
            ).rstrip(),
            file=out,
        )
        if index == 0:
            print("  " + "  ".join("-" * width for width in widths), file=out)
