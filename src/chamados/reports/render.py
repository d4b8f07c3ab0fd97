"""Reports as plain text: values formatted by kind, tables aligned for a terminal.

``format_value`` turns one value into the text people read, by its column's kind;
``render_table`` lays a ``Table`` out in aligned columns (text to the left, numbers to
the right); ``render_report`` prints the period, the tenant, the filters and every table.
Labels and number formats follow ``lang`` (``"pt-BR"`` or ``"en"``).

>>> from chamados.labels import Label
>>> from chamados.reports.results import Column, Table
>>> table = Table(
...     name="volume",
...     title=Label(pt="Volume de chamados", en="Ticket volume"),
...     by=("channel",),
...     columns=(
...         Column("channel", Label(pt="Canal", en="Channel"), "text"),
...         Column("tickets", Label(pt="Chamados", en="Tickets"), "count"),
...     ),
...     rows=(("site", 1234), ("amazon", 56), (None, 7)),
... )
>>> print(render_table(table, lang="en"))
Ticket volume
Channel  Tickets
-------  -------
site       1,234
amazon        56
-              7
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pendulum

from chamados.labels import Label, Language, language
from chamados.reports.catalog import DIMENSIONS
from chamados.reports.results import Column, Report, Table

__all__ = [
    "format_duration",
    "format_period",
    "format_scope",
    "format_tenant",
    "format_value",
    "printable",
    "render_report",
    "render_table",
]

NUMERIC_KINDS = frozenset({"count", "seconds", "rate", "score"})
"""The kinds whose values are numbers (right-aligned in tables)."""

MISSING = "-"
"""How a ``None`` value (or a ticket without the key) is shown."""

_GAP = "  "

_WORDS: dict[str, Label] = {
    "empty": Label(pt="(vazio)", en="(none)"),
    "report": Label(pt="Relatório de chamados", en="Support ticket report"),
    "period": Label(pt="Período", en="Period"),
    "tenant": Label(pt="Loja", en="Tenant"),
    "all_tenants": Label(pt="todas", en="all"),
    "scope": Label(pt="Filtros", en="Filters"),
    "no_filters": Label(pt="nenhum", en="none"),
}

_MONTHS: dict[Language, tuple[str, ...]] = {
    "pt-BR": (
        "janeiro",
        "fevereiro",
        "março",
        "abril",
        "maio",
        "junho",
        "julho",
        "agosto",
        "setembro",
        "outubro",
        "novembro",
        "dezembro",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}


def word(key: str, lang: str) -> str:
    """One of the renderers' fixed words (``"empty"``, ``"period"``...) in ``lang``."""
    return _WORDS[key].get(lang)


