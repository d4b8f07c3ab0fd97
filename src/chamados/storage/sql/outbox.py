"""The outbox of the SQL adapter: the ``chamados_outbox`` table, claimed with leases.

Claims lock candidate rows (``FOR UPDATE SKIP LOCKED`` on PostgreSQL and MariaDB,
``BEGIN IMMEDIATE`` on SQLite) and mark them with a token and a lease, in a short
transaction; delivery happens outside any transaction, and settling is one more short
transaction per batch. Each method is a transaction of its own.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from datetime import timedelta
from typing import Any, TypeVar

import pendulum
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from chamados.clock import epoch_micros, from_epoch_micros
from chamados.events import TicketEvent
from chamados.ids import new_uid
from chamados.storage import codec
from chamados.storage.outbox import Claim, Outbox, OutboxMessage, Settlement
from chamados.storage.sql.database import ClashError, Database
from chamados.storage.sql.schema import outbox

__all__ = ["SqlOutbox", "outbox_row"]

_T = TypeVar("_T")
_CLASH_RETRIES = 3


class SqlOutbox(Outbox):
    """The outbox table. Claims lock candidate rows (``FOR UPDATE SKIP LOCKED`` on
    PostgreSQL and MariaDB, ``BEGIN IMMEDIATE`` on SQLite) and mark them with a token
    and a lease, in a short transaction; delivery happens outside any transaction."""

    def __init__(self, database: Database) -> None:
        self._db = database

    def _retry(self, work: Callable[[], _T]) -> _T:
        """Run ``work`` again when the database stopped it for clashing with another
        transaction (a deadlock): it changed nothing, and claims and settlements are
        safe to repeat."""
        for attempt in range(1, _CLASH_RETRIES + 1):
            try:
                return work()
            except ClashError:
                if attempt == _CLASH_RETRIES:
                    raise
        raise AssertionError("unreachable")  # pragma: no cover

    def claim(
        self,
        now: pendulum.DateTime,
        *,
        limit: int,
        lease: timedelta,
        tenant: str | None = None,
        ids: Iterable[str] | None = None,
    ) -> Claim:
        wanted = None if ids is None else sorted(set(ids))
        return self._retry(lambda: self._claim(now, limit, lease, tenant, wanted))

    def _claim(
        self,
        now: pendulum.DateTime,
        limit: int,
        lease: timedelta,
        tenant: str | None,
        ids: list[str] | None,
    ) -> Claim:
        at = epoch_micros(now, "now")
        token, until = new_uid(), now + lease
        c = outbox.c
        earlier = outbox.alias("earlier")
        waiting = (
            sa.select(earlier.c.seq)
            .where(
                earlier.c.ticket_id == c.ticket_id,
                earlier.c.status == "pending",
                earlier.c.seq < c.seq,
                sa.or_(earlier.c.next_attempt_us > at, earlier.c.claimed_until_us > at),
            )
            .exists()
        )
        statement = (
            self._select()
            .where(
                c.status == "pending",
                sa.or_(c.next_attempt_us.is_(None), c.next_attempt_us <= at),
                sa.or_(c.claimed_until_us.is_(None), c.claimed_until_us <= at),
                ~waiting,
            )
            .order_by(c.seq)
            .limit(limit)
        )
        if tenant is not None:
            statement = statement.where(c.tenant == tenant)
        if ids is not None:
            statement = statement.where(c.event_id.in_(ids))
        if self._db.locks_rows:
            # Competing relays skip each other's rows; a claim of given ids (inline
            # delivery of a command's own messages) waits instead: a row can be locked
            # for an instant by another claim's scan, and skipping it would leave the
            # message for a relay to find later.
            statement = statement.with_for_update(skip_locked=ids is None, of=outbox)
        with self._db.transaction() as conn:
            rows = self._heads(conn, list(conn.execute(statement)))
            if rows:
                conn.execute(
                    sa.update(outbox)
                    .where(c.event_id.in_([row.event_id for row in rows]))
                    .values(claim_token=token, claimed_until_us=epoch_micros(until))
                )
        return Claim(token=token, until=until, messages=tuple(_message(row) for row in rows))

    def _heads(self, conn: Connection, rows: list[Any]) -> list[Any]:
        """Keep, per ticket, the rows that are its oldest pending messages with none
        missing between them: a row another relay holds, or one ``ids`` left out, stops
        the run (the SQL filter cannot see rows locked by transactions in flight)."""
        if not rows:
            return []
        c = outbox.c
        tickets = sorted({row.ticket_id for row in rows})
        pending: dict[str, list[int]] = {}
        for ticket_id, seq in conn.execute(
            sa.select(c.ticket_id, c.seq)
            .where(
                c.ticket_id.in_(tickets),
                c.status == "pending",
                c.seq <= max(row.seq for row in rows),
            )
            .order_by(c.seq)
        ):
            pending.setdefault(ticket_id, []).append(seq)
        chosen = {row.seq for row in rows}
        keep: set[int] = set()
        for seqs in pending.values():
            for seq in seqs:
                if seq not in chosen:
                    break
                keep.add(seq)
        return [row for row in rows if row.seq in keep]

    def settle(
        self, claim: Claim, settlements: Sequence[Settlement], *, now: pendulum.DateTime
    ) -> int:
        if not settlements:
            return 0
        return self._retry(lambda: self._settle(claim, settlements, now))

    def _settle(
        self, claim: Claim, settlements: Sequence[Settlement], now: pendulum.DateTime
    ) -> int:
        epoch_micros(now, "now")  # a naive or foreign time is refused before anything runs
        before = {message.id: message for message in claim.messages}
        # Each message as Settlement.applied_to leaves it; messages left alike (a batch
        # delivered to every notifier at once, the common case) share one statement.
        alike: dict[tuple[tuple[str, Any], ...], list[str]] = {}
        for settlement in settlements:
            after = settlement.applied_to(before[settlement.message_id], now=now)
            alike.setdefault(_settled_columns(after), []).append(settlement.message_id)
        c = outbox.c
        settled = 0
        with self._db.transaction() as conn:
            for columns, message_ids in alike.items():
                settled += conn.execute(
                    sa.update(outbox)
                    .where(c.event_id.in_(message_ids), c.claim_token == claim.token)
                    .values(**dict(columns), claim_token=None, claimed_until_us=None)
                ).rowcount
        return settled

    def dead(self, *, tenant: str | None = None, limit: int = 100) -> list[OutboxMessage]:
        statement = self._select().where(outbox.c.status == "dead")
        if tenant is not None:
            statement = statement.where(outbox.c.tenant == tenant)
        with self._db.transaction() as conn:
            rows = conn.execute(statement.order_by(outbox.c.seq).limit(limit)).all()
        return [_message(row) for row in rows]

    def requeue(self, ids: Iterable[str], *, now: pendulum.DateTime) -> int:
        wanted = sorted(set(ids))
        if not wanted:
            return 0
        c = outbox.c
        with self._db.transaction() as conn:
            return int(
                conn.execute(
                    sa.update(outbox)
                    .where(c.event_id.in_(wanted), c.status == "dead")
                    .values(
                        status="pending",
                        attempts=0,
                        next_attempt_us=epoch_micros(now, "now"),
                        claim_token=None,
                        claimed_until_us=None,
                    )
                ).rowcount
            )

    def get(self, message_id: str) -> OutboxMessage | None:
        with self._db.transaction() as conn:
            row = conn.execute(self._select().where(outbox.c.event_id == message_id)).first()
        return None if row is None else _message(row)

    def counts(self, *, tenant: str | None = None) -> dict[str, int]:
        c = outbox.c
        statement = sa.select(c.status, sa.func.count()).group_by(c.status)
        if tenant is not None:
            statement = statement.where(c.tenant == tenant)
        counts = {"pending": 0, "delivered": 0, "dead": 0}
        with self._db.transaction() as conn:
            for status, number in conn.execute(statement):
                counts[status] = int(number)
        return counts

    def purge(self, *, delivered_before: pendulum.DateTime) -> int:
        c = outbox.c
        with self._db.transaction() as conn:
            return int(
                conn.execute(
                    sa.delete(outbox).where(
                        c.status == "delivered",
                        c.delivered_us < epoch_micros(delivered_before, "delivered_before"),
                    )
                ).rowcount
            )

    @staticmethod
    def _select() -> sa.Select[Any]:
        c = outbox.c
        return sa.select(
            c.seq,
            c.event_id,
            c.ticket_id,
            c.attempts,
            c.delivered_to,
            c.data,
            c.status,
            c.next_attempt_us,
            c.last_error,
            c.delivered_us,
        )


def outbox_row(event: TicketEvent) -> dict[str, Any]:
    """The ``chamados_outbox`` row of ``event``, pending (the unit of work writes it with
    the command that made the event)."""
    return {
        "event_id": event.id,
        "ticket_id": event.ticket_id,
        "tenant": event.tenant,
        "kind": event.kind,
        "created_us": epoch_micros(event.at),
        "data": codec.dumps(event),
    }


def _settled_columns(message: OutboxMessage) -> tuple[tuple[str, Any], ...]:
    """The columns a settlement writes for ``message`` (as settled), sorted by name."""
    return (
        ("attempts", message.attempts),
        ("delivered_to", json.dumps(sorted(message.delivered_to))),
        ("delivered_us", _micros(message.delivered_at)),
        ("last_error", message.last_error),
        ("next_attempt_us", _micros(message.next_attempt_at)),
        ("status", message.status),
    )


def _micros(instant: pendulum.DateTime | None) -> int | None:
    return None if instant is None else epoch_micros(instant)


def _message(row: Any) -> OutboxMessage:
    event = codec.loads(row.data)
    fields = row._mapping
    return OutboxMessage(
        id=row.event_id,
        seq=row.seq,
        event=event,
        status=fields.get("status", "pending"),
        attempts=row.attempts,
        next_attempt_at=_instant(fields.get("next_attempt_us")),
        delivered_to=json.loads(row.delivered_to) if row.delivered_to else (),
        last_error=fields.get("last_error"),
        delivered_at=_instant(fields.get("delivered_us")),
    )


def _instant(micros: int | None) -> pendulum.DateTime | None:
    return None if micros is None else from_epoch_micros(micros)
