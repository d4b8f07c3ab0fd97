"""Policies: what a support lead configures besides SLAs, behind one front door.

Priority rules (``PriorityPolicy``, ``PriorityRule``), routing to sectors
(``RoutingPolicy``, ``Route``), agents and how to assign them (``Agents``, ``Agent``,
``LeastLoaded``, ``RoundRobin``, ``Skills``), the work queue's order (``queue_order``),
actions on SLA warnings and breaches (``SlaAction``), conditions on tickets
(``compile_condition``) and the TOML file that holds them all (``load_policies``,
``parse_policies``), bundled by ``Policies`` for ``Helpdesk(policies=...)``.

Import these names from here (``Policies`` and ``SlaAction`` also from ``chamados``);
the modules behind this door are private and may move.

>>> from chamados.policies import PriorityPolicy, PriorityRule
>>> from chamados.testing import make_ticket
>>> rules = PriorityPolicy([PriorityRule("vip", when={"fields.segmento": "vip"}, raise_by=1)])
>>> rules.decide(make_ticket(custom_fields={"segmento": "vip"})).priority.value
'high'
"""

from chamados.automation import AUTOMATION, Policies, SlaAction
from chamados.conditions import Condition, TicketPredicate, compile_condition, describe_condition
from chamados.config import load_policies, open_arguments, parse_policies
from chamados.priority import PriorityDecision, PriorityPolicy, PriorityRule, RuleFiring
from chamados.routing import (
    Agent,
    Agents,
    AssignmentStrategy,
    LeastLoaded,
    RoundRobin,
    Route,
    RoutingDecision,
    RoutingPolicy,
    Skills,
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
    "Route",
    "RoutingDecision",
    "RoutingPolicy",
    "RuleFiring",
    "Skills",
    "SlaAction",
    "TicketPredicate",
    "compile_condition",
    "describe_condition",
    "load_policies",
    "next_due",
    "open_arguments",
    "parse_policies",
    "queue_order",
]
