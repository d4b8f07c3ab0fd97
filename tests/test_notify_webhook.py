"""The webhook notifier: the notifier contract over real HTTP, signatures, statuses, payloads."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from chamados import Party
from chamados.events import NoteAdded, StatusChanged, TicketEvent
from chamados.exceptions import ConfigurationError, DeliveryError
from chamados.notify.payload import event_payload, payload_bytes
from chamados.notify.webhook import WebhookNotifier, sign, verify_signature
from chamados.testing.clock import FakeClock
from chamados.testing.notifier_contract import NotifierContract, Scenario, every_kind_of_event
from tests.http_receiver import Receiver

SECRET = "s3cret-de-teste"
TIMEOUT = 0.5


class TestWebhookNotifierContract(NotifierContract):
    """The webhook notifier meets C1-C5 against a local HTTP receiver."""

    can_hang = True

    @pytest.fixture
    def receiver(self, scenario: Scenario) -> Iterator[Receiver]:
        """A receiver that checks signatures against the scenario's clock."""
        with Receiver(SECRET, clock=scenario.clock) as receiver:
            self._receiver = receiver
            yield receiver
        assert not receiver.errors

    @pytest.fixture
    def notifier(self, scenario: Scenario, receiver: Receiver) -> WebhookNotifier:
        """A webhook notifier posting to the receiver, with a short timeout."""
        return WebhookNotifier(receiver.url, secret=SECRET, timeout=TIMEOUT, clock=scenario.clock)

    def delivered(self, notifier: Any) -> list[str]:
        """The event ids the receiver accepted."""
        return self._receiver.ids()

    def fail_next(self, notifier: Any, *, transient: bool) -> None:
        """503 for a transient refusal, 400 for a permanent one."""
        self._receiver.fail_next(503 if transient else 400)

    def hang_next(self, notifier: Any) -> None:
        """Answer a second after the notifier gives up."""
        self._receiver.hang_next(notifier.timeout + 1)


@pytest.fixture(scope="module")
def story() -> Scenario:
    """Every kind of event, built once for this module's tests."""
    return every_kind_of_event()


@pytest.fixture
def clock() -> FakeClock:
    """The clock both ends of the webhook read."""
    return FakeClock("2026-03-02T12:00:00-03:00")


@pytest.fixture
def receiver(clock: FakeClock) -> Iterator[Receiver]:
    """A local receiver that checks signatures with SECRET."""
    with Receiver(SECRET, clock=clock) as receiver:
        yield receiver
    assert not receiver.errors


@pytest.fixture
def notifier(receiver: Receiver, clock: FakeClock) -> WebhookNotifier:
    """A notifier posting to the local receiver."""
    return WebhookNotifier(receiver.url, secret=SECRET, timeout=TIMEOUT, clock=clock)


@pytest.fixture
def opened(story: Scenario) -> TicketEvent:
    """The event of a ticket being opened."""
    return story.first("opened")


def refused(notifier: WebhookNotifier, event: TicketEvent) -> DeliveryError:
    """The DeliveryError that delivering ``event`` raises."""
    with pytest.raises(DeliveryError) as caught:
        notifier.notify(event)
    return caught.value


def closed_port_url() -> str:
    """A URL on 127.0.0.1 where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


# -- signatures --------------------------------------------------------------------------


def test_a_delivery_carries_headers_that_verify_with_the_secret(
    notifier: WebhookNotifier, receiver: Receiver, clock: FakeClock, opened: TicketEvent
) -> None:
    """The timestamp is the clock's Unix second and the signature covers it and the body."""
    notifier.notify(opened)
    [delivery] = receiver.deliveries
    timestamp = delivery.header("X-Chamados-Timestamp")
    assert timestamp == str(int(clock.now().timestamp()))
    assert delivery.header("X-Chamados-Signature") == sign(SECRET, int(timestamp), delivery.raw)
    assert verify_signature(
        SECRET,
        body=delivery.raw,
        timestamp=timestamp,
        signature=delivery.header("X-Chamados-Signature"),
        now=clock.now(),
    )


def test_a_delivery_names_the_event_the_content_and_the_sender(
    notifier: WebhookNotifier, receiver: Receiver, opened: TicketEvent
) -> None:
    """Event id and kind, JSON content type and the chamados user agent are headers."""
    from chamados import __version__

    notifier.notify(opened)
    [delivery] = receiver.deliveries
    assert delivery.header("X-Chamados-Event-Id") == opened.id
    assert delivery.header("X-Chamados-Event-Kind") == "opened"
    assert delivery.header("Content-Type") == "application/json; charset=utf-8"
    assert delivery.header("User-Agent") == f"chamados/{__version__}"
    assert delivery.raw == payload_bytes(opened)


