"""The ``chamados`` command: ``demo``, ``db``, ``report``, ``diagram`` and ``policy``.

Every mistake of the person typing (a bad number or date, a path that cannot be written,
a file that cannot be read, an unknown key) is one line on stderr and exit status 2,
never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import pendulum

from chamados.app import load_app
from chamados.desk import Helpdesk
from chamados.exceptions import ChamadosError, ConfigurationError
from chamados.labels import language
from chamados.policies import Policies
from chamados.reports.render import printable
from chamados.reports.results import Report
from chamados.settings import APP, STORAGE_URL, app_spec
from chamados.storage.memory import MemoryStorage

DEMO_DB = "chamados-demo.db"
ZONE = "America/Sao_Paulo"
"""The time zone of ``--from``/``--to`` dates that carry no offset."""

DATE_FORMAT = (
    "YYYY-MM-DD (2026-04-02) or YYYY-MM-DDTHH:MM (2026-04-02T14:30), São Paulo time "
    "unless an offset follows (2026-04-02T14:30-03:00)"
)
FIRST_YEAR, LAST_YEAR = 1900, 9998
"""The years ``--from``/``--to`` accept: anything else is a typo, and near year 1 or 9999
a time zone or a day's step falls off the calendar."""

_APP_HELP = (
    "the host's desk, as MODULE:FACTORY: chamados imports MODULE and calls FACTORY() for "
    f"a Helpdesk with the host's workflows, SLA policies and storage (default: ${APP})"
)

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chamados",
        description="Support tickets for online stores and marketplaces.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = commands.add_parser(
        "demo",
        help="run four days of a marketplace store's tickets (2 to 6 April 2026) and print "
        "the timeline",
    )
    demo.add_argument("--lang", default="pt-BR", help="pt-BR (default) or en")
    demo.add_argument(
        "--db",
        default=DEMO_DB,
        metavar="PATH",
        help=f"the SQLite file the tickets are stored in (default: {DEMO_DB})",
    )
    demo.add_argument(
        "--continue",
        dest="resume",
        action="store_true",
        help="a week later: read the stored tickets back, run the SLA monitor, close",
    )
    demo.add_argument(
        "--memory", action="store_true", help="keep the tickets in memory, store nothing"
    )
    db = commands.add_parser("db", help="create, migrate or inspect chamados' tables")
    db_actions = db.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, text in (
        ("init", "create the tables in a database that has none of them"),
        ("upgrade", "migrate the tables to this chamados' schema version"),
        ("version", "print the schema version of the database and of this chamados"),
    ):
        action = db_actions.add_parser(name, help=text)
        action.add_argument(
            "url",
            nargs="?",
            help=f"the database URL (default: ${STORAGE_URL}), for example "
            "sqlite:///chamados.db or postgresql+psycopg://user@host/db",
        )
    report = commands.add_parser(
        "report", help="print the indicators of a database; --html FILE writes a page with charts"
    )
    report.add_argument(
        "url", nargs="?", help=f"the database URL (default: ${STORAGE_URL}); or --db PATH"
    )
    report.add_argument("--db", metavar="PATH", help=f"a SQLite file, e.g. {DEMO_DB}")
    report.add_argument("--html", metavar="FILE", help="also write the report as an HTML page")
    report.add_argument("--csv", metavar="DIR", help="also write every table as CSV in DIR")
    report.add_argument(
        "--raw-csv",
        action="store_true",
        help="write CSV text cells as they are, without the ' that keeps a spreadsheet "
        "from running a cell that starts with =, +, -, @ as a formula",
    )
    report.add_argument("--lang", default="pt-BR", help="pt-BR (default) or en")
    report.add_argument(
        "--from", dest="start", metavar="DATE", help="tickets created from DATE (YYYY-MM-DD)"
    )
    report.add_argument(
        "--to",
        dest="end",
        metavar="DATE",
        help="... until DATE (default: now); the backlog is as it stood then",
    )
    report.add_argument("--tenant", help="one tenant's tickets (default: all)")
    report.add_argument(
        "--max-rows", type=_rows, default=25, metavar="N", help="rows per table (default 25)"
    )
    report.add_argument("--app", metavar="MODULE:FACTORY", help=_APP_HELP)
    diagram = commands.add_parser("diagram", help="print a workflow as a Mermaid state diagram")
    diagram.add_argument(
        "workflow", help="a registered workflow name: standard, returns, or the host's (--app)"
    )
    diagram.add_argument("--lang", default="en", help="en (default) or pt-BR")
    diagram.add_argument("--app", metavar="MODULE:FACTORY", help=_APP_HELP)
    policy = commands.add_parser("policy", help="show or explain the policies of a TOML file")
    actions = policy.add_subparsers(dest="action", required=True, metavar="ACTION")
    show = actions.add_parser("show", help="list the rules, routes, agents and SLA actions")
    show.add_argument("file", help="a policies TOML file")
    explain = actions.add_parser("explain", help="say which rules decide a ticket, and why")
    explain.add_argument("file", help="a policies TOML file")
    explain.add_argument(
        "--ticket",
        required=True,
        help="the ticket as JSON, with the arguments of Helpdesk.open, for example "
        '\'{"category": "pagamento", "fields": {"valor_pedido": 1500}}\'',
    )
    explain.add_argument("--lang", default="en", help="en (default) or pt-BR")
    explain.add_argument(
        "--app", metavar="MODULE:FACTORY", help=f"{_APP_HELP}; only its workflows are used"
    )
    return parser


