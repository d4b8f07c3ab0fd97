"""Priority rules, routes, agents and the work queue, configured in Python.

(The same can be written as TOML: see examples/policies.toml and docs/policies.md.)

Run: python examples/routing_and_assignment.py
"""

from datetime import timedelta

from chamados import Helpdesk, Party, Policies, SequentialIds, SlaAction
from chamados.policies import (
    Agent,
    Agents,
    PriorityPolicy,
    PriorityRule,
    RoundRobin,
    RoutingPolicy,
    TeamRoute,
)
from chamados.sla import BusinessCalendar, SlaPolicy, Target
from chamados.testing import FakeClock


def main() -> None:
    agents = Agents(
        [
            Agent("ana", teams={"atendimento"}, capacity=2),
            Agent("bruno", teams={"atendimento"}, capacity=2),
            Agent("carla", teams={"financeiro"}, tiers={1, 2}),
        ]
    )
    policies = Policies(
        priority=PriorityPolicy(
            [
                PriorityRule("pagamentos", when={"category": "pagamento"}, set="high"),
                PriorityRule("pedido-alto", when={"fields.valor": {"gte": 1000}}, at_least="high"),
                PriorityRule("procon", when={"subject": ["procon"]}, set="urgent", stop=True),
            ]
        ),
        routing=RoutingPolicy(
            [TeamRoute("financeiro", when={"category": "pagamento"}, team="financeiro")],
            default_team="atendimento",
        ),
        agents=agents,
        assignment=RoundRobin(),
        sla_actions=[SlaAction(on="breach", metric="first_response", raise_by=1)],
    )
    calendar = BusinessCalendar.brazil(subdivision="SP", hours={"mon-fri": "09:00-18:00"})
    sla = SlaPolicy(
        name="loja",
        calendar=calendar,
        targets={"first_response": Target(business=timedelta(hours=2))},
    )
    clock = FakeClock("2026-03-02T09:00:00-03:00")
    desk = Helpdesk(clock=clock, policies=policies, sla=[sla], ticket_ids=SequentialIds())

    subjects = ["Troca de tamanho", "Vou reclamar no Procon", "Nota fiscal", "Cupom não aplicado"]
    for n, subject in enumerate(subjects):
        clock.advance(minutes=10)
        fields = {"valor": 1500} if n == 2 else {}
        t = desk.open(
            tenant="loja-1",
            channel="site",
            requester=Party.customer(f"c-{n}"),
            subject=subject,
            custom_fields=fields,
        )
        print(f"{t.id}  {t.priority.value:<7} {t.team}  {subject}")

    # The agents pull work: the most pressing ticket first: the earliest SLA due time,
    # then the highest priority, then the oldest.
    agents.set_available("bruno", False)  # Bruno is at lunch
    while (ticket := desk.next_ticket("ana")) is not None:
        print(f"ana takes {ticket.id} ({ticket.priority.value})")
        if len(desk.queue(team="atendimento", assigned=True)) >= 2:
            break
    print("left in the queue:", [t.id for t in desk.queue(team="atendimento")])

    # Nobody answers: the first-response breach raises the priority of what is left.
    clock.set("2026-03-02T12:00:00-03:00")
    for event in desk.tick():
        if event.kind == "priority_changed":
            print(f"{event.ticket_id}: {event.reason}")


if __name__ == "__main__":
    main()
