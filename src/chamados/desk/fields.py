"""Handlers of a ticket's fields: subject, category, tags, custom fields, and its
priority, set by hand or handed back to the priority rules.

A handler is a plain function of the ``Command`` in progress, the desk's ``Policies`` and
the command's arguments (``chamados.desk.pipeline``, step 3): it decides, changes the
ticket copy and records events, and never touches storage.
"""

from __future__ import annotations

from collections.abc import Mapping

from chamados.command import Command
from chamados.desk import automation
from chamados.desk.access import check_team
from chamados.desk.arguments import _Unset
from chamados.events import Cause, FieldsChanged
from chamados.model import FieldValue, Party, Priority, validate_ticket
from chamados.policies import AUTOMATION, Policies

__all__ = ["clear_priority", "set_priority", "update"]

_FIELDS = ("subject", "category", "tags", "custom_fields")
"""The fields ``update`` changes, in the order its event lists them."""


def update(
    command: Command,
    policies: Policies,
    /,
    *,
    actor: Party,
    subject: str | _Unset,
    category: str | _Unset | None,
    tags: frozenset[str] | _Unset,
    custom_fields: Mapping[str, FieldValue | None] | _Unset,
    reason: str | None,
) -> None:
    """Change the fields given (``UNSET`` keeps one; a ``None`` custom field is removed),
    record what changed, then run the priority rules again (unless a person set the
    priority). Nothing is recorded when nothing changes."""
    ticket = command.ticket
    check_team(actor, ticket, "change tickets")
    command.check_not_closed("update")
    candidate = ticket.copy()
    if not isinstance(subject, _Unset):
        candidate.subject = subject
    if not isinstance(category, _Unset):
        candidate.category = category
    if not isinstance(tags, _Unset):
        candidate.tags = tags
    if not isinstance(custom_fields, _Unset):
        merged = dict(ticket.custom_fields)
        for name, value in custom_fields.items():
            if value is None:
                merged.pop(name, None)
            else:
                merged[name] = value
        candidate.custom_fields = merged
    validate_ticket(candidate, since=ticket)
    changes = {
        name: (getattr(ticket, name), getattr(candidate, name))
        for name in _FIELDS
        if getattr(ticket, name) != getattr(candidate, name)
    }
    if not changes:
        return
    command.emit(FieldsChanged, actor=actor, reason=reason, fields=changes)
    for name in changes:
        setattr(ticket, name, getattr(candidate, name))
    automation.decide_priority(command, policies, actor=AUTOMATION, trigger="updated")


def set_priority(
    command: Command,
    policies: Policies,
    /,
    *,
    priority: Priority,
    actor: Party,
    reason: str | None,
) -> None:
    """Pin the priority, as a person sets it; nothing is recorded when it is already
    pinned there."""
    ticket = command.ticket
    check_team(actor, ticket, "change priorities")
    command.check_not_closed("set_priority")
    if priority is ticket.priority and ticket.priority_manual:
        return
    command.change_priority(priority, actor=actor, reason=reason, manual=True)


def clear_priority(
    command: Command, policies: Policies, /, *, actor: Party, reason: str | None
) -> None:
    """Unpin a priority a person set and run the priority rules; when they agree with it,
    record that the pin is gone."""
    ticket = command.ticket
    check_team(actor, ticket, "change priorities")
    command.check_not_closed("clear_priority")
    if not ticket.priority_manual:
        return
    ticket.priority_manual = False
    before = ticket.priority
    automation.decide_priority(command, policies, actor=actor, trigger="cleared", reason=reason)
    if ticket.priority is before:  # the rules agree: record that the pin is gone
        command.change_priority(
            before, actor=actor, reason=reason, manual=False, cause=Cause("priority_kept")
        )
