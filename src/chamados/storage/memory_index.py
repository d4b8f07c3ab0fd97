"""The in-memory adapter's indexes: what makes its listings and its SLA monitor cost what
they find, not what is stored.

``TicketIndex`` keeps, per tenant (and for all tenants at once), the ids of the tickets
of each status, assignee, team, requester and partner, and of each assignee and team in
each status, in the order listings return them (created, then id). A query reads the
smallest list its filters name (several merged, one per status asked for) and checks the
other filters on those tickets only. It also counts, per agent, the tickets it holds with
an SLA clock running (``UnitOfWork.held``).

``DeadlineIndex`` keeps the tickets' next SLA deadlines in heaps, one per tenant and one
for all: a change pushes an entry and leaves the old one to be dropped when it reaches
the top (or when stale entries outnumber live ones, by a rebuild); the due tickets are
read in deadline order by walking the heap's top, so the monitor touches the tickets that
are due, whatever the number open.

Both are changed only by the memory adapter's commit, under its lock.
"""

from __future__ import annotations

import bisect
import heapq
from collections import Counter
from collections.abc import Hashable, Iterator, Mapping, Sequence

from chamados.clock import epoch_micros
from chamados.model import Party, Ticket
from chamados.storage.port import TicketQuery, has_running_clock

__all__ = ["DeadlineIndex", "TicketIndex"]

_Key = tuple[int, str]  # (created_at in epoch microseconds, ticket id): listing order
_NONE: list[_Key] = []


def _party(party: Party) -> tuple[str, str]:
    return party.kind.value, party.id


class TicketIndex:
    """Sorted lists of listing keys by tenant and by the filters listings use most."""

    def __init__(self) -> None:
        self._lists: dict[Hashable, list[_Key]] = {}
        self._keys: dict[str, _Key] = {}
        self._held: Counter[tuple[str, str]] = Counter()

    @staticmethod
    def _names(ticket: Ticket) -> list[Hashable]:
        """The lists ``ticket`` belongs to: its tenant's and the all-tenant ones."""
        names: list[Hashable] = []
        for tenant in (ticket.tenant, None):
            names.append(("tenant", tenant))
            names.append(("status", tenant, ticket.status))
            if ticket.assignee is not None:
                names.append(("assignee", tenant, ticket.assignee))
                names.append(("assignee+status", tenant, ticket.assignee, ticket.status))
            if ticket.team is not None:
                names.append(("team", tenant, ticket.team))
                names.append(("team+status", tenant, ticket.team, ticket.status))
            names.append(("requester", tenant, _party(ticket.requester)))
            if ticket.partner is not None:
                names.append(("partner", tenant, _party(ticket.partner)))
        return names

    def put(self, ticket: Ticket, old: Ticket | None) -> None:
        """Index ``ticket``, which replaces ``old`` (``None`` for a new ticket)."""
        key = self._keys.get(ticket.id)
        new_key = (epoch_micros(ticket.created_at), ticket.id)
        names = self._names(ticket)
        added = names
        if old is not None and key is not None:
            gone = self._names(old)
            if key == new_key:  # only the lists it changes
                old_names, new_names = set(gone), set(names)
                gone, added = list(old_names - new_names), list(new_names - old_names)
            for name in gone:
                found = self._lists[name]
                del found[bisect.bisect_left(found, key)]
                if not found:
                    del self._lists[name]
        for name in added:
            bisect.insort(self._lists.setdefault(name, []), new_key)
        self._keys[ticket.id] = new_key
        if old is not None and old.assignee is not None and has_running_clock(old):
            self._held[(old.tenant, old.assignee)] -= 1
        if ticket.assignee is not None and has_running_clock(ticket):
            self._held[(ticket.tenant, ticket.assignee)] += 1

    def held(self, tenant: str, agent_ids: frozenset[str]) -> Mapping[str, int]:
        """Per agent, the tickets of ``tenant`` it holds with an SLA clock running."""
        return {agent: self._held[(tenant, agent)] for agent in agent_ids}

    def candidates(self, query: TicketQuery) -> Iterator[str]:
        """The ids of a superset of the tickets ``query`` matches, in listing order: those
        of the smallest list (or lists, one per status) the query's filters name."""
        tenant, statuses = query.tenant, query.status
        lists = self._lists

        def named(kind: str, *value: Hashable) -> list[list[_Key]]:
            if statuses is None:
                return [lists.get((kind, tenant, *value), _NONE)]
            return [lists.get((f"{kind}+status", tenant, *value, s), _NONE) for s in statuses]

        options: list[Sequence[list[_Key]]] = [[lists.get(("tenant", tenant), _NONE)]]
        if statuses is not None:
            options.append([lists.get(("status", tenant, s), _NONE) for s in statuses])
        if query.assignee is not None:
            options.append(named("assignee", query.assignee))
        if query.team is not None:
            options.append(named("team", query.team))
        if query.requester is not None:
            options.append([lists.get(("requester", tenant, _party(query.requester)), _NONE)])
        if query.partner is not None:
            options.append([lists.get(("partner", tenant, _party(query.partner)), _NONE)])
        best = min(options, key=lambda found: sum(len(keys) for keys in found))
        chosen = [keys for keys in best if keys]
        ordered = chosen[0] if len(chosen) == 1 else heapq.merge(*chosen)
        return (ticket_id for _, ticket_id in ordered)


