"""Reports rendered as terminal text and as a self-contained HTML page."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pendulum
import pytest

from chamados import Helpdesk, MemoryStorage
from chamados.exceptions import ConfigurationError
from chamados.labels import Label
from chamados.reports import Column, Report, Table
from chamados.reports.html import BLUE, SKY, report_html, write_html
from chamados.reports.render import (
    format_duration,
    format_period,
    format_scope,
    format_value,
    render_report,
    render_table,
)
from tests.report_samples import END, HOSTILE_TEAM, START, sample_report, sized_report, table

SVG = "{http://www.w3.org/2000/svg}"
CHARTS = ("chart-volume", "chart-sla", "chart-backlog", "chart-time")


def volume(rows: list[tuple[object, ...]]) -> Table:
    """A volume-by-channel table holding ``rows``."""
    return table("volume", ("channel",), rows)


# ---------------------------------------------------------------------- format_value


@pytest.mark.parametrize(
    ("value", "pt", "en"),
    [
        (0, "0", "0"),
        (7, "7", "7"),
        (1234, "1.234", "1,234"),
        (1_234_567, "1.234.567", "1,234,567"),
    ],
)
def test_counts_get_thousands_separators_in_each_language(value: int, pt: str, en: str) -> None:
    """Counts use a dot for thousands in pt-BR and a comma in English."""
    assert format_value(value, "count", "pt-BR") == pt
    assert format_value(value, "count", "en") == en


@pytest.mark.parametrize(
    ("value", "pt", "en"),
    [
        (0.875, "87,5%", "87.5%"),
        (0.0, "0,0%", "0.0%"),
        (1.0, "100,0%", "100.0%"),
        (1 / 3, "33,3%", "33.3%"),
    ],
)
def test_rates_are_percentages_with_one_decimal(value: float, pt: str, en: str) -> None:
    """A rate from 0 to 1 reads as a percentage, with the language's decimal mark."""
    assert format_value(value, "rate", "pt-BR") == pt
    assert format_value(value, "rate", "en") == en


def test_scores_have_one_decimal_with_the_languages_mark() -> None:
    """A CSAT average reads 4,3 in pt-BR and 4.3 in English."""
    assert format_value(4.3, "score", "pt-BR") == "4,3"
    assert format_value(4.26, "score", "en") == "4.3"
    assert format_value(5, "score", "en") == "5.0"


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "0s"),
        (45, "45s"),
        (59.9, "59s"),
        (60, "1min"),
        (12 * 60 + 59, "12min"),
        (3600, "1h"),
        (3 * 3600 + 20 * 60, "3h20"),
        (3 * 3600 + 5 * 60, "3h05"),
        (23 * 3600 + 59 * 60 + 59, "23h59"),
        (86_400, "1d"),
        (2 * 86_400 + 4 * 3600 + 1800, "2d 4h"),
        (400 * 86_400, "400d"),
        (-90, "-1min"),
    ],
)
def test_durations_read_in_their_two_largest_units(seconds: float, text: str) -> None:
    """Durations are short, truncated to their units, the same in both languages."""
    assert format_value(seconds, "seconds", "pt-BR") == text
    assert format_value(seconds, "seconds", "en") == text
    assert format_duration(seconds) == text


@pytest.mark.parametrize("kind", ["text", "count", "seconds", "rate", "score"])
def test_none_is_a_dash_for_every_kind(kind: str) -> None:
    """A missing value reads "-" whatever its column's kind."""
    assert format_value(None, kind, "pt-BR") == "-"
    assert format_value(None, kind, "en") == "-"


def test_text_loses_control_characters() -> None:
    """A newline or an escape sequence in a key cannot break a terminal table."""
    assert format_value("N1\nN2\x1b[31m", "text") == "N1 N2 [31m"


BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068"]
BIDI += ["\u2069", "\u200e", "\u200f", "\u061c"]


@pytest.mark.parametrize("control", BIDI)
def test_text_loses_bidirectional_controls(control: str) -> None:
    """A right-to-left override or isolate in a key cannot reorder what a table shows."""
    assert format_value(f"sac{control}gol", "text") == "sac gol"


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_text_loses_unicode_line_separators(separator: str) -> None:
    """A Unicode line or paragraph separator cannot start a new line in a table."""
    assert format_value(f"N1{separator}N2", "text") == "N1 N2"


