"""Priority, routing, assignment and SLA actions running inside the Helpdesk."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chamados import (
    Assigned,
    ConfigurationError,
    Escalated,
    FieldsChanged,
    Helpdesk,
    Party,
    Priority,
    PriorityChanged,
    SequentialIds,
)
from chamados.policies import (
    Agent,
    Agents,
    LeastLoaded,
    Policies,
    PriorityPolicy,
    PriorityRule,
    RoundRobin,
    RoutingPolicy,
    Skills,
    SlaAction,
    TeamRoute,
    load_policies,
    open_arguments,
)
from chamados.sla import BusinessCalendar, SlaPolicy, Target
from chamados.testing import FakeClock

EXAMPLE = Path(__file__).parent.parent / "examples" / "policies.toml"
H = timedelta(hours=1)
ANA, MARIA, SELLER = Party.agent("ana"), Party.customer("c-1"), Party.partner("s-1")
CAL = BusinessCalendar(timezone="America/Sao_Paulo", hours={"mon-fri": "09:00-18:00"})
STORE_SLA = SlaPolicy(
    name="loja",
    calendar=CAL,
    targets={"first_response": Target(business=2 * H), "resolution": Target(business=16 * H)},
    warn_at=[0.75],
)


def policies(**kwargs: object) -> Policies:
    values: dict[str, object] = {
        "priority": PriorityPolicy(
            [
                PriorityRule(
                    "pagamentos", when={"category": "pagamento"}, set="high", why="pagamento"
                ),
                PriorityRule("vip", when={"fields.segmento": "vip"}, raise_by=1),
            ]
        ),
        "routing": RoutingPolicy(
            [TeamRoute("financeiro", when={"category": "pagamento"}, team="financeiro")],
            default_team="atendimento",
        ),
        "agents": Agents(
            [
                Agent("ana", teams={"atendimento"}),
                Agent("bruno", teams={"atendimento"}),
                Agent("carla", teams={"financeiro"}, tiers={1, 2}, capacity=2),
                Agent("nina", teams={"atendimento", "financeiro"}, tiers={2}),
            ]
        ),
    }
    values.update(kwargs)
    return Policies(**values)  # type: ignore[arg-type]


def skills_policies() -> Policies:
    """julia knows payments; leo knows payments and English (issue 11, item 8)."""
    return policies(
        assignment=Skills({"pagamento": ["pagamentos"]}),
        agents=Agents(
            [
                Agent("julia", teams={"financeiro"}, skills={"pagamentos"}),
                Agent("leo", teams={"financeiro"}, skills={"pagamentos", "ingles"}),
            ]
        ),
    )


def desk(**kwargs: object) -> Helpdesk:
    values: dict[str, object] = {
        "clock": FakeClock("2026-03-02T09:00:00-03:00"),
        "ticket_ids": SequentialIds(),
        "policies": policies(),
    }
    values.update(kwargs)
    return Helpdesk(**values)  # type: ignore[arg-type]


def open_ticket(d: Helpdesk, **kwargs: object) -> str:
    values: dict[str, object] = {
        "tenant": "loja-1",
        "channel": "site",
        "requester": MARIA,
        "subject": "Ajuda",
    }
    values.update(kwargs)
    return d.open(**values).id  # type: ignore[arg-type]


class TestOnOpen:
    def test_routing_and_priority_are_decided_and_recorded(self) -> None:
        """The payment ticket goes to financeiro at high; the history says why."""
        d = desk()
        t = open_ticket(d, category="pagamento", custom_fields={"segmento": "vip"})
        ticket = d.get(t)
        assert (ticket.team, ticket.tier, ticket.priority) == ("financeiro", 1, Priority.URGENT)
        assert not ticket.priority_manual
        history = d.history(t)
        routed = next(e for e in history if isinstance(e, Assigned))
        assert routed.cause is not None
        assert routed.cause.words("en") == "routing: route financeiro: category='pagamento'"
        decided = next(e for e in history if isinstance(e, PriorityChanged))
        assert decided.rules == ("pagamentos", "vip")
        assert decided.cause is not None
        assert "pagamentos: normal → high (pagamento)" in decided.cause.words("en")

    def test_an_explicit_team_or_priority_wins(self) -> None:
        """What the caller says stands; a given priority sticks as manual."""
        d = desk()
        t = open_ticket(d, category="pagamento", team="juridico", priority="low")
        ticket = d.get(t)
        assert (ticket.team, ticket.priority, ticket.priority_manual) == (
            "juridico",
            Priority.LOW,
            True,
        )

    def test_assignment_on_open(self) -> None:
        """With assign_on_open, the least loaded agent of the team takes it."""
        d = desk(policies=policies(assign_on_open=True))
        first = d.get(open_ticket(d))
        second = d.get(open_ticket(d))
        assert {first.assignee, second.assignee} <= {"ana", "bruno"}
        assert d.get(open_ticket(d, category="pagamento")).assignee == "carla"


class TestReevaluation:
    def test_changing_a_field_decides_again(self) -> None:
        """A new category re-runs the priority rules, recorded with the change."""
        d = desk()
        t = open_ticket(d)
        d.update(t, actor=ANA, category="pagamento", reason="era cobrança")
        ticket = d.get(t)
        assert ticket.priority is Priority.HIGH
        kinds = [type(e) for e in d.history(t)][-2:]
        assert kinds == [FieldsChanged, PriorityChanged]
        changed = d.history(t)[-2]
        assert isinstance(changed, FieldsChanged)
        assert changed.changes() == {"category": (None, "pagamento")}

    def test_custom_fields_merge_and_none_removes(self) -> None:
        """update() merges custom fields; None removes one."""
        d = desk()
        t = open_ticket(d, custom_fields={"segmento": "vip", "pedido": "A-1"})
        assert d.get(t).priority is Priority.HIGH
        d.update(t, actor=ANA, custom_fields={"segmento": None, "canal_origem": "app"})
        ticket = d.get(t)
        assert ticket.custom_fields == {"pedido": "A-1", "canal_origem": "app"}
        assert ticket.priority is Priority.NORMAL

    def test_a_manual_priority_sticks_until_cleared(self) -> None:
        """Rules leave a person's choice alone; clearing hands it back to them."""
        d = desk()
        t = open_ticket(d)
        d.set_priority(t, "low", actor=ANA, reason="cliente pediu calma")
        d.update(t, actor=ANA, category="pagamento")
        assert d.get(t).priority is Priority.LOW
        d.clear_priority(t, actor=ANA)
        ticket = d.get(t)
        assert (ticket.priority, ticket.priority_manual) == (Priority.HIGH, False)
        cleared = d.history(t)[-1].cause
        assert cleared is not None
        assert (cleared.code, cleared.params["trigger"]) == ("priority_rules", "cleared")

    def test_an_update_that_changes_nothing_records_nothing(self) -> None:
        """Same values, no event, no version."""
        d = desk()
        t = open_ticket(d, category="entrega")
        assert d.update(t, actor=ANA, category="entrega").version == d.get(t).version

    def test_bad_updates_are_refused(self) -> None:
        """Invalid values raise and change nothing; customers cannot update."""
        d = desk()
        t = open_ticket(d)
        with pytest.raises(ValueError, match="custom field"):
            d.update(t, actor=ANA, custom_fields={"itens": ["a"]})  # type: ignore[dict-item]
        with pytest.raises(PermissionError):
            d.update(t, actor=MARIA, category="x")
        assert d.get(t).version == 1


