"""The SLA engine: folds a ticket's events into clock cycles, and reports what is due.

``SlaEngine.run`` is called by every ``Helpdesk`` command (and by the monitor) with the
command's new events. It folds them into the cycles kept on the ticket, which gives
the events that happen *now* (a clock applied, paused, resumed, met), then looks at the
derived instants up to now, which gives the warnings and breaches not yet reported,
each exactly once. When the policies that apply to a ticket change (another category,
another policy set, new pause rules) the cycles are rebuilt from the whole history, so
the result is always what a replay of the history gives. When none applies (the policy
stopped matching, or the desk keeps no policies at all) the ticket keeps no clocks: the
ones it carried end, and nothing is promised or watched any more.

How the metrics run (pauses aside):

- ``first_response``: from opening (or, with ``first_response_from="customer_message"``,
  from the requester's first public, human message) to the team's first public, human
  reply;
- ``next_response``: from each customer message that follows a team reply, to the
  team's next public, human reply;
- ``periodic_update``: from each public team reply to the next one, while active;
- ``resolution``: from opening to a resolved (or closed) state; a reopen resumes it
  (the time spent resolved counts as paused) or, with ``reopen="restart"``, starts a
  new cycle;
- ``partner_response``: while the ticket is in a state a partner owes, until it leaves
  that state or the partner replies in public.

Resolving a ticket meets every clock of the team that is still running (as Zendesk
does): nothing more is owed. Automated messages never meet nor start anything. A
policy's ``start_after`` delays the clocks that start with the ticket; it is applied
when clocks are measured (``measure(counts_from=...)``), like a target.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pendulum
from attrs import evolve

from chamados.command import Command
from chamados.events import (
    Replied,
    SlaApplied,
    SlaBreached,
    SlaEvent,
    SlaMet,
    SlaPaused,
    SlaResumed,
    SlaWarning,
    StatusChanged,
    TicketEvent,
    TicketOpened,
)
from chamados.exceptions import ConfigurationError
from chamados.model import Category, Owner, Party, PartyKind, Ticket
from chamados.sla.calendar import BusinessCalendar
from chamados.sla.clocks import Measure, measure, run_out
from chamados.sla.policy import TEAM_METRICS, SlaPolicy, applicable
from chamados.tracking import Cycle, SlaClock, SlaState
from chamados.workflows.base import Status, Workflow
from chamados.workflows.registry import WorkflowRegistry

__all__ = ["SLA_ACTOR", "SlaEngine"]

SLA_ACTOR = Party.system("sla", name="SLA")
"""The party SLA events are recorded as."""

History = Callable[[], Sequence[TicketEvent]]
Note = tuple[type[SlaEvent], Cycle, pendulum.DateTime]


class _Fold:
    """Applies events to the cycles of one ticket, collecting what happened."""

    def __init__(
        self,
        state: SlaState,
        policies: Sequence[SlaPolicy],
        workflow: type[Workflow],
        requester: Party,
    ) -> None:
        self.status = state.status
        self.team_replied = state.team_replied
        self.last_public_by_team = state.last_public_by_team
        self.cycles: dict[tuple[str, str], Cycle] = {c.key: c for c in state.cycles}
        self.policies = policies
        self.workflow = workflow
        self.requester = requester
        self.notes: list[Note] = []
        # The statuses the folded events went through, with the instant each began
        # (``None``: before the first event folded), to say where a clock ran out.
        self.statuses: list[tuple[pendulum.DateTime | None, str]] = [(None, self.status)]

    def status_at(self, instant: pendulum.DateTime) -> str:
        """The status the ticket was in at ``instant`` (before a change at that instant:
        a clock that runs out as the status changes ran out in the old one)."""
        found = self.statuses[0][1]
        for since, status in self.statuses:
            if since is not None and since >= instant:
                break
            found = status
        return found

    def went_through(self, events: Iterable[TicketEvent]) -> None:
        """Take the status changes of ``events`` (this command's, folded by an earlier
        run) as the statuses before this fold's, so ``status_at`` sees the whole command."""
        changes = [e for e in events if isinstance(e, StatusChanged)]
        if changes:
            self.statuses = [(None, changes[0].from_status)]
            self.statuses += [(e.at, e.to_status) for e in changes]

    def state(self, fingerprint: str) -> SlaState:
        return SlaState(
            fingerprint=fingerprint,
            status=self.status,
            cycles=tuple(self.cycles.values()),
            team_replied=self.team_replied,
            last_public_by_team=self.last_public_by_team,
        )

    # -- the rules -----------------------------------------------------------------------

    def runs(self, policy: SlaPolicy, metric: str, status: Status) -> bool:
        if policy.pauses(metric, status.id, status.category):
            return False
        if metric == "partner_response":
            return status.owner is Owner.PARTNER
        return status.category.is_active

    def open_cycle(self, policy: SlaPolicy, metric: str) -> Cycle | None:
        cycle = self.cycles.get((policy.name, metric))
        return cycle if cycle is not None and cycle.stopped_at is None else None

    def start(self, policy: SlaPolicy, metric: str, at: pendulum.DateTime) -> None:
        if metric not in policy.targets:
            return
        previous = self.cycles.get((policy.name, metric))
        number = previous.number + 1 if previous is not None else 1
        status = self.workflow.status_of(self.status)
        running = at if self.runs(policy, metric, status) else None
        cycle = Cycle(policy.name, metric, number, at, running_since=running)
        self.cycles[cycle.key] = cycle
        self.notes.append((SlaApplied, cycle, at))

    def stop(self, policy: SlaPolicy, metric: str, at: pendulum.DateTime) -> None:
        cycle = self.open_cycle(policy, metric)
        if cycle is not None:
            stopped = cycle.stop(at)
            self.cycles[cycle.key] = stopped
            self.notes.append((SlaMet, stopped, at))

    # -- the events ------------------------------------------------------------------------

    def apply(self, event: TicketEvent) -> None:
        if isinstance(event, TicketOpened):
            self.opened(event)
        elif isinstance(event, Replied):
            self.replied(event)
        elif isinstance(event, StatusChanged):
            self.status_changed(event)

    def opened(self, event: TicketOpened) -> None:
        self.status = event.status
        self.statuses = [(None, event.status)]
        partner_owes = self.workflow.status_of(self.status).owner is Owner.PARTNER
        metrics = ["first_response", "resolution"] + (["partner_response"] if partner_owes else [])
        for policy in self.policies:
            for metric in metrics:
                if metric == "first_response" and policy.first_response_from != "opening":
                    continue  # starts with the customer's first message
                self.start(policy, metric, event.at)

    def replied(self, event: Replied) -> None:
        message = event.message
        at = event.at
        author = message.author
        if message.counts_as_response:
            active = self.workflow.status_of(self.status).category.is_active
            for policy in self.policies:
                self.stop(policy, "first_response", at)
                self.stop(policy, "next_response", at)
                self.stop(policy, "periodic_update", at)
                if active:
                    self.start(policy, "periodic_update", at)
            self.team_replied = True
            self.last_public_by_team = True
            return
        if not message.public or message.automated:
            return  # an internal note or a machine's message starts and stops nothing
        if author == self.requester:
            if self.team_replied and self.last_public_by_team:
                for policy in self.policies:
                    if self.open_cycle(policy, "next_response") is None:
                        self.start(policy, "next_response", at)
            elif not self.team_replied:
                for policy in self.policies:
                    waiting = policy.first_response_from == "customer_message"
                    if waiting and (policy.name, "first_response") not in self.cycles:
                        self.start(policy, "first_response", at)
            self.last_public_by_team = False
        elif author.kind is PartyKind.PARTNER:
            for policy in self.policies:
                self.stop(policy, "partner_response", at)

    def status_changed(self, event: StatusChanged) -> None:
        at = event.at
        before = self.workflow.status_of(event.from_status)
        after = self.workflow.status_of(event.to_status)
        self.status = after.id
        self.statuses.append((at, after.id))
        ending = before.category.is_active and not after.category.is_active
        reopening = not before.category.is_active and after.category.is_active
        for policy in self.policies:
            if ending:
                for metric in TEAM_METRICS:
                    self.stop(policy, metric, at)
            if reopening:
                self.reopen(policy, at)
            if after.owner is Owner.PARTNER and before.owner is not Owner.PARTNER:
                self.stop(policy, "partner_response", at)
                self.start(policy, "partner_response", at)
            elif before.owner is Owner.PARTNER and after.owner is not Owner.PARTNER:
                self.stop(policy, "partner_response", at)
        for key, cycle in list(self.cycles.items()):
            if cycle.stopped_at is not None:
                continue
            policy = self._policy(cycle.policy)
            should = self.runs(policy, cycle.metric, after)
            if should and cycle.running_since is None:
                self.cycles[key] = cycle.resume(at)
                self.notes.append((SlaResumed, self.cycles[key], at))
            elif not should and cycle.running_since is not None:
                self.cycles[key] = cycle.pause(at)
                self.notes.append((SlaPaused, self.cycles[key], at))

    def reopen(self, policy: SlaPolicy, at: pendulum.DateTime) -> None:
        cycle = self.cycles.get((policy.name, "resolution"))
        if cycle is not None and cycle.stopped_at is not None:
            if policy.reopen == "resume":
                # Resumed by the reconciliation in status_changed; the time spent
                # resolved is a gap between spans: paused time.
                self.cycles[cycle.key] = evolve(cycle, stopped_at=None)
            else:
                self.start(policy, "resolution", at)
        if self.team_replied:
            self.start(policy, "periodic_update", at)

    def _policy(self, name: str) -> SlaPolicy:
        for policy in self.policies:
            if policy.name == name:
                return policy
        raise AssertionError(f"no policy {name!r}")  # pragma: no cover


