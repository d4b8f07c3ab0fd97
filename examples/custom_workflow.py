"""A custom workflow: technical assistance (assistência técnica) with a repair shop partner.

Shows Status/Action declarations, required data, party permissions, a registry option,
the Mermaid diagram and check_workflow.

Run: python examples/custom_workflow.py
"""

from collections.abc import Mapping
from datetime import timedelta
from typing import ClassVar

from chamados import Category, Helpdesk, Owner, Party, PartyKind, SequentialIds
from chamados.testing import FakeClock, Step, WorkflowPath, check_workflow
from chamados.workflows import Action, Status, Workflow, WorkflowRegistry, to_mermaid


class WarrantyWorkflow(Workflow):
    """The item goes to the manufacturer's repair shop; the shop repairs or replaces it."""

    workflow_name = "warranty"

    received = Status(pt="Recebido", en="Received", category=Category.NEW, initial=True)
    at_repair_shop = Status(
        pt="Na assistência",
        en="At the repair shop",
        category=Category.PENDING,
        owner=Owner.PARTNER,
    )
    repaired = Status(pt="Consertado", en="Repaired", category=Category.RESOLVED)
    replaced = Status(pt="Trocado", en="Replaced", category=Category.RESOLVED)
    closed = Status(pt="Encerrado", en="Closed", category=Category.CLOSED, final=True)

    send_to_shop = Action(
        received.to(at_repair_shop),
        pt="Enviar à assistência",
        en="Send to the repair shop",
        requires=("reason",),
    )
    repair = Action(at_repair_shop.to(repaired), pt="Consertar", en="Repair")
    replace = Action(at_repair_shop.to(replaced), pt="Trocar o produto", en="Replace")
    back_to_shop = Action(
        repaired.to(at_repair_shop) | replaced.to(at_repair_shop),
        pt="Voltar à assistência",
        en="Back to the repair shop",
    )
    close = Action(repaired.to(closed) | replaced.to(closed), pt="Encerrar", en="Close")

    commands: ClassVar[Mapping[str, str]] = {
        "resolve": "repair",
        "reopen": "back_to_shop",
        "close": "close",
    }
    party_events: ClassVar[Mapping[PartyKind, frozenset[str]]] = {
        PartyKind.PARTNER: frozenset({"repair", "replace"}),
        PartyKind.CUSTOMER: frozenset({"back_to_shop"}),
    }


def main() -> None:
    shop = Party.partner("assistencia-sul", name="Assistência Sul")
    customer, ana = Party.customer("c-9"), Party.agent("ana")

    check_workflow(
        WarrantyWorkflow,
        customer=customer,
        partner=shop,
        paths=[
            WorkflowPath(
                [
                    ("send_to_shop", {"reason": "não liga"}),
                    Step("repair", {"summary": "placa trocada"}, actor=shop),
                    "close",
                ],
                ends_in="closed",
            )
        ],
    )
    print(to_mermaid(WarrantyWorkflow, lang="pt-BR"))

    registry = WorkflowRegistry.with_builtins()
    registry.register(WarrantyWorkflow, reopen_window=timedelta(days=90))
    desk = Helpdesk(clock=FakeClock(), workflows=registry, ticket_ids=SequentialIds("AT-"))

    ticket = desk.open(
        tenant="loja-1",
        channel="site",
        requester=customer,
        partner=shop,
        subject="TV não liga",
        workflow="warranty",
    )
    desk.transition(ticket.id, "send_to_shop", actor=ana, reason="não liga após 2 meses")
    ticket = desk.transition(ticket.id, "replace", actor=shop, summary="Sem conserto; trocada.")
    assert ticket.status == "replaced"
    for line in desk.timeline(ticket.id, lang="en"):
        print(line)


if __name__ == "__main__":
    main()
