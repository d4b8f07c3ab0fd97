"""Deprecated: policies from a TOML file moved to ``chamados.policies`` (``load_policies``,
``parse_policies``, ``open_arguments``); this module goes away in the next release.

Each name still resolves, with a ``DeprecationWarning`` saying where to import it from
(``chamados._moved``).
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

import chamados.policies as _policies
from chamados import _moved
from chamados.policies import explain as _explain

_MOVED: dict[str, tuple[ModuleType, str]] = {
    "TICKET_KEYS": (_explain, "TICKET_KEYS"),
    "load_policies": (_policies, "load_policies"),
    "open_arguments": (_policies, "open_arguments"),
    "parse_policies": (_policies, "parse_policies"),
}


def __getattr__(name: str) -> Any:
    return _moved.resolve(__name__, name, _MOVED)


def __dir__() -> list[str]:
    return sorted(_MOVED)
