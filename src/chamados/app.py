"""The host's desk, found by name: ``load_app("myshop.support:make_desk")``.

Commands that must see what the host configured (its workflows, SLA policies, policies,
storage) take ``--app module:factory`` or the ``CHAMADOS_APP`` variable
(``chamados.settings.app_spec``), the convention
uvicorn and Celery use: ``module`` is imported, ``factory`` (an attribute of it, dotted
names allowed) is called with no arguments and must return a ``Helpdesk``. A
``Helpdesk`` object itself is taken as it is. Every failure, from a typo in the name to
an exception inside the factory, is a ``ConfigurationError`` (``key="app"``) that says
what to fix.

>>> load_app("chamados.app")
Traceback (most recent call last):
...
chamados.exceptions.ConfigurationError: --app 'chamados.app' is not module:factory; ...
"""

from __future__ import annotations

import importlib
from typing import Any

from chamados.desk import Helpdesk
from chamados.exceptions import ConfigurationError

__all__ = ["load_app"]

_EXAMPLE = "for example --app myshop.support:make_desk"


def load_app(spec: str) -> Helpdesk:
    """Import ``module:factory``, call ``factory()`` and return the ``Helpdesk`` it
    builds; ``ConfigurationError`` naming the part that failed."""
    module_name, colon, attribute = spec.strip().partition(":")
    if not colon or not module_name or not attribute:
        raise ConfigurationError(f"--app {spec!r} is not module:factory; {_EXAMPLE}", key="app")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        missing = error.name or module_name
        where = "" if missing == module_name else f" (it imports {missing!r}, which is missing)"
        raise ConfigurationError(
            f"--app {spec!r}: cannot import {module_name!r}{where}; run chamados from the "
            f"folder that holds it, or add that folder to PYTHONPATH",
            key="app",
        ) from None
    except Exception as error:
        raise ConfigurationError(
            f"--app {spec!r}: importing {module_name!r} failed: {type(error).__name__}: {error}",
            key="app",
        ) from error
    found: Any = module
    for part in attribute.split("."):
        try:
            found = getattr(found, part)
        except AttributeError:
            raise ConfigurationError(
                f"--app {spec!r}: {module_name!r} has no {attribute!r}", key="app"
            ) from None
    if isinstance(found, Helpdesk):
        return found
    if not callable(found):
        raise ConfigurationError(
            f"--app {spec!r}: {attribute} is a {type(found).__name__}, not a function that "
            f"returns a Helpdesk",
            key="app",
        )
    try:
        desk = found()
    except Exception as error:
        raise ConfigurationError(
            f"--app {spec!r}: {attribute}() failed: {type(error).__name__}: {error}", key="app"
        ) from error
    if not isinstance(desk, Helpdesk):
        raise ConfigurationError(
            f"--app {spec!r}: {attribute}() returned a {type(desk).__name__}, not a "
            f"chamados Helpdesk",
            key="app",
        )
    return desk
