"""Reading what a support lead writes: typed fields whose errors say where the mistake is.

The policies TOML file (``chamados.policies.toml``) and the ticket described to explain
them (``chamados.policies.explain``) are read with these checks: a value of the wrong type,
an unknown key or an array where a table belongs is a ``ConfigurationError`` naming the
table and the field, never a ``TypeError`` from deep inside.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from chamados.exceptions import ChamadosError, ConfigurationError

__all__ = [
    "array_of",
    "as_table",
    "as_tables",
    "check_known",
    "field_of",
    "flag",
    "naming",
    "shown",
    "typed",
]

_TYPES = {
    bool: "true or false",
    int: "a whole number",
    str: "a string",
}


@contextmanager
def naming(source: str) -> Iterator[None]:
    """Errors raised inside name ``source`` (the file) first: a ``ConfigurationError``
    keeps its key; any other chamados error becomes one keyed by ``source``."""
    try:
        yield
    except ConfigurationError as error:
        raise ConfigurationError(f"{source}: {error}", key=error.key) from None
    except ChamadosError as error:
        raise ConfigurationError(f"{source}: {error}", key=source) from None


def check_known(table: Mapping[str, Any], allowed: set[str], where: str) -> None:
    """Refuse keys of ``table`` outside ``allowed``, listing the allowed ones."""
    unknown = sorted(str(key) for key in set(table) - allowed)
    if unknown:
        raise ConfigurationError(
            f"{where}: unknown field(s) {', '.join(unknown)}; the fields are "
            f"{', '.join(sorted(allowed))}",
            key=unknown[0],
        )


def shown(value: Any) -> str:
    """A wrong value, short, for an error message."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def as_table(value: Any, where: str) -> Mapping[str, Any]:
    """``value`` if it is a table."""
    if not isinstance(value, Mapping):
        raise ConfigurationError(f"{where} must be a table, got {shown(value)}", key=where)
    return value


def as_tables(value: Any, name: str) -> list[Any]:
    """``value`` if it is an array (of tables, ``[[name]]``); nothing when absent."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ConfigurationError(f"{name} must be an array of tables ([[{name}]])", key=name)
    return value


def typed(value: Any, kind: type, where: str) -> Any:
    """``value`` if it is a ``kind`` (a boolean is not a whole number here)."""
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigurationError(f"{where} must be {_TYPES[kind]}, got {shown(value)}", key=where)
    return value


def field_of(
    table: Mapping[str, Any], key: str, kind: type, where: str, default: Any = None
) -> Any:
    """The field ``key`` of ``table`` checked to be a ``kind``; ``default`` when absent."""
    value = table.get(key)
    return default if value is None else typed(value, kind, f"{where}: {key}")


def flag(table: Mapping[str, Any], key: str, where: str) -> bool:
    """The boolean field ``key`` of ``table``; false when absent."""
    value: bool = field_of(table, key, bool, where, False)
    return value


def array_of(
    table: Mapping[str, Any], key: str, kind: type, where: str, default: Any
) -> list[Any]:
    """The array ``key`` of ``table`` whose every item is a ``kind``."""
    value = table.get(key)
    if value is None:
        return list(default)
    name = f"{where}: {key}"
    if not isinstance(value, list):
        raise ConfigurationError(
            f"{name} must be an array of {_TYPES[kind].removeprefix('a ')}s, got {shown(value)}",
            key=name,
        )
    return [typed(item, kind, f"{name}[{n}]") for n, item in enumerate(value)]
