"""Policies from a TOML file: priority rules, routes, agents, assignment, SLA actions.

Errors name the file, the rule and the field, so whoever edits the file can fix it::

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

import json
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pendulum

from chamados.automation import Policies, SlaAction
from chamados.exceptions import ChamadosError, ConfigurationError
from chamados.model import Party, PartyKind, Priority, Ticket
from chamados.priority import PriorityPolicy, PriorityRule
from chamados.routing import Agent, Agents, LeastLoaded, RoundRobin, Route, RoutingPolicy, Skills

__all__ = ["example_ticket", "load_policies", "parse_policies"]

_TOP = {"priority", "routing", "assignment", "agents", "sla_actions"}
_RULE = {"name", "when", "set", "raise", "at_least", "at_most", "stop", "why"}
_ROUTE = {"name", "when", "team", "why"}
_AGENT = {"id", "name", "teams", "tiers", "skills", "capacity"}
_ACTION = {
    "name", "on", "metric", "policy", "threshold", "raise", "escalate", "escalate_to",
    "reassign", "tag",
}  # fmt: skip
_ASSIGNMENT = {"strategy", "on_open", "on_escalation", "skills_by_category"}


def load_policies(path: str | Path) -> Policies:
    """Read and check the policies in the TOML file at ``path``."""
    source = str(path)
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigurationError(f"{source}: no such file", key=source) from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(f"{source}: not valid TOML: {error}", key=source) from None
    return parse_policies(data, source=source)


def parse_policies(data: Mapping[str, Any], *, source: str = "<policies>") -> Policies:
    """Build ``Policies`` from parsed TOML (or any mapping of the same shape)."""
    _known(data, _TOP, f"{source}")
    try:
        priority = _priority(data.get("priority"), source)
        routing = _routing(data.get("routing"), source)
        agents = _agents(data.get("agents"), source)
        assignment = _table(data.get("assignment", {}), f"{source}: [assignment]")
        _known(assignment, _ASSIGNMENT, f"{source}: [assignment]")
        actions = [
            _action(item, n, source)
            for n, item in enumerate(_list(data.get("sla_actions"), source, "sla_actions"), 1)
        ]
        return Policies(
            priority=priority,
            routing=routing,
            agents=agents,
            assignment=_strategy(assignment, source),
            assign_on_open=_bool(
                assignment.get("on_open", False), f"{source}: [assignment] on_open"
            ),
            assign_on_escalation=_bool(
                assignment.get("on_escalation", False), f"{source}: [assignment] on_escalation"
            ),
            sla_actions=actions,
        )
    except ConfigurationError as error:
        if str(error).startswith(source):
            raise
        raise ConfigurationError(f"{source}: {error}", key=error.key) from None
    except ChamadosError as error:
        raise ConfigurationError(f"{source}: {error}", key=source) from None


def _known(table: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ConfigurationError(
            f"{where}: unknown field(s) {', '.join(unknown)}; the fields are "
            f"{', '.join(sorted(allowed))}",
            key=unknown[0],
        )


def _table(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigurationError(f"{where} must be a table", key=where)
    return value


def _list(value: Any, source: str, name: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ConfigurationError(
            f"{source}: {name} must be an array of tables ([[{name}]])", key=name
        )
    return value


def _bool(value: Any, where: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigurationError(f"{where} must be true or false, got {value!r}", key=where)
    return value


def _named(item: Any, n: int, where: str) -> tuple[Mapping[str, Any], str]:
    table = _table(item, f"{where} #{n}")
    name = table.get("name")
    label = f"{where} {name!r}" if isinstance(name, str) and name else f"{where} #{n}"
    return table, label


def _priority(value: Any, source: str) -> PriorityPolicy | None:
    if value is None:
        return None
    table = _table(value, f"{source}: [priority]")
    _known(table, {"default", "rules"}, f"{source}: [priority]")
    rules = []
    for n, item in enumerate(_list(table.get("rules"), source, "priority.rules"), 1):
        rule, label = _named(item, n, f"{source}: priority rule")
        _known(rule, _RULE, label)
        rules.append(
            PriorityRule(
                rule.get("name", ""),
                when=_condition(rule.get("when"), label),
                set=rule.get("set"),
                raise_by=rule.get("raise", 0),
                at_least=rule.get("at_least"),
                at_most=rule.get("at_most"),
                stop=_bool(rule.get("stop", False), f"{label}: stop"),
                why=rule.get("why"),
            )
        )
    return PriorityPolicy(rules, default=table.get("default", Priority.NORMAL))


def _condition(value: Any, label: str) -> Mapping[str, Any] | None:
    if value is None:
        return None
    return _table(value, f"{label}: when")


def _routing(value: Any, source: str) -> RoutingPolicy | None:
    if value is None:
        return None
    table = _table(value, f"{source}: [routing]")
    _known(table, {"default_team", "routes"}, f"{source}: [routing]")
    routes = []
    for n, item in enumerate(_list(table.get("routes"), source, "routing.routes"), 1):
        route, label = _named(item, n, f"{source}: route")
        _known(route, _ROUTE, label)
        routes.append(
            Route(
                route.get("name", ""),
                team=route.get("team", ""),
                when=_condition(route.get("when"), label),
                why=route.get("why"),
            )
        )
    return RoutingPolicy(routes, default_team=table.get("default_team"))


def _agents(value: Any, source: str) -> Agents | None:
    if value is None:
        return None
    agents = []
    for n, item in enumerate(_list(value, source, "agents"), 1):
        table = _table(item, f"{source}: agent #{n}")
        label = f"{source}: agent {table.get('id', f'#{n}')!r}"
        _known(table, _AGENT, label)
        agent_id = table.get("id")
        if not isinstance(agent_id, str) or not agent_id:
            raise ConfigurationError(f"{label}: id is required", key="id")
        capacity = table.get("capacity")
        if capacity is not None and (
            isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1
        ):
            raise ConfigurationError(
                f"{label}: capacity must be a whole number >= 1", key="capacity"
            )
        teams = table.get("teams", [])
        if not teams:
            raise ConfigurationError(f"{label}: teams must list at least one team", key="teams")
        agents.append(
            Agent(
                agent_id,
                teams=teams,
                tiers=table.get("tiers", [1]),
                skills=table.get("skills", []),
                capacity=capacity,
                name=table.get("name"),
            )
        )
    return Agents(agents)


def _strategy(table: Mapping[str, Any], source: str) -> Any:
    name = table.get("strategy", "least_loaded")
    where = f"{source}: [assignment] strategy"
    if name == "least_loaded":
        return LeastLoaded()
    if name == "round_robin":
        return RoundRobin()
    if name == "skills":
        by_category = _table(
            table.get("skills_by_category", {}), f"{source}: [assignment] skills_by_category"
        )
        return Skills(by_category)
    raise ConfigurationError(
        f"{where}: unknown strategy {name!r}; use least_loaded, round_robin or skills",
        key="strategy",
    )


def _action(item: Any, n: int, source: str) -> SlaAction:
    table, label = _named(item, n, f"{source}: SLA action")
    _known(table, _ACTION, label)
    return SlaAction(
        name=table.get("name", ""),
        on=table.get("on", ""),
        metric=table.get("metric"),
        policy=table.get("policy"),
        threshold=table.get("threshold"),
        raise_by=table.get("raise", 0),
        escalate=table.get("escalate", False),
        escalate_to=table.get("escalate_to"),
        reassign=table.get("reassign", False),
        add_tag=table.get("tag"),
    )


def example_ticket(data: Mapping[str, Any] | str) -> Ticket:
    """A ticket built from JSON (or a mapping), for explaining policies.

    Keys: ``channel``, ``category``, ``subject``, ``tenant``, ``priority``, ``team``,
    ``tier``, ``tags``, ``fields`` (custom fields), ``requester`` and ``partner`` (``"kind:id"``
    or ``{"kind": ..., "id": ...}``).

    >>> example_ticket('{"category": "pagamento", "fields": {"valor_pedido": 1500}}').category
    'pagamento'
    """
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as error:
            raise ConfigurationError(
                f"the ticket is not valid JSON: {error}", key="ticket"
            ) from None
    if not isinstance(data, Mapping):
        raise ConfigurationError("the ticket must be a JSON object", key="ticket")
    now = pendulum.now("UTC")
    return Ticket(
        id="EXEMPLO",
        tenant=data.get("tenant", "loja"),
        channel=data.get("channel", "site"),
        requester=_party(data.get("requester", "customer:c-1")),
        subject=data.get("subject", "Chamado de exemplo"),
        workflow="standard",
        status="new",
        created_at=now,
        updated_at=now,
        priority=Priority.parse(data.get("priority", "normal")),
        category=data.get("category"),
        partner=_party(data["partner"]) if data.get("partner") else None,
        team=data.get("team"),
        tier=data.get("tier", 1),
        tags=data.get("tags", []),
        custom_fields=data.get("fields", data.get("custom_fields", {})),
    )


def _party(value: Any) -> Party:
    if isinstance(value, str) and ":" in value:
        kind, _, party_id = value.partition(":")
    elif isinstance(value, Mapping):
        kind, party_id = value.get("kind", ""), value.get("id", "")
    else:
        raise ConfigurationError(
            f"a party is 'kind:id' or {{kind, id}}, got {value!r}", key="party"
        )
    try:
        return Party(PartyKind(kind), party_id)
    except ValueError:
        raise ConfigurationError(f"unknown party kind {kind!r}", key="party") from None
