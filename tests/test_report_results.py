"""Tables as data: CSV that a spreadsheet opens safely and any CSV reader parses back."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chamados.labels import Label
from chamados.reports import Column, Table
from chamados.reports.results import FORMULA_TRIGGERS

TEXT = Column("team", Label(pt="Equipe", en="Team"), "text")
COUNT = Column("tickets", Label(pt="Chamados", en="Tickets"), "count")
SECONDS = Column("delta", Label(pt="Diferença", en="Difference"), "seconds")


def parsed(document: str) -> list[list[str]]:
    """``document`` read back by the csv module, as a spreadsheet import would."""
    return list(csv.reader(io.StringIO(document, newline="")))


def teams(*names: Any) -> Table:
    """A table of one text column holding ``names``."""
    return Table("t", Label(pt="T", en="T"), (), (TEXT,), [(name,) for name in names])


@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r", "\0"])
def test_a_text_cell_that_starts_a_formula_is_neutralised_with_a_quote(trigger: str) -> None:
    """A text cell starting with a formula character reads back with a leading ``'``."""
    name = f'{trigger}HYPERLINK("http://x","y")'
    assert parsed(teams(name).to_csv()) == [["team"], [f"'{name}"]]


def test_a_neutralised_cell_is_quoted() -> None:
    """The neutralised cell is written between double quotes, as OWASP asks."""
    assert teams("=1+1").to_csv() == 'team\n"\'=1+1"\n'


def test_numbers_we_computed_stay_numbers_even_when_negative() -> None:
    """A negative number in a numeric column is written as a number, not as text."""
    table = Table("t", Label(pt="T", en="T"), (), (COUNT, SECONDS), [(3, -3.5), (-2, None)])
    assert table.to_csv() == "tickets,delta\n3,-3.5\n-2,\n"


def test_a_text_that_looks_like_a_negative_number_is_still_text() -> None:
    """A team named ``-3.5`` is data someone typed, so it is neutralised like any text."""
    assert parsed(teams("-3.5").to_csv())[1] == ["'-3.5"]


@pytest.mark.parametrize("brk", ["\r", "\n", "\r\n", "\x0b", "\x0c", "\x85", "\u2028"])
def test_a_line_break_inside_a_cell_never_splits_the_row(brk: str) -> None:
    """A bare CR (or any line break) inside a cell is quoted: one row stays one row."""
    document = teams(f"a{brk}b", "c").to_csv()
    assert parsed(document) == [["team"], [f"a{brk}b"], ["c"]]


def test_raw_output_keeps_the_cells_as_they_are() -> None:
    """``safe=False`` writes formula characters untouched (still quoting line breaks)."""
    document = teams("=1+1", "a\rb").to_csv(safe=False)
    assert parsed(document) == [["team"], ["=1+1"], ["a\rb"]]


def test_plain_cells_are_written_as_before() -> None:
    """Cells with nothing to neutralise or quote are written bare, one row a line; a
    row of one empty cell is written as ``""`` so that it still reads as a row."""
    assert teams("sac", None, "a,b", 'diz "oi"').to_csv() == (
        'team\nsac\n""\n"a,b"\n"diz ""oi"""\n'
    )


@given(st.lists(st.text(), max_size=6), st.booleans())
def test_any_text_reads_back_row_for_row(names: list[str], safe: bool) -> None:
    """Whatever the text, the csv module reads back one row per table row, and each cell
    is the value itself or, neutralised, the value behind a ``'``; safe output has no
    cell that starts a formula."""
    rows = parsed(teams(*names).to_csv(safe=safe))
    assert len(rows) == len(names) + 1
    for name, row in zip(names, rows[1:], strict=True):
        (cell,) = row
        if safe and name.startswith(FORMULA_TRIGGERS):
            assert cell == f"'{name}"
        else:
            assert cell == name
        if safe:
            assert not cell.startswith(FORMULA_TRIGGERS)