class TestAssignmentCommands:
    def test_auto_assign_and_nobody_available(self) -> None:
        """auto_assign picks an agent; with everyone away nothing changes."""
        pol = policies(assignment=RoundRobin())
        d = desk(policies=pol)
        t = open_ticket(d)
        assert d.auto_assign(t).assignee == "ana"
        other = open_ticket(d)
        assert pol.agents is not None
        pol.agents.set_available("ana", False)
        pol.agents.set_available("bruno", False)
        assert d.auto_assign(other).assignee is None
        assert d.get(other).version == 1

    def test_capacity_counts_only_running_clocks(self) -> None:
        """An agent at capacity is skipped; resolved tickets no longer count."""
        d = desk(sla=[STORE_SLA], policies=policies(assign_on_open=True))
        a = open_ticket(d, category="pagamento")
        b = open_ticket(d, category="pagamento")
        assert {d.get(a).assignee, d.get(b).assignee} == {"carla"}
        third = open_ticket(d, category="pagamento")
        assert d.get(third).assignee is None  # carla holds two running tickets
        d.resolve(a, actor=ANA, summary="ok")
        assert d.auto_assign(third).assignee == "carla"

    def test_escalation_assigns_an_n2_agent(self) -> None:
        """assign_on_escalation gives the ticket to an N2 agent of the new team."""
        d = desk(policies=policies(assign_on_escalation=True))
        t = open_ticket(d)
        d.assign(t, actor=ANA, assignee="ana")
        ticket = d.escalate(t, actor=ANA, reason="N2", team="financeiro")
        assert (ticket.tier, ticket.team, ticket.assignee) in {
            (2, "financeiro", "carla"),
            (2, "financeiro", "nina"),
        }

    def test_the_queue_puts_the_earliest_due_first(self) -> None:
        """Due time first, then priority, then age; held tickets stay out."""
        d = desk(sla=[STORE_SLA])
        late = open_ticket(d)
        d.clock.advance(minutes=30)  # type: ignore[attr-defined]
        urgent_later = open_ticket(d, priority="urgent")
        d.clock.advance(minutes=30)  # type: ignore[attr-defined]
        held = open_ticket(d)
        d.assign(held, actor=ANA, assignee="ana")
        assert [t.id for t in d.queue(team="atendimento")] == [late, urgent_later]
        assert [t.id for t in d.queue(team="atendimento", assigned=True)] == [held]

    def test_overdue_tickets_come_first_in_the_queue(self) -> None:
        """A ticket whose first response is already breached comes before one still due."""
        one_hour = SlaPolicy(
            name="rapido", calendar=CAL, targets={"first_response": Target(business=H)}
        )
        d = desk(sla=[one_hour])
        a = open_ticket(d)
        d.clock.set("2026-03-02T10:30:00-03:00")  # type: ignore[attr-defined]
        b = open_ticket(d)
        d.tick()
        assert [t.id for t in d.queue()] == [a, b]

    def test_next_ticket_claims_the_most_pressing(self) -> None:
        """An agent pulls the next ticket of their queues; empty queues give None."""
        d = desk(sla=[STORE_SLA])
        first = open_ticket(d)
        d.clock.advance(minutes=5)  # type: ignore[attr-defined]
        second = open_ticket(d)
        assert d.next_ticket("bruno", claim=False).id == first  # type: ignore[union-attr]
        taken = d.next_ticket(Party.agent("bruno"))
        assert taken is not None
        assert (taken.id, taken.assignee) == (first, "bruno")
        assert d.next_ticket("ana").id == second  # type: ignore[union-attr]
        assert d.next_ticket("ana") is None

    def test_two_agents_never_get_the_same_ticket(self) -> None:
        """If another agent claims the ticket first, next_ticket moves on."""
        d = desk(sla=[STORE_SLA])
        first = open_ticket(d)
        d.clock.advance(minutes=5)  # type: ignore[attr-defined]
        second = open_ticket(d)
        stale = d.queue(team="atendimento")  # what ana saw before bruno's claim landed
        assert d.next_ticket("bruno").id == first  # type: ignore[union-attr]
        d.queue = lambda **kwargs: list(stale)  # type: ignore[method-assign]
        taken = d.next_ticket("ana")
        assert taken is not None
        assert (taken.id, taken.assignee) == (second, "ana")
        assert d.get(first).assignee == "bruno"

    def test_next_ticket_respects_skills(self) -> None:
        """With the skills strategy, an agent only pulls tickets they can handle."""
        pol = policies(
            assignment=Skills({"pagamento": ["pagamentos"]}),
            agents=Agents(
                [
                    Agent("ana", teams={"financeiro"}),
                    Agent("carla", teams={"financeiro"}, skills={"pagamentos"}),
                ]
            ),
        )
        d = desk(policies=pol)
        t = open_ticket(d, category="pagamento")
        assert d.next_ticket("ana") is None
        assert d.next_ticket("carla").id == t  # type: ignore[union-attr]

    def test_next_ticket_needs_the_skills_auto_assign_needs(self) -> None:
        """A ticket tagged with a skill only leo has is not handed to julia by next_ticket."""
        d = desk(policies=skills_policies())
        t = open_ticket(d, category="pagamento", tags={"ingles"})
        assert d.next_ticket("julia") is None
        assert d.next_ticket("leo").id == t  # type: ignore[union-attr]

    def test_auto_assign_gives_the_ticket_to_the_agent_with_the_skills(self) -> None:
        """auto_assign picks leo, the one agent with every skill the ticket needs."""
        d = desk(policies=skills_policies())
        t = open_ticket(d, category="pagamento", tags={"ingles"})
        assert d.auto_assign(t).assignee == "leo"

    def test_a_ticket_nobody_present_can_take_stays_queued(self) -> None:
        """With leo away, auto_assign leaves the ticket in the queue rather than give it to
        julia, who lacks a skill it needs."""
        pol = skills_policies()
        assert pol.agents is not None
        pol.agents.set_available("leo", False)
        d = desk(policies=pol)
        t = open_ticket(d, category="pagamento", tags={"ingles"})
        assert d.auto_assign(t).assignee is None
        assert [q.id for q in d.queue(team="financeiro")] == [t]

    def test_commands_that_need_agents_say_so(self) -> None:
        """Without agents, auto_assign and next_ticket explain what is missing."""
        d = Helpdesk(clock=FakeClock())
        t = open_ticket(d)
        with pytest.raises(ConfigurationError, match="agents"):
            d.auto_assign(t)
        with pytest.raises(ConfigurationError, match="agents"):
            d.next_ticket("ana")
        with pytest.raises(ConfigurationError, match="agents"):
            Policies(assign_on_open=True)


