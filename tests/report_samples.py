"""Reports to render in tests: realistic numbers, missing values, a hostile team name.

``sample_report()`` holds every indicator of the catalog, cut the way a store would cut
them (volume by channel, time in status by status and team...), with ``None`` where an
engine would give it, a team named ``<script>alert(1)</script>`` (the HTML must escape
it) and one empty table (no partner requests in the period). ``sized_report(n)`` has
``n`` rows in each charted table, to see charts with 1 and with 30 bars.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pendulum

from chamados.reports import INDICATORS, Report, Table

__all__ = ["HOSTILE_TEAM", "sample_report", "sized_report", "table"]

HOSTILE_TEAM = "<script>alert(1)</script>"
"""A team name that would run in a page that forgot to escape it."""

START = pendulum.datetime(2026, 4, 2, tz="America/Sao_Paulo")
END = pendulum.datetime(2026, 4, 7, tz="America/Sao_Paulo")

H = 3600
D = 86_400


def table(name: str, by: tuple[str, ...], rows: Iterable[tuple[Any, ...]]) -> Table:
    """The catalog's table ``name`` cut by ``by``, holding ``rows``."""
    indicator = INDICATORS[name]
    return Table(name, indicator.title, by, indicator.columns(by), tuple(rows))


def _durations(median: int, *, business: float | None = 0.45) -> tuple[Any, ...]:
    """Calendar mean, median and p90, then business mean, median and p90 (``None`` when
    ``business`` is: the team keeps no business hours), around a calendar ``median``."""
    calendar = (median * 1.4, median, median * 3)
    if business is None:
        return (*calendar, None, None, None)
    return (
        *calendar,
        median * 1.4 * business,
        round(median * business),
        round(median * 3 * business),
    )


def sample_report() -> Report:
    """A week of a marketplace store's support, every indicator filled but one."""
    tables = [
        table(
            "volume",
            ("channel",),
            [
                ("site", 1234),
                ("mercado_livre", 812),
                ("amazon", 407),
                ("whatsapp", 263),
                ("e-mail", 95),
                (None, 12),
            ],
        ),
        table(
            "first_response",
            ("priority",),
            [
                ("urgent", 41, *_durations(9 * 60)),
                ("high", 388, *_durations(48 * 60)),
                ("normal", 1911, *_durations(3 * H + 20 * 60)),
                ("low", 452, *_durations(26 * H)),
                ("planned", 0, None, None, None, None, None, None),
            ],
        ),
        table(
            "resolution",
            ("category",),
            [
                ("entrega", 902, *_durations(2 * D + 4 * H)),
                ("troca", 311, *_durations(5 * D)),
                ("pagamento", 287, *_durations(7 * H)),
                ("produto", 540, *_durations(30 * H, business=None)),
            ],
        ),
        table(
            "sla_attainment",
            (),
            [
                ("padrao", "first_response", 1650, 143, 58, 1650 / 1793),
                ("padrao", "resolution", 1204, 211, 402, 1204 / 1415),
                ("marketplace", "first_response", 1101, 31, 12, 1101 / 1132),
                ("marketplace", "resolution", 640, 96, 388, 640 / 736),
                ("vip", "resolution", 0, 0, 4, None),
            ],
        ),
        table(
            "breach_causes",
            (),
            [
                ("padrao", "first_response", "agent", "new", 121),
                ("padrao", "first_response", "agent", "open", 22),
                ("padrao", "resolution", "partner", "waiting_partner", 133),
                ("padrao", "resolution", "agent", "open", 61),
                ("padrao", "resolution", "customer", "waiting_customer", 17),
                ("marketplace", "resolution", "partner", "waiting_partner", 96),
                ("marketplace", "first_response", None, "new", 31),
            ],
        ),
        table(
            "backlog",
            (),
            [
                ("new", "< 1d", 84),
                ("new", "1-3d", 12),
                ("open", "< 1d", 131),
                ("open", "1-3d", 77),
                ("open", "3-7d", 26),
                ("open", "> 7d", 9),
                ("waiting_customer", "1-3d", 58),
                ("waiting_customer", "3-7d", 41),
                ("waiting_partner", "< 1d", 19),
                ("waiting_partner", "1-3d", 44),
                ("waiting_partner", "3-7d", 38),
                ("waiting_partner", "> 7d", 52),
                ("on_hold", "> 7d", 6),
            ],
        ),
        table("reopen_rate", (), [(2040, 143, 143 / 2040)]),
        table(
            "escalation_rate",
            ("team",),
            [
                ("atendimento", 2210, 301, 301 / 2210),
                ("marketplaces", 611, 97, 97 / 611),
                (HOSTILE_TEAM, 3, 0, 0.0),
                (None, 0, 0, None),
            ],
        ),
        table(
            "n1_resolution",
            ("channel",),
            [
                ("site", 1019, 872, 872 / 1019),
                ("mercado_livre", 688, 511, 511 / 688),
                ("amazon", 333, 301, 301 / 333),
            ],
        ),
        table(
            "time_in_status",
            ("team",),
            [
                ("new", "atendimento", 2790, *_durations(40 * 60)),
                ("open", "atendimento", 3112, *_durations(5 * H)),
                ("waiting_customer", "atendimento", 804, *_durations(22 * H)),
                ("waiting_partner", "marketplaces", 655, *_durations(3 * D + 2 * H)),
                ("open", "marketplaces", 1203, *_durations(9 * H, business=None)),
                ("on_hold", HOSTILE_TEAM, 4, *_durations(6 * D)),
                ("new", None, 0, None, None, None, None, None, None),
            ],
        ),
        table("partner_compliance", (), []),
        table("csat", (), [(930, 4.31, 41, 28, 77, 205, 579)]),
    ]
    return Report(
        start=START,
        end=END,
        tenant="loja-do-ze",
        scope={"channel": ["site", "mercado_livre", "amazon", "whatsapp", "e-mail"]},
        tables=tables,
    )


def sized_report(rows: int) -> Report:
    """A report whose four charted tables (volume, SLA attainment, backlog, time in
    status) have ``rows`` rows (bars) each, to see charts with 1 and with 30 rows."""
    buckets = ("< 1d", "1-3d", "3-7d", "> 7d")
    return Report(
        START,
        END,
        None,
        {},
        [
            table(
                "volume",
                ("channel",),
                [(f"canal-{i:02d}", 10 + (i * 37) % 400) for i in range(rows)],
            ),
            table(
                "sla_attainment",
                (),
                [
                    (
                        f"politica-{i:02d}",
                        "resolution",
                        50 + i * 7,
                        i * 3,
                        i % 5,
                        (50 + i * 7) / (50 + i * 10),
                    )
                    for i in range(rows)
                ],
            ),
            table(
                "backlog",
                (),
                [
                    (f"status-{i:02d}", bucket, 1 + (i * 13 + b * 7) % 60)
                    for i in range(rows)
                    for b, bucket in enumerate(buckets)
                    if (i + b) % 3
                ],
            ),
            table(
                "time_in_status",
                (),
                [(f"status-{i:02d}", 10 + i, *_durations(600 + i * 4_000)) for i in range(rows)],
            ),
        ],
    )
