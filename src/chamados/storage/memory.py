"""The in-memory storage adapter: a database's semantics, without the database.

Commits are atomic (all changes or none, under one lock), saves are version-checked,
idempotency keys are unique per tenant, and every ticket handed out is a copy. A ticket
loaded with ``get(..., lock=True)`` is held by its unit of work until it ends (a lock per
ticket), so commands on one ticket queue up as they do on a database that locks rows. It
is the default storage of ``Helpdesk`` and the reference the contract suite is written
against. It keeps nothing when the process ends.

Listings and the SLA monitor read indexes the commit keeps (``memory_index``): their cost
follows the tickets they find, not the tickets stored, so tests and small hosts with many
tickets list an agent's queue as fast as with few.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta

import pendulum
from attrs import define, evolve

from chamados.events import TicketEvent
from chamados.exceptions import ConcurrencyError, StorageError
from chamados.ids import new_uid
from chamados.model import Ticket
from chamados.reports.port import IndicatorEngine
from chamados.storage.memory_index import DeadlineIndex, TicketIndex
from chamados.storage.memory_indicators import MemoryIndicators
from chamados.storage.outbox import Claim, Outbox, OutboxMessage, Settlement
from chamados.storage.port import (
    Changes,
    DuplicateKeyError,
    IdempotencyRecord,
    Storage,
    TicketQuery,
    UnitOfWork,
)
from chamados.tracking import Stay

__all__ = ["MemoryStorage"]


class MemoryStorage(Storage):
    """Tickets, histories and idempotency keys in dictionaries, safe across threads.

    >>> storage = MemoryStorage()
    >>> with storage.unit_of_work() as uow:
    ...     uow.find(TicketQuery(tenant="loja-1"))
    []
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tickets: dict[str, Ticket] = {}
        self._history: dict[str, list[TicketEvent]] = {}
        self._keys: dict[tuple[str, str], IdempotencyRecord] = {}
        self._index = TicketIndex()
        self._deadlines = DeadlineIndex()
        self._outbox = _MemoryOutbox(self._lock)
        self._stays: list[Stay] = []
        # Per ticket: the lock a unit of work holds it by, and the thread holding it.
        self._holds: dict[str, threading.Lock] = {}
        self._holders: dict[str, int] = {}

    def _store(self, ticket: Ticket) -> None:
        """Keep a copy of ``ticket`` (under the lock, inside a commit) and index it."""
        old = self._tickets.get(ticket.id)
        stored = self._tickets[ticket.id] = ticket.copy()
        self._index.put(stored, old)
        self._deadlines.put(stored, old)

    def unit_of_work(self) -> UnitOfWork:
        return _MemoryUnitOfWork(self)

    def outbox(self) -> Outbox:
        return self._outbox

    def indicators(self) -> IndicatorEngine:
        return MemoryIndicators(self._facts)

    def _facts(self) -> tuple[list[Ticket], list[Stay]]:
        """The stored tickets and the ended stays, for the indicators. The tickets are not
        copied: a commit replaces a stored ticket, it never changes one."""
        with self._lock:
            return list(self._tickets.values()), list(self._stays)

    def __len__(self) -> int:
        return len(self._tickets)

    def __repr__(self) -> str:
        return f"<MemoryStorage: {len(self._tickets)} tickets>"


