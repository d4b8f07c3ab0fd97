"""The ``Helpdesk`` service: every command on tickets, each one a unit of work.

A command loads the ticket, checks who may do it, runs the workflow transition, records
the events, and saves the ticket with its history (and its idempotency key) in one
commit, with a version check. Nothing is saved when any step fails. This module is the
composition root: storage, clock, workflows, ids and notifiers meet here.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final, Literal

import pendulum

from chamados import limits
from chamados.access import (
    TEAM_ONLY,
    check_involved,
    check_may_fire,
    check_party,
    check_team,
    visible_to,
)
from chamados.automation import (
    assign,
    decide_priority,
    may_take,
    new_sla_events,
    route,
    run_sla_actions,
)
from chamados.clock import Clock, SystemClock, as_instant
from chamados.command import Command
from chamados.events import (
    Assigned,
    Cause,
    FieldsChanged,
    NoteAdded,
    Rated,
    Replied,
    TicketEvent,
    TicketOpened,
)
from chamados.exceptions import (
    AccessDeniedError,
    ConcurrencyError,
    ConfigurationError,
    InvalidTicketError,
    TransitionNotAllowedError,
)
from chamados.idempotency import KeyUse
from chamados.ids import IdFactory, RandomTicketIds, new_uid
from chamados.labels import language
from chamados.limits import (
    check_flag,
    check_integer,
    check_optional_text,
    check_text,
)
from chamados.model import (
    Category,
    FieldValue,
    Message,
    Party,
    PartyKind,
    Priority,
    Ticket,
    _to_tags,
    check_custom_fields,
    validate_ticket,
)
from chamados.notify.notifier import Notifier
from chamados.notify.notifiers import Route, routes_of
from chamados.notify.relay import OutboxRelay, RetryPolicy
from chamados.policies import AUTOMATION, Policies, queue_order
from chamados.reports.engine import Scope, settled_statuses
from chamados.reports.facts import fold
from chamados.reports.results import Report, Table
from chamados.settings import storage_from
from chamados.sla.calendar import BusinessCalendar
from chamados.sla.engine import SlaEngine
from chamados.sla.policy import SlaPolicy
from chamados.sla.wording import Expectations
from chamados.storage.port import DuplicateKeyError, Storage, TicketQuery, UnitOfWork
from chamados.workflows.base import SEND_RESERVED, Workflow
from chamados.workflows.registry import WorkflowRegistry

__all__ = ["UNSET", "Helpdesk"]

log = logging.getLogger("chamados")


class _Unset:
    def __repr__(self) -> str:
        return "UNSET"


UNSET: Final = _Unset()
"""Marks an argument that was not given (``assign(team=UNSET)`` keeps the team)."""

_OPEN_RETRIES = 3
_SLA_TICK = "sla_tick"
_TICK_RETRIES = 3
_ACTION_ROUNDS = 3


class _Taken(Exception):
    """Another agent claimed the ticket first."""


def _nothing(command: Command) -> None:
    """The monitor's command: no change of its own, only the SLA engine's."""


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
            _setting(check_text, tenant, "tenant", limit=limits.TENANT)
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
        self._writes_outbox = bool(self.notifiers) or delivery == "relay"
        self._inline: OutboxRelay | None = None
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

    def for_tenant(self, tenant: str) -> Helpdesk:
        """A ``Helpdesk`` on the same storage that sees and changes only ``tenant``."""
        _setting(check_text, tenant, "tenant", limit=limits.TENANT)
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
        _check_viewer(viewer, "viewer")
        with self.storage.unit_of_work() as uow:
            ticket = uow.get(ticket_id, tenant=self.tenant)
            if viewer is not None:
                check_involved(viewer, ticket, "see")
            self._refresh(uow, ticket)
        return ticket

    def history(self, ticket_id: str, *, viewer: Party | None = None) -> list[TicketEvent]:
        """The ticket's events, oldest first.

        For a ``viewer`` outside the team (customer, partner, marketplace) internal notes
        are left out, and only tickets that involve the viewer can be read.
        """
        _check_viewer(viewer, "viewer")
        with self.storage.unit_of_work() as uow:
            ticket = uow.get(ticket_id, tenant=self.tenant)
            events = uow.history(ticket_id, tenant=self.tenant)
        if viewer is not None:
            check_involved(viewer, ticket, "see")
        return visible_to(viewer, events)

    def messages(self, ticket_id: str, *, viewer: Party | None = None) -> list[Message]:
        """The ticket's messages, oldest first; internal notes only for the team."""
        return [
            e.message
            for e in self.history(ticket_id, viewer=viewer)
            if isinstance(e, Replied | NoteAdded)
        ]

    def timeline(
        self, ticket_id: str, *, lang: str = "pt-BR", viewer: Party | None = None
    ) -> list[str]:
        """The ticket's history as lines people read: time, who, what, with workflow labels.

        Times are shown in the zone of the ticket's creation time.
        """
        language(lang)
        events = self.history(ticket_id, viewer=viewer)
        if not events:
            return []
        ticket = self.get(ticket_id)
        workflow = self._workflow(ticket)
        zone = ticket.created_at.timezone or "UTC"
        return [
            f"{event.at.in_timezone(zone).format('YYYY-MM-DD HH:mm')}  "
            f"{workflow.describe(event, lang=lang)}"
            for event in events
        ]

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
        statuses = None if status is None else frozenset(_names(status, "status"))
        if priority is None:
            priorities = None
        elif isinstance(priority, Priority | str):
            priorities = frozenset([Priority.parse(priority)])
        else:
            priorities = frozenset(Priority.parse(p) for p in _names(priority, "priority"))
        query = TicketQuery(
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
        with self.storage.unit_of_work() as uow:
            found = uow.find(query)
            for ticket in found:
                self._refresh(uow, ticket)
        return found

    def allowed_events(self, ticket_id: str, *, actor: Party | None = None) -> tuple[str, ...]:
        """The workflow events the ticket's state accepts now (for ``actor``, if given)."""
        _check_viewer(actor, "actor")
        ticket = self.get(ticket_id, viewer=actor)
        workflow = self._workflow(ticket)
        events = workflow.allowed_in(ticket.status)
        if actor is not None and actor.is_external:
            permitted = workflow.party_events.get(actor.kind, frozenset())
            events = tuple(e for e in events if e in permitted)
        return events

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
        tenant = self._tenant_for_open(tenant)
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
        _check_key(idempotency_key)
        tags = _to_tags(tags)
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
        workflow_cls = self.workflows.get(workflow_name)
        fields = dict(custom_fields or {})
        chosen = Priority.parse(priority) if priority is not None else None
        tags = _to_tags(tags)
        use = KeyUse.of(
            idempotency_key,
            "open",
            actor=actor,
            arguments={
                "channel": channel,
                "requester": requester,
                "subject": subject,
                "body": body,
                "category": category,
                "priority": chosen,
                "partner": partner,
                "order_id": order_id,
                "team": team,
                "tags": tags,
                "custom_fields": fields,
                "workflow": workflow_name,
                "opened_by": actor,
            },
        )
        for attempt in range(_OPEN_RETRIES):
            with self.storage.unit_of_work() as uow:
                if use is not None:
                    record = uow.idempotency(use.key, tenant=tenant)
                    if record is not None:
                        return use.answer(record, None)
                now = self._now()
                ticket = Ticket(
                    id=self.ticket_ids(),
                    tenant=tenant,
                    channel=channel,
                    requester=requester,
                    subject=subject,
                    workflow=workflow_name,
                    status=workflow_cls.initial_status(),
                    created_at=now,
                    updated_at=now,
                    priority=chosen or self._default_priority(),
                    priority_manual=chosen is not None,
                    category=category,
                    partner=partner,
                    order_id=order_id,
                    team=team,
                    tags=tags,
                    custom_fields=fields,
                    version=1,
                )
                command = Command(self.workflows, ticket, now, version=1)
                command.emit(
                    TicketOpened,
                    actor=actor,
                    channel=ticket.channel,
                    requester=requester,
                    subject=ticket.subject,
                    workflow=ticket.workflow,
                    status=ticket.status,
                    priority=ticket.priority,
                    category=ticket.category,
                    partner=ticket.partner,
                    order_id=ticket.order_id,
                    team=ticket.team,
                    tier=ticket.tier,
                    tags=ticket.tags,
                    custom_fields=dict(ticket.custom_fields),
                )
                if body is not None:
                    message = self._message(author=requester, body=body, now=now)
                    command.emit(Replied, actor=requester, message=message)
                route(command, self.policies)
                decide_priority(command, self.policies, actor=AUTOMATION, trigger="opened")
                if self.policies.assign_on_open:
                    assign(
                        command,
                        self.policies,
                        self._load(uow, tenant),
                        actor=AUTOMATION,
                        trigger=Cause("opened"),
                    )
                self._keep_clocks(command, uow, history=list)
                self._keep_facts(command, uow)
                uow.add(ticket)
                uow.record(command.events)
                if self._writes_outbox:
                    uow.enqueue(command.events)
                if use is not None:
                    use.remember(uow, ticket)
                try:
                    uow.commit()
                except DuplicateKeyError as error:
                    assert use is not None  # only a key can be taken
                    return use.answer(error.record, None)
                except ConcurrencyError:
                    if attempt + 1 == _OPEN_RETRIES:
                        raise
                    continue  # the id factory produced an id that exists: try another
            self._publish(command.events)
            return ticket.copy()
        raise AssertionError("unreachable")  # pragma: no cover

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
        _check_key(idempotency_key)

        def apply(command: Command) -> None:
            ticket = command.ticket
            if not public:
                check_team(author, ticket, "add internal notes")
            check_involved(author, ticket, "reply to")
            self._check_not_closed(ticket, "reply")
            message = self._message(
                author=author,
                body=body,
                now=command.now,
                public=public,
                automated=automated,
                external_id=external_id,
                at=at,
            )
            if not public:
                command.emit(NoteAdded, actor=author, message=message)
                return
            command.emit(Replied, actor=author, message=message)
            if automated:
                return
            workflow = self._workflow(ticket)
            event = workflow.reply_events.get(author.kind)
            if event is not None and event in workflow.allowed_in(ticket.status):
                command.fire(event, actor=author, reason=None, data={})

        return self._run(
            "reply",
            ticket_id,
            apply,
            actor=author,
            arguments={
                "author": author,
                "body": body,
                "public": public,
                "automated": automated,
                "external_id": external_id,
                "at": at,
            },
            key=idempotency_key,
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
        _check_command(actor, reason, idempotency_key)
        check_text(event, field="event", limit=limits.NAME)
        reserved = sorted((SEND_RESERVED | {"now", "ticket", "ticket_id"}) & data.keys())
        if reserved:
            raise InvalidTicketError(
                f"the argument name(s) {', '.join(reserved)} are reserved (python-statemachine "
                f"or chamados set them); pass that data under another name",
                field=reserved[0],
                ticket_id=ticket_id,
            )

        def apply(command: Command) -> None:
            ticket = command.ticket
            check_involved(actor, ticket, "change")
            check_may_fire(actor, ticket, self._workflow(ticket), event)
            command.fire(event, actor=actor, reason=reason, data=data)

        return self._run(
            "transition",
            ticket_id,
            apply,
            actor=actor,
            arguments={"event": event, "actor": actor, "reason": reason, "data": data},
            key=idempotency_key,
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
        return self._command_event(
            "resolve", ticket_id, actor=actor, reason=None, key=idempotency_key, summary=summary
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
        return self._command_event(
            "reopen", ticket_id, actor=actor, reason=reason, key=idempotency_key
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
        return self._command_event(
            "close", ticket_id, actor=actor, reason=reason, key=idempotency_key
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
        _check_command(actor, reason, idempotency_key)
        if isinstance(team, _Unset) and isinstance(assignee, _Unset):
            raise InvalidTicketError("assign needs team=, assignee= or both", field="team")
        for name, value in (("team", team), ("assignee", assignee)):
            if isinstance(value, str) and not value.strip():
                raise InvalidTicketError(
                    f"{name} must not be empty; pass None to clear it", field=name
                )
            if not isinstance(value, _Unset):
                check_optional_text(value, field=name, limit=limits.TEAM)

        def apply(command: Command) -> None:
            ticket = command.ticket
            check_team(actor, ticket, "assign tickets")
            self._check_not_closed(ticket, "assign")
            new_team = ticket.team if isinstance(team, _Unset) else team
            new_assignee = ticket.assignee if isinstance(assignee, _Unset) else assignee
            if (new_team, new_assignee) == (ticket.team, ticket.assignee):
                return
            command.emit(
                Assigned,
                actor=actor,
                reason=reason,
                from_team=ticket.team,
                to_team=new_team,
                from_assignee=ticket.assignee,
                to_assignee=new_assignee,
            )
            ticket.team, ticket.assignee = new_team, new_assignee

        return self._run(
            "assign",
            ticket_id,
            apply,
            actor=actor,
            arguments={"actor": actor, "team": team, "assignee": assignee, "reason": reason},
            key=idempotency_key,
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
        _check_command(actor, reason, idempotency_key)
        new = Priority.parse(priority)

        def apply(command: Command) -> None:
            ticket = command.ticket
            check_team(actor, ticket, "change priorities")
            self._check_not_closed(ticket, "set_priority")
            if new is ticket.priority and ticket.priority_manual:
                return
            command.change_priority(new, actor=actor, reason=reason, manual=True)

        return self._run(
            "set_priority",
            ticket_id,
            apply,
            actor=actor,
            arguments={"priority": new, "actor": actor, "reason": reason},
            key=idempotency_key,
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
        _check_command(actor, reason, idempotency_key)
        if isinstance(team, str) and not team.strip():
            raise InvalidTicketError(
                "team must not be empty; leave it out to keep the team", field="team"
            )
        if not isinstance(team, _Unset):
            check_optional_text(team, field="team", limit=limits.TEAM)

        def apply(command: Command) -> None:
            ticket = command.ticket
            check_team(actor, ticket, "escalate tickets")
            workflow = self._workflow(ticket)
            status = workflow.status_of(ticket.status)
            max_tier = self.workflows.options(ticket.workflow).max_tier
            problem = None
            if not status.category.is_active:
                problem = f"the ticket is {status.category.value}; reopen it first"
            elif ticket.tier >= max_tier:
                problem = f"it is already at N{ticket.tier}, the highest support level"
            if problem is not None:
                raise _refusal(ticket, workflow, "escalate", problem)
            command.escalate(
                actor=actor,
                reason=reason,
                team=ticket.team if isinstance(team, _Unset) else team,
            )
            if self.policies.assign_on_escalation:
                assign(
                    command,
                    self.policies,
                    command.load,
                    actor=AUTOMATION,
                    trigger=Cause("escalated"),
                )

        return self._run(
            "escalate",
            ticket_id,
            apply,
            actor=actor,
            arguments={"actor": actor, "reason": reason, "team": team},
            key=idempotency_key,
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
        _check_command(actor, reason, idempotency_key)
        if not isinstance(subject, _Unset):
            check_text(subject, field="subject", limit=limits.SUBJECT)
        if not isinstance(category, _Unset):
            check_optional_text(category, field="category", limit=limits.ID)
        if not isinstance(tags, _Unset):
            tags = _to_tags(tags)
        if not isinstance(custom_fields, _Unset):
            check_custom_fields(
                {
                    k: v
                    for k, v in _mapping(custom_fields, "custom_fields").items()
                    if v is not None
                }
            )

        def apply(command: Command) -> None:
            ticket = command.ticket
            check_team(actor, ticket, "change tickets")
            self._check_not_closed(ticket, "update")
            candidate = ticket.copy()
            if not isinstance(subject, _Unset):
                candidate.subject = subject
            if not isinstance(category, _Unset):
                candidate.category = category
            if not isinstance(tags, _Unset):
                candidate.tags = tags
            if not isinstance(custom_fields, _Unset):
                merged = dict(ticket.custom_fields)
                for name, value in custom_fields.items():
                    if value is None:
                        merged.pop(name, None)
                    else:
                        merged[name] = value
                candidate.custom_fields = merged
            validate_ticket(candidate, since=ticket)
            changes = {
                name: (getattr(ticket, name), getattr(candidate, name))
                for name in ("subject", "category", "tags", "custom_fields")
                if getattr(ticket, name) != getattr(candidate, name)
            }
            if not changes:
                return
            command.emit(FieldsChanged, actor=actor, reason=reason, fields=changes)
            for name in changes:
                setattr(ticket, name, getattr(candidate, name))
            decide_priority(command, self.policies, actor=AUTOMATION, trigger="updated")

        return self._run(
            "update",
            ticket_id,
            apply,
            actor=actor,
            arguments={
                "actor": actor,
                "subject": subject,
                "category": category,
                "tags": tags,
                "custom_fields": custom_fields,
                "reason": reason,
            },
            key=idempotency_key,
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
        _check_command(actor, reason, idempotency_key)

        def apply(command: Command) -> None:
            ticket = command.ticket
            check_team(actor, ticket, "change priorities")
            self._check_not_closed(ticket, "clear_priority")
            if not ticket.priority_manual:
                return
            ticket.priority_manual = False
            before = ticket.priority
            decide_priority(command, self.policies, actor=actor, trigger="cleared", reason=reason)
            if ticket.priority is before:  # the rules agree: record that the pin is gone
                command.change_priority(
                    before,
                    actor=actor,
                    reason=reason,
                    manual=False,
                    cause=Cause("priority_kept"),
                )

        return self._run(
            "clear_priority",
            ticket_id,
            apply,
            actor=actor,
            arguments={"actor": actor, "reason": reason},
            key=idempotency_key,
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
        _check_command(actor, None, idempotency_key)
        if self.policies.agents is None:
            raise ConfigurationError(
                "auto_assign needs agents: Helpdesk(policies=Policies(agents=...))", key="agents"
            )

        def apply(command: Command) -> None:
            ticket = command.ticket
            check_team(actor, ticket, "assign tickets")
            self._check_not_closed(ticket, "auto_assign")
            assign(command, self.policies, command.load, actor=actor, trigger=Cause("auto_assign"))

        return self._run(
            "auto_assign",
            ticket_id,
            apply,
            actor=actor,
            arguments={"actor": actor},
            key=idempotency_key,
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
        found = []
        for ticket in self.tickets(team=team, tier=tier):
            workflow = self._workflow(ticket)
            if not workflow.status_of(ticket.status).category.is_active:
                continue
            if assigned is not None and (ticket.assignee is not None) != assigned:
                continue
            found.append(ticket)
        found.sort(key=queue_order)
        return found[:limit] if limit is not None else found

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
        profile = agents.get(agent_id)
        candidates = [
            ticket
            for team in sorted(profile.teams)
            for ticket in self.queue(team=team)
            if may_take(self.policies, profile, ticket)
        ]
        candidates.sort(key=queue_order)
        for ticket in candidates:
            if not claim:
                return ticket
            try:
                return self._claim(ticket.id, agent_id)
            except (_Taken, ConcurrencyError):
                continue  # someone took it first: try the next one
        return None

    def _claim(self, ticket_id: str, agent_id: str) -> Ticket:
        """Assign an unassigned ticket to ``agent_id``; ``_Taken`` if someone holds it."""

        def apply(command: Command) -> None:
            ticket = command.ticket
            if ticket.assignee is not None:
                raise _Taken(ticket.id)
            command.emit(
                Assigned,
                actor=Party.agent(agent_id),
                cause=Cause("claimed"),
                from_team=ticket.team,
                to_team=ticket.team,
                from_assignee=None,
                to_assignee=agent_id,
            )
            ticket.assignee = agent_id

        return self._run(
            "claim", ticket_id, apply, actor=Party.agent(agent_id), arguments={}, key=None
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
        _check_command(actor, None, idempotency_key)
        check_optional_text(comment, field="comment", limit=limits.TEXT, blank=True)

        def apply(command: Command) -> None:
            ticket = command.ticket
            if actor.is_external and actor != ticket.requester:
                raise AccessDeniedError(
                    f"only the requester ({ticket.requester}) rates ticket {ticket.id!r}, "
                    f"not {actor}",
                    ticket_id=ticket.id,
                    actor=str(actor),
                )
            workflow = self._workflow(ticket)
            if workflow.status_of(ticket.status).category.is_active:
                raise _refusal(
                    ticket, workflow, "rate", "a ticket is rated once it is resolved or closed"
                )
            command.emit(Rated, actor=actor, score=score, comment=comment, previous=ticket.rating)
            ticket.rating = score

        return self._run(
            "rate",
            ticket_id,
            apply,
            actor=actor,
            arguments={"score": score, "actor": actor, "comment": comment},
            key=idempotency_key,
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
        now = self._now()
        emitted: list[TicketEvent] = []
        done: set[str] = set()
        attempts: dict[str, int] = {}
        while limit is None or len(done) < limit:
            try:
                with self.storage.unit_of_work() as uow:
                    ticket = uow.claim_due(now, tenant=self.tenant, skip=done)
                    if ticket is None:
                        break
                    attempts[ticket.id] = attempts.get(ticket.id, 0) + 1
                    _, events = self._apply(uow, ticket, _SLA_TICK, _nothing, None)
                done.add(ticket.id)
            except ConcurrencyError as error:
                # Changed under us (by a command, which kept its clocks too): look again,
                # a few times at most.
                if attempts.get(error.ticket_id, 0) >= _TICK_RETRIES:
                    log.warning(
                        "SLA monitor gave up on ticket %s: it keeps changing", error.ticket_id
                    )
                    done.add(error.ticket_id)
                continue
            self._publish(events)
            emitted.extend(events)
        return emitted

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
        return self.storage.indicators().table(name, scope=self._scope(start, end, filters), by=by)

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
        return self.storage.indicators().report(self._scope(start, end, filters), cuts=cuts)

    def _scope(
        self, start: datetime | None, end: datetime | None, filters: Mapping[str, Any]
    ) -> Scope:
        return Scope(
            start=None if start is None else as_instant(start, name="start"),
            end=self._now() if end is None else as_instant(end, name="end"),
            tenant=self.tenant,
            filters=filters,
            settled=settled_statuses(self.workflows),
        )

    def expectations(self, ticket_id: str, *, lang: str = "pt-BR") -> Expectations:
        """What the customer can expect: the next answer and the resolution, with words
        for them ("até sexta-feira às 18h"). Taken from the running clocks, the earliest
        of all policies; ``None`` when no clock runs (waiting on the customer, say)."""
        ticket = self.get(ticket_id)
        return Expectations.of(ticket, now=self._now(), lang=lang)

    # -- the machinery ---------------------------------------------------------------------------

    def _command_event(
        self,
        command: str,
        ticket_id: str,
        *,
        actor: Party,
        reason: str | None,
        key: str | None,
        **data: Any,
    ) -> Ticket:
        _check_command(actor, reason, key)

        def apply(cmd: Command) -> None:
            ticket = cmd.ticket
            workflow = self._workflow(ticket)
            event = workflow.commands.get(command)
            if event is None:
                raise _refusal(
                    ticket,
                    workflow,
                    command,
                    f"the workflow has no {command!r} command; use transition() with one of "
                    f"its events",
                )
            check_involved(actor, ticket, "change")
            check_may_fire(actor, ticket, workflow, event)
            cmd.fire(event, actor=actor, reason=reason, data=data)

        return self._run(
            command,
            ticket_id,
            apply,
            actor=actor,
            arguments={"actor": actor, "reason": reason, **data},
            key=key,
        )

    def _run(
        self,
        name: str,
        ticket_id: str,
        apply: Callable[[Command], None],
        *,
        actor: Party,
        arguments: Mapping[str, Any],
        key: str | None,
    ) -> Ticket:
        """Load (and hold) the ticket, apply, keep the SLA clocks, save with a version
        check, commit, notify.

        ``actor`` is who sends the command and ``arguments`` all it was given (but the
        ticket id): with an idempotency ``key``, a repeat must match both
        (``chamados.idempotency``).
        """
        use = KeyUse.of(key, name, actor=actor, arguments=arguments)
        with self.storage.unit_of_work() as uow:
            # Held until the commit: commands on one ticket queue up rather than fail.
            ticket = uow.get(ticket_id, tenant=self.tenant, lock=True)
            if use is not None:
                record = uow.idempotency(use.key, tenant=ticket.tenant)
                if record is not None:
                    return use.answer(record, ticket.id)
            result, events = self._apply(uow, ticket, name, apply, use)
        self._publish(events)
        return result

    def _apply(
        self,
        uow: UnitOfWork,
        ticket: Ticket,
        name: str,
        apply: Callable[[Command], None],
        use: KeyUse | None,
    ) -> tuple[Ticket, list[TicketEvent]]:
        """Apply a command to a ticket loaded in ``uow`` and commit it; the ticket as
        saved and the events recorded (none when nothing changed or a repeat)."""
        command = Command(self.workflows, ticket, self._now(), version=ticket.version + 1)
        command.load = self._load(uow, ticket.tenant)
        apply(command)
        changed = False
        if self.sla.tracks(ticket) and (command.events or name == _SLA_TICK):
            before = (ticket.sla_state, ticket.sla_deadline)
            self._keep_clocks(command, uow, history=lambda: uow.history(ticket.id, tenant=None))
            changed = (ticket.sla_state, ticket.sla_deadline) != before
        if not command.events and not changed:
            return ticket.copy(), []
        self._keep_facts(command, uow)
        ticket.version = command.version
        ticket.updated_at = command.now
        uow.save(ticket)
        uow.record(command.events)
        if self._writes_outbox:
            uow.enqueue(command.events)
        if use is not None:
            use.remember(uow, ticket)
        try:
            uow.commit()
        except DuplicateKeyError as error:
            assert use is not None  # only a key can be taken
            return use.answer(error.record, ticket.id), []
        return ticket.copy(), list(command.events)

    def _keep_clocks(
        self, command: Command, uow: UnitOfWork, *, history: Callable[[], Sequence[TicketEvent]]
    ) -> None:
        """Run the SLA engine on the command, then the SLA actions its warnings and
        breaches trigger (and the engine again on what they changed, a few rounds)."""
        if not self.sla.tracks(command.ticket):
            return
        since = 0
        for _ in range(_ACTION_ROUNDS):
            reported = len(command.events)
            self.sla.run(command, history, since=since)
            triggered = new_sla_events(command.events, reported)
            if not self.policies.sla_actions or not triggered:
                return
            since = len(command.events)
            ticket = command.ticket
            workflow = self._workflow(ticket)
            run_sla_actions(
                command,
                self.policies,
                triggered,
                command.load,
                max_tier=self.workflows.options(ticket.workflow).max_tier,
                active=workflow.status_of(ticket.status).category.is_active,
            )
            if len(command.events) == since:
                return

    def _keep_facts(self, command: Command, uow: UnitOfWork) -> None:
        """Fold the command's events into the ticket's facts for indicators, and stage
        the stays in a status they ended."""
        ticket = command.ticket
        ticket.stats, ended = fold(
            ticket,
            command.events,
            workflow=self._workflow(ticket),
            calendar=self.business_hours,
        )
        if ended:
            uow.add_stays(ended)

    def _load(self, uow: UnitOfWork, tenant: str) -> Callable[[str], int]:
        """Tickets with a running SLA clock held by an agent (for assignment)."""

        def load(agent_id: str) -> int:
            held = uow.find(TicketQuery(tenant=tenant, assignee=agent_id))
            return sum(1 for t in held if any(c.status == "running" for c in t.sla_clocks))

        return load

    def _default_priority(self) -> Priority:
        policy = self.policies.priority
        return policy.default if policy is not None else Priority.NORMAL

    def _refresh(self, uow: UnitOfWork, ticket: Ticket) -> None:
        """Bring a ticket's SLA clocks to now, for reading (nothing is saved)."""
        if self.sla.tracks(ticket):
            self.sla.refresh(ticket, self._now(), lambda: uow.history(ticket.id, tenant=None))

    def _publish(self, events: Sequence[TicketEvent]) -> None:
        """Inline delivery: hand a command's events to the notifiers now, through the
        outbox (so a failure is retried by a relay, not lost). Not when the commit is the
        host's to make: the host may still roll back."""
        if self.delivery != "inline" or not self.notifiers or not events:
            return
        if self.storage.in_host_transaction:
            return
        if self._inline is None:
            self._inline = OutboxRelay(
                self.storage.outbox(),
                self.notifiers,
                clock=self.clock,
                retry=self.retry,
                timeout=None,  # the caller's own thread: it waits for its notifiers
            )
        self._inline.run_once(ids=[event.id for event in events])

    def _now(self) -> pendulum.DateTime:
        value = self.clock.now()
        try:
            return as_instant(value, name="clock.now()")
        except InvalidTicketError as error:
            raise ConfigurationError(
                f"the clock {self.clock!r} returned {value!r}: {error}", key="clock"
            ) from None

    def _tenant_for_open(self, tenant: str | None) -> str:
        if tenant is None:
            if self.tenant is None:
                raise InvalidTicketError(
                    "open needs tenant= (or use desk.for_tenant(...))", field="tenant"
                )
            return self.tenant
        if self.tenant is not None and tenant != self.tenant:
            raise AccessDeniedError(
                f"this Helpdesk is scoped to tenant {self.tenant!r}; it cannot open tickets "
                f"for tenant {tenant!r}"
            )
        return tenant

    def _message(
        self,
        *,
        author: Party,
        body: str,
        now: pendulum.DateTime,
        public: bool = True,
        automated: bool = False,
        external_id: str | None = None,
        at: datetime | None = None,
    ) -> Message:
        when = now if at is None else as_instant(at, name="at")
        return Message(
            id=new_uid(),
            author=author,
            body=body,
            at=when,
            public=public,
            automated=automated,
            external_id=external_id,
        )

    def _workflow(self, ticket: Ticket) -> type[Workflow]:
        return self.workflows.get(ticket.workflow, ticket_id=ticket.id)

    def _check_not_closed(self, ticket: Ticket, doing: str) -> None:
        workflow = self._workflow(ticket)
        if workflow.status_of(ticket.status).category is Category.CLOSED:
            raise _refusal(
                ticket,
                workflow,
                doing,
                "the ticket is closed; open a new ticket that refers to it",
            )


def _check_command(actor: object, reason: object, key: object) -> None:
    """The arguments most commands share: who acts, why, and the idempotency key."""
    check_party(actor, "actor")
    check_optional_text(reason, field="reason", limit=limits.TEXT, blank=True)
    _check_key(key)


def _check_key(key: object) -> None:
    check_optional_text(key, field="idempotency_key", limit=limits.IDEMPOTENCY_KEY)


def _check_viewer(viewer: object, name: str) -> None:
    if viewer is not None:
        check_party(viewer, name)


def _names(value: object, field: str) -> list[Any]:
    """A filter's values: one string, or a collection of them."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable) and not isinstance(value, Mapping):
        names = list(value)
        if all(isinstance(name, str | Priority) for name in names):
            return names
    raise InvalidTicketError(
        f"{field} must be a name or a collection of names, got {value!r}", field=field
    )


def _mapping(value: object, field: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise InvalidTicketError(
            f"{field} must be a mapping of names to values, got {type(value).__name__}",
            field=field,
        )
    return value


def _setting(check: Callable[..., object], value: object, key: str, **options: Any) -> None:
    """Run a ``chamados.limits`` check on a setting: a refusal is a ``ConfigurationError``."""
    try:
        check(value, field=key, **options)
    except InvalidTicketError as error:
        raise ConfigurationError(str(error), key=key) from None


def _refusal(
    ticket: Ticket, workflow: type[Workflow], doing: str, detail: str
) -> TransitionNotAllowedError:
    """The error for a command the ticket's state does not allow, and why."""
    return TransitionNotAllowedError(
        ticket_id=ticket.id,
        event=doing,
        state=ticket.status,
        allowed=workflow.allowed_in(ticket.status),
        workflow=workflow.workflow_name,
        detail=detail,
    )
