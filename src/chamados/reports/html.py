"""Reports as one self-contained HTML page: four SVG charts, then every table.

``report_html`` writes a single HTML5 document with its CSS and its charts inline: no
JavaScript, no fonts, images or styles from the network, so the file can be mailed,
archived or opened offline, and it prints (each chart and table row keeps together).

The charts, drawn when the report holds their table and it has rows:

- **volume**: one bar per row of ``volume`` (per channel, in practice);
- **SLA attainment**: per policy and metric, a bar split into met, breached and in
  progress deadlines, with the attainment percentage at its end;
- **backlog age**: per status, a bar split by age bucket, in ``AGE_BUCKETS`` order;
- **bottlenecks**: the median time in each active status, where work waits (business
  time; calendar time where there is no business measure), longest first; the statuses
  the report calls ``settled`` (resolved, closed) are left out, since no work waits
  there (the table keeps them).

Every text that comes from the data goes through ``html.escape``. The module is about
600 lines because the four charts share one drawing grammar (scales, bars, legends,
labels) and one stylesheet; each chart is a short function of it.

>>> import pendulum
>>> from chamados.reports.results import Report
>>> page = report_html(Report(None, pendulum.datetime(2026, 4, 7), None, {}, ()), lang="en")
>>> page.startswith('<!DOCTYPE html>\\n<html lang="en">')
True
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path
from typing import Any

from attrs import frozen

from chamados.labels import Label, Language, language
from chamados.reports.catalog import AGE_BUCKETS, DIMENSIONS
from chamados.reports.render import (
    NUMERIC_KINDS,
    format_cell,
    format_duration,
    format_period,
    format_scope,
    format_tenant,
    format_value,
    word,
)
from chamados.reports.results import Column, Report, Table

__all__ = ["report_html", "write_html"]

# Okabe-Ito colours (told apart with any colour vision), and a yellow-orange-brown ramp
# for ages (lighter is younger), its steps far apart in lightness.
BLUE = "#0072B2"
SKY = "#56B4E9"
VERMILION = "#D55E00"
GREY = "#BDBDBD"
AGE_COLOURS = ("#FEC44F", "#FE9929", "#CC4C02", "#662506")
EXTRA_COLOURS = ("#999999", "#666666", "#333333")
INK = "#1A1A1A"
MUTED = "#555555"

_TEXT: dict[str, Label] = {
    "charts": Label(pt="Gráficos", en="Charts"),
    "tables": Label(pt="Tabelas", en="Tables"),
    "no_rows": Label(pt="Sem dados no período.", en="No data for this period."),
    "total": Label(pt="Total", en="Total"),
    "by": Label(pt="por", en="by"),
    "volume_note": Label(pt="Chamados abertos no período.", en="Tickets created in the period."),
    "sla_title": Label(pt="Cumprimento de SLA", en="SLA attainment"),
    "sla_note": Label(
        pt="Prazos de cada política e métrica: cumpridos, violados e em andamento; à "
        "direita, o cumprimento (cumpridos sobre os encerrados).",
        en="Deadlines of each policy and metric: met, breached and in progress; on the "
        "right, the attainment (met over the settled ones).",
    ),
    "sla_axis": Label(pt="Parcela dos prazos", en="Share of deadlines"),
    "backlog_title": Label(pt="Idade do backlog", en="Backlog age"),
    "backlog_note": Label(
        pt="Chamados em aberto no fim do período, por status e idade.",
        en="Tickets open at the end of the period, by status and age.",
    ),
    "time_title": Label(pt="Gargalos: tempo em cada status", en="Bottlenecks: time in status"),
    "time_note": Label(
        pt="Mediana do tempo em cada status em que o trabalho espera (resolvidos e "
        "fechados de fora), em horas úteis, do maior para o menor.",
        en="Median time in each status where work waits (resolved and closed left out), "
        "in business hours, longest first.",
    ),
    "time_axis": Label(pt="Mediana", en="Median"),
    "business": Label(pt="Mediana (útil)", en="Median (business)"),
    "calendar": Label(
        pt="Mediana (corrida), sem medida útil", en="Median (calendar), no business measure"
    ),
}


def _t(key: str, lang: Language) -> str:
    return _TEXT[key].get(lang)


# ---------------------------------------------------------------------------- charts

_WIDTH = 880
_ROW = 28
_BAR = 18
_CHAR = 7.4  # a generous average advance of a 13px sans-serif character
_MAX_LABEL = 34  # characters of a row label before it is cut with "…"
_LEGEND_LINE = 20


@frozen
class _Segment:
    value: float
    colour: str
    text: str = ""  # drawn inside the segment when it fits


@frozen
class _Bar:
    label: str
    segments: tuple[_Segment, ...]
    end: str
    tip: str


@frozen
class _Axis:
    maximum: float
    ticks: tuple[tuple[float, str], ...]
    title: str


def _f(number: float) -> str:
    """A coordinate, short."""
    return f"{number:.1f}".removesuffix(".0")


def _text_colour(background: str) -> str:
    """Black or white, whichever reads better on ``background`` (``#RRGGBB``)."""
    channels = [int(background[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#FFFFFF" if (1.05 / (luminance + 0.05)) >= 4.5 else INK


def _cut(label: str) -> str:
    return label if len(label) <= _MAX_LABEL else label[: _MAX_LABEL - 1] + "…"


def _legend(items: Sequence[tuple[str, str]], right: float) -> tuple[list[str], float]:
    """The legend's SVG elements, laid out in lines that end before ``right``, and its
    height."""
    parts: list[str] = []
    x, y = 0.0, 14.0
    for colour, name in items:
        advance = 18 + len(name) * _CHAR + 20
        if x and x + advance > right:
            x, y = 0.0, y + _LEGEND_LINE
        parts.append(
            f'<rect x="{_f(x)}" y="{_f(y - 10)}" width="12" height="12" fill="{colour}"/>'
            f'<text x="{_f(x + 18)}" y="{_f(y)}">{escape(name)}</text>'
        )
        x += advance
    return parts, (y + 12 if items else 0)


def _svg_chart(
    ident: str,
    title: str,
    bars: Sequence[_Bar],
    axis: _Axis,
    *,
    legend: Sequence[tuple[str, str]] = (),
    end_title: str = "",
) -> str:
    """A horizontal bar chart: a label left of each bar, stacked segments, a text after
    the bar, vertical grid lines at the axis ticks, the axis title below."""
    label_chars = min(max((len(bar.label) for bar in bars), default=1), _MAX_LABEL)
    label_width = max(80.0, label_chars * _CHAR + 16)
    end_chars = max([len(bar.end) for bar in bars] + [len(end_title), 5])
    end_width = end_chars * _CHAR + 16
    x0, x1 = label_width, _WIDTH - end_width
    plot = x1 - x0

    legend_parts, legend_height = _legend(legend, x1)
    top = max(legend_height, 16.0 if end_title else 0.0) + 10
    bottom = top + len(bars) * _ROW
    height = bottom + 46

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{escape(ident)}-svg" '
        f'viewBox="0 0 {_WIDTH} {_f(height)}" width="{_WIDTH}" height="{_f(height)}" '
        f'role="img" aria-labelledby="{escape(ident)}-title" '
        f"font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif\" "
        f'font-size="13" fill="{INK}">',
        f'<title id="{escape(ident)}-title">{escape(title)}</title>',
        *legend_parts,
    ]
    if end_title:
        out.append(
            f'<text x="{_WIDTH - 4}" y="{_f(top - 8)}" text-anchor="end" '
            f'font-weight="600">{escape(end_title)}</text>'
        )
    for index in range(0, len(bars), 2):
        y = top + index * _ROW
        out.append(f'<rect x="0" y="{_f(y)}" width="{_WIDTH}" height="{_ROW}" fill="#F4F4F4"/>')
    scale = plot / axis.maximum if axis.maximum > 0 else 0.0
    for value, text in axis.ticks:
        x = x0 + value * scale
        out.append(
            f'<line x1="{_f(x)}" y1="{_f(top)}" x2="{_f(x)}" y2="{_f(bottom)}" '
            f'stroke="#D0D0D0" stroke-width="1"/>'
            f'<text x="{_f(x)}" y="{_f(bottom + 16)}" text-anchor="middle" font-size="12" '
            f'fill="{MUTED}">{escape(text)}</text>'
        )
    out.append(
        f'<text x="{_f(x0 + plot / 2)}" y="{_f(bottom + 36)}" text-anchor="middle" '
        f'fill="{MUTED}">{escape(axis.title)}</text>'
    )
    for index, bar in enumerate(bars):
        y = top + index * _ROW
        middle = y + _ROW / 2
        out.append(f"<g><title>{escape(bar.tip)}</title>")
        out.append(
            f'<text x="{_f(x0 - 8)}" y="{_f(middle)}" dy="0.35em" text-anchor="end">'
            f"{escape(_cut(bar.label))}</text>"
        )
        x = x0
        for segment in bar.segments:
            width = max(segment.value, 0) * scale
            if width <= 0:
                continue
            width = max(width, 1.5)
            out.append(
                f'<rect x="{_f(x)}" y="{_f(middle - _BAR / 2)}" width="{_f(width)}" '
                f'height="{_BAR}" fill="{segment.colour}"/>'
            )
            if segment.text and width >= len(segment.text) * _CHAR * 0.9 + 8:
                out.append(
                    f'<text x="{_f(x + width / 2)}" y="{_f(middle)}" dy="0.35em" '
                    f'text-anchor="middle" font-size="12" '
                    f'fill="{_text_colour(segment.colour)}">{escape(segment.text)}</text>'
                )
            x += width
        out.append(
            f'<text x="{_f(x + 6)}" y="{_f(middle)}" dy="0.35em" font-weight="600">'
            f"{escape(bar.end)}</text></g>"
        )
    out.append(
        f'<line x1="{_f(x0)}" y1="{_f(top)}" x2="{_f(x0)}" y2="{_f(bottom)}" '
        f'stroke="{MUTED}" stroke-width="1"/>'
    )
    out.append("</svg>")
    return "\n".join(out)


def _nice(raw: float) -> float:
    """The smallest of 1, 2, 5 times a power of ten that is at least ``raw``."""
    power: float = 10.0 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _count_axis(maximum: float, title: str, lang: Language) -> _Axis:
    step = max(1, int(_nice(maximum / 5))) if maximum > 0 else 1
    last = max(1, math.ceil(maximum / step))
    ticks = tuple((i * step, format_value(i * step, "count", lang)) for i in range(last + 1))
    return _Axis(last * step, ticks, title)


_DURATION_STEPS: tuple[int, ...] = (
    *(1, 5, 10, 15, 30),
    *(60 * m for m in (1, 2, 5, 10, 15, 30)),
    *(3600 * h for h in (1, 2, 3, 4, 6, 8, 12)),
    *(86_400 * d for d in (1, 2, 3, 7, 14, 30, 60, 90, 180, 365)),
)


def _duration_axis(maximum: float, title: str) -> _Axis:
    if maximum <= 0:
        step: float = 60
    else:
        step = next(
            (s for s in _DURATION_STEPS if maximum / s <= 6),
            _nice(maximum / 6 / 86_400) * 86_400,
        )
    last = max(1, math.ceil(maximum / step))
    ticks = tuple((i * step, format_duration(i * step) if i else "0") for i in range(last + 1))
    return _Axis(last * step, ticks, title)


def _percent_axis(title: str) -> _Axis:
    return _Axis(1.0, tuple((q / 4, f"{q * 25}%") for q in range(5)), title)


def _keys(table: Table, *, skip: Iterable[str] = ()) -> list[int]:
    """The indexes of ``table``'s key columns (text), but those named in ``skip``."""
    skipped = set(skip)
    return [
        i
        for i, column in enumerate(table.columns)
        if column.kind == "text" and column.name not in skipped
    ]


def _row_label(
    row: Sequence[Any], keys: Sequence[int], lang: Language, columns: Sequence[Column]
) -> str:
    if not keys:
        return _t("total", lang)
    return " · ".join(format_cell(row[i], columns[i], lang) for i in keys)


def _cut_title(table: Table, lang: Language) -> str:
    """The table's title, with the dimensions it is cut by (``por canal``)."""
    title = table.title.get(lang)
    if not table.by:
        return title
    names = [DIMENSIONS[d].get(lang).lower() if d in DIMENSIONS else d for d in table.by]
    return f"{title} {_t('by', lang)} {', '.join(names)}"


def _index(table: Table, name: str) -> int:
    """Where the column ``name`` is in ``table``; the charts read the catalog's columns."""
    names = [column.name for column in table.columns]
    if name not in names:
        raise ValueError(
            f"the {table.name} chart needs a column {name!r}, and the table has only "
            f"{', '.join(names)}; build it from chamados.reports.INDICATORS[{table.name!r}]"
        )
    return names.index(name)


def _volume_chart(table: Table, lang: Language) -> str:
    count = _index(table, "tickets")
    keys = _keys(table)
    bars = []
    for row in table.rows:
        label = _row_label(row, keys, lang, table.columns)
        shown = format_value(row[count], "count", lang)
        bars.append(_Bar(label, (_Segment(row[count] or 0, BLUE),), shown, f"{label}: {shown}"))
    axis_title = table.columns[count].label.get(lang)
    axis = _count_axis(max((row[count] or 0) for row in table.rows), axis_title, lang)
    return _svg_chart("chart-volume", _cut_title(table, lang), bars, axis)


def _sla_chart(table: Table, lang: Language) -> str:
    parts = [
        (_index(table, name), colour)
        for name, colour in (("met", BLUE), ("breached", VERMILION), ("running", GREY))
    ]
    rate = _index(table, "attainment")
    keys = _keys(table)
    bars = []
    for row in table.rows:
        counts = [row[i] or 0 for i, _ in parts]
        total = sum(counts)
        label = _row_label(row, keys, lang, table.columns)
        shown = format_value(row[rate], "rate", lang)
        segments = tuple(
            _Segment(n / total if total else 0, colour, format_value(n, "count", lang))
            for n, (_, colour) in zip(counts, parts, strict=True)
        )
        described = ", ".join(
            f"{format_value(n, 'count', lang)} {table.columns[i].label.get(lang).lower()}"
            for n, (i, _) in zip(counts, parts, strict=True)
        )
        tip = f"{label}: {described}; {table.columns[rate].label.get(lang).lower()} {shown}"
        bars.append(_Bar(label, segments, shown, tip))
    legend = [(colour, table.columns[i].label.get(lang)) for i, colour in parts]
    return _svg_chart(
        "chart-sla",
        _t("sla_title", lang),
        bars,
        _percent_axis(_t("sla_axis", lang)),
        legend=legend,
        end_title=table.columns[rate].label.get(lang),
    )


def _backlog_chart(table: Table, lang: Language) -> str:
    age, tickets = _index(table, "age"), _index(table, "tickets")
    keys = _keys(table, skip=["age"])
    buckets = [name for name, _ in AGE_BUCKETS]
    groups: dict[tuple[Any, ...], dict[str, int]] = {}
    for row in table.rows:
        bucket = format_value(row[age], "text", lang)
        if bucket not in buckets:
            buckets.append(bucket)
        counts = groups.setdefault(tuple(row[i] for i in keys), {})
        counts[bucket] = counts.get(bucket, 0) + (row[tickets] or 0)
    colours = dict(zip(buckets, AGE_COLOURS + EXTRA_COLOURS * len(buckets), strict=False))
    bars = []
    for key, counts in groups.items():
        label = _row_label(key, range(len(key)), lang, [table.columns[i] for i in keys])
        total = sum(counts.values())
        shown = format_value(total, "count", lang)
        segments = tuple(
            _Segment(counts[b], colours[b], format_value(counts[b], "count", lang))
            for b in buckets
            if counts.get(b)
        )
        detail = ", ".join(
            f"{b}: {format_value(counts[b], 'count', lang)}" for b in buckets if counts.get(b)
        )
        bars.append(_Bar(label, segments, shown, f"{label}: {shown} ({detail})"))
    axis = _count_axis(
        max(sum(c.values()) for c in groups.values()), table.columns[tickets].label.get(lang), lang
    )
    legend = [(colours[b], b) for b in buckets]
    return _svg_chart("chart-backlog", _t("backlog_title", lang), bars, axis, legend=legend)


def _time_chart(table: Table, lang: Language) -> str:
    business, calendar = _index(table, "business_median"), _index(table, "calendar_median")
    keys = _keys(table)
    measured: list[tuple[float | None, str, _Bar]] = []
    for row in table.rows:
        label = _row_label(row, keys, lang, table.columns)
        if row[business] is not None:
            value, colour, kind = row[business], BLUE, table.columns[business].label
        elif row[calendar] is not None:
            value, colour, kind = row[calendar], SKY, table.columns[calendar].label
        else:
            value, colour, kind = None, BLUE, table.columns[business].label
        shown = format_value(value, "seconds", lang)
        tip = f"{label}: {shown} ({kind.get(lang).lower()})"
        segments = () if value is None else (_Segment(value, colour),)
        measured.append((value, colour, _Bar(label, segments, shown, tip)))
    measured.sort(key=lambda item: -1 if item[0] is None else item[0], reverse=True)
    bars = [bar for _, _, bar in measured]
    legend = [(BLUE, _t("business", lang))]
    if any(colour == SKY for value, colour, _ in measured if value is not None):
        legend.append((SKY, _t("calendar", lang)))
    values = [value for value, _, _ in measured if value is not None]
    axis = _duration_axis(max(values, default=0), _t("time_axis", lang))
    return _svg_chart("chart-time", _cut_title(table, lang), bars, axis, legend=legend)


_CHARTS = (
    ("volume", "chart-volume", None, "volume_note", _volume_chart),
    ("sla_attainment", "chart-sla", "sla_title", "sla_note", _sla_chart),
    ("backlog", "chart-backlog", "backlog_title", "backlog_note", _backlog_chart),
    ("time_in_status", "chart-time", "time_title", "time_note", _time_chart),
)


def _waiting(table: Table, settled: frozenset[str]) -> Table:
    """``table`` without the rows of ``settled`` statuses: a bottleneck is where work
    waits, and a resolved ticket waits for nobody."""
    status = _index(table, "status")
    rows = [row for row in table.rows if row[status] not in settled]
    return Table(table.name, table.title, table.by, table.columns, rows)


def _figures(report: Report, lang: Language) -> list[str]:
    names = set(report.names())
    out = []
    for name, ident, title_key, note_key, draw in _CHARTS:
        if name not in names:
            continue
        table = report[name]
        if name == "time_in_status":
            table = _waiting(table, report.settled)
        title = _cut_title(table, lang) if title_key is None else _t(title_key, lang)
        body = draw(table, lang) if table.rows else f'<p class="empty">{_t("no_rows", lang)}</p>'
        out.append(
            f'<figure id="{ident}">\n<figcaption><h3>{escape(title)}</h3>\n'
            f'<p class="note">{escape(_t(note_key, lang))}</p></figcaption>\n{body}\n</figure>'
        )
    return out


# ---------------------------------------------------------------------------- tables


def _html_table(table: Table, lang: Language) -> str:
    ident = escape(f"table-{table.name}")
    caption = escape(_cut_title(table, lang))
    if not table.rows:
        return (
            f'<section class="table" id="{ident}"><h3>{caption}</h3>\n'
            f'<p class="empty">{_t("no_rows", lang)}</p></section>'
        )

    def cls(kind: str, value: Any = 0) -> str:
        names = (["num"] if kind in NUMERIC_KINDS else []) + (["missing"] if value is None else [])
        return f' class="{" ".join(names)}"' if names else ""

    head = "".join(
        f'<th scope="col"{cls(c.kind)}>{escape(c.label.get(lang))}</th>' for c in table.columns
    )
    body = "\n".join(
        "<tr>"
        + "".join(
            f"<td{cls(c.kind, value)}>{escape(format_cell(value, c, lang))}</td>"
            for value, c in zip(row, table.columns, strict=True)
        )
        + "</tr>"
        for row in table.rows
    )
    return (
        f'<section class="table" id="{ident}"><h3>{caption}</h3>\n<div class="scroll">'
        f"<table>\n<thead><tr>{head}</tr></thead>\n<tbody>\n{body}\n</tbody>\n</table></div>"
        "</section>"
    )


# ---------------------------------------------------------------------------- page

_CSS = """
* { box-sizing: border-box; }
html { color-scheme: light; }
body { margin: 0; background: #fff; color: #1a1a1a;
  font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial,
  sans-serif; }
main { max-width: 940px; margin: 0 auto; padding: 28px 24px 48px; }
h1 { font-size: 1.6rem; margin: 0 0 .6rem; }
h2 { font-size: 1.3rem; margin: 2.2rem 0 1rem; padding-bottom: .3rem;
  border-bottom: 1px solid #d0d0d0; }
h3 { font-size: 1.05rem; margin: 0 0 .2rem; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; }
dl.meta dt { font-weight: 600; color: #444; }
dl.meta dd { margin: 0; }
nav ul { margin: .8rem 0 0; padding: 0; list-style: none; display: flex; flex-wrap: wrap;
  gap: .3rem 1.2rem; font-size: .9rem; }
a { color: #005a8c; }
figure { margin: 0 0 2rem; break-inside: avoid; }
figcaption { margin-bottom: .5rem; }
.note { color: #555; font-size: .9rem; margin: 0; }
svg.chart { display: block; width: 100%; max-width: 880px; height: auto; }
section.table { margin: 0 0 1.8rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: .875rem; font-variant-numeric: tabular-nums; }
th, td { padding: .3rem .65rem; border-bottom: 1px solid #e2e2e2; text-align: left;
  vertical-align: bottom; }
thead th { border-bottom: 2px solid #8a8a8a; font-weight: 600; }
th.num, td.num { text-align: right; }
td { white-space: nowrap; }
td.missing { color: #6b6b6b; }
tbody tr:nth-child(even) { background: #f6f6f6; }
.empty { color: #555; font-style: italic; margin: .2rem 0 0; }
@page { margin: 14mm; }
@media print {
  body { font-size: 10pt; }
  main { max-width: none; padding: 0; }
  nav { display: none; }
  .scroll { overflow: visible; }
  h2, h3 { break-after: avoid; }
  thead { display: table-header-group; }
  tr { break-inside: avoid; }
  td { white-space: normal; }
  tbody tr:nth-child(even) { background: none; }
}
"""


def report_html(report: Report, *, lang: str = "pt-BR") -> str:
    """``report`` as one HTML5 page: a heading (period, tenant, filters), the four charts
    (those whose tables the report holds), then every table; self-contained, no script.
    """
    lang = language(lang)
    heading = word("report", lang)
    period = format_period(report.start, report.end, lang)
    meta = "".join(
        f"<dt>{escape(term)}</dt><dd>{escape(value)}</dd>"
        for term, value in (
            (word("period", lang), period),
            (word("tenant", lang), format_tenant(report.tenant, lang)),
            (word("scope", lang), format_scope(report.scope, lang)),
        )
    )
    links = "".join(
        f'<li><a href="#{escape(f"table-{t.name}")}">{escape(t.title.get(lang))}</a></li>'
        for t in report.tables
    )
    figures = _figures(report, lang)
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{lang}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(heading)}: {escape(period)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<header><h1>{escape(heading)}</h1>",
        f'<dl class="meta">{meta}</dl>',
        f"<nav><ul>{links}</ul></nav></header>" if links else "</header>",
    ]
    if figures:
        parts += [f'<section id="charts"><h2>{_t("charts", lang)}</h2>', *figures, "</section>"]
    if report.tables:
        parts += [
            f'<section id="tables"><h2>{_t("tables", lang)}</h2>',
            *(_html_table(table, lang) for table in report.tables),
            "</section>",
        ]
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)


def write_html(report: Report, path: str | os.PathLike[str], *, lang: str = "pt-BR") -> Path:
    """Write ``report_html(report, lang=lang)`` to ``path`` (UTF-8) and return the path."""
    target = Path(path)
    target.write_text(report_html(report, lang=lang), encoding="utf-8")
    return target
