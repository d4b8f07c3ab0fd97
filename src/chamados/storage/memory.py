"""The in-memory storage adapter: a database's semantics, without the database.

Commits are atomic (all changes or none, under one lock), saves are version-checked,
idempotency keys are unique per tenant, and every ticket handed out is a copy. It is the
default storage of ``Helpdesk`` and the reference the contract suite is written against.
It keeps nothing when the process ends.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable

from chamados.clock import epoch_micros
from chamados.events import TicketEvent
from chamados.exceptions import ConcurrencyError
from chamados.model import Ticket
from chamados.storage.port import (
    Changes,
    DuplicateKeyError,
    IdempotencyRecord,
    Storage,
    TicketQuery,
    UnitOfWork,
)

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
        # The SLA deadline index: (deadline in epoch microseconds, ticket id), sorted.
        self._deadlines: list[tuple[int, str]] = []
        self._deadline_of: dict[str, tuple[int, str]] = {}
        self._outbox: list[TicketEvent] = []

    def _index_deadline(self, ticket: Ticket) -> None:
        old = self._deadline_of.pop(ticket.id, None)
        if old is not None:
            del self._deadlines[bisect.bisect_left(self._deadlines, old)]
        if ticket.sla_deadline is not None:
            entry = (epoch_micros(ticket.sla_deadline), ticket.id)
            bisect.insort(self._deadlines, entry)
            self._deadline_of[ticket.id] = entry

    def unit_of_work(self) -> UnitOfWork:
        return _MemoryUnitOfWork(self)

    def __len__(self) -> int:
        return len(self._tickets)

    def __repr__(self) -> str:
        return f"<MemoryStorage: {len(self._tickets)} tickets>"


class _MemoryUnitOfWork(UnitOfWork):
    def __init__(self, storage: MemoryStorage) -> None:
        super().__init__()
        self._storage = storage

    def _get(self, ticket_id: str) -> Ticket | None:
        ticket = self._storage._tickets.get(ticket_id)
        return None if ticket is None else ticket.copy()

    def _history(self, ticket_id: str) -> Iterable[TicketEvent]:
        with self._storage._lock:
            return list(self._storage._history.get(ticket_id, ()))

    def _find(self, query: TicketQuery) -> Iterable[Ticket]:
        with self._storage._lock:
            found = [t for t in self._storage._tickets.values() if query.matches(t)]
        found.sort(key=lambda t: (epoch_micros(t.created_at), t.id))
        if query.limit is not None:
            found = found[: query.limit]
        return [t.copy() for t in found]

    def _due(self, now: int, tenant: str | None, limit: int | None) -> Iterable[Ticket]:
        storage = self._storage
        found: list[Ticket] = []
        with storage._lock:
            end = bisect.bisect_right(storage._deadlines, (now, "\uffff"))
            for _, ticket_id in storage._deadlines[:end]:
                if limit is not None and len(found) >= limit:
                    break
                ticket = storage._tickets[ticket_id]
                if tenant is None or ticket.tenant == tenant:
                    found.append(ticket.copy())
        return found

    def _claim_due(self, now: int, tenant: str | None, skip: frozenset[str]) -> Ticket | None:
        storage = self._storage
        with storage._lock:
            end = bisect.bisect_right(storage._deadlines, (now, "\uffff"))
            for _, ticket_id in storage._deadlines[:end]:
                ticket = storage._tickets[ticket_id]
                if ticket_id not in skip and (tenant is None or ticket.tenant == tenant):
                    return ticket.copy()
        return None

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
                storage._tickets[ticket.id] = ticket.copy()
                storage._history[ticket.id] = []
                storage._index_deadline(ticket)
            for ticket, _ in changes.updates:
                storage._tickets[ticket.id] = ticket.copy()
                storage._index_deadline(ticket)
            for event in changes.events:
                storage._history[event.ticket_id].append(event)
            for record in changes.keys:
                storage._keys[(record.tenant, record.key)] = record
            storage._outbox.extend(changes.outbox)

    def _rollback(self) -> None:
        pass
