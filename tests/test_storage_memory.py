"""The in-memory adapter passes the storage contract, and the port keeps its invariants."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, ClassVar

import pendulum
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chamados import MemoryStorage, Party, StorageError, Ticket, TicketNotFoundError
from chamados.clock import epoch_micros
from chamados.storage import TicketQuery, UnitOfWork
from chamados.storage.memory import _MemoryUnitOfWork
from chamados.storage.port import has_running_clock
from chamados.testing import StorageContract, make_ticket


class TestMemoryStorage(StorageContract):
    """MemoryStorage meets every requirement of the contract."""

    locks_tickets = True

    @pytest.fixture
    def storage(self) -> MemoryStorage:
        return MemoryStorage()


class TestUnitOfWorkInvariants:
    """The template methods of the port refuse what would break the contract."""

    def test_history_does_not_read_a_ticket_again(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """history() after get() in one unit of work reads the stored ticket once, and
        still refuses another tenant's ticket."""
        storage = MemoryStorage()
        with storage.unit_of_work() as uow:
            uow.add(make_ticket())
            uow.commit()
        reads: list[str] = []
        with storage.unit_of_work() as uow:
            read = uow._get

            def counted(ticket_id: str) -> object:
                reads.append(ticket_id)
                return read(ticket_id)

            monkeypatch.setattr(uow, "_get", counted)
            uow.get("T-0001", tenant="loja-1")
            uow.history("T-0001", tenant="loja-1")
            assert reads == ["T-0001"]
            with pytest.raises(TicketNotFoundError):
                uow.history("T-0001", tenant="loja-2")

    def test_a_new_ticket_must_be_at_version_one(self) -> None:
        """add() takes a ticket's first save only."""
        with MemoryStorage().unit_of_work() as uow, pytest.raises(StorageError, match="version 1"):
            uow.add(make_ticket(version=0))

    def test_only_loaded_tickets_can_be_saved(self) -> None:
        """save() needs the ticket to have been read in the same unit of work."""
        with (
            MemoryStorage().unit_of_work() as uow,
            pytest.raises(StorageError, match="get\\(\\) it"),
        ):
            uow.save(make_ticket(version=2))

    def test_a_save_must_be_one_version_up(self) -> None:
        """Skipping or repeating a version is refused."""
        storage = MemoryStorage()
        with storage.unit_of_work() as uow:
            uow.add(make_ticket())
            uow.commit()
        with storage.unit_of_work() as uow:
            ticket = uow.get("T-0001", tenant=None)
            ticket.version += 2
            with pytest.raises(StorageError, match="version 2"):
                uow.save(ticket)

    def test_events_must_belong_to_a_saved_ticket(self) -> None:
        """An event for a ticket not saved in the unit of work is refused at commit."""
        from chamados.testing.contract import _opened

        storage = MemoryStorage()
        with storage.unit_of_work() as uow:
            uow.record([_opened(make_ticket(id="T-9"))])
            with pytest.raises(StorageError, match="not saved"):
                uow.commit()

    def test_events_must_carry_the_saved_version(self) -> None:
        """An event at another version than its ticket's save is refused."""
        from chamados.testing.contract import _opened

        storage = MemoryStorage()
        ticket = make_ticket()
        with storage.unit_of_work() as uow:
            uow.add(ticket)
            wrong = _opened(make_ticket(version=5))
            uow.record([wrong])
            with pytest.raises(StorageError, match="version 5"):
                uow.commit()

    def test_a_negative_limit_is_refused(self) -> None:
        """find() needs a sensible limit."""
        from chamados.storage import TicketQuery

        with MemoryStorage().unit_of_work() as uow, pytest.raises(ValueError, match="limit"):
            uow.find(TicketQuery(tenant=None, limit=-1))

    def test_len_and_repr(self) -> None:
        """The memory storage says how many tickets it holds."""
        storage = MemoryStorage()
        assert len(storage) == 0
        assert repr(storage) == "<MemoryStorage: 0 tickets>"

    def test_a_thread_holding_a_ticket_cannot_wait_for_it_again(self) -> None:
        """A thread asking for a ticket it holds in another unit of work gets an error
        instead of waiting for itself forever."""
        storage = MemoryStorage()
        with storage.unit_of_work() as uow:
            uow.add(make_ticket(id="T-1"))
            uow.commit()
        with storage.unit_of_work() as holder:
            holder.get("T-1", tenant=None, lock=True)
            with (
                storage.unit_of_work() as other,
                pytest.raises(StorageError, match="holds ticket 'T-1'"),
            ):
                other.get("T-1", tenant=None, lock=True)
        with storage.unit_of_work() as uow:
            assert uow.get("T-1", tenant=None, lock=True).id == "T-1"

    def test_a_locked_read_is_the_version_saved_against(self) -> None:
        """A ticket read without a lock, then with one, is saved against the locked read."""
        storage = MemoryStorage()
        with storage.unit_of_work() as uow:
            uow.add(make_ticket(id="T-1"))
            uow.commit()
        with storage.unit_of_work() as uow:
            uow.get("T-1", tenant=None)
            with storage.unit_of_work() as other:
                bumped = other.get("T-1", tenant=None, lock=True)
                bumped.version += 1
                other.save(bumped)
                other.commit()
            locked = uow.get("T-1", tenant=None, lock=True)
            assert locked.version == 2
            locked.version += 1
            uow.save(locked)
            uow.commit()

    def test_the_ports_default_load_count_answers_like_the_adapters(self) -> None:
        """An adapter that does not count the agents' load in one query inherits the
        port's count (one find per agent), which gives the same answer."""
        from chamados.storage.memory import _MemoryUnitOfWork
        from chamados.storage.port import UnitOfWork
        from chamados.testing.contract import _clock

        class PlainUnitOfWork(_MemoryUnitOfWork):
            _count_held = UnitOfWork._count_held

        storage = MemoryStorage()
        with storage.unit_of_work() as uow:
            uow.add(make_ticket(id="T-1", assignee="ana", sla_clocks=(_clock("running"),)))
            uow.add(make_ticket(id="T-2", assignee="ana", sla_clocks=(_clock("paused"),)))
            uow.add(make_ticket(id="T-3", assignee="bia", sla_clocks=(_clock("running"),)))
            uow.commit()
        with storage.unit_of_work() as uow, PlainUnitOfWork(storage) as plain:
            wanted = ["ana", "bia", "caio"]
            assert plain.held("loja-1", wanted) == uow.held("loja-1", wanted)
            assert plain.held("loja-1", wanted) == {"ana": 1, "bia": 1, "caio": 0}


