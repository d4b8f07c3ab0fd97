"""A local SMTP server for tests: aiosmtpd on 127.0.0.1, on a free port, in a thread.

``SmtpReceiver()`` keeps every message it accepts, parsed (``messages``), with the
envelope recipients (``recipients``). It can refuse the next command of a stage with an
SMTP code (``fail_next(451)`` at ``RCPT TO`` by default), stall its answer to the next
``MAIL FROM`` (``hang_next``), and ask for a login (``auth=("user", "password")``; a
wrong one is refused with 535). Use it as a context manager so it always stops:

    with SmtpReceiver() as receiver:
        EmailNotifier(host=receiver.host, port=receiver.port, starttls=False, ...)
        assert receiver.ids() == [event.id]
"""

from __future__ import annotations

import asyncio
import threading
from email import message_from_bytes, policy
from email.message import EmailMessage
from types import TracebackType
from typing import Any, Literal

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

Stage = Literal["mail", "rcpt", "data"]


class _Controller(Controller):
    """Listens on port 0 (a free port the system picks) and learns which port it got."""

    def _trigger_server(self) -> None:
        assert self.server is not None
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class SmtpReceiver:
    """An SMTP server on 127.0.0.1; see the module docstring."""

    host = "127.0.0.1"

    def __init__(self, *, auth: tuple[str, str] | None = None) -> None:
        self.messages: list[EmailMessage] = []
        self.recipients: list[list[str]] = []
        self._lock = threading.Lock()
        self._failures: dict[Stage, list[int]] = {"mail": [], "rcpt": [], "data": []}
        self._hangs: list[float] = []
        self._auth = auth
        options: dict[str, Any] = {}
        if auth is not None:
            options = {"authenticator": self._authenticate, "auth_require_tls": False}
        self._controller = _Controller(
            self, hostname=self.host, port=0, server_hostname="localhost", **options
        )
        self._controller.start()
        self.port: int = self._controller.port

    # -- what the tests use ----------------------------------------------------------------

    def ids(self) -> list[str]:
        """The ``X-Chamados-Event-Id`` of each accepted message, in order, repeats kept."""
        return [str(m["X-Chamados-Event-Id"]) for m in self.messages]

    def fail_next(self, code: int, *, at: Stage = "rcpt") -> None:
        """Answer the next command of stage ``at`` with ``code`` (451: try later; 550: never)."""
        with self._lock:
            self._failures[at].append(code)

    def hang_next(self, seconds: float) -> None:
        """Wait ``seconds`` before answering the next ``MAIL FROM`` (then refuse it, 451)."""
        with self._lock:
            self._hangs.append(seconds)

    def close(self) -> None:
        """Stop the server and its thread (a stalled answer is cancelled)."""
        self._controller.stop()

    def __enter__(self) -> SmtpReceiver:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- aiosmtpd hooks (run in the server's thread) ---------------------------------------

    def _refusal(self, stage: Stage) -> str | None:
        with self._lock:
            codes = self._failures[stage]
            code = codes.pop(0) if codes else None
        return None if code is None else f"{code} Refused by the chamados test receiver"

    async def handle_MAIL(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        options: list[str],
    ) -> str:
        with self._lock:
            hang = self._hangs.pop(0) if self._hangs else None
        if hang is not None:
            await asyncio.sleep(hang)
            return "451 Took too long"
        refused = self._refusal("mail")
        if refused:
            return refused
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        return "250 OK"

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        options: list[str],
    ) -> str:
        refused = self._refusal("rcpt")
        if refused:
            return refused
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        refused = self._refusal("data")
        if refused:
            return refused
        content = envelope.original_content or b""
        parsed = message_from_bytes(content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        with self._lock:
            self.messages.append(parsed)
            self.recipients.append(list(envelope.rcpt_tos))
        return "250 Message accepted"

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        assert self._auth is not None
        user, password = self._auth
        ok = (
            isinstance(data, LoginPassword)
            and data.login == user.encode()
            and data.password == password.encode()
        )
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535
