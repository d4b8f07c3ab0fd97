"""Finding the bottlenecks: indicators over a simulated week of a store's tickets.

A week of tickets (answered sooner or later, waiting on customers and sellers,
escalated, resolved, reopened, rated) is played into a SQLite file by the store
simulator. Then the manager's questions: which SLAs slip and why, where tickets wait,
which sellers answer late, and how the Amazon channel fares; finally the whole report
as an HTML page with charts and as CSV files.

Run:  .venv/bin/python examples/reports.py
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from chamados import Helpdesk, SequentialIds
from chamados.reports import render_table, write_html
from chamados.testing import FakeClock, simulate, store_policies


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        clock = FakeClock("2026-03-02T08:00:00-03:00")
        desk = Helpdesk(
            storage=f"sqlite:///{Path(folder) / 'loja.db'}",
            clock=clock,
            sla=store_policies(),
            ticket_ids=SequentialIds("T-"),
        )
        simulate(desk, clock, tickets=150, seed=3)

        print(render_table(desk.indicator("sla_attainment")))
        print()
        print(render_table(desk.indicator("breach_causes")))
        print()
        print(render_table(desk.indicator("time_in_status", by=["team"]), max_rows=8))
        print()
        print(render_table(desk.indicator("partner_compliance"), lang="en"))
        print()
        amazon = desk.indicator("first_response", by=["priority"], channel="amazon")
        print(render_table(amazon, lang="en"))

        report = desk.report()
        page = write_html(report, Path(folder) / "report.html")
        for table in report.tables:
            (Path(folder) / f"{table.name}.csv").write_text(table.to_csv(), encoding="utf-8")
        csvs = sorted(p.name for p in Path(folder).glob("*.csv"))
        print(f"\nHTML page: {page.stat().st_size:,} bytes; CSV files: {', '.join(csvs)}")
        desk.storage.close()


if __name__ == "__main__":
    main()