class _MemoryUnitOfWork(UnitOfWork):
    def __init__(self, storage: MemoryStorage) -> None:
        super().__init__()
        self._storage = storage
        self._held: list[str] = []

    def _get(self, ticket_id: str) -> Ticket | None:
        ticket = self._storage._tickets.get(ticket_id)
        return None if ticket is None else ticket.copy()

    def _get_locked(self, ticket_id: str) -> Ticket | None:
        storage = self._storage
        me = threading.get_ident()
        with storage._lock:
            if storage._holders.get(ticket_id) == me:
                raise StorageError(
                    f"this thread already holds ticket {ticket_id!r} in another unit of "
                    f"work, which would wait for itself; finish that one first"
                )
            hold = storage._holds.setdefault(ticket_id, threading.Lock())
        hold.acquire()
        with storage._lock:
            storage._holders[ticket_id] = me
        self._held.append(ticket_id)
        return self._get(ticket_id)

    def _end(self) -> None:
        storage = self._storage
        with storage._lock:
            for ticket_id in self._held:
                storage._holders.pop(ticket_id, None)
                storage._holds[ticket_id].release()
        self._held.clear()

    def _history(self, ticket_id: str) -> Iterable[TicketEvent]:
        with self._storage._lock:
            return list(self._storage._history.get(ticket_id, ()))

    def _find(self, query: TicketQuery) -> Iterable[Ticket]:
        storage = self._storage
        with storage._lock:
            tickets = storage._tickets
            matching = (
                ticket
                for ticket in map(tickets.__getitem__, storage._index.candidates(query))
                if query.matches(ticket)
            )
            found = list(itertools.islice(matching, query.limit))
        # Stored tickets are replaced by commits, never changed: copy outside the lock.
        return [ticket.copy() for ticket in found]

    def _due(self, now: int, tenant: str | None, limit: int | None) -> Iterable[Ticket]:
        storage = self._storage
        with storage._lock:
            due = itertools.islice(storage._deadlines.due(now, tenant), limit)
            found = [storage._tickets[ticket_id] for ticket_id in due]
        return [ticket.copy() for ticket in found]

    def _claim_due(self, now: int, tenant: str | None, skip: frozenset[str]) -> Ticket | None:
        storage = self._storage
        with storage._lock:
            for ticket_id in storage._deadlines.due(now, tenant):
                if ticket_id not in skip:
                    return storage._tickets[ticket_id].copy()
        return None

    def _claim_due_batch(
        self, now: int, tenant: str | None, limit: int, after: tuple[int, str] | None
    ) -> Iterable[Ticket]:
        """Up to ``limit`` due tickets after ``after`` (``(deadline, id)``), in deadline
        order, each held like ``get(..., lock=True)``; tickets held elsewhere are skipped,
        as ``FOR UPDATE SKIP LOCKED`` does, so several monitors never share one."""
        storage, me = self._storage, threading.get_ident()
        claimed: list[Ticket] = []
        with storage._lock:
            for ticket_id in storage._deadlines.due(now, tenant, after):
                if ticket_id not in self._held:  # held by this unit of work already
                    hold = storage._holds.setdefault(ticket_id, threading.Lock())
                    if not hold.acquire(blocking=False):
                        continue
                    storage._holders[ticket_id] = me
                    self._held.append(ticket_id)
                claimed.append(storage._tickets[ticket_id])
                if len(claimed) == limit:
                    break
        return [ticket.copy() for ticket in claimed]

    def _count_held(self, tenant: str, agent_ids: frozenset[str]) -> Mapping[str, int]:
        with self._storage._lock:
            return self._storage._index.held(tenant, agent_ids)

    def _idempotency(self, tenant: str, key: str) -> IdempotencyRecord | None:
        return self._storage._keys.get((tenant, key))

    def _commit(self, changes: Changes) -> None:
        storage = self._storage
        with storage._lock:
            for ticket in changes.inserts:
                existing = storage._tickets.get(ticket.id)
                if existing is not None:
                    raise ConcurrencyError(ticket.id, expected=0, actual=existing.version)
            for ticket, loaded in changes.updates:
                existing = storage._tickets.get(ticket.id)
                actual = None if existing is None else existing.version
                if actual != loaded:
                    raise ConcurrencyError(ticket.id, expected=loaded, actual=actual)
            for record in changes.keys:
                taken = storage._keys.get((record.tenant, record.key))
                if taken is not None:
                    raise DuplicateKeyError(taken)
            # Every check passed: apply. Nothing below can fail half-way.
            for ticket in changes.inserts:
                storage._store(ticket)
                storage._history[ticket.id] = []
            for ticket, _ in changes.updates:
                storage._store(ticket)
            for event in changes.events:
                storage._history[event.ticket_id].append(event)
            for record in changes.keys:
                storage._keys[(record.tenant, record.key)] = record
            storage._outbox.add(changes.outbox)
            storage._stays.extend(changes.stays)

    def _rollback(self) -> None:
        pass


