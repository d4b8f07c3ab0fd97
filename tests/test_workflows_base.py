"""The workflow base class: strict flags, state meaning, and guards against the traps."""

from __future__ import annotations

from typing import Any

import pendulum
import pytest
from statemachine import State

from chamados import (
    ConfigurationError,
    InvalidTicketError,
    TransitionNotAllowedError,
    UnknownStatusError,
    UnknownWorkflowError,
    WorkflowDefinitionError,
    limits,
)
from chamados.model import Category, Owner
from chamados.testing import make_ticket
from chamados.workflows import (
    Action,
    ReturnsWorkflow,
    StandardWorkflow,
    Status,
    Workflow,
    WorkflowRegistry,
    to_mermaid,
)

NOW = pendulum.datetime(2026, 3, 2, 12, tz="America/Sao_Paulo")


def tiny(**body: Any) -> type[Workflow]:
    """Define a two-state workflow with extra class-body entries."""
    new = Status(pt="Novo", en="New", category="new", initial=True)
    done = Status(pt="Feito", en="Done", category="closed", final=True)
    namespace: dict[str, Any] = {
        "new": new,
        "done": done,
        "finish": Action(new.to(done), pt="Concluir", en="Finish"),
    }
    namespace.update(body)
    return type("TinyWorkflow", (Workflow,), namespace)


class TestStatesAndEvents:
    def test_states_declare_category_owner_and_labels(self) -> None:
        """Each status carries what SLAs and people need to know."""
        waiting = StandardWorkflow.status_of("waiting_partner")
        assert waiting.category is Category.PENDING
        assert waiting.owner is Owner.PARTNER
        assert waiting.label.get("pt-BR") == "Aguardando parceiro"
        assert waiting.label.get("en") == "Waiting on partner"

    def test_active_states_default_to_the_team_and_ends_to_nobody(self) -> None:
        """Owner defaults follow the category."""
        assert StandardWorkflow.status_of("open").owner is Owner.TEAM
        assert StandardWorkflow.status_of("resolved").owner is None

    def test_every_built_in_state_and_event_has_both_labels(self) -> None:
        """Built-in workflows speak pt-BR and English."""
        for workflow in (StandardWorkflow, ReturnsWorkflow):
            for status in workflow.statuses.values():
                assert status.label.pt
                assert status.label.en
            for label in workflow.actions.values():
                assert label.pt
                assert label.en

    def test_workflow_names_are_stored_names(self) -> None:
        """workflow_name is what tickets store."""
        assert StandardWorkflow.workflow_name == "standard"
        assert ReturnsWorkflow.workflow_name == "returns"
        assert tiny().workflow_name == "tiny"

    def test_allowed_in_lists_events_of_a_state(self) -> None:
        """allowed_in() answers without building a machine."""
        assert StandardWorkflow.allowed_in("resolved") == ("reopen", "close")
        assert StandardWorkflow.allowed_in("closed") == ()


