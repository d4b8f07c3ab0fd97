"""``Policies``: everything a support lead configures besides SLAs, in one value for
``Helpdesk(policies=...)``, written in Python or read from a TOML file.

The parts (priority rules, routes, agents and an assignment strategy, SLA actions) are
checked when each is made; ``Policies`` checks how they fit together (automatic
assignment needs agents). ``load_policies`` and ``parse_policies`` read the parts with
``chamados.policies.toml`` and bundle them here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from attrs import field, frozen

from chamados.exceptions import ConfigurationError
from chamados.policies.actions import SlaAction
from chamados.policies.priority import PriorityPolicy
from chamados.policies.reading import naming
from chamados.policies.routing import Agents, AssignmentStrategy, LeastLoaded, RoutingPolicy
from chamados.policies.toml import PolicyParts, parse_parts, read_toml

__all__ = ["Policies", "load_policies", "parse_policies"]


def _actions(value: Iterable[SlaAction]) -> tuple[SlaAction, ...]:
    actions = tuple(value)
    for action in actions:
        if not isinstance(action, SlaAction):
            raise ConfigurationError(f"{action!r} is not an SlaAction", key="sla_actions")
    return actions


@frozen(kw_only=True)
class Policies:
    """Everything a support lead configures besides SLAs.

    ``assign_on_open`` and ``assign_on_escalation`` run the ``assignment`` strategy (the
    least loaded agent by default) when a ticket is opened or escalated.
    """

    priority: PriorityPolicy | None = None
    routing: RoutingPolicy | None = None
    agents: Agents | None = None
    assignment: AssignmentStrategy = field(factory=LeastLoaded)
    assign_on_open: bool = False
    assign_on_escalation: bool = False
    sla_actions: tuple[SlaAction, ...] = field(default=(), converter=_actions)

    def __attrs_post_init__(self) -> None:
        wants_agents = self.assign_on_open or self.assign_on_escalation
        if wants_agents and self.agents is None:
            raise ConfigurationError(
                "automatic assignment needs agents: pass agents=Agents([...])", key="agents"
            )
        if any(a.reassign for a in self.sla_actions) and self.agents is None:
            raise ConfigurationError("SLA actions that reassign need agents", key="agents")

    @classmethod
    def from_toml(cls, path: str) -> Policies:
        """Read policies from a TOML file (see ``chamados.policies.load_policies``)."""
        return load_policies(path)


def load_policies(path: str | Path) -> Policies:
    """Read and check the policies in the TOML file at ``path``.

    Every mistake is a ``ConfigurationError`` that names the file (and the rule and
    field, where there is one): a missing file, a folder, a file that cannot be read or
    is not UTF-8, TOML that does not parse or nests too deeply, a value of the wrong type.
    """
    return parse_policies(read_toml(path), source=str(path))


def parse_policies(data: Mapping[str, Any], *, source: str = "<policies>") -> Policies:
    """Build ``Policies`` from parsed TOML (or any mapping of the same shape).

    A field of the wrong type (``teams = true``, ``when = { subject = 5 }``, an array
    where a table belongs) is a ``ConfigurationError`` naming ``source``, the rule and
    the field, like every other mistake.
    """
    return _bundle(parse_parts(data, source=source), source)


def _bundle(parts: PolicyParts, source: str) -> Policies:
    with naming(source):
        return Policies(
            priority=parts.priority,
            routing=parts.routing,
            agents=parts.agents,
            assignment=parts.assignment,
            assign_on_open=parts.assign_on_open,
            assign_on_escalation=parts.assign_on_escalation,
            sla_actions=parts.sla_actions,
        )
