"""The e-mail notifier: the notifier contract against a real local SMTP server, and what
each e-mail carries."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email.utils import format_datetime
from typing import Any, ClassVar

import pytest

from chamados.events import TicketEvent
from chamados.exceptions import ConfigurationError, DeliveryError, TicketNotFoundError
from chamados.model import Party, PartyKind, Ticket
from chamados.notify.email import EmailNotifier
from chamados.notify.messages import CustomerMessages
from chamados.testing.notifier_contract import NotifierContract, Scenario, every_kind_of_event
from tests.smtp_receiver import SmtpReceiver

SENDER = "Loja Aurora <atendimento@aurora.example>"


def address(party: Party) -> str | None:
    """Customers and partners at example.com; nobody else has an address."""
    if party.kind in (PartyKind.CUSTOMER, PartyKind.PARTNER):
        return f"{party.id}@example.com"
    return None


def notifier_for(receiver: SmtpReceiver, scenario: Scenario, **options: Any) -> EmailNotifier:
    """An EmailNotifier on the local receiver (plain SMTP), dated by the scenario's clock."""
    settings: dict[str, Any] = {
        "host": receiver.host,
        "port": receiver.port,
        "sender": SENDER,
        "starttls": False,
        "address_of": address,
        "tickets": scenario.desk.get,
        "clock": scenario.clock,
        "timeout": 0.5,
        **options,
    }
    return EmailNotifier(**settings)


def forwarded(scenario: Scenario) -> TicketEvent:
    """The return CH-0002 forwarded to the seller (a message each for customer and seller)."""
    return next(
        e for e in scenario.events if e.kind == "status_changed" and e.ticket_id == "CH-0002"
    )


def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


class TestEmailNotifierContract(NotifierContract):
    """EmailNotifier meets C1-C5 against aiosmtpd on 127.0.0.1."""

    can_hang: ClassVar[bool] = True

    @pytest.fixture
    def notifier(self, scenario: Scenario) -> Iterator[EmailNotifier]:
        """An EmailNotifier wired to a fresh local SMTP server."""
        with SmtpReceiver() as receiver:
            self.receiver = receiver
            yield notifier_for(receiver, scenario)

    def delivered(self, notifier: Any) -> list[str]:
        """The X-Chamados-Event-Id of every e-mail the server accepted."""
        return self.receiver.ids()

    def fail_next(self, notifier: Any, *, transient: bool) -> None:
        """451 (try later) or 550 (mailbox unavailable) to the next recipient."""
        self.receiver.fail_next(451 if transient else 550)

    def hang_next(self, notifier: Any) -> None:
        """Stall the next answer well past the notifier's timeout."""
        self.receiver.hang_next(notifier.timeout + 1.5)


# -- what arrives ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    """Two tickets through every kind of event (sending never changes them)."""
    return every_kind_of_event()


@pytest.fixture
def receiver() -> Iterator[SmtpReceiver]:
    """A local SMTP server, stopped after the test."""
    with SmtpReceiver() as server:
        yield server


def test_the_customer_gets_a_pt_br_email_with_the_chamados_headers(
    receiver: SmtpReceiver, scenario: Scenario
) -> None:
    """From, To, Subject, Date, a stable Message-ID, the event and ticket ids, the language."""
    event = scenario.first("opened")
    notifier_for(receiver, scenario).notify(event)
    [mail] = receiver.messages
    assert receiver.recipients == [["c-101@example.com"]]
    assert mail["From"] == SENDER
    assert mail["To"] == "Maria <c-101@example.com>"
    assert mail["Subject"] == "Recebemos seu chamado CH-0001"
    assert mail["Date"] == format_datetime(scenario.clock.now())
    assert mail["Message-ID"] == f"<{event.id}.1@chamados>"
    assert mail["X-Chamados-Event-Id"] == event.id
    assert mail["X-Chamados-Ticket"] == "CH-0001"
    assert mail["Content-Language"] == "pt-BR"
    assert mail["Auto-Submitted"] == "auto-generated"
    body = mail.get_content()
    assert "Olá, Maria!" in body
    assert "Recebemos seu chamado CH-0001 sobre “Pedido não chegou” (pedido P-1001)." in body
    assert body.rstrip().endswith("Equipe Loja Aurora")


