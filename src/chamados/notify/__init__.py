"""Notifications: the notifier port, the outbox relay, and the built-in notifiers.

Commands write their events to the outbox with the ticket; ``OutboxRelay`` (or the
desk itself, for inline delivery) hands them to notifiers at least once, in order per
ticket, retrying failures with backoff and parking what cannot be delivered.
"""

from chamados.notify.email import EmailNotifier
from chamados.notify.messages import CustomerMessages, OutgoingMessage
from chamados.notify.notifier import Notifier
from chamados.notify.notifiers import CallableNotifier, FanOut, LoggingNotifier, Route
from chamados.notify.payload import event_payload, payload_bytes
from chamados.notify.relay import OutboxRelay, RelayReport, RetryPolicy
from chamados.notify.templates import MessageTemplate
from chamados.notify.webhook import WebhookNotifier, sign, verify_signature

__all__ = [
    "CallableNotifier",
    "CustomerMessages",
    "EmailNotifier",
    "FanOut",
    "LoggingNotifier",
    "MessageTemplate",
    "Notifier",
    "OutboxRelay",
    "OutgoingMessage",
    "RelayReport",
    "RetryPolicy",
    "Route",
    "WebhookNotifier",
    "event_payload",
    "payload_bytes",
    "sign",
    "verify_signature",
]
