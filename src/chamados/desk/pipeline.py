"""The command pipeline: the one order of work every change to a ticket follows.

This docstring is the authoritative order of work. Every command (``open`` included)
and every recheck of the SLA monitor goes through these steps, written once, in
``Pipeline``:

1. **Load** the ticket in a unit of work, holding its row until the commit
   (``uow.get(..., lock=True)``): commands on one ticket queue up rather than fail.
   ``open`` makes a new ticket instead (``lifecycle.new_ticket``, with a new id and the
   time of the command); the monitor's ticket is the one its claim holds
   (``uow.claim_due``).
2. **Idempotency**: with a key, a key already stored answers the command
   (``KeyUse.answer``: the first result, or the error saying why not) and nothing else
   happens.
3. **Handler**: the command's own decision (``chamados.desk.lifecycle``, ``conversation``,
   ``assignment``, ``fields``), a plain function of the ``Command`` in progress, the desk's
   ``Policies`` and the command's arguments. It checks who may do it and what the state
   allows, changes the ticket copy and records events; it never touches storage (it may
   ask ``Command.load`` how many tickets an agent holds).
4. **SLA clocks**: when the ticket has clocks and something happened (always for the
   monitor), the SLA engine folds the new events into them and records the warnings,
   breaches and other SLA events that follow; then the SLA actions those warnings and
   breaches trigger run, and the engine again on what they changed, for at most
   ``SLA_ACTION_ROUNDS`` rounds. A command that recorded nothing and changed no clock
   ends here: nothing is saved.
5. **Facts**: the events are folded into the ticket's facts for indicators
   (``reports.facts.fold``), and the stays in a status they ended are staged.
6. **Stage**: the ticket (new version, ``updated_at``), its events in the history, the
   events in the outbox (when the desk has notifiers or delivers by relay), and the
   idempotency key bound to the result.
7. **Commit**, with the version check: all of it or nothing. A key another worker stored
   meanwhile answers as in step 2; a stale version raises ``ConcurrencyError`` (``open``
   tries again with a new id, at most ``OPEN_RETRIES`` times).
8. **Inline delivery**, after the unit of work has ended (``delivery="inline"``): the
   notifiers hear the committed events now, through the outbox, so a failure is retried
   by a relay, never lost. Not when the host holds the transaction: it may still roll
   back.

The façade (``chamados.desk.helpdesk``) checks a command's arguments and calls
``Pipeline.run`` (or ``Pipeline.open``) once; the monitor claims due tickets and calls
``Pipeline.recheck``; reads never come here (``chamados.desk.queries``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal, TypeAlias

import pendulum

from chamados.clock import Clock
from chamados.command import Command, Load
from chamados.desk.arguments import now
from chamados.desk.automation import new_sla_events, run_sla_actions
from chamados.desk.idempotency import KeyUse
from chamados.events import TicketEvent
from chamados.exceptions import ConcurrencyError
from chamados.ids import IdFactory
from chamados.model import Party, Ticket
from chamados.notify.notifier import Notifier
from chamados.notify.notifiers import Route
from chamados.notify.relay import OutboxRelay, RetryPolicy
from chamados.policies import Policies
from chamados.reports.facts import fold
from chamados.sla.calendar import BusinessCalendar
from chamados.sla.engine import SlaEngine
from chamados.storage.port import DuplicateKeyError, Storage, UnitOfWork
from chamados.workflows.registry import WorkflowRegistry

__all__ = ["OPEN_RETRIES", "SLA_ACTION_ROUNDS", "Handler", "NewTicket", "Pipeline", "agent_load"]

Handler: TypeAlias = Callable[..., None]
"""A command's decision: ``handler(command, policies, **arguments)`` (step 3)."""

NewTicket: TypeAlias = Callable[..., Ticket]
"""How ``open`` makes its ticket: ``new_ticket(ticket_id, now, tenant=, workflows=,
policies=, **arguments)`` (step 1 of ``open``)."""

OPEN_RETRIES = 3
"""How many ids ``open`` tries when the storage already holds a ticket with the id the
id factory made (a collision of random ids, or a sequence restarted on a used range)."""

SLA_ACTION_ROUNDS = 3
"""How many times, at most, one command runs the SLA engine and then the SLA actions its
new warnings and breaches trigger (step 4).

An SLA action changes what the clocks measure: raising the priority chooses a shorter
target, escalating changes the team and the level. So after the actions the engine runs
again on the changed ticket, and may report a warning or breach it had no reason to
report before, which may trigger more actions. Each warning and breach is reported once,
and each action runs once per event, so a chain ends by itself: a priority raised to
``urgent`` rises no further, a ticket at the workflow's highest level is not escalated.

The bound keeps one command's work bounded whatever the policies say. The actions of the
last round still run and are saved, but the clocks do not yet measure what they changed:
the next command does, or the monitor once the deadline the last round measured has
passed (``tests/test_desk_pipeline.py`` shows a chain of warnings, each raising the
priority into a shorter target, that a fourth round would end with a breach).
"""


