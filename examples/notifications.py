"""Notifications that survive failures: the outbox, a relay, and a signed webhook.

The store's web process runs commands with ``delivery="relay"``: they only write the
outbox, in the ticket's transaction. A worker runs the relay, which posts every event
as signed JSON to the store's back office (here a tiny HTTP server on 127.0.0.1 that
checks the signature, drops repeats by event id, and answers 503 the first time). The
failed delivery is retried with backoff; a message the receiver refuses for good ends
in the dead letters, is fixed and requeued.

Run:  .venv/bin/python examples/notifications.py
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

from chamados import Helpdesk, Party
from chamados.notify import RetryPolicy, WebhookNotifier, verify_signature
from chamados.testing import FakeClock

SECRET = "s3cr3t-da-loja"
clock = FakeClock("2026-03-02T09:00:00-03:00")


class BackOffice(BaseHTTPRequestHandler):
    """The receiver: verify, drop repeats, fail once, refuse ratings for good."""

    seen: ClassVar[set[str]] = set()
    answers: ClassVar[list[int]] = [503]  # the first request fails: the relay will retry

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        ok = verify_signature(
            SECRET,
            body=body,
            timestamp=self.headers["X-Chamados-Timestamp"],
            signature=self.headers["X-Chamados-Signature"],
            now=clock.now(),
        )
        event: dict[str, Any] = json.loads(body)
        if not ok:
            status = 401
        elif self.answers:
            status = self.answers.pop(0)
        elif event["kind"] == "rated" and "rated" not in self.server.accepts:  # type: ignore[attr-defined]
            status = 422
        else:
            status = 200
            if event["id"] not in self.seen:  # at least once: drop repeats by id
                self.seen.add(event["id"])
                print(f"  back office got {event['kind']:<15} {event['text']['pt-BR']}")
        self.send_response(status)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


def main() -> None:
    logging.getLogger("chamados").setLevel(logging.ERROR)  # the relay logs each failure
    server = ThreadingHTTPServer(("127.0.0.1", 0), BackOffice)
    server.accepts = set()  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/chamados"

    web = Helpdesk(clock=clock, delivery="relay", tenant="loja-aurora")
    maria, ana = Party.customer("c-101", name="Maria"), Party.agent("ana", name="Ana")
    ticket = web.open(channel="site", requester=maria, subject="Pedido não chegou")
    web.reply(ticket.id, author=ana, body="Já verificamos: chega amanhã.")
    web.resolve(ticket.id, actor=ana, summary="Entrega reagendada.")
    web.rate(ticket.id, actor=maria, score=5)

    worker = Helpdesk(
        storage=web.storage,
        clock=clock,
        tenant="loja-aurora",
        notifiers=[WebhookNotifier(url, secret=SECRET, clock=clock, timeout=5)],
        retry=RetryPolicy(first=timedelta(seconds=30), jitter=0),
    )
    relay = worker.relay()
    print("relay, first run:")
    report = relay.run_once()
    print(f"  delivered {report.delivered}, retrying {report.retried}: {report.failures[0][2]}")
    clock.advance(seconds=30)
    print("relay, 30 s later:")
    report = relay.run_once()
    print(f"  delivered {report.delivered}, dead {report.dead}")
    for message in relay.dead():
        print(f"  dead letter: {message.kind} ({message.last_error})")
    server.accepts.add("rated")  # type: ignore[attr-defined]  # the back office is fixed
    relay.requeue([message.id for message in relay.dead()])
    print("after requeueing:")
    report = relay.run_once()
    print(f"  delivered {report.delivered}; outbox now {web.storage.outbox().counts()}")
    server.shutdown()
    server.server_close()


if __name__ == "__main__":
    main()
