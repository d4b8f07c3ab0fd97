"""Routing and assignment: which sector (team) takes a ticket, and which agent.

``RoutingPolicy`` sends a new ticket to a team by ordered ``TeamRoute``s (first match wins),
with a default team; the ticket starts in that team's N1 queue. ``Agents`` lists who
works where (teams, tiers, skills, capacity, availability). An assignment strategy picks
an agent for a ticket: ``RoundRobin``, ``LeastLoaded`` (counting only tickets whose SLA
clocks are running, as Freshdesk does) or ``Skills``. ``queue_order`` sorts a work queue:
breached work first (the most overdue first), then the earliest SLA due time, then
tickets without a clock; within each, the highest priority, then the oldest.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Protocol

import pendulum
from attrs import field, frozen

from chamados import limits
from chamados.exceptions import ConfigurationError, InvalidTicketError
from chamados.limits import check_text
from chamados.model import Ticket
from chamados.policies.conditions import (
    Condition,
    TicketPredicate,
    compile_condition,
    describe_condition,
)

__all__ = [
    "Agent",
    "Agents",
    "AssignmentStrategy",
    "LeastLoaded",
    "RoundRobin",
    "RoutingDecision",
    "RoutingPolicy",
    "Skills",
    "TeamRoute",
    "next_due",
    "queue_order",
]


def _check_team(team: str, *, key: str) -> None:
    """A team name a ticket can hold (``chamados.limits``), or a ``ConfigurationError``."""
    try:
        check_text(team, field="team", limit=limits.TEAM)
    except InvalidTicketError as error:
        raise ConfigurationError(f"{key}: {error}", key=key) from None


@frozen(init=False)
class TeamRoute:
    """Send tickets matching ``when`` to ``team``; ``why`` goes to the history.

    (Named for where it sends a ticket, apart from ``chamados.notify.Route``, which sends
    events to a notifier.)
    """

    name: str
    team: str
    when: Condition | None
    why: str
    matches: TicketPredicate = field(repr=False, eq=False)

    def __init__(
        self, name: str, *, team: str, when: Condition | None = None, why: str | None = None
    ) -> None:
        if not isinstance(name, str) or not name.strip():
            raise ConfigurationError("a route needs a name", key="name")
        if not isinstance(team, str) or not team.strip():
            raise ConfigurationError(f"route {name!r} needs a team", key=f"route {name!r}: team")
        _check_team(team, key=f"route {name!r}: team")
        self.__attrs_init__(
            name=name,
            team=team,
            when=when,
            why=why or describe_condition(when),
            matches=compile_condition(when, where=f"route {name!r}: when"),
        )


@frozen
class RoutingDecision:
    """The team a ticket goes to, and the route that chose it (``None``: the default)."""

    team: str | None
    route: str | None
    why: str

    def explain(self) -> str:
        """One line for the history."""
        if self.route is None:
            return f"default team {self.team}" if self.team else "no route matched"
        return f"route {self.route}: {self.why}"


class RoutingPolicy:
    """Ordered routes (first match wins) and the team for tickets no route takes.

    >>> from chamados.testing import make_ticket
    >>> routing = RoutingPolicy([TeamRoute("pagamentos", when={"category": "pagamento"},
    ...                                    team="financeiro")], default_team="atendimento")
    >>> routing.route(make_ticket(category="pagamento")).team
    'financeiro'
    >>> routing.route(make_ticket()).explain()
    'default team atendimento'
    """

    def __init__(self, routes: Iterable[TeamRoute], *, default_team: str | None = None) -> None:
        self.routes = tuple(routes)
        for route in self.routes:
            if not isinstance(route, TeamRoute):
                raise ConfigurationError(f"{route!r} is not a TeamRoute", key="routing")
        names = [r.name for r in self.routes]
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ConfigurationError(
                f"route names must be unique: {', '.join(duplicated)}", key="routing"
            )
        if default_team is not None:
            if not isinstance(default_team, str) or not default_team.strip():
                raise ConfigurationError(
                    f"default_team must name a team, or be left out for none; got "
                    f"{default_team!r}",
                    key="default_team",
                )
            _check_team(default_team, key="default_team")
        self.default_team = default_team

    def route(self, ticket: Ticket) -> RoutingDecision:
        """The team for ``ticket``."""
        for route in self.routes:
            if route.matches(ticket):
                return RoutingDecision(route.team, route.name, route.why)
        return RoutingDecision(self.default_team, None, "")

    def describe(self) -> list[str]:
        """Each route in one line, in order."""
        lines = [
            f"{n}. {r.name}: when {describe_condition(r.when)} → {r.team}"
            for n, r in enumerate(self.routes, start=1)
        ]
        lines.append(f"default: {self.default_team or '-'}")
        return lines


@frozen
class Agent:
    """Someone who takes tickets: the teams and tiers served, skills, and capacity.

    ``capacity`` caps the tickets with running SLA clocks the agent holds (``None``: no
    cap). ``id`` is the ``Party.agent(id)`` id and the ticket's ``assignee``.
    """

    id: str
    teams: frozenset[str] = field(converter=frozenset)
    tiers: frozenset[int] = field(default=frozenset({1}), converter=frozenset)
    skills: frozenset[str] = field(default=frozenset(), converter=frozenset)
    capacity: int | None = None
    name: str | None = None

    def serves(self, ticket: Ticket) -> bool:
        """True when the ticket is in one of the agent's teams and tiers."""
        return ticket.team in self.teams and ticket.tier in self.tiers


