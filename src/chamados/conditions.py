"""Deprecated: conditions on tickets moved to ``chamados.policies``; this module goes away
in the next release.

``fold`` is ``chamados.policies.conditions.searchable`` now: ``fold`` is what
``chamados.reports.facts`` does to events.

Each name still resolves, with a ``DeprecationWarning`` saying where to import it from
(``chamados._moved``).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import chamados.policies as _policies
from chamados import _moved
from chamados.policies import conditions as _conditions

_MOVED: dict[str, tuple[ModuleType, str]] = {
    "Condition": (_policies, "Condition"),
    "TicketPredicate": (_policies, "TicketPredicate"),
    "compile_condition": (_policies, "compile_condition"),
    "describe_condition": (_policies, "describe_condition"),
    "fold": (_conditions, "searchable"),
}


def __getattr__(name: str) -> Any:
    return _moved.resolve(__name__, name, _MOVED)


def __dir__() -> list[str]:
    return sorted(_MOVED)
