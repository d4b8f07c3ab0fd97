"""Old module paths kept for one release: each name still resolves, with a warning.

``chamados.priority``, ``chamados.routing``, ``chamados.conditions`` and ``chamados.config``
were modules that docs once named; what they held lives in ``chamados.policies`` now.
Each old path stays one release as a module whose names resolve when used (``from
chamados.routing import Route``, ``chamados.routing.Route``) with a ``DeprecationWarning``
that says where to import them from. Importing the old module alone says nothing, so
tools that walk every module (doctest collection, documentation builders) stay quiet.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from types import ModuleType

__all__ = ["resolve"]


def resolve(module: str, name: str, moved: Mapping[str, tuple[ModuleType, str]]) -> object:
    """What ``name`` of the old ``module`` is now, after a ``DeprecationWarning`` naming
    where to import it from; an ``AttributeError`` for a name the old module never had.

    ``moved`` maps each old name to its new module and its name there. For an old
    module's ``__getattr__``: the warning points at the line that used the name.
    """
    found = moved.get(name)
    if found is None:
        raise AttributeError(f"module {module!r} has no attribute {name!r}")
    home, new = found
    warnings.warn(
        f"{module} is deprecated and goes away in the next release: import {new} from "
        f"{home.__name__} instead of {module}.{name}",
        DeprecationWarning,
        stacklevel=3,
    )
    return getattr(home, new)
