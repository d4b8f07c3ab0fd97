"""The chamados command line: the demo and the diagrams."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest

from chamados.cli import main
from chamados.demo import run_demo
from chamados.storage.sql import SCHEMA_VERSION
from chamados.workflows import StandardWorkflow, to_mermaid


def test_demo_tells_a_day_and_ends_with_every_ticket(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The demo prints a timeline and a final table with one row per ticket."""
    assert main(["demo", "--db", str(tmp_path / "demo.db")]) == 0
    out = capsys.readouterr().out
    assert "Loja Aurora" in out
    assert "escalou N1 → N2" in out
    assert "Reabrir: Resolvido → Em atendimento" in out
    assert "mesmo chamado" in out
    assert "Relógios de SLA às 18h de quinta" in out
    assert "VIOLADO" in out
    table = out.split("Estado final dos chamados")[1].split("Mensagens a clientes")[0]
    assert sum(line.strip().startswith("CH-") for line in table.splitlines()) == 6


def test_demo_prints_what_customers_and_partners_receive(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Each message goes out as a line in the timeline, and one of each kind in full at
    the end: received, answers, waiting on the customer and on the seller, the request
    to the seller, escalation, resolution, closing and a slipping deadline."""
    assert main(["demo", "--memory"]) == 0
    out = capsys.readouterr().out
    assert "✉ Maria: Recebemos seu chamado CH-0001" in out
    end = out.split("Mensagens a clientes e parceiros:")[1]
    for subject in (
        "Recebemos seu chamado",
        "Nova resposta no chamado",
        "precisamos de um retorno seu",
        "aguardando o vendedor",
        "aguarda sua resposta",
        "encaminhado a um especialista",
        "resolvido",
        "encerrado",
        "novo prazo",
    ):
        assert subject in end, subject
    assert "Para: Loja do Zé (partner)" in end


def test_demo_in_english(capsys: pytest.CaptureFixture[str]) -> None:
    """--lang en prints English labels."""
    assert main(["demo", "--lang", "en", "--memory"]) == 0
    out = capsys.readouterr().out
    assert "Final state of the tickets" in out
    assert "Reopen: Resolved → Open" in out


def test_demo_covers_the_story() -> None:
    """Every kind of ticket work the issues ask for happens in the demo."""
    desk = run_demo(io.StringIO())
    kinds = {e.kind for t in desk.tickets() for e in desk.history(t.id)}
    assert {"escalated", "reopened", "resolved", "closed", "rated", "note_added"} <= kinds
    sla = {"sla_applied", "sla_paused", "sla_resumed", "sla_warning", "sla_breached", "sla_met"}
    assert sla <= kinds
    statuses = {c.status for t in desk.tickets() for c in t.sla_clocks}
    assert statuses == {"running", "paused", "met", "breached"}
    channels = {t.channel for t in desk.tickets()}
    assert {"site", "mercado_livre", "amazon", "portal_parceiro"} <= channels
    statuses = {
        e.to_status
        for t in desk.tickets()
        for e in desk.history(t.id)
        if e.kind == "status_changed"
    }  # type: ignore[attr-defined]
    assert {"waiting_customer", "waiting_partner", "awaiting_partner"} <= statuses


def test_demo_stores_in_sqlite_and_continues_a_week_later(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The demo's tickets persist in the SQLite file; --continue reads them back in a new
    desk, runs the monitor and closes the resolved ticket; running again replaces it."""
    db = tmp_path / "demo.db"
    assert main(["demo", "--db", str(db)]) == 0
    first = capsys.readouterr().out
    assert f"Tickets stored in {db}" in first
    assert db.exists()

    assert main(["demo", "--db", str(db), "--continue"]) == 0
    later = capsys.readouterr().out
    assert "uma semana depois: segunda-feira, 13 de abril" in later
    assert "Lidos do banco: 6 chamados, 127 eventos" in later
    assert "VIOLADO" in later  # the monitor caught up on what the week left due
    assert "CH-0001  system:Fechamento automático: fechou o chamado" in later
    table = later.split("Estado final dos chamados")[1]
    assert sum(line.strip().startswith("CH-") for line in table.splitlines()) == 6

    assert main(["demo", "--db", str(db), "--continue", "--lang", "en"]) == 0
    again = capsys.readouterr().out
    assert "a week later: Monday, 20 April" in again
    assert "nothing to close" in again

    assert main(["demo", "--db", str(db)]) == 0  # a new demo replaces the old file
    assert "Tickets stored in" in capsys.readouterr().out


def test_report_prints_the_indicators_of_a_database(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """chamados report reads a database and prints every indicator; --html writes the
    page with charts and --csv one file per table; the demo writes its page too."""
    db = tmp_path / "demo.db"
    assert main(["demo", "--db", str(db)]) == 0
    demo = capsys.readouterr().out
    assert "Relatório de chamados" in demo  # the demo ends with the report
    assert (tmp_path / "demo.html").read_text().count("<svg") >= 4
    page, tables = tmp_path / "r.html", tmp_path / "csv"
    args = ["report", "--db", str(db), "--to", "2026-04-07", "--lang", "en"]
    assert main([*args, "--html", str(page), "--csv", str(tables)]) == 0
    out = capsys.readouterr().out
    for title in (
        "Ticket volume",
        "SLA attainment",
        "Backlog by status and age",
        "Partner response compliance",
        "Satisfaction (CSAT)",
    ):
        assert title in out, title
    assert "<svg" in page.read_text()
    assert len(list(tables.glob("*.csv"))) == 12
    monkeypatch.setenv("CHAMADOS_STORAGE_URL", f"sqlite:///{db}")
    assert main(["report", "--from", "2026-04-06"]) == 0
    assert "Relatório de chamados" in capsys.readouterr().out


def test_report_errors_are_exit_status_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No database, a missing file or a bad date: a message and status 2."""
    monkeypatch.delenv("CHAMADOS_STORAGE_URL", raising=False)
    assert main(["report"]) == 2
    assert "--db chamados-demo.db" in capsys.readouterr().err
    assert main(["report", "--db", str(tmp_path / "none.db")]) == 2
    assert "does not exist" in capsys.readouterr().err
    db = tmp_path / "d.db"
    assert main(["db", "init", f"sqlite:///{db}"]) == 0
    assert main(["report", "--db", str(db), "--to", "someday"]) == 2
    assert "is not a date" in capsys.readouterr().err


def test_demo_refuses_to_replace_a_file_it_did_not_make(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """--db pointing at another file is an error, and the file is left as it was."""
    other = tmp_path / "notes.db"
    other.write_text("not a database")
    assert main(["demo", "--db", str(other)]) == 2
    assert "is not a chamados database" in capsys.readouterr().err
    assert other.read_text() == "not a database"
    assert main(["demo", "--db", str(tmp_path / "none.db"), "--continue"]) == 2
    assert "run `chamados demo` first" in capsys.readouterr().err


def test_db_commands_create_and_report_the_schema(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """chamados db init / upgrade / version, with a URL or CHAMADOS_STORAGE_URL."""
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    assert main(["db", "version", url]) == 0
    assert capsys.readouterr().out == f"database: no chamados tables\nchamados: {SCHEMA_VERSION}\n"
    assert main(["db", "init", url]) == 0
    assert f"schema version {SCHEMA_VERSION}" in capsys.readouterr().out
    assert main(["db", "init", url]) == 2
    assert "use `chamados db upgrade`" in capsys.readouterr().err
    monkeypatch.setenv("CHAMADOS_STORAGE_URL", url)
    assert main(["db", "upgrade"]) == 0
    assert "nothing to do" in capsys.readouterr().out
    assert main(["db", "version"]) == 0
    assert capsys.readouterr().out == f"database: {SCHEMA_VERSION}\nchamados: {SCHEMA_VERSION}\n"
    monkeypatch.delenv("CHAMADOS_STORAGE_URL")
    assert main(["db", "version"]) == 2
    assert "set CHAMADOS_STORAGE_URL" in capsys.readouterr().err


def test_diagram_prints_mermaid(capsys: pytest.CaptureFixture[str]) -> None:
    """chamados diagram standard prints to_mermaid(StandardWorkflow)."""
    assert main(["diagram", "standard"]) == 0
    assert capsys.readouterr().out == to_mermaid(StandardWorkflow)


def test_unknown_workflow_is_exit_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown workflow name says which exist."""
    assert main(["diagram", "kanban"]) == 2
    assert "registered workflows are returns, standard" in capsys.readouterr().err


def test_demo_survives_a_closed_pipe() -> None:
    """`chamados demo | head -1` ends quietly."""
    shell = f'"{sys.executable}" -m chamados.cli demo --memory | head -1'
    done = subprocess.run(shell, shell=True, capture_output=True, text=True, timeout=60)
    assert done.stdout.startswith("Loja Aurora")
    assert "Traceback" not in done.stderr


def test_policy_show_lists_everything(capsys: pytest.CaptureFixture[str]) -> None:
    """chamados policy show FILE lists rules, routes, agents and SLA actions."""
    assert main(["policy", "show", "examples/policies.toml"]) == 0
    out = capsys.readouterr().out
    for heading in (
        "Priority rules",
        "Routes",
        "Assignment: least_loaded",
        "Agents",
        "SLA actions",
    ):
        assert heading in out
    assert "1. pagamentos: when category=['pagamento', 'estorno'] → set high" in out


def test_policy_explain_says_which_rules_decide(capsys: pytest.CaptureFixture[str]) -> None:
    """chamados policy explain FILE --ticket JSON prints the decision and the reasons."""
    ticket = '{"category": "pagamento", "fields": {"segmento": "vip"}}'
    assert main(["policy", "explain", "examples/policies.toml", "--ticket", ticket]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "priority: urgent"
    assert "pagamentos: normal -> high  because erros de pagamento" in out
    assert "team: financeiro" in out


def test_policy_errors_are_exit_status_2(
    capsys: pytest.CaptureFixture[str], tmp_path: object
) -> None:
    """A broken file or ticket is reported on stderr with status 2."""
    assert main(["policy", "explain", "examples/policies.toml", "--ticket", "{"]) == 2
    assert "not valid JSON" in capsys.readouterr().err
    assert main(["policy", "show", "nope.toml"]) == 2
