"""Domain events: frozen, past tense, and able to say what changed."""

from __future__ import annotations

import attrs
import pendulum
import pytest

from chamados import (
    Assigned,
    Escalated,
    Party,
    Priority,
    PriorityChanged,
    Rated,
    StatusChanged,
    describe,
)

AT = pendulum.datetime(2026, 3, 2, 12, tz="America/Sao_Paulo")
BASE = {"id": "e1", "ticket_id": "T-1", "tenant": "loja", "version": 2, "at": AT}


def test_events_are_frozen() -> None:
    """Nobody rewrites history."""
    event = Rated(**BASE, actor=Party.customer("c-1"), score=5)
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        event.score = 1  # type: ignore[misc]


def test_status_changed_says_from_what_to_what() -> None:
    """changes() gives the before and after of each field."""
    event = StatusChanged(
        **BASE, actor=Party.agent("ana"), event="resolve", from_status="open", to_status="resolved"
    )
    assert event.changes() == {"status": ("open", "resolved")}
    assert event.kind == "status_changed"


def test_assigned_lists_only_what_moved() -> None:
    """A change of assignee alone does not report the team."""
    event = Assigned(
        **BASE,
        actor=Party.agent("lead"),
        from_team="financeiro",
        to_team="financeiro",
        from_assignee=None,
        to_assignee="ana",
    )
    assert event.changes() == {"assignee": (None, "ana")}


def test_escalated_reports_tier_and_team() -> None:
    """An escalation records both levels and both teams."""
    event = Escalated(
        **BASE,
        actor=Party.agent("ana"),
        from_tier=1,
        to_tier=2,
        from_team="n1",
        to_team="pagamentos",
    )
    assert event.changes() == {"tier": (1, 2), "team": ("n1", "pagamentos")}


def test_describe_speaks_both_languages_and_gives_the_reason() -> None:
    """describe() is one line per event, with the why in parentheses."""
    event = PriorityChanged(
        **BASE,
        actor=Party.agent("ana"),
        from_priority=Priority.NORMAL,
        to_priority=Priority.HIGH,
        reason="erro de pagamento",
    )
    assert (
        describe(event, lang="pt-BR") == "agent:ana: prioridade Normal → Alta (erro de pagamento)"
    )
    assert describe(event, lang="en") == "agent:ana: priority Normal → High (erro de pagamento)"


def test_describe_uses_the_labels_it_is_given() -> None:
    """Timelines show workflow labels instead of raw names."""
    event = StatusChanged(
        **BASE, actor=Party.agent("ana"), event="start", from_status="new", to_status="open"
    )
    text = describe(event, status=str.upper, action=lambda name: f"<{name}>")
    assert text == "agent:ana: <start>: NEW → OPEN"
