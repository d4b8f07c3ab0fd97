"""Marketplace deadlines with business calendars: "12 business hours or 24 calendar hours,
whichever comes first", "2 business days", and a calendar saved as JSON.

Run: python examples/marketplace_deadlines.py
"""

import json
from datetime import timedelta

import pendulum

from chamados.sla import BusinessCalendar


def main() -> None:
    store = BusinessCalendar.brazil(
        subdivision="SP",
        hours={"mon-fri": ["09:00-12:00", "13:00-18:00"], "sat": "09:00-13:00"},
        optional=True,
    )
    around_the_clock = BusinessCalendar.always_open(timezone="America/Sao_Paulo")

    # A question arrives on Mercado Livre on the Friday before Carnival, at 16:40.
    asked = pendulum.datetime(2026, 2, 13, 16, 40, tz="America/Sao_Paulo")
    business = store.add(asked, timedelta(hours=12))
    calendar = around_the_clock.add(asked, timedelta(hours=24))
    due = min(business, calendar)
    print(f"asked        {asked:%a %d/%m %H:%M}")
    print(f"12 business  {business:%a %d/%m %H:%M}")
    print(f"24 calendar  {calendar:%a %d/%m %H:%M}")
    print(f"due          {due:%a %d/%m %H:%M} (whichever comes first)")
    assert due == calendar  # Carnival and Ash Wednesday morning are closed

    # A seller must ship a replacement within 2 business days.
    ship_by = store.add_business_days(asked, 2)
    print(f"ship by      {ship_by:%a %d/%m %H:%M}")

    # How much of the store's time did the answer take?
    answered = pendulum.datetime(2026, 2, 18, 15, 10, tz="America/Sao_Paulo")
    print(f"took         {store.between(asked, answered)} of business time")

    # Save the calendar with its 2026 holidays, and read it back.
    saved = json.dumps(store.to_dict(years=[2026]))
    again = BusinessCalendar.from_dict(json.loads(saved))
    assert again.add(asked, timedelta(hours=12)) == business
    print(f"saved as {len(saved)} bytes of JSON; the copy gives the same deadlines")


if __name__ == "__main__":
    main()
