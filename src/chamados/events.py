"""Domain events: every change to a ticket, frozen and named in the past tense.

A ticket's history is the ordered list of its events. Each event answers who (``actor``),
when (``at``), what (the event class, ``kind``), from what to what (``changes()``) and why
(``reason``). ``id`` is unique and stable, so receivers can drop duplicates; ``version``
is the ticket version the command that produced the event saved.

Why one long module (about 730 lines): the history's words (``describe`` and
``Cause.words``) share one vocabulary with each other and with the events they word; a
module of words apart would import the events while ``Cause`` imported the words back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import pendulum
from attrs import Attribute, field, frozen

from chamados import limits
from chamados.exceptions import InvalidTicketError
from chamados.labels import Label
from chamados.limits import check_integer, check_optional_text, check_text
from chamados.model import FieldValue, Message, Party, Priority

__all__ = [
    "Assigned",
    "Cause",
    "Closed",
    "Escalated",
    "FieldsChanged",
    "NoteAdded",
    "PriorityChanged",
    "Rated",
    "Reopened",
    "Replied",
    "Resolved",
    "SlaApplied",
    "SlaBreached",
    "SlaEvent",
    "SlaMet",
    "SlaPaused",
    "SlaResumed",
    "SlaWarning",
    "StatusChanged",
    "TicketEvent",
    "TicketOpened",
    "describe",
]

Change = tuple[Any, Any]


@frozen
class Cause:
    """Why an automation acted: a ``code`` and its ``params``, put into words in the
    reader's language only when shown (``words``, ``describe``), so a pt-BR timeline never
    carries English. A person's own words go in the event's ``reason``, kept as written.

    The codes chamados records (``params`` in brackets):

    - ``routed`` [``team``, ``route`` (``None``: the default team), ``why``];
    - ``priority_rules`` [``trigger``: ``opened``, ``updated`` or ``cleared``; ``rules``:
      ``(rule, before, after, why)`` for each rule that fired; ``default``];
    - ``priority_kept``: a manual priority was cleared and the rules keep it;
    - ``assigned`` [``trigger`` (a code of this list: ``opened``, ``escalated``,
      ``auto_assign``, ``sla_warning``, ``sla_breach``, with its params), ``strategy``,
      ``agent``];
    - ``claimed``: the agent took the next ticket of their queue (``next_ticket``);
    - ``sla_warning`` [``policy``, ``metric``, ``threshold``] and ``sla_breach``
      [``policy``, ``metric``]: an SLA action ran.

    >>> cause = Cause("assigned", {"trigger": "opened", "strategy": "least_loaded",
    ...                            "agent": "felipe"})
    >>> cause.words("pt-BR"), cause.words("en")
    ('na abertura: menor carga escolheu felipe', 'on open: least_loaded chose felipe')
    """

    code: str
    params: Mapping[str, Any] = field(factory=dict)

    def words(self, lang: str = "pt-BR") -> str:
        """The cause in words, in ``lang``."""
        return _cause_words(self.code, self.params, lang.lower().startswith("pt"))


def _valid_id(instance: object, attribute: Attribute[Any], value: object) -> None:
    check_text(value, field=attribute.name, limit=limits.TICKET_ID)


def _valid_actor(instance: object, attribute: Attribute[Any], value: object) -> None:
    if not isinstance(value, Party):
        raise InvalidTicketError(
            f"{attribute.name} must be a Party (Party.agent(...), Party.customer(...)...), "
            f"got {value!r}",
            field=attribute.name,
        )


def _valid_text(instance: object, attribute: Attribute[Any], value: object) -> None:
    """Free text people write (a reason, a summary, a comment); may be empty."""
    check_optional_text(value, field=attribute.name, limit=limits.TEXT, blank=True)


def _valid_message(instance: object, attribute: Attribute[Any], value: object) -> None:
    if not isinstance(value, Message):
        raise InvalidTicketError(f"message must be a Message, got {value!r}", field="message")


def _valid_score(instance: object, attribute: Attribute[Any], value: object) -> None:
    check_integer(value, field="score", low=1, high=5)


@frozen(kw_only=True)
class TicketEvent:
    """Something that happened to a ticket. Subclasses say what.

    ``reason`` is what a person wrote, as written; ``cause`` is what made an automation
    act, worded in the reader's language when shown (either may be ``None``).
    """

    kind: ClassVar[str] = "event"
    label: ClassVar[Label] = Label(pt="Evento", en="Event")

    id: str = field(validator=_valid_id)
    ticket_id: str
    tenant: str
    version: int
    at: pendulum.DateTime
    actor: Party = field(validator=_valid_actor)
    reason: str | None = field(default=None, validator=_valid_text)
    cause: Cause | None = None

    def changes(self) -> Mapping[str, Change]:
        """The fields this event changed, each as ``(before, after)``."""
        return {}


@frozen(kw_only=True)
class TicketOpened(TicketEvent):
    """A ticket was opened, with everything known about it at that moment."""

    kind: ClassVar[str] = "opened"
    label: ClassVar[Label] = Label(pt="Chamado aberto", en="Ticket opened")

    channel: str
    requester: Party
    subject: str
    workflow: str
    status: str
    priority: Priority
    category: str | None = None
    partner: Party | None = None
    order_id: str | None = None
    team: str | None = None
    tier: int = 1
    tags: frozenset[str] = field(default=frozenset())
    custom_fields: Mapping[str, FieldValue] = field(factory=dict)

    def changes(self) -> Mapping[str, Change]:
        return {"status": (None, self.status), "priority": (None, self.priority)}


@frozen(kw_only=True)
class StatusChanged(TicketEvent):
    """The ticket moved from one workflow state to another through ``event``.

    ``details`` holds the data the workflow's ``Action`` ``requires`` (a postal tracking
    code, say), as given; ``reason`` stays in ``reason``.
    """

    kind: ClassVar[str] = "status_changed"
    label: ClassVar[Label] = Label(pt="Status alterado", en="Status changed")

    event: str
    from_status: str
    to_status: str
    details: Mapping[str, str] = field(factory=dict)

    def changes(self) -> Mapping[str, Change]:
        return {"status": (self.from_status, self.to_status)}


@frozen(kw_only=True)
class Replied(TicketEvent):
    """A public message was added (by a customer, a partner, an agent or an automation)."""

    kind: ClassVar[str] = "replied"
    label: ClassVar[Label] = Label(pt="Resposta", en="Reply")

    message: Message = field(validator=_valid_message)


@frozen(kw_only=True)
class NoteAdded(TicketEvent):
    """An internal note was added; only the support team sees it."""

    kind: ClassVar[str] = "note_added"
    label: ClassVar[Label] = Label(pt="Nota interna", en="Internal note")

    message: Message = field(validator=_valid_message)


@frozen(kw_only=True)
class Assigned(TicketEvent):
    """The ticket changed team (sector) and/or assignee."""

    kind: ClassVar[str] = "assigned"
    label: ClassVar[Label] = Label(pt="Atribuído", en="Assigned")

    from_team: str | None
    to_team: str | None
    from_assignee: str | None
    to_assignee: str | None

    def changes(self) -> Mapping[str, Change]:
        found: dict[str, Change] = {}
        if self.from_team != self.to_team:
            found["team"] = (self.from_team, self.to_team)
        if self.from_assignee != self.to_assignee:
            found["assignee"] = (self.from_assignee, self.to_assignee)
        return found


@frozen(kw_only=True)
class PriorityChanged(TicketEvent):
    """The ticket's priority changed; ``rules`` names the priority rules that decided it
    (empty when a person set it)."""

    kind: ClassVar[str] = "priority_changed"
    label: ClassVar[Label] = Label(pt="Prioridade alterada", en="Priority changed")

    from_priority: Priority
    to_priority: Priority
    rules: tuple[str, ...] = ()

    def changes(self) -> Mapping[str, Change]:
        return {"priority": (self.from_priority, self.to_priority)}


@frozen(kw_only=True)
class FieldsChanged(TicketEvent):
    """Fields of the ticket changed: ``changes`` maps each to ``(before, after)``."""

    kind: ClassVar[str] = "fields_changed"
    label: ClassVar[Label] = Label(pt="Dados alterados", en="Fields changed")

    fields: Mapping[str, Change]

    def changes(self) -> Mapping[str, Change]:
        return dict(self.fields)


@frozen(kw_only=True)
class Escalated(TicketEvent):
    """The ticket went up a support level (N1 to N2), possibly to another team."""

    kind: ClassVar[str] = "escalated"
    label: ClassVar[Label] = Label(pt="Escalado", en="Escalated")

    from_tier: int
    to_tier: int
    from_team: str | None
    to_team: str | None

    def changes(self) -> Mapping[str, Change]:
        found: dict[str, Change] = {"tier": (self.from_tier, self.to_tier)}
        if self.from_team != self.to_team:
            found["team"] = (self.from_team, self.to_team)
        return found


@frozen(kw_only=True)
class Resolved(TicketEvent):
    """The ticket entered a resolved state, with a summary of the solution."""

    kind: ClassVar[str] = "resolved"
    label: ClassVar[Label] = Label(pt="Resolvido", en="Resolved")

    status: str
    summary: str = field(validator=_valid_text)

    def changes(self) -> Mapping[str, Change]:
        return {"resolution": (None, self.summary)}


@frozen(kw_only=True)
class Reopened(TicketEvent):
    """A resolved ticket became active again."""

    kind: ClassVar[str] = "reopened"
    label: ClassVar[Label] = Label(pt="Reaberto", en="Reopened")

    status: str


@frozen(kw_only=True)
class Closed(TicketEvent):
    """The ticket reached a closed state; nothing more happens to it."""

    kind: ClassVar[str] = "closed"
    label: ClassVar[Label] = Label(pt="Fechado", en="Closed")

    status: str


@frozen(kw_only=True)
class Rated(TicketEvent):
    """The customer rated the support (CSAT, 1 to 5)."""

    kind: ClassVar[str] = "rated"
    label: ClassVar[Label] = Label(pt="Avaliado", en="Rated")

    score: int = field(validator=_valid_score)
    comment: str | None = field(default=None, validator=_valid_text)
    previous: int | None = None

    def changes(self) -> Mapping[str, Change]:
        return {"rating": (self.previous, self.score)}


@frozen(kw_only=True)
class SlaEvent(TicketEvent):
    """Something happened to an SLA clock: one ``policy``'s clock for one ``metric``.

    ``cycle`` counts the clock's runs (each customer message after a team reply starts a
    new ``next_response`` cycle, for example).
    """

    kind: ClassVar[str] = "sla"
    label: ClassVar[Label] = Label(pt="SLA", en="SLA")

    policy: str
    metric: str
    cycle: int = 1


@frozen(kw_only=True)
class SlaApplied(SlaEvent):
    """A clock started: ``target`` applies and the metric is due at ``due_at``."""

    kind: ClassVar[str] = "sla_applied"
    label: ClassVar[Label] = Label(pt="SLA aplicado", en="SLA applied")

    target: str
    due_at: pendulum.DateTime | None = None


@frozen(kw_only=True)
class SlaPaused(SlaEvent):
    """A clock stopped counting (the ticket waits on the customer, say)."""

    kind: ClassVar[str] = "sla_paused"
    label: ClassVar[Label] = Label(pt="SLA pausado", en="SLA paused")


@frozen(kw_only=True)
class SlaResumed(SlaEvent):
    """A paused clock counts again; it is now due at ``due_at``."""

    kind: ClassVar[str] = "sla_resumed"
    label: ClassVar[Label] = Label(pt="SLA retomado", en="SLA resumed")

    due_at: pendulum.DateTime | None = None


@frozen(kw_only=True)
class SlaWarning(SlaEvent):
    """A clock passed a warning threshold (``"75%"``, ``"30min left"``) before its due time."""

    kind: ClassVar[str] = "sla_warning"
    label: ClassVar[Label] = Label(pt="Alerta de SLA", en="SLA warning")

    threshold: str
    reached_at: pendulum.DateTime
    due_at: pendulum.DateTime | None = None


@frozen(kw_only=True)
class SlaBreached(SlaEvent):
    """A clock ran out at ``breached_at`` (its due time) without the metric being met,
    while the ticket was in ``status`` (``None`` in events recorded before it was kept).

    The breach may be noticed later than it happened, by a command that also moves the
    ticket on: ``status`` is the status at ``breached_at``, not the one after the command.
    """

    kind: ClassVar[str] = "sla_breached"
    label: ClassVar[Label] = Label(pt="SLA violado", en="SLA breached")

    breached_at: pendulum.DateTime
    status: str | None = None


@frozen(kw_only=True)
class SlaMet(SlaEvent):
    """The metric was met at ``met_at``; ``breached`` if that was after the due time."""

    kind: ClassVar[str] = "sla_met"
    label: ClassVar[Label] = Label(pt="SLA cumprido", en="SLA met")

    met_at: pendulum.DateTime
    breached: bool = False


StatusLabel = Callable[[str], str]


@frozen
class _Names:
    status: StatusLabel
    action: StatusLabel


def describe(
    event: TicketEvent,
    *,
    lang: str = "pt-BR",
    status: StatusLabel = str,
    action: StatusLabel = str,
) -> str:
    """One line saying what happened, in ``lang``.

    ``status`` and ``action`` turn a status or a workflow event name into the label to
    show (``Helpdesk.timeline`` passes the workflow's labels); by default names are shown.

    >>> from chamados.testing import FakeClock
    >>> at = FakeClock("2026-03-02T09:00:00-03:00").now()
    >>> e = PriorityChanged(id="e1", ticket_id="T-1", tenant="loja", version=2, at=at,
    ...     actor=Party.agent("ana"), from_priority=Priority.NORMAL,
    ...     to_priority=Priority.URGENT, reason="cliente VIP")
    >>> describe(e)
    'agent:ana: prioridade Normal → Urgente (cliente VIP)'
    >>> describe(e, lang="en")
    'agent:ana: priority Normal → Urgent (cliente VIP)'
    """
    pt = lang.lower().startswith("pt")
    describer = next(
        (_DESCRIBERS[cls] for cls in type(event).__mro__ if cls in _DESCRIBERS), _generic
    )
    text = describer(event, pt, _Names(status, action))
    whys = [] if event.cause is None else [event.cause.words(lang)]
    if event.reason:
        whys.append(event.reason)
    why = f" ({'; '.join(whys)})" if whys else ""
    return f"{event.actor}: {text}{why}"


def _say(pt: bool, pt_text: str, en_text: str) -> str:
    return pt_text if pt else en_text


def _opened(e: Any, pt: bool, names: _Names) -> str:
    subject = f"“{e.subject}”"
    return _say(pt, f"abriu {subject} via {e.channel}", f"opened {subject} via {e.channel}")


def _status(e: Any, pt: bool, names: _Names) -> str:
    moved = f"{names.action(e.event)}: {names.status(e.from_status)} → {names.status(e.to_status)}"
    if not e.details:
        return moved
    details = ", ".join(f"{name}: {value}" for name, value in e.details.items())
    return f"{moved} [{details}]"


def _message(e: Any, pt: bool, names: _Names) -> str:
    message: Message = e.message
    body = message.body if len(message.body) <= 60 else message.body[:57] + "..."
    auto = _say(pt, " [automática]", " [automated]") if message.automated else ""
    if isinstance(e, NoteAdded):
        return _say(pt, f"nota interna: {body}", f"internal note: {body}")
    return _say(pt, f"respondeu{auto}: {body}", f"replied{auto}: {body}")


def _assigned(e: Any, pt: bool, names: _Names) -> str:
    parts = []
    for name, (old, new) in e.changes().items():
        word = {"team": ("equipe", "team"), "assignee": ("responsável", "assignee")}[name]
        parts.append(f"{_say(pt, *word)} {old or '-'} → {new or '-'}")
    return ", ".join(parts) or _say(pt, "atribuição mantida", "assignment kept")


def _priority(e: Any, pt: bool, names: _Names) -> str:
    old, new = e.from_priority.label, e.to_priority.label
    return _say(pt, f"prioridade {old.pt} → {new.pt}", f"priority {old.en} → {new.en}")


_FIELD_NAMES = {
    "subject": ("assunto", "subject"),
    "category": ("categoria", "category"),
    "tags": ("tags", "tags"),
    "custom_fields": ("campos personalizados", "custom_fields"),
}


def _fields_changed(e: Any, pt: bool, names: _Names) -> str:
    parts = [
        f"{_say(pt, *_FIELD_NAMES.get(name, (name, name)))} {_show(old)} → {_show(new)}"
        for name, (old, new) in e.fields.items()
    ]
    return _say(pt, "alterou ", "changed ") + ", ".join(parts)


def _show(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, frozenset | set):
        return "{" + ", ".join(sorted(value)) + "}" if value else "{}"
    return str(value)


def _escalated(e: Any, pt: bool, names: _Names) -> str:
    team = f" ({e.from_team or '-'} → {e.to_team or '-'})" if e.from_team != e.to_team else ""
    return _say(
        pt,
        f"escalou N{e.from_tier} → N{e.to_tier}{team}",
        f"escalated N{e.from_tier} → N{e.to_tier}{team}",
    )


def _resolved(e: Any, pt: bool, names: _Names) -> str:
    return _say(pt, f"resolveu: {e.summary}", f"resolved: {e.summary}")


def _reopened(e: Any, pt: bool, names: _Names) -> str:
    return _say(pt, "reabriu o chamado", "reopened the ticket")


def _closed(e: Any, pt: bool, names: _Names) -> str:
    return _say(pt, "fechou o chamado", "closed the ticket")


def _rated(e: Any, pt: bool, names: _Names) -> str:
    comment = f" “{e.comment}”" if e.comment else ""
    return _say(pt, f"avaliou com nota {e.score}/5{comment}", f"rated {e.score}/5{comment}")


_METRICS = {
    "first_response": ("primeira resposta", "first response"),
    "next_response": ("próxima resposta", "next response"),
    "periodic_update": ("atualização periódica", "periodic update"),
    "resolution": ("resolução", "resolution"),
    "partner_response": ("resposta do parceiro", "partner response"),
}


def _clock_name(e: Any, pt: bool) -> str:
    metric = _METRICS.get(e.metric, (e.metric, e.metric))[0 if pt else 1]
    return f"{metric} [{e.policy}]"


def _when(value: Any) -> str:
    return value.format("DD/MM HH:mm") if value is not None else "-"


_TARGET_WORDS_PT = (
    ("business days", "dias úteis"),
    ("business day", "dia útil"),
    ("business", "úteis"),
    ("calendar", "corridas"),
    ("earliest of", "o que vencer primeiro:"),
    ("latest of", "o que vencer por último:"),
    (" left", " restantes"),
)


def _pt_words(text: str) -> str:
    """Target and threshold descriptions (written in English) in Portuguese."""
    for english, portuguese in _TARGET_WORDS_PT:
        text = text.replace(english, portuguese)
    return text


def _sla(e: Any, pt: bool, names: _Names) -> str:
    clock = _clock_name(e, pt)
    if isinstance(e, SlaApplied):
        return _say(
            pt,
            f"SLA {clock}: {_pt_words(e.target)}, prazo {_when(e.due_at)}",
            f"SLA {clock}: {e.target}, due {_when(e.due_at)}",
        )
    if isinstance(e, SlaPaused):
        return _say(pt, f"SLA {clock} pausado", f"SLA {clock} paused")
    if isinstance(e, SlaResumed):
        return _say(
            pt,
            f"SLA {clock} retomado, prazo {_when(e.due_at)}",
            f"SLA {clock} resumed, due {_when(e.due_at)}",
        )
    if isinstance(e, SlaWarning):
        return _say(
            pt,
            f"alerta de SLA {clock}: {_pt_words(e.threshold)}, prazo {_when(e.due_at)}",
            f"SLA warning {clock}: {e.threshold}, due {_when(e.due_at)}",
        )
    if isinstance(e, SlaBreached):
        return _say(
            pt,
            f"SLA {clock} VIOLADO em {_when(e.breached_at)}",
            f"SLA {clock} BREACHED at {_when(e.breached_at)}",
        )
    late = _say(pt, " (com atraso)", " (late)") if e.breached else ""
    return _say(pt, f"SLA {clock} cumprido{late}", f"SLA {clock} met{late}")


_PRIORITY_TRIGGERS = {
    "opened": ("regras de prioridade", "priority rules"),
    "updated": ("dados alterados", "fields changed"),
    "cleared": ("prioridade manual removida", "manual priority cleared"),
}
_ASSIGN_TRIGGERS = {
    "opened": ("na abertura", "on open"),
    "escalated": ("na escalação", "on escalation"),
    "auto_assign": ("atribuição automática", "auto_assign"),
}
_STRATEGIES = {
    "least_loaded": ("menor carga", "least_loaded"),
    "round_robin": ("rodízio", "round_robin"),
    "skills": ("habilidades", "skills"),
}
_EVERY_TICKET = ("todo chamado", "every ticket")


def _words(table: Mapping[str, tuple[str, str]], key: Any, pt: bool) -> str:
    """``key``'s words from ``table`` in the language, or ``key`` itself if unknown."""
    found = table.get(str(key))
    return str(key) if found is None else found[0 if pt else 1]


def _level(value: Any, pt: bool) -> str:
    """A priority's value (``"high"``) as the reader says it."""
    try:
        priority = Priority(value)
    except ValueError:
        return str(value)
    return priority.label.pt.lower() if pt else priority.value


def _firings(params: Mapping[str, Any], pt: bool) -> str:
    rules = params.get("rules") or ()
    if not rules:
        default = _level(params.get("default"), pt)
        return _say(
            pt,
            f"nenhuma regra se aplicou: padrão {default}",
            f"no rule matched: default {default}",
        )
    steps = []
    for firing in rules:
        if not isinstance(firing, tuple | list) or len(firing) != 4:
            steps.append(str(firing))  # written by another version: shown, never a failure
            continue
        rule, before, after, why = firing
        because = why if why else _say(pt, *_EVERY_TICKET)
        steps.append(f"{rule}: {_level(before, pt)} → {_level(after, pt)} ({because})")
    return "; ".join(steps)


def _sla_cause(code: str, p: Mapping[str, Any], pt: bool) -> str:
    metric = _METRICS.get(str(p.get("metric")), (p.get("metric"), p.get("metric")))
    policy = p.get("policy")
    if code == "sla_breach":
        return _say(
            pt, f"SLA violado: {metric[0]} [{policy}]", f"SLA breach of {policy}/{p.get('metric')}"
        )
    threshold = str(p.get("threshold"))
    return _say(
        pt,
        f"alerta de SLA {_pt_words(threshold)}: {metric[0]} [{policy}]",
        f"SLA warning {threshold} of {policy}/{p.get('metric')}",
    )


def _cause_words(code: str, p: Mapping[str, Any], pt: bool) -> str:
    """A ``Cause`` in words; an unknown code shows itself and its params."""
    if code == "routed":
        if p.get("route") is None:
            return _say(
                pt,
                f"roteamento: equipe padrão {p.get('team')}",
                f"routing: default team {p.get('team')}",
            )
        why = p.get("why") or _say(pt, *_EVERY_TICKET)
        return _say(
            pt,
            f"roteamento: rota {p.get('route')}: {why}",
            f"routing: route {p.get('route')}: {why}",
        )
    if code == "priority_rules":
        return f"{_words(_PRIORITY_TRIGGERS, p.get('trigger'), pt)}: {_firings(p, pt)}"
    if code == "priority_kept":
        return _say(
            pt,
            "prioridade manual removida; as regras a mantêm",
            "manual priority cleared; the rules keep it",
        )
    if code == "assigned":
        trigger = str(p.get("trigger"))
        if trigger in ("sla_breach", "sla_warning"):
            when = _sla_cause(trigger, p, pt)
        else:
            when = _words(_ASSIGN_TRIGGERS, trigger, pt)
        strategy = _words(_STRATEGIES, p.get("strategy"), pt)
        agent = p.get("agent")
        return _say(
            pt, f"{when}: {strategy} escolheu {agent}", f"{when}: {strategy} chose {agent}"
        )
    if code == "claimed":
        return _say(pt, "próximo da fila", "next in the queue")
    if code in ("sla_breach", "sla_warning"):
        return _sla_cause(code, p, pt)
    shown = ", ".join(f"{name}={value}" for name, value in p.items())
    return f"{code}: {shown}" if shown else code


def _generic(e: Any, pt: bool, names: _Names) -> str:
    label: Label = e.label
    return label.pt if pt else label.en


_DESCRIBERS: dict[type[TicketEvent], Callable[[Any, bool, _Names], str]] = {
    TicketOpened: _opened,
    StatusChanged: _status,
    Replied: _message,
    NoteAdded: _message,
    Assigned: _assigned,
    PriorityChanged: _priority,
    Escalated: _escalated,
    FieldsChanged: _fields_changed,
    Resolved: _resolved,
    Reopened: _reopened,
    Closed: _closed,
    Rated: _rated,
    SlaEvent: _sla,
}