def agent_load(uow: UnitOfWork, tenant: str, roster: Callable[[], Iterable[str]] = tuple) -> Load:
    """How many tickets with a running SLA clock each agent of ``tenant`` holds, asked
    of ``uow``: the ``Command.load`` assignment uses (least loaded, capacity).

    The one place the desk counts an agent's tickets. Nothing is asked until an
    assignment asks; then one grouped query (``UnitOfWork.held``) counts for every agent
    that ``roster`` names (the desk's agents) at once, and the command reuses the answer.
    """
    counts: dict[str, int] = {}

    def load(agent_id: str) -> int:
        if agent_id not in counts:
            counts.update(uow.held(tenant, {agent_id, *roster()} - counts.keys()))
        return counts[agent_id]

    return load


class Pipeline:
    """Runs commands on tickets in the order of work this module's docstring states."""

    def __init__(
        self,
        *,
        storage: Storage,
        clock: Clock,
        workflows: WorkflowRegistry,
        sla: SlaEngine,
        policies: Policies,
        business_hours: BusinessCalendar | None,
        ticket_ids: IdFactory,
        notifiers: tuple[Notifier | Route, ...],
        delivery: Literal["inline", "relay"],
        retry: RetryPolicy,
    ) -> None:
        self.storage = storage
        self.clock = clock
        self.workflows = workflows
        self.sla = sla
        self.policies = policies
        self.business_hours = business_hours
        self.ticket_ids = ticket_ids
        self.notifiers = notifiers
        self.delivery = delivery
        self.retry = retry
        self.writes_outbox = bool(notifiers) or delivery == "relay"
        """Whether step 6 stages events in the outbox: someone will deliver them."""
        self._inline: OutboxRelay | None = None

    def roster(self) -> list[str]:
        """The ids of the desk's agents, whose loads one command counts together."""
        agents = self.policies.agents
        return [] if agents is None else [agent.id for agent in agents]

    def now(self) -> pendulum.DateTime:
        """The time a command runs at (``chamados.desk.arguments.now``)."""
        return now(self.clock)

    def run(
        self,
        name: str,
        ticket_id: str,
        handler: Handler,
        *,
        tenant: str | None,
        actor: Party,
        key: str | None,
        arguments: Mapping[str, Any],
    ) -> Ticket:
        """Run command ``name`` (``handler`` with ``arguments``) on the ticket, steps 1 to
        8; the ticket as it is after the command.

        ``actor`` is who sends the command and ``arguments`` all it was given (but the
        ticket id): with an idempotency ``key``, a repeat must match both
        (``chamados.desk.idempotency``).
        """
        use = KeyUse.of(key, name, actor=actor, arguments=arguments)
        with self.storage.unit_of_work() as uow:
            ticket = uow.get(ticket_id, tenant=tenant, lock=True)  # 1
            if use is not None:  # 2
                record = uow.idempotency(use.key, tenant=ticket.tenant)
                if record is not None:
                    return use.answer(record, ticket.id)
            command = self._command(uow, ticket)
            result, events = self._work(uow, command, handler, arguments, use)  # 3-7
        self.deliver(events)  # 8
        return result

    def open(
        self,
        new_ticket: NewTicket,
        handler: Handler,
        *,
        tenant: str,
        actor: Party,
        key: str | None,
        arguments: Mapping[str, Any],
    ) -> Ticket:
        """Open a ticket: ``new_ticket`` makes it, ``handler`` records the opening, then
        steps 4 to 8 as for any command. The new ticket, or the first one for a repeated
        ``key``."""
        use = KeyUse.of(key, "open", actor=actor, arguments=arguments)
        for attempt in range(OPEN_RETRIES):
            with self.storage.unit_of_work() as uow:
                if use is not None:  # 2
                    record = uow.idempotency(use.key, tenant=tenant)
                    if record is not None:
                        return use.answer(record, None)
                at = self.now()
                ticket = new_ticket(  # 1
                    self.ticket_ids(),
                    at,
                    tenant=tenant,
                    workflows=self.workflows,
                    policies=self.policies,
                    **arguments,
                )
                command = Command(
                    self.workflows,
                    ticket,
                    at,
                    version=1,
                    load=agent_load(uow, tenant, self.roster),
                )
                try:
                    result, events = self._work(uow, command, handler, arguments, use, new=True)
                except ConcurrencyError:
                    if attempt + 1 == OPEN_RETRIES:
                        raise
                    continue  # the id factory produced an id that exists: try another
            self.deliver(events)
            return result
        raise AssertionError("unreachable")  # pragma: no cover

    def recheck(self, uow: UnitOfWork, ticket: Ticket) -> list[TicketEvent]:
        """Steps 4 to 7 with no handler, on a ticket ``uow`` holds (the monitor's claim):
        its clocks brought to now, saved when they changed; the events recorded. The
        caller delivers them (``deliver``) once its unit of work has ended."""
        _, events = self._work(uow, self._command(uow, ticket), None, {}, None, recheck=True)
        return events

    def deliver(self, events: Sequence[TicketEvent]) -> None:
        """Step 8, inline delivery: hand committed events to the notifiers now, through
        the outbox (so a failure is retried by a relay, not lost). Not when the commit is
        the host's to make: the host may still roll back."""
        if self.delivery != "inline" or not self.notifiers or not events:
            return
        if self.storage.in_host_transaction:
            return
        if self._inline is None:
            self._inline = OutboxRelay(
                self.storage.outbox(),
                self.notifiers,
                clock=self.clock,
                retry=self.retry,
                timeout=None,  # the caller's own thread: it waits for its notifiers
            )
        self._inline.run_once(ids=[event.id for event in events])

    def _command(self, uow: UnitOfWork, ticket: Ticket) -> Command:
        """The command in progress on a stored ticket: its next version, now."""
        return Command(
            self.workflows,
            ticket,
            self.now(),
            version=ticket.version + 1,
            load=agent_load(uow, ticket.tenant, self.roster),
        )

    def _work(
        self,
        uow: UnitOfWork,
        command: Command,
        handler: Handler | None,
        arguments: Mapping[str, Any],
        use: KeyUse | None,
        *,
        new: bool = False,
        recheck: bool = False,
    ) -> tuple[Ticket, list[TicketEvent]]:
        """Steps 3 to 7: the ticket as saved and the events recorded (none when nothing
        changed, or when a key stored meanwhile answers)."""
        ticket = command.ticket
        if handler is not None:
            handler(command, self.policies, **arguments)  # 3
        changed = False
        if self.sla.tracks(ticket) and (command.events or recheck):  # 4
            before = (ticket.sla_state, ticket.sla_deadline)
            self._keep_clocks(
                command, list if new else lambda: uow.history(ticket.id, tenant=None)
            )
            changed = (ticket.sla_state, ticket.sla_deadline) != before
        if not command.events and not changed:
            return ticket.copy(), []
        self._keep_facts(command, uow)  # 5
        ticket.version = command.version  # 6
        ticket.updated_at = command.now
        if new:
            uow.add(ticket)
        else:
            uow.save(ticket)
        uow.record(command.events)
        if self.writes_outbox:
            uow.enqueue(command.events)
        if use is not None:
            use.remember(uow, ticket)
        try:
            uow.commit()  # 7
        except DuplicateKeyError as error:
            assert use is not None  # only a key can be taken
            return use.answer(error.record, None if new else ticket.id), []
        return ticket.copy(), list(command.events)

    def _keep_clocks(self, command: Command, history: Callable[[], Sequence[TicketEvent]]) -> None:
        """Step 4: the SLA engine on the command, then the SLA actions its new warnings
        and breaches trigger, and the engine again on what they changed, for at most
        ``SLA_ACTION_ROUNDS`` rounds (see there why)."""
        since = 0
        for _ in range(SLA_ACTION_ROUNDS):
            reported = len(command.events)
            self.sla.run(command, history, since=since)
            triggered = new_sla_events(command.events, reported)
            if not self.policies.sla_actions or not triggered:
                return
            since = len(command.events)
            ticket = command.ticket
            run_sla_actions(
                command,
                self.policies,
                triggered,
                command.load,
                max_tier=self.workflows.options(ticket.workflow).max_tier,
                active=command.workflow.status_of(ticket.status).category.is_active,
            )
            if len(command.events) == since:
                return

    def _keep_facts(self, command: Command, uow: UnitOfWork) -> None:
        """Step 5: fold the command's events into the ticket's facts for indicators, and
        stage the stays in a status they ended."""
        ticket = command.ticket
        ticket.stats, ended = fold(
            ticket, command.events, workflow=command.workflow, calendar=self.business_hours
        )
        if ended:
            uow.add_stays(ended)
