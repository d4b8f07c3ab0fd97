"""The ``chamados`` command: ``chamados demo`` and ``chamados diagram WORKFLOW``."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from chamados.exceptions import ChamadosError

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
    diagram = commands.add_parser("diagram", help="print a workflow as a Mermaid state diagram")
    diagram.add_argument("workflow", help="a registered workflow name: standard, returns")
    diagram.add_argument("--lang", default="en", help="en (default) or pt-BR")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (0 ok, 2 usage or input errors)."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "demo":
            from chamados.demo import run_demo

            run_demo(sys.stdout, lang=args.lang)
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
