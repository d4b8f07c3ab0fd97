"""Mermaid state diagrams of workflows, for docs, READMEs and pull requests."""

from __future__ import annotations

from chamados.labels import language
from chamados.workflows.base import Workflow

__all__ = ["to_mermaid"]


def to_mermaid(workflow: type[Workflow], *, lang: str = "en") -> str:
    """A Mermaid ``stateDiagram-v2`` of ``workflow``, labelled in ``lang``.

    States show their label and category; arrows show the event labels. Paste the text in
    a Markdown ``mermaid`` block (GitHub and most doc tools render it).

    >>> from chamados.workflows import StandardWorkflow
    >>> print(to_mermaid(StandardWorkflow).splitlines()[0:4])
    ['stateDiagram-v2', '    state "New (new)" as new', '    state "Open (open)" as open', \
'    state "Waiting on customer (pending)" as waiting_customer']
    """
    if not isinstance(workflow, type) or not issubclass(workflow, Workflow) or not workflow.states:
        raise TypeError(f"to_mermaid() needs a concrete Workflow class, got {workflow!r}")
    lang = language(lang)
    lines = ["stateDiagram-v2"]
    for status_id, status in workflow.statuses.items():
        text = status.label.get(lang)
        lines.append(f'    state "{_quote(text)} ({status.category.value})" as {status_id}')
    lines.append(f"    [*] --> {workflow.initial_status()}")
    seen: set[tuple[str, str, str]] = set()
    for event, source, target in workflow.transitions():
        if (event, source, target) in seen:
            continue
        seen.add((event, source, target))
        lines.append(f"    {source} --> {target}: {_quote(workflow.actions[event].get(lang))}")
    for status_id, status in workflow.statuses.items():
        if status.final:
            lines.append(f"    {status_id} --> [*]")
    return "\n".join(lines) + "\n"


def _quote(text: str) -> str:
    # Mermaid ends a transition label at ':' or ';' and a state name at '"'.
    return text.replace('"', "'").replace(":", " -").replace(";", ",")
