"""Retrying a command that lost a race.

Every ``Helpdesk`` command loads the ticket, applies itself and saves with a version
check. When two commands change the same ticket at once, one of them raises
``ConcurrencyError`` and stores nothing; running it again (it reloads the ticket) is the
fix, and ``retry_on_conflict`` does that for you.

>>> from chamados import Helpdesk, Party
>>> from chamados.testing import FakeClock
>>> desk = Helpdesk(clock=FakeClock("2026-03-02T09:00:00-03:00"))
>>> ticket = desk.open(tenant="loja-1", channel="site", requester=Party.customer("c-1"),
...                    subject="Pedido não chegou")
>>> ana = Party.agent("ana")
>>> retry_on_conflict(lambda: desk.assign(ticket.id, assignee="ana", actor=ana)).assignee
'ana'
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from chamados.exceptions import ConcurrencyError, StorageUnavailableError

__all__ = ["retry_on_conflict"]

log = logging.getLogger("chamados.retry")

_T = TypeVar("_T")


def retry_on_conflict(
    operation: Callable[[], _T],
    /,
    *,
    attempts: int = 3,
    delay: float = 0.02,
    unavailable: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> _T:
    """Call ``operation`` until it does not raise ``ConcurrencyError``, ``attempts`` times
    at most; return what it returns, or raise its last error.

    Between attempts it sleeps ``delay`` seconds times the attempt number, jittered, so
    workers that collided do not collide again in step.

    With ``unavailable=True`` it also retries ``StorageUnavailableError`` (a database that
    went away for a moment), ``attempts`` times at most like the rest. Only do that for
    commands given an idempotency key: a connection lost while the server commits leaves
    the command perhaps stored (``error.maybe_stored``), and only the key makes running
    it again harmless. A database that refuses for good (``StorageConfigurationError``:
    an unknown database or user, a folder that does not exist) is never retried.

    ``operation`` must run the whole command (a ``Helpdesk`` method call), not resume a
    half-done one: each call reloads the ticket and decides again.
    """
    if isinstance(attempts, bool) or not isinstance(attempts, int) or attempts < 1:
        raise ValueError(f"attempts must be a positive int, got {attempts!r}")
    if not isinstance(delay, int | float) or delay < 0:
        raise ValueError(f"delay must be a number of seconds, zero or more, got {delay!r}")
    retried: tuple[type[Exception], ...] = (
        (ConcurrencyError, StorageUnavailableError) if unavailable else (ConcurrencyError,)
    )
    for attempt in range(1, attempts + 1):
        try:
            return operation()
        except retried as error:
            if attempt == attempts:
                raise
            log.info("attempt %d of %d failed (%s); retrying", attempt, attempts, error)
            if delay:
                sleep(delay * attempt * random.uniform(0.5, 1.5))
    raise AssertionError("unreachable")  # pragma: no cover
