"""The old module paths of the policies (one release): each name resolves, with a warning."""

from __future__ import annotations

import importlib
import subprocess
import sys

import pytest

import chamados.policies
from chamados.policies import conditions, explain, routing

OLD = {
    "chamados.conditions": {
        "Condition": chamados.policies.Condition,
        "TicketPredicate": chamados.policies.TicketPredicate,
        "compile_condition": chamados.policies.compile_condition,
        "describe_condition": chamados.policies.describe_condition,
        "fold": conditions.searchable,
    },
    "chamados.priority": {
        name: getattr(chamados.policies, name)
        for name in ("PriorityDecision", "PriorityPolicy", "PriorityRule", "RuleFiring")
    },
    "chamados.routing": {
        **{
            name: getattr(chamados.policies, name)
            for name in (
                "Agent",
                "Agents",
                "AssignmentStrategy",
                "LeastLoaded",
                "RoundRobin",
                "RoutingDecision",
                "RoutingPolicy",
                "Skills",
                "next_due",
                "queue_order",
            )
        },
        "Route": chamados.policies.TeamRoute,
        "Load": routing.Load,
    },
    "chamados.config": {
        "TICKET_KEYS": explain.TICKET_KEYS,
        "load_policies": chamados.policies.load_policies,
        "open_arguments": chamados.policies.open_arguments,
        "parse_policies": chamados.policies.parse_policies,
    },
}
CASES = [(module, name, value) for module, names in OLD.items() for name, value in names.items()]


@pytest.mark.parametrize(("module", "name", "value"), CASES)
def test_an_old_name_resolves_to_its_new_home_with_a_warning(
    module: str, name: str, value: object
) -> None:
    """Every name the old module exported is the same object, and using it warns where
    to import it from now."""
    old = importlib.import_module(module)
    with pytest.warns(DeprecationWarning, match=r"import \w+ from chamados\.policies") as caught:
        found = getattr(old, name)
    assert found is value
    assert caught[0].filename == __file__  # the warning points at the line that used it


def test_the_old_route_is_the_team_route() -> None:
    """chamados.routing.Route is chamados.policies.TeamRoute, and the warning says so."""
    with pytest.warns(DeprecationWarning, match="import TeamRoute from chamados.policies"):
        from chamados.routing import Route
    assert Route is chamados.policies.TeamRoute


def test_a_name_the_old_module_never_had_is_an_attribute_error() -> None:
    """The aliases invent nothing: an unknown name fails as on any module."""
    old = importlib.import_module("chamados.routing")
    with pytest.raises(AttributeError, match="no attribute 'TeamRoute'"):
        old.TeamRoute  # noqa: B018
    assert sorted(OLD["chamados.routing"]) == dir(old)


def test_importing_an_old_module_alone_does_not_warn() -> None:
    """Only using a name warns: tools that import every module stay quiet."""
    code = "import chamados.conditions, chamados.config, chamados.priority, chamados.routing"
    subprocess.run(
        [sys.executable, "-W", "error::DeprecationWarning", "-c", code],
        check=True,
        capture_output=True,
    )
