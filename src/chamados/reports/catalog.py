"""The indicators chamados computes: their names, titles and columns, in one place.

Both indicator engines (the in-memory one and the SQL one) fill these tables, and the
renderers read them, so a column is named and labelled once.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping

from attrs import frozen

from chamados.labels import Label
from chamados.model import Owner, Priority
from chamados.reports.results import Column, Kind
from chamados.sla.wording import METRIC_LABELS
from chamados.workflows.registry import WorkflowRegistry

__all__ = [
    "AGE_BUCKETS",
    "DIMENSIONS",
    "INDICATORS",
    "Indicator",
    "dimension_columns",
]

DIMENSIONS: dict[str, Label] = {
    "tenant": Label(pt="Loja", en="Tenant"),
    "channel": Label(pt="Canal", en="Channel"),
    "category": Label(pt="Categoria", en="Category"),
    "team": Label(pt="Equipe", en="Team"),
    "tier": Label(pt="Nível", en="Tier"),
    "agent": Label(pt="Agente", en="Agent"),
    "partner": Label(pt="Parceiro", en="Partner"),
    "priority": Label(pt="Prioridade", en="Priority"),
}
"""What indicators can be cut by (``by=``) and filtered on."""

AGE_BUCKETS: tuple[tuple[str, int | None], ...] = (
    ("< 1d", 86_400),
    ("1-3d", 3 * 86_400),
    ("3-7d", 7 * 86_400),
    ("> 7d", None),
)
"""Backlog age buckets: a label and the age (seconds, calendar) each ends before."""


def _c(
    name: str, pt: str, en: str, kind: Kind, values: Mapping[str, Label] | None = None
) -> Column:
    return Column(name, Label(pt=pt, en=en), kind, {} if values is None else values)


@functools.cache
def _builtin_status_labels() -> dict[str, Label]:
    """The labels of the built-in workflows' statuses (the first workflow wins)."""
    registry = WorkflowRegistry.with_builtins()
    labels: dict[str, Label] = {}
    for name in registry:
        for status, declared in registry.get(name).statuses.items():
            labels.setdefault(status, declared.label)
    return labels


class _StatusLabels(Mapping[str, Label]):
    """The words for the built-in statuses, built the first time a renderer asks for
    one: importing the catalogue builds no workflow registry."""

    def __getitem__(self, status: str) -> Label:
        return _builtin_status_labels()[status]

    def __iter__(self) -> Iterator[str]:
        return iter(_builtin_status_labels())

    def __len__(self) -> int:
        return len(_builtin_status_labels())


_OWNERS: dict[str, Label] = {
    **{owner.value: owner.label for owner in Owner},
    "nobody": Label(pt="Ninguém", en="Nobody"),
}
_PRIORITIES: dict[str, Label] = {p.value: p.label for p in Priority}

_STATUSES = _StatusLabels()

_DURATIONS = (
    _c("calendar_mean", "Média (corrida)", "Mean (calendar)", "seconds"),
    _c("calendar_median", "Mediana (corrida)", "Median (calendar)", "seconds"),
    _c("calendar_p90", "P90 (corrida)", "P90 (calendar)", "seconds"),
    _c("business_mean", "Média (útil)", "Mean (business)", "seconds"),
    _c("business_median", "Mediana (útil)", "Median (business)", "seconds"),
    _c("business_p90", "P90 (útil)", "P90 (business)", "seconds"),
)


@frozen
class Indicator:
    """One indicator: its name, title, the key columns it always has (before the
    ``by`` dimensions) and its measure columns."""

    name: str
    title: Label
    keys: tuple[Column, ...]
    measures: tuple[Column, ...]

    def columns(self, by: tuple[str, ...]) -> tuple[Column, ...]:
        return self.keys + dimension_columns(by) + self.measures


def dimension_columns(by: tuple[str, ...]) -> tuple[Column, ...]:
    """The key columns of the dimensions ``by`` (all ``text``)."""
    return tuple(
        Column(name, DIMENSIONS[name], "text", _PRIORITIES if name == "priority" else {})
        for name in by
    )