class TestStrictFiring:
    def test_an_event_not_allowed_raises_with_the_allowed_events(self) -> None:
        """An illegal event names the ticket, event, state and what is allowed."""
        machine = StandardWorkflow(make_ticket(status="resolved"))
        with pytest.raises(TransitionNotAllowedError) as caught:
            machine.fire("ask_customer", ticket_id="T-0001", now=NOW)
        error = caught.value
        assert (error.ticket_id, error.event, error.state) == (
            "T-0001",
            "ask_customer",
            "resolved",
        )
        assert error.allowed == ("reopen", "close")
        assert "reopen, close" in str(error)

    def test_an_unknown_event_lists_the_workflow_events(self) -> None:
        """A typo in an event name says which events exist."""
        machine = StandardWorkflow(make_ticket())
        with pytest.raises(TransitionNotAllowedError, match="has no event 'strat'"):
            machine.fire("strat", now=NOW)

    def test_a_refused_event_leaves_the_status(self) -> None:
        """Nothing moves when an event is refused."""
        ticket = make_ticket(status="resolved")
        with pytest.raises(TransitionNotAllowedError):
            StandardWorkflow(ticket).fire("hold", now=NOW)
        assert ticket.status == "resolved"

    def test_an_unknown_stored_status_is_a_clear_error(self) -> None:
        """A status the workflow does not declare says what to do."""
        with pytest.raises(UnknownStatusError, match="migrate") as caught:
            StandardWorkflow(make_ticket(status="triage"))
        assert (caught.value.status, caught.value.ticket_id) == ("triage", "T-0001")

    @pytest.mark.parametrize("name", ["state", "event", "source", "target", "model"])
    def test_reserved_keyword_arguments_are_refused(self, name: str) -> None:
        """python-statemachine would overwrite these silently, so fire() refuses them."""
        machine = StandardWorkflow(make_ticket())
        with pytest.raises(InvalidTicketError, match="reserved"):
            machine.fire("start", now=NOW, **{name: "x"})

    def test_errors_in_callbacks_propagate(self) -> None:
        """catch_errors_as_events is off: a validator's error reaches the caller."""
        new = Status(pt="a", en="a", category="new", initial=True)
        done = Status(pt="b", en="b", category="closed", final=True)

        def needs_order(ticket: Any) -> None:
            if ticket.order_id is None:
                raise InvalidTicketError("an order id is needed", field="order_id")

        workflow = type(
            "OrderWorkflow",
            (Workflow,),
            {
                "new": new,
                "done": done,
                "finish": Action(new.to(done, validators=needs_order), pt="x", en="x"),
            },
        )
        ticket = make_ticket(workflow="order")
        with pytest.raises(InvalidTicketError, match="order id"):
            workflow(ticket).fire("finish", now=NOW)
        assert ticket.status == "new"
        assert workflow(make_ticket(order_id="A-1")).fire("finish", now=NOW) == "done"

    def test_required_data_is_checked_before_the_machine_runs(self) -> None:
        """An Action's requires= names data that must be given."""
        machine = StandardWorkflow(make_ticket())
        with pytest.raises(InvalidTicketError, match="'cancel' needs reason=") as caught:
            machine.fire("cancel", now=NOW, reason="  ")
        assert caught.value.field == "reason"
        assert machine.fire("cancel", now=NOW, reason="spam") == "closed"

    def test_guards_choose_among_targets_and_shared_rules_still_apply(self) -> None:
        """With guards picking the target, the summary rule is checked after the choice."""
        new = Status(pt="a", en="a", category="new", initial=True)
        solved = Status(pt="b", en="b", category="resolved")
        done = Status(pt="c", en="c", category="closed", final=True)
        workflow = type(
            "GuardedWorkflow",
            (Workflow,),
            {
                "new": new,
                "solved": solved,
                "done": done,
                "finish": Action(
                    new.to(solved, cond="quick") | new.to(done, unless="quick"), pt="x", en="x"
                ),
                "close": Action(solved.to(done), pt="y", en="y"),
                "quick": lambda self, quick=False: quick,
            },
        )
        ticket = make_ticket(workflow="guarded")
        with pytest.raises(InvalidTicketError, match="summary"):
            workflow(ticket).fire("finish", now=NOW, quick=True)
        assert ticket.status == "new"
        assert workflow(ticket).fire("finish", now=NOW, quick=True, summary="ok") == "solved"
        assert workflow(make_ticket()).fire("finish", now=NOW) == "done"

    def test_fire_returns_the_new_status(self) -> None:
        """The model (the ticket) carries the new status."""
        ticket = make_ticket()
        assert StandardWorkflow(ticket).fire("start", now=NOW) == "open"
        assert ticket.status == "open"


