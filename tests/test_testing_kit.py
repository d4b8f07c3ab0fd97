"""The testing kit ships what chamados tests itself with."""

from __future__ import annotations

from typing import Any

import pytest

from chamados import DeliveryError, Helpdesk, Party
from chamados.testing import (
    FakeClock,
    FlakyNotifier,
    RecordingNotifier,
    Step,
    WorkflowPath,
    check_workflow,
    make_ticket,
    open_ticket,
)
from chamados.workflows import Action, ReturnsWorkflow, StandardWorkflow, Status, Workflow

pytest_plugins = ["pytester"]


def test_plugin_fixtures_are_wired_together(
    chamados_desk: Helpdesk, chamados_clock: FakeClock, chamados_notifier: RecordingNotifier
) -> None:
    """The desk fixture uses the clock and notifier fixtures and sequential ids."""
    ticket = open_ticket(chamados_desk)
    assert ticket.id == "T-0001"
    assert ticket.created_at == chamados_clock.now()
    assert chamados_notifier.kinds() == ["opened"]


HOST_CONFTEST = """
import pytest

from chamados import Policies
from chamados.policies import PriorityPolicy, PriorityRule
from chamados.sla import BusinessCalendar, SlaPolicy, Target
from chamados.testing import RecordingNotifier
from chamados.workflows import Action, Status, Workflow, WorkflowRegistry
from datetime import timedelta


class EnvioWorkflow(Workflow):
    novo = Status(pt="Novo", en="New", category="new", initial=True)
    encerrado = Status(pt="Encerrado", en="Closed", category="closed", final=True)
    encerrar = Action(novo.to(encerrado), pt="Encerrar", en="Close")


AUDIT = RecordingNotifier()


@pytest.fixture
def chamados_desk_options():
    workflows = WorkflowRegistry.with_builtins()
    workflows.register(EnvioWorkflow)
    return {
        "workflows": workflows,
        "sla": [
            SlaPolicy(
                name="loja",
                calendar=BusinessCalendar(
                    timezone="America/Sao_Paulo", hours={"mon-fri": "09:00-18:00"}
                ),
                targets={"first_response": Target(business=timedelta(hours=2))},
            )
        ],
        "policies": Policies(
            priority=PriorityPolicy([PriorityRule("pix", when={"category": "pix"}, set="high")])
        ),
        "notifiers": [AUDIT],
    }
"""

HOST_TEST = """
from chamados import Party
from conftest import AUDIT


def test_the_desk_has_the_hosts_configuration(chamados_desk, chamados_notifier):
    t = chamados_desk.open(tenant="loja", channel="site", requester=Party.customer("c"),
                           subject="Pix", category="pix", workflow="envio")
    assert (t.workflow, t.priority.value) == ("envio", "high")
    assert [c.metric for c in t.sla_clocks] == ["first_response"]
    assert t.id == "T-0001"
    assert chamados_notifier.kinds()[0] == AUDIT.kinds()[0] == "opened"
"""


def test_chamados_desk_takes_the_hosts_workflows_sla_and_policies(
    pytester: pytest.Pytester,
) -> None:
    """Overriding chamados_desk_options gives chamados_desk the host's configuration,
    and the desk still notifies chamados_notifier."""
    pytester.makeconftest(HOST_CONFTEST)
    pytester.makepyfile(test_host=HOST_TEST)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)


def test_chamados_desk_options_cannot_set_the_clock(pytester: pytest.Pytester) -> None:
    """The clock comes from chamados_clock, which the test shares with the desk."""
    pytester.makeconftest(
        "import pytest\n"
        "from chamados.testing import FakeClock\n"
        "@pytest.fixture\n"
        "def chamados_desk_options():\n"
        "    return {'clock': FakeClock()}\n"
    )
    pytester.makepyfile(test_clock="def test_it(chamados_desk):\n    pass\n")
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*override the chamados_clock fixture*"])


def test_recording_notifier_filters_by_type(chamados_desk: Helpdesk) -> None:
    """of_type() picks events of one class."""
    from chamados import TicketOpened

    notifier = RecordingNotifier()
    desk = Helpdesk(clock=chamados_desk.clock, notifiers=[notifier])
    open_ticket(desk)
    assert len(notifier.of_type(TicketOpened)) == len(notifier) == 1


def test_flaky_notifier_fails_as_told() -> None:
    """times= fails the first deliveries; fails= picks events; transient is reported."""
    from chamados.testing.contract import _opened

    event = _opened(make_ticket())
    flaky = FlakyNotifier(times=1, transient=False)
    with pytest.raises(DeliveryError) as caught:
        flaky.notify(event)
    assert caught.value.transient is False
    flaky.notify(event)
    assert (flaky.failures, len(flaky)) == (1, 1)
    picky = FlakyNotifier(fails=lambda e: e.kind == "opened")
    with pytest.raises(DeliveryError):
        picky.notify(event)