def test_the_wrong_secret_does_not_verify(
    notifier: WebhookNotifier, receiver: Receiver, clock: FakeClock, opened: TicketEvent
) -> None:
    """A receiver holding another secret refuses the request."""
    notifier.notify(opened)
    [delivery] = receiver.deliveries
    assert not verify_signature(
        "outro-segredo",
        body=delivery.raw,
        timestamp=delivery.header("X-Chamados-Timestamp"),
        signature=delivery.header("X-Chamados-Signature"),
        now=clock.now(),
    )


def test_a_sender_with_the_wrong_secret_is_refused_permanently(
    receiver: Receiver, clock: FakeClock, opened: TicketEvent
) -> None:
    """The receiver answers 401 to a bad signature, which retrying cannot fix."""
    notifier = WebhookNotifier(receiver.url, secret="outro", timeout=TIMEOUT, clock=clock)
    error = refused(notifier, opened)
    assert error.transient is False
    assert "401" in str(error)
    assert receiver.rejected == 1
    assert receiver.deliveries == []


def test_a_tampered_body_does_not_verify(clock: FakeClock, opened: TicketEvent) -> None:
    """Changing one byte of the body breaks the signature."""
    body = payload_bytes(opened)
    timestamp = int(clock.now().timestamp())
    signature = sign(SECRET, timestamp, body)
    tampered = body.replace(b'"version":1', b'"version":2')
    assert tampered != body
    assert verify_signature(
        SECRET, body=body, timestamp=timestamp, signature=signature, now=clock.now()
    )
    assert not verify_signature(
        SECRET, body=tampered, timestamp=timestamp, signature=signature, now=clock.now()
    )


def test_a_replayed_old_request_does_not_verify(clock: FakeClock, opened: TicketEvent) -> None:
    """A request signed more than the tolerance ago (or ahead) is refused."""
    body = payload_bytes(opened)
    timestamp = int(clock.now().timestamp())
    signature = sign(SECRET, timestamp, body)

    def fresh(**when: Any) -> bool:
        return verify_signature(
            SECRET, body=body, timestamp=str(timestamp), signature=signature, **when
        )

    assert fresh(now=clock.now() + timedelta(minutes=5))
    assert not fresh(now=clock.now() + timedelta(minutes=5, seconds=1))
    assert not fresh(now=clock.now() - timedelta(minutes=6))
    assert fresh(now=clock.now() + timedelta(hours=1), tolerance=timedelta(hours=2))


@pytest.mark.parametrize(
    ("timestamp", "signature"),
    [
        (None, "valid"),
        ("", "valid"),
        ("12a", "valid"),
        ("-5", "valid"),
        ("now", "valid"),
        ("stamp", None),
        ("stamp", ""),
        ("stamp", "sha1=abc"),
        ("stamp", "sha256="),
        ("stamp", "sha256=zz"),
    ],
)
def test_malformed_headers_do_not_verify_and_do_not_raise(
    clock: FakeClock, timestamp: str | None, signature: str | None
) -> None:
    """A missing or garbled timestamp or signature header gives False."""
    body = b"{}"
    stamp = int(clock.now().timestamp())
    given_timestamp = str(stamp) if timestamp == "stamp" else timestamp
    given_signature = sign(SECRET, stamp, body) if signature == "valid" else signature
    assert not verify_signature(
        SECRET,
        body=body,
        timestamp=given_timestamp,
        signature=given_signature,
        now=clock.now(),
    )


def test_verifying_refuses_a_decoded_body() -> None:
    """The body must be the bytes received; a str is a receiver bug and raises TypeError."""
    with pytest.raises(TypeError, match="raw request body"):
        verify_signature(SECRET, body="{}", timestamp=1, signature="sha256=" + "0" * 64, now=1)  # type: ignore[arg-type]


# -- statuses and failures -----------------------------------------------------------------


@pytest.mark.parametrize("status", [408, 425, 429, 500, 502, 503])
def test_a_status_worth_retrying_is_a_transient_error(
    notifier: WebhookNotifier, receiver: Receiver, opened: TicketEvent, status: int
) -> None:
    """Timeouts, rate limits and server errors may pass later."""
    receiver.fail_next(status)
    error = refused(notifier, opened)
    assert error.transient is True
    assert str(status) in str(error)


