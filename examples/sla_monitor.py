"""SLA clocks on tickets: a store policy and Amazon's, pauses, the monitor, and what the
customer is told.

Run: python examples/sla_monitor.py
"""

from datetime import timedelta

from chamados import Helpdesk, Party, Priority, SlaBreached, SlaWarning
from chamados.sla import BusinessCalendar, SlaPolicy, Target, amazon
from chamados.testing import FakeClock


def main() -> None:
    calendar = BusinessCalendar.brazil(subdivision="SP", hours={"mon-fri": "09:00-18:00"})
    store = SlaPolicy(
        name="loja",
        calendar=calendar,
        targets={
            "first_response": Target(business=timedelta(hours=4)),
            "resolution": {
                Priority.URGENT: Target(business=timedelta(hours=8)),
                "default": Target(business_days=2),
            },
        },
        pause_on={"pending"},
        warn_at=[0.75],
    )
    clock = FakeClock("2026-03-06T16:00:00-03:00")  # Friday afternoon
    desk = Helpdesk(clock=clock, sla=[amazon(calendar=calendar), store]).for_tenant("loja-1")
    ana = Party.agent("ana")

    site = desk.open(channel="site", requester=Party.customer("c-1"), subject="Troca de tamanho")
    market = desk.open(channel="amazon", requester=Party.customer("c-2"), subject="Onde está?")
    print("site customer is told:", desk.expectations(site.id).next_answer_text)

    desk.reply(site.id, author=ana, body="Pode enviar o número do pedido?")
    desk.transition(site.id, "ask_customer", actor=ana)  # resolution pauses

    # A worker runs the monitor every hour through the weekend.
    for _ in range(70):
        clock.advance(hours=1)
        for event in desk.tick():
            if isinstance(event, SlaWarning | SlaBreached):
                when = event.at.format("ddd HH:mm")
                print(f"{when}  {event.ticket_id}  {event.kind}  {event.policy}/{event.metric}")

    for ticket in (site, market):
        for c in desk.get(ticket.id).sla_clocks:
            due = c.due_at.format("ddd DD/MM HH:mm") if c.due_at else "-"
            print(f"{ticket.id}  {c.policy:<7} {c.metric:<15} {c.status:<9} due {due}")


if __name__ == "__main__":
    main()