class _CountingDict(dict):  # type: ignore[type-arg]
    """The stored tickets, counting every ticket read out of them."""

    reads = 0

    def __getitem__(self, key: object) -> object:
        self.reads += 1
        return super().__getitem__(key)

    def get(self, key: object, default: object = None) -> object:
        self.reads += 1
        return super().get(key, default)

    def values(self) -> Any:
        self.reads += len(self)
        return super().values()

    def items(self) -> Any:
        self.reads += len(self)
        return super().items()

    def __iter__(self) -> Any:
        self.reads += len(self)
        return super().__iter__()


def _stored(total: int) -> MemoryStorage:
    """``total`` tickets: ana's 50 open ones (10 of them due, with a running clock), and
    the rest closed, other agents', unassigned and another store's (many of those due)."""
    from chamados.testing.contract import _clock

    storage = MemoryStorage()
    start = pendulum.datetime(2026, 3, 2, 9)
    with storage.unit_of_work() as uow:
        for n in range(total):
            at = start.add(minutes=n)
            values: dict[str, Any] = {"id": f"T-{n:06d}", "created_at": at, "updated_at": at}
            if n % (total // 50) == 0 and n // (total // 50) < 50:
                values.update(assignee="ana", status="open", team="n1")
                if n // (total // 50) < 10:
                    values.update(sla_deadline=at, sla_clocks=(_clock("running"),))
            else:
                values.update(
                    assignee=("ana", "bia", None)[n % 3],
                    status=("resolved", "closed", "open")[n % 3],
                    tenant=("loja-1", "loja-2")[n % 2],
                    team="n1",
                    requester=Party.customer(f"c-{n}"),
                    # due in the other store, not yet in loja-1
                    sla_deadline=start.add(days=30 * (n % 2 == 0)) if n % 3 == 2 else None,
                )
            uow.add(make_ticket(**values))
        uow.commit()
    storage._tickets = _CountingDict(storage._tickets)
    return storage


def _reads(storage: MemoryStorage, work: Callable[[UnitOfWork], object]) -> int:
    tickets = storage._tickets
    assert isinstance(tickets, _CountingDict)
    with storage.unit_of_work() as uow:
        before = tickets.reads
        work(uow)
        return tickets.reads - before


class TestWorkFollowsWhatIsFound:
    """Listings and the SLA monitor read as many stored tickets with 10,000 stored as with
    100: the indexes the commit keeps find them (the work is counted, never timed)."""

    QUERIES: ClassVar[dict[str, TicketQuery]] = {
        "an agent's open tickets": TicketQuery(
            tenant="loja-1", assignee="ana", status=frozenset({"open", "new"})
        ),
        "a team's open tickets, 20 of them": TicketQuery(
            tenant="loja-1", team="n1", status=frozenset({"open"}), assignee="ana", limit=20
        ),
        "a customer's tickets": TicketQuery(tenant="loja-1", requester=Party.customer("c-1")),
    }

    @pytest.mark.parametrize("name", QUERIES)
    def test_a_listing_reads_the_tickets_it_lists(self, name: str) -> None:
        """The same reads whatever is stored, and no more than the tickets listed."""
        query = self.QUERIES[name]
        reads = []
        for total in (100, 10_000):
            storage = _stored(total)
            with storage.unit_of_work() as uow:
                listed = uow.find(query)
            reads.append(_reads(storage, lambda uow, query=query: uow.find(query)))
            assert reads[-1] == len(listed)
        assert reads[0] == reads[1]

    def test_the_monitor_reads_the_tickets_that_are_due(self) -> None:
        """due() reads the store's 10 due tickets and claim_due() one, among 100 or 10,000
        stored, whatever is due in another store."""
        now = pendulum.datetime(2026, 4, 1)
        for total in (100, 10_000):
            storage = _stored(total)
            assert _reads(storage, lambda uow: uow.due(now, tenant="loja-1")) == 10
            assert _reads(storage, lambda uow: uow.due(now, tenant=None, limit=3)) == 3
            assert _reads(storage, lambda uow: uow.claim_due(now, tenant="loja-1")) == 1

    def test_an_agents_load_reads_no_ticket(self) -> None:
        """held() counts from the index the commit keeps."""
        storage = _stored(10_000)
        assert _reads(storage, lambda uow: uow.held("loja-1", ["ana", "bia"])) == 0
        with storage.unit_of_work() as uow:
            assert uow.held("loja-1", ["ana", "bia"]) == {"ana": 10, "bia": 0}

    def test_the_indexes_follow_every_change(self) -> None:
        """After moving tickets between statuses, agents, teams and deadlines, every
        listing and the monitor answer what a scan of the stored tickets answers."""
        storage = _stored(3_000)
        now = pendulum.datetime(2026, 4, 1)
        with storage.unit_of_work() as uow:
            for n, listed in enumerate(uow.find(TicketQuery(tenant=None))[::7]):
                ticket = uow.get(listed.id, tenant=None)
                ticket.version += 1
                ticket.status = ("new", "open", "resolved")[n % 3]
                ticket.assignee = ("ana", None, "caio")[n % 3]
                ticket.team = ("n2", "n1", None)[n % 3]
                ticket.sla_deadline = (None, now.subtract(days=n), now.add(days=n))[n % 3]
                uow.save(ticket)
            uow.commit()
        with storage.unit_of_work() as uow:
            everything = uow.find(TicketQuery(tenant=None))
            for tenant in ("loja-1", "loja-2", None):
                for filters in (
                    {},
                    {"status": frozenset({"open", "new"})},
                    {"assignee": "ana"},
                    {"assignee": "caio", "status": frozenset({"resolved"})},
                    {"team": "n2", "status": frozenset({"new", "open"})},
                    {"requester": Party.customer("c-7")},
                ):
                    query = TicketQuery(tenant=tenant, **filters)
                    assert uow.find(query) == [t for t in everything if query.matches(t)]
                due = sorted(
                    (
                        t
                        for t in everything
                        if t.sla_deadline is not None
                        and t.sla_deadline <= now
                        and tenant in (None, t.tenant)
                    ),
                    key=lambda t: (t.sla_deadline, t.id),
                )
                assert [t.id for t in uow.due(now, tenant=tenant)] == [t.id for t in due]
                assert uow.held(tenant or "loja-1", ["ana", "caio"]) == {
                    agent: sum(
                        1
                        for t in everything
                        if t.assignee == agent
                        and t.tenant == (tenant or "loja-1")
                        and has_running_clock(t)
                    )
                    for agent in ("ana", "caio")
                }


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.integers(0, 60)), max_size=300))
def test_the_chunked_lists_keep_their_keys_sorted(steps: list[tuple[bool, int]]) -> None:
    """Keys added and removed in any order read back sorted, as a plain sorted list would
    hold them, across chunk splits and emptied chunks (chunks of 4 to 8 keys here)."""
    from chamados.storage import memory_index

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(memory_index, "_LOAD", 2)
        keys = memory_index._Sorted()
        model: list[tuple[int, str]] = []
        for add, n in steps:
            key = (n, f"T-{n}")
            if add and key not in model:
                keys.add(key)
                model.append(key)
            elif not add and key in model:
                keys.remove(key)
                model.remove(key)
            assert list(keys) == sorted(model)
            assert len(keys) == len(model)
            assert all(0 < len(chunk) <= 4 for chunk in keys.chunks)


