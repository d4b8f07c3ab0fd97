"""Business-time arithmetic: chamados' BusinessCalendar side by side with its peers.

Run:  make bench-calendar     (or .venv/bin/python benchmarks/bench_calendar.py)

Peers (benchmark-only dependencies, the ``bench`` dependency group): businesstimedelta,
which walks day by day, and workclock, which has a Rust core. All three get the same
calendar (Monday to Friday 09:00-18:00, America/Sao_Paulo, the SP holidays of 2024-2028
from the ``holidays`` package) and the same 10,000 random starts in 2025, as stdlib
datetimes. Rows: adding 40 and 240 hours, ``between`` over the same spans, and adding one
hour versus one year of business time (2,250 hours). businesstimedelta gets the holidays
as a set of dates (its fastest form). Every answer of the peers is checked against
chamados' (on the first ``--check`` starts, untimed); a mismatch is printed.

Timed in interleaved rounds (``harness.compare``), each call on the next start in turn:
per operation, chamados against each peer (the ratio is the peer's time / chamados'; the
goals: at least 300 against businesstimedelta, 1.5 against workclock); a year of
business time against an hour; and the first ``add`` on a fresh calendar (the year
blocks are expanded on first use) against an ``add`` on a warm one (the goal: at most
20 times), with the construction of the calendar alone beside it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from datetime import time as clock_time
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

import holidays as holidays_package
from harness import Contender, compare, describe_machine

from chamados.sla import BusinessCalendar

ZONE = "America/Sao_Paulo"


def each(work: Callable[[Any], Any], items: Sequence[Any]) -> Callable[[], Any]:
    """A call of ``work`` on the next item, round and round."""
    turn = count()
    return lambda: work(items[next(turn) % len(items)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="BusinessCalendar versus its peers")
    parser.add_argument("--starts", type=int, default=10_000)
    parser.add_argument("--check", type=int, default=1_000, help="starts checked per peer")
    parser.add_argument("--seed", type=int, default=2025)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seconds", type=float, default=0.2, help="per contender a round")
    args = parser.parse_args(argv)

    import random

    zone = ZoneInfo(ZONE)
    sp_holidays = holidays_package.Brazil(subdiv="SP", years=range(2024, 2029))
    dates = sorted(sp_holidays)

    def calendar() -> BusinessCalendar:
        return BusinessCalendar(timezone=ZONE, hours={"mon-fri": "09:00-18:00"}, holidays=dates)

    ours = calendar()
    rng = random.Random(args.seed)
    year_start = datetime(2025, 1, 1, tzinfo=zone).timestamp()
    year_length = datetime(2026, 1, 1, tzinfo=zone).timestamp() - year_start
    starts = [
        datetime.fromtimestamp(int(year_start + rng.random() * year_length), tz=zone)
        for _ in range(args.starts)
    ]
    for start in starts[:20]:  # expand the years once, as a long-running service would
        ours.add(start, timedelta(hours=2250))

    peers: dict[str, tuple[Callable[[Any, int], Any], Callable[[Any, Any], Any]]] = {}
    try:
        import businesstimedelta as btd
        import pytz

        btd_zone = pytz.timezone(ZONE)
        rules = btd.Rules(
            [
                btd.WorkDayRule(
                    start_time=clock_time(9),
                    end_time=clock_time(18),
                    working_days=[0, 1, 2, 3, 4],
                    tz=btd_zone,
                ),
                btd.HolidayRule(frozenset(dates), tz=btd_zone),
            ]
        )
        peers["businesstimedelta"] = (
            lambda s, h: s + btd.BusinessTimeDelta(rules, hours=h),
            lambda a, b: rules.difference(a, b).timedelta,
        )
    except ImportError:
        print("businesstimedelta not installed: make bench-calendar installs it")
    try:
        from workclock import Holidays, Schedule, WorkDay

        schedule = Schedule(
            [WorkDay(clock_time(9), clock_time(18), days=range(5)), Holidays(dates)],
            time_zone=ZONE,
        )
        peers["workclock"] = (
            lambda s, h: schedule.add(s, timedelta(hours=h)),
            lambda a, b: schedule.between(a, b),
        )
    except ImportError:
        print("workclock not installed: make bench-calendar installs it")

    print(
        f"{describe_machine('businesstimedelta', 'workclock')}; {len(starts):,} starts in "
        f"2025, {args.rounds} interleaved rounds"
    )
    options = {"rounds": args.rounds, "seconds": args.seconds}
    mismatches: list[str] = []
    sample = starts[: args.check]

    def plain(e: datetime) -> datetime:
        """The same instant as a plain stdlib datetime, for every library alike."""
        return datetime(
            e.year,
            e.month,
            e.day,
            e.hour,
            e.minute,
            e.second,
            e.microsecond,
            tzinfo=zone,
            fold=e.fold,
        )

    for hours in (40, 240):
        span = timedelta(hours=hours)
        ends = [plain(ours.add(s, span)) for s in starts]
        pairs = list(zip(starts, ends, strict=True))
        for name, (add, between) in peers.items():
            if [add(s, hours) for s in sample] != ends[: len(sample)]:
                mismatches.append(f"{name} add {hours}h differs")
            if [between(a, b) for a, b in pairs[: len(sample)]] != [span] * len(sample):
                mismatches.append(f"{name} between {hours}h differs")
        for label, mine, theirs in (
            (
                f"add {hours}h",
                each(lambda s, span=span: ours.add(s, span), starts),
                {
                    n: each(lambda s, add=p[0], h=hours: add(s, h), starts)
                    for n, p in peers.items()
                },
            ),
            (
                f"between {hours}h",
                each(lambda p: ours.between(*p), pairs),
                {n: each(lambda p, b=p_[1]: b(*p), pairs) for n, p_ in peers.items()},
            ),
        ):
            contenders = [Contender("chamados", mine)]
            contenders += [Contender(name, work) for name, work in theirs.items()]
            results = compare(contenders, **options)
            print(f"\n{label}:")
            results.print_times(unit="call")
            results.print_ratios(
                [("chamados", name) for name in theirs], title="  peer's time / chamados':"
            )

    hour, year = timedelta(hours=1), timedelta(hours=2250)
    contenders = [
        Contender("chamados 1h", each(lambda s: ours.add(s, hour), starts)),
        Contender("chamados 2250h", each(lambda s: ours.add(s, year), starts)),
    ]
    if "workclock" in peers:
        add = peers["workclock"][0]
        contenders += [
            Contender("workclock 1h", each(lambda s: add(s, 1), starts)),
            Contender("workclock 2250h", each(lambda s: add(s, 2250), starts)),
        ]
    results = compare(contenders, **options)
    print("\nadd one year of business time against one hour:")
    results.print_times(unit="call")
    results.print_ratios(
        [(c.name, c.name.replace("1h", "2250h")) for c in contenders if c.name.endswith(" 1h")],
        title="  2250h / 1h:",
    )

    fresh: list[BusinessCalendar] = []
    starts_fresh = each(lambda s: s, starts)
    contenders = [
        Contender("warm add", each(lambda s: ours.add(s, timedelta(hours=40)), starts)),
        Contender(
            "first add",
            lambda: fresh[-1].add(starts_fresh(), timedelta(hours=40)),
            before=lambda: fresh.append(calendar()),
            ops=1,
            warmup=0,
        ),
        Contender("construct", calendar),
        Contender(
            "construct + first add",
            lambda: calendar().add(starts_fresh(), timedelta(hours=40)),
        ),
    ]
    results = compare(contenders, **{**options, "rounds": max(args.rounds, 11)})
    print("\nthe first add on a fresh calendar against an add on a warm one:")
    results.print_times(unit="call")
    results.print_ratios(
        [("warm add", "first add"), ("warm add", "construct + first add")],
        title="  time / a warm add's (the goal: first add at most 20x):",
    )
    print()
    print("answers: " + ("; ".join(mismatches) if mismatches else "all peers agree with chamados"))
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
