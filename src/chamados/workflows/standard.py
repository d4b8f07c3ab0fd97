"""The standard support workflow: new, open, waiting on customer or partner, on hold,
resolved, closed.


"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

from chamados.labels import Label
from chamados.model import Category, Owner, PartyKind
from chamados.workflows.base import Action, Status, Workflow

__all__ = ["StandardWorkflow"]


class StandardWorkflow(Workflow):
    """The support workflow most stores use.

    A ticket starts ``new``; the team's first public reply (or ``start``) opens it. While
    open, the team asks the customer (``ask_customer``) or a partner (``ask_partner``) and
    their reply brings the ticket back. ``hold`` parks it on an internal dependency.
    ``resolve`` needs a summary; the customer may ``reopen`` within the reopen window;
    ``close`` ends it. ``cancel`` closes spam or duplicates at once and needs a reason.
    Escalation from N1 to N2 is ``Helpdesk.escalate``: it changes the support level, not
    the state.
    """

    workflow_name = "standard"
    label = Label(pt="Atendimento padrão", en="Standard support")

    new = Status(pt="Novo", en="New", category=Category.NEW, initial=True)
    open = Status(pt="Em atendimento", en="Open", category=Category.OPEN)
    waiting_customer = Status(
        pt="Aguardando cliente",
        en="Waiting on customer",
        category=Category.PENDING,
        owner=Owner.CUSTOMER,
    )
    waiting_partner = Status(
        pt="Aguardando parceiro",
        en="Waiting on partner",
        category=Category.PENDING,
        owner=Owner.PARTNER,
    )
    on_hold = Status(pt="Em espera", en="On hold", category=Category.ON_HOLD)
    resolved = Status(pt="Resolvido", en="Resolved", category=Category.RESOLVED)
    closed = Status(pt="Fechado", en="Closed", category=Category.CLOSED, final=True)

    start = Action(new.to(open), pt="Iniciar atendimento", en="Start work")
    ask_customer = Action(
        new.to(waiting_customer)
        | open.to(waiting_customer)
        | waiting_partner.to(waiting_customer)
        | on_hold.to(waiting_customer),
        pt="Pedir informação ao cliente",
        en="Ask the customer",
    )
    customer_replied = Action(
        waiting_customer.to(open), pt="Cliente respondeu", en="Customer replied"
    )
    ask_partner = Action(
        new.to(waiting_partner)
        | open.to(waiting_partner)
        | waiting_customer.to(waiting_partner)
        | on_hold.to(waiting_partner),
        pt="Acionar parceiro",
        en="Ask the partner",
    )
    partner_replied = Action(
        waiting_partner.to(open), pt="Parceiro respondeu", en="Partner replied"
    )
    hold = Action(
        new.to(on_hold)
        | open.to(on_hold)
        | waiting_customer.to(on_hold)
        | waiting_partner.to(on_hold),
        pt="Colocar em espera",
        en="Put on hold",
    )
    resume = Action(on_hold.to(open), pt="Retomar", en="Resume")
    resolve = Action(
        new.to(resolved)
        | open.to(resolved)
        | waiting_customer.to(resolved)
        | waiting_partner.to(resolved)
        | on_hold.to(resolved),
        pt="Resolver",
        en="Resolve",
    )
    reopen = Action(resolved.to(open), pt="Reabrir", en="Reopen")
    close = Action(resolved.to(closed), pt="Fechar", en="Close")
    cancel = Action(
        new.to(closed)
        | open.to(closed)
        | waiting_customer.to(closed)
        | waiting_partner.to(closed)
        | on_hold.to(closed),
        pt="Cancelar (spam ou duplicado)",
        en="Cancel (spam or duplicate)",
        requires=("reason",),
    )

    reply_events: ClassVar[Mapping[PartyKind, str]] = {
        PartyKind.AGENT: "start",
        PartyKind.CUSTOMER: "customer_replied",
        PartyKind.PARTNER: "partner_replied",
    }
    commands: ClassVar[Mapping[str, str]] = {
        "resolve": "resolve",
        "reopen": "reopen",
        "close": "close",
    }
    party_events: ClassVar[Mapping[PartyKind, frozenset[str]]] = {
        PartyKind.CUSTOMER: frozenset({"reopen", "close"})
    }
