"""What indicators return: tables of typed columns, and a report that gathers them.

Every indicator answers with a ``Table``: key columns first (the dimensions it was cut
by), then measures. Each ``Column`` has a ``kind`` that says what its values are:

- ``text``: a key (a channel, a team, a status...), ``None`` when the ticket has none;
- ``count``: an ``int``;
- ``seconds``: a duration in seconds (``int`` for medians and percentiles, ``float``
  for means), ``None`` when there is nothing to measure;
- ``rate``: a fraction from 0 to 1, ``None`` when the denominator is 0;
- ``score``: a satisfaction score from 1 to 5 (an average: ``float``).

``to_dict()`` gives JSON-ready data, ``to_csv()`` a CSV document, and the renderers
(terminal tables, the HTML page) read the kinds to format values.

>>> table = Table(
...     name="volume",
...     title=Label(pt="Volume por canal", en="Volume by channel"),
...     by=("channel",),
...     columns=(
...         Column("channel", Label(pt="Canal", en="Channel"), "text"),
...         Column("tickets", Label(pt="Chamados", en="Tickets"), "count"),
...     ),
...     rows=(("site", 12), ("amazon", 5)),
... )
>>> table.records()
[{'channel': 'site', 'tickets': 12}, {'channel': 'amazon', 'tickets': 5}]
>>> print(table.to_csv(), end="")
channel,tickets
site,12
amazon,5
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal

import pendulum
from attrs import field, frozen

from chamados.labels import Label

__all__ = ["Column", "Kind", "Report", "Table"]

Kind = Literal["text", "count", "seconds", "rate", "score"]


def _rows(value: Iterable[Iterable[Any]]) -> tuple[tuple[Any, ...], ...]:
    return tuple(tuple(row) for row in value)


def _tables(value: Iterable[Table]) -> tuple[Table, ...]:
    return tuple(value)


@frozen
class Column:
    """One column of a table: its machine name, its label, the kind of its values, and
    for ``text`` columns the words people read for known values (``values``:
    ``{"waiting_partner": Label(pt="Aguardando parceiro", ...)}``); data (``to_dict``,
    ``to_csv``) keeps the raw values."""

    name: str
    label: Label
    kind: Kind
    values: Mapping[str, Label] = field(factory=dict, eq=False, repr=False)

    def word(self, value: Any, lang: str) -> str | None:
        """How people read ``value`` in ``lang``, if the column knows; else ``None``."""
        label = self.values.get(value) if isinstance(value, str) else None
        return None if label is None else label.get(lang)


@frozen
class Table:
    """One indicator's answer: rows of values in the order of ``columns``."""

    name: str
    title: Label
    by: tuple[str, ...]
    columns: tuple[Column, ...]
    rows: tuple[tuple[Any, ...], ...] = field(converter=_rows)

    def __attrs_post_init__(self) -> None:
        width = len(self.columns)
        for row in self.rows:
            if len(row) != width:
                raise ValueError(f"a row of {self.name} has {len(row)} values for {width} columns")

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[tuple[Any, ...]]:
        return iter(self.rows)

    def column(self, name: str) -> list[Any]:
        """The values of one column, row by row."""
        index = [c.name for c in self.columns].index(name)
        return [row[index] for row in self.rows]

    def records(self) -> list[dict[str, Any]]:
        """The rows as dictionaries keyed by column name."""
        names = [c.name for c in self.columns]
        return [dict(zip(names, row, strict=True)) for row in self.rows]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the name, the title in both languages, the columns and the rows."""
        return {
            "name": self.name,
            "title": {"pt-BR": self.title.pt, "en": self.title.en},
            "by": list(self.by),
            "columns": [
                {"name": c.name, "kind": c.kind, "label": {"pt-BR": c.label.pt, "en": c.label.en}}
                for c in self.columns
            ],
            "rows": self.records(),
        }

    def to_csv(self) -> str:
        """A CSV document: a header of column names, then the raw values (seconds as
        numbers, rates as fractions, empty for ``None``)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([c.name for c in self.columns])
        for row in self.rows:
            writer.writerow(["" if value is None else value for value in row])
        return out.getvalue()


@frozen
class Report:
    """Every indicator over one period and scope, in the order they are printed.

    ``start`` and ``end`` bound the period (tickets created in it; ``start=None``: from
    the beginning); the backlog is as of ``end``. ``scope`` lists the filters applied
    (``{"channel": "amazon"}``), ``tenant`` the tenant (``None``: all).
    """

    start: pendulum.DateTime | None
    end: pendulum.DateTime
    tenant: str | None
    scope: Mapping[str, Any]
    tables: tuple[Table, ...] = field(converter=_tables)

    def __getitem__(self, name: str) -> Table:
        for table in self.tables:
            if table.name == name:
                return table
        raise KeyError(f"no indicator {name!r}; this report has {', '.join(self.names())}")

    def names(self) -> list[str]:
        return [table.name for table in self.tables]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the period, the scope and every table."""
        return {
            "start": None if self.start is None else self.start.isoformat(),
            "end": self.end.isoformat(),
            "tenant": self.tenant,
            "scope": dict(self.scope),
            "tables": [table.to_dict() for table in self.tables],
        }
