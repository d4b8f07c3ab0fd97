"""Domain events: frozen, past tense, and able to say what changed."""

from __future__ import annotations

import attrs
import pendulum
import pytest

from chamados import (
    Assigned,
    Cause,
    Escalated,
    Party,
    Priority,
    PriorityChanged,
    Rated,
    StatusChanged,
    describe,
)
from chamados.notify import event_payload
from chamados.storage import codec

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


AUTOMATION = Party.system("automacao")


def assigned(**fields: object) -> Assigned:
    return Assigned(
        **BASE,  # type: ignore[arg-type]
        actor=AUTOMATION,
        from_team="financeiro",
        to_team="financeiro",
        from_assignee=None,
        to_assignee="felipe",
        **fields,  # type: ignore[arg-type]
    )


def test_an_automation_cause_is_worded_in_the_readers_language() -> None:
    """The same cause reads in Portuguese in pt-BR and in English in en."""
    event = assigned(
        cause=Cause(
            "assigned", {"trigger": "opened", "strategy": "round_robin", "agent": "felipe"}
        )
    )
    assert describe(event).endswith("(na abertura: rodízio escolheu felipe)")
    assert describe(event, lang="en").endswith("(on open: round_robin chose felipe)")


def test_a_cause_and_a_persons_reason_are_both_shown() -> None:
    """The cause first, then the words the person wrote, as written."""
    event = assigned(cause=Cause("claimed"), reason="peguei porque conheço o caso")
    assert describe(event).endswith("(próximo da fila; peguei porque conheço o caso)")


def test_an_event_stored_with_an_english_reason_still_loads_and_reads() -> None:
    """History written before causes existed keeps its reason, shown as it was written."""
    document = codec.dumps(assigned(reason="on open: least_loaded chose felipe"))
    old = document.replace(',"cause":null', "")
    assert '"cause"' not in old
    event = codec.loads(old)
    assert (event.cause, event.reason) == (None, "on open: least_loaded chose felipe")
    assert describe(event).endswith("(on open: least_loaded chose felipe)")


def test_a_cause_from_another_version_is_shown_never_a_failure() -> None:
    """An unknown code, or params of an unexpected shape, still give a line."""
    assert Cause("merged", {"into": "CH-2"}).words() == "merged: into=CH-2"
    odd = Cause("priority_rules", {"trigger": "opened", "rules": ("x",), "default": "?"})
    assert odd.words("en") == "priority rules: x"


def test_causes_round_trip_through_storage_and_reach_the_payload() -> None:
    """A cause with nested params decodes equal and is plain JSON in the webhook."""
    cause = Cause(
        "priority_rules",
        {"trigger": "updated", "rules": (("vip", "normal", "high", None),), "default": "normal"},
    )
    event = PriorityChanged(
        **BASE,
        actor=AUTOMATION,
        from_priority=Priority.NORMAL,
        to_priority=Priority.HIGH,
        cause=cause,
    )
    assert codec.loads(codec.dumps(event)) == event
    assert event_payload(event)["cause"] == {
        "code": "priority_rules",
        "params": {
            "trigger": "updated",
            "rules": [["vip", "normal", "high", None]],
            "default": "normal",
        },
    }
    assert describe(event) == (
        "system:automacao: prioridade Normal → Alta "
        "(dados alterados: vip: normal → alta (todo chamado))"
    )
