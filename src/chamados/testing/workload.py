"""A simulated store: many tickets living realistic lives, for report tests and
benchmarks.

``simulate(desk, clock, tickets=200, seed=1)`` opens tickets over working days and plays
each one's life in time order, interleaved: the team answers (sooner or later, now and
then after a deadline), asks the customer or the seller and waits for them, escalates
to N2, resolves; customers reopen some and rate many; tickets get closed. The SLA
monitor runs every simulated hour. The same seed gives the same history, whatever the
storage, so two storages fed by it must give the same indicators.

>>> from chamados import Helpdesk, SequentialIds
>>> from chamados.testing import FakeClock
>>> clock = FakeClock("2026-03-02T08:00:00-03:00")
>>> desk = Helpdesk(clock=clock, sla=store_policies(), ticket_ids=SequentialIds("T-"))
>>> simulate(desk, clock, tickets=20, seed=7)
20
>>> len(desk.tickets())
20
"""

from __future__ import annotations

import heapq
import random
from collections.abc import Callable
from datetime import timedelta

from chamados.desk import Helpdesk
from chamados.model import Party, Priority
from chamados.sla import BusinessCalendar, SlaPolicy, Target
from chamados.testing.clock import FakeClock

__all__ = ["simulate", "store_policies"]

H = timedelta(hours=1)
CHANNELS = ("site", "site", "site", "email", "mercado_livre", "amazon", "whatsapp")
CATEGORIES = ("entrega", "entrega", "pagamento", "troca", "devolucao", "duvida", None)
TEAMS = {"entrega": "logistica", "pagamento": "financeiro", "troca": "logistica"}
AGENTS = {
    "logistica": ("ana", "bruno"),
    "financeiro": ("felipe",),
    "atendimento": ("carla", "diego"),
}
PARTNERS = tuple(Party.partner(f"seller-{n}", name=f"Vendedor {n}") for n in range(1, 7))


def store_policies() -> list[SlaPolicy]:
    """The store's SLA on São Paulo business hours: first answer 4h, next 8h,
    resolution 3 business days (1 day when urgent), partners 24 business hours."""
    calendar = BusinessCalendar.brazil(subdivision="SP", hours={"mon-fri": "09:00-18:00"})
    return [
        SlaPolicy(
            name="loja",
            calendar=calendar,
            targets={
                "first_response": Target(business=4 * H),
                "next_response": Target(business=8 * H),
                "resolution": {
                    Priority.URGENT: Target(business_days=1),
                    "default": Target(business_days=3),
                },
                "partner_response": Target(business=24 * H),
            },
            warn_at=[0.75],
        )
    ]


def simulate(desk: Helpdesk, clock: FakeClock, *, tickets: int = 200, seed: int = 1) -> int:
    """Open ``tickets`` tickets on ``desk`` and play their lives to the end (or to a
    waiting state some never leave); return how many were opened. ``clock`` must be the
    desk's clock: the simulation moves it."""
    rng = random.Random(seed)
    start = clock.now()
    queue: list[tuple[float, int, int, Callable[[], float | None]]] = []
    order = 0

    def later(seconds: float, step: Callable[[], float | None]) -> None:
        nonlocal order
        order += 1
        at = (clock.now() - start).total_seconds() + max(60.0, seconds)
        heapq.heappush(queue, (at, order, 0, step))

    arrival = 0.0
    for n in range(tickets):
        arrival += rng.expovariate(1 / 1800)  # a ticket every half hour on average
        life = _Life(desk, rng, n)
        order += 1
        heapq.heappush(queue, (arrival, order, 0, life.open_with(later)))
    next_tick = 3600.0
    while queue:
        at, _, _, step = heapq.heappop(queue)
        while next_tick <= at:
            clock.set(start + timedelta(seconds=next_tick))
            desk.tick()
            next_tick += 3600.0
        clock.set(start + timedelta(seconds=at))
        step()
    return tickets


