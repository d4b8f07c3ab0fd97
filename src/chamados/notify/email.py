"""The e-mail notifier: each status message sent by SMTP to the customer or partner.

``EmailNotifier.notify(event)`` looks the ticket up, lets ``CustomerMessages`` write what
the event tells whom, and sends one e-mail per message whose recipient has an address,
over one SMTP connection (STARTTLS, implicit TLS or plain, with an optional login).
Delivery is at least once: a retried event sends its e-mails again with the same
``Message-ID``, so mail clients show one copy.
"""

from __future__ import annotations

import smtplib
import ssl as tls
from collections.abc import Callable, Iterable
from datetime import datetime
from email.errors import MessageError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Final

from chamados.clock import Clock, SystemClock, as_instant
from chamados.events import TicketEvent
from chamados.exceptions import (
    ChamadosError,
    ConfigurationError,
    DeliveryError,
    StorageError,
    TicketNotFoundError,
)
from chamados.model import Party, Ticket
from chamados.notify.messages import CustomerMessages, OutgoingMessage

__all__ = ["EmailNotifier"]

EVENT_ID_HEADER: Final = "X-Chamados-Event-Id"
TICKET_HEADER: Final = "X-Chamados-Ticket"
MESSAGE_ID_DOMAIN: Final = "chamados"


