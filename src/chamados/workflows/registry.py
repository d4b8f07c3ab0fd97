"""The workflow registry: workflow classes by the name stored on tickets, with their options.

A stored ticket only says ``workflow="standard"``; the registry rebinds it to the class
(and the options this deployment chose) when a command loads it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import attrs

from chamados import limits
from chamados.exceptions import ConfigurationError, UnknownWorkflowError, WorkflowDefinitionError
from chamados.model import Ticket
from chamados.workflows.base import Workflow, WorkflowOptions
from chamados.workflows.guards import check_unchanged, steps_of
from chamados.workflows.returns import ReturnsWorkflow
from chamados.workflows.standard import StandardWorkflow

__all__ = ["WorkflowRegistry"]


class WorkflowRegistry:
    """Workflow classes by name, each with its ``WorkflowOptions``.

    >>> from datetime import timedelta
    >>> registry = WorkflowRegistry.with_builtins()
    >>> sorted(registry)
    ['returns', 'standard']
    >>> registry.configure("standard", reopen_window=timedelta(days=3))
    >>> registry.options("standard").reopen_window
    datetime.timedelta(days=3)
    """

    def __init__(self, *, default: str | None = None) -> None:
        self._classes: dict[str, type[Workflow]] = {}
        self._options: dict[str, WorkflowOptions] = {}
        self._default = default

    @classmethod
    def with_builtins(cls) -> WorkflowRegistry:
        """A registry holding the standard and the returns workflows; ``standard`` is default."""
        registry = cls(default="standard")
        registry.register(StandardWorkflow)
        registry.register(ReturnsWorkflow)
        return registry

    def register(
        self, workflow: type[Workflow], *, replace: bool = False, **options: Any
    ) -> type[Workflow]:
        """Add ``workflow`` under its ``workflow_name``, optionally changing its options.

        The class is checked again: if its transitions changed since it was defined (for
        example ``SomeWorkflow.open.to(...)`` run outside a class body), registering fails.
        Registering another class under a taken name needs ``replace=True``.
        """
        if not isinstance(workflow, type) or not issubclass(workflow, Workflow):
            raise ConfigurationError(
                f"{workflow!r} is not a chamados Workflow subclass", key="workflow"
            )
        if not workflow.states:
            raise WorkflowDefinitionError(
                "an abstract workflow (no states) cannot be registered",
                workflow=workflow.__name__,
            )
        check_unchanged(workflow, steps_of(workflow), child=workflow.__name__)
        name = workflow.workflow_name
        too_long = sorted(n for n in (name, *workflow.statuses) if len(n) > limits.NAME)
        if too_long:
            raise WorkflowDefinitionError(
                f"names of workflows and states are stored in at most {limits.NAME} "
                f"characters; shorten {', '.join(too_long)}",
                workflow=workflow.__name__,
                names=too_long,
            )
        current = self._classes.get(name)
        if current is not None and current is not workflow and not replace:
            raise ConfigurationError(
                f"workflow name {name!r} is taken by {current.__name__}; set a different "
                f"workflow_name on {workflow.__name__} or pass replace=True",
                key=name,
            )
        self._classes[name] = workflow
        self._options[name] = workflow.default_options
        if options:
            self.configure(name, **options)
        if self._default is None:
            self._default = name
        return workflow

    def configure(self, name: str, **changes: Any) -> None:
        """Change options of the workflow registered as ``name``; unknown options are errors."""
        current = self.options(name)
        try:
            self._options[name] = attrs.evolve(current, **changes)
        except TypeError as error:
            known = ", ".join(a.name for a in attrs.fields(type(current)))
            raise ConfigurationError(
                f"workflow {name!r} has no such option ({error}); its options are {known}",
                key=name,
            ) from None

    def get(self, name: str, *, ticket_id: str | None = None) -> type[Workflow]:
        """The class registered as ``name``; ``UnknownWorkflowError`` if there is none."""
        try:
            return self._classes[name]
        except KeyError:
            raise UnknownWorkflowError(
                name, known=list(self._classes), ticket_id=ticket_id
            ) from None

    def options(self, name: str) -> WorkflowOptions:
        """The options the workflow registered as ``name`` runs with."""
        self.get(name)
        return self._options[name]

    @property
    def default(self) -> str:
        """The name of the workflow new tickets get when the command names none."""
        if self._default is None:
            raise ConfigurationError("no workflow is registered", key="workflows")
        return self._default

    @default.setter
    def default(self, name: str) -> None:
        self.get(name)
        self._default = name

    def machine(self, ticket: Ticket) -> Workflow:
        """A fresh machine restored on ``ticket`` (its model); one per command."""
        cls = self.get(ticket.workflow, ticket_id=ticket.id)
        return cls(ticket, options=self._options[ticket.workflow])

    def __iter__(self) -> Iterator[str]:
        return iter(self._classes)

    def __contains__(self, name: object) -> bool:
        return name in self._classes

    def __len__(self) -> int:
        return len(self._classes)

    def __repr__(self) -> str:
        return f"WorkflowRegistry({sorted(self._classes)}, default={self._default!r})"