def test_the_report_heading_shows_tenant_and_filters_printable() -> None:
    """Controls in the tenant or in a filter's name and value never reach the terminal."""
    report = Report(START, END, "loja\u202e1", {"x\x1b[2J": "a\u2066b", "channel": "c\nd"}, [])
    heading = render_report(report, lang="en")
    assert "Tenant: loja 1" in heading
    assert "Filters: x [2J: a b; Channel: c d" in heading
    for char in ("\u202e", "\u2066", "\x1b", "\nd"):
        assert char not in heading


def test_the_html_page_shows_no_bidirectional_control_from_the_data() -> None:
    """The page prints data text the same way the terminal does: without bidi controls."""
    odd = volume([("site\u202etxt.exe", 3)])
    page = report_html(Report(START, END, "loja\u2067", {}, [odd]))
    assert not any(char in page for char in BIDI)
    assert "site txt.exe" in page


def test_an_unknown_kind_is_refused() -> None:
    """A column kind the renderers do not know raises instead of guessing."""
    with pytest.raises(ValueError, match="unknown column kind 'money'"):
        format_value(10, "money")


def test_an_unknown_language_is_refused() -> None:
    """Only pt-BR and English are spoken; anything else is a configuration error."""
    with pytest.raises(ConfigurationError, match="unknown language"):
        format_value(1, "count", "fr")


# ---------------------------------------------------------------------- render_table


def spans(rule: str) -> list[tuple[int, int]]:
    """The (start, end) of each run of dashes in a table's rule line."""
    return [match.span() for match in re.finditer(r"-+", rule)]


def test_every_line_of_a_table_fits_the_rule_and_cells_stay_in_their_columns() -> None:
    """Header and rows are as wide as the rule (up to trailing spaces), each cell inside
    its column's span with a gap on both sides."""
    rendered = render_table(sample_report()["time_in_status"], lang="en")
    _, header, rule, *rows = rendered.splitlines()
    width = len(rule)
    columns = spans(rule)
    assert len(columns) == 9
    for line in [header, *rows]:
        assert line == line.rstrip()
        padded = line.ljust(width)
        assert len(padded) == width
        for (start, _end), (next_start, _) in itertools.pairwise(columns):
            assert padded[next_start - 2 : next_start] == "  ", (line, start)


def test_numbers_are_right_aligned_and_text_left_aligned() -> None:
    """Each number ends where its column ends; each text starts where its column starts."""
    rendered = render_table(sample_report()["escalation_rate"], lang="pt-BR")
    _, header, rule, *rows = rendered.splitlines()
    (team, _), *numbers = spans(rule)
    for line in [header, *rows]:
        padded = line.ljust(len(rule))
        assert padded[team] != " "
        for _, end in numbers:
            assert padded[end - 1] != " ", line
    assert rows[0].split() == ["atendimento", "2.210", "301", "13,6%"]


def test_column_labels_follow_the_language() -> None:
    """The header holds the labels in the language asked for."""
    assert render_table(volume([("site", 1)]), lang="pt-BR").splitlines()[1].split() == [
        "Canal",
        "Chamados",
    ]
    assert render_table(volume([("site", 1)]), lang="en").splitlines()[:2] == [
        "Ticket volume",
        "Channel  Tickets",
    ]


def test_a_table_renders_exactly() -> None:
    """A small table reads as the title, the header, the rule and the rows."""
    assert render_table(volume([("site", 1234), ("amazon", 56), (None, 7)]), lang="en") == (
        "Ticket volume\nChannel  Tickets\n-------  -------\nsite       1,234\n"
        "amazon        56\n-              7"
    )


def test_max_rows_keeps_the_first_rows_and_says_how_many_were_cut() -> None:
    """A cut table ends with a note counting the rows left out, in each language."""
    rows = [(f"c{i}", i) for i in range(30)]
    pt = render_table(volume(rows), max_rows=5).splitlines()
    en = render_table(volume(rows), lang="en", max_rows=1).splitlines()
    assert [line.split()[0] for line in pt[3:8]] == ["c0", "c1", "c2", "c3", "c4"]
    assert pt[-1] == "... mais 25 linhas (30 no total)"
    assert len(en) == 5
    assert en[-1] == "... 29 more rows (30 in total)"


def test_max_rows_at_or_above_the_row_count_adds_no_note() -> None:
    """Nothing is cut, so nothing is said."""
    full = render_table(volume([("site", 1), ("amazon", 2)]))
    assert render_table(volume([("site", 1), ("amazon", 2)]), max_rows=2) == full
    assert "..." not in full


