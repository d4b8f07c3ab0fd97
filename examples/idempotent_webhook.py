"""A marketplace webhook delivered twice, and two workers racing on one ticket.

Marketplaces retry their webhooks; an idempotency key (their message id) makes the repeat
harmless. Commands on the same ticket at once take turns; where a storage can only check
versions, the second to save gets ConcurrencyError and saves nothing, and retrying it
applies it on top of the first.

Run: python examples/idempotent_webhook.py
"""

from typing import Any

from chamados import ConcurrencyError, Helpdesk, Party, Ticket
from chamados.testing import FakeClock


def on_marketplace_message(desk: Helpdesk, payload: dict[str, Any]) -> Ticket:
    """What a webhook handler does with a Mercado Livre message."""
    customer = Party.customer(payload["buyer_id"])
    if payload.get("ticket_id"):
        return desk.reply(
            payload["ticket_id"],
            author=customer,
            body=payload["text"],
            external_id=payload["message_id"],
            idempotency_key=payload["message_id"],
        )
    return desk.open(
        channel="mercado_livre",
        requester=customer,
        subject=payload["text"][:60],
        body=payload["text"],
        order_id=payload["order_id"],
        idempotency_key=payload["message_id"],
    )


def retrying(command: Any, attempts: int = 3) -> Any:
    """Run a command again when someone saved the ticket first."""
    for attempt in range(attempts):
        try:
            return command()
        except ConcurrencyError:
            if attempt + 1 == attempts:
                raise
    raise AssertionError("unreachable")


def main() -> None:
    desk = Helpdesk(clock=FakeClock()).for_tenant("loja-1")
    payload = {
        "message_id": "ML-MSG-1",
        "buyer_id": "ml-buyer-77",
        "order_id": "ML-4417",
        "text": "Meu pedido não chegou",
    }
    first = on_marketplace_message(desk, payload)
    again = on_marketplace_message(desk, payload)  # the marketplace retried
    assert again.id == first.id
    assert len(desk.tickets()) == 1
    print("one ticket for two deliveries:", first.id)

    ticket = retrying(
        lambda: desk.set_priority(first.id, "high", actor=Party.agent("ana"), reason="atraso")
    )
    print("priority:", ticket.priority.value, "version:", ticket.version)


if __name__ == "__main__":
    main()
