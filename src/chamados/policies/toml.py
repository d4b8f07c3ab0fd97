"""The policies TOML file, read into its parts: priority rules, routes, agents,
assignment, SLA actions.

``read_toml`` reads the file; ``parse_parts`` checks every table and builds each part
(``PolicyParts``), which ``chamados.policies.Policies`` bundles (``load_policies``,
``parse_policies``, ``Policies.from_toml``). Errors name the file, the rule and the
field, so whoever edits the file can fix it::

    [priority]
    default = "normal"

    [[priority.rules]]
    name = "pagamentos"
    when = { category = ["pagamento", "estorno"] }
    set = "high"
    why = "erros de pagamento bloqueiam o pedido"

    [[priority.rules]]
    name = "pedido alto"
    when = { fields.valor_pedido = { gte = 1000 } }
    at_least = "high"

    [routing]
    default_team = "atendimento"

    [[routing.routes]]
    name = "financeiro"
    when = { category = "pagamento" }
    team = "financeiro"

    [assignment]
    strategy = "least_loaded"      # or "round_robin", "skills"
    on_open = true
    on_escalation = true
    skills_by_category = { pagamento = ["pagamentos"] }

    [[agents]]
    id = "ana"
    teams = ["atendimento"]
    tiers = [1]
    skills = ["pagamentos"]
    capacity = 12

    [[sla_actions]]
    name = "estourou"
    on = "breach"
    metric = "first_response"
    raise = 1
    tag = "sla-estourado"
"""

from __future__ import annotations

import codecs
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from attrs import frozen

from chamados.exceptions import ConfigurationError
from chamados.model import Priority
from chamados.policies.actions import SlaAction
from chamados.policies.priority import PriorityPolicy, PriorityRule
from chamados.policies.reading import (
    array_of,
    as_table,
    as_tables,
    check_known,
    field_of,
    flag,
    naming,
)
from chamados.policies.routing import (
    Agent,
    Agents,
    AssignmentStrategy,
    LeastLoaded,
    RoundRobin,
    RoutingPolicy,
    Skills,
    TeamRoute,
)

__all__ = ["PolicyParts", "parse_parts", "read_toml"]

_TOP = {"priority", "routing", "assignment", "agents", "sla_actions"}
_RULE = {"name", "when", "set", "raise", "at_least", "at_most", "stop", "why"}
_ROUTE = {"name", "when", "team", "why"}
_AGENT = {"id", "name", "teams", "tiers", "skills", "capacity"}
_ACTION = {
    "name", "on", "metric", "policy", "threshold", "raise", "escalate", "escalate_to",
    "reassign", "tag",
}  # fmt: skip
_ASSIGNMENT = {"strategy", "on_open", "on_escalation", "skills_by_category"}


@frozen(kw_only=True)
class PolicyParts:
    """What a policies file configures, part by part, each checked on its own; the
    ``Policies`` built from them check how the parts fit together."""

    priority: PriorityPolicy | None
    routing: RoutingPolicy | None
    agents: Agents | None
    assignment: AssignmentStrategy
    assign_on_open: bool
    assign_on_escalation: bool
    sla_actions: tuple[SlaAction, ...]


def read_toml(path: str | Path) -> Mapping[str, Any]:
    """The tables of the TOML file at ``path``.

    Every mistake is a ``ConfigurationError`` that names the file: a missing file, a
    folder, a file that cannot be read or is not UTF-8, TOML that does not parse or nests
    too deeply.
    """
    source = str(path)
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise ConfigurationError(f"{source}: no such file", key=source) from None
    except IsADirectoryError:
        raise ConfigurationError(
            f"{source} is a folder: give the path of a policies TOML file", key=source
        ) from None
    except OSError as error:
        raise ConfigurationError(
            f"{source}: cannot read the file ({error.strerror or error})", key=source
        ) from None
    body = raw.removeprefix(codecs.BOM_UTF8)  # "UTF-8 with BOM", as Windows editors save
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as error:
        line = body.count(b"\n", 0, error.start) + 1
        raise ConfigurationError(
            f"{source}: not UTF-8 (byte 0x{body[error.start]:02x} on line {line}); save "
            f"the file as UTF-8",
            key=source,
        ) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(f"{source}: not valid TOML: {error}", key=source) from None
    except RecursionError:
        raise ConfigurationError(
            f"{source}: tables or arrays nested too deeply to read", key=source
        ) from None


def parse_parts(data: Mapping[str, Any], *, source: str = "<policies>") -> PolicyParts:
    """Check and build each part of parsed TOML (or any mapping of the same shape).

    A field of the wrong type (``teams = true``, ``when = { subject = 5 }``, an array
    where a table belongs) is a ``ConfigurationError`` naming ``source``, the rule and
    the field, like every other mistake.
    """
    with naming(source):
        top = as_table(data, "the policies")
        check_known(top, _TOP, "the policies")
        priority = _priority(top.get("priority"))
        routing = _routing(top.get("routing"))
        agents = _agents(top.get("agents"))
        assignment = as_table(top.get("assignment", {}), "[assignment]")
        check_known(assignment, _ASSIGNMENT, "[assignment]")
        actions = tuple(
            _action(item, n)
            for n, item in enumerate(as_tables(top.get("sla_actions"), "sla_actions"), 1)
        )
        return PolicyParts(
            priority=priority,
            routing=routing,
            agents=agents,
            assignment=_strategy(assignment),
            assign_on_open=flag(assignment, "on_open", "[assignment]"),
            assign_on_escalation=flag(assignment, "on_escalation", "[assignment]"),
            sla_actions=actions,
        )