def _rows(text: str) -> int:
    """``--max-rows``: a whole number, 0 or more."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be a whole number, 0 or more, got {text!r}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 2 usage or input errors)."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "demo":
            _demo(args)
        elif args.command == "db":
            _db(args)
        elif args.command == "report":
            _report(args)
        elif args.command == "policy":
            _policy(args)
        else:
            _diagram(args)
    except ChamadosError as error:
        print(f"chamados: {printable(str(error))}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # the reader went away (``chamados demo | head``)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    return 0


def _demo(args: argparse.Namespace) -> None:
    from chamados.demo import continue_demo, run_demo
    from chamados.reports.html import write_html

    if args.memory:
        if args.resume:
            raise ConfigurationError("--continue needs the stored tickets: drop --memory")
        run_demo(sys.stdout, lang=args.lang)
        return
    from chamados.storage.sql import SqlStorage

    path = Path(args.db).resolve()
    if not path.parent.is_dir():
        raise ConfigurationError(
            f"--db {args.db!r}: the folder {str(path.parent)!r} does not exist; create it first",
            key="db",
        )
    url = f"sqlite:///{path}"
    if args.resume:
        if not path.exists():
            raise ConfigurationError(f"{path} does not exist; run `chamados demo` first")
        storage = SqlStorage(url, create=False)
        try:
            continue_demo(sys.stdout, storage, lang=args.lang)
        finally:
            storage.close()
        print(f"\nchamados demo --continue: {path}")
        return
    if path.exists():
        _remove_demo_database(path, url)
    storage = SqlStorage(url)
    try:
        desk = run_demo(sys.stdout, lang=args.lang, storage=storage)
        page = write_html(desk.report(), path.with_suffix(".html"), lang=args.lang)
    finally:
        storage.close()
    print(
        f"\nTickets stored in {path}\n"
        f"The report with charts: {page}\n"
        f"Run `chamados demo --continue` to read them back a week later, "
        f"`chamados report --db {path.name}` for the indicators."
    )


def _remove_demo_database(path: Path, url: str) -> None:
    """A previous demo's file is replaced; any other file is left alone."""
    from chamados.storage.sql import SqlStorage

    storage = SqlStorage(url, create=False)
    try:
        found = storage.schema_version()
    except ChamadosError:
        found = None
    finally:
        storage.close()
    if found is None:
        raise ConfigurationError(
            f"{path} exists and is not a chamados database; pass --db with another path"
        )
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _moment(text: str | None, option: str) -> pendulum.DateTime | None:
    """``--from``/``--to``: an ISO 8601 date or time, São Paulo time without an offset."""
    if text is None:
        return None
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ConfigurationError(
            f"--{option} {text!r} is not a date; write {DATE_FORMAT}", key=option
        ) from None
    if not FIRST_YEAR <= parsed.year <= LAST_YEAR:
        raise ConfigurationError(
            f"--{option} {text!r} is out of range: give a date from {FIRST_YEAR} to {LAST_YEAR}",
            key=option,
        )
    if parsed.tzinfo is None:
        return pendulum.instance(parsed, tz=ZONE)
    return pendulum.instance(parsed)


def _output_file(text: str, option: str) -> Path:
    """A file the command will write: not a folder, in a folder that exists."""
    path = Path(text)
    if path.is_dir():
        raise ConfigurationError(
            f"--{option} {text!r} is a folder; give the path of a file to write", key=option
        )
    if not path.parent.is_dir():
        raise ConfigurationError(
            f"--{option} {text!r}: the folder {str(path.parent)!r} does not exist; create it "
            f"first",
            key=option,
        )
    return path


