"""Priority policies: ordered rules that decide a ticket's priority, and say why.

A rule has a condition on the ticket (see ``chamados.policies.conditions``) and an effect: set a
priority, raise or lower it by steps, or hold it at least or at most at a level. Rules
run in order from the policy's default priority; every matching rule applies its effect
to the priority the rules before it left, unless a rule says ``stop``. The decision
lists the rules that fired, with what each did, so the history can say why a ticket is
urgent.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from attrs import field, frozen

from chamados.exceptions import ConfigurationError
from chamados.model import Priority, Ticket
from chamados.policies.conditions import (
    Condition,
    TicketPredicate,
    compile_condition,
    describe_condition,
)

__all__ = ["PriorityDecision", "PriorityPolicy", "PriorityRule", "RuleFiring"]


@frozen(init=False)
class PriorityRule:
    """One rule: when ``when`` matches, apply ``set``, ``raise_by``, ``at_least``,
    ``at_most`` (in that order), then stop if ``stop``. ``why`` is written to the history
    (by default, the condition)."""

    name: str
    when: Condition | None
    set: Priority | None
    raise_by: int
    at_least: Priority | None
    at_most: Priority | None
    stop: bool
    why: str
    matches: TicketPredicate = field(repr=False, eq=False)

    def __init__(
        self,
        name: str,
        *,
        when: Condition | None = None,
        set: Priority | str | None = None,
        raise_by: int = 0,
        at_least: Priority | str | None = None,
        at_most: Priority | str | None = None,
        stop: bool = False,
        why: str | None = None,
    ) -> None:
        if not isinstance(name, str) or not name.strip():
            raise ConfigurationError("a priority rule needs a name", key="name")
        where = f"priority rule {name!r}"
        if isinstance(raise_by, bool) or not isinstance(raise_by, int):
            raise ConfigurationError(f"{where}: raise must be a whole number", key="raise")
        parsed = {
            key: None if value is None else _priority(value, f"{where}: {key}")
            for key, value in (("set", set), ("at_least", at_least), ("at_most", at_most))
        }
        if all(value is None for value in parsed.values()) and raise_by == 0:
            raise ConfigurationError(
                f"{where} changes nothing: give set, raise, at_least or at_most", key=where
            )
        self.__attrs_init__(
            name=name,
            when=when,
            set=parsed["set"],
            raise_by=raise_by,
            at_least=parsed["at_least"],
            at_most=parsed["at_most"],
            stop=stop,
            why=why or describe_condition(when),
            matches=compile_condition(when, where=f"{where}: when"),
        )

    def apply(self, priority: Priority) -> Priority:
        """The priority after this rule's effect."""
        if self.set is not None:
            priority = self.set
        if self.raise_by:
            priority = priority.raised(self.raise_by)
        if self.at_least is not None and priority < self.at_least:
            priority = self.at_least
        if self.at_most is not None and priority > self.at_most:
            priority = self.at_most
        return priority

    def effect(self) -> str:
        """What the rule does, in words: ``"set high"``, ``"+1"``, ``"at least high"``."""
        parts = []
        if self.set is not None:
            parts.append(f"set {self.set.value}")
        if self.raise_by:
            parts.append(f"{self.raise_by:+d}")
        if self.at_least is not None:
            parts.append(f"at least {self.at_least.value}")
        if self.at_most is not None:
            parts.append(f"at most {self.at_most.value}")
        return ", ".join(parts)


def _priority(value: Any, where: str) -> Priority:
    try:
        return Priority.parse(value)
    except ValueError as error:
        raise ConfigurationError(f"{where}: {error}", key=where) from None


@frozen
class RuleFiring:
    """A rule that matched, and the priority before and after it."""

    rule: str
    before: Priority
    after: Priority
    why: str


@frozen
class PriorityDecision:
    """The priority a policy gives a ticket, and the rules that made it so."""

    priority: Priority
    default: Priority
    fired: tuple[RuleFiring, ...]

    @property
    def rules(self) -> tuple[str, ...]:
        """The names of the rules that fired, in order."""
        return tuple(firing.rule for firing in self.fired)

    def explain(self) -> str:
        """One line for the history: ``"payments: set high (category='payment')"``..."""
        if not self.fired:
            return f"no rule matched: default {self.default.value}"
        steps = [f"{f.rule}: {f.before.value} → {f.after.value} ({f.why})" for f in self.fired]
        return "; ".join(steps)


class PriorityPolicy:
    """Ordered rules that decide priorities; ``default`` is where they start.

    >>> from chamados.testing import make_ticket
    >>> policy = PriorityPolicy([
    ...     PriorityRule("pagamentos", when={"category": "pagamento"}, set="high",
    ...                  why="erro de pagamento bloqueia o pedido"),
    ...     PriorityRule("vip", when={"fields.segmento": "vip"}, raise_by=1),
    ... ])
    >>> decision = policy.decide(make_ticket(category="pagamento",
    ...                                      custom_fields={"segmento": "vip"}))
    >>> decision.priority, decision.rules
    (<Priority.URGENT: 'urgent'>, ('pagamentos', 'vip'))
    """

    def __init__(
        self, rules: Iterable[PriorityRule], *, default: Priority | str = Priority.NORMAL
    ) -> None:
        self.rules = tuple(rules)
        self.default = _priority(default, "priority default")
        names = [rule.name for rule in self.rules]
        for rule in self.rules:
            if not isinstance(rule, PriorityRule):
                raise ConfigurationError(f"{rule!r} is not a PriorityRule", key="priority")
        duplicated = sorted({n for n in names if names.count(n) > 1})
        if duplicated:
            raise ConfigurationError(
                f"priority rule names must be unique: {', '.join(duplicated)}", key="priority"
            )

    def decide(self, ticket: Ticket) -> PriorityDecision:
        """Run the rules on ``ticket``."""
        priority = self.default
        fired: list[RuleFiring] = []
        for rule in self.rules:
            if not rule.matches(ticket):
                continue
            after = rule.apply(priority)
            fired.append(RuleFiring(rule.name, priority, after, rule.why))
            priority = after
            if rule.stop:
                break
        return PriorityDecision(priority, self.default, tuple(fired))

    def describe(self) -> list[str]:
        """Each rule in one line, in order: for ``chamados policy show``."""
        lines = [f"default: {self.default.value}"]
        for n, rule in enumerate(self.rules, start=1):
            stop = " (stop)" if rule.stop else ""
            lines.append(
                f"{n}. {rule.name}: when {describe_condition(rule.when)} → {rule.effect()}{stop}"
            )
        return lines
