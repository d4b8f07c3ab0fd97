"""Policies: what a support lead configures besides SLAs, behind one front door.

Priority rules (``PriorityPolicy``, ``PriorityRule``), routing to sectors
(``RoutingPolicy``, ``TeamRoute``), agents and how to assign them (``Agents``, ``Agent``,
``LeastLoaded``, ``RoundRobin``, ``Skills``), the work queue's order (``queue_order``),
actions on SLA warnings and breaches (``SlaAction``), conditions on tickets
(``compile_condition``) and the TOML file that holds them all (``load_policies``,
``parse_policies``), bundled by ``Policies`` for ``Helpdesk(policies=...)``.

Import these names from here (``Policies`` and ``SlaAction`` also from ``chamados``);
the modules behind this door may move. They are ``conditions``, ``priority``,
``routing`` (agents, strategies, queue order), ``actions``, ``toml`` (the file, read
into parts), ``explain`` (a ticket described to explain them) and ``bundle``
(``Policies``). They import only the ticket, its events and the small leaves: the desk
applies them to a command (``chamados.desk.automation``), never the other way round.

>>> from chamados.policies import PriorityPolicy, PriorityRule
>>> from chamados.testing import make_ticket
>>> rules = PriorityPolicy([PriorityRule("vip", when={"fields.segmento": "vip"}, raise_by=1)])
>>> rules.decide(make_ticket(custom_fields={"segmento": "vip"})).priority.value
'high'
"""

from chamados.policies.actions import AUTOMATION, SlaAction
from chamados.policies.bundle import Policies, load_policies, parse_policies
from chamados.policies.conditions import (
    Condition,
    TicketPredicate,
    compile_condition,
    describe_condition,
)
from chamados.policies.explain import open_arguments
from chamados.policies.priority import PriorityDecision, PriorityPolicy, PriorityRule, RuleFiring
from chamados.policies.routing import (
    Agent,
    Agents,
    AssignmentStrategy,
    LeastLoaded,
    RoundRobin,
    RoutingDecision,
    RoutingPolicy,
    Skills,
    TeamRoute,
    next_due,
    queue_order,
)

__all__ = [
    "AUTOMATION",
    "Agent",
    "Agents",
    "AssignmentStrategy",
    "Condition",
    "LeastLoaded",
    "Policies",
    "PriorityDecision",
    "PriorityPolicy",
    "PriorityRule",
    "RoundRobin",
    "RoutingDecision",
    "RoutingPolicy",
    "RuleFiring",
    "Skills",
    "SlaAction",
    "TeamRoute",
    "TicketPredicate",
    "compile_condition",
    "describe_condition",
    "load_policies",
    "next_due",
    "open_arguments",
    "parse_policies",
    "queue_order",
]
