"""The ``Helpdesk``: the desk's front door and composition root.

Storage, clock, workflows, ids, SLA policies, policies and notifiers meet here, and every
public method is a signature, a docstring, the checks of its arguments and one call: a
command goes to the pipeline (``chamados.desk.pipeline``, whose docstring is the order of
work) with its handler (``lifecycle``, ``conversation``, ``assignment``, ``fields``), a
read to ``queries``, the SLA monitor to ``monitor``, an agent's request for work to
``dispatch``. No decision is taken here.

This module is longer than the ~600 lines the others keep (about 860) because of what it
must keep: the signatures and docstrings of the Helpdesk's 28 public methods, which are
its documentation (``help(Helpdesk)``) and stay as they are, and the checks of every
argument and setting, made before any work.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Literal

from chamados import limits
from chamados.clock import Clock, SystemClock, as_instant
from chamados.desk import assignment, conversation, dispatch, fields, lifecycle, monitor
from chamados.desk.access import TEAM_ONLY, check_party
from chamados.desk.arguments import (
    UNSET,
    _Unset,
    check_command,
    check_key,
    check_viewer,
    mapping,
    names,
    setting,
    tenant_for_open,
)
from chamados.desk.pipeline import Pipeline
from chamados.desk.queries import Queries
from chamados.events import TicketEvent
from chamados.exceptions import AccessDeniedError, ConfigurationError, InvalidTicketError
from chamados.ids import IdFactory, RandomTicketIds
from chamados.labels import language
from chamados.limits import check_flag, check_integer, check_optional_text, check_text
from chamados.model import (
    FieldValue,
    Message,
    Party,
    PartyKind,
    Priority,
    Ticket,
    _to_tags,
    check_custom_fields,
    check_tags,
)
from chamados.notify.notifier import Notifier
from chamados.notify.notifiers import Route, routes_of
from chamados.notify.relay import OutboxRelay, RetryPolicy
from chamados.policies import AUTOMATION, Policies
from chamados.reports.results import Report, Table
from chamados.settings import storage_from
from chamados.sla.calendar import BusinessCalendar
from chamados.sla.engine import SlaEngine
from chamados.sla.policy import SlaPolicy
from chamados.sla.wording import Expectations
from chamados.storage.port import Storage, TicketQuery
from chamados.workflows.base import SEND_RESERVED
from chamados.workflows.registry import WorkflowRegistry

__all__ = ["UNSET", "Helpdesk"]


class Helpdesk:
    """Runs support tickets: opens them, moves them through their workflow, records it all.

    Every argument is optional: by default tickets live in memory (or in the database of
    ``CHAMADOS_STORAGE_URL``), time comes from the system clock, the built-in workflows
    are registered (``standard`` is the default), and ids look like ``CH-7K3M9Q2XWBT4``.
    ``storage`` also takes a database URL, a SQLAlchemy ``Engine``, or a ``Connection``
    in a transaction you hold (chamados then writes inside it and never commits).

    ``notifiers`` hear every committed event, through the outbox: the events are written
    with the command, then delivered (``delivery="inline"``: right after the commit, in
    the caller's thread; ``"relay"``: only written, for ``relay()`` workers to deliver,
    and written even when this desk has no notifiers). A failed delivery is retried by a
    relay as ``retry`` says, never lost.

    ``business_hours`` is the calendar indicators measure business time on (by default
    the first SLA policy's; without either, indicators give calendar time only).

    ``sla`` lists the SLA policies (``chamados.sla.SlaPolicy``) whose clocks the desk keeps
    on every ticket; ``tick()`` runs the SLA monitor. ``policies`` holds the priority
    and routing policies, the agents and how to assign them, and the actions to take on
    SLA warnings and breaches (``chamados.Policies``; see ``chamados.policies``).

    A ``Helpdesk`` made with ``tenant=None`` sees every tenant (an administrator's view);
    ``for_tenant()`` gives one that sees a single tenant, for code that serves one store.
    Commands return the ticket as it is after the command, as your own copy.
    """

    def __init__(
        self,
        *,
        storage: Storage | str | Any | None = None,
        clock: Clock | None = None,
        workflows: WorkflowRegistry | None = None,
        ticket_ids: IdFactory | None = None,
        notifiers: Sequence[Notifier | Route] = (),
        delivery: Literal["inline", "relay"] = "inline",
        retry: RetryPolicy | None = None,
        sla: Sequence[SlaPolicy] = (),
        policies: Policies | None = None,
        tenant: str | None = None,
        business_hours: BusinessCalendar | None = None,
    ) -> None:
        if tenant is not None:
            setting(check_text, tenant, "tenant", limit=limits.TENANT)
        if isinstance(notifiers, str) or not isinstance(notifiers, Iterable):
            raise ConfigurationError(
                f"notifiers must be a list of notifiers, got {notifiers!r}", key="notifiers"
            )
        routes_of(notifiers)  # refuses what is not a notifier, now rather than later
        if not isinstance(delivery, str) or delivery not in ("inline", "relay"):
            raise ConfigurationError(
                f"delivery must be 'inline' or 'relay', got {delivery!r}", key="delivery"
            )
        if clock is not None and not callable(getattr(clock, "now", None)):
            raise ConfigurationError(
                f"clock must have a now() method (SystemClock(), FakeClock(...)), got {clock!r}",
                key="clock",
            )
        if workflows is not None and not isinstance(workflows, WorkflowRegistry):
            raise ConfigurationError(
                f"workflows must be a chamados.workflows.WorkflowRegistry, got {workflows!r}",
                key="workflows",
            )
        if ticket_ids is not None and not callable(ticket_ids):
            raise ConfigurationError(
                f"ticket_ids must be a callable returning a new id, got {ticket_ids!r}",
                key="ticket_ids",
            )
        if retry is not None and not isinstance(retry, RetryPolicy):
            raise ConfigurationError(
                f"retry must be a chamados.RetryPolicy, got {retry!r}", key="retry"
            )
        if isinstance(sla, str) or not isinstance(sla, Iterable):
            raise ConfigurationError(f"sla must be a list of SlaPolicy, got {sla!r}", key="sla")
        sla = tuple(sla)
        self.storage: Storage = storage_from(storage)
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.workflows = workflows if workflows is not None else WorkflowRegistry.with_builtins()
        self.ticket_ids: IdFactory = ticket_ids if ticket_ids is not None else RandomTicketIds()
        self.notifiers: tuple[Notifier | Route, ...] = tuple(notifiers)
        self.delivery = delivery
        self.retry = retry if retry is not None else RetryPolicy()
        self.sla = SlaEngine(sla, self.workflows)
        if business_hours is not None and not isinstance(business_hours, BusinessCalendar):
            raise ConfigurationError(
                f"business_hours must be a chamados.sla.BusinessCalendar, got "
                f"{type(business_hours).__name__}",
                key="business_hours",
            )
        self.business_hours: BusinessCalendar | None = (
            business_hours if business_hours is not None else (sla[0].calendar if sla else None)
        )
        if policies is not None and not isinstance(policies, Policies):
            raise ConfigurationError(
                f"policies must be chamados.Policies, got {policies!r}",
                key="policies",
            )
        self.policies = policies if policies is not None else Policies()
        self.tenant = tenant
        self._pipeline = Pipeline(
            storage=self.storage,
            clock=self.clock,
            workflows=self.workflows,
            sla=self.sla,
            policies=self.policies,
            business_hours=self.business_hours,
            ticket_ids=self.ticket_ids,
            notifiers=self.notifiers,
            delivery=delivery,
            retry=self.retry,
        )
        self._queries = Queries(
            storage=self.storage, clock=self.clock, workflows=self.workflows, sla=self.sla
        )

    def for_tenant(self, tenant: str) -> Helpdesk:
        """A ``Helpdesk`` on the same storage that sees and changes only ``tenant``."""
        setting(check_text, tenant, "tenant", limit=limits.TENANT)
        if self.tenant is not None and tenant != self.tenant:
            raise AccessDeniedError(
                f"this Helpdesk is scoped to tenant {self.tenant!r}; it cannot act for "
                f"tenant {tenant!r}"
            )
        scoped = copy.copy(self)
        scoped.tenant = tenant
        return scoped

    def __repr__(self) -> str:
        scope = f"tenant={self.tenant!r}" if self.tenant else "all tenants"
        return f"<Helpdesk {scope} storage={self.storage!r}>"

    # -- reads ---------------------------------------------------------------------------------

    def get(self, ticket_id: str, *, viewer: Party | None = None) -> Ticket:
        """The ticket, as your copy. A customer or partner ``viewer`` sees only its own."""
        check_viewer(viewer, "viewer")
        return self._queries.get(ticket_id, tenant=self.tenant, viewer=viewer)

    def history(self, ticket_id: str, *, viewer: Party | None = None) -> list[TicketEvent]:
        """The ticket's events, oldest first.

        For a ``viewer`` outside the team (customer, partner, marketplace) internal notes
        are left out, and only tickets that involve the viewer can be read.
        """
        check_viewer(viewer, "viewer")
        return self._queries.history(ticket_id, tenant=self.tenant, viewer=viewer)

    def messages(self, ticket_id: str, *, viewer: Party | None = None) -> list[Message]:
        """The ticket's messages, oldest first; internal notes only for the team."""
        check_viewer(viewer, "viewer")
        return self._queries.messages(ticket_id, tenant=self.tenant, viewer=viewer)

    def timeline(
        self, ticket_id: str, *, lang: str = "pt-BR", viewer: Party | None = None
    ) -> list[str]:
        """The ticket's history as lines people read: time, who, what, with workflow labels.

        Times are shown in the zone of the ticket's creation time.
        """
        language(lang)
        check_viewer(viewer, "viewer")
        return self._queries.timeline(ticket_id, tenant=self.tenant, lang=lang, viewer=viewer)

    def tickets(
        self,
        *,
        status: str | Iterable[str] | None = None,
        team: str | None = None,
        assignee: str | None = None,
        tier: int | None = None,
        channel: str | None = None,
        category: str | None = None,
        priority: Priority | str | Iterable[Priority | str] | None = None,
        requester: Party | None = None,
        partner: Party | None = None,
        tags: Iterable[str] = (),
        limit: int | None = None,
    ) -> list[Ticket]:
        """Tickets of this desk's tenant matching every filter given, oldest first."""
        statuses = None if status is None else frozenset(names(status, "status"))
        if priority is None:
            priorities = None
        elif isinstance(priority, Priority | str):
            priorities = frozenset([Priority.parse(priority)])
        else:
            priorities = frozenset(Priority.parse(p) for p in names(priority, "priority"))
        query = TicketQuery(  # checks every filter
            tenant=self.tenant,
            status=statuses,
            team=team,
            assignee=assignee,
            tier=tier,
            channel=channel,
            category=category,
            priority=priorities,
            requester=requester,
            partner=partner,
            tags=_to_tags(tags),
            limit=limit,
        )
        return self._queries.tickets(query)

    def allowed_events(self, ticket_id: str, *, actor: Party | None = None) -> tuple[str, ...]:
        """The workflow events the ticket's state accepts now (for ``actor``, if given)."""
        check_viewer(actor, "actor")
        return self._queries.allowed_events(ticket_id, tenant=self.tenant, actor=actor)

    # -- commands ------------------------------------------------------------------------------

    def open(
        self,
        *,
        channel: str,
        requester: Party,
        subject: str,
        tenant: str | None = None,
        body: str | None = None,
        category: str | None = None,
        priority: Priority | str | None = None,
        partner: Party | None = None,
        order_id: str | None = None,
        team: str | None = None,
        tags: Iterable[str] = (),
        custom_fields: Mapping[str, FieldValue] | None = None,
        workflow: str | None = None,
        opened_by: Party | None = None,
        idempotency_key: str | None = None,
    ) -> Ticket:
        """Open a ticket in its workflow's initial state and return it.

        ``body`` becomes the first public message, written by the requester.
        ``opened_by`` is who opened it (the requester by default; an agent who opens a
        ticket for a customer on the phone, or an integration). ``idempotency_key`` (a
        marketplace claim id, an e-mail Message-ID) makes a repeated call return the
        first ticket instead of opening another.
        """
        tenant = tenant_for_open(self.tenant, tenant)
        actor = opened_by if opened_by is not None else requester
        check_party(requester, "requester")
        check_party(actor, "opened_by")
        check_text(channel, field="channel", limit=limits.CHANNEL)
        check_text(subject, field="subject", limit=limits.SUBJECT)
        check_optional_text(body, field="body", limit=limits.BODY)
        check_optional_text(category, field="category", limit=limits.ID)
        check_optional_text(order_id, field="order_id", limit=limits.ID)
        check_optional_text(team, field="team", limit=limits.TEAM)
        check_optional_text(workflow, field="workflow", limit=limits.NAME)
        check_key(idempotency_key)
        tags = _to_tags(tags)
        check_tags(tags)
        if custom_fields is not None:
            check_custom_fields(custom_fields)
        if partner is not None:
            check_party(partner, "partner")
            if partner.kind is not PartyKind.PARTNER:
                raise InvalidTicketError(
                    f"partner must be a partner party (Party.partner(...)), got {partner}",
                    field="partner",
                )
        if actor.is_external and actor != requester:
            raise AccessDeniedError(
                f"{actor} cannot open a ticket for {requester}; {TEAM_ONLY} can",
                actor=str(actor),
            )
        workflow_name = workflow if workflow is not None else self.workflows.default
        self.workflows.get(workflow_name)  # a workflow this desk knows
        return self._pipeline.open(
            lifecycle.new_ticket,
            lifecycle.open,
            tenant=tenant,
            actor=actor,
            key=idempotency_key,
            arguments={
                "channel": channel,
                "requester": requester,
                "subject": subject,
                "body": body,
                "category": category,
                "priority": Priority.parse(priority) if priority is not None else None,
                "partner": partner,
                "order_id": order_id,
                "team": team,
                "tags": tags,
                "custom_fields": dict(custom_fields or {}),
                "workflow": workflow_name,
                "opened_by": actor,
            },
        )

    def reply(
        self,
        ticket_id: str,
        *,
        author: Party,
        body: str,
        public: bool = True,
        automated: bool = False,
        external_id: str | None = None,
        at: datetime | None = None,
        idempotency_key: str | None = None,
    ) -> Ticket:
        """Add a message. A public reply may move the ticket (see ``Workflow.reply_events``).

        Customers, partners and marketplaces may only reply in public, on tickets that
        involve them. A public, human (not ``automated``) reply from the customer on a
        ticket waiting on the customer gives the ball back to the team; likewise for
        partners; the team's first reply starts work on a new ticket. ``at`` is when the
        message was written, if not now (a marketplace API's timestamp). ``public=False``
        adds an internal note, like ``add_note``.
        """
        check_party(author, "author")
        check_text(body, field="body", limit=limits.BODY)
        check_flag(public, field="public")
        check_flag(automated, field="automated")
        check_optional_text(external_id, field="external_id", limit=limits.EXTERNAL_ID)
        if at is not None:
            as_instant(at, name="at")
        check_key(idempotency_key)
        return self._pipeline.run(
            "reply",
            ticket_id,
            conversation.reply,
            tenant=self.tenant,
            actor=author,
            key=idempotency_key,
            arguments={
                "author": author,
                "body": body,
                "public": public,
                "automated": automated,
                "external_id": external_id,
                "at": at,
            },
        )

    def add_note(
        self,
        ticket_id: str,
        *,
        author: Party,
        body: str,
        idempotency_key: str | None = None,
    ) -> Ticket:
        """Add an internal note: seen by the team, never by customers, partners or marketplaces."""
        return self.reply(
            ticket_id, author=author, body=body, public=False, idempotency_key=idempotency_key
        )

    def transition(
        self,
        ticket_id: str,
        event: str,
        /,
        *,
        actor: Party,
        reason: str | None = None,
        idempotency_key: str | None = None,
        **data: Any,
    ) -> Ticket:
        """Fire workflow ``event`` on the ticket (``"ask_customer"``, ``"refund"``...).

        ``data`` reaches the workflow's guards and validators by name (``summary=`` for an
        event that resolves). Customers, partners and marketplaces may fire only the
        events their workflow grants them (``Workflow.party_events``).
        """
        check_command(actor, reason, idempotency_key)
        check_text(event, field="event", limit=limits.NAME)
        reserved = sorted((SEND_RESERVED | {"now", "ticket", "ticket_id"}) & data.keys())
        if reserved:
            raise InvalidTicketError(
                f"the argument name(s) {', '.join(reserved)} are reserved (python-statemachine "
                f"or chamados set them); pass that data under another name",
                field=reserved[0],
                ticket_id=ticket_id,
            )
        return self._pipeline.run(
            "transition",
            ticket_id,
            lifecycle.transition,
            tenant=self.tenant,
            actor=actor,
            key=idempotency_key,
            arguments={"event": event, "actor": actor, "reason": reason, "data": data},
        )

    def resolve(
        self,
        ticket_id: str,
        *,
        actor: Party,
        summary: str,
        idempotency_key: str | None = None,
    ) -> Ticket:
        """Resolve the ticket with a summary of the solution (the workflow's resolve event)."""
        check_text(summary, field="summary", limit=limits.TEXT, blank=True)
        check_command(actor, None, idempotency_key)
        return self._pipeline.run(
            "resolve",
            ticket_id,
            lifecycle.resolve,
            tenant=self.tenant,
            actor=actor,
            key=idempotency_key,
            arguments={"actor": actor, "reason": None, "summary": summary},
        )

    def reopen(
        self,
        ticket_id: str,
        *,
        actor: Party,
        reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> Ticket:
        """Reopen a resolved ticket, within the workflow's reopen window."""
        check_command(actor, reason, idempotency_key)
        return self._pipeline.run(
            "reopen",
            ticket_id,
            lifecycle.reopen,
            tenant=self.tenant,
            actor=actor,
            key=idempotency_key,
            arguments={"actor": actor, "reason": reason},
        )

    def close(
        self,
        ticket_id: str,
        *,
        actor: Party,
        reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> Ticket:
        """Close a resolved ticket for good."""
        check_command(actor, reason, idempotency_key)
        return self._pipeline.run(
            "close",
            ticket_id,
            lifecycle.close,
            tenant=self.tenant,
            actor=actor,
            key=idempotency_key,
            arguments={"actor": actor, "reason": reason},
        )

    def assign(
        self,
        ticket_id: str,
        *,
        actor: Party,
        team: str | _Unset | None = UNSET,
        assignee: str | _Unset | None = UNSET,
        reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> Ticket:
        """Move the ticket to a team (sector) and/or an agent; ``None`` clears either.

        Arguments left out keep their value. Assigning what is already there records
        nothing.
        """
        check_command(actor, reason, idempotency_key)
        if isinstance(team, _Unset) and isinstance(assignee, _Unset):
            raise InvalidTicketError("assign needs team=, assignee= or both", field="team")
        for name, value in (("team", team), ("assignee", assignee)):
            if isinstance(value, str) and not value.strip():
                raise InvalidTicketError(
                    f"{name} must not be empty; pass None to clear it", field=name
                )
            if not isinstance(value, _Unset):
                check_optional_text(value, field=name, limit=limits.TEAM)
        return self._pipeline.run(
            "assign",
            ticket_id,
            assignment.assign,
            tenant=self.tenant,
            actor=actor,
            key=idempotency_key,
            arguments={"actor": actor, "team": team, "assignee": assignee, "reason": reason},
        )

    def set_priority(
        self,
        ticket_id: str,
        priority: Priority | str,
        *,
        actor: Party,
        reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> Ticket:
        """Change the ticket's priority (``"low"``..``"urgent"`` or a ``Priority``)."""
        check_command(actor, reason, idempotency_key)
        return self._pipeline.run(
            "set_priority",
            ticket_id,
            fields.set_priority,
            tenant=self.tenant,
            actor=actor,
            key=idempotency_key,
            arguments={"priority": Priority.parse(priority), "actor": actor, "reason": reason},
        )

    def escalate(
        self,
        ticket_id: str,
        *,
        actor: Party,
        reason: str,
        team: str | _Unset | None = UNSET,
        idempotency_key: str | None = None,
    ) -> Ticket:
        """Move the ticket one support level up (N1 to N2), optionally to another team.

        ``reason`` is required: the specialists must know why it reached them. The ticket
        leaves its N1 assignee (N2 picks it up). Only active tickets can be escalated, and
        not past the workflow's ``max_tier``.
        """
        if not isinstance(reason, str) or not reason.strip():
            raise InvalidTicketError(
                "escalate needs a reason, so the N2 specialist knows why the ticket came up",
                field="reason",
                ticket_id=ticket_id,
            )
        check_command(actor, reason, idempotency_key)
        if isinstance(team, str) and not team.strip():
            raise InvalidTicketError(
                "team must not be empty; leave it out to keep the team", field="team"
            )
        if not isinstance(team, _Unset):
            check_optional_text(team, field="team", limit=limits.TEAM)
        return self._pipeline.run(
            "escalate",
            ticket_id,
            assignment.escalate,
            tenant=self.tenant,
            actor=actor,
            key=idempotency_key,
            arguments={"actor": actor, "reason": reason, "team": team},
        )

    def update(
        self,
        ticket_id: str,
        *,
        actor: Party,
        subject: str | _Unset = UNSET,
        category: str | _Unset | None = UNSET,
        tags: Iterable[str] | _Unset = UNSET,
        custom_fields: Mapping[str, FieldValue | None] | _Unset = UNSET,
        reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> Ticket:
        """Change the ticket's subject, category, tags or custom fields.

        ``custom_fields`` are merged into the ticket's (a ``None`` value removes a field).
        The priority rules then run again, unless a person set the priority.
        """
        check_command(actor, reason, idempotency_key)
        if not isinstance(subject, _Unset):
            check_text(subject, field="subject", limit=limits.SUBJECT)
        if not isinstance(category, _Unset):
            check_optional_text(category, field="category", limit=limits.ID)
        if not isinstance(tags, _Unset):
            tags = _to_tags(tags)
        if not isinstance(custom_fields, _Unset):
            check_custom_fields(
                {k: v for k, v in mapping(custom_fields, "custom_fields").items() if v is not None}
            )
        return self._pipeline.run(
            "update",
            ticket_id,
            fields.update,
            tenant=self.tenant,
            actor=actor,
            key=idempotency_key,
            arguments={
                "actor": actor,
                "subject": subject,
                "category": category,
                "tags": tags,
                "custom_fields": custom_fields,
                "reason": reason,
            },
        )

    def clear_priority(
        self,
        ticket_id: str,
        *,
        actor: Party,
        reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> Ticket:
        """Hand the priority back to the priority rules (undo a manual priority)."""
        check_command(actor, reason, idempotency_key)
        return self._pipeline.run(
            "clear_priority",
            ticket_id,
            fields.clear_priority,
            tenant=self.tenant,
            actor=actor,
            key=idempotency_key,
            arguments={"actor": actor, "reason": reason},
        )

    def auto_assign(
        self,
        ticket_id: str,
        *,
        actor: Party = AUTOMATION,
        idempotency_key: str | None = None,
    ) -> Ticket:
        """Assign the ticket with the desk's assignment strategy.

        Candidates are the available agents serving the ticket's team and tier, under
        their capacity. When nobody can take it, nothing changes: the ticket waits in its
        team's queue for ``next_ticket``.
        """
        check_command(actor, None, idempotency_key)
        if self.policies.agents is None:
            raise ConfigurationError(
                "auto_assign needs agents: Helpdesk(policies=Policies(agents=...))", key="agents"
            )
        return self._pipeline.run(
            "auto_assign",
            ticket_id,
            assignment.auto_assign,
            tenant=self.tenant,
            actor=actor,
            key=idempotency_key,
            arguments={"actor": actor},
        )

    def queue(
        self,
        *,
        team: str | None = None,
        tier: int | None = None,
        assigned: bool | None = False,
        limit: int | None = None,
    ) -> list[Ticket]:
        """The work queue: active tickets of ``team`` and ``tier``, most pressing first.

        Breached work first (the most overdue first), then the earliest SLA due time,
        then tickets without a clock that counts; within each, the highest priority, then
        the oldest (``chamados.policies.queue_order``). ``assigned=False`` (default) lists tickets
        nobody holds; ``True`` those held; ``None`` both.
        """
        if assigned is not None:
            check_flag(assigned, field="assigned")
        if limit is not None:
            check_integer(limit, field="limit", low=0, high=limits.INTEGER_MAX)
        query = TicketQuery(tenant=self.tenant, team=team, tier=tier)  # checks team and tier
        return self._queries.queue(query, assigned=assigned, limit=limit)

    def next_ticket(self, agent: Party | str, *, claim: bool = True) -> Ticket | None:
        """The most pressing unassigned ticket ``agent`` can take, assigned to them
        (``claim=False`` only looks). ``None`` when their queues are empty."""
        check_flag(claim, field="claim")
        if isinstance(agent, Party):
            agent_id = agent.id
        else:
            agent_id = check_text(agent, field="agent", limit=limits.TEAM)
        agents = self.policies.agents
        if agents is None:
            raise ConfigurationError(
                "next_ticket needs agents: Helpdesk(policies=Policies(agents=...))", key="agents"
            )
        return dispatch.next_ticket(
            self._queries, self._pipeline, agents.get(agent_id), tenant=self.tenant, claim=claim
        )

    def rate(
        self,
        ticket_id: str,
        score: int,
        *,
        actor: Party,
        comment: str | None = None,
        idempotency_key: str | None = None,
    ) -> Ticket:
        """Record the customer's satisfaction (CSAT) from 1 to 5 on a resolved or closed ticket.

        The requester rates; the team may record a rating the customer gave elsewhere.
        A new rating replaces the previous one (both stay in the history).
        """
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            raise InvalidTicketError(
                f"a rating is an integer from 1 to 5, got {score!r}",
                field="score",
                ticket_id=ticket_id,
            )
        check_command(actor, None, idempotency_key)
        check_optional_text(comment, field="comment", limit=limits.TEXT, blank=True)
        return self._pipeline.run(
            "rate",
            ticket_id,
            lifecycle.rate,
            tenant=self.tenant,
            actor=actor,
            key=idempotency_key,
            arguments={"score": score, "actor": actor, "comment": comment},
        )

    # -- service levels -----------------------------------------------------------------------

    def tick(self, *, limit: int | None = None) -> list[TicketEvent]:
        """Run the SLA monitor once; return the events it recorded.

        It asks the storage for the tickets whose next SLA deadline (a warning threshold
        or a due time) has passed, brings their clocks up to date, and records each
        warning and breach exactly once: a ticket two monitors reach at the same time is
        saved by one of them, and the other, finding it changed, sees nothing left to
        report. Its cost grows with the tickets due, not with the tickets open. Run it
        every minute or so (cron, Celery beat, a Kubernetes CronJob), from any number of
        workers. A desk that keeps no SLA policies ends the clocks of the due tickets
        that still carry some, and records nothing.
        """
        if limit is not None:
            check_integer(limit, field="limit", low=1, high=limits.INTEGER_MAX)
        return monitor.tick(self._pipeline, tenant=self.tenant, limit=limit)

    # -- notifications ---------------------------------------------------------------------

    def relay(
        self,
        *,
        batch: int = 100,
        lease: timedelta = timedelta(minutes=5),
        timeout: float | None = 60.0,
    ) -> OutboxRelay:
        """An outbox relay delivering this desk's outbox through its notifiers (only its
        tenant's messages when the desk is scoped to one). Run ``relay.run_once()`` from
        a scheduler or ``relay.run_forever()`` in a worker; see ``OutboxRelay``."""
        if not self.notifiers:
            raise ConfigurationError(
                "a relay needs notifiers: Helpdesk(notifiers=[...]).relay()", key="notifiers"
            )
        return OutboxRelay(
            self.storage.outbox(),
            self.notifiers,
            clock=self.clock,
            retry=self.retry,
            batch=batch,
            lease=lease,
            timeout=timeout,
            tenant=self.tenant,
        )

    # -- indicators ------------------------------------------------------------------------

    def indicator(
        self,
        name: str,
        *,
        by: Iterable[str] = (),
        start: datetime | None = None,
        end: datetime | None = None,
        **filters: str | int | None,
    ) -> Table:
        """One indicator (``chamados.reports.INDICATORS``: ``first_response``,
        ``sla_attainment``, ``time_in_status``...) cut by the dimensions ``by`` and
        filtered on dimensions (``channel="amazon"``, ``tier=2``...), over the tickets
        created from ``start`` (the beginning if ``None``) to ``end`` (now)."""
        return self._queries.indicator(
            name, by=by, start=start, end=end, tenant=self.tenant, filters=filters
        )

    def report(
        self,
        *,
        start: datetime | None = None,
        end: datetime | None = None,
        cuts: Mapping[str, Iterable[str]] | None = None,
        **filters: str | int | None,
    ) -> Report:
        """Every indicator over the same period and filters (see ``indicator``), each
        cut as ``cuts`` says or as ``chamados.reports.DEFAULT_CUTS`` does."""
        return self._queries.report(
            start=start, end=end, cuts=cuts, tenant=self.tenant, filters=filters
        )

    def expectations(self, ticket_id: str, *, lang: str = "pt-BR") -> Expectations:
        """What the customer can expect: the next answer and the resolution, with words
        for them ("até sexta-feira às 18h"). Taken from the running clocks, the earliest
        of all policies; ``None`` when no clock runs (waiting on the customer, say)."""
        return self._queries.expectations(ticket_id, tenant=self.tenant, lang=lang)