_Entry = tuple[int, str, int]  # (deadline in epoch microseconds, ticket id, sequence)


class DeadlineIndex:
    """The tickets' SLA deadlines in heaps with lazy deletion: an entry is live while it
    is the one ``_live`` holds for its ticket (the same object)."""

    def __init__(self) -> None:
        self._live: dict[str, _Entry] = {}
        self._tenants: dict[str, str] = {}  # the tenant of each live entry's ticket
        self._heaps: dict[str | None, list[_Entry]] = {}  # per tenant, None: all
        self._counts: Counter[str | None] = Counter()  # live entries per heap
        self._sequence = 0

    def put(self, ticket: Ticket) -> None:
        """Index ``ticket``'s ``sla_deadline`` (or its absence)."""
        old = self._live.get(ticket.id)
        deadline = None if ticket.sla_deadline is None else epoch_micros(ticket.sla_deadline)
        if old is not None:
            if old[0] == deadline and self._tenants[ticket.id] == ticket.tenant:
                return
            del self._live[ticket.id]
            self._counts[self._tenants.pop(ticket.id)] -= 1
            self._counts[None] -= 1
        if deadline is None:
            return
        self._sequence += 1
        entry = (deadline, ticket.id, self._sequence)
        self._live[ticket.id] = entry
        self._tenants[ticket.id] = ticket.tenant
        for name in (ticket.tenant, None):
            heap = self._heaps.setdefault(name, [])
            heapq.heappush(heap, entry)
            self._counts[name] += 1
            if len(heap) > 2 * self._counts[name] + 64:  # mostly stale: rebuild
                heap[:] = [e for e in heap if self._live.get(e[1]) is e]
                heapq.heapify(heap)

    def due(self, now: int, tenant: str | None) -> Iterator[str]:
        """The ids of ``tenant``'s tickets (every tenant's for ``None``) whose deadline is
        at or before ``now``, earliest first (then by id). It walks only the due part of
        the heap, dropping stale entries it finds at the top."""
        heap = self._heaps.get(tenant)
        if not heap:
            return
        live = self._live
        while heap and live.get(heap[0][1]) is not heap[0]:
            heapq.heappop(heap)
        if not heap or heap[0][0] > now:
            return
        frontier = [(heap[0], 0)]
        size = len(heap)
        while frontier:
            entry, index = heapq.heappop(frontier)
            if live.get(entry[1]) is entry:
                yield entry[1]
            for child in (2 * index + 1, 2 * index + 2):
                if child < size and heap[child][0] <= now:
                    heapq.heappush(frontier, (heap[child], child))
