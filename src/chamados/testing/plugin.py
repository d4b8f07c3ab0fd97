"""The chamados pytest plugin (registered through the ``pytest11`` entry point).

Fixtures:

- ``chamados_clock``: a ``FakeClock`` at Monday 2026-03-02 09:00 in São Paulo;
- ``chamados_notifier``: a ``RecordingNotifier`` the desk notifies;
- ``chamados_desk_options``: more ``Helpdesk`` arguments for ``chamados_desk`` (none by
  default); override it to give the desk your workflows, SLA policies, policies...;
- ``chamados_desk``: an in-memory ``Helpdesk`` on those, with ids ``T-0001``, ``T-0002``...
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from chamados.desk import Helpdesk
from chamados.exceptions import ConfigurationError
from chamados.ids import SequentialIds
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
def chamados_desk_options() -> Mapping[str, Any]:
    """More ``Helpdesk`` keyword arguments for ``chamados_desk``: none by default.

    Override it in a ``conftest.py`` (or a test module, or a class) to give the desk your
    own ``workflows``, ``sla`` policies, ``policies``, ``storage``, ``tenant``...::

        @pytest.fixture
        def chamados_desk_options():
            return {"sla": [loja_sla], "policies": Policies.from_toml("politicas.toml")}

    ``notifiers`` given here are notified besides ``chamados_notifier``; the desk's clock
    is ``chamados_clock`` (override that fixture to start elsewhere).
    """
    return {}


@pytest.fixture
def chamados_desk(
    chamados_clock: FakeClock,
    chamados_notifier: RecordingNotifier,
    chamados_desk_options: Mapping[str, Any],
) -> Helpdesk:
    """An in-memory Helpdesk on ``chamados_clock``, notifying ``chamados_notifier``,
    with the arguments ``chamados_desk_options`` adds."""
    if not isinstance(chamados_desk_options, Mapping):
        raise ConfigurationError(
            f"the chamados_desk_options fixture must return a dict of Helpdesk arguments, "
            f"got {type(chamados_desk_options).__name__}",
            key="chamados_desk_options",
        )
    options = dict(chamados_desk_options)
    if "clock" in options:
        raise ConfigurationError(
            "chamados_desk_options cannot set the clock: override the chamados_clock "
            "fixture instead, so the test and the desk share it",
            key="chamados_desk_options",
        )
    notifiers = [chamados_notifier, *options.pop("notifiers", ())]
    options.setdefault("ticket_ids", SequentialIds())
    return Helpdesk(clock=chamados_clock, notifiers=notifiers, **options)