INDICATORS: dict[str, Indicator] = {
    indicator.name: indicator
    for indicator in (
        Indicator(
            "volume",
            Label(pt="Volume de chamados", en="Ticket volume"),
            (),
            (_c("tickets", "Chamados", "Tickets", "count"),),
        ),
        Indicator(
            "first_response",
            Label(pt="Tempo de primeira resposta", en="First response time"),
            (),
            (_c("answered", "Respondidos", "Answered", "count"), *_DURATIONS),
        ),
        Indicator(
            "resolution",
            Label(pt="Tempo de resolução", en="Resolution time"),
            (),
            (_c("resolved", "Resolvidos", "Resolved", "count"), *_DURATIONS),
        ),
        Indicator(
            "sla_attainment",
            Label(pt="Cumprimento de SLA", en="SLA attainment"),
            (
                _c("policy", "Política", "Policy", "text"),
                _c("metric", "Métrica", "Metric", "text", METRIC_LABELS),
            ),
            (
                _c("met", "Cumpridos", "Met", "count"),
                _c("breached", "Violados", "Breached", "count"),
                _c("running", "Em andamento", "In progress", "count"),
                _c("attainment", "Cumprimento", "Attainment", "rate"),
            ),
        ),
        Indicator(
            "breach_causes",
            Label(pt="Violações de SLA por causa", en="SLA breaches by cause"),
            (
                _c("policy", "Política", "Policy", "text"),
                _c("metric", "Métrica", "Metric", "text", METRIC_LABELS),
                _c("cause", "Com quem estava", "Waiting on", "text", _OWNERS),
                _c("status", "Status", "Status", "text", _STATUSES),
            ),
            (_c("breaches", "Violações", "Breaches", "count"),),
        ),
        Indicator(
            "backlog",
            Label(pt="Backlog por status e idade", en="Backlog by status and age"),
            (
                _c("status", "Status", "Status", "text", _STATUSES),
                _c("age", "Idade", "Age", "text"),
            ),
            (_c("tickets", "Chamados", "Tickets", "count"),),
        ),
        Indicator(
            "reopen_rate",
            Label(pt="Taxa de reabertura", en="Reopen rate"),
            (),
            (
                _c("resolved", "Resolvidos", "Resolved", "count"),
                _c("reopened", "Reabertos", "Reopened", "count"),
                _c("rate", "Taxa", "Rate", "rate"),
            ),
        ),
        Indicator(
            "escalation_rate",
            Label(pt="Taxa de escalonamento", en="Escalation rate"),
            (),
            (
                _c("tickets", "Chamados", "Tickets", "count"),
                _c("escalated", "Escalados", "Escalated", "count"),
                _c("rate", "Taxa", "Rate", "rate"),
            ),
        ),
        Indicator(
            "n1_resolution",
            Label(pt="Resolução no N1", en="N1 resolution"),
            (),
            (
                _c("resolved", "Resolvidos", "Resolved", "count"),
                _c("at_n1", "Sem chegar ao N2", "Without N2", "count"),
                _c("rate", "Taxa", "Rate", "rate"),
            ),
        ),
        Indicator(
            "time_in_status",
            Label(pt="Tempo em cada status (gargalos)", en="Time in each status (bottlenecks)"),
            (_c("status", "Status", "Status", "text", _STATUSES),),
            (_c("stays", "Passagens", "Stays", "count"), *_DURATIONS),
        ),
        Indicator(
            "partner_compliance",
            Label(pt="Prazos dos parceiros", en="Partner response compliance"),
            (
                _c("rank", "Posição", "Rank", "count"),
                _c("partner", "Parceiro", "Partner", "text"),
            ),
            (
                _c("requests", "Pedidos", "Requests", "count"),
                _c("met", "No prazo", "On time", "count"),
                _c("breached", "Atrasados", "Late", "count"),
                _c("running", "Em aberto", "Open", "count"),
                _c("compliance", "Cumprimento", "Compliance", "rate"),
                _c("median_response", "Mediana de resposta", "Median response", "seconds"),
            ),
        ),
        Indicator(
            "csat",
            Label(pt="Satisfação (CSAT)", en="Satisfaction (CSAT)"),
            (),
            (
                _c("ratings", "Avaliações", "Ratings", "count"),
                _c("average", "Média", "Average", "score"),
                _c("score_1", "Nota 1", "Score 1", "count"),
                _c("score_2", "Nota 2", "Score 2", "count"),
                _c("score_3", "Nota 3", "Score 3", "count"),
                _c("score_4", "Nota 4", "Score 4", "count"),
                _c("score_5", "Nota 5", "Score 5", "count"),
            ),
        ),
    )
}
"""Every indicator, in the order a report lists them."""
