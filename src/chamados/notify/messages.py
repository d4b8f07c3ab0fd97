"""Status messages for customers and partners: what to tell whom when a ticket changes.

``CustomerMessages.render(event, ticket, now=...)`` turns one event into the messages the
ticket's requester and partner should read, in their language, from templates the host
may override. It does no I/O: channels (``EmailNotifier``, a WhatsApp or marketplace
adapter the host writes) send what it returns.

What it promises, whatever the templates say:

- internal notes, non-public replies and the reasons agents type never reach a message;
- messages go only to customers and partners, never to agents, marketplaces or the system;
- nobody is told about what they did themselves, except ``received`` (the customer who
  opens a ticket gets its number and the expected answer time);
- messages that ask for something (``waiting_on_you``, ``waiting_on_partner``,
  ``partner_request``) or apologise for a deadline (``deadline_slipping``) are dropped
  when the ticket has moved on by the time they are rendered, so a late delivery never
  asks for what is no longer needed; the others report facts and always go;
- a missed deadline gets one apology (at the breach, or at the warning chosen instead),
  and automated replies (auto-acknowledgements) never send a ``replied`` message.
"""

from __future__ import annotations

import string
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Final

import pendulum
from attrs import frozen

from chamados.clock import as_instant
from chamados.events import (
    Closed,
    Escalated,
    NoteAdded,
    Replied,
    Resolved,
    SlaBreached,
    SlaWarning,
    StatusChanged,
    TicketEvent,
    TicketOpened,
)
from chamados.exceptions import ConfigurationError, InvalidTicketError
from chamados.labels import Label, Language, language
from chamados.model import Owner, Party, PartyKind, Priority, Ticket
from chamados.notify.templates import (
    DEFAULT_TEMPLATES,
    TEMPLATE_KEYS,
    MessageTemplate,
    check_placeholders,
    known_keys,
)
from chamados.sla.estimate import new_estimate
from chamados.sla.policy import SlaPolicy
from chamados.sla.wording import METRIC_LABELS, Expectations, promise
from chamados.tracking import SlaClock
from chamados.workflows.registry import WorkflowRegistry

__all__ = ["CUSTOMER_METRICS", "CustomerMessages", "OutgoingMessage"]

CUSTOMER_METRICS: Final[frozenset[str]] = frozenset(
    {"first_response", "next_response", "resolution"}
)
"""The SLA metrics customers are promised; only their warnings and breaches are told."""

_RECIPIENTS = frozenset({PartyKind.CUSTOMER, PartyKind.PARTNER})
_ASKING = frozenset({"waiting_on_you", "waiting_on_partner", "partner_request"})


@frozen(kw_only=True)
class OutgoingMessage:
    """One message to one party, ready for a channel to send.

    ``template`` is the key it was written from; ``event_id``, ``ticket_id`` and
    ``tenant`` say what it is about, so a channel can give it a stable id (the same
    event renders the same messages, in the same order).
    """

    to: Party
    lang: Language
    subject: str
    body: str
    template: str
    event_id: str
    ticket_id: str
    tenant: str


_SOON = Label(pt="em breve", en="soon")
_ASAP = Label(pt="o quanto antes", en="as soon as possible")
_SELLER = Label(pt="o vendedor", en="the seller")
_TEAM_NAME = Label(pt="Nossa equipe", en="Our team")
_ORDER = Label(pt="pedido", en="order")

Values = Callable[[Language], dict[str, str]]


@frozen
class _Plan:
    """A message to write: which template, to whom, and its own placeholder values."""

    key: str
    to: Party
    values: Values


def _none(lang: Language) -> dict[str, str]:
    return {}


def _one_line(text: str) -> str:
    return " ".join(text.split())