class _Life:
    """One ticket's life, one step at a time; each step schedules the next."""

    def __init__(self, desk: Helpdesk, rng: random.Random, n: int) -> None:
        self.desk = desk
        self.rng = rng
        self.customer = Party.customer(f"c-{n}", name=f"Cliente {n}")
        self.category = rng.choice(CATEGORIES)
        self.team = TEAMS.get(self.category or "", "atendimento")
        self.agent = Party.agent(rng.choice(AGENTS[self.team]))
        self.partner = rng.choice(PARTNERS) if rng.random() < 0.4 else None
        self.id = ""
        self.later: Callable[[float, Callable[[], float | None]], None] = lambda s, f: None

    def open_with(
        self, later: Callable[[float, Callable[[], float | None]], None]
    ) -> Callable[[], float | None]:
        self.later = later

        def open_() -> None:
            rng = self.rng
            ticket = self.desk.open(
                tenant="loja-1",
                channel=rng.choice(CHANNELS),
                requester=self.customer,
                partner=self.partner,
                subject="Pedido com problema",
                body="Preciso de ajuda com meu pedido.",
                category=self.category,
                team=self.team,
                priority=rng.choices(["low", "normal", "high", "urgent"], weights=[1, 6, 2, 1])[0],
            )
            self.id = ticket.id
            self.desk.assign(self.id, assignee=self.agent.id, actor=self.agent)
            self.later(self._response_delay(), self.answer)

        return open_

    def _response_delay(self) -> float:
        # Mostly within the hour, sometimes a day late.
        return self.rng.expovariate(1 / 3600) if self.rng.random() < 0.8 else 86_400.0

    def answer(self) -> None:
        desk, rng = self.desk, self.rng
        desk.reply(self.id, author=self.agent, body="Olá! Estamos verificando.")
        roll = rng.random()
        if roll < 0.25:
            desk.transition(self.id, "ask_customer", actor=self.agent)
            if rng.random() < 0.85:  # some customers never come back
                self.later(rng.expovariate(1 / 14_400), self.customer_answers)
        elif roll < 0.45 and self.partner is not None:
            desk.transition(self.id, "ask_partner", actor=self.agent)
            self.later(rng.expovariate(1 / 40_000), self.partner_answers)
        elif roll < 0.55:
            second = Party.agent("n2-" + self.team)
            desk.escalate(self.id, actor=self.agent, reason="caso complexo")
            desk.assign(self.id, assignee=second.id, actor=second)
            self.agent = second
            self.later(rng.expovariate(1 / 20_000), self.resolve)
        else:
            self.later(rng.expovariate(1 / 7200), self.resolve)

    def customer_answers(self) -> None:
        self.desk.reply(self.id, author=self.customer, body="Segue o que pediram.")
        self.later(self._response_delay(), self.resolve)

    def partner_answers(self) -> None:
        self.desk.reply(self.id, author=self.partner or self.customer, body="Reenviado.")
        self.later(self.rng.expovariate(1 / 5400), self.resolve)

    def resolve(self) -> None:
        self.desk.resolve(self.id, actor=self.agent, summary="Resolvido.")
        roll = self.rng.random()
        if roll < 0.12:
            self.later(self.rng.expovariate(1 / 50_000), self.reopen)
        elif roll < 0.7:
            self.later(self.rng.expovariate(1 / 20_000), self.rate)

    def reopen(self) -> None:
        self.desk.reopen(self.id, actor=self.customer, reason="não resolveu")
        self.later(self._response_delay(), self.answer_again)

    def answer_again(self) -> None:
        self.desk.reply(self.id, author=self.agent, body="Vamos rever.")
        self.later(self.rng.expovariate(1 / 7200), self.resolve)

    def rate(self) -> None:
        score = self.rng.choices([1, 2, 3, 4, 5], weights=[1, 1, 2, 4, 6])[0]
        self.desk.rate(self.id, actor=self.customer, score=score)
        if self.rng.random() < 0.7:
            self.later(3600.0, self.close)

    def close(self) -> None:
        self.desk.close(self.id, actor=self.customer)
