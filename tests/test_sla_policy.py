"""Targets, SLA policies, and the conditions that choose tickets."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chamados import ConfigurationError, InvalidTicketError, Party, Priority
from chamados.model import Category
from chamados.policies import compile_condition
from chamados.sla import BusinessCalendar, SlaPolicy, Target
from chamados.sla.policy import applicable
from chamados.testing import make_ticket

CAL = BusinessCalendar(timezone="America/Sao_Paulo", hours={"mon-fri": "09:00-18:00"})
H = timedelta(hours=1)


def policy(**kwargs: object) -> SlaPolicy:
    values: dict[str, object] = {
        "name": "loja",
        "calendar": CAL,
        "targets": {"first_response": Target(business=4 * H)},
    }
    values.update(kwargs)
    return SlaPolicy(**values)  # type: ignore[arg-type]


def test_a_policy_name_longer_than_storage_keeps_is_refused() -> None:
    """SLA policy names are stored in 64 characters: a longer one fails at once."""
    with pytest.raises(ConfigurationError, match="64 characters") as caught:
        policy(name="p" * 65)
    assert caught.value.key == "name"


class TestTarget:
    def test_one_measure_per_simple_target(self) -> None:
        """Target() takes exactly one measure."""
        with pytest.raises(ConfigurationError, match="exactly one"):
            Target(business=H, calendar=H)
        with pytest.raises(ConfigurationError, match="exactly one"):
            Target()

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"business": timedelta(0)},
            {"calendar": -H},
            {"business_days": 0},
            {"business_days": True},
        ],
    )
    def test_measures_must_be_positive(self, kwargs: dict[str, object]) -> None:
        """Zero, negative or boolean measures are refused."""
        with pytest.raises(ConfigurationError):
            Target(**kwargs)  # type: ignore[arg-type]

    def test_combinations(self) -> None:
        """earliest/latest combine measures and targets."""
        either = Target.earliest(business=12 * H, calendar=24 * H)
        assert either.mode == "earliest"
        assert [p.kind for p in either.parts] == ["business", "calendar"]
        both = Target.latest(Target(business_days=2), calendar=24 * H)
        assert both.describe() == "latest of 2 business days, 24h calendar"
        with pytest.raises(ConfigurationError, match="unknown target measure"):
            Target.earliest(hours=3)
        with pytest.raises(ConfigurationError, match="at least one"):
            Target.latest()


class TestPolicy:
    def test_targets_by_priority_with_a_default(self) -> None:
        """A priority missing from the mapping takes the default, or no target."""
        urgent, rest = Target(business=8 * H), Target(business_days=3)
        p = policy(targets={"resolution": {Priority.URGENT: urgent, "default": rest}})
        assert p.target_for("resolution", Priority.URGENT) is urgent
        assert p.target_for("resolution", Priority.LOW) is rest
        assert p.target_for("first_response", Priority.LOW) is None
        only = policy(targets={"resolution": {"high": urgent}})
        assert only.target_for("resolution", Priority.NORMAL) is None

    @pytest.mark.parametrize(
        ("kwargs", "key"),
        [
            ({"name": ""}, "name"),
            ({"calendar": "SP"}, "calendar"),
            ({"targets": {}}, "targets"),
            ({"targets": {"first_reply": Target(business=H)}}, "targets.first_reply"),
            ({"warn_at": [1.5]}, "warn_at"),
            ({"warn_at": [timedelta(0)]}, "warn_at"),
            ({"pause_on": "pending"}, "pause_on"),
            ({"pause_on": {"first_reply": {"pending"}}}, "pause_on"),
            ({"reopen": "forget"}, "reopen"),
            ({"when": {"colour": "red"}}, "policy 'loja': when.colour"),
        ],
    )
    def test_bad_policies_name_the_problem(self, kwargs: dict[str, object], key: str) -> None:
        """Each mistake is a ConfigurationError naming its key."""
        with pytest.raises(ConfigurationError) as caught:
            policy(**kwargs)
        assert caught.value.key == key

    def test_a_bad_priority_key_is_refused(self) -> None:
        """Priorities in a target mapping are checked."""
        with pytest.raises(InvalidTicketError, match="critical"):
            policy(targets={"resolution": {"critical": Target(business=H)}})

    def test_a_plain_pause_set_is_for_the_team_metrics(self) -> None:
        """partner_response pauses only where told."""
        p = policy(
            targets={"resolution": Target(business=H), "partner_response": Target(business=H)},
            pause_on={"pending", "on_hold"},
        )
        assert p.pauses("resolution", "waiting_customer", Category.PENDING)
        assert not p.pauses("partner_response", "waiting_partner", Category.PENDING)
        per_metric = policy(
            targets={"resolution": Target(business=H)}, pause_on={"resolution": {"on_hold"}}
        )
        assert not per_metric.pauses("resolution", "waiting_customer", Category.PENDING)
        assert per_metric.pauses("resolution", "on_hold", Category.ON_HOLD)

    def test_state_names_pause_too(self) -> None:
        """A pause set may name states rather than categories."""
        p = policy(pause_on={"waiting_customer"})
        assert p.pauses("first_response", "waiting_customer", Category.PENDING)
        assert not p.pauses("first_response", "waiting_partner", Category.PENDING)

    def test_the_fingerprint_follows_the_pause_rules_not_the_targets(self) -> None:
        """Targets and calendars are applied at once; pause rules need a replay."""
        a = policy()
        b = policy(targets={"first_response": Target(business=9 * H)})
        c = policy(pause_on={"on_hold"})
        assert a.fingerprint == b.fingerprint != c.fingerprint


class TestApplicable:
    def test_policies_without_a_group_all_apply(self) -> None:
        """The marketplace's SLA and the store's own run side by side."""
        amazon = policy(name="amazon", when={"channel": "amazon"})
        store = policy(name="store")
        assert [p.name for p in applicable([amazon, store], make_ticket(channel="amazon"))] == [
            "amazon",
            "store",
        ]
        assert [p.name for p in applicable([amazon, store], make_ticket())] == ["store"]

    def test_a_group_takes_its_first_match(self) -> None:
        """VIP customers get the VIP policy instead of the default one."""
        vip = policy(name="vip", group="store", when={"fields.segment": "vip"})
        default = policy(name="default", group="store")
        chosen = applicable([vip, default], make_ticket(custom_fields={"segment": "vip"}))
        assert [p.name for p in chosen] == ["vip"]
        assert [p.name for p in applicable([vip, default], make_ticket())] == ["default"]


class TestConditions:
    def test_every_key(self) -> None:
        """Each condition key reads its field."""
        ticket = make_ticket(
            channel="amazon",
            category="entrega",
            priority=Priority.HIGH,
            partner=Party.partner("s-9"),
            tags={"vip", "b2b"},
            tier=2,
            custom_fields={"valor": 1500},
        )
        for condition in [
            {"channel": "amazon"},
            {"category": ["entrega", "troca"]},
            {"priority": "high"},
            {"priority": [Priority.HIGH, Priority.URGENT]},
            {"requester": "customer"},
            {"partner": "s-9"},
            {"tags": ["vip"]},
            {"tier": 2},
            {"tenant": "loja-1"},
            {"fields.valor": 1500},
            {"custom_fields": {"valor": [1500, 2000]}},
        ]:
            assert compile_condition(condition)(ticket), condition
        assert not compile_condition({"partner": None})(ticket)
        assert compile_condition({"partner": None})(make_ticket())

    def test_callables_and_none(self) -> None:
        """A callable is used as it is; None matches everything."""
        assert compile_condition(lambda t: t.tier == 1)(make_ticket())
        assert compile_condition(None)(make_ticket())

    def test_unknown_keys_and_shapes_are_refused(self) -> None:
        """Typos fail when the policy is built, not when a ticket arrives."""
        with pytest.raises(ConfigurationError, match="unknown condition 'chanel'"):
            compile_condition({"chanel": "site"})
        with pytest.raises(ConfigurationError):
            compile_condition(["site"])  # type: ignore[arg-type]
        with pytest.raises(ConfigurationError):
            compile_condition({"custom_fields": "vip"})


class TestPresets:
    def test_presets_say_where_their_numbers_come_from(self) -> None:
        """Every preset has a rule, a source and the date it was read."""
        from chamados.sla.presets import PRESETS

        for preset in PRESETS.values():
            assert preset.rule
            assert preset.source
            assert preset.read_on.year >= 2026

    def test_amazon_counts_weekends(self) -> None:
        """24 calendar hours: Friday 17:30 is due Saturday 17:30."""
        from chamados.sla.presets import amazon

        p = amazon(calendar=CAL)
        assert p.matches(make_ticket(channel="amazon"))
        assert not p.matches(make_ticket(channel="site"))
        assert p.target_for("first_response", Priority.NORMAL) == Target(calendar=24 * H)

    def test_americanas_takes_the_earliest(self) -> None:
        """12 business hours or 24 calendar hours, whichever comes first."""
        from chamados.sla.presets import americanas

        target = americanas(calendar=CAL).target_for("next_response", Priority.LOW)
        assert target == Target.earliest(business=12 * H, calendar=24 * H)
