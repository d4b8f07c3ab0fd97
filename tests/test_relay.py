"""The outbox relay: the delivery guarantees D1-D11 of docs/notifications.md."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import threading
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pendulum
import pytest
from sqlalchemy.engine import Engine

from chamados import (
    ConfigurationError,
    DeliveryError,
    Helpdesk,
    MemoryStorage,
    Party,
    SequentialIds,
    Storage,
    TransitionNotAllowedError,
    limits,
)
from chamados.events import TicketEvent
from chamados.notify import CallableNotifier, FanOut, OutboxRelay, RetryPolicy, Route
from chamados.storage.sql import SqlStorage
from chamados.testing import FakeClock, FlakyNotifier, RecordingNotifier

START = "2026-03-02T09:00:00-03:00"
MARIA, ANA = Party.customer("c-1", name="Maria"), Party.agent("ana", name="Ana")
NO_JITTER = RetryPolicy(first=timedelta(seconds=10), jitter=0, attempts=4)


def producer(storage: Storage, clock: FakeClock, **options: Any) -> Helpdesk:
    """A desk that only writes the outbox (delivery="relay")."""
    return Helpdesk(
        storage=storage, clock=clock, delivery="relay", ticket_ids=SequentialIds("T-"), **options
    )


def work(desk: Helpdesk, tickets: int = 3) -> list[str]:
    """Open tickets and answer them; return the ids of every event written, in order."""
    for n in range(tickets):
        ticket = desk.open(tenant="loja-1", channel="site", requester=MARIA, subject=f"t{n}")
        desk.reply(ticket.id, author=ANA, body="Olá!")
        desk.transition(ticket.id, "ask_customer", actor=ANA)
    return [e.id for t in desk.tickets() for e in desk.history(t.id)]


def relay_of(storage: Storage, clock: FakeClock, *notifiers: Any, **options: Any) -> OutboxRelay:
    options.setdefault("retry", NO_JITTER)
    return OutboxRelay(storage.outbox(), list(notifiers), clock=clock, **options)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


# -- D1 -------------------------------------------------------------------------------------------


def test_d1_events_are_written_with_their_command(clock: FakeClock) -> None:
    """D1: every event of a committed command waits in the outbox; a refused command
    writes none."""
    storage = MemoryStorage()
    desk = producer(storage, clock)
    ids = work(desk, tickets=2)
    ticket = desk.tickets()[0]
    with pytest.raises(TransitionNotAllowedError):
        desk.transition(ticket.id, "reopen", actor=ANA)
    assert storage.outbox().counts() == {"pending": len(ids), "delivered": 0, "dead": 0}
    claim = storage.outbox().claim(clock.now(), limit=100, lease=timedelta(minutes=1))
    assert sorted(m.id for m in claim.messages) == sorted(ids)


# -- D2, D3 ---------------------------------------------------------------------------------------


def test_d2_every_notifier_gets_every_message_and_a_retry_skips_who_took_it(
    clock: FakeClock,
) -> None:
    """D2: a notifier that fails gets the message again later; one that took it is not
    called again for it. D3: every delivery carries the event's id."""
    storage = MemoryStorage()
    ids = work(producer(storage, clock))
    flaky = FlakyNotifier(fails=lambda e: e.kind == "status_changed", transient=True)
    steady = RecordingNotifier()
    relay = relay_of(storage, clock, Route(flaky, name="flaky"), Route(steady, name="steady"))
    first = relay.run_once()
    # per ticket: opened, replied delivered; start fails for flaky; ask_customer waits
    assert (first.delivered, first.retried, first.released) == (6, 3, 3)
    flaky._fails = None  # it recovers
    clock.advance(seconds=10)
    second = relay.run_once()
    assert second.delivered == 6
    assert Counter(e.id for e in steady.events) == Counter(ids)  # no repeats for steady
    assert sorted(e.id for e in flaky.events) == sorted(ids)
    assert storage.outbox().counts()["delivered"] == len(ids)


