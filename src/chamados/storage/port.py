"""The storage port: where tickets, their history and idempotency keys live.

``Storage`` hands out ``UnitOfWork`` objects, one per command. The unit of work is an
abstract class with template methods: the public methods keep the invariants every
adapter must keep (tenant scoping, version checks, events that match the tickets saved
with them, nothing written unless committed), and adapters implement the small
``_``-prefixed methods that talk to their backend. ``chamados.testing.StorageContract``
checks an adapter against the same requirements the built-in ones meet.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from types import TracebackType

from attrs import field, frozen

from chamados import limits
from chamados.clock import epoch_micros
from chamados.events import TicketEvent
from chamados.exceptions import (
    ConfigurationError,
    InvalidTicketError,
    StorageError,
    TicketNotFoundError,
)
from chamados.limits import check_integer, check_optional_text, check_text
from chamados.model import Party, Priority, Ticket, validate_ticket
from chamados.reports.port import IndicatorEngine
from chamados.storage.outbox import Outbox
from chamados.tracking import Stay

__all__ = [
    "Changes",
    "DuplicateKeyError",
    "IdempotencyRecord",
    "Storage",
    "TicketQuery",
    "UnitOfWork",
    "has_running_clock",
]


@frozen
class IdempotencyRecord:
    """What a command with an idempotency key did: enough to answer a repeat of it.

    ``actor`` is the party that sent the command and ``fingerprint`` the fingerprint of
    its name and arguments (``chamados.desk.idempotency.fingerprint``): a repeat must match
    both. Records stored before they were kept (schema version 1) hold ``None``.
    """

    tenant: str
    key: str
    command: str
    ticket_id: str
    result: Ticket = field(eq=False)
    actor: Party | None = None
    fingerprint: str | None = None

    def describes(self) -> str:
        """``"reply on ticket T-1"``: for error messages."""
        return f"{self.command} on ticket {self.ticket_id!r}"


@frozen(kw_only=True)
class TicketQuery:
    """Which tickets to list. ``None`` means any; sets mean any of their values.

    ``tenant`` is ``None`` only for an unscoped (all tenants) ``Helpdesk``. Values are
    checked like the ticket's own (``chamados.limits``): a value no ticket can hold is an
    ``InvalidTicketError``, on every adapter alike.
    """

    tenant: str | None
    status: frozenset[str] | None = None
    team: str | None = None
    assignee: str | None = None
    tier: int | None = None
    channel: str | None = None
    category: str | None = None
    priority: frozenset[Priority] | None = None
    requester: Party | None = None
    partner: Party | None = None
    tags: frozenset[str] = frozenset()
    limit: int | None = None

    def __attrs_post_init__(self) -> None:
        check_optional_text(self.tenant, field="tenant", limit=limits.TENANT)
        for name, limit in _QUERY_TEXT:
            check_optional_text(getattr(self, name), field=name, limit=limit)
        for status in self.status or ():
            check_text(status, field="status", limit=limits.NAME)
        for tag in self.tags:
            check_text(tag, field="tags", limit=limits.TAG, label="a tag")
        for priority in self.priority or ():
            if not isinstance(priority, Priority):
                raise InvalidTicketError(f"{priority!r} is not a Priority", field="priority")
        for name in ("requester", "partner"):
            party = getattr(self, name)
            if party is not None and not isinstance(party, Party):
                raise InvalidTicketError(f"{name} must be a Party, got {party!r}", field=name)
        if self.tier is not None:
            check_integer(self.tier, field="tier", low=1, high=limits.TIER)
        if self.limit is not None:
            check_integer(self.limit, field="limit", low=0, high=limits.INTEGER_MAX)

    def matches(self, ticket: Ticket) -> bool:
        """True when ``ticket`` passes every filter (the reference for adapters)."""
        return (
            (self.tenant is None or ticket.tenant == self.tenant)
            and (self.status is None or ticket.status in self.status)
            and (self.team is None or ticket.team == self.team)
            and (self.assignee is None or ticket.assignee == self.assignee)
            and (self.tier is None or ticket.tier == self.tier)
            and (self.channel is None or ticket.channel == self.channel)
            and (self.category is None or ticket.category == self.category)
            and (self.priority is None or ticket.priority in self.priority)
            and (self.requester is None or ticket.requester == self.requester)
            and (self.partner is None or ticket.partner == self.partner)
            and self.tags <= ticket.tags
        )


def has_running_clock(ticket: Ticket) -> bool:
    """Whether one of the ticket's SLA clocks was running when it was last saved: what
    makes a ticket count toward its agent's load (``UnitOfWork.held``). Paused, met and
    breached clocks do not count."""
    return any(clock.status == "running" for clock in ticket.sla_clocks)


_QUERY_TEXT = (
    ("team", limits.TEAM),
    ("assignee", limits.TEAM),
    ("channel", limits.CHANNEL),
    ("category", limits.ID),
)


@frozen
class Changes:
    """Everything one unit of work writes, handed to the adapter's ``_commit`` at once.

    ``updates`` pairs each ticket with the version it was loaded at. ``outbox`` holds the
    events someone must hear about, to be delivered after the commit (at least once);
    ``stays`` the stays in a status that ended (``chamados.tracking.Stay``), for reports;
    ``before`` each updated ticket as it was loaded (adapters may skip unchanged rows).
    """

    inserts: Sequence[Ticket]
    updates: Sequence[tuple[Ticket, int]]
    events: Sequence[TicketEvent]
    keys: Sequence[IdempotencyRecord]
    outbox: Sequence[TicketEvent] = ()
    stays: Sequence[Stay] = ()
    before: Mapping[str, Ticket] = {}


class DuplicateKeyError(StorageError):
    """Another command committed the same idempotency key first; nothing was written.

    ``record`` is what that command stored, so the caller can answer with it.
    """

    def __init__(self, record: IdempotencyRecord) -> None:
        super().__init__(
            f"idempotency key {record.key!r} of tenant {record.tenant!r} is already used by "
            f"{record.describes()}"
        )
        self.record = record


def _events(events: Iterable[TicketEvent]) -> list[TicketEvent]:
    staged = list(events)
    for event in staged:
        if not isinstance(event, TicketEvent):
            raise InvalidTicketError(f"expected TicketEvents, got {type(event).__name__}")
    return staged


class UnitOfWork(ABC):
    """One command's transaction: read, stage changes, then commit all of them or none.

    Use it as a context manager; leaving the block without ``commit()`` rolls back.
    Tickets it returns are copies: changing them changes nothing until ``save`` and
    ``commit``. A ticket is saved with ``version`` one above the version it was loaded
    at; the commit fails with ``ConcurrencyError`` if someone saved it in between.

    Commands load their ticket with ``get(..., lock=True)``: on adapters that can, the
    unit of work then holds the ticket until it ends, and another command on the same
    ticket waits for it instead of failing the version check (``SELECT ... FOR UPDATE``
    on PostgreSQL and MariaDB, ``BEGIN IMMEDIATE`` on SQLite, a lock per ticket in
    memory). The version check stays for everything else.
    """

    def __init__(self) -> None:
        self._loaded: dict[str, int] = {}
        self._before: dict[str, Ticket] = {}
        self._inserts: dict[str, Ticket] = {}
        self._updates: dict[str, Ticket] = {}
        self._events: list[TicketEvent] = []
        self._keys: list[IdempotencyRecord] = []
        self._outbox: list[TicketEvent] = []
        self._stays: list[Stay] = []
        self._locked: set[str] = set()
        self._finished = False

    # -- context manager -------------------------------------------------------------------

    def __enter__(self) -> UnitOfWork:
        self._begin()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if not self._finished:
            self.rollback()

    # -- reads -----------------------------------------------------------------------------

    def get(self, ticket_id: str, *, tenant: str | None, lock: bool = False) -> Ticket:
        """The ticket ``ticket_id`` of ``tenant`` (any tenant when ``None``), as a copy.

        Raises ``TicketNotFoundError`` when it does not exist or belongs to another tenant:
        callers cannot tell the two apart, so ids of other tenants leak nothing. An id no
        ticket can have (not a string, NUL, too long) is an ``InvalidTicketError``.

        ``lock=True`` is for a command about to change the ticket: the unit of work holds
        the ticket until it ends (where the adapter can), another unit of work asking for
        it with ``lock=True`` waits until then and reads what this one committed. Reads
        without ``lock`` never wait. The first locked read is the version ``save``
        checks against, even after an earlier read without the lock.
        """
        self._check_open()
        check_text(ticket_id, field="ticket_id", limit=limits.TICKET_ID)
        staged = self._inserts.get(ticket_id) or self._updates.get(ticket_id)
        if staged is not None:
            ticket: Ticket | None = staged.copy()
        elif lock and ticket_id not in self._locked:
            ticket = self._get_locked(ticket_id)
            self._locked.add(ticket_id)
            if ticket is not None:
                self._loaded.pop(ticket_id, None)  # a read before the lock may be stale
        else:
            ticket = self._get(ticket_id)
        if ticket is None or (tenant is not None and ticket.tenant != tenant):
            raise TicketNotFoundError(ticket_id, tenant=tenant)
        if staged is None and ticket.id not in self._loaded:
            self._loaded[ticket.id] = ticket.version
            self._before[ticket.id] = ticket.copy()
        return ticket

    def history(self, ticket_id: str, *, tenant: str | None) -> list[TicketEvent]:
        """The events of ``ticket_id`` in the order they happened (committed ones only).

        Like ``get``, refuses a ticket of another tenant; a ticket this unit of work
        already read is not read again for that.
        """
        known = self._before.get(ticket_id)
        if known is None or (tenant is not None and known.tenant != tenant):
            self.get(ticket_id, tenant=tenant)
        else:
            self._check_open()
        return list(self._history(ticket_id))

    def find(self, query: TicketQuery) -> list[Ticket]:
        """Tickets matching ``query``, oldest first (then by id), as copies."""
        self._check_open()
        if query.limit is not None and query.limit < 0:
            raise ValueError("limit must not be negative")
        return list(self._find(query))

    def due(self, now: datetime, *, tenant: str | None, limit: int | None = None) -> list[Ticket]:
        """Tickets whose ``sla_deadline`` is at or before ``now``, earliest first, as copies.

        This is the SLA monitor's query: adapters answer it from an index on the
        deadline, so its cost grows with the tickets due, not with the tickets open.
        """
        self._check_open()
        if limit is not None and limit < 0:
            raise ValueError("limit must not be negative")
        return list(self._due(epoch_micros(now, "now"), tenant, limit))

    def claim_due(
        self, now: datetime, *, tenant: str | None, skip: Iterable[str] = ()
    ) -> Ticket | None:
        """The next ticket whose ``sla_deadline`` passed (earliest first), claimed for this
        unit of work, or ``None``. ``skip`` lists ticket ids not to claim.

        On backends that lock rows (PostgreSQL, MariaDB) the row stays locked until this
        unit of work ends and other units of work skip it (``FOR UPDATE SKIP LOCKED``);
        SQLite serialises writers instead. Either way two SLA monitors never work on the
        same ticket at once; the version check covers the rest.
        """
        self._check_open()
        ticket = self._claim_due(epoch_micros(now, "now"), tenant, frozenset(skip))
        if ticket is not None and ticket.id not in self._loaded:
            self._loaded[ticket.id] = ticket.version
            self._before[ticket.id] = ticket.copy()
        return ticket

    def held(self, tenant: str, agent_ids: Iterable[str]) -> dict[str, int]:
        """The load of each agent in ``agent_ids``: how many committed tickets of
        ``tenant`` the agent is assigned with an SLA clock running
        (``has_running_clock``). Every agent asked about is a key, ``0`` when it holds
        none. Routing's least-loaded strategies and agent capacities read it; adapters
        answer for all the agents at once (one ``GROUP BY`` on SQL).
        """
        self._check_open()
        check_text(tenant, field="tenant", limit=limits.TENANT)
        wanted: dict[str, int] = {}
        for agent_id in agent_ids:
            check_text(agent_id, field="assignee", limit=limits.TEAM)
            wanted[agent_id] = 0
        if wanted:
            found = self._count_held(tenant, frozenset(wanted))
            for agent_id in wanted:
                wanted[agent_id] = found.get(agent_id, 0)
        return wanted

    def idempotency(self, key: str, *, tenant: str) -> IdempotencyRecord | None:
        """What the command that used ``key`` in ``tenant`` stored, if one did."""
        self._check_open()
        check_text(key, field="idempotency_key", limit=limits.IDEMPOTENCY_KEY)
        for record in self._keys:
            if record.key == key and record.tenant == tenant:
                return record
        return self._idempotency(tenant, key)

    # -- staged writes -------------------------------------------------------------------------

    def add(self, ticket: Ticket) -> None:
        """Stage a new ticket; it must be at version 1 (its first save).

        Like ``save``, it checks every field first (``chamados.model.validate_ticket``):
        a value breaking ``chamados.limits`` raises ``InvalidTicketError`` and nothing is
        staged, so no adapter ever sees it.
        """
        self._check_open()
        validate_ticket(ticket)
        if ticket.version != 1:
            raise StorageError(
                f"a new ticket is saved at version 1, got version {ticket.version} for "
                f"{ticket.id!r}"
            )
        if ticket.id in self._inserts or ticket.id in self._loaded:
            raise StorageError(f"ticket {ticket.id!r} is already in this unit of work")
        self._inserts[ticket.id] = ticket.copy()

    def save(self, ticket: Ticket) -> None:
        """Stage changes to a ticket loaded in this unit of work, one version up.

        The fields the command changed are checked first (``validate_ticket``); a bad
        value raises ``InvalidTicketError`` and nothing is staged.
        """
        self._check_open()
        if not isinstance(ticket, Ticket):
            raise InvalidTicketError(f"expected a Ticket, got {type(ticket).__name__}")
        validate_ticket(ticket, since=self._before.get(ticket.id))
        if ticket.id in self._inserts:
            if ticket.version != 1:
                raise StorageError(f"ticket {ticket.id!r} is new: save it at version 1")
            self._inserts[ticket.id] = ticket.copy()
            return
        loaded = self._loaded.get(ticket.id)
        if loaded is None:
            raise StorageError(
                f"ticket {ticket.id!r} was not loaded in this unit of work; get() it first"
            )
        if ticket.version != loaded + 1:
            raise StorageError(
                f"ticket {ticket.id!r} was loaded at version {loaded}; save it at version "
                f"{loaded + 1}, not {ticket.version}"
            )
        self._updates[ticket.id] = ticket.copy()

    def record(self, events: Iterable[TicketEvent]) -> None:
        """Stage events for the history; each must belong to a ticket staged here.

        Events check their values when they are made (they are frozen); anything that is
        not a ``TicketEvent`` is refused here.
        """
        self._check_open()
        self._events.extend(_events(events))

    def enqueue(self, events: Iterable[TicketEvent]) -> None:
        """Stage events for the outbox: written with the command, delivered after it."""
        self._check_open()
        self._outbox.extend(_events(events))

    def add_stays(self, stays: Iterable[Stay]) -> None:
        """Stage ended stays in a status, for the indicators (written with the command)."""
        self._check_open()
        self._stays.extend(stays)

    def remember(
        self, key: str, *, command: str, result: Ticket, actor: Party, fingerprint: str
    ) -> None:
        """Stage an idempotency key: a repeat of ``command`` with ``key``, by ``actor``
        with the same ``fingerprint`` of its arguments, returns ``result``."""
        self._check_open()
        check_text(key, field="idempotency_key", limit=limits.IDEMPOTENCY_KEY)
        check_text(command, field="command", limit=limits.NAME)
        self._keys.append(
            IdempotencyRecord(
                result.tenant,
                key,
                command,
                result.id,
                result.copy(),
                actor=actor,
                fingerprint=fingerprint,
            )
        )

    # -- finishing -------------------------------------------------------------------------------

    def commit(self) -> None:
        """Write every staged change at once, or raise and write nothing.

        Raises ``ConcurrencyError`` when a ticket was saved by someone else since it was
        loaded (or a new ticket's id exists), and ``DuplicateKeyError`` when another
        command committed the same idempotency key first.
        """
        self._check_open()
        staged = {**self._inserts, **self._updates}
        for event in self._events:
            ticket = staged.get(event.ticket_id)
            if ticket is None:
                raise StorageError(
                    f"event {event.kind!r} {event.id!r} belongs to ticket {event.ticket_id!r}, "
                    f"which is not saved in this unit of work"
                )
            if event.version != ticket.version or event.tenant != ticket.tenant:
                raise StorageError(
                    f"event {event.kind!r} {event.id!r} says version {event.version} of tenant "
                    f"{event.tenant!r}, but ticket {ticket.id!r} is saved at version "
                    f"{ticket.version} of tenant {ticket.tenant!r}"
                )
        changes = Changes(
            inserts=list(self._inserts.values()),
            updates=[(t, self._loaded[t.id]) for t in self._updates.values()],
            events=list(self._events),
            keys=list(self._keys),
            outbox=list(self._outbox),
            stays=list(self._stays),
            before=dict(self._before),
        )
        try:
            self._commit(changes)
        except BaseException:
            self._finish()
            try:
                self._rollback()
            finally:
                self._end()
            raise
        self._finish()
        self._end()

    def rollback(self) -> None:
        """Drop every staged change. Safe to call more than once."""
        if self._finished:
            return
        self._finish()
        try:
            self._rollback()
        finally:
            self._end()

    def _finish(self) -> None:
        self._finished = True
        self._inserts.clear()
        self._updates.clear()
        self._events.clear()
        self._keys.clear()
        self._outbox.clear()
        self._stays.clear()

    def _check_open(self) -> None:
        if self._finished:
            raise StorageError("this unit of work is finished; start a new one per command")

    # -- what adapters implement -----------------------------------------------------------------

    def _begin(self) -> None:  # noqa: B027 - optional hook
        """Start the backend transaction, if the backend needs one before reading."""

    @abstractmethod
    def _get(self, ticket_id: str) -> Ticket | None:
        """The stored ticket (a copy), or ``None``."""

    def _get_locked(self, ticket_id: str) -> Ticket | None:
        """The stored ticket (a copy), or ``None``, held for this unit of work until it
        ends: another unit of work asking for it here waits. The default only reads
        (for adapters that rely on the version check alone; they declare
        ``locks_tickets = False`` in the contract suite)."""
        return self._get(ticket_id)

    @abstractmethod
    def _history(self, ticket_id: str) -> Iterable[TicketEvent]:
        """The stored events of a ticket, in order."""

    @abstractmethod
    def _find(self, query: TicketQuery) -> Iterable[Ticket]:
        """Stored tickets matching ``query`` (see ``TicketQuery.matches``), oldest first."""

    @abstractmethod
    def _due(self, now: int, tenant: str | None, limit: int | None) -> Iterable[Ticket]:
        """Stored tickets with ``sla_deadline`` at or before ``now`` (epoch microseconds),
        of ``tenant`` (any when ``None``), earliest deadline first, at most ``limit``."""

    @abstractmethod
    def _claim_due(self, now: int, tenant: str | None, skip: frozenset[str]) -> Ticket | None:
        """The stored ticket with the earliest ``sla_deadline`` at or before ``now``, not
        in ``skip``, locked for this unit of work where the backend can, or ``None``."""

    def _count_held(self, tenant: str, agent_ids: frozenset[str]) -> Mapping[str, int]:
        """Per agent of ``agent_ids``, the stored tickets of ``tenant`` it is assigned with
        ``has_running_clock`` (agents with none may be left out). The default asks
        ``_find`` once per agent; adapters answer in one query."""
        return {
            agent_id: sum(
                1
                for ticket in self._find(TicketQuery(tenant=tenant, assignee=agent_id))
                if has_running_clock(ticket)
            )
            for agent_id in agent_ids
        }

    @abstractmethod
    def _idempotency(self, tenant: str, key: str) -> IdempotencyRecord | None:
        """The stored record of ``key`` in ``tenant``, or ``None``."""

    @abstractmethod
    def _commit(self, changes: Changes) -> None:
        """Write ``changes`` atomically, or raise ``ConcurrencyError`` / ``DuplicateKeyError``."""

    @abstractmethod
    def _rollback(self) -> None:
        """Drop the backend transaction, if any."""

    def _end(self) -> None:  # noqa: B027 - optional hook
        """Release what the unit of work holds (a connection); called once, at the end."""


class Storage(ABC):
    """Where tickets live. ``unit_of_work()`` starts one command's transaction."""

    @abstractmethod
    def unit_of_work(self) -> UnitOfWork:
        """A new unit of work; use it in a ``with`` block."""

    def outbox(self) -> Outbox:
        """The outbox the relays deliver from (``chamados.storage.outbox``).

        Adapters that keep one override this; the default says there is none.
        """
        raise ConfigurationError(
            f"{type(self).__name__} has no outbox, so it cannot deliver notifications; "
            f"use MemoryStorage or SqlStorage, or implement Storage.outbox()",
            key="storage",
        )

    def indicators(self) -> IndicatorEngine:
        """The engine computing indicators over this storage (``chamados.reports``)."""
        raise ConfigurationError(
            f"{type(self).__name__} computes no indicators; use MemoryStorage or SqlStorage, "
            f"or implement Storage.indicators()",
            key="storage",
        )

    @property
    def in_host_transaction(self) -> bool:
        """True when commits happen inside a transaction the host application holds (and
        may still roll back): nothing is delivered inline then, a relay does it later."""
        return False

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections or files. The default does nothing."""
