"""The storage contract: the requirements every storage adapter meets, as pytest tests.

Subclass ``StorageContract`` in a test module and override the ``storage`` fixture to
return a fresh, empty storage of your adapter; pytest then runs every requirement against
it. The numbers (R1, R2...) match the list in ``docs/storage.md``.

    class TestMyStorage(StorageContract):
        @pytest.fixture
        def storage(self):
            return MyStorage(...)

Why one long module (about 900 lines): it is one class whose numbered tests mirror the
requirement list in ``docs/storage.md`` one to one, tickets and outbox alike; a host
reading it against its own adapter should find the whole contract in one place, in the
order the docs give it.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any, ClassVar

import pendulum
import pytest

from chamados import limits
from chamados.events import NoteAdded, Replied, TicketEvent, TicketOpened
from chamados.exceptions import (
    ConcurrencyError,
    InvalidTicketError,
    StorageError,
    TicketNotFoundError,
)
from chamados.ids import new_uid
from chamados.model import Message, Party, Priority, Ticket
from chamados.storage.outbox import Settlement
from chamados.storage.port import DuplicateKeyError, Storage, TicketQuery
from chamados.testing.factories import make_ticket
from chamados.tracking import ClockStatus, SlaClock

__all__ = ["StorageContract"]

_AT = pendulum.datetime(2026, 3, 2, 12, tz="America/Sao_Paulo")
_ANA = Party.agent("ana")
_PRINT = "0f" * 32  # a command's fingerprint: 64 hex digits (chamados.desk.idempotency)


def _opened(ticket: Ticket) -> TicketOpened:
    return TicketOpened(
        id=new_uid(),
        ticket_id=ticket.id,
        tenant=ticket.tenant,
        version=ticket.version,
        at=ticket.created_at,
        actor=ticket.requester,
        channel=ticket.channel,
        requester=ticket.requester,
        subject=ticket.subject,
        workflow=ticket.workflow,
        status=ticket.status,
        priority=ticket.priority,
    )


def _reply(ticket: Ticket, body: str) -> Replied:
    message = Message(id=new_uid(), author=Party.agent("ana"), body=body, at=_AT)
    return Replied(
        id=new_uid(),
        ticket_id=ticket.id,
        tenant=ticket.tenant,
        version=ticket.version,
        at=_AT,
        actor=message.author,
        message=message,
    )


def _clock(status: ClockStatus, metric: str = "first_response") -> SlaClock:
    """An SLA clock in ``status`` (its other values do not matter here)."""
    return SlaClock(
        policy="loja",
        metric=metric,
        cycle=1,
        status=status,
        target="2h",
        started_at=_AT,
        due_at=None if status == "paused" else _AT.add(hours=2),
        breached_at=_AT.add(hours=2) if status == "breached" else None,
        met_at=_AT.add(hours=1) if status == "met" else None,
        paused_for=timedelta(0),
        remaining=timedelta(hours=1),
        computed_at=_AT,
    )


def _id(ticket: Ticket | None) -> str | None:
    return None if ticket is None else ticket.id


class StorageContract:
    """Requirements R1-R27 of a storage adapter. Override the ``storage`` fixture.

    Capabilities an adapter may lack, declared as class attributes:
    ``concurrent_writers`` (R15: units of work on several threads at once),
    ``claims_lock_rows`` (R18: a claimed ticket is skipped by other units of work while
    the claim lasts, as ``FOR UPDATE SKIP LOCKED`` does; adapters that serialise writers
    instead, like SQLite, declare ``False``) and ``locks_tickets`` (R26, R27: a ticket
    loaded with ``get(..., lock=True)`` is held until the unit of work ends, so commands
    on one ticket queue up; adapters that only check versions declare ``False``).
    """

    concurrent_writers: ClassVar[bool] = True
    claims_lock_rows: ClassVar[bool] = False
    locks_tickets: ClassVar[bool] = False

    @pytest.fixture
    def storage(self) -> Storage:
        """A fresh, empty storage of the adapter under test. Subclasses override this."""
        pytest.fail("override the `storage` fixture in your StorageContract subclass")

    # -- helpers ---------------------------------------------------------------------------

    def add(self, storage: Storage, **fields: Any) -> Ticket:
        """Store a new ticket with its opening event and return it."""
        ticket = make_ticket(**{"id": new_uid()[:12], **fields})
        with storage.unit_of_work() as uow:
            uow.add(ticket)
            uow.record([_opened(ticket)])
            uow.commit()
        return ticket

    def bump(self, storage: Storage, ticket_id: str, body: str = "bump") -> Ticket:
        """Load a ticket, change it, save it one version up with one event."""
        with storage.unit_of_work() as uow:
            ticket = uow.get(ticket_id, tenant=None)
            ticket.version += 1
            ticket.subject = body
            uow.save(ticket)
            uow.record([_reply(ticket, body)])
            uow.commit()
        return ticket

    # -- requirements --------------------------------------------------------------------------

    def test_r1_a_committed_ticket_reads_back_equal(self, storage: Storage) -> None:
        """R1: a ticket added and committed reads back equal, with its opening event."""
        ticket = self.add(storage, custom_fields={"valor": 199.9, "vip": True}, tags={"a"})
        with storage.unit_of_work() as uow:
            assert uow.get(ticket.id, tenant="loja-1") == ticket
            history = uow.history(ticket.id, tenant="loja-1")
        assert [type(e) for e in history] == [TicketOpened]

    def test_r2_nothing_is_written_without_commit(self, storage: Storage) -> None:
        """R2: leaving a unit of work without commit() writes nothing."""
        ticket = make_ticket(id="T-R2")
        with storage.unit_of_work() as uow:
            uow.add(ticket)
            uow.record([_opened(ticket)])
        with storage.unit_of_work() as uow, pytest.raises(TicketNotFoundError):
            uow.get("T-R2", tenant=None)

    def test_r3_an_exception_in_the_block_writes_nothing(self, storage: Storage) -> None:
        """R3: an error raised inside the unit of work discards every staged change."""
        ticket = self.add(storage)

        def fail_midway() -> None:
            with storage.unit_of_work() as uow:
                loaded = uow.get(ticket.id, tenant=None)
                loaded.version += 1
                loaded.subject = "changed"
                uow.save(loaded)
                raise RuntimeError("boom")

        with pytest.raises(RuntimeError):
            fail_midway()
        with storage.unit_of_work() as uow:
            assert uow.get(ticket.id, tenant=None).subject == ticket.subject

    def test_r4_tickets_read_are_copies(self, storage: Storage) -> None:
        """R4: changing a ticket that was read changes nothing stored."""
        ticket = self.add(storage)
        with storage.unit_of_work() as uow:
            loaded = uow.get(ticket.id, tenant=None)
            loaded.subject = "mutated"
            loaded.custom_fields["x"] = 1  # type: ignore[index]
        with storage.unit_of_work() as uow:
            again = uow.get(ticket.id, tenant=None)
        assert again.subject == ticket.subject
        assert "x" not in again.custom_fields

    def test_r5_a_stale_save_raises_and_writes_nothing(self, storage: Storage) -> None:
        """R5: saving over a newer version raises ConcurrencyError and stores none of it."""
        ticket = self.add(storage)
        other = self.add(storage)
        with storage.unit_of_work() as uow:
            stale = uow.get(ticket.id, tenant=None)
            fresh_other = uow.get(other.id, tenant=None)
            self.bump(storage, ticket.id, "winner")
            stale.version += 1
            stale.subject = "loser"
            fresh_other.version += 1
            fresh_other.subject = "collateral"
            uow.save(stale)
            uow.save(fresh_other)
            uow.record([_reply(stale, "loser"), _reply(fresh_other, "collateral")])
            uow.remember("key-r5", command="reply", result=stale, actor=_ANA, fingerprint=_PRINT)
            with pytest.raises(ConcurrencyError) as caught:
                uow.commit()
        assert caught.value.ticket_id == ticket.id
        assert (caught.value.expected, caught.value.actual) == (1, 2)
        with storage.unit_of_work() as uow:
            assert uow.get(ticket.id, tenant=None).subject == "winner"
            assert uow.get(other.id, tenant=None).subject == other.subject
            assert len(uow.history(other.id, tenant=None)) == 1
            assert len(uow.history(ticket.id, tenant=None)) == 2
            assert uow.idempotency("key-r5", tenant="loja-1") is None

    def test_r6_adding_an_existing_id_is_a_conflict(self, storage: Storage) -> None:
        """R6: adding a ticket whose id exists raises ConcurrencyError."""
        ticket = self.add(storage)
        with storage.unit_of_work() as uow:
            uow.add(make_ticket(id=ticket.id, subject="duplicate"))
            with pytest.raises(ConcurrencyError):
                uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.get(ticket.id, tenant=None).subject == ticket.subject

    def test_r7_history_keeps_the_order_of_events(self, storage: Storage) -> None:
        """R7: events read back in the order they were committed, across commits."""
        ticket = self.add(storage)
        for n in range(5):
            self.bump(storage, ticket.id, f"reply {n}")
        with storage.unit_of_work() as uow:
            history = uow.history(ticket.id, tenant=None)
        bodies = [e.message.body for e in history if isinstance(e, Replied)]
        assert bodies == [f"reply {n}" for n in range(5)]
        assert [e.version for e in history] == [1, 2, 3, 4, 5, 6]

    def test_r8_events_round_trip_unchanged(self, storage: Storage) -> None:
        """R8: an event reads back equal to the one recorded, every field included."""
        ticket = self.add(storage)
        updated = self.bump(storage, ticket.id, "olá, tudo bem? ✓")
        with storage.unit_of_work() as uow:
            last: TicketEvent = uow.history(ticket.id, tenant=None)[-1]
        assert isinstance(last, Replied)
        assert last.message.body == "olá, tudo bem? ✓"
        assert last.version == updated.version
        assert last.at == _AT

    def test_r9_other_tenants_tickets_are_not_found(self, storage: Storage) -> None:
        """R9: reads scoped to a tenant never see another tenant's tickets."""
        mine = self.add(storage, tenant="loja-1")
        theirs = self.add(storage, tenant="loja-2")
        with storage.unit_of_work() as uow:
            with pytest.raises(TicketNotFoundError):
                uow.get(theirs.id, tenant="loja-1")
            with pytest.raises(TicketNotFoundError):
                uow.history(theirs.id, tenant="loja-1")
            assert [t.id for t in uow.find(TicketQuery(tenant="loja-1"))] == [mine.id]
            assert {t.id for t in uow.find(TicketQuery(tenant=None))} == {mine.id, theirs.id}

    def test_r10_an_unknown_ticket_is_not_found(self, storage: Storage) -> None:
        """R10: getting an id that was never stored raises TicketNotFoundError."""
        with storage.unit_of_work() as uow, pytest.raises(TicketNotFoundError) as caught:
            uow.get("missing", tenant=None)
        assert caught.value.ticket_id == "missing"

    def test_r11_idempotency_keys_are_remembered_per_tenant(self, storage: Storage) -> None:
        """R11: a committed key returns its record in its tenant only."""
        ticket = make_ticket(id="T-R11")
        with storage.unit_of_work() as uow:
            uow.add(ticket)
            uow.record([_opened(ticket)])
            uow.remember(
                "claim-1",
                command="open",
                result=ticket,
                actor=ticket.requester,
                fingerprint=_PRINT,
            )
            uow.commit()
        with storage.unit_of_work() as uow:
            record = uow.idempotency("claim-1", tenant="loja-1")
            assert uow.idempotency("claim-1", tenant="loja-2") is None
        assert record is not None
        assert (record.command, record.ticket_id, record.result) == ("open", "T-R11", ticket)

    def test_r12_a_key_committed_twice_fails_the_second_commit(self, storage: Storage) -> None:
        """R12: two units of work with one key: the second commit raises and writes nothing."""
        first, second = make_ticket(id="T-R12a"), make_ticket(id="T-R12b")
        with storage.unit_of_work() as a, storage.unit_of_work() as b:
            for uow, ticket in ((a, first), (b, second)):
                uow.add(ticket)
                uow.record([_opened(ticket)])
                uow.remember(
                    "same-key",
                    command="open",
                    result=ticket,
                    actor=ticket.requester,
                    fingerprint=_PRINT,
                )
            a.commit()
            with pytest.raises(DuplicateKeyError) as caught:
                b.commit()
        assert caught.value.record.ticket_id == "T-R12a"
        with storage.unit_of_work() as uow, pytest.raises(TicketNotFoundError):
            uow.get("T-R12b", tenant=None)

    def test_r25_an_idempotency_key_keeps_its_party_and_fingerprint(
        self, storage: Storage
    ) -> None:
        """R25: a committed key reads back with the party that used it and the
        fingerprint of the command's arguments, as they were stored."""
        ticket = self.add(storage)
        seller = Party.partner("seller-9", name="Loja do Zé")
        with storage.unit_of_work() as uow:
            loaded = uow.get(ticket.id, tenant=None)
            loaded.version += 1
            uow.save(loaded)
            uow.record([_reply(loaded, "Olá")])
            uow.remember(
                "msg-25", command="reply", result=loaded, actor=seller, fingerprint=_PRINT
            )
            uow.commit()
        with storage.unit_of_work() as uow:
            record = uow.idempotency("msg-25", tenant="loja-1")
        assert record is not None
        assert (record.command, record.ticket_id) == ("reply", ticket.id)
        assert record.actor == seller
        assert record.actor.kind is seller.kind
        assert record.fingerprint == _PRINT

    def test_r13_find_filters_and_orders(self, storage: Storage) -> None:
        """R13: find() applies every filter and lists the oldest tickets first."""
        a = self.add(storage, status="open", team="financeiro", priority=Priority.HIGH)
        b = self.add(
            storage, status="new", team="logistica", created_at=_AT.add(hours=2), tags={"vip"}
        )
        c = self.add(
            storage,
            status="open",
            team="logistica",
            partner=Party.partner("s-9"),
            tier=2,
            created_at=_AT.add(hours=1),
        )
        with storage.unit_of_work() as uow:

            def ids(**filters: Any) -> list[str]:
                return [t.id for t in uow.find(TicketQuery(tenant="loja-1", **filters))]

            assert ids(status=frozenset({"open"})) == [a.id, c.id]
            assert ids(team="logistica") == [c.id, b.id]
            assert ids(partner=Party.customer("s-9")) == []
            assert ids(priority=frozenset({Priority.HIGH})) == [a.id]
            assert ids(partner=Party.partner("s-9"), tier=2) == [c.id]
            assert ids(tags=frozenset({"vip"})) == [b.id]
            assert ids(limit=1) == [a.id]

    def test_r14_a_finished_unit_of_work_refuses_more_work(self, storage: Storage) -> None:
        """R14: after commit or rollback the unit of work raises StorageError when used."""
        ticket = self.add(storage)
        with storage.unit_of_work() as uow:
            uow.rollback()
            with pytest.raises(StorageError):
                uow.get(ticket.id, tenant=None)

    def test_r16_due_finds_tickets_whose_sla_deadline_passed(self, storage: Storage) -> None:
        """R16: due() lists tickets with sla_deadline <= now, earliest first, per tenant."""
        early = self.add(storage, sla_deadline=_AT.subtract(hours=2))
        late = self.add(storage, sla_deadline=_AT.subtract(hours=1))
        self.add(storage, sla_deadline=_AT.add(hours=1))
        self.add(storage)
        other = self.add(storage, tenant="loja-2", sla_deadline=_AT.subtract(hours=3))
        with storage.unit_of_work() as uow:
            assert [t.id for t in uow.due(_AT, tenant="loja-1")] == [early.id, late.id]
            assert [t.id for t in uow.due(_AT, tenant=None)] == [other.id, early.id, late.id]
            assert [t.id for t in uow.due(_AT, tenant=None, limit=1)] == [other.id]
            assert uow.due(_AT.subtract(days=1), tenant=None) == []
        with storage.unit_of_work() as uow:
            moved = uow.get(early.id, tenant=None)
            moved.version += 1
            moved.sla_deadline = None
            uow.save(moved)
            uow.commit()
        with storage.unit_of_work() as uow:
            assert [t.id for t in uow.due(_AT, tenant="loja-1")] == [late.id]

    def test_r17_claim_due_takes_the_earliest_due_ticket_not_skipped(
        self, storage: Storage
    ) -> None:
        """R17: claim_due() returns the earliest due ticket of the tenant, minus ``skip``;
        a save of the claimed ticket commits like any other."""
        early = self.add(storage, sla_deadline=_AT.subtract(hours=2))
        late = self.add(storage, sla_deadline=_AT.subtract(hours=1))
        self.add(storage, sla_deadline=_AT.add(hours=1))
        other = self.add(storage, tenant="loja-2", sla_deadline=_AT.subtract(hours=3))
        with storage.unit_of_work() as uow:
            assert _id(uow.claim_due(_AT, tenant="loja-1")) == early.id
        with storage.unit_of_work() as uow:
            assert _id(uow.claim_due(_AT, tenant=None)) == other.id
        with storage.unit_of_work() as uow:
            assert _id(uow.claim_due(_AT, tenant="loja-1", skip=[early.id])) == late.id
        with storage.unit_of_work() as uow:
            assert uow.claim_due(_AT, tenant="loja-1", skip=[early.id, late.id]) is None
            assert uow.claim_due(_AT.subtract(days=1), tenant=None) is None
        with storage.unit_of_work() as uow:
            claimed = uow.claim_due(_AT, tenant="loja-1")
            assert claimed is not None
            claimed.version += 1
            claimed.sla_deadline = _AT.add(days=1)
            uow.save(claimed)
            uow.record([_reply(claimed, "checked")])
            uow.commit()
        with storage.unit_of_work() as uow:
            assert _id(uow.claim_due(_AT, tenant="loja-1")) == late.id
            assert uow.get(early.id, tenant=None).version == 2

    def test_r18_a_claimed_ticket_is_skipped_by_others(self, storage: Storage) -> None:
        """R18: while one unit of work holds a claim, another claims the next ticket."""
        if not self.claims_lock_rows:
            pytest.skip(f"{type(self).__name__} declares claims_lock_rows = False")
        first = self.add(storage, sla_deadline=_AT.subtract(hours=2))
        second = self.add(storage, sla_deadline=_AT.subtract(hours=1))
        with storage.unit_of_work() as holder:
            assert _id(holder.claim_due(_AT, tenant=None)) == first.id
            with storage.unit_of_work() as other:
                assert _id(other.claim_due(_AT, tenant=None)) == second.id
            with storage.unit_of_work() as third:
                assert third.claim_due(_AT, tenant=None, skip=[second.id]) is None
        with storage.unit_of_work() as uow:
            assert _id(uow.claim_due(_AT, tenant=None)) == first.id

    def test_r15_concurrent_writers_lose_no_update(self, storage: Storage) -> None:
        """R15: threads that retry on ConcurrencyError apply every one of their updates."""
        if not self.concurrent_writers:
            pytest.skip(f"{type(self).__name__} declares concurrent_writers = False")
        ticket = self.add(storage)
        workers, rounds = 4, 10

        def work() -> None:
            for _ in range(rounds):
                while True:
                    try:
                        self.bump(storage, ticket.id)
                        break
                    except ConcurrencyError:
                        continue

        threads = [threading.Thread(target=work) for _ in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        with storage.unit_of_work() as uow:
            assert uow.get(ticket.id, tenant=None).version == 1 + workers * rounds
            assert len(uow.history(ticket.id, tenant=None)) == 1 + workers * rounds

    def test_r26_units_of_work_that_lock_a_ticket_take_turns(self, storage: Storage) -> None:
        """R26: units of work on several threads that each load one ticket with
        ``lock=True``, change it and commit all succeed, one after the other: none
        raises ConcurrencyError."""
        if not self.locks_tickets:
            pytest.skip(f"{type(self).__name__} declares locks_tickets = False")
        ticket = self.add(storage)
        workers = 8
        start = threading.Barrier(workers)
        failures: list[BaseException] = []

        def work(n: int) -> None:
            try:
                start.wait()
                with storage.unit_of_work() as uow:
                    loaded = uow.get(ticket.id, tenant="loja-1", lock=True)
                    assert uow.get(ticket.id, tenant="loja-1", lock=True) == loaded
                    loaded.version += 1
                    uow.save(loaded)
                    uow.record([_reply(loaded, f"turn {n}")])
                    uow.commit()
            except BaseException as error:  # reported below
                failures.append(error)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(workers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not failures, failures
        with storage.unit_of_work() as uow:
            assert uow.get(ticket.id, tenant=None).version == 1 + workers
            assert len(uow.history(ticket.id, tenant=None)) == 1 + workers

    def test_r27_a_read_does_not_wait_for_a_held_ticket(self, storage: Storage) -> None:
        """R27: while a unit of work holds a ticket (``lock=True``), reads without a lock
        in other units of work go on, and see the version last committed."""
        if not self.locks_tickets:
            pytest.skip(f"{type(self).__name__} declares locks_tickets = False")
        ticket = self.add(storage)
        read: list[int] = []

        def reader() -> None:
            with storage.unit_of_work() as uow:
                read.append(uow.get(ticket.id, tenant=None).version)

        with storage.unit_of_work() as holder:
            held = holder.get(ticket.id, tenant=None, lock=True)
            thread = threading.Thread(target=reader)
            thread.start()
            thread.join(timeout=60)
            assert read == [1]
            held.version += 1
            holder.save(held)
            holder.commit()
        reader()
        assert read == [1, 2]

    def test_r28_values_at_the_limits_round_trip_exactly(self, storage: Storage) -> None:
        """R28: a ticket, a message and a key using every limit to the last character
        (multi-byte characters, control characters and all) read back exactly."""
        wide = "çã😀\t\u200b"  # two-byte, four-byte, a control character, a zero-width one

        def text(limit: int, seed: str = "") -> str:
            return (seed + wide * limit)[:limit]

        ticket = make_ticket(
            id=text(limits.TICKET_ID, "T"),
            tenant=text(limits.TENANT, "l"),
            channel=text(limits.CHANNEL, "c"),
            requester=Party.customer(text(limits.ID, "c"), name=text(limits.PARTY_NAME, "n")),
            partner=Party.partner(text(limits.ID, "p")),
            subject=text(limits.SUBJECT, "s"),
            status=text(limits.NAME, "s"),
            category=text(limits.ID, "k"),
            order_id=text(limits.ID, "o"),
            team=text(limits.TEAM, "t"),
            assignee=text(limits.TEAM, "a"),
            tier=limits.TIER,
            tags={text(limits.TAG, f"{n:03d}") for n in range(limits.TAGS)},
            custom_fields={
                **{text(limits.FIELD_NAME, f"{n:03d}"): n for n in range(limits.FIELDS - 4)},
                "max": limits.INTEGER_MAX,
                "min": limits.INTEGER_MIN,
                "text": text(limits.FIELD_VALUE, "v"),
                "small": 5e-324,
            },
            resolution=text(limits.TEXT, "r"),
        )
        message = Message(
            id=new_uid(),
            author=Party.agent(text(limits.ID, "a")),
            body=text(limits.BODY - 4, "b") + "\x01\x1f\r\n",
            at=_AT,
            public=False,
            external_id=text(limits.EXTERNAL_ID, "e"),
        )
        note = NoteAdded(
            id=new_uid(),
            ticket_id=ticket.id,
            tenant=ticket.tenant,
            version=1,
            at=_AT,
            actor=message.author,
            reason=text(limits.TEXT, "w"),
            message=message,
        )
        key = text(limits.IDEMPOTENCY_KEY, "k")
        with storage.unit_of_work() as uow:
            uow.add(ticket)
            uow.record([_opened(ticket), note])
            uow.remember(key, command="open", result=ticket, actor=_ANA, fingerprint=_PRINT)
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.get(ticket.id, tenant=ticket.tenant) == ticket
            assert uow.history(ticket.id, tenant=ticket.tenant)[-1] == note
            record = uow.idempotency(key, tenant=ticket.tenant)
            found = uow.find(TicketQuery(tenant=ticket.tenant, team=ticket.team))
        assert record is not None
        assert record.result == ticket
        assert [t.id for t in found] == [ticket.id]

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("team", 5),
            ("team", "t" * (limits.TEAM + 1)),
            ("tenant", "l" * (limits.TENANT + 1)),
            ("subject", "a\x00b"),
            ("subject", "caf\udce9"),
            ("category", ""),
            ("tier", limits.TIER + 1),
            ("tags", frozenset({"a\x00"})),
            ("custom_fields", {"valor": float("nan")}),
            ("priority_manual", "false"),
        ],
    )
    def test_r29_values_past_the_limits_are_refused_before_the_adapter(
        self, storage: Storage, field: str, value: object
    ) -> None:
        """R29: a ticket added or saved with a value past the limits (or NUL, or a lone
        surrogate, or a wrong type) raises InvalidTicketError naming the field, the same
        on every adapter, and nothing is stored."""
        stored = self.add(storage)
        fresh = make_ticket(id="T-R29")
        setattr(fresh, field, value)
        with storage.unit_of_work() as uow:
            with pytest.raises(InvalidTicketError) as added:
                uow.add(fresh)
            loaded = uow.get(stored.id, tenant=None)
            loaded.version += 1
            setattr(loaded, field, value)
            with pytest.raises(InvalidTicketError) as saved:
                uow.save(loaded)
            uow.commit()
        assert added.value.field == saved.value.field
        assert str(added.value.field).startswith(field)
        with storage.unit_of_work() as uow:
            assert uow.get(stored.id, tenant=None) == stored
            with pytest.raises(TicketNotFoundError):
                uow.get("T-R29", tenant=None)

    @pytest.mark.parametrize("bad", ["a\x00b", "caf\udce9", 5])
    def test_r29_lookups_with_values_no_ticket_can_hold_are_refused(
        self, storage: Storage, bad: Any
    ) -> None:
        """R29: ids, keys and filters that no stored value can equal (NUL, lone
        surrogates, wrong types) are refused with InvalidTicketError on every adapter,
        never as a driver error."""
        with storage.unit_of_work() as uow:
            with pytest.raises(InvalidTicketError):
                uow.get(bad, tenant=None)
            with pytest.raises(InvalidTicketError):
                uow.idempotency(bad, tenant="loja-1")
            with pytest.raises(InvalidTicketError):
                uow.find(TicketQuery(tenant="loja-1", team=bad))
            with pytest.raises(InvalidTicketError):
                uow.remember(
                    "k" * (limits.IDEMPOTENCY_KEY + 1),
                    command="x",
                    result=make_ticket(),
                    actor=_ANA,
                    fingerprint=_PRINT,
                )

    def test_r30_text_compares_exactly(self, storage: Storage) -> None:
        """R30: ids, tenants, filters and idempotency keys match only the very same text:
        case, accents and trailing spaces make different values (as in memory), so no
        adapter lets one tenant or one key stand for another."""
        twins = ["Loja-1", "loja-1", "loja-1 ", "lója-1"]
        for n, tenant in enumerate(twins):
            ticket = make_ticket(id=f"T-{twins[n]}", tenant=tenant, team=tenant)
            with storage.unit_of_work() as uow:
                uow.add(ticket)
                uow.record([_opened(ticket)])
                uow.remember(tenant, command="open", result=ticket, actor=_ANA, fingerprint=_PRINT)
                uow.remember(
                    f"key {tenant}", command="open", result=ticket, actor=_ANA, fingerprint=_PRINT
                )
                uow.commit()
        with storage.unit_of_work() as uow:
            for tenant in twins:
                assert uow.get(f"T-{tenant}", tenant=None).tenant == tenant
                assert [t.tenant for t in uow.find(TicketQuery(tenant=tenant))] == [tenant]
                assert [t.team for t in uow.find(TicketQuery(tenant=None, team=tenant))] == [
                    tenant
                ]
                record = uow.idempotency(f"key {tenant}", tenant=tenant)
                assert record is not None
                assert record.ticket_id == f"T-{tenant}"
                assert uow.idempotency(f"KEY {tenant}", tenant=tenant) is None
            with pytest.raises(TicketNotFoundError):
                uow.get("t-loja-1", tenant=None)

    # -- the outbox ----------------------------------------------------------------------------

    def post(self, storage: Storage, ticket_id: str | None = None, count: int = 1) -> list[str]:
        """Commit ``count`` events to the outbox for a ticket (a new one if ``None``);
        return their ids in order."""
        if ticket_id is None:
            ticket = make_ticket(id=new_uid()[:12])
            events: list[TicketEvent] = [_opened(ticket)]
            events += [_reply(ticket, f"m{n}") for n in range(count - 1)]
            with storage.unit_of_work() as uow:
                uow.add(ticket)
                uow.record(events)
                uow.enqueue(events)
                uow.commit()
            return [e.id for e in events]
        with storage.unit_of_work() as uow:
            ticket = uow.get(ticket_id, tenant=None)
            ticket.version += 1
            uow.save(ticket)
            events = [_reply(ticket, f"m{n}") for n in range(count)]
            uow.record(events)
            uow.enqueue(events)
            uow.commit()
        return [e.id for e in events]

    def test_r19_enqueued_events_are_claimed_in_order(self, storage: Storage) -> None:
        """R19: events enqueued by a commit wait in the outbox, oldest first, with their
        event ids; a unit of work left without commit enqueues nothing."""
        outbox = storage.outbox()
        first = self.post(storage, count=2)
        second = self.post(storage)
        ticket = make_ticket(id="T-nothing")
        with storage.unit_of_work() as uow:
            uow.add(ticket)
            uow.enqueue([_opened(ticket)])
        claim = outbox.claim(_AT, limit=10, lease=timedelta(minutes=1))
        assert [m.id for m in claim.messages] == first + second
        assert [m.event.id for m in claim.messages] == first + second
        assert all(m.status == "pending" and m.attempts == 0 for m in claim.messages)
        assert outbox.counts() == {"pending": 3, "delivered": 0, "dead": 0}

    def test_r20_each_ticket_keeps_its_order(self, storage: Storage) -> None:
        """R20: a claim takes each ticket's oldest pending messages only; a message
        waiting for its retry holds back the later ones of its ticket, not others."""
        outbox = storage.outbox()
        a = self.post(storage, count=3)
        b = self.post(storage)
        lease = timedelta(minutes=1)
        claim = outbox.claim(_AT, limit=2, lease=lease)
        assert [m.id for m in claim.messages] == a[:2]
        retry = Settlement(a[0], "retry", error="503", retry_at=_AT.add(minutes=5))
        outbox.settle(claim, [retry, Settlement(a[1], "release")], now=_AT)
        later = outbox.claim(_AT, limit=10, lease=lease)
        assert [m.id for m in later.messages] == b  # a[1:] wait behind a[0]
        outbox.settle(later, [Settlement(b[0], "delivered")], now=_AT)
        again = outbox.claim(_AT.add(minutes=5), limit=10, lease=lease)
        assert [m.id for m in again.messages] == a
        assert again.messages[0].attempts == 1
        assert again.messages[0].last_error == "503"

    def test_r21_a_claim_lasts_its_lease(self, storage: Storage) -> None:
        """R21: claimed messages are nobody else's until the lease ends; then another
        relay claims them, and the first relay's settlement no longer counts."""
        outbox = storage.outbox()
        ids = self.post(storage)
        lease = timedelta(minutes=1)
        first = outbox.claim(_AT, limit=10, lease=lease)
        assert [m.id for m in first.messages] == ids
        assert len(outbox.claim(_AT.add(seconds=59), limit=10, lease=lease)) == 0
        second = outbox.claim(_AT.add(minutes=2), limit=10, lease=lease)
        assert [m.id for m in second.messages] == ids
        assert outbox.settle(first, [Settlement(ids[0], "delivered")], now=_AT) == 0
        assert outbox.settle(second, [Settlement(ids[0], "delivered")], now=_AT) == 1
        assert outbox.counts()["delivered"] == 1

    def test_r22_settlements_record_what_happened(self, storage: Storage) -> None:
        """R22: delivered, retry, dead and release each leave the message as described;
        dead messages are listed and can be requeued; delivered ones can be purged."""
        outbox = storage.outbox()
        ok, retried, dead, released = (self.post(storage)[0] for _ in range(4))
        lease = timedelta(minutes=1)
        claim = outbox.claim(_AT, limit=10, lease=lease)
        outbox.settle(
            claim,
            [
                Settlement(ok, "delivered", delivered_to={"webhook", "email"}),
                Settlement(retried, "retry", error="timeout", retry_at=_AT.add(minutes=1)),
                Settlement(dead, "dead", error="400 bad request", delivered_to={"webhook"}),
                Settlement(released, "release"),
            ],
            now=_AT,
        )
        done = outbox.get(ok)
        assert done is not None
        assert (done.status, done.delivered_to, done.delivered_at) == (
            "delivered",
            frozenset({"webhook", "email"}),
            _AT,
        )
        waiting = outbox.get(retried)
        assert waiting is not None
        assert (waiting.status, waiting.attempts, waiting.last_error) == ("pending", 1, "timeout")
        assert waiting.next_attempt_at == _AT.add(minutes=1)
        assert [m.id for m in outbox.dead()] == [dead]
        assert outbox.dead()[0].last_error == "400 bad request"
        assert [m.id for m in outbox.claim(_AT, limit=10, lease=lease).messages] == [released]
        assert outbox.counts() == {"pending": 2, "delivered": 1, "dead": 1}
        assert outbox.requeue([dead, ok], now=_AT.add(minutes=2)) == 1
        back = outbox.claim(_AT.add(minutes=2), limit=10, lease=lease).messages
        assert [m.id for m in back] == [retried, dead, released]  # released's lease ended
        assert back[1].attempts == 0
        assert back[1].delivered_to == {"webhook"}  # a retry skips who took it
        assert outbox.purge(delivered_before=_AT.add(seconds=1)) == 1
        assert outbox.get(ok) is None

    def test_r23_a_claim_can_be_narrowed_to_some_messages(self, storage: Storage) -> None:
        """R23: claim(ids=...) takes only those, and still not ahead of an older pending
        message of the same ticket."""
        outbox = storage.outbox()
        a = self.post(storage, count=2)
        b = self.post(storage)
        lease = timedelta(minutes=1)
        assert [m.id for m in outbox.claim(_AT, limit=9, lease=lease, ids=[a[1]]).messages] == []
        claim = outbox.claim(_AT, limit=9, lease=lease, ids=[a[0], b[0]])
        assert [m.id for m in claim.messages] == [a[0], b[0]]
        assert not outbox.claim(_AT, limit=9, lease=lease, tenant="loja-2").messages

    def test_r24_concurrent_relays_never_hold_one_message_together(self, storage: Storage) -> None:
        """R24: relays claiming at once on several threads each get different messages;
        every message is settled once, and each ticket's messages in order."""
        if not self.concurrent_writers:
            pytest.skip(f"{type(self).__name__} declares concurrent_writers = False")
        outbox = storage.outbox()
        expected: list[str] = []
        for _ in range(6):
            expected += self.post(storage, count=5)
        got: list[tuple[str, str]] = []
        lock = threading.Lock()
        failures: list[BaseException] = []

        def relay() -> None:
            try:
                while True:
                    claim = outbox.claim(_AT, limit=4, lease=timedelta(minutes=5))
                    if not claim.messages:
                        if outbox.counts()["pending"] == 0:
                            return
                        continue
                    with lock:
                        got.extend((m.ticket_id, m.id) for m in claim.messages)
                    done = [Settlement(m.id, "delivered") for m in claim.messages]
                    assert outbox.settle(claim, done, now=_AT) == len(done)
            except BaseException as error:  # reported below
                failures.append(error)

        threads = [threading.Thread(target=relay) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not failures, failures
        assert sorted(i for _, i in got) == sorted(expected)
        by_ticket: dict[str, list[str]] = {}
        for ticket_id, message_id in got:
            by_ticket.setdefault(ticket_id, []).append(message_id)
        for ids in by_ticket.values():
            assert ids == sorted(ids, key=expected.index)

    def test_r31_a_settlement_stores_what_the_rule_says(self, storage: Storage) -> None:
        """R31: what settle() stores for each message is ``Settlement.applied_to`` of the
        message as claimed, for every outcome, in one batch (an empty error is none)."""
        outbox = storage.outbox()
        ids = [self.post(storage)[0] for _ in range(6)]
        lease = timedelta(minutes=1)
        first = outbox.claim(_AT, limit=10, lease=lease)
        outbox.settle(first, [Settlement(ids[1], "retry", error="503", retry_at=_AT)], now=_AT)
        claim = outbox.claim(_AT.add(minutes=2), limit=10, lease=lease)
        assert [m.id for m in claim.messages] == ids
        later = _AT.add(minutes=3)
        settlements = [
            Settlement(ids[0], "delivered", delivered_to={"webhook"}),
            Settlement(ids[1], "delivered", delivered_to={"webhook", "email"}),
            Settlement(ids[2], "retry", error="", retry_at=later.add(minutes=5)),
            Settlement(ids[3], "retry", error="timeout", delivered_to={"email"}, retry_at=later),
            Settlement(ids[4], "dead", error="400 bad request"),
            Settlement(ids[5], "release", delivered_to={"email"}),
        ]
        assert outbox.settle(claim, settlements, now=later) == 6
        for message, settlement in zip(claim.messages, settlements, strict=True):
            assert outbox.get(message.id) == settlement.applied_to(message, now=later)

    # -- the agents' load -------------------------------------------------------------------------

    def test_r32_held_counts_each_agents_tickets_with_a_clock_running(
        self, storage: Storage
    ) -> None:
        """R32: held(tenant, agents) counts, per agent, the committed tickets of the
        tenant assigned to it with an SLA clock running (paused, met and breached ones
        do not count); an agent with none counts 0; staged changes do not count."""
        running, paused = _clock("running"), _clock("paused", "resolution")
        tickets = [
            make_ticket(id="T-1", assignee="ana", sla_clocks=(running,)),
            make_ticket(id="T-2", assignee="ana", sla_clocks=(paused, running)),
            make_ticket(id="T-3", assignee="ana", sla_clocks=(paused, _clock("met"))),
            make_ticket(id="T-4", assignee="ana", sla_clocks=(_clock("breached"),)),
            make_ticket(id="T-5", assignee="bia", sla_clocks=(running,)),
            make_ticket(id="T-6", sla_clocks=(running,)),
            make_ticket(id="T-7", tenant="loja-2", assignee="ana", sla_clocks=(running,)),
        ]
        with storage.unit_of_work() as uow:
            for ticket in tickets:
                uow.add(ticket)
            assert uow.held("loja-1", ["ana"]) == {"ana": 0}  # not committed yet
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.held("loja-1", ["caio", "ana", "bia"]) == {"caio": 0, "ana": 2, "bia": 1}
            assert uow.held("loja-2", ["ana", "bia"]) == {"ana": 1, "bia": 0}
            assert uow.held("loja-1", []) == {}
            moved = uow.get("T-1", tenant="loja-1", lock=True)
            moved.assignee, moved.version = "bia", moved.version + 1
            uow.save(moved)
            assert uow.held("loja-1", ["ana", "bia"]) == {"ana": 2, "bia": 1}
            uow.commit()
        with storage.unit_of_work() as uow:
            assert uow.held("loja-1", ["ana", "bia"]) == {"ana": 1, "bia": 2}
            with pytest.raises(InvalidTicketError):
                uow.held("loja-1", ["ana\x00"])
