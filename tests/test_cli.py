"""The chamados command line: the demo and the diagrams."""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chamados import Helpdesk, Party
from chamados.cli import main
from chamados.demo import run_demo
from chamados.policies import load_policies
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


def test_db_upgrade_on_a_version_no_chamados_made_says_so(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """chamados db upgrade on a schema table holding version 0: a message, exit status 2."""
    url = f"sqlite:///{tmp_path / 'desk.db'}"
    assert main(["db", "init", url]) == 0
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("UPDATE chamados_schema SET version = 0")
    engine.dispose()
    capsys.readouterr()
    assert main(["db", "upgrade", url]) == 2
    err = capsys.readouterr().err
    assert "version 0" in err
    assert "Traceback" not in err


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
    """chamados policy explain FILE --ticket JSON prints the decisions and the reasons."""
    ticket = '{"category": "pagamento", "fields": {"segmento": "vip"}}'
    assert main(["policy", "explain", "examples/policies.toml", "--ticket", ticket]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[:3] == ["priority: Urgent", "team: financeiro", "assignee: felipe"]
    assert "pagamentos: normal → high (erros de pagamento" in out
    assert "routing: route financeiro: pagamentos e estornos" in out


def test_policy_errors_are_exit_status_2(
    capsys: pytest.CaptureFixture[str], tmp_path: object
) -> None:
    """A broken file or ticket is reported on stderr with status 2."""
    assert main(["policy", "explain", "examples/policies.toml", "--ticket", "{"]) == 2
    assert "not valid JSON" in capsys.readouterr().err
    assert main(["policy", "show", "nope.toml"]) == 2


def hostile_database(path: Path) -> Path:
    """A SQLite database with one ticket whose channel is a spreadsheet formula."""
    desk = Helpdesk(storage=f"sqlite:///{path}")
    desk.open(channel="=1+1", requester=Party.customer("c-1"), subject="oi", tenant="loja")
    desk.storage.close()
    return path


def test_report_csv_files_keep_formulas_from_running(tmp_path: Path) -> None:
    """--csv neutralises a text cell that starts a formula; --raw-csv writes it raw."""
    db = hostile_database(tmp_path / "d.db")
    assert main(["report", "--db", str(db), "--csv", str(tmp_path / "safe")]) == 0
    assert main(["report", "--db", str(db), "--csv", str(tmp_path / "raw"), "--raw-csv"]) == 0
    safe = (tmp_path / "safe" / "volume.csv").read_text(encoding="utf-8")
    raw = (tmp_path / "raw" / "volume.csv").read_text(encoding="utf-8")
    assert (safe, raw) == ('channel,tickets\n"\'=1+1",1\n', "channel,tickets\n=1+1,1\n")


# -- policy explain: the desk's own decisions -------------------------------------------------

DRIFT_POLICIES = """
[priority]
default = "low"

[[priority.rules]]
name = "devolucoes"
when = { workflow = "returns" }
set = "high"

[[priority.rules]]
name = "financeiro"
when = { team = "financeiro" }
raise = 1

[[priority.rules]]
name = "ja-urgente"
when = { priority = "urgent" }
at_most = "high"

[[priority.rules]]
name = "vip"
when = { fields.segmento = "vip", status = "new" }
raise = 1

[routing]
default_team = "atendimento"

[[routing.routes]]
name = "devolucoes"
when = { workflow = "returns" }
team = "logistica"

[[routing.routes]]
name = "financeiro"
when = { category = ["pagamento", "estorno"] }
team = "financeiro"

[[routing.routes]]
name = "parceiros"
when = { requester = "partner", status = "new" }
team = "parceiros"

[assignment]
strategy = "round_robin"
on_open = true

[[agents]]
id = "ana"
teams = ["atendimento", "logistica"]

[[agents]]
id = "felipe"
teams = ["financeiro"]
"""
"""Policies whose conditions read the workflow, the status, the team and the priority:
an explanation that models the desk instead of running it drifts on them."""

DESCRIPTIONS = st.fixed_dictionaries(
    {},
    optional={
        "category": st.sampled_from(["pagamento", "estorno", "entrega", "devolucao"]),
        "channel": st.sampled_from(["site", "amazon", "mercado_livre"]),
        "requester": st.sampled_from(["customer:c-1", "partner:s-1"]),
        "subject": st.sampled_from(["Pedido", "Vou ao Procon", "Estorno"]),
        "fields": st.fixed_dictionaries(
            {}, optional={"segmento": st.just("vip"), "valor_pedido": st.integers(0, 5000)}
        ),
        "workflow": st.sampled_from(["standard", "returns"]),
        "priority": st.sampled_from(["low", "urgent"]),
        "team": st.just("logistica"),
        "tags": st.lists(st.sampled_from(["b2b", "vip"]), max_size=2),
    },
)


def explained(policies: Path, description: dict[str, Any]) -> list[str]:
    """What `chamados policy explain` prints for ``description``."""
    out = io.StringIO()
    args = ["policy", "explain", str(policies), "--ticket", json.dumps(description)]
    with contextlib.redirect_stdout(out):
        assert main(args) == 0
    return out.getvalue().splitlines()


@pytest.mark.parametrize("policies", ["examples/policies.toml", "drift"])
@given(description=DESCRIPTIONS)
@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_policy_explain_says_what_a_real_helpdesk_does(
    tmp_path: Path, policies: str, description: dict[str, Any]
) -> None:
    """For any ticket, in any workflow, the explanation gives the priority, team and
    assignee a real Helpdesk with the same policies gives, for the reasons its history
    records."""
    path = Path(policies)
    if policies == "drift":
        path = tmp_path / "drift.toml"
        path.write_text(DRIFT_POLICIES, encoding="utf-8")
    lines = explained(path, description)
    desk = Helpdesk(policies=load_policies(path))
    fields = description.get("fields")
    arguments = {k: v for k, v in description.items() if k not in ("requester", "fields")}
    ticket = desk.open(
        tenant="loja",
        channel=arguments.pop("channel", "site"),
        subject=arguments.pop("subject", "Chamado de exemplo"),
        requester=Party.customer("c-1")
        if description.get("requester", "customer:c-1") == "customer:c-1"
        else Party.partner("s-1"),
        custom_fields=fields,
        **arguments,
    )
    shown = [line.split("  (")[0] for line in lines[:3]]
    assert shown == [
        f"priority: {ticket.priority.label.en}",
        f"team: {ticket.team or '-'}",
        f"assignee: {ticket.assignee or '-'}",
    ]
    reasons = [line.split("  ", 1)[1] for line in desk.timeline(ticket.id, lang="en")[1:]]
    why = lines.index("what the desk did:")
    assert [line.strip() for line in lines[why + 1 : why + 1 + len(reasons)]] == reasons


def test_policy_explain_follows_the_tickets_workflow(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A returns ticket is explained in the returns workflow, where a route on the
    workflow sends it (the explanation once assumed the standard workflow)."""
    path = tmp_path / "drift.toml"
    path.write_text(DRIFT_POLICIES, encoding="utf-8")
    assert main(["policy", "explain", str(path), "--ticket", '{"workflow": "returns"}']) == 0
    out = capsys.readouterr().out
    assert "team: logistica" in out
    assert "status: Return requested (returns)" in out


@pytest.mark.parametrize("key", ["tier", "categoria", "custom-fields"])
def test_policy_explain_refuses_unknown_keys(capsys: pytest.CaptureFixture[str], key: str) -> None:
    """A key Helpdesk.open does not take is an error naming it and the known keys, not a
    ticket silently explained without it."""
    ticket = json.dumps({key: "x"})
    assert main(["policy", "explain", "examples/policies.toml", "--ticket", ticket]) == 2
    err = capsys.readouterr().err
    assert f"unknown key(s) {key}; the keys are body, category, channel" in err
    assert "Traceback" not in err


# -- --app: the host's desk -------------------------------------------------------------------

HOST = '''
from chamados import Helpdesk
from chamados.model import Category
from chamados.workflows import Action, Status, Workflow, WorkflowRegistry


class Balcao(Workflow):
    """Over the counter: taken, then handed back."""

    workflow_name = "balcao"

    taken = Status(pt="Recebido", en="Taken", category=Category.NEW, initial=True)
    handed = Status(pt="Entregue", en="Handed back", category=Category.RESOLVED)
    closed = Status(pt="Encerrado", en="Closed", category=Category.CLOSED, final=True)

    hand_back = Action(taken.to(handed), pt="Entregar", en="Hand back")
    close = Action(handed.to(closed), pt="Encerrar", en="Close")


def make_desk():
    registry = WorkflowRegistry.with_builtins()
    registry.register(Balcao)
    registry.default = "balcao"
    return Helpdesk(storage=STORAGE, workflows=registry)


def not_a_desk():
    return 42


def broken():
    raise RuntimeError("the database password is missing")


number = 7
'''


@pytest.fixture
def host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A host module, ``host.py``, in the current folder, whose desk keeps a SQLite file
    and a workflow of its own, ``balcao``, with one ticket open."""
    db = tmp_path / "host.db"
    (tmp_path / "host.py").write_text(f"STORAGE = {f'sqlite:///{db}'!r}\n{HOST}")
    monkeypatch.chdir(tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delenv("CHAMADOS_APP", raising=False)
    monkeypatch.delitem(sys.modules, "host", raising=False)  # another test's host
    import host as module  # type: ignore[import-not-found]

    desk = module.make_desk()
    desk.open(tenant="loja", channel="balcao", requester=Party.customer("c"), subject="oi")
    desk.storage.close()
    return db


def test_diagram_draws_the_hosts_workflow(
    capsys: pytest.CaptureFixture[str], host: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--app (or CHAMADOS_APP) lets diagram see the workflows the host registered."""
    assert main(["diagram", "balcao"]) == 2
    assert "unknown workflow 'balcao'" in capsys.readouterr().err
    assert main(["diagram", "balcao", "--app", "host:make_desk"]) == 0
    drawn = capsys.readouterr().out
    assert 'state "Handed back (resolved)" as handed' in drawn
    monkeypatch.setenv("CHAMADOS_APP", "host:make_desk")
    assert main(["diagram", "balcao"]) == 0
    assert capsys.readouterr().out == drawn


def test_report_reads_the_hosts_desk(capsys: pytest.CaptureFixture[str], host: Path) -> None:
    """--app reports on the host desk's own storage, with its workflows."""
    assert main(["report", "--app", "host:make_desk", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "balcao         1" in out.split("Ticket volume")[1]
    assert main(["report", "--app", "host:make_desk", "--db", str(host)]) == 2
    assert "drop the database URL or --db" in capsys.readouterr().err


def test_policy_explain_opens_in_the_hosts_workflow(
    capsys: pytest.CaptureFixture[str], host: Path
) -> None:
    """With --app the ticket opens in the host's default workflow, as the host's desk would."""
    policies = str(Path(__file__).parent.parent / "examples" / "policies.toml")
    args = ["policy", "explain", policies, "--ticket", "{}", "--app", "host:make_desk"]
    assert main(args) == 0
    assert "status: Taken (balcao)" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("host", "is not module:factory"),
        ("nowhere:make_desk", "cannot import 'nowhere'"),
        ("host:nothing", "'host' has no 'nothing'"),
        ("host:number", "number is a int, not a function that returns a Helpdesk"),
        ("host:broken", "broken() failed: RuntimeError: the database password is missing"),
        ("host:not_a_desk", "not_a_desk() returned a int, not a chamados Helpdesk"),
    ],
)
def test_a_bad_app_is_a_message_and_status_2(
    capsys: pytest.CaptureFixture[str], host: Path, spec: str, message: str
) -> None:
    """Every way of naming the host's desk wrong is one line and exit status 2."""
    assert main(["diagram", "balcao", "--app", spec]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


# -- mistakes: one line on stderr, exit status 2 ----------------------------------------------


@pytest.fixture
def empty_db(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A SQLite file with chamados' tables and no tickets."""
    db = tmp_path / "d.db"
    assert main(["db", "init", f"sqlite:///{db}"]) == 0
    capsys.readouterr()
    return db


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--to", "0001-01-01"], "--to '0001-01-01' is out of range: give a date from 1900"),
        (["--from", "9999-12-31"], "--from '9999-12-31' is out of range"),
        (["--from", "02/04/2026"], "is not a date; write YYYY-MM-DD (2026-04-02) or"),
        (["--to", "2026-13-01"], "--to '2026-13-01' is not a date; write YYYY-MM-DD"),
        (["--to", "P1D"], "--to 'P1D' is not a date"),
        (["--html", "."], "--html '.' is a folder; give the path of a file"),
        (["--html", "nowhere/r.html"], "the folder 'nowhere' does not exist; create it first"),
        (["--csv", "d.db"], "--csv 'd.db' is a file; give a folder"),
        (["--lang", "fr"], "unknown language 'fr'"),
    ],
)
def test_report_mistakes_are_one_line_and_status_2(
    capsys: pytest.CaptureFixture[str],
    empty_db: Path,
    monkeypatch: pytest.MonkeyPatch,
    extra: list[str],
    message: str,
) -> None:
    """Bad dates, dates out of range and paths that cannot be written are a message
    saying what to do, never a traceback, and nothing is printed on stdout."""
    monkeypatch.chdir(empty_db.parent)
    assert main(["report", "--db", str(empty_db), *extra]) == 2
    out, err = capsys.readouterr()
    assert message in err
    assert len(err.splitlines()) == 1
    assert out == ""


@pytest.mark.parametrize("rows", ["-1", "x"])
def test_a_negative_max_rows_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], empty_db: Path, rows: str
) -> None:
    """--max-rows takes a whole number, 0 or more: anything else is argparse's usage error."""
    with pytest.raises(SystemExit) as stopped:
        main(["report", "--db", str(empty_db), "--max-rows", rows])
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --max-rows: must be a whole number, 0 or more, got '{rows}'" in err
    assert "Traceback" not in err


def test_report_dates_are_sao_paulo_time_unless_an_offset_is_given(
    capsys: pytest.CaptureFixture[str], empty_db: Path
) -> None:
    """A bare date is midnight in São Paulo; an ISO time with an offset keeps it."""
    assert main(["report", "--db", str(empty_db), "--to", "2026-04-07", "--lang", "en"]) == 0
    assert "Period: until April 6, 2026" in capsys.readouterr().out
    args = ["report", "--db", str(empty_db), "--to", "2026-04-07T12:00Z", "--lang", "en"]
    assert main(args) == 0
    assert "Period: until April 7, 2026" in capsys.readouterr().out


def test_policy_show_on_a_file_that_is_not_utf8(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A Latin-1 policies file is a message naming the file and the line, status 2."""
    path = tmp_path / "p.toml"
    path.write_bytes(b'[routing]\ndefault_team = "aten\xe7\xe3o"\n')
    assert main(["policy", "show", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}: not UTF-8 (byte 0xe7 on line 2)" in err
    assert main(["policy", "show", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err


def test_demo_in_a_folder_that_does_not_exist(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """--db in a missing folder says which folder to create."""
    assert main(["demo", "--db", str(tmp_path / "nope" / "demo.db")]) == 2
    assert "does not exist; create it first" in capsys.readouterr().err


def test_messages_from_the_data_reach_the_terminal_printable(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """An error quoting a file's text cannot send escape sequences to the terminal."""
    path = tmp_path / "p.toml"
    path.write_text('[[routing.routes]]\nname = "x\\u001b[2J"\n', encoding="utf-8")
    assert main(["policy", "show", str(path)]) == 2
    err = capsys.readouterr().err
    assert "needs a team" in err
    assert "\x1b" not in err


def test_help_says_how_long_the_demo_runs() -> None:
    """`chamados --help` describes the demo as it is: four days, 2 to 6 April 2026."""
    done = subprocess.run(
        [sys.executable, "-m", "chamados.cli", "--help"], capture_output=True, text=True
    )
    text = " ".join(done.stdout.split())
    assert "four days of a marketplace store's tickets (2 to 6 April 2026)" in text
    assert "a day of" not in text
