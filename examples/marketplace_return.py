"""A marketplace return: the seller must decide, the marketplace mediates, the item travels.

Run: python examples/marketplace_return.py
"""

from chamados import AccessDeniedError, Helpdesk, Party, SequentialIds
from chamados.testing import FakeClock


def main() -> None:
    clock = FakeClock("2026-03-02T10:00:00-03:00")
    desk = Helpdesk(clock=clock, ticket_ids=SequentialIds("DEV-")).for_tenant("loja-aurora")
    lucia = Party.customer("c-303", name="Lúcia")
    seller = Party.partner("seller-9", name="Loja do Zé")
    amazon = Party.marketplace("amazon", name="Amazon")
    ana = Party.agent("ana", name="Ana")

    claim = desk.open(
        channel="amazon",
        requester=lucia,
        partner=seller,
        subject="Liquidificador com a jarra trincada",
        order_id="AMZ-702-1180",
        workflow="returns",
        body="Quero devolver.",
    )
    desk.transition(claim.id, "forward_to_partner", actor=ana)

    # The seller refuses; only the parties involved may act, each on its own events.
    try:
        desk.transition(claim.id, "rule_for_customer", actor=seller)
    except AccessDeniedError as error:
        print("refused:", error)
    clock.advance(hours=5)
    desk.transition(claim.id, "refuse", actor=seller, reason="cliente usou o produto")
    clock.advance(hours=20)
    desk.transition(claim.id, "rule_for_customer", actor=amazon, reason="foto mostra defeito")
    clock.advance(days=2)
    desk.transition(claim.id, "ship_back", actor=lucia, reason="postado: PX99")
    clock.advance(days=3)
    desk.transition(claim.id, "receive", actor=ana)
    claim = desk.resolve(claim.id, actor=ana, summary="Reembolso integral no cartão.")
    assert claim.status == "refunded"

    for line in desk.timeline(claim.id, lang="en"):
        print(line)
    print("the seller sees", len(desk.history(claim.id, viewer=seller)), "events")


if __name__ == "__main__":
    main()
