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


def test_plugin_fixtures_are_wired_together(
    chamados_desk: Helpdesk, chamados_clock: FakeClock, chamados_notifier: RecordingNotifier
) -> None:
    """The desk fixture uses the clock and notifier fixtures and sequential ids."""
    ticket = open_ticket(chamados_desk)
    assert ticket.id == "T-0001"
    assert ticket.created_at == chamados_clock.now()
    assert chamados_notifier.kinds() == ["opened"]


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
