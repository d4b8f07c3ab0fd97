"""Tickets in a SQL database, written in the host application's own transaction.

A store keeps its orders in SQLite (PostgreSQL or MariaDB work the same: change the
URL). A customer asks for a refund: the order's new status and the support ticket are
written in one transaction, so either both are stored or neither is. Then a second
process (here, a second Helpdesk) finds the ticket, and a command that loses a race is
retried.

Run:  .venv/bin/python examples/sql_storage.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import sqlalchemy as sa

from chamados import ConcurrencyError, Helpdesk, Party, retry_on_conflict
from chamados.storage.sql import SqlStorage, make_engine
from chamados.testing import FakeClock

CLOCK = FakeClock("2026-03-02T09:00:00-03:00")
MARIA, ANA = Party.customer("c-101", name="Maria"), Party.agent("ana", name="Ana")

orders = sa.Table(
    "orders",
    sa.MetaData(),
    sa.Column("id", sa.String(20), primary_key=True),
    sa.Column("status", sa.String(30), nullable=False),
)


def request_refund(conn: sa.Connection, order_id: str) -> str:
    """The host's use case: mark the order and open a ticket, in the caller's transaction."""
    conn.execute(orders.update().where(orders.c.id == order_id).values(status="refund_asked"))
    desk = Helpdesk(storage=conn, clock=CLOCK, tenant="loja-aurora")
    ticket = desk.open(
        channel="site",
        requester=MARIA,
        subject=f"Estorno do pedido {order_id}",
        body="O produto chegou quebrado.",
        order_id=order_id,
    )
    return ticket.id


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'loja.db'}"
        engine = make_engine(url)
        SqlStorage(engine).init()  # what `chamados db init URL` does
        orders.create(engine)
        with engine.begin() as conn:
            conn.execute(orders.insert(), [{"id": "P-1", "status": "delivered"}])
            conn.execute(orders.insert(), [{"id": "P-2", "status": "delivered"}])

        # 1. Both writes commit together...
        with engine.connect() as conn, conn.begin():
            ticket_id = request_refund(conn, "P-1")
        # ...or roll back together.
        try:
            with engine.connect() as conn, conn.begin():
                request_refund(conn, "P-2")
                raise RuntimeError("payment gateway down: the host gives up")
        except RuntimeError as error:
            print(f"host rolled back ({error})")

        desk = Helpdesk(storage=url, clock=CLOCK, tenant="loja-aurora")
        with engine.connect() as conn:
            statuses = dict(conn.execute(sa.select(orders.c.id, orders.c.status)).all())
        print(f"orders: {statuses}")
        print(f"tickets: {[(t.id == ticket_id, t.subject) for t in desk.tickets()]}")

        # 2. Another process answers while a slow job of ours keeps a copy of v1 it read
        # without holding the ticket: the version check refuses the stale save.
        other = Helpdesk(storage=url, clock=CLOCK, tenant="loja-aurora")
        with desk.storage.unit_of_work() as uow:
            stale = uow.get(ticket_id, tenant="loja-aurora")
            other.reply(ticket_id, author=ANA, body="Olá Maria, vamos providenciar.")
            stale.version += 1
            uow.save(stale)
            try:
                uow.commit()
            except ConcurrencyError as error:
                print(f"lost the race: {error}")
        ticket = retry_on_conflict(
            lambda: desk.add_note(ticket_id, author=ANA, body="Estorno aprovado no gateway")
        )
        print(f"{ticket.id} v{ticket.version} {ticket.status}")
        for event in desk.history(ticket_id):
            print(f"  v{event.version} {event.kind}")
        print(f"schema version: {SqlStorage(url).schema_version()}")
        engine.dispose()


if __name__ == "__main__":
    main()