def test_english_messages_say_so(receiver: SmtpReceiver, scenario: Scenario) -> None:
    """Content-Language follows the message's language."""
    messages = CustomerMessages(store_name="Loja Aurora", lang="en")
    notifier_for(receiver, scenario, messages=messages).notify(scenario.first("resolved"))
    [mail] = receiver.messages
    assert mail["Content-Language"] == "en"
    assert mail["Subject"] == "Ticket CH-0001 resolved"
    assert "Pedido reenviado com novo rastreio." in mail.get_content()


def test_the_customer_and_the_partner_get_their_own_emails(
    receiver: SmtpReceiver, scenario: Scenario
) -> None:
    """A return forwarded to the seller: one e-mail each, numbered in the Message-ID."""
    event = forwarded(scenario)
    notifier_for(receiver, scenario).notify(event)
    assert receiver.recipients == [["c-202@example.com"], ["seller-9@example.com"]]
    assert [m["Message-ID"] for m in receiver.messages] == [
        f"<{event.id}.1@chamados>",
        f"<{event.id}.2@chamados>",
    ]
    assert receiver.messages[1]["To"] == "Loja do Zé <seller-9@example.com>"
    assert "Por favor, responda" in receiver.messages[1].get_content()


def test_a_resend_has_the_same_message_id(receiver: SmtpReceiver, scenario: Scenario) -> None:
    """At-least-once delivery: the repeat can be recognised by its Message-ID."""
    notifier = notifier_for(receiver, scenario)
    event = scenario.first("escalated")
    notifier.notify(event)
    notifier.notify(event)
    first, again = receiver.messages
    assert first["Message-ID"] == again["Message-ID"] == f"<{event.id}.1@chamados>"


def test_a_recipient_without_address_is_skipped_silently(
    receiver: SmtpReceiver, scenario: Scenario
) -> None:
    """address_of returning None means: do not e-mail this party."""
    notifier = notifier_for(receiver, scenario, address_of=lambda party: None)
    notifier.notify(scenario.first("opened"))
    assert receiver.messages == []


def test_only_the_partner_is_emailed_when_only_the_partner_has_an_address(
    receiver: SmtpReceiver, scenario: Scenario
) -> None:
    """Skipping one recipient keeps the other's Message-ID number."""

    def only_partner(party: Party) -> str | None:
        return "seller@example.com" if party.kind is PartyKind.PARTNER else None

    event = forwarded(scenario)
    notifier_for(receiver, scenario, address_of=only_partner).notify(event)
    [mail] = receiver.messages
    assert mail["Message-ID"] == f"<{event.id}.2@chamados>"


def test_events_without_messages_never_connect(scenario: Scenario) -> None:
    """Internal notes and the like are dropped before any ticket lookup or connection."""

    def no_lookup(ticket_id: str) -> Ticket:
        raise AssertionError("looked the ticket up")

    notifier = EmailNotifier(
        host="127.0.0.1",
        port=closed_port(),
        sender=SENDER,
        address_of=address,
        tickets=no_lookup,
    )
    for kind in ("note_added", "assigned", "priority_changed", "sla_met", "rated"):
        event = scenario.first(kind)
        assert not notifier.wants(event)
        notifier.notify(event)


# -- failures --------------------------------------------------------------------------------


def failure(notifier: EmailNotifier, event: TicketEvent) -> DeliveryError:
    """The DeliveryError notifying ``event`` raises."""
    with pytest.raises(DeliveryError) as caught:
        notifier.notify(event)
    return caught.value


@pytest.mark.parametrize(
    ("code", "stage", "transient"),
    [
        (451, "rcpt", True),
        (550, "rcpt", False),
        (421, "mail", True),
        (553, "mail", False),
        (452, "data", True),
        (554, "data", False),
    ],
)
def test_smtp_answers_decide_whether_a_failure_is_transient(
    receiver: SmtpReceiver, scenario: Scenario, code: int, stage: Any, transient: bool
) -> None:
    """4xx at any stage is worth retrying; 5xx is not."""
    receiver.fail_next(code, at=stage)
    error = failure(notifier_for(receiver, scenario), scenario.first("opened"))
    assert error.transient is transient
    assert str(code) in str(error)
    assert receiver.messages == []