@define
class _Row:
    message: OutboxMessage
    token: str | None = None
    claimed_until: pendulum.DateTime | None = None


class _MemoryOutbox(Outbox):
    """The outbox in a dictionary kept in enqueue order, under the storage's lock."""

    def __init__(self, lock: threading.Lock) -> None:
        self._lock = lock
        self._rows: dict[str, _Row] = {}
        self._pending: dict[str, _Row] = {}  # the pending rows, in seq order
        self._seq = 0

    def add(self, events: Iterable[TicketEvent]) -> None:
        """Append events (called under the lock, inside a commit)."""
        for event in events:
            self._seq += 1
            row = _Row(OutboxMessage(id=event.id, seq=self._seq, event=event))
            self._rows[event.id] = row
            self._pending[event.id] = row

    def claim(
        self,
        now: pendulum.DateTime,
        *,
        limit: int,
        lease: timedelta,
        tenant: str | None = None,
        ids: Iterable[str] | None = None,
    ) -> Claim:
        wanted = None if ids is None else frozenset(ids)
        token, until = new_uid(), now + lease
        chosen: list[OutboxMessage] = []
        blocked: set[str] = set()
        with self._lock:
            for row in self._pending.values():
                if len(chosen) >= limit:
                    break
                message = row.message
                if tenant is not None and message.tenant != tenant:
                    continue
                if message.ticket_id in blocked:
                    continue
                due = message.next_attempt_at is None or message.next_attempt_at <= now
                free = row.claimed_until is None or row.claimed_until <= now
                if not (due and free and (wanted is None or message.id in wanted)):
                    blocked.add(message.ticket_id)  # later messages of the ticket wait
                    continue
                row.token, row.claimed_until = token, until
                chosen.append(message)
        return Claim(token=token, until=until, messages=tuple(chosen))

    def settle(
        self, claim: Claim, settlements: Sequence[Settlement], *, now: pendulum.DateTime
    ) -> int:
        settled = 0
        with self._lock:
            for settlement in settlements:
                row = self._rows.get(settlement.message_id)
                if row is None or row.token != claim.token or row.message.status != "pending":
                    continue
                row.token = row.claimed_until = None
                row.message = settlement.applied_to(row.message, now=now)
                if row.message.status != "pending":
                    self._pending.pop(row.message.id, None)
                settled += 1
        return settled

    def dead(self, *, tenant: str | None = None, limit: int = 100) -> list[OutboxMessage]:
        with self._lock:
            found = [
                row.message
                for row in self._rows.values()
                if row.message.status == "dead" and tenant in (None, row.message.tenant)
            ]
        return found[:limit]

    def requeue(self, ids: Iterable[str], *, now: pendulum.DateTime) -> int:
        count = 0
        with self._lock:
            for message_id in ids:
                row = self._rows.get(message_id)
                if row is None or row.message.status != "dead":
                    continue
                row.message = evolve(
                    row.message, status="pending", attempts=0, next_attempt_at=now
                )
                self._pending[message_id] = row
                count += 1
            # Keep the pending rows in seq order: a requeued message is older than most.
            ordered = sorted(self._pending.values(), key=lambda r: r.message.seq)
            self._pending = {row.message.id: row for row in ordered}
        return count

    def get(self, message_id: str) -> OutboxMessage | None:
        with self._lock:
            row = self._rows.get(message_id)
            return None if row is None else row.message

    def counts(self, *, tenant: str | None = None) -> dict[str, int]:
        counts = {"pending": 0, "delivered": 0, "dead": 0}
        with self._lock:
            for row in self._rows.values():
                if tenant in (None, row.message.tenant):
                    counts[row.message.status] += 1
        return counts

    def purge(self, *, delivered_before: pendulum.DateTime) -> int:
        with self._lock:
            gone = [
                message_id
                for message_id, row in self._rows.items()
                if row.message.status == "delivered"
                and row.message.delivered_at is not None
                and row.message.delivered_at < delivered_before
            ]
            for message_id in gone:
                del self._rows[message_id]
        return len(gone)