TEAMS = ["financeiro", "atendimento"]
SKILLS = ["pagamentos", "ingles", "frete"]
AGENT_SPECS = st.lists(
    st.tuples(
        st.sets(st.sampled_from(TEAMS), min_size=1),
        st.sets(st.sampled_from(SKILLS)),
        st.booleans(),
    ),
    min_size=1,
    max_size=4,
)


@settings(max_examples=60, deadline=None)
@given(
    specs=AGENT_SPECS,
    team=st.sampled_from(TEAMS),
    category=st.sampled_from(["pagamento", "entrega", None]),
    tags=st.sets(st.sampled_from([*SKILLS, "vip"])),
    strategy=st.sampled_from(["skills", "least_loaded", "round_robin"]),
)
def test_auto_assign_and_next_ticket_agree_on_who_may_take_a_ticket(
    specs: list[tuple[set[str], set[str], bool]],
    team: str,
    category: str | None,
    tags: set[str],
    strategy: str,
) -> None:
    """auto_assign gives the ticket to the first agent present (in list order: on a fresh
    desk every strategy breaks ties so) to whom next_ticket would offer it, and leaves it
    queued when next_ticket would offer it to nobody present."""
    agents = Agents(
        Agent(f"a{n}", teams=teams, skills=skills) for n, (teams, skills, _) in enumerate(specs)
    )
    present = [f"a{n}" for n, (_, _, here) in enumerate(specs) if here]
    for n, (_, _, here) in enumerate(specs):
        agents.set_available(f"a{n}", here)
    assignment = {
        "skills": Skills({"pagamento": ["pagamentos"], "entrega": ["frete"]}),
        "least_loaded": LeastLoaded(),
        "round_robin": RoundRobin(),
    }[strategy]
    d = desk(policies=Policies(agents=agents, assignment=assignment))
    t = open_ticket(d, team=team, category=category, tags=tags)
    offered = [a for a in present if d.next_ticket(a, claim=False) is not None]
    assert d.auto_assign(t).assignee == (offered[0] if offered else None)