class EmailNotifier:
    """Sends the status messages of each event by e-mail (``docs/customer-messages.md``).

    ``host`` and ``port`` name the SMTP server (587 is the submission port, with
    ``starttls=True``: the connection is upgraded to TLS before anything else is said,
    and a server that cannot is an error, never a fallback to plain text). ``ssl=True``
    speaks TLS from the first byte instead (port 465; ``starttls`` is then ignored).
    ``ssl_context`` replaces the default, certificate-checking one. ``username`` and
    ``password`` log in after TLS.

    ``sender`` is the ``From`` address (``"Loja Aurora <atendimento@aurora.com.br>"``);
    when ``messages`` is not given, its display name is the store name the messages are
    signed with. ``address_of(party)`` gives a party's e-mail address, or ``None`` for a
    party you do not e-mail (one you reach through a marketplace, say): its messages
    are skipped silently. ``tickets(ticket_id)`` returns a ticket (``desk.get``).

    ``timeout`` (seconds) bounds connecting and each wait for the server. ``clock``
    dates the e-mails and the deadlines they promise. ``name`` tells this notifier apart
    in logs and errors.

    Failures raise ``DeliveryError``: transient (worth retrying) for a server that
    cannot be reached, hangs up, times out or answers 4xx; permanent for a 5xx answer
    (a refused recipient, a failed login), a server without STARTTLS or AUTH when they
    are asked for, a TLS certificate that does not verify, or a ticket that does not
    exist. One recipient's refusal does not stop the others' e-mails.
    """

    def __init__(
        self,
        *,
        host: str,
        port: int = 587,
        sender: str,
        address_of: Callable[[Party], str | None],
        tickets: Callable[[str], Ticket],
        messages: CustomerMessages | None = None,
        starttls: bool = True,
        ssl: bool = False,
        ssl_context: tls.SSLContext | None = None,
        username: str | None = None,
        password: str | None = None,
        timeout: float = 10.0,
        clock: Clock | None = None,
        name: str = "email",
    ) -> None:
        if not isinstance(host, str) or not host.strip():
            raise ConfigurationError(f"host must name the SMTP server, got {host!r}", key="host")
        if isinstance(port, bool) or not isinstance(port, int) or not 0 < port < 65536:
            raise ConfigurationError(f"port must be 1 to 65535, got {port!r}", key="port")
        display, address = parseaddr(sender) if isinstance(sender, str) else ("", "")
        if "@" not in address:
            raise ConfigurationError(
                f"sender must be an e-mail address such as "
                f"'Loja Aurora <atendimento@aurora.com.br>', got {sender!r}",
                key="sender",
            )
        if (username is None) != (password is None):
            raise ConfigurationError(
                "username and password go together: give both or neither", key="username"
            )
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise ConfigurationError(
                f"timeout must be a positive number of seconds, got {timeout!r}", key="timeout"
            )
        if messages is None:
            if not display.strip():
                raise ConfigurationError(
                    f"sender {sender!r} has no display name to sign the messages with; "
                    f"write it as 'Loja Aurora <{address}>' or pass "
                    f"messages=CustomerMessages(store_name=...)",
                    key="sender",
                )
            messages = CustomerMessages(store_name=display)
        self.host = host
        self.port = port
        self.sender = sender
        self.address_of = address_of
        self.tickets = tickets
        self.messages = messages
        self.starttls = starttls and not ssl
        self.ssl = ssl
        self.ssl_context = ssl_context
        self.username = username
        self._password = password
        self.timeout = float(timeout)
        self.clock: Clock = clock if clock is not None else SystemClock()
        self.name = name
        self._from = address

    def __repr__(self) -> str:
        security = "ssl" if self.ssl else "starttls" if self.starttls else "plain"
        return (
            f"EmailNotifier(name={self.name!r}, host={self.host!r}, port={self.port}, "
            f"{security}, sender={self.sender!r})"
        )

    def wants(self, event: TicketEvent) -> bool:
        """Whether ``event`` can send any e-mail (``CustomerMessages.wants``)."""
        return self.messages.wants(event)

    def notify(self, event: TicketEvent) -> None:
        """Send the e-mails ``event`` calls for; nothing when it calls for none."""
        if not self.wants(event):
            return
        ticket = self._ticket(event)
        try:
            now = as_instant(self.clock.now(), name="clock.now()")
            outgoing = self.messages.render(event, ticket, now=now)
        except ChamadosError as error:  # a status the workflow lost, a language unknown
            raise DeliveryError(
                f"{self.name}: cannot write the messages of {event.kind} {event.id} "
                f"(ticket {event.ticket_id}): {error}",
                transient=False,
            ) from error
        mails: list[tuple[str, EmailMessage]] = []
        refused: list[str] = []
        for number, message in enumerate(outgoing, start=1):
            address = self.address_of(message.to)
            if not address:
                continue
            try:
                mails.append((address, self._compose(message, number, address, now)))
            except (ValueError, TypeError, MessageError) as error:
                refused.append(f"{message.to} <{address}>: not a usable address ({error})")
        transient = False
        if mails:
            transient, failures = self._send(event, mails)
            refused.extend(failures)
        if refused:
            raise DeliveryError(
                f"{self.name}: {event.kind} {event.id} of ticket {event.ticket_id} was not "
                f"delivered to {'; '.join(refused)}",
                transient=transient,
            )

    # -- steps ---------------------------------------------------------------------------

    def _ticket(self, event: TicketEvent) -> Ticket:
        try:
            return self.tickets(event.ticket_id)
        except TicketNotFoundError as error:
            raise DeliveryError(
                f"{self.name}: ticket {event.ticket_id} of {event.kind} {event.id} does not "
                f"exist; nobody can be told about it",
                transient=False,
            ) from error
        except StorageError as error:
            raise DeliveryError(
                f"{self.name}: could not read ticket {event.ticket_id}: {error}", transient=True
            ) from error
        except ChamadosError as error:  # refused access, an unknown workflow: settings
            raise DeliveryError(
                f"{self.name}: cannot read ticket {event.ticket_id}: {error}", transient=False
            ) from error

    def _compose(
        self, message: OutgoingMessage, number: int, address: str, now: datetime
    ) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self.sender
        mail["To"] = Address(display_name=message.to.name or "", addr_spec=address)
        mail["Subject"] = message.subject
        mail["Date"] = format_datetime(now)
        mail["Message-ID"] = f"<{message.event_id}.{number}@{MESSAGE_ID_DOMAIN}>"
        mail[EVENT_ID_HEADER] = message.event_id
        mail[TICKET_HEADER] = message.ticket_id
        if message.template != "replied":
            # RFC 3834: tells auto-responders (vacation replies) not to answer.
            mail["Auto-Submitted"] = "auto-generated"
        mail.set_content(message.body, cte="quoted-printable")
        mail["Content-Language"] = message.lang  # after set_content, which clears Content-*
        return mail

    def _send(
        self, event: TicketEvent, mails: list[tuple[str, EmailMessage]]
    ) -> tuple[bool, list[str]]:
        """Send ``mails`` over one connection; return whether a refusal may pass on a
        retry, and the refusals. A failure of the connection itself raises."""
        refused: list[str] = []
        transient = False
        try:
            smtp = self._connect()
        except (OSError, smtplib.SMTPException) as error:
            raise self._failure(event, error) from error
        try:
            for address, mail in mails:
                try:
                    smtp.send_message(mail, from_addr=self._from, to_addrs=[address])
                except smtplib.SMTPRecipientsRefused as error:
                    codes = [code for code, _ in error.recipients.values()]
                    transient = transient or all(_is_transient(code) for code in codes)
                    refused.append(f"<{address}>: {_answers(error.recipients.values())}")
                except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
                    transient = transient or _is_transient(error.smtp_code)
                    refused.append(f"<{address}>: {_answer(error.smtp_code, error.smtp_error)}")
        except (OSError, smtplib.SMTPException) as error:
            smtp.close()
            raise self._failure(event, error) from error
        _hang_up(smtp)
        return transient, refused

    def _connect(self) -> smtplib.SMTP:
        context = self.ssl_context or tls.create_default_context()
        smtp: smtplib.SMTP
        if self.ssl:
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            if self.starttls:
                smtp.starttls(context=context)
            if self.username is not None and self._password is not None:
                smtp.login(self.username, self._password)
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _failure(self, event: TicketEvent, error: BaseException) -> DeliveryError:
        where = f"{self.name}: {event.kind} {event.id} via {self.host}:{self.port}"
        if isinstance(error, TimeoutError) or isinstance(error.__context__, TimeoutError):
            return DeliveryError(f"{where}: no answer within {self.timeout:g}s", transient=True)
        if isinstance(error, smtplib.SMTPServerDisconnected):
            return DeliveryError(f"{where}: the server hung up ({error})", transient=True)
        if isinstance(error, smtplib.SMTPResponseException):
            code = error.smtp_code
            return DeliveryError(
                f"{where}: {_answer(code, error.smtp_error)}", transient=_is_transient(code)
            )
        if isinstance(error, smtplib.SMTPNotSupportedError):
            return DeliveryError(
                f"{where}: the server does not offer what this notifier needs ({error}); "
                f"check starttls=, ssl= and the login settings",
                transient=False,
            )
        if isinstance(error, tls.SSLError | tls.CertificateError):
            return DeliveryError(
                f"{where}: TLS failed ({error}); check the server's certificate, or pass "
                f"ssl_context=",
                transient=False,
            )
        if isinstance(error, OSError):
            return DeliveryError(f"{where}: cannot reach the server ({error})", transient=True)
        return DeliveryError(f"{where}: {error}", transient=False)


def _hang_up(smtp: smtplib.SMTP) -> None:
    """Say QUIT if the connection still works, and close it: what was sent is sent, so a
    server that will not say goodbye is no failure."""
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        pass
    finally:
        smtp.close()


def _is_transient(code: int) -> bool:
    """4xx: the server says "not now"; 5xx (and anything else): "never"."""
    return 400 <= code < 500


def _answer(code: int, text: bytes | str) -> str:
    shown = text.decode("utf-8", "replace") if isinstance(text, bytes) else text
    return f"the server answered {code} {shown}".rstrip()


def _answers(replies: Iterable[tuple[int, bytes]]) -> str:
    return "; ".join(_answer(code, text) for code, text in replies)