def _output_folder(text: str, option: str) -> Path:
    """A folder the command will write files in: created if missing, not a file."""
    path = Path(text)
    if path.exists() and not path.is_dir():
        raise ConfigurationError(
            f"--{option} {text!r} is a file; give a folder to write the files in", key=option
        )
    return path


def _written(path: Path, text: str, option: str) -> Path:
    """Write ``text`` (UTF-8) to ``path``; a refusal by the system is a message."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        raise ConfigurationError(
            f"--{option}: cannot write {str(path)!r} ({error.strerror or error})", key=option
        ) from None
    return path


def _host_desk(args: argparse.Namespace) -> Helpdesk | None:
    """The desk ``--app`` (or ``CHAMADOS_APP``) names, or ``None``. The current folder is
    importable, as with ``python -m``."""
    spec = app_spec(args.app)
    if spec is None:
        return None
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())
    return load_app(spec)


def _report(args: argparse.Namespace) -> None:
    from chamados.reports.html import report_html
    from chamados.reports.render import render_report

    language(args.lang)
    start, end = _moment(args.start, "from"), _moment(args.end, "to")
    page = _output_file(args.html, "html") if args.html else None
    folder = _output_folder(args.csv, "csv") if args.csv else None
    explicit = args.db or args.url
    if explicit and args.app:
        raise ConfigurationError(
            "--app brings the host's own storage: drop the database URL or --db", key="app"
        )
    host = None if explicit else _host_desk(args)
    if host is not None:
        desk = host if args.tenant is None else host.for_tenant(args.tenant)
        report = desk.report(start=start, end=end)
    else:
        report = _stored_report(args, start, end)
    print(render_report(report, lang=args.lang, max_rows=args.max_rows))
    if page is not None:
        print(f"\n{_written(page, report_html(report, lang=args.lang), 'html')}")
    if folder is not None:
        for table in report.tables:
            csv = table.to_csv(safe=not args.raw_csv)
            _written(folder / f"{table.name}.csv", csv, "csv")
        print(f"{len(report.tables)} CSV files in {folder}")


def _stored_report(
    args: argparse.Namespace, start: pendulum.DateTime | None, end: pendulum.DateTime | None
) -> Report:
    """The report of the database the arguments name, read with the built-in workflows."""
    from chamados.storage.sql import SqlStorage

    if args.db:
        path = Path(args.db)
        if not path.is_file():
            what = "is a folder" if path.is_dir() else "does not exist"
            raise ConfigurationError(f"{path} {what}; give a SQLite file", key="db")
        url = f"sqlite:///{path.resolve()}"
    else:
        url = args.url or os.environ.get(STORAGE_URL, "").strip()
    if not url:
        raise ConfigurationError(
            f"give a database URL, --db PATH (after `chamados demo`: --db {DEMO_DB}), "
            f"--app MODULE:FACTORY, or set {STORAGE_URL}",
            key="url",
        )
    storage = SqlStorage(url, create=False)
    try:
        desk = Helpdesk(storage=storage, tenant=args.tenant)
        return desk.report(start=start, end=end)
    finally:
        storage.close()


def _diagram(args: argparse.Namespace) -> None:
    from chamados.workflows import WorkflowRegistry, to_mermaid

    language(args.lang)
    host = _host_desk(args)
    workflows = host.workflows if host is not None else WorkflowRegistry.with_builtins()
    sys.stdout.write(to_mermaid(workflows.get(args.workflow), lang=args.lang))


def _db(args: argparse.Namespace) -> None:
    from chamados.storage.sql import SCHEMA_VERSION, SqlStorage

    url = args.url or os.environ.get(STORAGE_URL, "").strip()
    if not url:
        raise ConfigurationError(f"give the database URL, or set {STORAGE_URL}", key="url")
    storage = SqlStorage(url, create=False)
    try:
        if args.action == "init":
            storage.init()
            print(f"created chamados' tables (schema version {SCHEMA_VERSION}) in {storage!r}")
        elif args.action == "upgrade":
            ran = storage.upgrade()
            print(
                f"ran {ran} migration(s); {storage!r} is at schema version {SCHEMA_VERSION}"
                if ran
                else f"{storage!r} is at schema version {SCHEMA_VERSION}: nothing to do"
            )
        else:
            found = storage.schema_version()
            print(f"database: {found if found is not None else 'no chamados tables'}")
            print(f"chamados: {SCHEMA_VERSION}")
    finally:
        storage.close()


def _policy(args: argparse.Namespace) -> None:
    from chamados.policies import load_policies

    policies = load_policies(args.file)
    if args.action == "explain":
        _explain(args, policies)
        return
    lines: list[str] = []
    if policies.priority is not None:
        lines += ["Priority rules", *(f"  {line}" for line in policies.priority.describe())]
    if policies.routing is not None:
        lines += ["Routes", *(f"  {line}" for line in policies.routing.describe())]
    when = f"on open: {policies.assign_on_open}, on escalation: {policies.assign_on_escalation}"
    lines.append(f"Assignment: {policies.assignment.name} ({when})")
    if policies.agents is not None:
        lines.append("Agents")
        for agent in policies.agents:
            tiers = ",".join(f"N{t}" for t in sorted(agent.tiers))
            extra = f", skills {', '.join(sorted(agent.skills))}" if agent.skills else ""
            cap = f", capacity {agent.capacity}" if agent.capacity else ""
            lines.append(f"  {agent.id}: {', '.join(sorted(agent.teams))} {tiers}{extra}{cap}")
    if policies.sla_actions:
        lines.append("SLA actions")
        for action in policies.sla_actions:
            clock = f"{action.policy or '*'}/{action.metric or '*'}"
            lines.append(f"  {action.name or '-'}: on {action.on} of {clock}")
    _say(lines)


_EXPLAIN_WORDS = {
    "en": {
        "priority": "priority",
        "team": "team",
        "assignee": "assignee",
        "status": "status",
        "why": "what the desk did",
        "given": "given in the ticket: the priority rules leave it alone",
        "given_team": "given in the ticket: the routes leave it alone",
        "no_rule": "no priority rule changed it",
        "no_route": "no route matched and there is no default team",
        "nobody": "nobody: no available agent serves this team and tier",
        "not_asked": "nobody: automatic assignment on open is off",
        "nothing": "nothing: no policy changed the ticket",
        "empty": "(as on an empty desk: no agent holds any ticket yet)",
    },
    "pt-BR": {
        "priority": "prioridade",
        "team": "equipe",
        "assignee": "responsável",
        "status": "status",
        "why": "o que o atendimento fez",
        "given": "informada no chamado: as regras de prioridade não a mudam",
        "given_team": "informada no chamado: as rotas não a mudam",
        "no_rule": "nenhuma regra de prioridade a mudou",
        "no_route": "nenhuma rota valeu e não há equipe padrão",
        "nobody": "ninguém: nenhum agente disponível atende esta equipe e este nível",
        "not_asked": "ninguém: a atribuição automática na abertura está desligada",
        "nothing": "nada: nenhuma política mudou o chamado",
        "empty": "(como num atendimento vazio: nenhum agente tem chamados ainda)",
    },
}


def _explain(args: argparse.Namespace, policies: Policies) -> None:
    """Open the described ticket on a desk in memory with these policies (and the host's
    workflows, with ``--app``) and say what it decided: the command the desk runs, not a
    model of it, so the explanation cannot drift from it."""
    from chamados.policies import open_arguments

    lang = language(args.lang)
    words = _EXPLAIN_WORDS[lang]
    arguments = open_arguments(args.ticket)
    host = _host_desk(args)
    desk = Helpdesk(
        storage=MemoryStorage(),
        workflows=host.workflows if host is not None else None,
        policies=policies,
    )
    ticket = desk.open(**arguments)
    workflow = desk.workflows.get(ticket.workflow)
    status = workflow.statuses[ticket.status].label.get(lang)
    decided = desk.history(ticket.id)[1:]
    kinds = {event.kind for event in decided}

    def note(key: str, changed: bool, otherwise: str) -> str:
        if key in arguments:
            return f"  ({words['given' if key == 'priority' else 'given_team']})"
        return "" if changed else f"  ({words[otherwise]})"

    assignee = "nobody" if policies.assign_on_open else "not_asked"
    lines = [
        f"{words['priority']}: {ticket.priority.label.get(lang)}"
        + note("priority", "priority_changed" in kinds, "no_rule"),
        f"{words['team']}: {ticket.team or '-'}"
        + note("team", ticket.team is not None, "no_route"),
        f"{words['assignee']}: {ticket.assignee or '-'}"
        + ("" if ticket.assignee is not None else f"  ({words[assignee]})"),
        f"{words['status']}: {status} ({ticket.workflow})",
        f"{words['why']}:",
    ]
    shown = [workflow.describe(event, lang=lang) for event in decided]
    lines += [f"  {line}" for line in shown] or [f"  {words['nothing']}"]
    if policies.assign_on_open:
        lines.append(words["empty"])
    _say(lines)


def _say(lines: Sequence[str]) -> None:
    """Print ``lines``, each made printable: they quote the policies file and the ticket."""
    for line in lines:
        print(printable(line))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