class TestSlaActions:
    def test_a_breach_raises_priority_and_tags(self) -> None:
        """On a first-response breach: +1 priority (sticky) and a tag, with the cause."""
        action = SlaAction(
            on="breach", metric="first_response", raise_by=1, add_tag="sla-estourado"
        )
        d = desk(sla=[STORE_SLA], policies=policies(sla_actions=[action]))
        t = open_ticket(d)
        d.clock.set("2026-03-02T12:00:00-03:00")  # type: ignore[attr-defined]
        d.tick()
        ticket = d.get(t)
        assert (ticket.priority, ticket.priority_manual) == (Priority.HIGH, True)
        assert "sla-estourado" in ticket.tags
        raised = [e for e in d.history(t) if isinstance(e, PriorityChanged)][-1]
        assert raised.cause is not None
        assert raised.cause.words("en") == "SLA breach of loja/first_response"

    def test_a_warning_escalates(self) -> None:
        """At 75% of the resolution target the ticket goes to N2."""
        action = SlaAction(
            on="warning",
            metric="resolution",
            threshold="75%",
            escalate=True,
            escalate_to="financeiro",
        )
        d = desk(sla=[STORE_SLA], policies=policies(sla_actions=[action]))
        t = open_ticket(d)
        d.clock.set("2026-03-03T16:00:00-03:00")  # type: ignore[attr-defined]
        d.tick()
        ticket = d.get(t)
        assert (ticket.tier, ticket.team) == (2, "financeiro")
        escalated = next(e for e in d.history(t) if isinstance(e, Escalated))
        assert escalated.cause is not None
        assert escalated.cause.words("en") == "SLA warning 75% of loja/resolution"

    def test_a_breach_reassigns(self) -> None:
        """Reassign gives the ticket to another agent of the team."""
        action = SlaAction(on="breach", metric="first_response", reassign=True)
        d = desk(sla=[STORE_SLA], policies=policies(sla_actions=[action]))
        t = open_ticket(d)
        d.assign(t, actor=ANA, assignee="ana")
        d.clock.set("2026-03-02T12:00:00-03:00")  # type: ignore[attr-defined]
        d.tick()
        assert d.get(t).assignee == "bruno"

    def test_actions_run_once_per_event(self) -> None:
        """A second tick does not raise the priority again."""
        action = SlaAction(on="breach", raise_by=1)
        d = desk(sla=[STORE_SLA], policies=policies(sla_actions=[action]))
        t = open_ticket(d)
        d.clock.set("2026-03-02T12:00:00-03:00")  # type: ignore[attr-defined]
        d.tick()
        d.tick()
        assert d.get(t).priority is Priority.HIGH

    def test_useless_actions_are_refused(self) -> None:
        """An action must do something, on warning or breach."""
        with pytest.raises(ConfigurationError, match="does nothing"):
            SlaAction(on="breach")
        with pytest.raises(ConfigurationError, match="warning"):
            SlaAction(on="late", raise_by=1)  # type: ignore[arg-type]

    @pytest.mark.parametrize(
        ("values", "key"),
        [
            ({"add_tag": "t" * 65}, "add_tag"),
            ({"add_tag": "a\x00"}, "add_tag"),
            ({"escalate": True, "escalate_to": ""}, "escalate_to"),
            ({"escalate": True, "escalate_to": 5}, "escalate_to"),
        ],
    )
    def test_tags_and_teams_an_action_sets_keep_the_limits(
        self, values: dict[str, object], key: str
    ) -> None:
        """An action that would give a ticket a value it may not hold fails when it is
        made, not at every breach."""
        with pytest.raises(ConfigurationError) as caught:
            SlaAction(on="breach", **values)  # type: ignore[arg-type]
        assert caught.value.key == key


