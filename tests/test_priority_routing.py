"""Priority rules, routes, agents and assignment strategies, on their own."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pendulum
import pytest

from chamados import ConfigurationError, Party, Priority
from chamados.policies import (
    Agent,
    Agents,
    LeastLoaded,
    PriorityPolicy,
    PriorityRule,
    RoundRobin,
    RoutingPolicy,
    Skills,
    TeamRoute,
    queue_order,
)
from chamados.sla import SlaClock
from chamados.testing import make_ticket


class TestPriorityRules:
    @pytest.mark.parametrize(
        ("rule", "start", "expected"),
        [
            (PriorityRule("s", set="urgent"), Priority.LOW, Priority.URGENT),
            (PriorityRule("r", raise_by=1), Priority.NORMAL, Priority.HIGH),
            (PriorityRule("r2", raise_by=-2), Priority.HIGH, Priority.LOW),
            (PriorityRule("al", at_least="high"), Priority.NORMAL, Priority.HIGH),
            (PriorityRule("al2", at_least="high"), Priority.URGENT, Priority.URGENT),
            (PriorityRule("am", at_most="normal"), Priority.URGENT, Priority.NORMAL),
            (
                PriorityRule("mix", set="low", raise_by=1, at_least="high"),
                Priority.URGENT,
                Priority.HIGH,
            ),
        ],
    )
    def test_each_effect(self, rule: PriorityRule, start: Priority, expected: Priority) -> None:
        """set, raise, at least and at most, alone and together."""
        assert rule.apply(start) is expected

    def test_rules_run_in_order_and_accumulate(self) -> None:
        """Every matching rule applies to what the rules before left."""
        policy = PriorityPolicy(
            [
                PriorityRule("pagamento", when={"category": "pagamento"}, set="high"),
                PriorityRule("vip", when={"fields.segmento": "vip"}, raise_by=1),
                PriorityRule("teto", when={"channel": "site"}, at_most="high"),
            ]
        )
        ticket = make_ticket(category="pagamento", custom_fields={"segmento": "vip"})
        decision = policy.decide(ticket)
        assert decision.priority is Priority.HIGH
        assert decision.rules == ("pagamento", "vip", "teto")
        assert [(f.before, f.after) for f in decision.fired] == [
            (Priority.NORMAL, Priority.HIGH),
            (Priority.HIGH, Priority.URGENT),
            (Priority.URGENT, Priority.HIGH),
        ]

    def test_stop_ends_the_evaluation(self) -> None:
        """A stop rule is the last to run."""
        policy = PriorityPolicy(
            [
                PriorityRule("spam", when={"tags": ["spam"]}, set="low", stop=True),
                PriorityRule("all", raise_by=2),
            ]
        )
        assert policy.decide(make_ticket(tags={"spam"})).priority is Priority.LOW
        assert policy.decide(make_ticket()).priority is Priority.URGENT

    def test_the_decision_explains_itself(self) -> None:
        """explain() says which rules fired and why; none means the default."""
        policy = PriorityPolicy(
            [
                PriorityRule(
                    "estorno", when={"subject": "estorno"}, set="high", why="dinheiro do cliente"
                )
            ],
            default="low",
        )
        assert policy.decide(make_ticket(subject="Pedido de ESTORNO")).explain() == (
            "estorno: low → high (dinheiro do cliente)"
        )
        assert policy.decide(make_ticket()).explain() == "no rule matched: default low"

    def test_every_condition_kind(self) -> None:
        """Channel, category, requester kind, partner, tenant, tags, custom fields, subject."""
        ticket = make_ticket(
            channel="amazon",
            category="troca",
            requester=Party.partner("s-1"),
            partner=Party.partner("s-1"),
            tenant="loja-9",
            tags={"b2b"},
            custom_fields={"valor_pedido": 3500, "segmento": "vip"},
            subject="Quero falar com um advogado",
        )
        for when in [
            {"channel": "amazon"},
            {"category": ["troca"]},
            {"requester": "partner"},
            {"partner": "s-1"},
            {"tenant": "loja-9"},
            {"tags": ["b2b"]},
            {"fields.valor_pedido": {"gt": 3000, "lte": 3500}},
            {"fields": {"segmento": "vip"}},
            {"subject": ["advogado"]},
            lambda t: t.channel == "amazon",
        ]:
            policy = PriorityPolicy([PriorityRule("r", when=when, set="urgent")])
            assert policy.decide(ticket).priority is Priority.URGENT, when

    def test_words_match_whole_words_without_accents(self) -> None:
        """'cobranca' finds 'Cobrança'; 'pix' does not find 'pixel'."""
        policy = PriorityPolicy(
            [PriorityRule("r", when={"subject": ["cobranca", "pix"]}, set="high")]
        )
        assert policy.decide(make_ticket(subject="Cobrança em dobro")).priority is Priority.HIGH
        assert (
            policy.decide(make_ticket(subject="Monitor com pixel morto")).priority
            is Priority.NORMAL
        )

    def test_comparisons_never_match_missing_fields(self) -> None:
        """A ticket without the field is not 'at least 1000'."""
        policy = PriorityPolicy(
            [PriorityRule("r", when={"fields.valor": {"gte": 1000}}, set="high")]
        )
        assert policy.decide(make_ticket()).priority is Priority.NORMAL
        assert (
            policy.decide(make_ticket(custom_fields={"valor": "muito"})).priority
            is Priority.NORMAL
        )

    @pytest.mark.parametrize(
        "kwargs",
        [{}, {"set": "critical"}, {"raise_by": 1.5}, {"when": {"channel": {"between": 1}}}],
    )
    def test_bad_rules_are_refused(self, kwargs: dict[str, object]) -> None:
        """A rule that changes nothing, or has a bad value, is a ConfigurationError."""
        with pytest.raises(ConfigurationError):
            PriorityRule("r", **kwargs)  # type: ignore[arg-type]

    def test_rule_names_are_unique(self) -> None:
        """Two rules with one name would make the history ambiguous."""
        with pytest.raises(ConfigurationError, match="unique"):
            PriorityPolicy([PriorityRule("a", raise_by=1), PriorityRule("a", raise_by=1)])


class TestRouting:
    def test_first_matching_route_wins(self) -> None:
        """Routes are tried in order; the default team takes the rest."""
        routing = RoutingPolicy(
            [
                TeamRoute("pagamentos", when={"category": "pagamento"}, team="financeiro"),
                TeamRoute("tudo-do-site", when={"channel": "site"}, team="atendimento"),
            ],
            default_team="geral",
        )
        assert routing.route(make_ticket(category="pagamento")).team == "financeiro"
        assert routing.route(make_ticket(channel="site")).team == "atendimento"
        decision = routing.route(make_ticket(channel="email"))
        assert (decision.team, decision.route) == ("geral", None)

    def test_routes_need_names_and_teams(self) -> None:
        """A route without a team is refused."""
        with pytest.raises(ConfigurationError, match="team"):
            TeamRoute("x", team="")
        with pytest.raises(ConfigurationError, match="unique"):
            RoutingPolicy([TeamRoute("a", team="t"), TeamRoute("a", team="u")])


ANA = Agent("ana", teams={"atendimento"})
BRUNO = Agent("bruno", teams={"atendimento"})
CARLA = Agent("carla", teams={"atendimento"}, skills={"pagamentos"})


def no_load(agent_id: str) -> int:
    return 0


class TestStrategies:
    def test_round_robin_is_fair(self) -> None:
        """Over 30 tickets, three agents get ten each, in turn."""
        strategy = RoundRobin()
        ticket = make_ticket(team="atendimento")
        chosen = [strategy.choose(ticket, [ANA, BRUNO, CARLA], no_load) for _ in range(30)]
        assert Counter(a.id for a in chosen if a) == {"ana": 10, "bruno": 10, "carla": 10}
        assert [a.id for a in chosen[:4] if a] == ["ana", "bruno", "carla", "ana"]

    def test_round_robin_gives_the_next_turn_to_who_waited_longest(self) -> None:
        """When someone leaves and comes back, nobody is skipped twice."""
        strategy = RoundRobin()
        ticket = make_ticket()
        assert strategy.choose(ticket, [ANA, BRUNO, CARLA], no_load) == ANA
        assert strategy.choose(ticket, [ANA, CARLA], no_load) == CARLA  # Bruno is away
        assert strategy.choose(ticket, [ANA, BRUNO, CARLA], no_load) == BRUNO

    def test_least_loaded(self) -> None:
        """The agent with the fewest running tickets; ties go to list order."""
        loads = {"ana": 3, "bruno": 1, "carla": 1}
        assert LeastLoaded().choose(make_ticket(), [ANA, BRUNO, CARLA], loads.__getitem__) == BRUNO

    def test_skills(self) -> None:
        """Only agents with the skills the ticket needs; none means nobody."""
        strategy = Skills({"pagamento": ["pagamentos"]})
        assert strategy.choose(make_ticket(category="pagamento"), [ANA, CARLA], no_load) == CARLA
        assert strategy.choose(make_ticket(category="pagamento"), [ANA, BRUNO], no_load) is None
        assert strategy.choose(make_ticket(tags={"pagamentos"}), [ANA, CARLA], no_load) == CARLA
        assert strategy.choose(make_ticket(), [ANA, CARLA], no_load) == ANA

    def test_nobody_to_choose_from(self) -> None:
        """Every strategy answers None for no candidates."""
        for strategy in (RoundRobin(), LeastLoaded(), Skills()):
            assert strategy.choose(make_ticket(), [], no_load) is None


class TestAgents:
    def test_availability(self) -> None:
        """Away agents are not available until they come back."""
        agents = Agents([ANA, BRUNO])
        agents.set_available("ana", False)
        assert [a.id for a in agents.available()] == ["bruno"]
        agents.set_available("ana", True)
        assert len(agents.available()) == 2
        with pytest.raises(ConfigurationError, match="unknown agent"):
            agents.set_available("zeca", False)

    def test_ids_are_unique(self) -> None:
        """Two agents cannot share an id."""
        with pytest.raises(ConfigurationError, match="two agents"):
            Agents([ANA, ANA])

    def test_serves_team_and_tier(self) -> None:
        """An agent serves its teams at its tiers only."""
        n2 = Agent("nina", teams={"financeiro"}, tiers={2})
        assert n2.serves(make_ticket(team="financeiro", tier=2))
        assert not n2.serves(make_ticket(team="financeiro", tier=1))
        assert not n2.serves(make_ticket(team="logistica", tier=2))


def test_queue_order_without_clocks_is_priority_then_age() -> None:
    """Without SLA clocks, urgent first, then the oldest."""
    old = make_ticket(id="old")
    urgent = make_ticket(
        id="urgent", priority=Priority.URGENT, created_at=old.created_at.add(hours=1)
    )
    newer = make_ticket(id="newer", created_at=old.created_at.add(hours=2))
    assert [t.id for t in sorted([newer, old, urgent], key=queue_order)] == [
        "urgent",
        "old",
        "newer",
    ]


def _clock(status: str, due: pendulum.DateTime, *, met: bool = False) -> SlaClock:
    return SlaClock(
        policy="loja",
        metric="first_response",
        cycle=1,
        status=status,  # type: ignore[arg-type]
        target="1h business",
        started_at=due.subtract(hours=1),
        due_at=due,
        breached_at=due if status == "breached" else None,
        met_at=due.add(minutes=5) if met else None,
        paused_for=timedelta(0),
        remaining=timedelta(0),
        computed_at=due,
    )


def test_queue_order_puts_breached_work_first_most_overdue_first() -> None:
    """Breached clocks first (the oldest due first), then running ones, then none."""
    start = make_ticket().created_at
    urgent_due = make_ticket(
        id="urgent-due",
        priority=Priority.URGENT,
        sla_clocks=(_clock("running", start.add(hours=1)),),
    )
    late = make_ticket(id="late", sla_clocks=(_clock("breached", start.subtract(hours=1)),))
    later = make_ticket(id="later", sla_clocks=(_clock("breached", start),))
    met_late = make_ticket(id="met-late", sla_clocks=(_clock("breached", start, met=True),))
    tickets = [urgent_due, met_late, later, late]
    assert [t.id for t in sorted(tickets, key=queue_order)] == [
        "late",
        "later",
        "urgent-due",
        "met-late",
    ]
