"""Interleaved rounds: how every benchmark here times its contenders side by side.

These machines are shared and noisy (2 cores, other jobs), so a figure from one run of
one contender says little, and two contenders timed one after the other can swing 3x
against each other. ``compare`` runs the contenders in interleaved rounds instead: in
round ``r`` the order is the list rotated by ``r`` (two contenders: A B, B A, A B...),
and in each round every contender first runs a few untimed warm-up operations, then a
fixed number of timed ones. What it reports:

- per contender, the median time per operation over the rounds (and its spread);
- per pair ``(a, b)``, the ratio ``time(b) / time(a)`` taken *within each round* (so both
  saw the same machine at nearly the same moment), as the median over the rounds with
  its spread: min-max and the interquartile range. A ratio above 1 means ``a`` is
  faster (``b`` costs that many times ``a``).

A contender is a name and an operation (a callable doing one unit of work, keeping its
own state, e.g. a cursor over a pool of tickets). ``before`` runs untimed before each
round's timed batch (to put back what a destructive operation changed); ``per_call``
says how many units one call does (a monitor tick over 100 due tickets is 100), so the
time per operation is per unit. The number of timed calls per round is ``ops``, or
calibrated once per contender so that a round takes about ``seconds``.

>>> results = compare(
...     [Contender("fast", lambda: None), Contender("slow", lambda: sum(range(300)))],
...     rounds=4, seconds=0.002, quiet=True,
... )
>>> results.ratio("fast", "slow").median > 1
True
>>> results.rounds
4
"""

from __future__ import annotations

import gc
import math
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Contender",
    "Ratio",
    "Results",
    "RoundTrips",
    "compare",
    "describe_machine",
    "fmt_time",
]


@dataclass
class Contender:
    """One thing to time: ``op()`` does ``per_call`` units of work."""

    name: str
    op: Callable[[], Any]
    before: Callable[[], Any] | None = None
    per_call: int = 1
    ops: int | None = None  # timed calls per round; None: the run's ops, or calibrated
    warmup: int | None = None  # untimed calls before each round's batch; None: the run's


@dataclass(frozen=True)
class Ratio:
    """``time(b) / time(a)`` over the rounds: above 1, ``a`` is faster."""

    a: str
    b: str
    values: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.values)

    @property
    def low(self) -> float:
        return min(self.values)

    @property
    def high(self) -> float:
        return max(self.values)

    @property
    def quartiles(self) -> tuple[float, float]:
        return quartiles(self.values)

    def __str__(self) -> str:
        q1, q3 = self.quartiles
        return (
            f"{self.median:.2f}x (min-max {self.low:.2f}-{self.high:.2f}, "
            f"IQR {q1:.2f}-{q3:.2f}, {len(self.values)} rounds)"
        )


@dataclass
class Results:
    """Seconds per unit of work, per contender, one value per round (in round order)."""

    times: dict[str, list[float]] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)

    @property
    def rounds(self) -> int:
        return min((len(v) for v in self.times.values()), default=0)

    def median(self, name: str) -> float:
        """Median seconds per unit of work."""
        return statistics.median(self.times[name])

    def ratio(self, a: str, b: str) -> Ratio:
        """``time(b) / time(a)`` round by round (above 1: ``a`` is faster)."""
        pairs = zip(self.times[a], self.times[b], strict=True)
        return Ratio(a, b, tuple(tb / ta for ta, tb in pairs))

    def merge(self, other: Results) -> Results:
        self.times.update(other.times)
        self.calls.update(other.calls)
        return self

    def print_times(self, *, title: str | None = None, unit: str = "op") -> None:
        if title:
            print(title)
        width = max((len(n) for n in self.times), default=10) + 2
        print(f"  {'contender':<{width}}{'median/' + unit:>14}{'min-max':>24}{'calls/round':>13}")
        for name, values in self.times.items():
            spread = f"{fmt_time(min(values))}-{fmt_time(max(values))}"
            print(
                f"  {name:<{width}}{fmt_time(statistics.median(values)):>14}"
                f"{spread:>24}{self.calls.get(name, 0):>13}"
            )

    def print_ratios(self, pairs: Iterable[tuple[str, str]], *, title: str | None = None) -> None:
        """One line per pair ``(a, b)``: ``b / a``, the median of ``time(b) / time(a)`` over
        the rounds (above 1: ``a`` is faster), its min-max and IQR, the rounds."""
        pairs = list(pairs)
        if title:
            print(title)
        width = max((len(f"{b} / {a}") for a, b in pairs), default=10) + 2
        for a, b in pairs:
            r = self.ratio(a, b)
            q1, q3 = r.quartiles
            print(
                f"  {b + ' / ' + a:<{width}}{r.median:>7.2f}x  "
                f"min-max {r.low:.2f}-{r.high:.2f}  IQR {q1:.2f}-{q3:.2f}  "
                f"({len(r.values)} rounds)"
            )


def quartiles(values: Sequence[float]) -> tuple[float, float]:
    """First and third quartiles (for two or three values: the min and the max)."""
    if len(values) < 4:
        return min(values), max(values)
    q = statistics.quantiles(values, n=4, method="inclusive")
    return q[0], q[2]


def fmt_time(seconds: float) -> str:
    """``12.3 µs``, ``4.56 ms``, ``1.20 s``."""
    if seconds < 1e-3:
        return f"{seconds * 1e6:.1f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def _timed(contender: Contender, calls: int) -> float:
    """Seconds per unit of work over ``calls`` calls."""
    op = contender.op
    gc.collect()
    start = time.perf_counter()
    for _ in range(calls):
        op()
    return (time.perf_counter() - start) / (calls * contender.per_call)


