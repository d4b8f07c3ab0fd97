"""The chamados pytest plugin (registered through the ``pytest11`` entry point).

Fixtures:

- ``chamados_clock``: a ``FakeClock`` at Monday 2026-03-02 09:00 in São Paulo;
- ``chamados_notifier``: a ``RecordingNotifier`` the desk notifies;
- ``chamados_desk``: an in-memory ``Helpdesk`` on those, with ids ``T-0001``, ``T-0002``...
"""

from __future__ import annotations

import pytest

from chamados.ids import SequentialIds
from chamados.service import Helpdesk
from chamados.testing.clock import FakeClock
from chamados.testing.notifiers import RecordingNotifier


@pytest.fixture
def chamados_clock() -> FakeClock:
    """A FakeClock at Monday 2026-03-02 09:00 in São Paulo (UTC-3)."""
    return FakeClock()


@pytest.fixture
def chamados_notifier() -> RecordingNotifier:
    """A RecordingNotifier that ``chamados_desk`` notifies."""
    return RecordingNotifier()


@pytest.fixture
def chamados_desk(chamados_clock: FakeClock, chamados_notifier: RecordingNotifier) -> Helpdesk:
    """An in-memory Helpdesk on ``chamados_clock``, notifying ``chamados_notifier``."""
    return Helpdesk(
        clock=chamados_clock, notifiers=[chamados_notifier], ticket_ids=SequentialIds()
    )
