"""The marketplace returns and claims workflow: the partner decides, the marketplace
mediates, the item travels back, the customer is refunded.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from chamados.labels import Label
from chamados.model import Category, Owner, PartyKind
from chamados.workflows.base import Action, Status, Workflow

__all__ = ["ReturnsWorkflow"]


class ReturnsWorkflow(Workflow):
    """Returns and claims on a marketplace (devoluções e reclamações).

    The customer asks to return an item (``requested``). The team checks the request and
    ``forward_to_partner``: the seller or supplier must ``accept`` or ``refuse`` within its
    own SLA (the state is owned by the partner). A refusal, or a customer or team that
    asks for it, puts the case ``in_mediation`` with the marketplace, which rules for the
    customer (the return goes on) or for the partner (``denied``). An accepted return
    waits for the customer to ship the item back, travels, is ``received`` and inspected,
    and is ``refunded``. A denial can be contested within the reopen window. ``withdraw``
    ends a request the customer gave up.
    """

    workflow_name = "returns"
    label = Label(pt="Devoluções e reclamações", en="Returns and claims")

    requested = Status(
        pt="Devolução solicitada", en="Return requested", category=Category.NEW, initial=True
    )
    awaiting_partner = Status(
        pt="Aguardando decisão do parceiro",
        en="Awaiting the partner's decision",
        category=Category.PENDING,
        owner=Owner.PARTNER,
    )
    in_mediation = Status(
        pt="Em mediação", en="In mediation", category=Category.ON_HOLD, owner=Owner.MARKETPLACE
    )
    awaiting_shipment = Status(
        pt="Aguardando envio do cliente",
        en="Awaiting the customer's shipment",
        category=Category.PENDING,
        owner=Owner.CUSTOMER,
    )
    in_transit = Status(
        pt="Item em trânsito", en="Item in transit", category=Category.ON_HOLD, owner=Owner.TEAM
    )
    received = Status(pt="Item recebido", en="Item received", category=Category.OPEN)
    refunded = Status(pt="Reembolsado", en="Refunded", category=Category.RESOLVED)
    denied = Status(pt="Devolução negada", en="Return denied", category=Category.RESOLVED)
    closed = Status(pt="Encerrado", en="Closed", category=Category.CLOSED, final=True)

    forward_to_partner = Action(
        requested.to(awaiting_partner), pt="Encaminhar ao parceiro", en="Forward to the partner"
    )
    accept = Action(
        awaiting_partner.to(awaiting_shipment), pt="Aceitar devolução", en="Accept the return"
    )
    refuse = Action(
        awaiting_partner.to(in_mediation),
        pt="Recusar devolução",
        en="Refuse the return",
        requires=("reason",),
    )
    request_mediation = Action(
        requested.to(in_mediation)
        | awaiting_partner.to(in_mediation)
        | awaiting_shipment.to(in_mediation),
        pt="Pedir mediação ao marketplace",
        en="Ask the marketplace to mediate",
    )
    rule_for_customer = Action(
        in_mediation.to(awaiting_shipment),
        pt="Mediação a favor do cliente",
        en="Rule for the customer",
    )
    rule_for_partner = Action(
        in_mediation.to(denied), pt="Mediação a favor do parceiro", en="Rule for the partner"
    )
    deny = Action(requested.to(denied), pt="Negar devolução", en="Deny the return")
    ship_back = Action(
        awaiting_shipment.to(in_transit), pt="Cliente postou o item", en="Item shipped back"
    )
    receive = Action(in_transit.to(received), pt="Item recebido", en="Item received")
    refund = Action(received.to(refunded), pt="Reembolsar", en="Refund")
    contest = Action(denied.to(in_mediation), pt="Contestar decisão", en="Contest the decision")
    close = Action(refunded.to(closed) | denied.to(closed), pt="Encerrar", en="Close")
    withdraw = Action(
        requested.to(closed)
        | awaiting_partner.to(closed)
        | awaiting_shipment.to(closed)
        | in_mediation.to(closed),
        pt="Cliente desistiu",
        en="Withdrawn by the customer",
    )

    commands: ClassVar[Mapping[str, str]] = {
        "resolve": "refund",
        "reopen": "contest",
        "close": "close",
    }
    party_events: ClassVar[Mapping[PartyKind, frozenset[str]]] = {
        PartyKind.CUSTOMER: frozenset({"request_mediation", "ship_back", "withdraw", "contest"}),
        PartyKind.PARTNER: frozenset({"accept", "refuse", "request_mediation"}),
        PartyKind.MARKETPLACE: frozenset({"rule_for_customer", "rule_for_partner"}),
    }
