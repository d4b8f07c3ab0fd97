"""Commands per second through Helpdesk, side by side with the bare machine they wrap.

Run:  .venv/bin/python benchmarks/bench_commands.py [--seconds 1.0]

Rows:

- ``bare python-statemachine``: a plain python-statemachine 3 ``StateChart`` with the same
  states, transitions and strict flags as ``StandardWorkflow`` but nothing of chamados;
  restore it on a model object and send one event. This is the floor.
- ``StandardWorkflow restore+fire``: chamados' workflow class alone (labels, categories,
  the shared rules in ``before_transition``), no storage.
- ``Helpdesk.<command>``: the full command on the in-memory store: load, check, transition,
  events, version-checked commit.

The goal (issue 2) is that a command costs at most twice the bare restore-and-send.
The rows are timed in interleaved rounds (``harness.compare``: each round runs every row,
in a rotating order), and each row's cost is given as a ratio to the bare machine taken
round by round, with its spread.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from harness import Contender, compare, describe_machine
from statemachine import Event, State, StateChart

from chamados import Helpdesk, Party
from chamados.testing import FakeClock, make_ticket
from chamados.workflows import StandardWorkflow


def bare_chart() -> type[StateChart[Any]]:
    """A plain StateChart with StandardWorkflow's topology and strict flags."""
    states = {
        name: State(initial=s.initial, final=s.final)
        for name, s in StandardWorkflow.statuses.items()
    }
    namespace: dict[str, Any] = {
        "allow_event_without_transition": False,
        "catch_errors_as_events": False,
        "enable_self_transition_entries": False,
        "atomic_configuration_update": True,
        **states,
    }
    by_event: dict[str, Any] = {}
    for event, source, target in StandardWorkflow.transitions():
        built = states[source].to(states[target])
        by_event[event] = built if event not in by_event else by_event[event] | built
    namespace.update({name: Event(transitions) for name, transitions in by_event.items()})
    return type("BareSupport", (StateChart,), namespace)


class Model:
    """What a bare machine restores from: an object with a status."""

    def __init__(self, status: str) -> None:
        self.status = status


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9, help="interleaved rounds (9)")
    parser.add_argument("--seconds", type=float, default=0.2, help="per row a round (0.2)")
    parser.add_argument("--ops", type=int, default=None, help="fixed calls a round instead")
    args = parser.parse_args(argv)

    bare = bare_chart()
    agent, customer = Party.agent("ana"), Party.customer("c-1")
    clock = FakeClock()
    now = clock.now()

    def bare_send() -> None:
        machine = bare(model=Model("open"), state_field="status")
        machine.send("ask_customer")

    def workflow_fire() -> None:
        ticket = make_ticket(status="open")
        StandardWorkflow(ticket).fire("ask_customer", now=now)

    desk = Helpdesk(clock=clock)

    def opened() -> str:
        return desk.open(tenant="loja-1", channel="site", requester=customer, subject="Pedido").id

    pool = [opened() for _ in range(2000)]
    for ticket_id in pool:
        desk.transition(ticket_id, "start", actor=agent)
    replies = [opened() for _ in range(2000)]
    cursor = iter(range(10**9))

    def cmd_open() -> None:
        opened()

    def cmd_reply() -> None:
        # Internal notes on tickets of their own pool: a command with no transition.
        desk.reply(
            replies[next(cursor) % len(replies)], author=agent, body="Verificando.", public=False
        )

    moves = iter(range(10**9))

    def cmd_transition() -> None:
        # Sweep the pool asking every customer, then sweep it again with their answers,
        # so every call is a real transition.
        n = next(moves)
        sweep, index = divmod(n, len(pool))
        event = "ask_customer" if sweep % 2 == 0 else "customer_replied"
        desk.transition(pool[index], event, actor=agent)

    fresh: list[str] = []

    def top_up() -> None:  # untimed, before each round: tickets to resolve
        fresh.extend(opened() for _ in range(max(0, 3000 - len(fresh))))

    def cmd_resolve() -> None:
        if not fresh:
            top_up()
        desk.resolve(fresh.pop(), actor=agent, summary="Resolvido")

    rows: list[tuple[str, Callable[[], Any]]] = [
        ("bare python-statemachine restore+send", bare_send),
        ("StandardWorkflow restore+fire", workflow_fire),
        ("Helpdesk.open", cmd_open),
        ("Helpdesk.reply (internal, no transition)", cmd_reply),
        ("Helpdesk.transition", cmd_transition),
        ("Helpdesk.resolve", cmd_resolve),
    ]
    results = compare(
        [
            Contender(name, work, before=top_up if work is cmd_resolve else None)
            for name, work in rows
        ],
        rounds=args.rounds,
        seconds=args.seconds,
        ops=args.ops,
    )
    print(f"{describe_machine('python-statemachine')}; {results.rounds} interleaved rounds")
    results.print_times()
    bare = rows[0][0]
    results.print_ratios(
        [(bare, name) for name, _ in rows[1:]], title="cost relative to the bare machine:"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