def test_a_negative_max_rows_is_refused() -> None:
    """max_rows counts rows to keep; below zero it means nothing."""
    with pytest.raises(ValueError, match="max_rows"):
        render_table(volume([("site", 1)]), max_rows=-1)


def test_an_empty_table_says_so_in_each_language() -> None:
    """A table without rows prints its title and (vazio) / (none)."""
    empty = sample_report()["partner_compliance"]
    assert render_table(empty) == "Prazos dos parceiros\n(vazio)"
    assert render_table(empty, lang="en") == "Partner response compliance\n(none)"


# ---------------------------------------------------------------------- render_report


@pytest.mark.parametrize(
    ("start", "end", "pt", "en"),
    [
        ((2026, 4, 2), (2026, 4, 7), "2 a 6 de abril de 2026", "April 2–6, 2026"),
        (
            (2026, 3, 28),
            (2026, 4, 3, 18),
            "28 de março a 3 de abril de 2026",
            "March 28 – April 3, 2026",
        ),
        (
            (2025, 12, 29),
            (2026, 1, 5),
            "29 de dezembro de 2025 a 4 de janeiro de 2026",
            "December 29, 2025 – January 4, 2026",
        ),
        ((2026, 4, 6), (2026, 4, 7), "6 de abril de 2026", "April 6, 2026"),
        (None, (2026, 4, 7), "até 6 de abril de 2026", "until April 6, 2026"),
    ],
)
def test_the_period_reads_as_people_say_it(
    start: tuple[int, ...] | None, end: tuple[int, ...], pt: str, en: str
) -> None:
    """Shared months and years are said once; a period ending at midnight ends the day
    before."""
    begin = None if start is None else pendulum.datetime(*start, tz="America/Sao_Paulo")
    finish = pendulum.datetime(*end, tz="America/Sao_Paulo")
    assert format_period(begin, finish, "pt-BR") == pt
    assert format_period(begin, finish, "en") == en


def test_the_scope_names_dimensions_by_their_labels() -> None:
    """Known dimensions read as their labels; other keys as they are."""
    assert format_scope({"channel": "amazon", "sku": 12}, "en") == "Channel: amazon; sku: 12"


def test_the_report_starts_with_period_tenant_and_filters() -> None:
    """The heading says what the numbers cover."""
    lines = render_report(sample_report()).splitlines()
    assert lines[:4] == [
        "Relatório de chamados",
        "Período: 2 a 6 de abril de 2026",
        "Loja: loja-do-ze",
        "Filtros: Canal: site, mercado_livre, amazon, whatsapp, e-mail",
    ]
    english = render_report(Report(START, END, None, {}, ()), lang="en").splitlines()
    assert english == [
        "Support ticket report",
        "Period: April 2–6, 2026",
        "Tenant: all",
        "Filters: none",
    ]


def test_the_report_holds_every_table_in_order() -> None:
    """Each table follows the heading, as render_table draws it, a blank line between."""
    report = sample_report()
    blocks = render_report(report, lang="en", max_rows=3).split("\n\n")
    assert blocks[1:] == [render_table(t, lang="en", max_rows=3) for t in report.tables]


# ---------------------------------------------------------------------- HTML

VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "track",
    "wbr",
}


class Balance(HTMLParser):
    """Checks that every element is closed, in order (void elements aside)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.errors: list[str] = []
        self.doctype = ""

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.open[-1:] or 'nothing'}")
        else:
            self.open.pop()


def svg(page: str, chart: str) -> ET.Element:
    """The chart's SVG, parsed as XML (which it must be)."""
    match = re.search(rf'<svg [^>]*id="{chart}-svg".*?</svg>', page, flags=re.DOTALL)
    assert match, chart
    return ET.fromstring(match.group(0))


@pytest.mark.parametrize("lang", ["pt-BR", "en"])
def test_the_page_is_well_formed_html5(lang: str) -> None:
    """The page parses with every element closed in order and an HTML5 doctype."""
    parser = Balance()
    parser.feed(report_html(sample_report(), lang=lang))
    parser.close()
    assert parser.doctype == "DOCTYPE html"
    assert parser.errors == []
    assert parser.open == []


@pytest.mark.parametrize(
    ("lang", "attribute"), [("pt-BR", "pt-BR"), ("pt_br", "pt-BR"), ("en", "en")]
)
def test_the_html_element_carries_the_language(lang: str, attribute: str) -> None:
    """<html lang> says which language the page is written in."""
    assert f'<html lang="{attribute}">' in report_html(sample_report(), lang=lang)


