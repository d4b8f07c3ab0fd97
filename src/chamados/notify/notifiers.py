"""Built-in notifiers and routing: a function, a log, and a fan-out with routes.

A ``Route`` gives a notifier a name (a delivered message remembers the names that took
it, so a retry skips them) and narrows the events it hears, by kind or by a predicate.
``FanOut`` groups routes into one notifier; the relay delivers and retries each route
on its own.

>>> from chamados.testing import RecordingNotifier
>>> breaches, everything = RecordingNotifier(), RecordingNotifier()
>>> fan = FanOut(
...     Route(breaches, name="oncall", kinds={"sla_breached", "escalated"}),
...     Route(everything, name="audit"),
... )
>>> [route.name for route in fan.routes]
['oncall', 'audit']
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence

from attrs import field, frozen

from chamados.events import TicketEvent, describe
from chamados.exceptions import ConfigurationError, DeliveryError
from chamados.notify.notifier import Notifier

__all__ = ["CallableNotifier", "FanOut", "LoggingNotifier", "Route", "routes_of"]


def _kinds(value: Iterable[str] | None) -> frozenset[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return frozenset({value})
    return frozenset(value)


@frozen
class Route:
    """A notifier with a name and the events it hears.

    ``kinds`` lists event kinds (``"sla_breached"``, ``"status_changed"``...; ``None``:
    all), ``when`` is a further predicate on the event. A notifier's own
    ``wants(event)`` method, if it has one, is asked too.
    """

    notifier: Notifier
    name: str = ""
    kinds: frozenset[str] | None = field(default=None, converter=_kinds)
    when: Callable[[TicketEvent], bool] | None = None

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.notifier, Notifier):
            raise ConfigurationError(
                f"{self.notifier!r} is not a Notifier (it needs a notify(event) method)",
                key="notifiers",
            )
        if not self.name:
            object.__setattr__(self, "name", _name_of(self.notifier))

    def wants(self, event: TicketEvent) -> bool:
        """Whether this route delivers ``event``."""
        if self.kinds is not None and event.kind not in self.kinds:
            return False
        if self.when is not None and not self.when(event):
            return False
        wants = getattr(self.notifier, "wants", None)
        return bool(wants(event)) if callable(wants) else True


class FanOut:
    """Several routes as one notifier.

    Given to a relay (or a ``Helpdesk``), its routes are delivered and retried one by
    one. Called directly, ``notify`` delivers to every route that wants the event and
    raises one ``DeliveryError`` naming the routes that failed (transient unless every
    failure was permanent).
    """

    name = "fanout"

    def __init__(self, *routes: Route | Notifier) -> None:
        self.routes: tuple[Route, ...] = routes_of(routes)

    def __repr__(self) -> str:
        return f"FanOut({', '.join(route.name for route in self.routes)})"

    def wants(self, event: TicketEvent) -> bool:
        return any(route.wants(event) for route in self.routes)

    def notify(self, event: TicketEvent) -> None:
        failures: list[tuple[str, DeliveryError]] = []
        for route in self.routes:
            if not route.wants(event):
                continue
            try:
                route.notifier.notify(event)
            except DeliveryError as error:
                failures.append((route.name, error))
        if failures:
            raise DeliveryError(
                "; ".join(f"{name}: {error}" for name, error in failures),
                transient=any(error.transient for _, error in failures),
            )


class CallableNotifier:
    """A function as a notifier: ``CallableNotifier(send_to_slack)``.

    The function takes the event; raising ``DeliveryError`` reports a failure (other
    exceptions count as transient failures of the relay's attempt).

    >>> seen = []
    >>> notifier = CallableNotifier(seen.append, name="list")
    >>> notifier.name
    'list'
    """

    def __init__(
        self, function: Callable[[TicketEvent], object], *, name: str | None = None
    ) -> None:
        if not callable(function):
            raise ConfigurationError(f"{function!r} is not callable", key="notifiers")
        self.function = function
        self.name = name or getattr(function, "__name__", type(function).__name__)

    def __repr__(self) -> str:
        return f"CallableNotifier({self.name})"

    def notify(self, event: TicketEvent) -> None:
        self.function(event)


class LoggingNotifier:
    """Writes each event as one line to a logger (``chamados.events`` by default), in
    ``lang``: ``CH-0001 opened (e1f2...): customer:c-1: opened “...” via site``."""

    name = "log"

    def __init__(
        self,
        logger: logging.Logger | None = None,
        *,
        level: int = logging.INFO,
        lang: str = "en",
    ) -> None:
        self.logger = logger if logger is not None else logging.getLogger("chamados.events")
        self.level = level
        self.lang = lang

    def notify(self, event: TicketEvent) -> None:
        self.logger.log(
            self.level,
            "%s %s (%s): %s: %s",
            event.ticket_id,
            event.kind,
            event.id,
            event.actor,
            describe(event, lang=self.lang),
        )


def routes_of(items: Sequence[Notifier | Route | FanOut] | Iterable[object]) -> tuple[Route, ...]:
    """Notifiers, routes and fan-outs as a flat tuple of routes with unique names."""
    flat: list[Route] = []
    for item in items:
        if isinstance(item, Route):
            flat.append(item)
        elif isinstance(item, FanOut):
            flat.extend(item.routes)
        elif isinstance(item, Notifier):
            flat.append(Route(item))
        else:
            raise ConfigurationError(
                f"{item!r} is not a Notifier (it needs a notify(event) method)",
                key="notifiers",
            )
    seen: dict[str, int] = {}
    unique: list[Route] = []
    for route in flat:
        count = seen.get(route.name, 0) + 1
        seen[route.name] = count
        unique.append(
            route
            if count == 1
            else Route(route.notifier, f"{route.name}-{count}", route.kinds, route.when)
        )
    return tuple(unique)


def _name_of(notifier: object) -> str:
    name = getattr(notifier, "name", None)
    return name if isinstance(name, str) and name else type(notifier).__name__
