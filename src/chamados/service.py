"""Deprecated: the ``Helpdesk`` moved to ``chamados.desk``; import it from ``chamados``.

This alias stays for one release: ``from chamados.service import Helpdesk`` (or
``UNSET``) still works and emits a ``DeprecationWarning`` naming the new home. The
warning comes when a name is taken from the module, not when the module is imported, so
tools that import every module (doctest collection, documentation builders) stay quiet.
"""

import warnings

from chamados import desk as _desk

_MOVED = frozenset({"UNSET", "Helpdesk"})
"""The names this module had: each is now ``chamados.desk``'s."""


def __getattr__(name: str) -> object:
    if name in _MOVED:
        warnings.warn(
            f"chamados.service is deprecated and will be removed in the next release: "
            f"import {name} from chamados (its home is chamados.desk)",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(_desk, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
