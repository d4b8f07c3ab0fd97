"""Ticket workflows: the base class, the built-in workflows, the registry and diagrams."""

from chamados.workflows.base import RESERVED_NAMES, Action, Status, Workflow, WorkflowOptions
from chamados.workflows.diagram import to_mermaid
from chamados.workflows.registry import WorkflowRegistry
from chamados.workflows.returns import ReturnsWorkflow
from chamados.workflows.standard import StandardWorkflow

__all__ = [
    "RESERVED_NAMES",
    "Action",
    "ReturnsWorkflow",
    "StandardWorkflow",
    "Status",
    "Workflow",
    "WorkflowOptions",
    "WorkflowRegistry",
    "to_mermaid",
]