@pytest.mark.parametrize("status", [301, 400, 401, 403, 404, 410, 422])
def test_a_status_retrying_cannot_fix_is_a_permanent_error(
    notifier: WebhookNotifier, receiver: Receiver, opened: TicketEvent, status: int
) -> None:
    """Redirects and client errors other than 408, 425 and 429 need someone to act."""
    receiver.fail_next(status)
    error = refused(notifier, opened)
    assert error.transient is False
    assert str(status) in str(error)


def test_an_error_names_the_url_the_status_and_what_the_receiver_said(
    receiver: Receiver, clock: FakeClock, opened: TicketEvent
) -> None:
    """The message shows the URL without credentials or query, the status and the body."""
    port = receiver.url.split(":")[2].split("/")[0]
    url = f"http://user:p4ss@127.0.0.1:{port}/hook?token=t0k3n"
    notifier = WebhookNotifier(url, secret=SECRET, timeout=TIMEOUT, clock=clock, name="erp")
    receiver.fail_next(422)
    message = str(refused(notifier, opened))
    assert f"http://127.0.0.1:{port}/hook" in message
    assert "422" in message
    assert "from the test receiver" in message
    assert "erp" in message
    assert opened.id in message
    assert "p4ss" not in message
    assert "t0k3n" not in message


def test_a_closed_port_is_a_transient_error(clock: FakeClock, opened: TicketEvent) -> None:
    """A refused connection may work once the receiver is back."""
    notifier = WebhookNotifier(closed_port_url(), secret=SECRET, timeout=TIMEOUT, clock=clock)
    error = refused(notifier, opened)
    assert error.transient is True
    assert "refused" in str(error).lower()


def test_an_unknown_host_is_a_transient_error(clock: FakeClock, opened: TicketEvent) -> None:
    """A name that does not resolve (DNS trouble) may resolve later."""
    notifier = WebhookNotifier(
        "http://chamados-webhook.invalid/hook", secret=SECRET, timeout=TIMEOUT, clock=clock
    )
    assert refused(notifier, opened).transient is True


def test_a_hanging_receiver_is_a_transient_error_naming_the_timeout(
    notifier: WebhookNotifier, receiver: Receiver, opened: TicketEvent
) -> None:
    """The message says the receiver did not answer in time."""
    receiver.hang_next(TIMEOUT + 1)
    error = refused(notifier, opened)
    assert error.transient is True
    assert "timeout" in str(error)


# -- options -------------------------------------------------------------------------------


def test_extra_headers_and_url_credentials_are_sent(
    receiver: Receiver, clock: FakeClock, opened: TicketEvent
) -> None:
    """Host headers go with every request; user:password in the URL become Basic auth."""
    url = receiver.url.replace("http://", "http://loja:senha@")
    notifier = WebhookNotifier(
        url, secret=SECRET, timeout=TIMEOUT, clock=clock, headers={"X-Loja": "aurora"}
    )
    notifier.notify(opened)
    [delivery] = receiver.deliveries
    assert delivery.header("X-Loja") == "aurora"
    assert delivery.header("Authorization") == "Basic bG9qYTpzZW5oYQ=="


def test_wants_narrows_the_events_sent(
    receiver: Receiver, clock: FakeClock, story: Scenario
) -> None:
    """Events the receiver does not want are left alone."""
    notifier = WebhookNotifier(
        receiver.url,
        secret=SECRET,
        timeout=TIMEOUT,
        clock=clock,
        wants=lambda event: not isinstance(event, NoteAdded),
    )
    for event in story.events:
        notifier.notify(event)
    assert receiver.ids() == [e.id for e in story.events if e.kind != "note_added"]
    assert not notifier.wants(story.first("note_added"))


def test_by_default_every_event_is_wanted_and_the_name_is_webhook(story: Scenario) -> None:
    """Without ``wants`` and ``name`` the notifier takes everything and calls itself webhook."""
    notifier = WebhookNotifier("https://example.com/hook", secret=SECRET)
    assert all(notifier.wants(event) for event in story.events)
    assert notifier.name == "webhook"
    assert notifier.timeout == 10.0


