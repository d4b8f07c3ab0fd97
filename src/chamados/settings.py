"""Settings read from the environment, in one place.

Explicit arguments win over ``CHAMADOS_*`` variables, which win over defaults. Nothing
is read at import time. The variables:

- ``CHAMADOS_STORAGE_URL``: the database ``Helpdesk()`` uses when given no ``storage``
  (``sqlite:///chamados.db``, ``postgresql+psycopg://...``, ``mysql+pymysql://...``);
  without it, tickets live in memory.
- ``CHAMADOS_APP``: the host's desk factory, ``module:factory``, for the commands that
  take ``--app`` (``chamados report``, ``chamados diagram``, ``chamados policy explain``).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from chamados.exceptions import ConfigurationError
from chamados.storage.memory import MemoryStorage
from chamados.storage.port import Storage

__all__ = ["APP", "STORAGE_URL", "app_spec", "storage_from"]

STORAGE_URL = "CHAMADOS_STORAGE_URL"
APP = "CHAMADOS_APP"


def app_spec(spec: str | None, *, environ: Mapping[str, str] | None = None) -> str | None:
    """The host's desk factory: ``spec`` (``--app``) if given, else ``CHAMADOS_APP``;
    ``None`` when neither is set (see ``chamados.app.load_app``)."""
    if spec is not None:
        return spec
    found = (os.environ if environ is None else environ).get(APP, "").strip()
    return found or None


def storage_from(value: Any, *, environ: Mapping[str, str] | None = None) -> Storage:
    """The storage for ``value``: a ``Storage`` as is; a URL, SQLAlchemy ``Engine`` or
    ``Connection`` as a ``SqlStorage``; ``None``: ``CHAMADOS_STORAGE_URL`` if set, else
    memory."""
    if isinstance(value, Storage):
        return value
    if value is None:
        url = (os.environ if environ is None else environ).get(STORAGE_URL, "").strip()
        if not url:
            return MemoryStorage()
        value = url
    if isinstance(value, str) or _is_sqlalchemy(value):
        try:
            from chamados.storage.sql import SqlStorage
        except ModuleNotFoundError as error:
            raise ConfigurationError(
                f"SQL storage needs SQLAlchemy ({error.name} is missing): install chamados[sql]",
                key="storage",
            ) from None
        return SqlStorage(value)
    raise ConfigurationError(
        f"storage must be a chamados Storage, a database URL, a SQLAlchemy Engine or "
        f"Connection, got {type(value).__name__}",
        key="storage",
    )


def _is_sqlalchemy(value: Any) -> bool:
    module = type(value).__module__
    return module.startswith("sqlalchemy.") and type(value).__name__ in ("Engine", "Connection")
