"""Indicators and reports: where tickets wait, which SLAs slip, which partners answer late.

``Helpdesk.indicator(name, by=..., **filters)`` and ``Helpdesk.report(...)`` compute them
through the storage's engine (``Storage.indicators()``); ``render_report`` prints a
report, ``report_html`` draws it as a page with charts. See ``docs/reports.md``.
"""

from chamados.reports.catalog import AGE_BUCKETS, DIMENSIONS, INDICATORS, Indicator
from chamados.reports.html import report_html, write_html
from chamados.reports.port import DEFAULT_CUTS, IndicatorEngine, Scope
from chamados.reports.render import format_value, render_report, render_table
from chamados.reports.results import Column, Report, Table

__all__ = [
    "AGE_BUCKETS",
    "DEFAULT_CUTS",
    "DIMENSIONS",
    "INDICATORS",
    "Column",
    "Indicator",
    "IndicatorEngine",
    "Report",
    "Scope",
    "Table",
    "format_value",
    "render_report",
    "render_table",
    "report_html",
    "write_html",
]
