"""The docs agree with the code (the >>> blocks run through pytest's doctest collection)."""

from __future__ import annotations

import re
from pathlib import Path

from chamados.workflows import ReturnsWorkflow, StandardWorkflow, to_mermaid

DOCS = Path(__file__).parent.parent / "docs"


def test_workflow_diagrams_in_the_docs_match_the_code() -> None:
    """docs/workflows.md shows exactly what to_mermaid() draws today."""
    text = (DOCS / "workflows.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```mermaid\n(.*?)```", text, flags=re.DOTALL)
    assert blocks == [to_mermaid(StandardWorkflow), to_mermaid(ReturnsWorkflow)]


def test_every_doc_page_is_linked_from_the_index() -> None:
    """No page is orphaned."""
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    for page in DOCS.glob("*.md"):
        if page.name != "index.md":
            assert f"({page.name})" in index, page.name