class TestToml:
    def test_the_example_file_loads_and_runs(self) -> None:
        """examples/policies.toml drives a desk end to end."""
        pol = load_policies(EXAMPLE)
        d = desk(policies=pol)
        t = open_ticket(d, category="pagamento", subject="Vou acionar o Procon")
        ticket = d.get(t)
        assert (ticket.team, ticket.priority, ticket.assignee) == (
            "financeiro",
            Priority.URGENT,
            "felipe",
        )
        assert isinstance(pol.assignment.name, str)

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("[priority\n", "not valid TOML"),
            ("[colours]\n", "unknown field(s) colours"),
            (
                '[[priority.rules]]\nname = "vip"\nwhen = { segmento = "vip" }\nraise = 1\n',
                "priority rule 'vip': when: unknown condition 'segmento'",
            ),
            (
                '[[priority.rules]]\nname = "vip"\nraise = 1\nfoo = 2\n',
                "priority rule 'vip': unknown field(s) foo",
            ),
            (
                '[[priority.rules]]\nname = "vip"\nset = "critical"\n',
                "priority rule 'vip': set: unknown priority",
            ),
            ('[[priority.rules]]\nname = "nada"\n', "priority rule 'nada' changes nothing"),
            ('[[routing.routes]]\nname = "fin"\n', "route 'fin' needs a team"),
            ('[[agents]]\nid = "ana"\n', "agent 'ana': teams must list"),
            ('[[agents]]\nid = "ana"\nteams = ["a"]\ncapacity = 0\n', "agent 'ana': capacity"),
            ('[assignment]\nstrategy = "random"\n', "unknown strategy 'random'"),
            ('[[sla_actions]]\nname = "x"\non = "breach"\n', "SLA action 'x'"),
            (
                '[[agents]]\nid = "a"\nteams = ["t"]\n[assignment]\non_open = "yes"\n',
                "on_open must be true or false",
            ),
        ],
    )
    def test_errors_name_the_file_the_rule_and_the_field(
        self, tmp_path: Path, text: str, message: str
    ) -> None:
        """Whoever edits the file reads where the mistake is."""
        path = tmp_path / "politicas.toml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigurationError) as caught:
            load_policies(path)
        assert str(caught.value).startswith(str(path))
        assert message in str(caught.value)

    def test_a_missing_file(self, tmp_path: Path) -> None:
        """A wrong path says so."""
        with pytest.raises(ConfigurationError, match="no such file"):
            load_policies(tmp_path / "nada.toml")

    def test_ticket_descriptions_from_json(self) -> None:
        """The explain command's tickets come from JSON, as Helpdesk.open arguments."""
        arguments = open_arguments(
            '{"requester": "partner:s-9", "tags": ["b2b"], "fields": {"v": 1}}'
        )
        assert (arguments["requester"], arguments["tags"], arguments["custom_fields"]) == (
            Party.partner("s-9"),
            ["b2b"],
            {"v": 1},
        )
        with pytest.raises(ConfigurationError, match="JSON"):
            open_arguments("{")
        with pytest.raises(ConfigurationError, match="party kind"):
            open_arguments('{"requester": "robot:1"}')


