"""The SLA monitor: claim the tickets whose next SLA deadline has passed and recheck
their clocks, recording each warning and breach exactly once.

Each due ticket is claimed in a unit of work of its own (``uow.claim_due``, which holds
its row on PostgreSQL and MariaDB and skips rows other workers hold), rechecked by the
pipeline (``Pipeline.recheck``: steps 4 to 7 of ``chamados.desk.pipeline``), and its
events delivered after the commit. A ticket a command changed meanwhile is claimed again,
at most ``TICK_RETRIES`` times.
"""

from __future__ import annotations

import logging

from chamados.desk.pipeline import Pipeline
from chamados.events import TicketEvent
from chamados.exceptions import ConcurrencyError

__all__ = ["TICK_RETRIES", "tick"]

log = logging.getLogger("chamados")

TICK_RETRIES = 3
"""How many times one run of the monitor claims a ticket that keeps changing under it
before it leaves the ticket to the next run (and logs a warning)."""


def tick(pipeline: Pipeline, *, tenant: str | None, limit: int | None) -> list[TicketEvent]:
    """Run the monitor once over ``tenant``'s due tickets (every tenant's for ``None``),
    at most ``limit`` of them; the events it recorded."""
    now = pipeline.now()
    emitted: list[TicketEvent] = []
    done: set[str] = set()
    attempts: dict[str, int] = {}
    while limit is None or len(done) < limit:
        try:
            with pipeline.storage.unit_of_work() as uow:
                ticket = uow.claim_due(now, tenant=tenant, skip=done)
                if ticket is None:
                    break
                attempts[ticket.id] = attempts.get(ticket.id, 0) + 1
                events = pipeline.recheck(uow, ticket)
            done.add(ticket.id)
        except ConcurrencyError as error:
            # Changed under us (by a command, which kept its clocks too): look again,
            # a few times at most.
            if attempts.get(error.ticket_id, 0) >= TICK_RETRIES:
                log.warning("SLA monitor gave up on ticket %s: it keeps changing", error.ticket_id)
                done.add(error.ticket_id)
            continue
        pipeline.deliver(events)
        emitted.extend(events)
    return emitted
