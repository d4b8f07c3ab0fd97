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

CSV is made to be opened in a spreadsheet, so by default ``to_csv()`` neutralises
formula injection as OWASP recommends: a text cell that starts with ``=``, ``+``, ``-``,
``@``, a tab, a carriage return or NUL (``FORMULA_TRIGGERS``) gets a ``'`` in front and
is quoted, so Excel, LibreOffice and Google Sheets show it as text instead of running
it. Only text is touched: the numbers chamados computes (counts, seconds, rates,
scores, negative ones included) are written as numbers. A cell holding a line break
(a bare CR too) is always quoted, so it never splits a row. ``to_csv(safe=False)``
writes the text raw, for programs that read the data rather than people.

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
>>> hostile = Table(table.name, table.title, table.by, table.columns, [("=1+1", -3)])
>>> print(hostile.to_csv(), end="")
channel,tickets
"'=1+1",-3
>>> print(hostile.to_csv(safe=False), end="")
channel,tickets
=1+1,-3
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Literal

import pendulum
from attrs import field, frozen

from chamados.labels import Label

__all__ = ["FORMULA_TRIGGERS", "Column", "Kind", "Report", "Table"]

Kind = Literal["text", "count", "seconds", "rate", "score"]

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\0")
"""The first characters that make a spreadsheet read a CSV cell as a formula (OWASP's
list, and NUL from ASVS 1.2.10); ``to_csv()`` puts a ``'`` before them in text cells."""

_QUOTED = frozenset(',"\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029')
"""What makes a CSV cell need quotes: the separator, the quote, and every line break
(``str.splitlines`` breaks; CSV readers split rows on CR and LF)."""


def _csv_cell(value: Any, *, safe: bool) -> str:
    """One value as a CSV field: numbers as they are, ``None`` empty, text quoted when it
    holds a separator, a quote or a line break, and neutralised when ``safe``."""
    if value is None:
        return ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    text = str(value)
    neutralise = safe and text.startswith(FORMULA_TRIGGERS)
    if neutralise:
        text = "'" + text
    if neutralise or not _QUOTED.isdisjoint(text):
        return '"' + text.replace('"', '""') + '"'
    return text


def _csv_line(values: Iterable[Any], *, safe: bool) -> str:
    cells = [_csv_cell(value, safe=safe) for value in values]
    if cells == [""]:
        return '""\n'  # one empty cell: an empty line would read as no cells at all
    return ",".join(cells) + "\n"


def _rows(value: Iterable[Iterable[Any]]) -> tuple[tuple[Any, ...], ...]:
    return tuple(tuple(row) for row in value)


def _tables(value: Iterable[Table]) -> tuple[Table, ...]:
    return tuple(value)


def _names(value: Iterable[str]) -> frozenset[str]:
    return frozenset(value)


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

    def to_csv(self, *, safe: bool = True) -> str:
        """A CSV document: a header of column names, then the raw values (seconds as
        numbers, rates as fractions, empty for ``None``), one row a line (``\\n``).

        ``safe`` (the default) puts a ``'`` before text cells that would start a
        spreadsheet formula (``FORMULA_TRIGGERS``); ``safe=False`` writes them raw.
        Either way a cell with a separator, a quote or a line break is quoted."""
        lines = [_csv_line((c.name for c in self.columns), safe=safe)]
        lines.extend(_csv_line(row, safe=safe) for row in self.rows)
        return "".join(lines)


@frozen
class Report:
    """Every indicator over one period and scope, in the order they are printed.

    ``start`` and ``end`` bound the period (tickets created in it; ``start=None``: from
    the beginning); the backlog is as of ``end``. ``scope`` lists the filters applied
    (``{"channel": "amazon"}``), ``tenant`` the tenant (``None``: all). ``settled``
    names the statuses that are not active (resolved, closed): the bottleneck chart
    leaves them out, since no work waits there.
    """

    start: pendulum.DateTime | None
    end: pendulum.DateTime
    tenant: str | None
    scope: Mapping[str, Any]
    tables: tuple[Table, ...] = field(converter=_tables)
    settled: frozenset[str] = field(default=frozenset(), converter=_names, kw_only=True)

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
