"""A local webhook receiver for tests: an HTTP server on 127.0.0.1 that checks signatures.

``Receiver(secret, clock=...)`` listens on a free port in a daemon thread and keeps the
deliveries whose signature verified; it answers 204 to those and 401 to the others. It
can be told to refuse the next request with a status (``fail_next``) or to take a while
before answering it (``hang_next``). Use it as a context manager so it always closes:

    with Receiver("s3cret", clock=clock) as receiver:
        WebhookNotifier(receiver.url, secret="s3cret", clock=clock).notify(event)
        assert receiver.ids() == [event.id]
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from chamados.clock import Clock, SystemClock
from chamados.notify.webhook import verify_signature


@dataclass(frozen=True)
class Delivery:
    """One request whose signature verified: its parsed JSON body, its headers (names in
    lower case: HTTP header names are case-insensitive) and its raw bytes."""

    body: dict[str, Any]
    headers: dict[str, str]
    raw: bytes

    def header(self, name: str) -> str | None:
        """The value of header ``name``, in any case."""
        return self.headers.get(name.lower())


class Receiver:
    """A webhook receiver on 127.0.0.1; see the module docstring."""

    def __init__(
        self, secret: str | bytes = "s3cret", *, clock: Clock | None = None, path: str = "/hook"
    ) -> None:
        self.secret = secret
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.deliveries: list[Delivery] = []
        self.rejected = 0
        self.errors: list[BaseException] = []
        self._lock = threading.Lock()
        self._failures: list[int] = []
        self._hangs: list[float] = []
        self._closing = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _handler_for(self), self.errors.append)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}{path}"
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="webhook-receiver",
            daemon=True,
        )
        self._thread.start()

    def ids(self) -> list[str]:
        """The event ids delivered, in order, repeats included."""
        return [delivery.body["id"] for delivery in self.deliveries]

    def fail_next(self, status: int) -> None:
        """Answer the next request with ``status``, without keeping it."""
        with self._lock:
            self._failures.append(status)

    def hang_next(self, seconds: float) -> None:
        """Wait ``seconds`` (or until ``close``) before handling the next request."""
        with self._lock:
            self._hangs.append(seconds)

    def close(self) -> None:
        """Wake any hanging request, stop serving and close every socket."""
        self._closing.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def __enter__(self) -> Receiver:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- what the handler threads call -------------------------------------------------

    def _answer(self, headers: dict[str, str], raw: bytes) -> int:
        """The status to answer a request with, keeping it if it is a good delivery."""
        with self._lock:
            hang = self._hangs.pop(0) if self._hangs else None
        if hang is not None:
            self._closing.wait(hang)
        with self._lock:
            status = self._failures.pop(0) if self._failures else None
        if status is not None:
            return status
        verified = verify_signature(
            self.secret,
            body=raw,
            timestamp=headers.get("x-chamados-timestamp"),
            signature=headers.get("x-chamados-signature"),
            now=self.clock.now(),
        )
        if not verified:
            with self._lock:
                self.rejected += 1
            return 401
        try:
            body = json.loads(raw)
        except ValueError:
            return 400
        with self._lock:
            self.deliveries.append(Delivery(body=body, headers=headers, raw=raw))
        return 204


class _Server(ThreadingHTTPServer):
    """Joins its handler threads on close, and keeps handler errors instead of printing."""

    daemon_threads = False
    block_on_close = True

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        on_error: Callable[[BaseException], None],
    ) -> None:
        super().__init__(address, handler)
        self._on_error = on_error

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        error = sys.exc_info()[1]
        if error is not None and not isinstance(error, ConnectionError):
            self._on_error(error)


def _handler_for(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length)
            headers = {name.lower(): value for name, value in self.headers.items()}
            status = receiver._answer(headers, raw)
            body = b"" if status == 204 else f"status {status} from the test receiver".encode()
            try:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
            except ConnectionError:
                pass  # the client gave up (a hanging answer): nothing to tell it

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
