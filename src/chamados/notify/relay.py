"""The outbox relay: delivers what commands wrote to the outbox, at least once.

``OutboxRelay.run_once()`` claims a batch of due messages, hands each to every notifier
that wants it and has not taken it yet, and settles it: delivered, retried later with
exponential backoff and jitter, or parked as dead after too many attempts (or at once,
when a notifier says retrying cannot help). ``run_forever()`` repeats that until
``stop()`` (or SIGTERM / SIGINT, when asked to listen), finishing the message in hand
and handing back the rest of the batch.

Guarantees (``docs/notifications.md`` numbers them; the tests check each):

- a message is delivered at least once to each notifier that wants it, with its
  event's id, or ends dead and listed, never silently dropped;
- a relay that dies mid-batch loses its claim when the lease ends, and the messages
  are delivered again, with the same id;
- each ticket's messages are first delivered in the order they were written; only a
  dead message (which stops holding its ticket back) and a repeat (after a crash or a
  delivery that outlived its lease) can arrive after later ones;
- relays running at once do not deliver a message twice in the normal path (claims
  are leases written in a transaction with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL
  and MariaDB, and one writer at a time on SQLite).
"""

from __future__ import annotations

import logging
import queue
import random
import signal
import threading
import time
from collections.abc import Iterable, Sequence
from datetime import timedelta
from types import FrameType
from typing import Any

import pendulum
from attrs import define, field, frozen

from chamados.clock import Clock, SystemClock, as_instant
from chamados.events import TicketEvent
from chamados.exceptions import ConfigurationError, DeliveryError
from chamados.notify.notifier import Notifier
from chamados.notify.notifiers import Route, routes_of
from chamados.storage.outbox import Claim, Outbox, OutboxMessage, Settlement

__all__ = ["OutboxRelay", "RelayReport", "RetryPolicy"]

log = logging.getLogger("chamados.relay")


