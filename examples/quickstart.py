"""Quickstart: open a ticket, answer it, wait on the customer, resolve it, read its history.

Run: python examples/quickstart.py
"""

from chamados import Helpdesk, Party
from chamados.testing import FakeClock


def main() -> None:
    clock = FakeClock("2026-03-02T09:00:00-03:00")
    desk = Helpdesk(clock=clock)
    ana, maria = Party.agent("ana", name="Ana"), Party.customer("c-1", name="Maria")

    ticket = desk.open(
        tenant="loja-1",
        channel="site",
        requester=maria,
        subject="Pedido não chegou",
        category="entrega",
        order_id="A-1001",
        body="Comprei há dez dias e nada.",
    )
    clock.advance(minutes=20)
    desk.reply(ticket.id, author=ana, body="Olá, Maria! Qual o CEP de entrega?")
    desk.transition(ticket.id, "ask_customer", actor=ana)
    clock.advance(hours=1)
    desk.reply(ticket.id, author=maria, body="01310-100")
    clock.advance(minutes=30)
    ticket = desk.resolve(ticket.id, actor=ana, summary="Endereço corrigido e pedido reenviado.")
    desk.rate(ticket.id, 5, actor=maria)

    assert ticket.status == "resolved"
    for line in desk.timeline(ticket.id):
        print(line)


if __name__ == "__main__":
    main()
