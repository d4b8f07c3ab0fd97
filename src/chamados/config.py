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

import codecs
import json
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from chamados.automation import Policies, SlaAction
from chamados.exceptions import ChamadosError, ConfigurationError
from chamados.model import Party, PartyKind, Priority
from chamados.priority import PriorityPolicy, PriorityRule
from chamados.routing import Agent, Agents, LeastLoaded, RoundRobin, Route, RoutingPolicy, Skills

__all__ = ["TICKET_KEYS", "load_policies", "open_arguments", "parse_policies"]

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
    """Read and check the policies in the TOML file at ``path``.

    Every mistake is a ``ConfigurationError`` that names the file (and the rule and
    field, where there is one): a missing file, a folder, a file that cannot be read or
    is not UTF-8, TOML that does not parse or nests too deeply, a value of the wrong type.
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
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(f"{source}: not valid TOML: {error}", key=source) from None
    except RecursionError:
        raise ConfigurationError(
            f"{source}: tables or arrays nested too deeply to read", key=source
        ) from None
    return parse_policies(data, source=source)


def parse_policies(data: Mapping[str, Any], *, source: str = "<policies>") -> Policies:
    """Build ``Policies`` from parsed TOML (or any mapping of the same shape).

    A field of the wrong type (``teams = true``, ``when = { subject = 5 }``, an array
    where a table belongs) is a ``ConfigurationError`` naming ``source``, the rule and
    the field, like every other mistake.
    """
    try:
        top = _table(data, "the policies")
        _known(top, _TOP, "the policies")
        priority = _priority(top.get("priority"))
        routing = _routing(top.get("routing"))
        agents = _agents(top.get("agents"))
        assignment = _table(top.get("assignment", {}), "[assignment]")
        _known(assignment, _ASSIGNMENT, "[assignment]")
        actions = [
            _action(item, n)
            for n, item in enumerate(_list(top.get("sla_actions"), "sla_actions"), 1)
        ]
        return Policies(
            priority=priority,
            routing=routing,
            agents=agents,
            assignment=_strategy(assignment),
            assign_on_open=_bool(assignment, "on_open", "[assignment]"),
            assign_on_escalation=_bool(assignment, "on_escalation", "[assignment]"),
            sla_actions=actions,
        )
    except ConfigurationError as error:
        raise ConfigurationError(f"{source}: {error}", key=error.key) from None
    except ChamadosError as error:
        raise ConfigurationError(f"{source}: {error}", key=source) from None


def _known(table: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(str(key) for key in set(table) - allowed)
    if unknown:
        raise ConfigurationError(
            f"{where}: unknown field(s) {', '.join(unknown)}; the fields are "
            f"{', '.join(sorted(allowed))}",
            key=unknown[0],
        )


_TYPES = {
    bool: "true or false",
    int: "a whole number",
    str: "a string",
}


def _shown(value: Any) -> str:
    """A wrong value, short, for an error message."""
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _table(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ConfigurationError(f"{where} must be a table, got {_shown(value)}", key=where)
    return value


def _list(value: Any, name: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ConfigurationError(f"{name} must be an array of tables ([[{name}]])", key=name)
    return value


def _typed(value: Any, kind: type, where: str) -> Any:
    """``value`` if it is a ``kind`` (a boolean is not a whole number here)."""
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise ConfigurationError(f"{where} must be {_TYPES[kind]}, got {_shown(value)}", key=where)
    return value


def _get(table: Mapping[str, Any], key: str, kind: type, where: str, default: Any = None) -> Any:
    """The field ``key`` of ``table`` checked to be a ``kind``; ``default`` when absent."""
    value = table.get(key)
    return default if value is None else _typed(value, kind, f"{where}: {key}")


def _bool(table: Mapping[str, Any], key: str, where: str) -> bool:
    value: bool = _get(table, key, bool, where, False)
    return value


def _array(table: Mapping[str, Any], key: str, kind: type, where: str, default: Any) -> list[Any]:
    """The array ``key`` of ``table`` whose every item is a ``kind``."""
    value = table.get(key)
    if value is None:
        return list(default)
    name = f"{where}: {key}"
    if not isinstance(value, list):
        raise ConfigurationError(
            f"{name} must be an array of {_TYPES[kind].removeprefix('a ')}s, got {_shown(value)}",
            key=name,
        )
    return [_typed(item, kind, f"{name}[{n}]") for n, item in enumerate(value)]


def _named(item: Any, n: int, where: str) -> tuple[Mapping[str, Any], str]:
    table = _table(item, f"{where} #{n}")
    name = table.get("name")
    label = f"{where} {name!r}" if isinstance(name, str) and name else f"{where} #{n}"
    return table, label


def _priority(value: Any) -> PriorityPolicy | None:
    if value is None:
        return None
    table = _table(value, "[priority]")
    _known(table, {"default", "rules"}, "[priority]")
    rules = []
    for n, item in enumerate(_list(table.get("rules"), "priority.rules"), 1):
        rule, label = _named(item, n, "priority rule")
        _known(rule, _RULE, label)
        rules.append(
            PriorityRule(
                _get(rule, "name", str, label, ""),
                when=_condition(rule.get("when"), label),
                set=_get(rule, "set", str, label),
                raise_by=_get(rule, "raise", int, label, 0),
                at_least=_get(rule, "at_least", str, label),
                at_most=_get(rule, "at_most", str, label),
                stop=_bool(rule, "stop", label),
                why=_get(rule, "why", str, label),
            )
        )
    default = _get(table, "default", str, "[priority]", Priority.NORMAL)
    return PriorityPolicy(rules, default=default)


def _condition(value: Any, label: str) -> Mapping[str, Any] | None:
    if value is None:
        return None
    return _table(value, f"{label}: when")


def _routing(value: Any) -> RoutingPolicy | None:
    if value is None:
        return None
    table = _table(value, "[routing]")
    _known(table, {"default_team", "routes"}, "[routing]")
    routes = []
    for n, item in enumerate(_list(table.get("routes"), "routing.routes"), 1):
        route, label = _named(item, n, "route")
        _known(route, _ROUTE, label)
        routes.append(
            Route(
                _get(route, "name", str, label, ""),
                team=_get(route, "team", str, label, ""),
                when=_condition(route.get("when"), label),
                why=_get(route, "why", str, label),
            )
        )
    return RoutingPolicy(routes, default_team=_get(table, "default_team", str, "[routing]"))


def _agents(value: Any) -> Agents | None:
    if value is None:
        return None
    agents = []
    for n, item in enumerate(_list(value, "agents"), 1):
        table = _table(item, f"agent #{n}")
        agent_id = table.get("id")
        label = f"agent {agent_id!r}" if isinstance(agent_id, str) and agent_id else f"agent #{n}"
        _known(table, _AGENT, label)
        if not isinstance(agent_id, str) or not agent_id:
            raise ConfigurationError(f"{label}: id is required (a string)", key="id")
        capacity = _get(table, "capacity", int, label)
        if capacity is not None and capacity < 1:
            raise ConfigurationError(
                f"{label}: capacity must be a whole number >= 1", key="capacity"
            )
        teams = _array(table, "teams", str, label, [])
        if not teams:
            raise ConfigurationError(f"{label}: teams must list at least one team", key="teams")
        agents.append(
            Agent(
                agent_id,
                teams=teams,
                tiers=_array(table, "tiers", int, label, [1]),
                skills=_array(table, "skills", str, label, []),
                capacity=capacity,
                name=_get(table, "name", str, label),
            )
        )
    return Agents(agents)


def _strategy(table: Mapping[str, Any]) -> Any:
    where = "[assignment]"
    name = _get(table, "strategy", str, where, "least_loaded")
    if name == "least_loaded":
        return LeastLoaded()
    if name == "round_robin":
        return RoundRobin()
    if name == "skills":
        skills = f"{where} skills_by_category"
        by_category = _table(table.get("skills_by_category", {}), skills)
        return Skills(
            {
                str(category): _array(by_category, category, str, skills, [])
                for category in by_category
            }
        )
    raise ConfigurationError(
        f"{where} strategy: unknown strategy {name!r}; use least_loaded, round_robin or skills",
        key="strategy",
    )


def _action(item: Any, n: int) -> SlaAction:
    table, label = _named(item, n, "SLA action")
    _known(table, _ACTION, label)
    return SlaAction(
        name=_get(table, "name", str, label, ""),
        on=_get(table, "on", str, label, ""),
        metric=_get(table, "metric", str, label),
        policy=_get(table, "policy", str, label),
        threshold=_get(table, "threshold", str, label),
        raise_by=_get(table, "raise", int, label, 0),
        escalate=_bool(table, "escalate", label),
        escalate_to=_get(table, "escalate_to", str, label),
        reassign=_bool(table, "reassign", label),
        add_tag=_get(table, "tag", str, label),
    )


TICKET_KEYS: dict[str, str] = {
    "tenant": "the store (default: loja)",
    "channel": "where it came from (default: site)",
    "requester": "who opened it, 'kind:id' or {kind, id} (default: customer:c-1)",
    "opened_by": "who typed it in, when not the requester",
    "subject": "the subject line",
    "body": "the first message",
    "category": "the category",
    "priority": "a priority set by hand (the priority rules then leave it alone)",
    "partner": "the partner seller or supplier, 'partner:id'",
    "order_id": "the order",
    "team": "a team set by hand (the routes then leave it alone)",
    "tags": "a list of tags",
    "fields": "custom fields, an object (also: custom_fields)",
    "custom_fields": "the same as fields",
    "workflow": "the workflow (default: the desk's default)",
}
"""What a ticket description for ``chamados policy explain`` may say: the arguments of
``Helpdesk.open``."""

_TEXT_KEYS = ("tenant", "channel", "subject", "body", "category", "order_id", "team")


def open_arguments(data: Mapping[str, Any] | str) -> dict[str, Any]:
    """The ``Helpdesk.open`` arguments a ticket description (JSON, or a mapping) gives,
    for explaining policies with the very command the desk runs.

    Keys are ``TICKET_KEYS``; any other key is a ``ConfigurationError`` naming it and the
    known keys (a misspelt key must not silently explain another ticket).

    >>> open_arguments('{"category": "pagamento", "fields": {"valor_pedido": 1500}}')["category"]
    'pagamento'
    >>> open_arguments('{"tier": 2}')
    Traceback (most recent call last):
    ...
    chamados.exceptions.ConfigurationError: the ticket has unknown key(s) tier; the keys are ...
    """
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except (json.JSONDecodeError, RecursionError) as error:
            raise ConfigurationError(
                f"the ticket is not valid JSON: {error}", key="ticket"
            ) from None
    if not isinstance(data, Mapping):
        raise ConfigurationError("the ticket must be a JSON object", key="ticket")
    unknown = sorted(str(key) for key in data if key not in TICKET_KEYS)
    if unknown:
        raise ConfigurationError(
            f"the ticket has unknown key(s) {', '.join(unknown)}; the keys are "
            f"{', '.join(sorted(TICKET_KEYS))}",
            key=f"ticket.{unknown[0]}",
        )
    if "fields" in data and "custom_fields" in data:
        raise ConfigurationError(
            "the ticket gives both fields and custom_fields: keep one", key="ticket.fields"
        )
    where = "the ticket"
    arguments: dict[str, Any] = {
        "tenant": "loja",
        "channel": "site",
        "subject": "Chamado de exemplo",
        "requester": _party(data.get("requester", "customer:c-1"), "requester"),
    }
    for key in (*_TEXT_KEYS, "priority", "workflow"):
        value = _get(data, key, str, where)
        if value is not None:
            arguments[key] = value
    for key in ("partner", "opened_by"):
        if data.get(key) is not None:
            arguments[key] = _party(data[key], key)
    if data.get("tags") is not None:
        arguments["tags"] = _array(data, "tags", str, where, [])
    fields = data.get("fields", data.get("custom_fields"))
    if fields is not None:
        arguments["custom_fields"] = dict(_table(fields, f"{where}: fields"))
    return arguments


def _party(value: Any, key: str) -> Party:
    where = f"the ticket: {key}"
    if isinstance(value, str) and ":" in value:
        kind, _, party_id = value.partition(":")
    elif isinstance(value, Mapping):
        kind, party_id = value.get("kind", ""), value.get("id", "")
    else:
        raise ConfigurationError(
            f"{where}: a party is 'kind:id' or {{kind, id}}, got {_shown(value)}", key=key
        )
    if not isinstance(kind, str) or not isinstance(party_id, str) or not party_id:
        raise ConfigurationError(
            f"{where}: a party's kind and id are text, got {_shown(value)}", key=key
        )
    try:
        return Party(PartyKind(kind), party_id)
    except ValueError:
        kinds = ", ".join(k.value for k in PartyKind)
        raise ConfigurationError(
            f"{where}: unknown party kind {kind!r}; use {kinds}", key=key
        ) from None