def _calibrate(contender: Contender, seconds: float) -> int:
    """Calls that take about ``seconds`` (at least 1), measured on a short trial."""
    if contender.before is not None:
        contender.before()
    contender.op()  # the first call may pay for what later ones find ready
    trial, spent = 0, 0.0
    start = time.perf_counter()
    while spent < seconds / 10 or trial < 1:
        contender.op()
        trial += 1
        spent = time.perf_counter() - start
    return max(1, math.ceil(seconds / (spent / trial)))


def compare(
    contenders: Sequence[Contender],
    *,
    rounds: int = 7,
    ops: int | None = None,
    seconds: float = 0.3,
    warmup: int = 3,
    quiet: bool = False,
) -> Results:
    """Time ``contenders`` in ``rounds`` interleaved rounds (see the module docstring).

    Each contender's timed calls per round: its own ``ops``, else ``ops``, else
    calibrated to about ``seconds`` a round. Progress dots go to stderr unless ``quiet``.
    """
    sys.stdout.flush()  # what was printed comes before the progress dots
    names = [c.name for c in contenders]
    if len(set(names)) != len(names):
        raise ValueError(f"contender names must differ: {names}")
    calls: dict[str, int] = {}
    for c in contenders:
        calls[c.name] = c.ops or ops or _calibrate(c, seconds)
    results = Results({c.name: [] for c in contenders}, calls)
    for r in range(rounds):
        shift = r % len(contenders)
        order = list(contenders[shift:]) + list(contenders[:shift])
        for c in order:
            warm = c.warmup if c.warmup is not None else warmup
            if c.before is not None:
                c.before()
            for _ in range(warm):
                c.op()
            if c.before is not None and warm:
                c.before()  # the warm-up used up what the timed batch needs
            results.times[c.name].append(_timed(c, calls[c.name]))
        if not quiet:
            print(".", end="", file=sys.stderr, flush=True)
    if not quiet:
        print(file=sys.stderr)
    return results


def describe_machine(*distributions: str) -> str:
    """One line for the head of a benchmark's output: the Python and the versions of the
    installed ``distributions`` (``"SQLAlchemy"``, ``"python-statemachine"``...)."""
    from importlib.metadata import PackageNotFoundError, version

    parts = [f"python {sys.version.split()[0]}"]
    for name in distributions:
        try:
            parts.append(f"{name} {version(name)}")
        except PackageNotFoundError:
            parts.append(f"{name} (not installed)")
    return ", ".join(parts)


class RoundTrips:
    """Counts what a SQLAlchemy engine sends to its database server.

    Each statement (``before_cursor_execute``), each transaction begun, committed or
    rolled back (the ``begin``, ``commit`` and ``rollback`` events: on psycopg a BEGIN is
    a round trip of its own), and each pool checkout with ``pool_pre_ping`` on (the ping
    is a round trip that no statement event sees). Use ``with counter.counting():``
    around the work; ``counter.per(n)`` is the average over ``n`` commands.

    >>> import sqlalchemy as sa
    >>> engine = sa.create_engine("sqlite://")
    >>> counter = RoundTrips(engine)
    >>> with counter.counting():
    ...     with engine.begin() as conn:
    ...         _ = conn.execute(sa.text("select 1")).all()
    >>> counter.statements, counter.transactions, counter.commits
    (1, 1, 1)
    >>> counter.total
    3
    """

    def __init__(self, engine: Any) -> None:
        import sqlalchemy as sa

        self.engine = engine
        self._sa_event = sa.event
        self._pre_ping = bool(getattr(engine.pool, "_pre_ping", False))
        self.reset()

    def reset(self) -> None:
        self.statements = 0
        self.transactions = 0
        self.commits = 0
        self.rollbacks = 0
        self.pings = 0
        self.texts: list[str] = []

    @property
    def total(self) -> int:
        return self.statements + self.transactions + self.commits + self.rollbacks + self.pings

    def per(self, commands: int) -> dict[str, float]:
        return {
            "round trips": self.total / commands,
            "statements": self.statements / commands,
            "transactions": self.transactions / commands,
            "pre-pings": self.pings / commands,
        }

    def _statement(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.strip().upper() in ("BEGIN", "BEGIN IMMEDIATE"):
            return  # SQLite's BEGIN, sent by chamados' begin listener: counted as a begin
        self.statements += 1
        self.texts.append(statement)

    def _begin(self, conn: Any) -> None:
        self.transactions += 1

    def _commit(self, conn: Any) -> None:
        self.commits += 1

    def _rollback(self, conn: Any) -> None:
        self.rollbacks += 1

    def _checkout(self, *args: Any) -> None:
        if self._pre_ping:
            self.pings += 1

    @contextmanager
    def counting(self) -> Iterator[RoundTrips]:
        hooks = [
            (self.engine, "before_cursor_execute", self._statement),
            (self.engine, "begin", self._begin),
            (self.engine, "commit", self._commit),
            (self.engine, "rollback", self._rollback),
            (self.engine.pool, "checkout", self._checkout),
        ]
        for target, name, fn in hooks:
            self._sa_event.listen(target, name, fn)
        try:
            yield self
        finally:
            for target, name, fn in hooks:
                self._sa_event.remove(target, name, fn)