def test_the_page_draws_the_four_charts() -> None:
    """Volume, SLA attainment, backlog age and bottlenecks each get an SVG chart."""
    page = report_html(sample_report())
    for chart in CHARTS:
        figure = re.search(rf'<figure id="{chart}">(.*?)</figure>', page, flags=re.DOTALL)
        assert figure, chart
        assert "<svg" in figure.group(1)
        assert svg(page, chart).tag == f"{SVG}svg"


def test_the_page_needs_no_network_and_runs_no_script() -> None:
    """No script, no external URL but the SVG namespace, nothing loaded from elsewhere."""
    page = report_html(sample_report())
    assert "<script" not in page.lower()
    assert set(re.findall(r"https?://[^\s\"'<>)]*", page)) == {"http://www.w3.org/2000/svg"}
    for loader in (" src=", "<link", "@import", "url(", "<iframe", "<img"):
        assert loader not in page.lower(), loader


def test_the_hostile_team_name_appears_only_escaped() -> None:
    """A team named <script>alert(1)</script> is shown as text, never as markup."""
    page = report_html(sample_report())
    assert HOSTILE_TEAM not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "alert(1)" not in page.replace("&lt;script&gt;alert(1)", "")


def test_every_table_is_an_html_table_and_the_empty_one_says_so() -> None:
    """Each table with rows becomes a <table>; one without says there is no data."""
    report = sample_report()
    page = report_html(report)
    assert page.count("<table>") == sum(1 for t in report.tables if t.rows)
    empty = re.search(
        r'<section class="table" id="table-partner_compliance">(.*?)</section>',
        page,
        flags=re.DOTALL,
    )
    assert empty
    assert "Sem dados no período." in empty.group(1)
    assert "No data for this period." in report_html(report, lang="en")


def test_none_values_read_as_a_dash_in_html_tables() -> None:
    """A missing value is a muted dash, never "None"."""
    page = report_html(sample_report())
    assert ">None<" not in page
    assert '<td class="num missing">-</td>' in page
    assert '<td class="missing">-</td>' in page


def test_numbers_sit_in_right_aligned_cells_with_localised_formats() -> None:
    """Table cells hold the same texts as the terminal tables."""
    page = report_html(sample_report(), lang="en")
    assert '<td class="num">1,234</td>' in page
    assert '<td class="num">92.0%</td>' in page


def bars(chart: ET.Element) -> list[str]:
    """The label of each bar of a chart, top to bottom (from each bar's tooltip)."""
    return [g.findtext(f"{SVG}title", "").split(": ")[0] for g in chart.iter(f"{SVG}g")]


@pytest.mark.parametrize("rows", [1, 30])
def test_charts_hold_one_bar_per_row_inside_their_canvas(rows: int) -> None:
    """With 1 and with 30 rows, each chart has a bar per row and nothing drawn outside
    its view box."""
    page = report_html(sized_report(rows), lang="en")
    for chart in CHARTS:
        element = svg(page, chart)
        assert len(bars(element)) == rows, chart
        _, _, width, height = map(float, element.attrib["viewBox"].split())
        assert height >= rows * 28
        for rect in element.iter(f"{SVG}rect"):
            x, y = float(rect.attrib["x"]), float(rect.attrib["y"])
            assert x >= 0, chart
            assert y >= 0, chart
            assert x + float(rect.attrib["width"]) <= width, chart
            assert y + float(rect.attrib["height"]) <= height, chart
        for text in element.iter(f"{SVG}text"):
            assert 0 <= float(text.attrib["x"]) <= width, chart
            assert 0 <= float(text.attrib["y"]) <= height, chart


def test_the_bottleneck_chart_lists_the_longest_status_first() -> None:
    """Bars follow the business median, longest first, unmeasured statuses last."""
    chart = svg(report_html(sample_report()), "chart-time")
    assert bars(chart) == [  # statuses by their labels
        f"Em espera · {HOSTILE_TEAM}",
        "Aguardando parceiro · marketplaces",
        "Aguardando cliente · atendimento",
        "Em atendimento · marketplaces",
        "Em atendimento · atendimento",
        "Novo · atendimento",
        "Novo · -",
    ]


