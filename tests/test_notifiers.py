"""The built-in notifiers, and the notifier contract run on the simplest of them."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from chamados import DeliveryError
from chamados.events import TicketEvent
from chamados.notify import CallableNotifier, LoggingNotifier, Notifier
from chamados.testing.notifier_contract import NotifierContract, Scenario


class Inbox:
    """A receiving end in a list, refusing deliveries when told."""

    def __init__(self) -> None:
        self.ids: list[str] = []
        self.refuse: bool | None = None  # None: accept; else the refusal's transience

    def __call__(self, event: TicketEvent) -> None:
        if self.refuse is not None:
            transient, self.refuse = self.refuse, None
            raise DeliveryError("inbox refused", transient=transient)
        self.ids.append(event.id)


class TestCallableNotifier(NotifierContract):
    """The contract on CallableNotifier, with a list for a receiving end."""

    @pytest.fixture
    def notifier(self, scenario: Scenario) -> Notifier:
        return CallableNotifier(Inbox(), name="inbox")

    def delivered(self, notifier: Any) -> list[str]:
        return list(notifier.function.ids)

    def fail_next(self, notifier: Any, *, transient: bool) -> None:
        notifier.function.refuse = transient


def test_logging_notifier_writes_one_line_per_event(caplog: pytest.LogCaptureFixture) -> None:
    """Each event becomes a line with the ticket, kind, id and its description."""
    from chamados.testing.notifier_contract import every_kind_of_event

    event = every_kind_of_event().first("opened")
    with caplog.at_level(logging.INFO, logger="chamados.events"):
        LoggingNotifier().notify(event)
        LoggingNotifier(lang="pt-BR").notify(event)
    assert caplog.records[0].getMessage().startswith(f"CH-0001 opened ({event.id}):")
    assert "opened" in caplog.records[0].getMessage()
    assert "abriu" in caplog.records[1].getMessage()


def test_callable_notifier_needs_a_callable() -> None:
    """Anything else is refused when the notifier is made."""
    from chamados import ConfigurationError

    with pytest.raises(ConfigurationError, match="not callable"):
        CallableNotifier("print")  # type: ignore[arg-type]