def test_d3_a_delivered_message_is_its_event(clock: FakeClock) -> None:
    """D3: the notifier gets the very event that was written, id and all."""
    storage = MemoryStorage()
    desk = producer(storage, clock)
    work(desk, tickets=1)
    seen = RecordingNotifier()
    relay_of(storage, clock, seen).run_once()
    ticket = desk.tickets()[0]
    assert seen.events == desk.history(ticket.id)


# -- D4 -------------------------------------------------------------------------------------------


def test_d4_a_ticket_waits_behind_its_failed_message_others_do_not(clock: FakeClock) -> None:
    """D4: while a ticket's message waits for its retry, its later messages wait too;
    other tickets' messages go on; afterwards each ticket arrived in order."""
    storage = MemoryStorage()
    desk = producer(storage, clock)
    ids = work(desk, tickets=3)
    first_ticket = desk.tickets()[0].id
    stuck = {desk.history(first_ticket)[1].id}  # its second message fails once
    flaky = FlakyNotifier(fails=lambda e: e.id in stuck)
    relay = relay_of(storage, clock, flaky)
    report = relay.run_once()
    assert report.retried == 1
    assert [e.ticket_id for e in flaky.events].count(first_ticket) == 1  # only the first
    assert {e.ticket_id for e in flaky.events} == {t.id for t in desk.tickets()}
    stuck.clear()
    clock.advance(seconds=10)
    relay.run_once()
    for ticket in desk.tickets():
        got = [e.id for e in flaky.events if e.ticket_id == ticket.id]
        assert got == [e.id for e in desk.history(ticket.id)]
    assert len(flaky.events) == len(ids)


def test_d4_order_breaks_only_around_a_dead_message(clock: FakeClock) -> None:
    """D4: a dead message no longer holds its ticket back; requeued, it arrives after the
    later messages of its ticket, as the docs say."""
    storage = MemoryStorage()
    desk = producer(storage, clock)
    work(desk, tickets=1)
    ticket = desk.tickets()[0].id
    first = desk.history(ticket)[0].id
    refuse = FlakyNotifier(fails=lambda e: e.id == first, transient=False)
    relay = relay_of(storage, clock, refuse)
    relay.run_once()
    assert [m.id for m in relay.dead()] == [first]
    later = [e.id for e in desk.history(ticket)[1:]]
    assert [e.id for e in refuse.events] == later
    refuse._fails = None
    relay.requeue([first])
    relay.run_once()
    assert [e.id for e in refuse.events] == [*later, first]


# -- D5 -------------------------------------------------------------------------------------------


def test_d5_retries_back_off_exponentially(clock: FakeClock) -> None:
    """D5: attempt n waits first * factor ** (n - 1); nothing is tried before that."""
    storage = MemoryStorage()
    work(producer(storage, clock), tickets=1)
    always = FlakyNotifier(fails=lambda e: e.kind == "opened")
    relay = relay_of(storage, clock, always)
    waits = []
    for _attempt in range(1, 4):
        relay.run_once()
        message = next(m for m in storage.outbox()._rows.values() if m.message.kind == "opened")  # type: ignore[attr-defined]
        due = message.message.next_attempt_at
        waits.append((due - clock.now()).total_seconds())
        clock.advance(seconds=waits[-1] - 1)
        assert relay.run_once().claimed == 0  # not yet
        clock.advance(seconds=1)
    assert waits == [10.0, 20.0, 40.0]
    assert always.failures == 3


def test_d5_jitter_spreads_retries_within_its_bounds() -> None:
    """D5: with jitter j, a delay lies within (1 - j) and (1 + j) of the nominal one,
    and never beyond the cap."""
    import random

    policy = RetryPolicy(
        first=timedelta(seconds=30), cap=timedelta(minutes=10), jitter=0.25, rng=random.Random(7)
    )
    for attempt in range(1, 12):
        nominal = min(600.0, 30.0 * 2 ** (attempt - 1))
        delay = policy.delay(attempt).total_seconds()
        assert 0.75 * nominal <= delay <= 1.25 * nominal
    with pytest.raises(ConfigurationError):
        RetryPolicy(jitter=1.5)
    with pytest.raises(ConfigurationError):
        RetryPolicy(attempts=0)


