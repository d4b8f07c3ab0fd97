"""The testing kit: fakes, factories, the storage contract suite and the pytest plugin.

Everything chamados tests itself with ships here, so host applications test their
integration (and their own storage adapters and workflows) the same way:

- ``FakeClock``: a clock that moves only when the test says so;
- ``RecordingNotifier`` and ``FlakyNotifier``: notifiers to assert on and to fail;
- ``make_ticket`` and ``open_ticket``: tickets with sensible defaults;
- ``check_workflow``: soundness checks and example paths for a custom workflow;
- ``StorageContract`` and ``NotifierContract``: the requirements every storage adapter
  and every notifier meets (they need pytest);
- the pytest plugin, with fixtures ``chamados_clock``, ``chamados_notifier`` and
  ``chamados_desk``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chamados.testing.clock import FakeClock
from chamados.testing.factories import make_ticket, open_ticket
from chamados.testing.notifiers import FlakyNotifier, RecordingNotifier
from chamados.testing.workflows import Step, WorkflowPath, check_workflow

if TYPE_CHECKING:
    from chamados.testing.contract import StorageContract
    from chamados.testing.notifier_contract import NotifierContract

__all__ = [
    "FakeClock",
    "FlakyNotifier",
    "NotifierContract",
    "RecordingNotifier",
    "Step",
    "StorageContract",
    "WorkflowPath",
    "check_workflow",
    "make_ticket",
    "open_ticket",
]


def __getattr__(name: str) -> Any:
    # The contract suite imports pytest, which applications do not install in production.
    if name == "StorageContract":
        from chamados.testing.contract import StorageContract

        return StorageContract
    if name == "NotifierContract":
        from chamados.testing.notifier_contract import NotifierContract

        return NotifierContract
    raise AttributeError(f"module 'chamados.testing' has no attribute {name!r}")