def test_make_ticket_takes_overrides() -> None:
    """A test states only what matters to it."""
    assert make_ticket(status="open", tier=2).tier == 2


class TestCheckWorkflow:
    def test_built_in_workflows_pass_with_their_example_paths(self) -> None:
        """Both built-in workflows are sound and walk their main paths."""
        check_workflow(
            StandardWorkflow,
            paths=[
                WorkflowPath(["start", ("resolve", {"summary": "ok"}), "close"], "closed"),
                WorkflowPath(["ask_partner", "partner_replied", "hold", "resume"], "open"),
                WorkflowPath([("cancel", {"reason": "spam"})], "closed", name="spam"),
            ],
        )
        customer, partner = Party.customer("c-1"), Party.partner("p-1")
        check_workflow(
            ReturnsWorkflow,
            paths=[
                WorkflowPath(
                    [
                        "forward_to_partner",
                        Step("accept", actor=partner),
                        Step("ship_back", actor=customer),
                        "receive",
                        ("refund", {"summary": "Estorno no cartão"}),
                    ],
                    "refunded",
                ),
                WorkflowPath(
                    [
                        "forward_to_partner",
                        Step("refuse", {"reason": "produto usado"}, actor=partner),
                        Step(
                            "rule_for_partner",
                            {"summary": "Marketplace deu razão ao vendedor"},
                            actor=Party.marketplace("site"),
                        ),
                        Step("contest", actor=customer),
                    ],
                    "in_mediation",
                ),
            ],
        )

    def test_paths_walk_with_the_customer_and_partner_given(self) -> None:
        """The ticket a path walks has the customer, partner and channel the test names,
        so steps fired by the host's own parties pass."""
        maria, seller = Party.customer("maria"), Party.partner("loja-do-ze")
        check_workflow(
            ReturnsWorkflow,
            customer=maria,
            partner=seller,
            channel="mercado_livre",
            paths=[
                WorkflowPath(
                    [
                        "forward_to_partner",
                        Step("refuse", {"reason": "produto usado"}, actor=seller),
                        Step(
                            "rule_for_customer",
                            actor=Party.marketplace("mercado_livre"),
                        ),
                        Step("ship_back", actor=maria),
                    ],
                    "in_transit",
                ),
            ],
        )

    def test_a_path_without_a_partner_refuses_the_partners_steps(self) -> None:
        """partner=None walks a ticket no partner is involved in."""
        with pytest.raises(AssertionError, match="'accept' failed"):
            check_workflow(
                ReturnsWorkflow,
                partner=None,
                paths=[
                    WorkflowPath(
                        ["forward_to_partner", Step("accept", actor=Party.partner("p-1"))],
                        "awaiting_shipment",
                    )
                ],
            )

    def test_a_path_that_ends_elsewhere_is_reported(self) -> None:
        """The error names the path and where it ended."""
        with pytest.raises(AssertionError, match="happy: ended in 'open', expected 'closed'"):
            check_workflow(
                StandardWorkflow, paths=[WorkflowPath(["start"], "closed", name="happy")]
            )

    def test_a_failing_step_is_reported(self) -> None:
        """A refused event is reported with the chamados error."""
        with pytest.raises(AssertionError, match="'close' failed in 'new'"):
            check_workflow(StandardWorkflow, paths=[WorkflowPath(["close"], "closed")])

    def test_unknown_end_states_are_reported(self) -> None:
        """ends_in must be a state."""
        with pytest.raises(AssertionError, match="not a state"):
            check_workflow(StandardWorkflow, paths=[WorkflowPath([], "done")])

    def test_states_that_can_never_end_are_reported(self) -> None:
        """A loop with no way to a resolved or closed state is a problem."""

        class Loop(Workflow):
            validate_final_reachability = False  # python-statemachine's own check, off
            new = Status(pt="n", en="n", category="new", initial=True)
            spin = Status(pt="s", en="s", category="open")
            done = Status(pt="d", en="d", category="closed", final=True)
            go = Action(new.to(spin) | new.to(done), pt="g", en="g")
            again = Action(spin.to(spin), pt="a", en="a")

        with pytest.raises(AssertionError, match="never be resolved or closed: spin"):
            check_workflow(Loop)

    def test_only_workflows_are_checked(self) -> None:
        """Anything else is an AssertionError at once."""
        with pytest.raises(AssertionError, match="not a concrete"):
            check_workflow(dict)  # type: ignore[arg-type]

    def test_steps_accept_strings_tuples_and_steps(self) -> None:
        """Three ways to write a step."""
        steps: list[Any] = ["start", ("resolve", {"summary": "x"}), Step("close")]
        check_workflow(StandardWorkflow, paths=[WorkflowPath(steps, "closed")])