class CustomerMessages:
    """Writes the status messages customers and partners read (see the module docstring).

    ``store_name`` signs every message. ``templates`` replaces default texts by
    ``(key, language)``: ``{("received", "pt-BR"): MessageTemplate(subject=..., body=...)}``;
    a key not in ``TEMPLATE_KEYS``, a language chamados does not speak, or a placeholder
    the key does not offer (``PLACEHOLDERS``) is a ``ConfigurationError`` here, not when a
    message is due. ``workflows`` tells who owns each status (default: the built-ins).
    ``lang`` is the language of parties ``lang_of`` does not place (``lang_of(party)``
    returns a language tag, or ``None`` for the default). ``enabled`` limits the keys
    sent (default: all). A missed deadline gets one apology: by default at the breach.
    ``slip_warnings`` names warning thresholds (``"75%"``, ``"30min left"``) that tell
    the customer earlier instead (the breach then does not apologise again); ``None``
    means every warning, ``()`` (the default) breaches only. ``sla`` lists the SLA
    policies, so a new estimate is measured on the policy's own calendar
    (``new_estimate``).

    >>> from chamados.testing.notifier_contract import every_kind_of_event
    >>> scenario = every_kind_of_event()
    >>> messages = CustomerMessages(store_name="Loja Aurora")
    >>> event = scenario.first("escalated")
    >>> [m] = messages.render(event, scenario.desk.get(event.ticket_id), now=event.at)
    >>> m.to, m.template, m.subject
    (Party(kind=<PartyKind.CUSTOMER: 'customer'>, id='c-101', name='Maria'), 'escalated',
     'Chamado CH-0001: encaminhado a um especialista')
    """

    def __init__(
        self,
        *,
        store_name: str,
        templates: Mapping[tuple[str, str], MessageTemplate] | None = None,
        workflows: WorkflowRegistry | None = None,
        lang: str = "pt-BR",
        lang_of: Callable[[Party], str | None] | None = None,
        enabled: Iterable[str] | None = None,
        slip_warnings: Collection[str] | None = (),
        sla: Sequence[SlaPolicy] = (),
    ) -> None:
        if not isinstance(store_name, str) or not store_name.strip():
            raise ConfigurationError(
                f"store_name must be the store's name as customers know it, got {store_name!r}",
                key="store_name",
            )
        self.store_name = store_name.strip()
        self.workflows = workflows if workflows is not None else WorkflowRegistry.with_builtins()
        self.lang: Language = language(lang)
        self._lang_of = lang_of
        self.enabled: frozenset[str] = (
            frozenset(TEMPLATE_KEYS) if enabled is None else known_keys(enabled, "enabled")
        )
        if isinstance(slip_warnings, str):
            slip_warnings = {slip_warnings}  # one threshold, not a set of its letters
        self.slip_warnings = None if slip_warnings is None else frozenset(slip_warnings)
        self._policies: dict[str, SlaPolicy] = {}
        for policy in sla:
            if not isinstance(policy, SlaPolicy):
                raise ConfigurationError(
                    f"sla must list chamados.sla.SlaPolicy objects, got {policy!r}", key="sla"
                )
            self._policies[policy.name] = policy
        chosen: dict[tuple[str, Language], MessageTemplate] = dict(DEFAULT_TEMPLATES)
        for (key, tag), template in (templates or {}).items():
            known_keys([key], "templates")
            if not isinstance(template, MessageTemplate):
                raise ConfigurationError(
                    f"the template for {(key, tag)!r} must be a MessageTemplate, got "
                    f"{type(template).__name__}",
                    key="templates",
                )
            check_placeholders(key, tag, template)
            chosen[(key, language(tag))] = template
        self._compiled = {
            name: (string.Template(t.subject), string.Template(t.body))
            for name, t in chosen.items()
        }

    def __repr__(self) -> str:
        return f"CustomerMessages(store_name={self.store_name!r}, lang={self.lang!r})"

    # -- what to send --------------------------------------------------------------------

    def wants(self, event: TicketEvent) -> bool:
        """False for events that never produce a message (notes, assignments, SLA
        bookkeeping...), so a channel can skip them without looking the ticket up. True
        means the event may produce messages; ``render`` decides."""
        on = self.enabled.__contains__
        if isinstance(event, NoteAdded):
            return False
        if isinstance(event, TicketOpened):
            return on("received")
        if isinstance(event, Replied):
            # A response, never an auto-acknowledgement: the customer was told of the ticket
            # by ``received`` already (``Message.counts_as_response``).
            return on("replied") and event.message.counts_as_response
        if isinstance(event, StatusChanged):
            return bool(self.enabled & _ASKING)
        if isinstance(event, Escalated):
            return on("escalated")
        if isinstance(event, Resolved):
            return on("resolved")
        if isinstance(event, Closed):
            return on("closed")
        if isinstance(event, SlaWarning | SlaBreached):
            return on("deadline_slipping") and self._slip_on(event)
        return False

    def render(
        self, event: TicketEvent, ticket: Ticket, *, now: datetime
    ) -> list[OutgoingMessage]:
        """The messages ``event`` sends, written from ``ticket`` as it is ``now``.

        Deadlines are said from ``now`` ("até sexta-feira às 18h"). The same event,
        ticket and instant always give the same messages in the same order: the
        requester's first, then the partner's.
        """
        if event.ticket_id != ticket.id:
            raise InvalidTicketError(
                f"event {event.id!r} is about ticket {event.ticket_id!r}, not {ticket.id!r}; "
                f"render it with its own ticket",
                field="ticket",
                ticket_id=event.ticket_id,
            )
        moment = as_instant(now, name="now")
        if not self.wants(event):
            return []
        found: list[OutgoingMessage] = []
        for plan in self._plan(event, ticket, moment):
            if plan.key not in self.enabled or plan.to.kind not in _RECIPIENTS:
                continue
            if plan.to == event.actor and plan.key != "received":
                continue
            found.append(self._write(plan, event, ticket))
        return found

    def new_estimate(
        self,
        clock: SlaClock,
        *,
        missed: datetime,
        priority: Priority,
        now: datetime,
    ) -> pendulum.DateTime:
        """The new deadline to give a customer when ``clock`` misses (or will miss) its
        due time ``missed``: a fresh run of the same target, started when the old
        deadline runs out (or ``now``, if that is later), rounded up to the hour.

        The fresh run is measured like the clock itself, on its policy's calendar with
        the target for ``priority``, when the policy is among those given as ``sla``;
        otherwise it lasts as long, in elapsed time, as the clock had from its start to
        ``missed``.

        >>> from datetime import timedelta
        >>> from chamados.sla import BusinessCalendar, SlaPolicy, Target
        >>> store = SlaPolicy(name="loja",
        ...     calendar=BusinessCalendar(timezone="America/Sao_Paulo",
        ...                               hours={"mon-fri": "09:00-18:00"}),
        ...     targets={"first_response": Target(business=timedelta(hours=4))})
        >>> messages = CustomerMessages(store_name="Loja Aurora", sla=[store])
        >>> import pendulum
        >>> due = pendulum.datetime(2026, 3, 6, 17, 0, tz="America/Sao_Paulo")  # a Friday
        >>> clock = SlaClock(policy="loja", metric="first_response", cycle=1,
        ...     status="breached", target="4h business", started_at=due.subtract(hours=4),
        ...     due_at=due, breached_at=due, met_at=None, paused_for=timedelta(0),
        ...     remaining=timedelta(0), computed_at=due)
        >>> messages.new_estimate(clock, missed=due, priority=Priority.NORMAL, now=due)
        DateTime(2026, 3, 9, 12, 0, 0, tzinfo=Timezone('America/Sao_Paulo'))
        """
        return new_estimate(
            clock,
            policy=self._policies.get(clock.policy),
            missed=as_instant(missed, name="missed"),
            priority=priority,
            now=as_instant(now, name="now"),
        )

    # -- planning ------------------------------------------------------------------------

    def _plan(self, event: TicketEvent, ticket: Ticket, now: pendulum.DateTime) -> list[_Plan]:
        requester = ticket.requester
        if isinstance(event, TicketOpened):
            return [_Plan("received", requester, self._expected(ticket, now, _SOON, "answer"))]
        if isinstance(event, Replied):
            return [_Plan("replied", requester, _reply_values(event))]
        if isinstance(event, StatusChanged):
            return self._status_plans(event, ticket, now)
        if isinstance(event, Escalated):
            return [_Plan("escalated", requester, self._expected(ticket, now, _SOON, "any"))]
        if isinstance(event, Resolved):
            summary = event.summary
            return [_Plan("resolved", requester, lambda lang: {"summary": summary})]
        if isinstance(event, Closed):
            return [_Plan("closed", requester, _none)]
        if isinstance(event, SlaWarning | SlaBreached):
            return self._slipping_plans(event, ticket, now)
        return []  # pragma: no cover - wants() refused every other event

    def _status_plans(
        self, event: StatusChanged, ticket: Ticket, now: pendulum.DateTime
    ) -> list[_Plan]:
        workflow = self.workflows.get(ticket.workflow, ticket_id=ticket.id)
        status = workflow.status_of(event.to_status)
        moved_on = ticket.status != event.to_status
        if event.from_status == event.to_status or moved_on or not status.category.is_active:
            return []

        def status_values(lang: Language) -> dict[str, str]:
            return {"status": status.label.get(lang)}

        if status.owner is Owner.CUSTOMER:
            return [_Plan("waiting_on_you", ticket.requester, status_values)]
        if status.owner is not Owner.PARTNER:
            return []
        due = _partner_due(ticket)

        def deadline(fallback: Label) -> Values:
            def values(lang: Language) -> dict[str, str]:
                said = promise(due, now=now, lang=lang) if due is not None else None
                return {**status_values(lang), "deadline": said or fallback.get(lang)}

            return values

        plans = []
        if ticket.requester != ticket.partner:
            plans.append(_Plan("waiting_on_partner", ticket.requester, deadline(_SOON)))
        if ticket.partner is not None:
            plans.append(_Plan("partner_request", ticket.partner, deadline(_ASAP)))
        return plans

    def _slipping_plans(
        self, event: SlaWarning | SlaBreached, ticket: Ticket, now: pendulum.DateTime
    ) -> list[_Plan]:
        clock = next(
            (
                c
                for c in ticket.sla_clocks
                if (c.policy, c.metric, c.cycle) == (event.policy, event.metric, event.cycle)
            ),
            None,
        )
        workflow = self.workflows.get(ticket.workflow, ticket_id=ticket.id)
        active = workflow.status_of(ticket.status).category.is_active
        if clock is None or clock.met_at is not None or not active:
            return []  # answered (or gone) since: nothing to apologise for
        if isinstance(event, SlaBreached):
            if self._told_at_a_warning(ticket, event):
                return []  # one apology per missed deadline: the warning's
            missed: pendulum.DateTime | None = event.breached_at
        else:
            # Even when the breach has overtaken it: the breach, seeing this warning
            # recorded, leaves the apology to it.
            missed = event.due_at or clock.due_at
        if missed is None:
            return []
        estimate = self.new_estimate(clock, missed=missed, priority=ticket.priority, now=now)
        metric = METRIC_LABELS.get(event.metric, Label(pt=event.metric, en=event.metric))

        def values(lang: Language) -> dict[str, str]:
            return {
                "metric": metric.get(lang).lower(),
                "deadline": promise(estimate, now=now, lang=lang),
            }

        return [_Plan("deadline_slipping", ticket.requester, values)]

    def _expected(
        self, ticket: Ticket, now: pendulum.DateTime, fallback: Label, which: str
    ) -> Values:
        def values(lang: Language) -> dict[str, str]:
            expected = Expectations.of(ticket, now=now, lang=lang)
            said = expected.next_answer_text
            if which == "any":
                said = said or expected.resolution_text
            return {"deadline": said or fallback.get(lang)}

        return values

    def _slip_on(self, event: SlaWarning | SlaBreached) -> bool:
        if event.metric not in CUSTOMER_METRICS:
            return False
        if isinstance(event, SlaWarning):
            return self._tells(event.threshold)
        return True

    def _tells(self, threshold: str) -> bool:
        """Whether a warning at ``threshold`` apologises to the customer."""
        return self.slip_warnings is None or threshold in self.slip_warnings

    def _told_at_a_warning(self, ticket: Ticket, event: SlaBreached) -> bool:
        """Whether the breached cycle passed a warning this writer tells customers of:
        that warning's message apologised already."""
        for cycle in ticket.sla_state.cycles if ticket.sla_state is not None else ():
            if (cycle.policy, cycle.metric, cycle.number) == (
                event.policy,
                event.metric,
                event.cycle,
            ):
                return any(self._tells(threshold) for threshold in cycle.warned)
        return False

    # -- writing -------------------------------------------------------------------------

    def _language_of(self, party: Party) -> Language:
        chosen = self._lang_of(party) if self._lang_of is not None else None
        return self.lang if chosen is None else language(chosen)

    def _write(self, plan: _Plan, event: TicketEvent, ticket: Ticket) -> OutgoingMessage:
        lang = self._language_of(plan.to)
        values = {**self._common(ticket, plan.to, lang), **plan.values(lang)}
        subject, body = self._compiled[(plan.key, lang)]
        return OutgoingMessage(
            to=plan.to,
            lang=lang,
            subject=_one_line(subject.substitute(values)),
            body=body.substitute(values),
            template=plan.key,
            event_id=event.id,
            ticket_id=ticket.id,
            tenant=ticket.tenant,
        )

    def _common(self, ticket: Ticket, to: Party, lang: Language) -> dict[str, str]:
        pt = lang == "pt-BR"
        name = to.name or ""
        if pt:
            greeting = f"Olá, {name}!" if name else "Olá!"
        else:
            greeting = f"Hello {name}," if name else "Hello,"
        subject = _one_line(ticket.subject)
        about = f"“{subject}”"
        if ticket.order_id:
            about += f" ({_ORDER.get(lang)} {ticket.order_id})"
        partner = ticket.partner.name if ticket.partner is not None else None
        return {
            "store": self.store_name,
            "ticket": ticket.id,
            "subject": subject,
            "order": ticket.order_id or "",
            "about": about,
            "name": name,
            "greeting": greeting,
            "partner": partner or _SELLER.get(lang),
        }


def _reply_values(event: Replied) -> Values:
    author = event.message.author
    body = event.message.body

    def values(lang: Language) -> dict[str, str]:
        shown = author.name if author.kind is PartyKind.AGENT and author.name else None
        return {"author": shown or _TEAM_NAME.get(lang), "message": body}

    return values


def _partner_due(ticket: Ticket) -> pendulum.DateTime | None:
    dues = [
        c.due_at
        for c in ticket.sla_clocks
        if c.metric == "partner_response" and c.status == "running" and c.due_at is not None
    ]
    return min(dues) if dues else None
