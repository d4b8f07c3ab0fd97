"""The docs agree with the code (the >>> blocks run through pytest's doctest collection)."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from chamados import Helpdesk
from chamados.workflows import ReturnsWorkflow, StandardWorkflow, to_mermaid

ROOT = Path(__file__).parent.parent
DOCS = ROOT / "docs"
FRONT_DOORS = frozenset(
    {
        "chamados",
        "chamados.limits",
        "chamados.notify",
        "chamados.policies",
        "chamados.reports",
        "chamados.sla",
        "chamados.storage",
        "chamados.storage.sql",
        "chamados.testing",
        "chamados.workflows",
    }
)
"""The modules docs/index.md names as public; everything else is private."""
IMPORT = re.compile(
    r"^[ \t]*(?:(?:>>>|\.\.\.)[ \t]+)?(?:from[ \t]+(chamados[\w.]*)[ \t]+import|import[ \t]+"
    r"(chamados[\w.]*))",
    flags=re.MULTILINE,
)


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


def test_docs_and_examples_import_only_front_doors() -> None:
    """README, docs/*.md and examples/*.py import chamados only through its front doors."""
    sources = [ROOT / "README.md", *sorted(DOCS.glob("*.md")), *sorted(ROOT.glob("examples/*.py"))]
    private = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in sources
        for match in IMPORT.finditer(path.read_text(encoding="utf-8"))
        if (module := match.group(1) or match.group(2)) not in FRONT_DOORS
    ]
    assert not private, "private modules imported:\n" + "\n".join(private)


def test_the_index_names_every_front_door() -> None:
    """docs/index.md lists the same front doors the import check allows."""
    index = (DOCS / "index.md").read_text(encoding="utf-8")
    for module in FRONT_DOORS:
        assert f"`{module}`" in index, module


def test_the_helpdesk_argument_table_lists_every_argument() -> None:
    """docs/helpdesk.md's table of Helpdesk arguments names each parameter of
    Helpdesk.__init__, in the same order."""
    text = (DOCS / "helpdesk.md").read_text(encoding="utf-8")
    table = text.split("| argument | default | what it is |", 1)[1].split("\n\n", 1)[0]
    documented = re.findall(r"^\| `(\w+)` \|", table, flags=re.MULTILINE)
    parameters = [p for p in inspect.signature(Helpdesk.__init__).parameters if p != "self"]
    assert documented == parameters