@pytest.mark.parametrize(
    ("arguments", "key"),
    [
        ({"url": "ftp://example.com/hook"}, "url"),
        ({"url": "example.com/hook"}, "url"),
        ({"url": "http:///hook"}, "url"),
        ({"url": "http://example.com:99999/hook"}, "url"),
        ({"url": "http://example.com/a hook"}, "url"),
        ({"url": None}, "url"),
        ({"secret": ""}, "secret"),
        ({"secret": b""}, "secret"),
        ({"secret": None}, "secret"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": -1.0}, "timeout"),
        ({"timeout": float("nan")}, "timeout"),
        ({"timeout": "10"}, "timeout"),
        ({"name": " "}, "name"),
        ({"headers": {"X-Chamados-Signature": "forged"}}, "headers"),
        ({"headers": {"content-type": "text/plain"}}, "headers"),
        ({"headers": {"X-Loja": "a\r\nX-Evil: 1"}}, "headers"),
        ({"headers": {"Bad Name": "x"}}, "headers"),
    ],
)
def test_unusable_settings_are_a_configuration_error(arguments: dict[str, Any], key: str) -> None:
    """A bad URL, secret, timeout, name or header is refused when the notifier is built."""
    settings: dict[str, Any] = {"url": "https://example.com/hook", "secret": SECRET}
    settings.update(arguments)
    url = settings.pop("url")
    with pytest.raises(ConfigurationError) as caught:
        WebhookNotifier(url, **settings)
    assert caught.value.key == key


def test_the_repr_hides_the_credentials() -> None:
    """Logging a notifier never shows the password in its URL."""
    notifier = WebhookNotifier("https://u:segredo@example.com/hook", secret=SECRET, name="erp")
    assert "segredo" not in repr(notifier)
    assert "https://example.com/hook" in repr(notifier)


# -- payloads --------------------------------------------------------------------------------


def test_every_kind_of_event_arrives_as_json_a_person_and_a_program_can_read(
    notifier: WebhookNotifier, receiver: Receiver, story: Scenario
) -> None:
    """Each body parses, keeps the event's id and kind, and says what happened in two
    languages."""
    for event in story.events:
        notifier.notify(event)
    assert len(receiver.deliveries) == len(story.events)
    for event, delivery in zip(story.events, receiver.deliveries, strict=True):
        body = delivery.body
        assert (body["id"], body["kind"]) == (event.id, event.kind)
        assert (body["ticket_id"], body["tenant"], body["version"]) == (
            event.ticket_id,
            event.tenant,
            event.version,
        )
        assert body["at"] == event.at.isoformat()
        assert body["actor"] == {
            "kind": event.actor.kind.value,
            "id": event.actor.id,
            "name": event.actor.name,
        }
        assert set(body["text"]) == {"pt-BR", "en"}
        assert all(body["text"].values())
        assert body == json.loads(json.dumps(event_payload(event)))


def test_an_internal_note_is_marked_not_public(story: Scenario) -> None:
    """Receivers can tell an internal note from a reply the customer saw."""
    note = event_payload(story.first("note_added"))["data"]["message"]
    reply = event_payload(story.first("replied"))["data"]["message"]
    assert note["public"] is False
    assert reply["public"] is True
    assert set(note) == {"id", "author", "body", "public", "automated", "external_id", "at"}


def test_event_fields_become_plain_json_values(story: Scenario) -> None:
    """Priorities are their value, sets sorted lists, changes [before, after] lists."""
    opened = event_payload(story.first("opened"))["data"]
    assert opened["priority"] == "normal"
    assert opened["requester"]["kind"] == "customer"
    assert opened["tags"] == sorted(opened["tags"])
    changed = event_payload(story.first("fields_changed"))["data"]
    assert changed["fields"]["tags"] == [[], ["atraso"]]
    breached = event_payload(story.first("sla_breached"))["data"]
    assert breached["breached_at"].endswith("-03:00")


def test_the_data_a_transition_required_reaches_the_payload(clock: FakeClock) -> None:
    """A status change's details (a tracking code) are in the payload's data and text."""
    event = StatusChanged(
        id="e1",
        ticket_id="CH-1",
        tenant="loja",
        version=2,
        at=clock.now(),
        actor=Party.agent("ana"),
        event="postar",
        from_status="novo",
        to_status="postado",
        details={"codigo_postagem": "PX123BR"},
    )
    payload = event_payload(event)
    assert payload["data"]["details"] == {"codigo_postagem": "PX123BR"}
    assert "PX123BR" in payload["text"]["pt-BR"]


def test_the_same_event_always_gives_the_same_bytes(story: Scenario) -> None:
    """payload_bytes is compact UTF-8 JSON with sorted keys, so signatures are reproducible."""
    event = story.first("replied")
    body = payload_bytes(event)
    assert body == payload_bytes(event)
    assert body == json.dumps(
        json.loads(body), ensure_ascii=False, sort_keys=True, separators=(",", ":")
    ).encode("utf-8")
    assert "não".encode() in payload_bytes(story.first("opened"))