class TestDefinitionGuards:
    def test_an_event_named_like_a_state_is_refused(self) -> None:
        """Trap: an event with a state's name hides the state."""
        with pytest.raises(
            WorkflowDefinitionError, match="name both a state and an event"
        ) as caught:

            class Clash(Workflow):
                new = Status(pt="a", en="a", category="new", initial=True)
                done = Status(pt="b", en="b", category="closed", final=True)
                finish = Action(new.to(done), pt="x", en="x", id="done")

        assert (caught.value.workflow, caught.value.names) == ("Clash", ("done",))

    def test_a_state_overwritten_by_an_event_is_refused(self) -> None:
        """Trap: `closed = Action(x.to(closed))` drops the state; the error says so."""
        with pytest.raises(WorkflowDefinitionError, match="overwritten") as caught:

            class Broken(Workflow):
                new = Status(pt="a", en="a", category="new", initial=True)
                closed = Status(pt="b", en="b", category="closed", final=True)
                closed = Action(new.to(closed), pt="x", en="x")

        assert caught.value.names == ("closed",)

    @pytest.mark.parametrize(("source", "target"), [("new", "new"), ("done", "new")])
    def test_subclassing_to_add_transitions_is_refused(self, source: str, target: str) -> None:
        """Trap: a subclass adding transitions would change its parent too."""
        base = tiny()
        added = Action(getattr(base, source).to(getattr(base, target)), pt="r", en="r")
        with pytest.raises(WorkflowDefinitionError, match="change the parent") as caught:
            type("Child", (base,), {"again": added})
        assert caught.value.workflow == "TinyWorkflow"

    def test_registering_a_workflow_changed_after_definition_is_refused(self) -> None:
        """Transitions added outside any class body are caught at registration."""
        workflow = tiny()
        workflow.new.to(workflow.new, event="again")  # type: ignore[attr-defined]
        with pytest.raises(WorkflowDefinitionError, match="again"):
            WorkflowRegistry().register(workflow)

    @pytest.mark.parametrize("name", ["send", "model", "state", "fire", "options"])
    def test_reserved_event_names_are_refused(self, name: str) -> None:
        """Events may not take names python-statemachine or chamados use."""
        new = Status(pt="a", en="a", category="new", initial=True)
        done = Status(pt="b", en="b", category="closed", final=True)
        with pytest.raises(WorkflowDefinitionError, match="reserved"):
            type(
                "W",
                (Workflow,),
                {"new": new, "done": done, name: Action(new.to(done), pt="x", en="x")},
            )

    def test_plain_states_are_refused(self) -> None:
        """States must say their category."""
        with pytest.raises(WorkflowDefinitionError, match="Status"):

            class Plain(Workflow):
                new = State(initial=True)
                done = Status(pt="b", en="b", category="closed", final=True)
                finish = Action(new.to(done), pt="x", en="x")

    def test_unlabelled_events_are_refused(self) -> None:
        """Events must have labels in both languages."""
        with pytest.raises(WorkflowDefinitionError, match="no labels"):

            class Unlabelled(Workflow):
                new = Status(pt="a", en="a", category="new", initial=True)
                done = Status(pt="b", en="b", category="closed", final=True)
                finish = new.to(done)

    def test_final_states_must_be_closed(self) -> None:
        """A final state that is not 'closed' cannot be."""
        with pytest.raises(WorkflowDefinitionError, match="category 'closed'"):

            class Wrong(Workflow):
                new = Status(pt="a", en="a", category="new", initial=True)
                done = Status(pt="b", en="b", category="resolved", final=True)
                finish = Action(new.to(done), pt="x", en="x")

    def test_maps_must_name_declared_events(self) -> None:
        """reply_events, commands and party_events refer to real events."""
        with pytest.raises(WorkflowDefinitionError, match="finnish"):
            tiny(commands={"close": "finnish"})

    def test_python_statemachine_definition_errors_are_translated(self) -> None:
        """An unreachable state is a WorkflowDefinitionError too."""
        with pytest.raises(WorkflowDefinitionError, match="unreachable"):
            tiny(lost=Status(pt="p", en="p", category="open"))

    def test_uppercase_names_are_refused(self) -> None:
        """Stored names are lower_snake_case."""
        new = Status(pt="a", en="a", category="new", initial=True)
        done = Status(pt="b", en="b", category="closed", final=True)
        with pytest.raises(WorkflowDefinitionError, match="lower_snake_case"):
            type(
                "W",
                (Workflow,),
                {"new": new, "Done": done, "go": Action(new.to(done), pt="x", en="x")},
            )


