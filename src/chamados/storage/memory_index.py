"""The in-memory adapter's indexes: what makes its listings and its SLA monitor cost what
they find, not what is stored.

``TicketIndex`` keeps, per tenant (and for all tenants at once), the ids of the tickets
of each status, assignee, team and party (requester or partner), and of each assignee
and team in each status, in the order listings return them (created, then id). A query
reads the smallest list its filters name (several merged, one per status asked for) and
checks the other filters on those tickets only. It also counts, per agent, the tickets it
holds with an SLA clock running (``UnitOfWork.held``).

``DeadlineIndex`` keeps the tickets' next SLA deadlines in heaps, one per tenant and one
for all: a change pushes an entry and leaves the old one to be dropped when it reaches
the top (or when stale entries outnumber live ones, by a rebuild); the due tickets are
read in deadline order by walking the heap's top, so the monitor touches the tickets that
are due, whatever the number open.

Both are changed only by the memory adapter's commit, under its lock. A commit that
moves no ticket between lists (a reply, a note) only compares a few fields.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
from collections import Counter
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence

from chamados.clock import epoch_micros
from chamados.model import Ticket
from chamados.storage.port import TicketQuery, has_running_clock

__all__ = ["DeadlineIndex", "TicketIndex"]

_Key = tuple[int, str]  # (created_at in epoch microseconds, ticket id): listing order
_LOAD = 512


class _Sorted:
    """Listing keys, sorted, in chunks of at most ``2 * _LOAD``: adding or removing one
    costs a binary search and a move of at most a chunk, however many keys there are (a
    plain list moves everything after the key, and old tickets sit at the front)."""

    __slots__ = ("chunks", "maxes", "size")

    def __init__(self) -> None:
        self.chunks: list[list[_Key]] = []
        self.maxes: list[_Key] = []  # the last key of each chunk
        self.size = 0

    def add(self, key: _Key) -> None:
        chunks, maxes = self.chunks, self.maxes
        self.size += 1
        if not chunks:
            chunks.append([key])
            maxes.append(key)
            return
        at = min(bisect.bisect_left(maxes, key), len(maxes) - 1)
        chunk = chunks[at]
        bisect.insort(chunk, key)
        maxes[at] = chunk[-1]
        if len(chunk) > 2 * _LOAD:
            half = chunk[_LOAD:]
            del chunk[_LOAD:]
            chunks.insert(at + 1, half)
            maxes[at] = chunk[-1]
            maxes.insert(at + 1, half[-1])

    def remove(self, key: _Key) -> None:
        at = bisect.bisect_left(self.maxes, key)
        chunk = self.chunks[at]
        del chunk[bisect.bisect_left(chunk, key)]
        self.size -= 1
        if chunk:
            self.maxes[at] = chunk[-1]
        else:
            del self.chunks[at]
            del self.maxes[at]

    def __len__(self) -> int:
        return self.size

    def __iter__(self) -> Iterator[_Key]:
        return itertools.chain.from_iterable(self.chunks)


_NONE = _Sorted()


class TicketIndex:
    """Sorted lists of listing keys by tenant and by the filters listings use most."""

    def __init__(self) -> None:
        self._lists: dict[Hashable, _Sorted] = {}
        self._keys: dict[str, _Key] = {}
        self._held: Counter[tuple[str, str]] = Counter()

    @staticmethod
    def _names(ticket: Ticket) -> list[Hashable]:
        """The lists ``ticket`` belongs to: its tenant's and the all-tenant ones. Parties
        are listed by id (a customer and a partner with one id share a list: the query
        checks the kind)."""
        status, assignee, team = ticket.status, ticket.assignee, ticket.team
        requester, partner = ticket.requester.id, ticket.partner
        names: list[Hashable] = []
        for tenant in (ticket.tenant, None):
            names += (("tenant", tenant), ("status", tenant, status))
            if assignee is not None:
                names += (("assignee", tenant, assignee), ("assignee", tenant, assignee, status))
            if team is not None:
                names += (("team", tenant, team), ("team", tenant, team, status))
            names.append(("party", tenant, requester))
            if partner is not None and partner.id != requester:
                names.append(("party", tenant, partner.id))
        return names

    def put(self, ticket: Ticket, old: Ticket | None) -> None:
        """Index ``ticket``, which replaces ``old`` (``None`` for a new ticket)."""
        key = self._keys.get(ticket.id)
        if old is None or key is None:
            key = self._keys[ticket.id] = (epoch_micros(ticket.created_at), ticket.id)
            self._add(self._names(ticket), key)
        elif not _same_lists(old, ticket):
            gone, added = self._names(old), self._names(ticket)
            if old.created_at is ticket.created_at or old.created_at == ticket.created_at:
                old_names, new_names = set(gone), set(added)  # only the lists it changes
                self._remove([n for n in gone if n not in new_names], key)
                self._add([n for n in added if n not in old_names], key)
            else:
                self._remove(gone, key)
                key = self._keys[ticket.id] = (epoch_micros(ticket.created_at), ticket.id)
                self._add(added, key)
        if old is not None and old.assignee is not None and has_running_clock(old):
            self._held[(old.tenant, old.assignee)] -= 1
        if ticket.assignee is not None and has_running_clock(ticket):
            self._held[(ticket.tenant, ticket.assignee)] += 1

    def _add(self, names: Iterable[Hashable], key: _Key) -> None:
        lists = self._lists
        for name in names:
            found = lists.get(name)
            if found is None:
                found = lists[name] = _Sorted()
            found.add(key)

    def _remove(self, names: Iterable[Hashable], key: _Key) -> None:
        lists = self._lists
        for name in names:
            found = lists[name]
            found.remove(key)
            if not found:
                del lists[name]

    def held(self, tenant: str, agent_ids: frozenset[str]) -> Mapping[str, int]:
        """Per agent, the tickets of ``tenant`` it holds with an SLA clock running."""
        return {agent: self._held[(tenant, agent)] for agent in agent_ids}

    def candidates(self, query: TicketQuery) -> Iterator[str]:
        """The ids of a superset of the tickets ``query`` matches, in listing order: those
        of the smallest list (or lists, one per status) the query's filters name."""
        tenant, statuses = query.tenant, query.status
        lists = self._lists

        def named(kind: str, value: str) -> list[_Sorted]:
            if statuses is None:
                return [lists.get((kind, tenant, value), _NONE)]
            return [lists.get((kind, tenant, value, status), _NONE) for status in statuses]

        options: list[Sequence[_Sorted]] = [[lists.get(("tenant", tenant), _NONE)]]
        if statuses is not None:
            options.append([lists.get(("status", tenant, s), _NONE) for s in statuses])
        if query.assignee is not None:
            options.append(named("assignee", query.assignee))
        if query.team is not None:
            options.append(named("team", query.team))
        for party in (query.requester, query.partner):
            if party is not None:
                options.append([lists.get(("party", tenant, party.id), _NONE)])
        best = min(options, key=lambda found: sum(len(keys) for keys in found))
        chosen = [keys for keys in best if keys]
        ordered: Iterable[_Key] = chosen[0] if len(chosen) == 1 else heapq.merge(*chosen)
        return (ticket_id for _, ticket_id in ordered)