def test_a_batch_claim_takes_due_tickets_in_order_after_a_position_skipping_held_ones() -> None:
    """The SLA monitor's batch (the port's ``claim_due_batch``): up to ``limit`` due
    tickets of the tenant after ``(deadline, id)``, none another unit of work holds, read
    from the deadline index (only the tickets claimed are read)."""
    at = pendulum.datetime(2026, 3, 2, 9)
    storage = MemoryStorage()
    with storage.unit_of_work() as uow:
        for n in range(8):
            tenant = "loja-2" if n % 4 == 3 else "loja-1"
            uow.add(make_ticket(id=f"T-{n}", tenant=tenant, sla_deadline=at.add(minutes=n)))
        uow.add(make_ticket(id="T-later", sla_deadline=at.add(days=1)))
        uow.commit()
    storage._tickets = _CountingDict(storage._tickets)
    now = epoch_micros(at.add(hours=1))

    def ids(tickets: Iterable[Ticket]) -> list[str]:
        return [ticket.id for ticket in tickets]

    with storage.unit_of_work() as first:
        assert isinstance(first, _MemoryUnitOfWork)
        assert _reads(storage, lambda _: first._claim_due_batch(now, "loja-1", 3, None)) == 3
        with storage.unit_of_work() as second:
            assert isinstance(second, _MemoryUnitOfWork)
            assert ids(second._claim_due_batch(now, "loja-1", 10, None)) == ["T-4", "T-5", "T-6"]
    with storage.unit_of_work() as third:
        assert isinstance(third, _MemoryUnitOfWork)
        after = (epoch_micros(at.add(minutes=4)), "T-4")
        assert ids(third._claim_due_batch(now, None, 10, after)) == ["T-5", "T-6", "T-7"]