class SlaEngine:
    """Keeps the SLA clocks of tickets, for a ``Helpdesk`` with ``sla=[...]`` policies."""

    def __init__(self, policies: Iterable[SlaPolicy], workflows: WorkflowRegistry) -> None:
        self.policies = tuple(policies)
        seen: set[str] = set()
        for policy in self.policies:
            if not isinstance(policy, SlaPolicy):
                raise ConfigurationError(f"{policy!r} is not an SlaPolicy", key="sla")
            if policy.name in seen:
                raise ConfigurationError(f"two SLA policies are named {policy.name!r}", key="sla")
            seen.add(policy.name)
        self.workflows = workflows
        self._check_pause_names()
        self._always: dict[str, BusinessCalendar] = {}

    def _check_pause_names(self) -> None:
        """Each name in a policy's ``pause_on`` must be a state category or a status of a
        registered workflow: a typo would silently never pause."""
        categories = sorted(c.value for c in Category)
        statuses = sorted(
            {s for name in self.workflows for s in self.workflows.get(name).statuses}
        )
        known = {*categories, *statuses}
        for policy in self.policies:
            for metric, names in policy.pause_on.items():
                for name in sorted(names - known):
                    close = difflib.get_close_matches(name, sorted(known), n=3, cutoff=0.5)
                    hint = f" (did you mean {' or '.join(map(repr, close))}?)" if close else ""
                    raise ConfigurationError(
                        f"policy {policy.name!r}: pause_on for {metric} names {name!r}, which is "
                        f"neither a state category nor a status of the registered workflows"
                        f"{hint}; categories: {', '.join(categories)}; statuses: "
                        f"{', '.join(statuses)}",
                        key="pause_on",
                    )

    def __bool__(self) -> bool:
        return bool(self.policies)

    def tracks(self, ticket: Ticket) -> bool:
        """Whether ``ticket`` gives the engine work: policies that may apply to it, or
        clocks it still carries from policies this desk no longer keeps (which end)."""
        return bool(self.policies) or (
            ticket.sla_state is not None
            or bool(ticket.sla_clocks)
            or ticket.sla_deadline is not None
        )

    # -- for the Helpdesk ----------------------------------------------------------------------

    def run(self, command: Command, history: History, *, since: int = 0) -> None:
        """Bring the ticket's clocks up to date with the command's events from position
        ``since`` on (those before were folded by an earlier run in the same command), and
        record the SLA events that follow (applied, paused, resumed, met, warnings,
        breaches)."""
        ticket, now = command.ticket, command.now
        policies, fingerprint = self._applicable(ticket)
        if not policies:
            _end_clocks(ticket)
            return
        workflow = self.workflows.get(ticket.workflow, ticket_id=ticket.id)
        earlier = list(command.events[:since])
        new_events = list(command.events[since:])
        old: SlaState | None = ticket.sla_state
        if old is not None and old.fingerprint == fingerprint:
            fold = _Fold(old, policies, workflow, ticket.requester)
            fold.went_through(earlier)
            for event in new_events:
                fold.apply(event)
            notes = fold.notes
        else:
            # The rules changed: rebuild from the history, then fold this command's events
            # on top, so their events are reported as in the usual path. Clocks that did
            # not exist before report that they apply; what was reported stays reported.
            fold = self._replay(ticket, policies, workflow, [*history(), *earlier])
            replayed = fold.notes
            fold.notes = []
            for event in new_events:
                fold.apply(event)
            known = {c.key for c in old.cycles} if old is not None else set()
            carried = {c.key: c for c in old.cycles} if old is not None else {}
            for key, cycle in list(fold.cycles.items()):
                before = carried.get(key)
                if before is not None and before.number == cycle.number:
                    fold.cycles[key] = evolve(
                        cycle, warned=before.warned, breach_reported=before.breach_reported
                    )
            new_clocks = [
                n
                for n in replayed
                if n[0] is SlaApplied
                and n[1].key not in known
                and fold.cycles[n[1].key].number == n[1].number
            ]
            notes = new_clocks + fold.notes
        state = fold.state(fingerprint)
        state = self._report(command, state, policies, notes, fold.status_at)
        self._update_ticket(ticket, state, policies, now)

    def refresh(self, ticket: Ticket, now: pendulum.DateTime, history: History) -> None:
        """Set ``ticket.sla_clocks`` as they stand at ``now`` (nothing is recorded)."""
        policies, fingerprint = self._applicable(ticket)
        if not policies:
            _end_clocks(ticket)
            return
        state: SlaState | None = ticket.sla_state
        if state is None or state.fingerprint != fingerprint:
            workflow = self.workflows.get(ticket.workflow, ticket_id=ticket.id)
            state = self._replay(ticket, policies, workflow, history()).state(fingerprint)
        self._update_ticket(ticket, state, policies, now)

    # -- inside -----------------------------------------------------------------------------

    def _applicable(self, ticket: Ticket) -> tuple[list[SlaPolicy], str]:
        policies = applicable(self.policies, ticket)
        return policies, "|".join(f"{p.name}:{p.fingerprint}" for p in policies)

    def _replay(
        self,
        ticket: Ticket,
        policies: Sequence[SlaPolicy],
        workflow: type[Workflow],
        events: Iterable[TicketEvent],
    ) -> _Fold:
        fold = _Fold(SlaState("", workflow.initial_status()), policies, workflow, ticket.requester)
        for event in events:
            fold.apply(event)
        return fold

    def _calendar_time(self, policy: SlaPolicy) -> BusinessCalendar:
        zone = policy.calendar.timezone
        found = self._always.get(zone)
        if found is None:
            found = self._always[zone] = BusinessCalendar.always_open(timezone=zone)
        return found

    def _measure(
        self, cycle: Cycle, policies: Sequence[SlaPolicy], ticket: Ticket, now: pendulum.DateTime
    ) -> Measure | None:
        policy = next((p for p in policies if p.name == cycle.policy), None)
        if policy is None:
            return None
        target = policy.target_for(cycle.metric, ticket.priority)
        if target is None:
            return None
        always = self._calendar_time(policy)
        counts_from = None
        # start_after delays the clocks that started with the ticket (their first cycle).
        offset = policy.start_after
        if offset is not None and cycle.number == 1 and cycle.started_at == ticket.created_at:
            counts_from = run_out(offset, policy.calendar, always, cycle.started_at)
        return measure(cycle, policy, target, now, always, counts_from=counts_from)

    def _report(
        self,
        command: Command,
        state: SlaState,
        policies: Sequence[SlaPolicy],
        notes: Sequence[Note],
        status_at: Callable[[pendulum.DateTime], str],
    ) -> SlaState:
        """Record the notes, then every warning and breach due by now, in time order.

        A breach names the status the ticket was in when the clock ran out (``status_at``),
        which this command's events may have changed since."""
        ticket, now = command.ticket, command.now
        pending: list[tuple[pendulum.DateTime, int, type[SlaEvent], dict[str, Any]]] = []
        current = {c.key: c for c in state.cycles}
        # Cycles that ended in this command and were replaced by a new cycle (a periodic
        # update, say) are checked too, so their breach is reported before it is lost.
        retired = [
            cycle
            for kind, cycle, _ in notes
            if kind is SlaMet and current.get(cycle.key, cycle).number != cycle.number
        ]
        for cycle in [*state.cycles, *retired]:
            found = self._measure(cycle, policies, ticket, now)
            if found is None:
                continue
            clock = found.clock
            end = cycle.stopped_at or now
            warned = set(cycle.warned)
            for threshold, instant in found.warnings:
                if threshold not in warned and instant <= end:
                    warned.add(threshold)
                    warning = {
                        "threshold": threshold,
                        "reached_at": instant,
                        "due_at": clock.due_at,
                    }
                    pending.append((instant, 0, SlaWarning, self._fields(cycle, warning)))
            breach = clock.breached_at is not None and not cycle.breach_reported
            if breach:
                assert clock.breached_at is not None
                breached = {
                    "breached_at": clock.breached_at,
                    "status": status_at(clock.breached_at),
                }
                pending.append((clock.breached_at, 1, SlaBreached, self._fields(cycle, breached)))
            if cycle.key in current and current[cycle.key].number == cycle.number:
                current[cycle.key] = evolve(
                    cycle,
                    warned=frozenset(warned),
                    breach_reported=cycle.breach_reported or breach,
                )
        state = evolve(state, cycles=tuple(current.values()))
        # A cycle that started in this batch reports its start only: pausing or resuming
        # it at the same instant is part of starting.
        started = {(c.key, c.number) for kind, c, _ in notes if kind is SlaApplied}
        for kind, cycle, at in notes:
            if kind in (SlaPaused, SlaResumed) and (cycle.key, cycle.number) in started:
                continue
            latest = current.get(cycle.key)
            same = latest if latest is not None and latest.number == cycle.number else cycle
            found = self._measure(same, policies, ticket, now)
            if found is None:
                continue
            fields: dict[str, Any] = {}
            if kind is SlaApplied:
                fields = {"target": found.clock.target, "due_at": found.clock.due_at}
            elif kind is SlaResumed:
                fields = {"due_at": found.clock.due_at}
            elif kind is SlaMet:
                fields = {"met_at": at, "breached": found.clock.breached_at is not None}
            pending.append((at, 2, kind, self._fields(cycle, fields)))
        pending.sort(key=lambda item: (item[0], item[1]))
        for _, _, kind, values in pending:
            command.emit(kind, actor=SLA_ACTOR, **values)
        return state

    @staticmethod
    def _fields(cycle: Cycle, extra: dict[str, Any]) -> dict[str, Any]:
        return {"policy": cycle.policy, "metric": cycle.metric, "cycle": cycle.number, **extra}

    def _update_ticket(
        self,
        ticket: Ticket,
        state: SlaState,
        policies: Sequence[SlaPolicy],
        now: pendulum.DateTime,
    ) -> None:
        """Set on ``ticket`` the state, the clocks as of ``now``, and the next instant the
        monitor must look at it again."""
        clocks: list[SlaClock] = []
        deadline: pendulum.DateTime | None = None
        for cycle in state.cycles:
            found = self._measure(cycle, policies, ticket, now)
            if found is None:
                continue
            clocks.append(found.clock)
            if cycle.stopped_at is not None or cycle.running_since is None:
                continue
            upcoming = [i for t, i in found.warnings if t not in cycle.warned]
            if found.clock.due_at is not None and not cycle.breach_reported:
                upcoming.append(found.clock.due_at)
            for instant in upcoming:
                if deadline is None or instant < deadline:
                    deadline = instant
        ticket.sla_state = state
        ticket.sla_clocks = tuple(clocks)
        ticket.sla_deadline = deadline


def _end_clocks(ticket: Ticket) -> None:
    """No policy applies to ``ticket``: it keeps no clocks and owes nothing (the clocks
    of a policy that stopped matching, or of a desk that keeps no policies, end)."""
    ticket.sla_state = None
    ticket.sla_clocks = ()
    ticket.sla_deadline = None
