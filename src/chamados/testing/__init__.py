"""The testing kit: fakes, factories, the storage contract suite and the pytest plugin.

Everything chamados tests itself with ships here, so host applications test their
integration (and their own storage adapters and workflows) the same way:

- ``FakeClock``: a clock that moves only when the test says so;
- ``RecordingNotifier`` and ``FlakyNotifier``: notifiers to assert on and to fail;
- ``make_ticket`` and ``open_ticket``: tickets with sensible defaults;
- ``check_workflow``: soundness checks and example paths for a custom workflow;
- ``simulate`` and ``store_policies``: a realistic store's week of tickets, for reports,
  demos and benchmarks;
- ``StorageContract`` and ``NotifierContract``: the requirements every storage adapter
  and every notifier meets (they need pytest);
- ``scratch_database``: a schema or database of its own on a real server, dropped at the
  end (it needs ``chamados[sql]``);
- the pytest plugin, with fixtures ``chamados_clock``, ``chamados_notifier`` and
  ``chamados_desk``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chamados.testing.clock import FakeClock
from chamados.testing.factories import make_ticket, open_ticket
from chamados.testing.notifiers import FlakyNotifier, RecordingNotifier
from chamados.testing.workflows import Step, WorkflowPath, check_workflow
from chamados.testing.workload import simulate, store_policies

if TYPE_CHECKING:
    from chamados.testing.contract import StorageContract
    from chamados.testing.databases import scratch_database
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
    "scratch_database",
    "simulate",
    "store_policies",
]


def __getattr__(name: str) -> Any:
    # The contract suite imports pytest, which applications do not install in production.
    if name == "StorageContract":
        from chamados.testing.contract import StorageContract

        return StorageContract
    if name == "NotifierContract":
        from chamados.testing.notifier_contract import NotifierContract

        return NotifierContract
    if name == "scratch_database":  # needs SQLAlchemy (chamados[sql])
        from chamados.testing.databases import scratch_database

        return scratch_database
    raise AttributeError(f"module 'chamados.testing' has no attribute {name!r}")