def _named(item: Any, n: int, where: str) -> tuple[Mapping[str, Any], str]:
    table = as_table(item, f"{where} #{n}")
    name = table.get("name")
    label = f"{where} {name!r}" if isinstance(name, str) and name else f"{where} #{n}"
    return table, label


def _priority(value: Any) -> PriorityPolicy | None:
    if value is None:
        return None
    table = as_table(value, "[priority]")
    check_known(table, {"default", "rules"}, "[priority]")
    rules = []
    for n, item in enumerate(as_tables(table.get("rules"), "priority.rules"), 1):
        rule, label = _named(item, n, "priority rule")
        check_known(rule, _RULE, label)
        rules.append(
            PriorityRule(
                field_of(rule, "name", str, label, ""),
                when=_condition(rule.get("when"), label),
                set=field_of(rule, "set", str, label),
                raise_by=field_of(rule, "raise", int, label, 0),
                at_least=field_of(rule, "at_least", str, label),
                at_most=field_of(rule, "at_most", str, label),
                stop=flag(rule, "stop", label),
                why=field_of(rule, "why", str, label),
            )
        )
    default = field_of(table, "default", str, "[priority]", Priority.NORMAL)
    return PriorityPolicy(rules, default=default)


def _condition(value: Any, label: str) -> Mapping[str, Any] | None:
    if value is None:
        return None
    return as_table(value, f"{label}: when")


def _routing(value: Any) -> RoutingPolicy | None:
    if value is None:
        return None
    table = as_table(value, "[routing]")
    check_known(table, {"default_team", "routes"}, "[routing]")
    routes = []
    for n, item in enumerate(as_tables(table.get("routes"), "routing.routes"), 1):
        route, label = _named(item, n, "route")
        check_known(route, _ROUTE, label)
        routes.append(
            TeamRoute(
                field_of(route, "name", str, label, ""),
                team=field_of(route, "team", str, label, ""),
                when=_condition(route.get("when"), label),
                why=field_of(route, "why", str, label),
            )
        )
    return RoutingPolicy(routes, default_team=field_of(table, "default_team", str, "[routing]"))


def _agents(value: Any) -> Agents | None:
    if value is None:
        return None
    agents = []
    for n, item in enumerate(as_tables(value, "agents"), 1):
        table = as_table(item, f"agent #{n}")
        agent_id = table.get("id")
        label = f"agent {agent_id!r}" if isinstance(agent_id, str) and agent_id else f"agent #{n}"
        check_known(table, _AGENT, label)
        if not isinstance(agent_id, str) or not agent_id:
            raise ConfigurationError(f"{label}: id is required (a string)", key="id")
        capacity = field_of(table, "capacity", int, label)
        if capacity is not None and capacity < 1:
            raise ConfigurationError(
                f"{label}: capacity must be a whole number >= 1", key="capacity"
            )
        teams = array_of(table, "teams", str, label, [])
        if not teams:
            raise ConfigurationError(f"{label}: teams must list at least one team", key="teams")
        agents.append(
            Agent(
                agent_id,
                teams=teams,
                tiers=array_of(table, "tiers", int, label, [1]),
                skills=array_of(table, "skills", str, label, []),
                capacity=capacity,
                name=field_of(table, "name", str, label),
            )
        )
    return Agents(agents)


def _strategy(table: Mapping[str, Any]) -> AssignmentStrategy:
    where = "[assignment]"
    name = field_of(table, "strategy", str, where, "least_loaded")
    if name == "least_loaded":
        return LeastLoaded()
    if name == "round_robin":
        return RoundRobin()
    if name == "skills":
        skills = f"{where} skills_by_category"
        by_category = as_table(table.get("skills_by_category", {}), skills)
        return Skills(
            {
                str(category): array_of(by_category, category, str, skills, [])
                for category in by_category
            }
        )
    raise ConfigurationError(
        f"{where} strategy: unknown strategy {name!r}; use least_loaded, round_robin or skills",
        key="strategy",
    )


def _action(item: Any, n: int) -> SlaAction:
    table, label = _named(item, n, "SLA action")
    check_known(table, _ACTION, label)
    return SlaAction(
        name=field_of(table, "name", str, label, ""),
        on=field_of(table, "on", str, label, ""),
        metric=field_of(table, "metric", str, label),
        policy=field_of(table, "policy", str, label),
        threshold=field_of(table, "threshold", str, label),
        raise_by=field_of(table, "raise", int, label, 0),
        escalate=flag(table, "escalate", label),
        escalate_to=field_of(table, "escalate_to", str, label),
        reassign=flag(table, "reassign", label),
        add_tag=field_of(table, "tag", str, label),
    )