def test_a_server_that_is_down_is_a_transient_failure(scenario: Scenario) -> None:
    """Connection refused: try again later."""
    notifier = EmailNotifier(
        host="127.0.0.1",
        port=closed_port(),
        sender=SENDER,
        starttls=False,
        address_of=address,
        tickets=scenario.desk.get,
        clock=scenario.clock,
    )
    error = failure(notifier, scenario.first("opened"))
    assert error.transient is True
    assert "cannot reach the server" in str(error)


def test_one_refused_recipient_does_not_stop_the_other(
    receiver: SmtpReceiver, scenario: Scenario
) -> None:
    """The customer's address is refused for good; the seller still gets its e-mail."""
    event = forwarded(scenario)
    receiver.fail_next(550)
    error = failure(notifier_for(receiver, scenario), event)
    assert error.transient is False
    assert "c-202@example.com" in str(error)
    assert receiver.recipients == [["seller-9@example.com"]]


def test_an_unusable_address_is_a_permanent_failure(
    receiver: SmtpReceiver, scenario: Scenario
) -> None:
    """An address that does not parse cannot be fixed by retrying."""
    notifier = notifier_for(receiver, scenario, address_of=lambda party: "não é endereço")
    error = failure(notifier, scenario.first("opened"))
    assert error.transient is False
    assert "not a usable address" in str(error)


def test_a_login_is_sent_and_a_wrong_one_is_permanent(scenario: Scenario) -> None:
    """Right credentials deliver; a 535 refusal is not retried."""
    with SmtpReceiver(auth=("loja", "s3cret")) as receiver:
        good = notifier_for(receiver, scenario, username="loja", password="s3cret")
        good.notify(scenario.first("opened"))
        assert len(receiver.messages) == 1
        bad = notifier_for(receiver, scenario, username="loja", password="errada")
        error = failure(bad, scenario.first("opened"))
        assert error.transient is False
        assert "535" in str(error)


def test_starttls_is_never_skipped_silently(receiver: SmtpReceiver, scenario: Scenario) -> None:
    """A server without STARTTLS is refused, not talked to in plain text."""
    notifier = notifier_for(receiver, scenario, starttls=True)
    error = failure(notifier, scenario.first("opened"))
    assert error.transient is False
    assert "STARTTLS" in str(error)
    assert receiver.messages == []


def test_a_ticket_that_does_not_exist_is_a_permanent_failure(scenario: Scenario) -> None:
    """Nobody can be told about a ticket that is gone."""

    def missing(ticket_id: str) -> Ticket:
        raise TicketNotFoundError(ticket_id)

    notifier = EmailNotifier(host="127.0.0.1", sender=SENDER, address_of=address, tickets=missing)
    assert failure(notifier, scenario.first("opened")).transient is False


# -- configuration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "key"),
    [
        ({"host": ""}, "host"),
        ({"port": 0}, "port"),
        ({"sender": "atendimento"}, "sender"),
        ({"sender": "atendimento@aurora.example"}, "sender"),
        ({"username": "loja"}, "username"),
        ({"timeout": 0}, "timeout"),
    ],
)
def test_bad_settings_are_refused_at_construction(options: dict[str, Any], key: str) -> None:
    """Each bad setting is a ConfigurationError naming it."""
    settings: dict[str, Any] = {
        "host": "smtp.aurora.example",
        "sender": SENDER,
        "address_of": address,
        "tickets": lambda ticket_id: None,
        **options,
    }
    with pytest.raises(ConfigurationError) as caught:
        EmailNotifier(**settings)
    assert caught.value.key == key


def test_the_senders_display_name_signs_the_messages_by_default() -> None:
    """Without messages=, the From display name is the store name; the repr hides secrets."""
    notifier = EmailNotifier(
        host="smtp.aurora.example",
        sender=SENDER,
        address_of=address,
        tickets=lambda ticket_id: None,  # type: ignore[arg-type, return-value]
        username="loja",
        password="s3cret",
    )
    assert notifier.messages.store_name == "Loja Aurora"
    assert "s3cret" not in repr(notifier)
    assert notifier.timeout == 10.0
