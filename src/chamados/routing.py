"""Deprecated: routes, agents, assignment strategies and the queue order moved to
``chamados.policies``; this module goes away in the next release.

``Route`` is ``chamados.policies.TeamRoute`` now: ``chamados.notify.Route`` is another
thing, which sends events to a notifier.

Each name still resolves, with a ``DeprecationWarning`` saying where to import it from
(``chamados._moved``).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import chamados.policies as _policies
from chamados import _moved
from chamados.policies import routing as _routing

_MOVED: dict[str, tuple[ModuleType, str]] = {
    "Agent": (_policies, "Agent"),
    "Agents": (_policies, "Agents"),
    "AssignmentStrategy": (_policies, "AssignmentStrategy"),
    "LeastLoaded": (_policies, "LeastLoaded"),
    "RoundRobin": (_policies, "RoundRobin"),
    "Route": (_policies, "TeamRoute"),
    "RoutingDecision": (_policies, "RoutingDecision"),
    "RoutingPolicy": (_policies, "RoutingPolicy"),
    "Skills": (_policies, "Skills"),
    "next_due": (_policies, "next_due"),
    "queue_order": (_policies, "queue_order"),
    "Load": (_routing, "Load"),
}


def __getattr__(name: str) -> Any:
    return _moved.resolve(__name__, name, _MOVED)


def __dir__() -> list[str]:
    return sorted(_MOVED)
