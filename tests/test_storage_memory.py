"""The in-memory adapter passes the storage contract, and the port keeps its invariants."""

from __future__ import annotations

import pytest

from chamados import MemoryStorage, StorageError, TicketNotFoundError
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
