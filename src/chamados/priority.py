"""Deprecated: priority rules moved to ``chamados.policies``; this module goes away in the
next release.

Each name still resolves, with a ``DeprecationWarning`` saying where to import it from
(``chamados._moved``).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import chamados.policies as _policies
from chamados import _moved

_MOVED: dict[str, tuple[ModuleType, str]] = {
    "PriorityDecision": (_policies, "PriorityDecision"),
    "PriorityPolicy": (_policies, "PriorityPolicy"),
    "PriorityRule": (_policies, "PriorityRule"),
    "RuleFiring": (_policies, "RuleFiring"),
}


def __getattr__(name: str) -> Any:
    return _moved.resolve(__name__, name, _MOVED)


def __dir__() -> list[str]:
    return sorted(_MOVED)
