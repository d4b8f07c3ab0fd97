"""Business-time arithmetic: chamados' BusinessCalendar side by side with its peers.

Run:  make bench-calendar     (or .venv/bin/python benchmarks/bench_calendar.py)

Peers (benchmark-only dependencies, the ``bench`` dependency group): businesstimedelta,
which walks day by day, and workclock, which has a Rust core. All three get the same
calendar (Monday to Friday 09:00-18:00, America/Sao_Paulo, the SP holidays of 2024-2028
from the ``holidays`` package) and the same 10,000 random starts in 2025, as stdlib
datetimes. Rows: adding 40 and 240 hours, ``between`` over the same spans, and adding one
hour versus one year of business time (2,250 hours). Every answer of the peers is checked
against chamados'; a mismatch is printed.

businesstimedelta takes about half a millisecond per call, so by default it runs on the
first 1,000 starts (``--btd-starts 10000`` for all of them); its cost per call does not
depend on which starts it gets.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from datetime import time as clock_time
from typing import Any
from zoneinfo import ZoneInfo

import holidays as holidays_package

from chamados.sla import BusinessCalendar

ZONE = "America/Sao_Paulo"


def per_call(
    work: Callable[[Any], Any], items: Sequence[Any], rounds: int = 3
) -> tuple[float, list[Any]]:
    """Median microseconds per call over ``rounds`` passes, and the last pass's answers."""
    timings, answers = [], []
    for _ in range(rounds):
        start = time.perf_counter()
        answers = [work(item) for item in items]
        timings.append((time.perf_counter() - start) / len(items) * 1e6)
    return statistics.median(timings), answers


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="BusinessCalendar versus its peers")
    parser.add_argument("--starts", type=int, default=10_000)
    parser.add_argument("--btd-starts", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args(argv)

    zone = ZoneInfo(ZONE)
    sp_holidays = holidays_package.Brazil(subdiv="SP", years=range(2024, 2029))
    dates = sorted(sp_holidays)
    ours = BusinessCalendar(timezone=ZONE, hours={"mon-fri": "09:00-18:00"}, holidays=dates)

    rng = random.Random(args.seed)
    year_start = datetime(2025, 1, 1, tzinfo=zone).timestamp()
    year_length = datetime(2026, 1, 1, tzinfo=zone).timestamp() - year_start
    starts = [
        datetime.fromtimestamp(int(year_start + rng.random() * year_length), tz=zone)
        for _ in range(args.starts)
    ]
    for start in starts[:20]:  # expand the years once, as a long-running service would
        ours.add(start, timedelta(hours=2250))

    peers: dict[str, Any] = {}
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
                btd.HolidayRule(sp_holidays, tz=btd_zone),
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
        f"python {sys.version.split()[0]}; {len(starts)} starts in 2025 "
        f"(businesstimedelta: {min(args.btd_starts, len(starts))}); µs per call, median of 3"
    )
    header = f"{'operation':<22}{'chamados':>10}"
    for name in peers:
        header += f"{name:>20}{'× chamados':>12}"
    print(header)

    def row(label: str, mine: float, others: dict[str, float]) -> None:
        line = f"{label:<22}{mine:>10.2f}"
        for name in peers:
            value = others.get(name)
            line += f"{value:>20.2f}{value / mine:>12.1f}" if value else f"{'-':>20}{'':>12}"
        print(line)

    mismatches: list[str] = []
    for hours in (40, 240):
        span = timedelta(hours=hours)
        mine, ends = per_call(lambda s, span=span: ours.add(s, span), starts)
        others = {}
        for name, (add, _) in peers.items():
            sample = starts[: args.btd_starts] if name == "businesstimedelta" else starts
            rounds = 1 if name == "businesstimedelta" else 3
            cost, answers = per_call(lambda s, add=add, h=hours: add(s, h), sample, rounds)
            others[name] = cost
            wrong = sum(1 for a, b in zip(answers, ends, strict=False) if a != b)
            if wrong:
                mismatches.append(f"{name} add {hours}h: {wrong} answers differ")
        row(f"add {hours}h", mine, others)

        # The same instants as plain datetimes, for every library alike.
        plain_ends = [
            datetime(
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
            for e in ends
        ]
        pairs = list(zip(starts, plain_ends, strict=True))
        mine, spans = per_call(lambda p: ours.between(*p), pairs)
        others = {}
        for name, (_, between) in peers.items():
            sample = pairs[: args.btd_starts] if name == "businesstimedelta" else pairs
            rounds = 1 if name == "businesstimedelta" else 3
            cost, answers = per_call(lambda p, between=between: between(*p), sample, rounds)
            others[name] = cost
            wrong = sum(1 for a, b in zip(answers, spans, strict=False) if a != b)
            if wrong:
                mismatches.append(f"{name} between {hours}h: {wrong} answers differ")
        row(f"between {hours}h", mine, others)

    one_hour, _ = per_call(lambda s: ours.add(s, timedelta(hours=1)), starts)
    one_year, _ = per_call(lambda s: ours.add(s, timedelta(hours=2250)), starts)
    wc_costs = {}
    if "workclock" in peers:
        add = peers["workclock"][0]
        wc_costs = {
            "hour": per_call(lambda s: add(s, 1), starts)[0],
            "year": per_call(lambda s: add(s, 2250), starts)[0],
        }
    print()
    print(
        f"add 1h    chamados {one_hour:.2f} µs"
        + (f", workclock {wc_costs['hour']:.2f} µs" if wc_costs else "")
    )
    print(
        f"add 2250h chamados {one_year:.2f} µs"
        + (f", workclock {wc_costs['year']:.2f} µs" if wc_costs else "")
    )
    print(
        f"one year / one hour: chamados {one_year / one_hour:.2f}x"
        + (f", workclock {wc_costs['year'] / wc_costs['hour']:.2f}x" if wc_costs else "")
    )
    print()
    print("answers: " + ("; ".join(mismatches) if mismatches else "all peers agree with chamados"))
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