# -- D6 -------------------------------------------------------------------------------------------


def test_d6_permanent_failures_and_exhausted_retries_end_dead_and_can_be_requeued(
    clock: FakeClock,
) -> None:
    """D6: a permanent failure parks the message at once; a transient one after the last
    attempt; dead messages are listed with their error and can be requeued."""
    storage = MemoryStorage()
    desk = producer(storage, clock)
    work(desk, tickets=1)
    refuse = FlakyNotifier(fails=lambda e: e.kind == "opened", transient=False)
    glitch = FlakyNotifier(fails=lambda e: e.kind == "replied", transient=True)
    relay = relay_of(storage, clock, Route(refuse, name="refuse"), Route(glitch, name="glitch"))
    relay.run_once()
    dead = relay.dead()
    assert [m.kind for m in dead] == ["opened"]
    assert "refuse" in (dead[0].last_error or "")
    assert dead[0].attempts == 1
    for _ in range(NO_JITTER.attempts):
        clock.advance(hours=1)
        relay.run_once()
    assert sorted(m.kind for m in relay.dead()) == ["opened", "replied"]
    replied = next(m for m in relay.dead() if m.kind == "replied")
    assert replied.attempts == NO_JITTER.attempts
    refuse._fails = glitch._fails = None
    assert relay.requeue([m.id for m in relay.dead()]) == 2
    report = relay.run_once()
    assert report.delivered == 2
    assert relay.dead() == []
    # the refusing route had taken "replied" and the glitching one "opened" already:
    assert refuse.kinds().count("replied") == 1
    assert glitch.kinds().count("opened") == 1


# -- D7 -------------------------------------------------------------------------------------------


def test_d7_a_notifier_that_hangs_is_given_up_on_and_retried(clock: FakeClock) -> None:
    """D7: past the timeout a delivery counts as a transient failure; the relay moves
    on to the other notifiers and messages at once."""
    storage = MemoryStorage()
    ids = work(producer(storage, clock), tickets=1)
    release = threading.Event()
    hung: list[str] = []

    def slow(event: TicketEvent) -> None:
        if not hung:
            hung.append(event.id)
            release.wait(10)

    steady = RecordingNotifier()
    relay = relay_of(
        storage,
        clock,
        CallableNotifier(slow, name="slow"),
        Route(steady, name="steady"),
        timeout=0.2,
    )
    try:
        report = relay.run_once()
        assert report.retried == 1
        assert report.delivered == 0
        assert "took longer than 0.2 s" in report.failures[0][2]
        assert [e.id for e in steady.events] == ids[:1]
    finally:
        release.set()
    clock.advance(seconds=10)
    assert relay.run_once().delivered == len(ids)
    assert [e.id for e in steady.events] == ids


# -- D8 -------------------------------------------------------------------------------------------


class Crash(BaseException):
    """Stands for the process dying: nothing after it runs."""


def test_d8_a_relay_that_dies_before_recording_is_replaced_after_its_lease(
    clock: FakeClock,
) -> None:
    """D8: a relay dying between delivering and recording leaves its claim; when the
    lease ends another relay delivers the messages again, with the same ids."""
    storage = MemoryStorage()
    ids = work(producer(storage, clock), tickets=2)
    got: list[str] = []

    def deliver_then_die(event: TicketEvent) -> None:
        got.append(event.id)
        if len(got) == 3:
            raise Crash

    doomed = relay_of(storage, clock, CallableNotifier(deliver_then_die), timeout=None)
    with pytest.raises(Crash):
        doomed.run_once()
    survivor = relay_of(
        storage, clock, CallableNotifier(lambda e: got.append(e.id), name="deliver_then_die")
    )
    assert survivor.run_once().claimed == 0  # the dead relay's lease still holds
    clock.advance(minutes=6)
    survivor.run_once()
    assert set(got) == set(ids)  # nothing lost
    repeats = [i for i, n in Counter(got).items() if n > 1]
    assert repeats
    assert all(got.count(i) == 2 for i in repeats)
    assert storage.outbox().counts() == {"pending": 0, "delivered": len(ids), "dead": 0}


CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from datetime import timedelta
    from chamados.notify import CallableNotifier, OutboxRelay
    from chamados.storage.sql import SqlStorage

    url, log = sys.argv[1], sys.argv[2]
    sent = []

    def deliver(event):
        with open(log, "a") as out:
            out.write(event.id + "\\n")
            out.flush()
            os.fsync(out.fileno())
        sent.append(event.id)
        if len(sent) == 3:
            os.kill(os.getpid(), signal.SIGKILL)  # between sending and recording

    relay = OutboxRelay(SqlStorage(url).outbox(), [CallableNotifier(deliver, name="log")],
                        lease=timedelta(minutes=5), timeout=None)
    relay.run_once()
    """
)


def test_d8_a_killed_relay_process_loses_nothing(tmp_path: Path) -> None:
    """D8, with a real process: a relay killed with SIGKILL right after sending its
    third message; after the lease another relay delivers everything, and the repeats
    carry the same ids."""
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    clock = FakeClock(pendulum.now("UTC"))
    ids = work(producer(SqlStorage(url), clock), tickets=2)
    log = tmp_path / "sent.log"
    child = subprocess.run(
        [sys.executable, "-c", CHILD, url, str(log)], capture_output=True, timeout=60
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    sent = log.read_text().split()
    assert len(sent) == 3
    clock.advance(minutes=6)
    relay = relay_of(
        SqlStorage(url), clock, CallableNotifier(lambda e: sent.append(e.id), name="log")
    )
    relay.run_once()
    assert set(sent) == set(ids)
    assert sorted(sent) == sorted(ids + ids[:3])  # the 3 sent before the kill came again
    assert SqlStorage(url).outbox().counts()["delivered"] == len(ids)


# -- D9 -------------------------------------------------------------------------------------------


def test_d9_relays_running_at_once_deliver_each_message_once() -> None:
    """D9: four relays on four threads drain one outbox: every message is delivered
    exactly once, and each ticket in order."""
    drain_with_four_relays(MemoryStorage())


def test_d9_relays_running_at_once_on_a_database(engine: Engine) -> None:
    """D9 on SQLite, PostgreSQL and MariaDB: row claims keep relays apart."""
    drain_with_four_relays(SqlStorage(engine))


def drain_with_four_relays(storage: Storage) -> None:
    clock = FakeClock(START)
    desk = producer(storage, clock)
    ids = work(desk, tickets=12)
    got: list[TicketEvent] = []
    lock = threading.Lock()

    def record(event: TicketEvent) -> None:
        with lock:
            got.append(event)

    relays = [
        relay_of(storage, clock, CallableNotifier(record, name="record"), batch=5)
        for _ in range(4)
    ]
    failures: list[BaseException] = []

    def drain(relay: OutboxRelay) -> None:
        try:
            while storage.outbox().counts()["pending"]:
                relay.run_once()
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=drain, args=(relay,)) for relay in relays]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    assert Counter(e.id for e in got) == Counter(ids)
    for ticket in desk.tickets():
        assert [e.id for e in got if e.ticket_id == ticket.id] == [
            e.id for e in desk.history(ticket.id)
        ]


# -- D10 ------------------------------------------------------------------------------------------


def test_d10_stop_finishes_the_message_in_hand_and_hands_back_the_rest(
    clock: FakeClock,
) -> None:
    """D10: stop() during a batch: the current delivery completes and is recorded, the
    rest of the batch goes back untouched, and run_forever returns."""
    storage = MemoryStorage()
    ids = work(producer(storage, clock), tickets=2)
    relay: OutboxRelay | None = None
    got: list[str] = []

    def deliver(event: TicketEvent) -> None:
        got.append(event.id)
        if len(got) == 2:
            assert relay is not None
            relay.stop()

    relay = relay_of(storage, clock, CallableNotifier(deliver, name="deliver"))
    total = relay.run_forever(interval=0.01)
    assert (total.delivered, total.released) == (2, len(ids) - 2)
    assert storage.outbox().counts() == {"pending": len(ids) - 2, "delivered": 2, "dead": 0}
    again = relay_of(storage, clock, CallableNotifier(lambda e: got.append(e.id), name="deliver"))
    assert again.run_once().delivered == len(ids) - 2  # the released ones, at once
    assert got == ids


def test_d10_sigterm_stops_a_relay_that_listens(clock: FakeClock) -> None:
    """D10: with handle_signals, SIGTERM stops run_forever the same way, and the
    previous handler is back afterwards."""
    storage = MemoryStorage()
    ids = work(producer(storage, clock), tickets=1)
    got: list[str] = []

    def deliver(event: TicketEvent) -> None:
        got.append(event.id)
        if len(got) == 1:
            signal.raise_signal(signal.SIGTERM)

    before = signal.getsignal(signal.SIGTERM)
    relay = relay_of(storage, clock, CallableNotifier(deliver, name="deliver"), timeout=None)
    total = relay.run_forever(interval=0.01, handle_signals=True)
    assert total.delivered == 1
    assert total.released == len(ids) - 1
    assert signal.getsignal(signal.SIGTERM) is before


# -- D11 ------------------------------------------------------------------------------------------


def test_d11_nothing_is_delivered_before_the_host_commits(tmp_path: Path) -> None:
    """D11: a desk on the host's connection delivers nothing inline; after the host
    commits, a relay delivers; what the host rolled back never goes out."""
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    storage = SqlStorage(url)
    storage.init()
    heard = RecordingNotifier()
    clock = FakeClock(START)
    with storage.engine.connect() as conn:
        with conn.begin():
            desk = Helpdesk(storage=conn, clock=clock, notifiers=[heard])
            kept = desk.open(tenant="loja-1", channel="site", requester=MARIA, subject="a")
            assert heard.events == []
        with conn.begin() as transaction:
            desk.open(tenant="loja-1", channel="site", requester=MARIA, subject="b")
            transaction.rollback()
    assert heard.events == []
    relay = Helpdesk(storage=storage, clock=clock, notifiers=[heard]).relay()
    assert relay.run_once().delivered == 1
    assert [e.ticket_id for e in heard.events] == [kept.id]


# -- inline delivery and configuration ------------------------------------------------------------


def test_inline_delivery_goes_through_the_outbox(clock: FakeClock) -> None:
    """With notifiers and the default delivery, events are delivered right after the
    commit and marked delivered; nothing waits."""
    storage = MemoryStorage()
    heard = RecordingNotifier()
    desk = Helpdesk(storage=storage, clock=clock, notifiers=[heard])
    ids = work(desk, tickets=1)
    assert [e.id for e in heard.events] == ids
    assert storage.outbox().counts() == {"pending": 0, "delivered": len(ids), "dead": 0}


def test_a_desk_without_notifiers_writes_no_outbox_unless_it_feeds_relays(
    clock: FakeClock,
) -> None:
    """No notifiers, inline: nothing to deliver, nothing written. delivery="relay"
    writes the outbox for relays elsewhere."""
    quiet = MemoryStorage()
    work(Helpdesk(storage=quiet, clock=clock), tickets=1)
    assert quiet.outbox().counts()["pending"] == 0
    feeding = MemoryStorage()
    ids = work(producer(feeding, clock), tickets=1)
    assert feeding.outbox().counts()["pending"] == len(ids)


def test_relay_configuration_is_checked(clock: FakeClock) -> None:
    """Bad settings are ConfigurationErrors, said at once."""
    outbox = MemoryStorage().outbox()
    with pytest.raises(ConfigurationError, match="batch"):
        OutboxRelay(outbox, [RecordingNotifier()], batch=0)
    with pytest.raises(ConfigurationError, match="lease"):
        OutboxRelay(outbox, [RecordingNotifier()], lease=timedelta(0))
    with pytest.raises(ConfigurationError, match="not a Notifier"):
        OutboxRelay(outbox, [print])  # type: ignore[list-item]
    with pytest.raises(ConfigurationError, match="needs notifiers"):
        Helpdesk(clock=clock).relay()
    with pytest.raises(ConfigurationError, match="delivery"):
        Helpdesk(delivery="later")  # type: ignore[arg-type]


def test_fan_out_delivers_to_the_routes_that_want_the_event(clock: FakeClock) -> None:
    """A FanOut's routes are delivered one by one by the relay, each to the kinds it
    wants; used directly, it raises one DeliveryError for the routes that failed."""
    storage = MemoryStorage()
    ids = work(producer(storage, clock), tickets=1)
    oncall, audit = RecordingNotifier(), RecordingNotifier()
    fan = FanOut(
        Route(oncall, name="oncall", kinds={"status_changed"}), Route(audit, name="audit")
    )
    relay_of(storage, clock, fan).run_once()
    assert oncall.kinds() == ["status_changed", "status_changed"]
    assert [e.id for e in audit.events] == ids
    broken = FanOut(
        Route(FlakyNotifier(times=1, transient=False), name="a"),
        Route(FlakyNotifier(times=1), name="b"),
    )
    with pytest.raises(DeliveryError, match=r"a: .*; b: ") as caught:
        broken.notify(oncall.events[0])
    assert caught.value.transient is True


def test_the_same_notifier_twice_gets_two_names() -> None:
    """Route names are unique within a relay: a second route of one name gets -2."""
    one = RecordingNotifier()
    relay = OutboxRelay(MemoryStorage().outbox(), [one, one])
    assert [r.name for r in relay.routes] == ["RecordingNotifier", "RecordingNotifier-2"]


def test_relay_uses_the_desks_tenant(clock: FakeClock) -> None:
    """A tenant-scoped desk's relay delivers only that tenant's messages."""
    storage = MemoryStorage()
    desk = producer(storage, clock)
    desk.open(tenant="loja-1", channel="site", requester=MARIA, subject="a")
    desk.open(tenant="loja-2", channel="site", requester=MARIA, subject="b")
    heard = RecordingNotifier()
    scoped = Helpdesk(storage=storage, clock=clock, notifiers=[heard], tenant="loja-2")
    scoped.relay().run_once()
    assert {e.tenant for e in heard.events} == {"loja-2"}


# -- what a notifier says ------------------------------------------------------------------------


def test_a_notifiers_error_is_recorded_whatever_it_holds(clock: FakeClock) -> None:
    """An error message with NUL, lone surrogates or megabytes of text is recorded
    cleaned and cut, so the failed attempt counts on every storage."""
    record_odd_errors(MemoryStorage(), clock)


def test_a_notifiers_error_is_recorded_whatever_it_holds_on_a_database(
    engine: Engine, clock: FakeClock
) -> None:
    """The same on SQLite, PostgreSQL and MariaDB (PostgreSQL refuses NUL)."""
    record_odd_errors(SqlStorage(engine), clock)


def record_odd_errors(storage: Storage, clock: FakeClock) -> None:
    desk = producer(storage, clock)
    desk.open(tenant="loja-1", channel="site", requester=MARIA, subject="a")

    def odd(event: TicketEvent) -> None:
        raise DeliveryError("503 \x00 caf\udce9 " + "x" * 50_000, transient=False)

    relay_of(storage, clock, Route(CallableNotifier(odd), name="odd")).run_once()
    dead = storage.outbox().dead()
    assert len(dead) == 1
    error = dead[0].last_error or ""
    assert error.startswith("odd: 503 \ufffd caf\ufffd xxx")
    assert len(error) == limits.ERROR


# -- all the faults at once -----------------------------------------------------------------------


def test_faults_together_lose_nothing() -> None:
    """A notifier that refuses some messages, one that hangs past its timeout, and a
    relay killed between sending and recording, on one outbox: afterwards every
    message reached every notifier at least once or is dead and listed."""
    survive_faults(MemoryStorage())


def test_faults_together_lose_nothing_on_a_database(engine: Engine) -> None:
    """The same on SQLite, PostgreSQL and MariaDB."""
    survive_faults(SqlStorage(engine))


def survive_faults(storage: Storage) -> None:
    clock = FakeClock(START)
    desk = producer(storage, clock)
    ids = work(desk, tickets=4)
    refused = desk.history(desk.tickets()[1].id)[0].id  # ticket 2's "opened": permanent
    tries: Counter[str] = Counter()

    def picky(event: TicketEvent) -> None:
        tries[event.id] += 1
        if event.id == refused:
            raise DeliveryError("422 unprocessable", transient=False)
        if event.kind == "status_changed" and tries[event.id] == 1:
            raise DeliveryError("503 unavailable", transient=True)

    release, hung = threading.Event(), []

    def slow(event: TicketEvent) -> None:
        if event.kind == "replied" and not hung:
            hung.append(event.id)
            release.wait(10)

    steady: list[str] = []

    def killer(event: TicketEvent) -> None:
        steady.append(event.id)
        if len(steady) == 5:
            raise Crash  # the process dies right after sending

    def routes(last: Any) -> list[Route]:
        return [
            Route(CallableNotifier(picky), name="picky"),
            Route(CallableNotifier(slow), name="slow"),
            Route(CallableNotifier(last), name="steady"),
        ]

    try:
        with pytest.raises(Crash):
            relay_of(storage, clock, *routes(killer), timeout=0.2).run_once()
        clock.advance(minutes=6)  # the dead relay's lease runs out
        relay = relay_of(storage, clock, *routes(lambda e: steady.append(e.id)), timeout=0.2)
        for _ in range(8):
            relay.run_once()
            clock.advance(hours=1)
    finally:
        release.set()
    dead = relay.dead()
    assert [m.id for m in dead] == [refused]
    assert "422" in (dead[0].last_error or "")
    assert set(steady) == set(ids)  # every message reached the steady notifier
    assert len(steady) > len(ids)  # some twice (the kill), with the same ids
    assert set(tries) == set(ids)
    counts = storage.outbox().counts()
    assert counts == {"pending": 0, "delivered": len(ids) - 1, "dead": 1}


# -- D12 ------------------------------------------------------------------------------------------


def test_d12_internal_notes_never_reach_customers_or_partners() -> None:
    """D12: over every kind of event, in both languages, no customer message is made
    from an internal note or an internal reply, and no message quotes one."""
    from chamados.events import NoteAdded, Replied
    from chamados.notify import CustomerMessages
    from chamados.testing.notifier_contract import every_kind_of_event

    scenario = every_kind_of_event()
    internal = [
        e.message.body
        for e in scenario.events
        if isinstance(e, NoteAdded) or (isinstance(e, Replied) and not e.message.public)
    ]
    assert internal
    for lang in ("pt-BR", "en"):
        messages = CustomerMessages(store_name="Loja Aurora", lang=lang)
        for event in scenario.events:
            ticket = scenario.desk.get(event.ticket_id)
            made = messages.render(event, ticket, now=event.at)
            if isinstance(event, NoteAdded):
                assert made == []
            for message in made:
                assert message.to.kind.value in ("customer", "partner")
                for body in internal:
                    assert body not in message.body
                    assert body not in message.subject