class Agents:
    """The agents of a desk and who is available now (thread-safe).

    >>> agents = Agents([Agent("ana", teams={"atendimento"})])
    >>> agents.set_available("ana", False)
    >>> [a.id for a in agents.available()]
    []
    """

    def __init__(self, agents: Iterable[Agent]) -> None:
        found: dict[str, Agent] = {}
        for agent in agents:
            if not isinstance(agent, Agent):
                raise ConfigurationError(f"{agent!r} is not an Agent", key="agents")
            if agent.id in found:
                raise ConfigurationError(f"two agents have the id {agent.id!r}", key="agents")
            found[agent.id] = agent
        self._agents = found
        self._away: set[str] = set()
        self._lock = threading.Lock()

    def get(self, agent_id: str) -> Agent:
        """The agent ``agent_id``; ``ConfigurationError`` if there is none."""
        try:
            return self._agents[agent_id]
        except KeyError:
            raise ConfigurationError(
                f"unknown agent {agent_id!r}; add it to the desk's Agents", key="agents"
            ) from None

    def set_available(self, agent_id: str, available: bool) -> None:
        """Mark an agent present or away (lunch, vacation, end of shift)."""
        self.get(agent_id)
        with self._lock:
            if available:
                self._away.discard(agent_id)
            else:
                self._away.add(agent_id)

    def available(self) -> list[Agent]:
        """The agents not marked away, in the order given."""
        return [a for a in self._agents.values() if a.id not in self._away]

    @property
    def skills(self) -> frozenset[str]:
        """Every skill some agent of the desk has, whether present or away."""
        return frozenset(skill for agent in self._agents.values() for skill in agent.skills)

    def __iter__(self) -> Iterator[Agent]:
        return iter(self._agents.values())

    def __len__(self) -> int:
        return len(self._agents)


Load = Callable[[str], int]
"""The number of tickets with running SLA clocks an agent holds."""


class AssignmentStrategy(Protocol):
    """Chooses an agent for a ticket among candidates, or ``None``."""

    name: str

    def choose(self, ticket: Ticket, candidates: Sequence[Agent], load: Load) -> Agent | None:
        """The agent to assign, from ``candidates`` (available, serving, under capacity)."""
        ...