def _localise_number(text: str, lang: Language) -> str:
    """Swap the separators of a number Python formatted in English style for pt-BR."""
    if lang == "en":
        return text
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def format_duration(seconds: float) -> str:
    """A duration as a short text, in its two largest units, truncated (never rounded up
    into the next unit).

    Under a minute: seconds; under an hour: minutes; under a day: hours and minutes
    (minutes on two digits); from a day on: days and hours. The same in both languages.

    >>> [format_duration(s) for s in (0, 45, 59.6, 720, 3 * 3600, 3 * 3600 + 1200)]
    ['0s', '45s', '59s', '12min', '3h', '3h20']
    >>> format_duration(2 * 86_400 + 4 * 3600 + 59), format_duration(86_400)
    ('2d 4h', '1d')
    """
    total = int(abs(seconds))
    sign = "-" if seconds < 0 and total else ""
    if total < 60:
        text = f"{total}s"
    elif total < 3600:
        text = f"{total // 60}min"
    elif total < 86_400:
        hours, minutes = divmod(total // 60, 60)
        text = f"{hours}h{minutes:02d}" if minutes else f"{hours}h"
    else:
        days, hours = divmod(total // 3600, 24)
        text = f"{days}d {hours}h" if hours else f"{days}d"
    return sign + text


def format_cell(value: Any, column: Column, lang: str = "pt-BR") -> str:
    """``value`` in ``column`` as people read it: the column's word for a known value
    (a status's label, a metric's name), else ``format_value`` of its kind."""
    word = column.word(value, lang)
    return format_value(value, column.kind, lang) if word is None else word


def format_value(value: Any, kind: str, lang: str = "pt-BR") -> str:
    """``value`` as the text people read, by the ``kind`` of its column.

    ``None`` is ``"-"`` for every kind. Counts get thousands separators, rates become
    percentages with one decimal, scores get one decimal, durations (seconds) read as
    ``format_duration`` says; text goes through ``printable`` (a newline, an escape
    sequence or a right-to-left override in a team name must not break a terminal table).

    >>> format_value(1234, "count"), format_value(1234, "count", "en")
    ('1.234', '1,234')
    >>> format_value(0.875, "rate"), format_value(0.875, "rate", "en")
    ('87,5%', '87.5%')
    >>> format_value(4.3, "score"), format_value(4.26, "score", "en")
    ('4,3', '4.3')
    >>> format_value(12_000, "seconds"), format_value(None, "seconds")
    ('3h20', '-')

    An unknown kind is refused:

    >>> format_value(1, "money")
    Traceback (most recent call last):
    ...
    ValueError: unknown column kind 'money'; expected one of count, rate, score, seconds, text
    """
    lang = language(lang)
    if kind not in NUMERIC_KINDS and kind != "text":
        kinds = ", ".join(sorted(NUMERIC_KINDS | {"text"}))
        raise ValueError(f"unknown column kind {kind!r}; expected one of {kinds}")
    if value is None:
        return MISSING
    if kind == "text":
        return printable(str(value))
    if kind == "count":
        return _localise_number(f"{value:,}", lang)
    if kind == "seconds":
        return format_duration(value)
    if kind == "rate":
        return _localise_number(f"{value * 100:.1f}", lang) + "%"
    return _localise_number(f"{value:.1f}", lang)


UNPRINTABLE = frozenset(
    [
        *map(chr, range(0x20)),  # C0 controls: newline, carriage return, escape...
        *map(chr, range(0x7F, 0xA0)),  # DEL and the C1 controls
        "\u061c",  # arabic letter mark
        "\u200e",  # left-to-right mark
        "\u200f",  # right-to-left mark
        *map(chr, range(0x202A, 0x202F)),  # bidi embeddings and overrides (U+202E)
        *map(chr, range(0x2066, 0x206A)),  # bidi isolates
        "\u2028",  # line separator
        "\u2029",  # paragraph separator
    ]
)
"""Characters that must not reach a terminal or a page from the data: controls that
move the cursor or break lines, and bidirectional controls that reorder what is shown
(the "Trojan Source" trick). ``printable`` replaces each with a space."""


def printable(text: str) -> str:
    """``text`` with every ``UNPRINTABLE`` character replaced by a space: what the
    terminal report and the HTML page show of a value that comes from the data.

    >>> printable("N1\\nN2\\x1b[31m"), printable("abc\\u202edcba")
    ('N1 N2 [31m', 'abc dcba')
    """
    return "".join(" " if char in UNPRINTABLE else char for char in text)


def _plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else many


def _cut_note(shown: int, total: int, lang: Language) -> str:
    hidden = total - shown
    if lang == "pt-BR":
        return f"... mais {hidden} {_plural(hidden, 'linha', 'linhas')} ({total} no total)"
    return f"... {hidden} more {_plural(hidden, 'row', 'rows')} ({total} in total)"


def _align(cells: Sequence[str], columns: Sequence[Column], widths: Sequence[int]) -> str:
    parts = [
        cell.rjust(width) if column.kind in NUMERIC_KINDS else cell.ljust(width)
        for cell, column, width in zip(cells, columns, widths, strict=True)
    ]
    return _GAP.join(parts).rstrip()


def render_table(table: Table, *, lang: str = "pt-BR", max_rows: int | None = None) -> str:
    """``table`` as aligned plain text: its title, a header of column labels, a rule, then
    one line per row (numbers right-aligned, text left-aligned, two spaces between
    columns, no trailing spaces).

    ``max_rows`` keeps the first rows and ends with a note saying how many were left
    out; an empty table reads ``(vazio)`` (``(none)`` in English).

    >>> from chamados.labels import Label
    >>> from chamados.reports.results import Column, Table
    >>> table = Table(
    ...     name="reopen_rate",
    ...     title=Label(pt="Taxa de reabertura", en="Reopen rate"),
    ...     by=("team",),
    ...     columns=(
    ...         Column("team", Label(pt="Equipe", en="Team"), "text"),
    ...         Column("rate", Label(pt="Taxa", en="Rate"), "rate"),
    ...     ),
    ...     rows=(("N1", 0.05), ("N2", 0.125), ("Parceiros", None)),
    ... )
    >>> print(render_table(table, max_rows=2))
    Taxa de reabertura
    Equipe   Taxa
    ------  -----
    N1       5,0%
    N2      12,5%
    ... mais 1 linha (3 no total)
    >>> print(render_table(Table("x", Label(pt="Vazia", en="Empty"), (), (), ()), lang="en"))
    Empty
    (none)
    """
    lang = language(lang)
    if max_rows is not None and max_rows < 0:
        raise ValueError(f"max_rows must be 0 or more (or None for every row), not {max_rows}")
    title = table.title.get(lang)
    if not table.rows:
        return f"{title}\n{word('empty', lang)}"
    rows = table.rows if max_rows is None else table.rows[:max_rows]
    header = [column.label.get(lang) for column in table.columns]
    body = [
        [
            format_cell(value, column, lang)
            for value, column in zip(row, table.columns, strict=True)
        ]
        for row in rows
    ]
    widths = [max(len(line[i]) for line in [header, *body]) for i in range(len(header))]
    lines = [
        title,
        _align(header, table.columns, widths),
        _GAP.join("-" * width for width in widths),
        *(_align(line, table.columns, widths) for line in body),
    ]
    if len(rows) < len(table.rows):
        lines.append(_cut_note(len(rows), len(table.rows), lang))
    return "\n".join(lines)


def _last_day(start: pendulum.DateTime | None, end: pendulum.DateTime) -> pendulum.Date:
    """The last calendar day a period touches: a period that ends at midnight covers the
    day before (nothing of the end day but its first instant)."""
    midnight = end.hour == end.minute == end.second == end.microsecond == 0
    if midnight and (start is None or end > start):
        return end.date().subtract(days=1)
    return end.date()


def _day(date: pendulum.Date, lang: Language, *, month: bool = True, year: bool = True) -> str:
    name = _MONTHS[lang][date.month - 1]
    if lang == "pt-BR":
        text = f"{date.day}"
        if month:
            text += f" de {name}"
        if year:
            text += f" de {date.year}"
        return text
    text = f"{name} {date.day}" if month else f"{date.day}"
    return f"{text}, {date.year}" if year else text


def format_period(
    start: pendulum.DateTime | None, end: pendulum.DateTime, lang: str = "pt-BR"
) -> str:
    """The period a report covers, as people say it, in each bound's own time zone.

    A period that ends at midnight ends the day before (``end`` is then the first
    instant after the period); without ``start`` it runs from the beginning.

    >>> start = pendulum.datetime(2026, 4, 2, tz="America/Sao_Paulo")
    >>> end = pendulum.datetime(2026, 4, 7, tz="America/Sao_Paulo")
    >>> format_period(start, end), format_period(start, end, "en")
    ('2 a 6 de abril de 2026', 'April 2–6, 2026')
    >>> format_period(pendulum.datetime(2025, 12, 29), end)
    '29 de dezembro de 2025 a 6 de abril de 2026'
    >>> format_period(None, end, "en")
    'until April 6, 2026'
    """
    lang = language(lang)
    last = _last_day(start, end)
    if start is None:
        prefix = "até" if lang == "pt-BR" else "until"
        return f"{prefix} {_day(last, lang)}"
    first = start.date()
    if first >= last:
        return _day(first, lang)
    same_year = first.year == last.year
    same_month = same_year and first.month == last.month
    if lang == "pt-BR":
        return (
            f"{_day(first, lang, month=not same_month, year=not same_year)} a {_day(last, lang)}"
        )
    if same_month:
        return f"{_MONTHS['en'][first.month - 1]} {first.day}–{last.day}, {last.year}"
    return f"{_day(first, lang, year=not same_year)} – {_day(last, lang)}"


def _scope_value(value: Any) -> str:
    if isinstance(value, str) or not isinstance(value, Iterable):
        return format_value(value, "text")
    return ", ".join(format_value(item, "text") for item in value)


def format_scope(scope: Mapping[str, Any], lang: str = "pt-BR") -> str:
    """The filters of a report: ``dimension: value`` pairs (the dimension's label when it
    is one of ``DIMENSIONS``), ``; ``-separated; ``nenhum``/``none`` when there are none.

    >>> format_scope({"channel": "amazon", "team": ["N1", "N2"]})
    'Canal: amazon; Equipe: N1, N2'
    >>> format_scope({}, "en")
    'none'
    """
    lang = language(lang)
    if not scope:
        return word("no_filters", lang)
    parts = []
    for key, value in scope.items():
        name = DIMENSIONS[key].get(lang) if key in DIMENSIONS else printable(str(key))
        parts.append(f"{name}: {_scope_value(value)}")
    return "; ".join(parts)


def format_tenant(tenant: str | None, lang: str = "pt-BR") -> str:
    """The tenant a report covers; ``todas``/``all`` for ``None``."""
    return word("all_tenants", lang) if tenant is None else format_value(tenant, "text")


def render_report(report: Report, *, lang: str = "pt-BR", max_rows: int | None = None) -> str:
    """``report`` as plain text: a heading (period, tenant, filters), then every table as
    ``render_table`` draws it, a blank line between them."""
    lang = language(lang)
    heading = "\n".join(
        [
            word("report", lang),
            f"{word('period', lang)}: {format_period(report.start, report.end, lang)}",
            f"{word('tenant', lang)}: {format_tenant(report.tenant, lang)}",
            f"{word('scope', lang)}: {format_scope(report.scope, lang)}",
        ]
    )
    tables = [render_table(table, lang=lang, max_rows=max_rows) for table in report.tables]
    return "\n\n".join([heading, *tables])
