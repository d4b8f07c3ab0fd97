"""Dispatch: the most pressing ticket an agent may take, claimed for them.

An agent asks for work (``Helpdesk.next_ticket``): the candidates are the unassigned,
active tickets of every team the agent serves that the agent may take
(``chamados.desk.automation.may_take``, the rule assignment by strategy follows too), most
pressing first (``queue_order``). The first one is claimed through the pipeline
(``assignment.claim``); when another agent got it first, the next one is.
"""

from __future__ import annotations

from chamados.desk import assignment
from chamados.desk.automation import may_take
from chamados.desk.pipeline import Pipeline
from chamados.desk.queries import Queries
from chamados.exceptions import ConcurrencyError
from chamados.model import Party, Ticket
from chamados.policies import Agent, queue_order
from chamados.storage.port import TicketQuery

__all__ = ["next_ticket"]


def next_ticket(
    queries: Queries, pipeline: Pipeline, agent: Agent, *, tenant: str | None, claim: bool
) -> Ticket | None:
    """The most pressing unassigned ticket ``agent`` may take, claimed for them (only
    found with ``claim=False``); ``None`` when there is none."""
    candidates = [
        ticket
        for team in sorted(agent.teams)
        for ticket in queries.queue(
            TicketQuery(tenant=tenant, team=team), assigned=False, limit=None
        )
        if may_take(pipeline.policies, agent, ticket)
    ]
    candidates.sort(key=queue_order)
    for ticket in candidates:
        if not claim:
            return ticket
        try:
            return pipeline.run(
                "claim",
                ticket.id,
                assignment.claim,
                tenant=tenant,
                actor=Party.agent(agent.id),
                key=None,
                arguments={"agent_id": agent.id},
            )
        except (assignment.Taken, ConcurrencyError):
            continue  # someone took it first: try the next one
    return None