@frozen
class RetryPolicy:
    """When to try a failed message again, and when to give up.

    Attempt ``n`` (1 for the first failure) waits ``first * factor ** (n - 1)``, at most
    ``cap``, spread by ``jitter`` (0.25: anywhere from 75% to 125% of that) so relays
    that failed together do not retry together. After ``attempts`` failed attempts the
    message is dead.

    >>> policy = RetryPolicy(first=timedelta(seconds=10), jitter=0)
    >>> [policy.delay(n).total_seconds() for n in (1, 2, 3)]
    [10.0, 20.0, 40.0]
    >>> policy.gives_up(8)
    True
    """

    attempts: int = 8
    first: timedelta = timedelta(seconds=30)
    factor: float = 2.0
    cap: timedelta = timedelta(hours=1)
    jitter: float = 0.25
    rng: random.Random = field(factory=random.Random, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if isinstance(self.attempts, bool) or not isinstance(self.attempts, int):
            raise ConfigurationError("attempts must be an int", key="attempts")
        if self.attempts < 1:
            raise ConfigurationError("attempts must be 1 or more", key="attempts")
        if self.first <= timedelta(0) or self.cap < self.first:
            raise ConfigurationError("first must be positive and cap at least first", key="first")
        if self.factor < 1:
            raise ConfigurationError("factor must be 1 or more", key="factor")
        if not 0 <= self.jitter < 1:
            raise ConfigurationError("jitter must be at least 0 and below 1", key="jitter")

    def delay(self, attempt: int) -> timedelta:
        """How long to wait after failed attempt number ``attempt``."""
        seconds = min(
            self.cap.total_seconds(), self.first.total_seconds() * self.factor ** (attempt - 1)
        )
        spread = self.rng.uniform(1 - self.jitter, 1 + self.jitter) if self.jitter else 1.0
        return timedelta(seconds=seconds * spread)

    def gives_up(self, attempt: int) -> bool:
        """Whether failed attempt number ``attempt`` is the last one."""
        return attempt >= self.attempts


@define
class RelayReport:
    """What one ``run_once`` did: counts, and the failures it met."""

    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    released: int = 0
    lost: int = 0
    failures: list[tuple[str, str, str]] = field(factory=list)
    """(message id, notifier name, error) for each failed delivery."""

    def add(self, other: RelayReport) -> None:
        self.claimed += other.claimed
        self.delivered += other.delivered
        self.retried += other.retried
        self.dead += other.dead
        self.released += other.released
        self.lost += other.lost
        self.failures += other.failures


class OutboxRelay:
    """Delivers the outbox of a storage through notifiers.

    ``notifiers`` are notifiers, ``Route``\\ s or ``FanOut``\\ s; each route has a name,
    and a message remembers the names that took it, so a retry goes only to those that
    failed. ``batch`` messages are claimed at a time for ``lease`` (make it longer than a
    batch takes: a relay stops delivering and hands the rest back as the lease nears its
    end). ``timeout`` bounds each delivery: a notifier still busy after it counts as a
    transient failure (its thread is left to finish on its own). ``tenant`` limits the
    relay to one tenant's messages.
    """

    def __init__(
        self,
        outbox: Outbox,
        notifiers: Sequence[Notifier | Route],
        *,
        clock: Clock | None = None,
        retry: RetryPolicy | None = None,
        batch: int = 100,
        lease: timedelta = timedelta(minutes=5),
        timeout: float | None = 60.0,
        tenant: str | None = None,
    ) -> None:
        if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
            raise ConfigurationError(f"batch must be a positive int, got {batch!r}", key="batch")
        if not isinstance(lease, timedelta) or lease <= timedelta(0):
            raise ConfigurationError(
                f"lease must be a positive timedelta, got {lease!r}", key="lease"
            )
        if timeout is not None and (
            isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0
        ):
            raise ConfigurationError(
                f"timeout must be a positive number of seconds or None, got {timeout!r}",
                key="timeout",
            )
        self.outbox = outbox
        self.routes: tuple[Route, ...] = routes_of(notifiers)
        self.clock = clock if clock is not None else SystemClock()
        self.retry = retry if retry is not None else RetryPolicy()
        self.batch = batch
        self.lease = lease
        self.timeout = timeout
        self.tenant = tenant
        self._stop = threading.Event()
        self._worker: _Worker | None = None

    def __repr__(self) -> str:
        names = ", ".join(route.name for route in self.routes)
        return f"<OutboxRelay to {names or 'nobody'}, batch {self.batch}>"

    # -- running ----------------------------------------------------------------------------

    def run_once(
        self, *, limit: int | None = None, ids: Iterable[str] | None = None
    ) -> RelayReport:
        """Deliver what is due now, batch after batch, until nothing is left, ``limit``
        messages were claimed, or ``stop()`` was called; ``ids`` narrows it to those
        messages. Returns what happened."""
        wanted = None if ids is None else list(ids)
        report = RelayReport()
        while not self._stop.is_set():
            size = self.batch if limit is None else min(self.batch, limit - report.claimed)
            if size <= 0:
                break
            now = self._now()
            claim = self.outbox.claim(
                now, limit=size, lease=self.lease, tenant=self.tenant, ids=wanted
            )
            if not claim.messages:
                break
            report.add(self._deliver_claim(claim))
        return report

    def run_forever(self, *, interval: float = 1.0, handle_signals: bool = False) -> RelayReport:
        """Run ``run_once`` every ``interval`` seconds (at once again while there is
        work) until ``stop()``; with ``handle_signals``, SIGTERM and SIGINT stop it too
        (main thread only). Returns the total of what it did."""
        total = RelayReport()
        previous: dict[signal.Signals, Any] = {}
        if handle_signals:
            for number in (signal.SIGTERM, signal.SIGINT):
                previous[number] = signal.signal(number, self._on_signal)
        try:
            while not self._stop.is_set():
                report = self.run_once()
                total.add(report)
                if report.claimed == 0:
                    self._stop.wait(interval)
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
        return total

    def stop(self) -> None:
        """Ask the relay to stop after the message in hand; the rest of its batch goes
        back to the outbox untouched. Safe from any thread or a signal handler."""
        self._stop.set()

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        log.info("relay got signal %d: stopping after the message in hand", signum)
        self.stop()

    # -- dead letters -----------------------------------------------------------------------

    def dead(self, *, limit: int = 100) -> list[OutboxMessage]:
        """The messages no notifier will get without help, oldest first."""
        return self.outbox.dead(tenant=self.tenant, limit=limit)

    def requeue(self, ids: Iterable[str]) -> int:
        """Give dead messages another round of attempts, from now."""
        return self.outbox.requeue(ids, now=self._now())

    # -- one batch --------------------------------------------------------------------------

    def _deliver_claim(self, claim: Claim) -> RelayReport:
        report = RelayReport(claimed=len(claim.messages))
        settlements: list[Settlement] = []
        held_back: set[str] = set()  # tickets whose earlier message failed: keep order
        margin = min(self.lease / 5, timedelta(seconds=30))
        for message in claim.messages:
            late = self._now() >= claim.until - margin
            if message.ticket_id in held_back or self._stop.is_set() or late:
                settlements.append(Settlement(message.id, "release"))
                report.released += 1
                continue
            settlement = self._deliver(message, report)
            settlements.append(settlement)
            if settlement.outcome == "retry":
                held_back.add(message.ticket_id)
        settled = self.outbox.settle(claim, settlements, now=self._now())
        report.lost = len(settlements) - settled
        if report.lost:
            log.warning(
                "%d message(s) were claimed again by another relay before this one settled "
                "them (the lease of %s ran out); they may be delivered twice",
                report.lost,
                self.lease,
            )
        return report

    def _deliver(self, message: OutboxMessage, report: RelayReport) -> Settlement:
        took: set[str] = set()
        errors: list[str] = []
        permanent = False
        for route in self.routes:
            if route.name in message.delivered_to or not route.wants(message.event):
                continue
            try:
                self._call(route, message.event)
            except DeliveryError as error:
                log.warning(
                    "%s could not deliver %s %s of ticket %s (attempt %d, %s): %s",
                    route.name,
                    message.kind,
                    message.id,
                    message.ticket_id,
                    message.attempts + 1,
                    "transient" if error.transient else "permanent",
                    error,
                )
                errors.append(f"{route.name}: {error}")
                report.failures.append((message.id, route.name, str(error)))
                permanent = permanent or not error.transient
                continue
            except Exception as error:  # a notifier's bug: log it, retry like a glitch
                log.exception("notifier %s failed on message %s", route.name, message.id)
                errors.append(f"{route.name}: {type(error).__name__}: {error}")
                report.failures.append((message.id, route.name, repr(error)))
                continue
            took.add(route.name)
        if not errors:
            report.delivered += 1
            return Settlement(message.id, "delivered", delivered_to=took)
        error_text = "; ".join(errors)
        attempt = message.attempts + 1
        if permanent or self.retry.gives_up(attempt):
            report.dead += 1
            log.warning(
                "message %s is dead after %d attempts: %s", message.id, attempt, error_text
            )
            return Settlement(message.id, "dead", delivered_to=took, error=error_text)
        report.retried += 1
        retry_at = self._now() + self.retry.delay(attempt)
        return Settlement(
            message.id, "retry", delivered_to=took, error=error_text, retry_at=retry_at
        )

    def _call(self, route: Route, event: TicketEvent) -> None:
        """``route.notifier.notify(event)``, given up on after ``timeout`` seconds.

        Deliveries run on a worker thread the relay keeps; one that overruns the
        timeout keeps its thread (Python cannot stop it), which is abandoned and told to
        exit when it is done, and the next delivery gets a fresh worker."""
        if self.timeout is None:
            route.notifier.notify(event)
            return
        if self._worker is None:
            self._worker = _Worker()
        job = _Job(route.notifier, event)
        started = time.monotonic()
        self._worker.run(job)
        if not job.done.wait(self.timeout):
            self._worker.retire()
            self._worker = None
            raise DeliveryError(
                f"{route.name} took longer than {self.timeout:g} s "
                f"({time.monotonic() - started:.1f} s so far); trying again later",
                transient=True,
            )
        if job.error is not None:
            raise job.error

    def _now(self) -> pendulum.DateTime:
        return as_instant(self.clock.now(), name="clock.now()")


class _Job:
    """One delivery handed to a worker thread."""

    def __init__(self, notifier: Notifier, event: TicketEvent) -> None:
        self.notifier = notifier
        self.event = event
        self.done = threading.Event()
        self.error: BaseException | None = None

    def __call__(self) -> None:
        try:
            self.notifier.notify(self.event)
        except BaseException as error:  # handed to the relay's thread
            self.error = error
        finally:
            self.done.set()


class _Worker:
    """A daemon thread running deliveries one after another."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread = threading.Thread(
            target=self._loop, name="chamados-relay-delivery", daemon=True
        )
        self._thread.start()

    def run(self, job: _Job) -> None:
        self._jobs.put(job)

    def retire(self) -> None:
        """Exit after the job in hand (which may never end: the thread is a daemon)."""
        self._jobs.put(None)

    def _loop(self) -> None:
        while (job := self._jobs.get()) is not None:
            job()