class RoundRobin:
    """Takes turns: the candidate assigned least recently (never first, then list order).

    Turns survive agents coming and going: whoever waited longest goes next. They are
    kept in this process; with several workers, each keeps its own turns.
    """

    name = "round_robin"

    def __init__(self) -> None:
        self._turn: dict[str, int] = {}
        self._count = 0
        self._lock = threading.Lock()

    def choose(self, ticket: Ticket, candidates: Sequence[Agent], load: Load) -> Agent | None:
        if not candidates:
            return None
        with self._lock:
            order = {agent.id: n for n, agent in enumerate(candidates)}
            chosen = min(candidates, key=lambda a: (self._turn.get(a.id, -1), order[a.id]))
            self._count += 1
            self._turn[chosen.id] = self._count
        return chosen


class LeastLoaded:
    """The candidate holding the fewest tickets whose SLA clocks run (ties: list order)."""

    name = "least_loaded"

    def choose(self, ticket: Ticket, candidates: Sequence[Agent], load: Load) -> Agent | None:
        if not candidates:
            return None
        return min(candidates, key=lambda agent: load(agent.id))


class Skills:
    """Candidates with every skill the ticket needs; the least loaded of them.

    A ticket needs the skills ``by_category`` gives its category, plus its tags that are
    skills of some agent of the desk when ``tags_are_skills``. What a ticket needs depends
    on the ticket and the desk's agents only, never on who asks or who is present: the
    ``Helpdesk`` judges it against every agent (``Agents.skills``), so ``auto_assign`` and
    ``next_ticket`` agree, and a ticket nobody present can handle waits in the queue.
    """

    name = "skills"

    def __init__(
        self,
        by_category: Mapping[str, Iterable[str]] | None = None,
        *,
        tags_are_skills: bool = True,
    ) -> None:
        self.by_category = {k: frozenset(v) for k, v in (by_category or {}).items()}
        self.tags_are_skills = tags_are_skills

    def needs(self, ticket: Ticket, known: frozenset[str]) -> frozenset[str]:
        """The skills ``ticket`` needs, ``known`` being every skill of the desk's agents
        (``Agents.skills``)."""
        needed = set(self.by_category.get(ticket.category or "", ()))
        if self.tags_are_skills:
            needed |= ticket.tags & known
        return frozenset(needed)

    def able(self, ticket: Ticket, agent: Agent, *, known: frozenset[str]) -> bool:
        """True when ``agent`` has every skill ``ticket`` needs (see ``needs``)."""
        return self.needs(ticket, known) <= agent.skills

    def choose(self, ticket: Ticket, candidates: Sequence[Agent], load: Load) -> Agent | None:
        """The least loaded candidate able to take the ticket. Used on its own, the skills
        known are the candidates'; the ``Helpdesk`` passes only agents already judged
        ``able`` against every skill of the desk."""
        known = frozenset(s for a in candidates for s in a.skills)
        able = [a for a in candidates if self.able(ticket, a, known=known)]
        return LeastLoaded().choose(ticket, able, load)


def _owed(ticket: Ticket) -> tuple[pendulum.DateTime | None, bool]:
    """The earliest due time of the clocks that still owe an answer (running, or breached
    and not met yet), and whether one of them is breached."""
    dues: list[pendulum.DateTime] = []
    breached = False
    for clock in ticket.sla_clocks:
        if clock.status not in ("running", "breached") or clock.met_at is not None:
            continue
        if clock.due_at is not None:
            dues.append(clock.due_at)
            breached = breached or clock.status == "breached"
    return (min(dues) if dues else None), breached


def next_due(ticket: Ticket) -> pendulum.DateTime | None:
    """The earliest due time of the ticket's SLA clocks that still count: running ones,
    and breached ones not met yet (their due time has passed)."""
    return _owed(ticket)[0]


def queue_order(ticket: Ticket) -> tuple[int, float, int, float, str]:
    """Sort key of a work queue: breached work first (the most overdue first), then the
    earliest SLA due time, then tickets without a clock that counts; within each, the
    highest priority, then the oldest ticket."""
    due, breached = _owed(ticket)
    group = 0 if breached else 1 if due is not None else 2
    return (
        group,
        due.timestamp() if due is not None else 0.0,
        -ticket.priority.rank,
        ticket.created_at.timestamp(),
        ticket.id,
    )