def test_the_bottleneck_chart_ranks_only_the_statuses_where_work_waits() -> None:
    """Time spent resolved or closed (the longest of all, waiting for nobody) is left out
    of the bottleneck chart, though the table keeps it."""
    report = sample_report()
    times = report["time_in_status"]
    month = 30 * 86_400
    resolved = [("resolved", "atendimento", 900, month, month, month, month, month, month)]
    tables = [
        table("time_in_status", ("team",), [*resolved, *times.rows]) if t is times else t
        for t in report.tables
    ]
    page = report_html(
        Report(START, END, None, {}, tables, settled={"resolved", "closed"}), lang="en"
    )
    ranked = bars(svg(page, "chart-time"))
    assert ranked[0] == f"On hold · {HOSTILE_TEAM}"
    assert not any(label.startswith("Resolved") for label in ranked)
    assert "Resolved" in page.split('id="table-time_in_status"')[1]


def test_a_desks_report_knows_which_statuses_are_settled() -> None:
    """Helpdesk.report passes its workflows' resolved and closed statuses to the page."""
    assert Helpdesk(storage=MemoryStorage()).report().settled == {
        "resolved",
        "closed",
        "refunded",
        "denied",
    }


def test_the_bottleneck_chart_falls_back_to_the_calendar_median() -> None:
    """A row without a business median is drawn from its calendar median, in another
    colour the legend explains."""
    chart = svg(report_html(sample_report(), lang="en"), "chart-time")
    fills = [r.attrib["fill"] for r in chart.iter(f"{SVG}rect") if r.attrib["height"] == "18"]
    assert fills.count(SKY) == 1
    assert fills.count(BLUE) == 5
    legend = [t.text for t in chart.iter(f"{SVG}text")]
    assert "Median (calendar), no business measure" in legend


def test_the_backlog_chart_stacks_ages_in_bucket_order() -> None:
    """Each status's bar goes from the youngest bucket to the oldest."""
    chart = svg(report_html(sample_report()), "chart-backlog")
    waiting_partner = [
        g for g in chart.iter(f"{SVG}g") if "Aguardando parceiro" in g.findtext(f"{SVG}title", "")
    ]
    numbers = [t.text for t in waiting_partner[0].iter(f"{SVG}text")]
    assert numbers == ["Aguardando parceiro", "19", "44", "38", "52", "153"]


def test_the_sla_chart_ends_each_bar_with_its_attainment() -> None:
    """Met, breached and in progress share each bar; the attainment closes it."""
    chart = svg(report_html(sample_report()), "chart-sla")
    texts = [[t.text for t in g.iter(f"{SVG}text")] for g in chart.iter(f"{SVG}g")]
    assert texts[0] == ["padrao · Primeira resposta", "1.650", "143", "92,0%"]
    assert texts[-1] == ["vip · Resolução", "4", "-"]


def test_charts_are_left_out_without_their_tables_and_say_so_when_empty() -> None:
    """A report without a charted table has no chart for it; an empty one says so."""
    page = report_html(Report(START, END, None, {}, [volume([]), table("csat", (), [])]))
    assert "<svg" not in page
    figure = re.search(r'<figure id="chart-volume">(.*?)</figure>', page, flags=re.DOTALL)
    assert figure
    assert "Sem dados no período." in figure.group(1)
    assert "chart-sla" not in page


def test_a_report_without_tables_still_makes_a_page() -> None:
    """An empty report renders a heading and nothing else, without crashing."""
    page = report_html(Report(None, END, None, {}, ()), lang="en")
    assert "until April 6, 2026" in page
    assert "<table" not in page


def test_write_html_writes_the_page_as_utf8(tmp_path: Path) -> None:
    """write_html saves report_html's text and returns where it went."""
    report = sample_report()
    path = write_html(report, tmp_path / "report.html", lang="en")
    assert path == tmp_path / "report.html"
    assert path.read_text(encoding="utf-8") == report_html(report, lang="en")


def test_labels_are_escaped_too() -> None:
    """Titles and column labels go through html.escape like the data."""
    hostile = Label(pt="<b>x</b>", en="<b>x</b>")
    odd = Table("odd", hostile, (), (Column("a", hostile, "text"),), [("<i>",)])
    page = report_html(Report(START, END, "<t>", {"channel": "<c>"}, [odd]))
    assert "<b>" not in page
    assert "<i>" not in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page
    assert "&lt;t&gt;" in page
    assert "&lt;c&gt;" in page


def test_a_charted_table_without_the_catalogs_columns_is_refused() -> None:
    """A hand-made SLA table missing a column the chart reads raises, naming it."""
    columns = (Column("policy", Label(pt="Política", en="Policy"), "text"),)
    odd = Table("sla_attainment", Label(pt="SLA", en="SLA"), (), columns, [("padrao",)])
    with pytest.raises(ValueError, match="needs a column 'met'"):
        report_html(Report(START, END, None, {}, [odd]))
