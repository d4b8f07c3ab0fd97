"""The ``chamados`` command: ``demo``, ``db``, ``report``, ``diagram`` and ``policy``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from chamados.exceptions import ChamadosError, ConfigurationError
from chamados.settings import STORAGE_URL

DEMO_DB = "chamados-demo.db"

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chamados",
        description="Support tickets for online stores and marketplaces.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    demo = commands.add_parser(
        "demo", help="run a day of a marketplace store's tickets and print the timeline"
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
    report.add_argument("--from", dest="start", metavar="DATE", help="tickets created from")
    report.add_argument("--to", dest="end", metavar="DATE", help="... until (default: now)")
    report.add_argument("--tenant", help="one tenant's tickets (default: all)")
    report.add_argument(
        "--max-rows", type=int, default=25, metavar="N", help="rows per table (default 25)"
    )
    diagram = commands.add_parser("diagram", help="print a workflow as a Mermaid state diagram")
    diagram.add_argument("workflow", help="a registered workflow name: standard, returns")
    diagram.add_argument("--lang", default="en", help="en (default) or pt-BR")
    policy = commands.add_parser("policy", help="show or explain the policies of a TOML file")
    actions = policy.add_subparsers(dest="action", required=True, metavar="ACTION")
    show = actions.add_parser("show", help="list the rules, routes, agents and SLA actions")
    show.add_argument("file", help="a policies TOML file")
    explain = actions.add_parser("explain", help="say which rules decide a ticket, and why")
    explain.add_argument("file", help="a policies TOML file")
    explain.add_argument(
        "--ticket",
        required=True,
        help="the ticket as JSON, for example "
        '\'{"category": "pagamento", "fields": {"valor_pedido": 1500}}\'',
    )
    return parser


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
            from chamados.workflows import WorkflowRegistry, to_mermaid

            workflow = WorkflowRegistry.with_builtins().get(args.workflow)
            sys.stdout.write(to_mermaid(workflow, lang=args.lang))
    except ChamadosError as error:
        print(f"chamados: {error}", file=sys.stderr)
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


def _report(args: argparse.Namespace) -> None:
    import pendulum

    from chamados.reports.html import write_html
    from chamados.reports.render import render_report
    from chamados.service import Helpdesk
    from chamados.storage.sql import SqlStorage

    if args.db:
        path = Path(args.db)
        if not path.exists():
            raise ConfigurationError(f"{path} does not exist", key="db")
        url = f"sqlite:///{path.resolve()}"
    else:
        url = args.url or os.environ.get(STORAGE_URL, "").strip()
    if not url:
        raise ConfigurationError(
            f"give a database URL, --db PATH (after `chamados demo`: --db {DEMO_DB}), or set "
            f"{STORAGE_URL}",
            key="url",
        )

    def moment(text: str | None, name: str) -> pendulum.DateTime | None:
        if text is None:
            return None
        try:
            value = pendulum.parse(text, tz="America/Sao_Paulo")
        except (ValueError, pendulum.parsing.exceptions.ParserError) as error:
            raise ConfigurationError(f"--{name} {text!r} is not a date: {error}") from None
        assert isinstance(value, pendulum.DateTime)
        return value

    storage = SqlStorage(url, create=False)
    try:
        desk = Helpdesk(storage=storage, tenant=args.tenant)
        report = desk.report(start=moment(args.start, "from"), end=moment(args.end, "to"))
    finally:
        storage.close()
    print(render_report(report, lang=args.lang, max_rows=args.max_rows))
    if args.html:
        print(f"\n{write_html(report, args.html, lang=args.lang)}")
    if args.csv:
        folder = Path(args.csv)
        folder.mkdir(parents=True, exist_ok=True)
        for table in report.tables:
            (folder / f"{table.name}.csv").write_text(
                table.to_csv(safe=not args.raw_csv), encoding="utf-8"
            )
        print(f"{len(report.tables)} CSV files in {folder}")


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
    from chamados.config import example_ticket, load_policies

    policies = load_policies(args.file)
    if args.action == "show":
        if policies.priority is not None:
            print("Priority rules")
            for line in policies.priority.describe():
                print(f"  {line}")
        if policies.routing is not None:
            print("Routes")
            for line in policies.routing.describe():
                print(f"  {line}")
        when = (
            f"on open: {policies.assign_on_open}, on escalation: {policies.assign_on_escalation}"
        )
        print(f"Assignment: {policies.assignment.name} ({when})")
        if policies.agents is not None:
            print("Agents")
            for agent in policies.agents:
                tiers = ",".join(f"N{t}" for t in sorted(agent.tiers))
                extra = f", skills {', '.join(sorted(agent.skills))}" if agent.skills else ""
                cap = f", capacity {agent.capacity}" if agent.capacity else ""
                print(f"  {agent.id}: {', '.join(sorted(agent.teams))} {tiers}{extra}{cap}")
        if policies.sla_actions:
            print("SLA actions")
            for action in policies.sla_actions:
                clock = f"{action.policy or '*'}/{action.metric or '*'}"
                print(f"  {action.name or '-'}: on {action.on} of {clock}")
        return
    ticket = example_ticket(args.ticket)
    if policies.priority is not None:
        decision = policies.priority.decide(ticket)
        print(f"priority: {decision.priority.value}")
        if not decision.fired:
            print(f"  no rule matched: the default ({decision.default.value})")
        for firing in decision.fired:
            change = f"{firing.before.value} -> {firing.after.value}"
            print(f"  {firing.rule}: {change}  because {firing.why}")
    if policies.routing is not None:
        routed = policies.routing.route(ticket)
        print(f"team: {routed.team or '-'}")
        print(f"  {routed.explain()}")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