def _same_lists(old: Ticket, new: Ticket) -> bool:
    """Whether ``new`` belongs to the lists ``old`` is in (most commits: a reply, a note,
    a clock that moved)."""
    old_partner, new_partner = old.partner, new.partner
    return (
        old.status == new.status
        and old.assignee == new.assignee
        and old.team == new.team
        and old.tenant == new.tenant
        and (old.created_at is new.created_at or old.created_at == new.created_at)
        and old.requester.id == new.requester.id
        and (
            old_partner is new_partner
            or (
                old_partner is not None
                and new_partner is not None
                and old_partner.id == new_partner.id
            )
        )
    )


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

    def put(self, ticket: Ticket, old: Ticket | None) -> None:
        """Index ``ticket``'s ``sla_deadline`` (or its absence); ``old`` is the ticket it
        replaces (``None`` for a new ticket)."""
        if (
            old is not None
            and old.tenant == ticket.tenant
            and (
                old.sla_deadline is ticket.sla_deadline or old.sla_deadline == ticket.sla_deadline
            )
        ):
            return
        live = self._live.pop(ticket.id, None)
        if live is not None:
            self._counts[self._tenants.pop(ticket.id)] -= 1
            self._counts[None] -= 1
        if ticket.sla_deadline is None:
            return
        self._sequence += 1
        entry = (epoch_micros(ticket.sla_deadline), ticket.id, self._sequence)
        self._live[ticket.id] = entry
        self._tenants[ticket.id] = ticket.tenant
        for name in (ticket.tenant, None):
            heap = self._heaps.setdefault(name, [])
            heapq.heappush(heap, entry)
            self._counts[name] += 1
            if len(heap) > 2 * self._counts[name] + 64:  # mostly stale: rebuild
                heap[:] = [e for e in heap if self._live.get(e[1]) is e]
                heapq.heapify(heap)

    def due(
        self, now: int, tenant: str | None, after: tuple[int, str] | None = None
    ) -> Iterator[str]:
        """The ids of ``tenant``'s tickets (every tenant's for ``None``) whose deadline is
        at or before ``now``, earliest first (then by id), those whose ``(deadline, id)``
        comes after ``after`` if given. It walks only the due part of the heap, dropping
        stale entries it finds at the top."""
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
            if live.get(entry[1]) is entry and (after is None or entry[:2] > after):
                yield entry[1]
            for child in (2 * index + 1, 2 * index + 2):
                if child < size and heap[child][0] <= now:
                    heapq.heappush(frontier, (heap[child], child))
