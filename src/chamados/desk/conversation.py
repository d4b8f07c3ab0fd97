"""Handlers of the conversation: replies and internal notes.

A handler is a plain function of the ``Command`` in progress, the desk's ``Policies`` and
the command's arguments (``chamados.desk.pipeline``, step 3): it decides, changes the
ticket copy and records events, and never touches storage.
"""

from __future__ import annotations

from datetime import datetime

import pendulum

from chamados.clock import as_instant
from chamados.command import Command
from chamados.desk.access import check_involved, check_team
from chamados.events import NoteAdded, Replied
from chamados.ids import new_uid
from chamados.model import Message, Party
from chamados.policies import Policies

__all__ = ["message", "reply"]


def reply(
    command: Command,
    policies: Policies,
    /,
    *,
    author: Party,
    body: str,
    public: bool,
    automated: bool,
    external_id: str | None,
    at: datetime | None,
) -> None:
    """Add a message; a public, human reply fires the event the workflow says
    (``Workflow.reply_events``) when the ticket's state allows it. ``public=False`` adds
    an internal note, for the team only."""
    ticket = command.ticket
    if not public:
        check_team(author, ticket, "add internal notes")
    check_involved(author, ticket, "reply to")
    command.check_not_closed("reply")
    written = message(
        author=author,
        body=body,
        now=command.now,
        public=public,
        automated=automated,
        external_id=external_id,
        at=at,
    )
    if not public:
        command.emit(NoteAdded, actor=author, message=written)
        return
    command.emit(Replied, actor=author, message=written)
    if automated:
        return
    workflow = command.workflow
    event = workflow.reply_events.get(author.kind)
    if event is not None and event in workflow.allowed_in(ticket.status):
        command.fire(event, actor=author, reason=None, data={})


def message(
    *,
    author: Party,
    body: str,
    now: pendulum.DateTime,
    public: bool = True,
    automated: bool = False,
    external_id: str | None = None,
    at: datetime | None = None,
) -> Message:
    """A new message by ``author``, written ``at`` (``now`` if not given)."""
    when = now if at is None else as_instant(at, name="at")
    return Message(
        id=new_uid(),
        author=author,
        body=body,
        at=when,
        public=public,
        automated=automated,
        external_id=external_id,
    )