def test_the_demo_ships_the_example_policies() -> None:
    """The packaged demo policies are the example file, byte for byte."""
    packaged = Path(__file__).parent.parent / "src" / "chamados" / "demo_policies.toml"
    assert packaged.read_bytes() == EXAMPLE.read_bytes()


def test_policies_must_be_policies() -> None:
    """A wrong policies argument is refused."""
    with pytest.raises(ConfigurationError, match="Policies"):
        Helpdesk(policies={"priority": None})  # type: ignore[arg-type]


def test_seller_disputes_route_to_the_partner_team() -> None:
    """The example file sends partner tickets to 'parceiros' at least high for disputes."""
    d = desk(policies=load_policies(EXAMPLE))
    t = open_ticket(d, requester=SELLER, partner=SELLER, category="disputa", channel="portal")
    ticket = d.get(t)
    assert (ticket.team, ticket.priority) == ("parceiros", Priority.HIGH)


ENGLISH_REASON_WORDS = [
    "routing",
    "route ",
    "default team",
    "priority rules",
    "no rule matched",
    "every ticket",
    "fields changed",
    "manual priority cleared",
    "rules keep",
    "on open",
    "on escalation",
    "auto_assign",
    " chose ",
    "least_loaded",
    "next in the queue",
    "SLA breach",
    "SLA warning",
    " of loja",
    "category ",
]