class TestRegistry:
    def test_builtins_are_registered_with_standard_as_default(self) -> None:
        """with_builtins() knows both built-in workflows."""
        registry = WorkflowRegistry.with_builtins()
        assert sorted(registry) == ["returns", "standard"]
        assert registry.default == "standard"
        assert "returns" in registry
        assert len(registry) == 2

    def test_unknown_names_are_clear_errors(self) -> None:
        """An unknown workflow lists the registered ones."""
        with pytest.raises(UnknownWorkflowError, match="returns, standard"):
            WorkflowRegistry.with_builtins().get("kanban", ticket_id="T-9")

    def test_machine_rebinds_a_stored_ticket(self) -> None:
        """A stored ticket gets a machine of its workflow, in its status."""
        machine = WorkflowRegistry.with_builtins().machine(
            make_ticket(workflow="returns", status="awaiting_partner")
        )
        assert isinstance(machine, ReturnsWorkflow)
        assert [e.id for e in machine.allowed_events] == [
            "accept",
            "refuse",
            "request_mediation",
            "withdraw",
        ]

    def test_taken_names_need_replace(self) -> None:
        """Two classes cannot silently share a name."""
        registry = WorkflowRegistry()
        registry.register(tiny())
        with pytest.raises(ConfigurationError, match="taken"):
            registry.register(tiny())
        registry.register(tiny(), replace=True)

    def test_configure_changes_options_and_refuses_unknown_ones(self) -> None:
        """Options are typed; unknown ones are errors that list the known ones."""
        registry = WorkflowRegistry.with_builtins()
        registry.configure("standard", max_tier=3)
        assert registry.options("standard").max_tier == 3
        with pytest.raises(ConfigurationError, match="reopen_window"):
            registry.configure("standard", reopen_days=3)
        with pytest.raises(ConfigurationError, match="max_tier"):
            registry.configure("standard", max_tier=0)
        with pytest.raises(ConfigurationError, match="max_tier"):
            registry.configure("standard", max_tier=limits.TIER + 1)

    def test_names_longer_than_storage_keeps_are_refused(self) -> None:
        """Workflow and state names are stored in 64 characters: a longer one is refused
        when the workflow is registered, not when a ticket reaches the state."""
        long = "w" * (limits.NAME + 1)
        with pytest.raises(WorkflowDefinitionError, match="64 characters") as caught:
            WorkflowRegistry().register(tiny(workflow_name=long))
        assert caught.value.names == (long,)
        state = "s" * (limits.NAME + 1)
        new = Status(pt="Novo", en="New", category="new", initial=True)
        done = Status(pt="Feito", en="Done", category="closed", final=True)
        namespace = {"new": new, state: done, "finish": Action(new.to(done), pt="C", en="F")}
        with pytest.raises(WorkflowDefinitionError) as caught:
            WorkflowRegistry().register(type("LongWorkflow", (Workflow,), namespace))
        assert caught.value.names == (state,)

    def test_only_workflow_classes_register(self) -> None:
        """Anything else is a ConfigurationError."""
        with pytest.raises(ConfigurationError):
            WorkflowRegistry().register(dict)  # type: ignore[arg-type]
        with pytest.raises(WorkflowDefinitionError, match="abstract"):
            WorkflowRegistry().register(Workflow)

    def test_an_empty_registry_has_no_default(self) -> None:
        """The default is the first registered workflow, and there is none yet."""
        with pytest.raises(ConfigurationError, match="no workflow"):
            _ = WorkflowRegistry().default


class TestMermaid:
    def test_diagram_lists_states_transitions_and_ends(self) -> None:
        """The diagram has every state and every distinct transition."""
        text = to_mermaid(StandardWorkflow)
        assert text.startswith("stateDiagram-v2\n")
        assert "    [*] --> new" in text
        assert "    resolved --> open: Reopen" in text
        assert "    closed --> [*]" in text
        arrows = [line for line in text.splitlines() if "-->" in line and "[*]" not in line]
        assert len(arrows) == len(set(StandardWorkflow.transitions()))

    def test_diagram_in_portuguese(self) -> None:
        """lang='pt-BR' uses the Portuguese labels."""
        assert 'state "Aguardando cliente (pending)" as waiting_customer' in to_mermaid(
            StandardWorkflow, lang="pt-BR"
        )

    def test_only_concrete_workflows_have_diagrams(self) -> None:
        """The abstract base has nothing to draw."""
        with pytest.raises(TypeError):
            to_mermaid(Workflow)