class TestReasonsSpeakTheReadersLanguage:
    def story(self) -> tuple[Helpdesk, list[str]]:
        """Tickets touched by every automation: routing, priority rules on open, on update
        and on clear, assignment on open, on escalation, by auto_assign and by next_ticket,
        and SLA actions that raise, tag, escalate and reassign."""
        pol = policies(
            priority=PriorityPolicy(
                [
                    PriorityRule("pagamentos", when={"category": "pagamento"}, set="high"),
                    PriorityRule("piso", at_least="low"),
                ]
            ),
            agents=Agents(
                [
                    Agent("ana", teams={"atendimento"}),
                    Agent("bruno", teams={"atendimento"}),
                    Agent("carla", teams={"financeiro"}),
                    Agent("diego", teams={"financeiro"}),
                    Agent("nina", teams={"atendimento", "financeiro"}, tiers={2}),
                ]
            ),
            assign_on_open=True,
            assign_on_escalation=True,
            sla_actions=[
                SlaAction(on="warning", metric="resolution", threshold="75%", escalate=True),
                SlaAction(
                    on="breach", metric="first_response", raise_by=1, add_tag="sla", reassign=True
                ),
            ],
        )
        d = desk(sla=[STORE_SLA], policies=pol)
        routed = open_ticket(d, category="pagamento")
        d.update(routed, actor=ANA, category="entrega")
        d.set_priority(routed, "urgent", actor=ANA)
        d.clear_priority(routed, actor=ANA)
        d.set_priority(routed, "normal", actor=ANA)
        d.clear_priority(routed, actor=ANA)
        d.clock.set("2026-03-03T16:00:00-03:00")  # type: ignore[attr-defined]
        d.tick()
        assert pol.agents is not None
        unassigned = open_ticket(d, team="atendimento")
        d.assign(unassigned, actor=ANA, assignee=None)
        d.auto_assign(unassigned)
        claimed = open_ticket(d, team="atendimento")
        d.assign(claimed, actor=ANA, assignee=None)
        d.next_ticket("ana")
        escalated = open_ticket(d, team="atendimento")
        d.escalate(escalated, actor=ANA, reason="caso difícil")
        return d, [routed, unassigned, claimed, escalated]

    def test_a_portuguese_timeline_has_no_english_reasons(self) -> None:
        """Every reason an automation records reads in Portuguese in a pt-BR timeline."""
        d, tickets = self.story()
        lines = [line for t in tickets for line in d.timeline(t)]
        found = {w for w in ENGLISH_REASON_WORDS for line in lines if w in line}
        assert not found, "\n".join(lines)

    def test_an_english_timeline_gives_the_same_reasons_in_english(self) -> None:
        """The same history read in English says routing, priority rules and who chose."""
        d, tickets = self.story()
        text = "\n".join(line for t in tickets for line in d.timeline(t, lang="en"))
        for words in ("routing: route financeiro", "priority rules: pagamentos", " chose "):
            assert words in text, text
