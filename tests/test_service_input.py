"""Bad input to the Helpdesk: refused the same way on every storage, before anything is
saved, with a documented error naming the argument; and nothing stored makes a read fail.

The storages are memory, SQLite, and PostgreSQL and MariaDB when their test URLs are set
(``tests/sql_servers.py``). The randomized probe at the end runs every public command with
wrong-typed and out-of-limit values on an in-memory desk and on each SQL desk side by side,
and requires the very same outcome from both.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pendulum
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chamados import (
    ChamadosError,
    ConfigurationError,
    Helpdesk,
    InvalidTicketError,
    Party,
    SequentialIds,
    Ticket,
    limits,
)
from chamados.desk import UNSET
from chamados.policies import Agent, Agents, Policies, RoutingPolicy
from chamados.storage import codec
from chamados.storage.memory import MemoryStorage
from chamados.storage.sql import SqlStorage, make_engine
from chamados.storage.sql.schema import tickets
from chamados.testing import FakeClock, RecordingNotifier, open_ticket
from tests.sql_servers import FIXTURES, empty

ANA = Party.agent("ana")
MARIA = Party.customer("c-1")


def _policies() -> Policies:
    return Policies(agents=Agents([Agent("ana", teams={"atendimento", "financeiro"})]))


def _desk(storage: Any) -> Helpdesk:
    return Helpdesk(
        storage=storage, clock=FakeClock(), ticket_ids=SequentialIds(), policies=_policies()
    )


@pytest.fixture(params=["memory", "sqlite", "postgresql", "mariadb"])
def desk(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Helpdesk]:
    """A desk on each storage, empty."""
    if request.param == "memory":
        yield _desk(MemoryStorage())
        return
    if request.param == "sqlite":
        storage = SqlStorage(f"sqlite:///{tmp_path / 'chamados.db'}")
        yield _desk(storage)
        storage.close()
        return
    yield _desk(empty(request.getfixturevalue(FIXTURES[request.param])))


def snapshot(desk: Helpdesk, ticket_id: str) -> tuple[Ticket, int, int]:
    """The stored ticket, its history's length and the number of tickets."""
    return desk.get(ticket_id), len(desk.history(ticket_id)), len(desk.tickets())


def reads_work(desk: Helpdesk, ticket_id: str) -> None:
    """Every read of the ticket and of the tenant answers."""
    desk.get(ticket_id)
    desk.history(ticket_id)
    desk.timeline(ticket_id)
    desk.tickets()
    desk.queue(assigned=None)
    desk.next_ticket("ana", claim=False)


# -- item 2: a wrong-typed field is never stored -----------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        lambda desk, t: desk.assign(t, actor=ANA, team=5),
        lambda desk, t: desk.assign(t, actor=ANA, assignee=5),
        lambda desk, t: desk.escalate(t, actor=ANA, reason="N2", team=5),
        lambda desk, t: desk.update(t, actor=ANA, category=5),
        lambda desk, t: desk.update(t, actor=ANA, subject=["s"]),
    ],
    ids=["assign team", "assign assignee", "escalate team", "update category", "update subject"],
)
def test_a_wrong_typed_field_is_refused_and_reads_keep_working(
    desk: Helpdesk, command: Callable[[Helpdesk, str], object]
) -> None:
    """assign(team=5) and the like are InvalidTicketError; nothing is saved, and every
    read of the tenant still answers."""
    ticket = open_ticket(desk, team="atendimento")
    before = snapshot(desk, ticket.id)
    with pytest.raises(InvalidTicketError) as caught:
        command(desk, ticket.id)
    assert caught.value.field in ("team", "assignee", "category", "subject")
    assert snapshot(desk, ticket.id) == before
    reads_work(desk, ticket.id)


def _store_as_an_older_chamados_did(desk: Helpdesk, ticket: Ticket) -> None:
    """Overwrite the stored ticket with values today's limits refuse (a wrong type, an
    overlong subject), as data written before those limits would be."""
    legacy = ticket.copy()
    legacy.team = 5  # type: ignore[assignment]
    legacy.subject = "s" * (limits.SUBJECT + 45)
    storage = desk.storage
    if isinstance(storage, MemoryStorage):
        storage._tickets[ticket.id] = legacy
        return
    assert isinstance(storage, SqlStorage)
    with storage.engine.begin() as conn:
        conn.execute(
            sa.update(tickets).where(tickets.c.id == ticket.id).values(data=codec.dumps(legacy))
        )


def test_values_stored_before_todays_limits_still_read(desk: Helpdesk) -> None:
    """Nothing stored makes a read fail: documents are read back without checking them
    against the limits again, so old data never locks a tenant out."""
    ticket = open_ticket(desk, team="atendimento")
    _store_as_an_older_chamados_did(desk, ticket)
    reads_work(desk, ticket.id)
    assert desk.get(ticket.id).team == 5


def test_a_command_that_does_not_touch_an_old_value_still_saves(desk: Helpdesk) -> None:
    """Only what a command changes is checked again: a note on a ticket whose subject an
    older version stored longer than today's limit is saved, and the subject kept."""
    ticket = open_ticket(desk)
    legacy = ticket.copy()
    legacy.subject = "s" * (limits.SUBJECT + 45)
    if isinstance(desk.storage, MemoryStorage):
        desk.storage._tickets[ticket.id] = legacy
    else:
        assert isinstance(desk.storage, SqlStorage)
        with desk.storage.engine.begin() as conn:
            conn.execute(
                sa.update(tickets)
                .where(tickets.c.id == ticket.id)
                .values(data=codec.dumps(legacy))
            )
    saved = desk.add_note(ticket.id, author=ANA, body="ainda lê")
    assert saved.subject == legacy.subject
    with pytest.raises(InvalidTicketError, match="subject"):
        desk.update(ticket.id, actor=ANA, subject=legacy.subject + "!")


# -- item 3: flags are booleans -------------------------------------------------------------------


@pytest.mark.parametrize("value", ["false", "true", "", 0, 1, None])
@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda desk, t, v: desk.reply(t, author=ANA, body="nota", public=v), "public"),
        (lambda desk, t, v: desk.reply(t, author=ANA, body="bot", automated=v), "automated"),
        (lambda desk, t, v: desk.queue(assigned=v if v is not None else "x"), "assigned"),
        (lambda desk, t, v: desk.next_ticket("ana", claim=v), "claim"),
    ],
    ids=["public", "automated", "assigned", "claim"],
)
def test_boolean_flags_take_only_booleans(
    desk: Helpdesk, call: Callable[[Helpdesk, str, object], object], field: str, value: object
) -> None:
    """public="false" does not publish an internal note: it is refused, like every flag
    given anything but True or False."""
    ticket = open_ticket(desk, team="atendimento")
    before = snapshot(desk, ticket.id)
    with pytest.raises(InvalidTicketError, match="True or False") as caught:
        call(desk, ticket.id, value)
    assert caught.value.field == field
    assert snapshot(desk, ticket.id) == before


# -- item 4: one set of text limits, the same on every storage ----------------------------------

NUL, SURROGATE = "a\x00b", "caf\udce9"


def _text_inputs() -> list[Any]:
    cases: list[Any] = []
    commands: list[tuple[str, Callable[[Helpdesk, str, str], object], int]] = [
        ("body", lambda d, t, v: d.reply(t, author=ANA, body=v), limits.BODY),
        ("external_id", lambda d, t, v: d.reply(t, author=ANA, body="b", external_id=v), 255),
        ("subject", lambda d, t, v: d.update(t, actor=ANA, subject=v), limits.SUBJECT),
        ("category", lambda d, t, v: d.update(t, actor=ANA, category=v), limits.ID),
        ("tags", lambda d, t, v: d.update(t, actor=ANA, tags={v}), limits.TAG),
        ("custom_fields.nota", lambda d, t, v: d.update(t, actor=ANA, custom_fields={"nota": v}),
         limits.FIELD_VALUE),
        ("team", lambda d, t, v: d.assign(t, actor=ANA, team=v), limits.TEAM),
        ("assignee", lambda d, t, v: d.assign(t, actor=ANA, assignee=v), limits.TEAM),
        ("reason", lambda d, t, v: d.set_priority(t, "high", actor=ANA, reason=v), limits.TEXT),
        ("summary", lambda d, t, v: d.resolve(t, actor=ANA, summary=v), limits.TEXT),
        ("idempotency_key", lambda d, t, v: d.add_note(t, author=ANA, body="b", idempotency_key=v),
         limits.IDEMPOTENCY_KEY),
        ("id", lambda d, t, v: d.add_note(t, author=Party.agent(v), body="b"), limits.ID),
        ("name", lambda d, t, v: d.add_note(t, author=Party.agent("a", name=v), body="b"),
         limits.PARTY_NAME),
        ("ticket_id", lambda d, t, v: d.get(v), limits.TICKET_ID),
    ]  # fmt: skip
    for field, call, limit in commands:
        for label, value in (
            ("NUL", NUL),
            ("surrogate", SURROGATE),
            ("too long", "x" * (limit + 1)),
        ):
            cases.append(pytest.param(field, call, value, id=f"{field} {label}"))
    return cases


@pytest.mark.parametrize(("field", "call", "value"), _text_inputs())
def test_text_past_the_limits_is_refused_alike_everywhere(
    desk: Helpdesk, field: str, call: Callable[[Helpdesk, str, str], object], value: str
) -> None:
    """NUL, lone surrogates and overlong text are InvalidTicketError naming the field on
    memory, SQLite, PostgreSQL and MariaDB alike, and nothing is saved."""
    ticket = open_ticket(desk)
    before = snapshot(desk, ticket.id)
    with pytest.raises(InvalidTicketError) as caught:
        call(desk, ticket.id, value)
    assert caught.value.field == field
    assert snapshot(desk, ticket.id) == before


def test_text_at_the_limits_is_stored_and_read_back_exactly(desk: Helpdesk) -> None:
    """A command may use every limit to the last character, on every storage."""
    wide = "çã😀\t"
    subject = (wide * limits.SUBJECT)[: limits.SUBJECT]
    body = ("ação 😀\r\n" * limits.BODY)[: limits.BODY]
    ticket = open_ticket(
        desk,
        subject=subject,
        team="t" * limits.TEAM,
        custom_fields={"f" * limits.FIELD_NAME: "😀" * limits.FIELD_VALUE},
    )
    desk.reply(ticket.id, author=ANA, body=body, external_id="e" * limits.EXTERNAL_ID)
    stored = desk.get(ticket.id)
    assert (stored.subject, stored.team) == (subject, "t" * limits.TEAM)
    assert stored.custom_fields == {"f" * limits.FIELD_NAME: "😀" * limits.FIELD_VALUE}
    message = desk.messages(ticket.id)[-1]
    assert (message.body, message.external_id) == (body, "e" * limits.EXTERNAL_ID)


# -- item 15: wrong types raise the documented errors --------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "name"),
    [
        (lambda d, t: d.assign(t, actor=None, team="x"), InvalidTicketError, "actor"),
        (lambda d, t: d.rate(t, 5, actor=None), InvalidTicketError, "actor"),
        (lambda d, t: d.get(t, viewer="c"), InvalidTicketError, "viewer"),
        (lambda d, t: d.history(t, viewer=5), InvalidTicketError, "viewer"),
        (lambda d, t: d.allowed_events(t, actor="ana"), InvalidTicketError, "actor"),
        (
            lambda d, t: d.update(t, actor=ANA, custom_fields="x"),
            InvalidTicketError,
            "custom_fields",
        ),
        (lambda d, t: d.update(t, actor=ANA, tags=5), InvalidTicketError, "tags"),
        (lambda d, t: open_ticket(d, custom_fields="x"), InvalidTicketError, "custom_fields"),
        (lambda d, t: open_ticket(d, tags=[["a"]]), InvalidTicketError, "tags"),
        (lambda d, t: open_ticket(d, tags=[5]), InvalidTicketError, "tags"),
        (lambda d, t: open_ticket(d, tags=["a\x00"]), InvalidTicketError, "tags"),
        (lambda d, t: d.set_priority(t, "high", actor="ana"), InvalidTicketError, "actor"),
        (
            lambda d, t: d.escalate(t, actor=ANA, reason="r", team=["n2"]),
            InvalidTicketError,
            "team",
        ),
        (lambda d, t: d.transition(t, 5, actor=ANA), InvalidTicketError, "event"),
        (lambda d, t: d.reply(t, author=ANA, body="b", at="2026-03-02"), InvalidTicketError, "at"),
        (lambda d, t: d.tickets(status=5), InvalidTicketError, "status"),
        (lambda d, t: d.tickets(tier="2"), InvalidTicketError, "tier"),
        (lambda d, t: d.tickets(limit=-1), InvalidTicketError, "limit"),
        (lambda d, t: d.queue(tier=10**30), InvalidTicketError, "tier"),
        (lambda d, t: d.next_ticket(None), InvalidTicketError, "agent"),
        (lambda d, t: d.tick(limit="3"), InvalidTicketError, "limit"),
        (lambda d, t: d.report(cuts="x"), ConfigurationError, "cuts"),
        (lambda d, t: d.report(cuts={"volume": "channel"}), ConfigurationError, "cuts['volume']"),
        (lambda d, t: d.indicator("volume", tier="x"), ConfigurationError, "tier"),
        (lambda d, t: d.indicator("volume", tier=10**30), ConfigurationError, "tier"),
        (lambda d, t: d.indicator("volume", channel=NUL), ConfigurationError, "channel"),
        (lambda d, t: d.indicator("volume", by="channel"), ConfigurationError, "by"),
        (lambda d, t: d.indicator("volume", by=[["a"]]), ConfigurationError, "by"),
        (lambda d, t: d.indicator([["a"]]), ConfigurationError, "indicator"),  # type: ignore[arg-type]
        (lambda d, t: d.timeline(t, lang=5), ConfigurationError, "lang"),
        (lambda d, t: d.for_tenant(5), ConfigurationError, "tenant"),
    ],
)
def test_wrong_typed_arguments_raise_the_documented_error_naming_them(
    desk: Helpdesk, call: Callable[[Helpdesk, str], object], error: type[Exception], name: str
) -> None:
    """Never AttributeError, TypeError, a bare ValueError or OverflowError: the documented
    error, naming the argument, and nothing saved."""
    ticket = open_ticket(desk)
    before = snapshot(desk, ticket.id)
    with pytest.raises(error) as caught:
        call(desk, ticket.id)
    assert (getattr(caught.value, "field", None) or getattr(caught.value, "key", None)) == name
    assert snapshot(desk, ticket.id) == before


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ({"clock": "x"}, "clock"),
        ({"workflows": "x"}, "workflows"),
        ({"ticket_ids": "x"}, "ticket_ids"),
        ({"retry": 3}, "retry"),
        ({"sla": "x"}, "sla"),
        ({"sla": 5}, "sla"),
        ({"notifiers": 5}, "notifiers"),
        ({"delivery": ["inline"]}, "delivery"),
        ({"tenant": 5}, "tenant"),
        ({"tenant": "l" * (limits.TENANT + 1)}, "tenant"),
        ({"policies": "x"}, "policies"),
        ({"business_hours": "x"}, "business_hours"),
    ],
)
def test_wrong_settings_are_configuration_errors_naming_them(
    settings: dict[str, Any], key: str
) -> None:
    """Helpdesk(clock="x") and the like fail when the desk is made, naming the setting."""
    with pytest.raises(ConfigurationError) as caught:
        Helpdesk(**settings)
    assert caught.value.key == key


@pytest.mark.parametrize(
    ("options", "key"),
    [({"batch": "x"}, "batch"), ({"lease": "x"}, "lease"), ({"timeout": "x"}, "timeout")],
)
def test_wrong_relay_settings_are_configuration_errors(options: dict[str, Any], key: str) -> None:
    """relay(lease="x") names the setting instead of failing on a comparison."""
    desk = Helpdesk(notifiers=[RecordingNotifier()])
    with pytest.raises(ConfigurationError) as caught:
        desk.relay(**options)
    assert caught.value.key == key


def test_an_empty_default_team_is_a_configuration_error() -> None:
    """default_team = "" would route tickets to a team no ticket may hold."""
    with pytest.raises(ConfigurationError) as caught:
        RoutingPolicy([], default_team="")
    assert caught.value.key == "default_team"
    with pytest.raises(ConfigurationError):
        RoutingPolicy([], default_team="t" * (limits.TEAM + 1))


def test_an_empty_default_team_in_toml_is_a_configuration_error(tmp_path: Path) -> None:
    """The TOML loader refuses default_team = "" through the same check."""
    path = tmp_path / "policies.toml"
    path.write_text('[routing]\ndefault_team = ""\n')
    with pytest.raises(ConfigurationError, match="default_team"):
        Policies.from_toml(str(path))


# -- the randomized probe ---------------------------------------------------------------------

_BAD: list[Any] = [
    None, 0, 5, -1, 10**30, 1.5, math.nan, True, False, "", " ", "false", "customer",
    "x" * 129, "x" * 300, NUL, SURROGATE, b"bytes", [], ["a"], {}, {"a": 1}, {"a": [1]},
    ("a",), frozenset({"a"}), [["a"]], [None], {"a": None}, {5: "x"}, {"a": {"b": 1}},
    MARIA, ANA, Party.partner("s-1"), object(), UNSET,
    datetime(2026, 3, 2, 9), pendulum.datetime(2026, 3, 2, 12, tz="UTC"),
]  # fmt: skip

_T = "ticket_id"
Call = Callable[[Helpdesk, dict[str, Any]], Any]


def _commands() -> dict[str, tuple[Call, dict[str, Any]]]:
    """Each public command: how to call it, and a valid value for every argument."""
    return {
        "open": (lambda d, a: d.open(**a), {
            "tenant": "loja-1", "channel": "site", "requester": MARIA, "subject": "Pedido",
            "body": None, "category": None, "priority": None, "partner": None,
            "order_id": None, "team": "atendimento", "tags": (), "custom_fields": None,
            "workflow": None, "opened_by": None, "idempotency_key": None,
        }),
        "reply": (lambda d, a: d.reply(a.pop(_T), **a), {
            _T: None, "author": ANA, "body": "Olá", "public": True, "automated": False,
            "external_id": None, "at": None, "idempotency_key": None,
        }),
        "add_note": (lambda d, a: d.add_note(a.pop(_T), **a), {
            _T: None, "author": ANA, "body": "nota", "idempotency_key": None,
        }),
        "transition": (lambda d, a: d.transition(a.pop(_T), a.pop("event"), **a), {
            _T: None, "event": "start", "actor": ANA, "reason": None, "idempotency_key": None,
        }),
        "resolve": (lambda d, a: d.resolve(a.pop(_T), **a), {
            _T: None, "actor": ANA, "summary": "feito", "idempotency_key": None,
        }),
        "reopen": (lambda d, a: d.reopen(a.pop(_T), **a), {
            _T: None, "actor": ANA, "reason": None, "idempotency_key": None,
        }),
        "close": (lambda d, a: d.close(a.pop(_T), **a), {
            _T: None, "actor": ANA, "reason": None, "idempotency_key": None,
        }),
        "assign": (lambda d, a: d.assign(a.pop(_T), **a), {
            _T: None, "actor": ANA, "team": "financeiro", "assignee": UNSET, "reason": None,
            "idempotency_key": None,
        }),
        "set_priority": (lambda d, a: d.set_priority(a.pop(_T), a.pop("priority"), **a), {
            _T: None, "priority": "high", "actor": ANA, "reason": None,
            "idempotency_key": None,
        }),
        "escalate": (lambda d, a: d.escalate(a.pop(_T), **a), {
            _T: None, "actor": ANA, "reason": "N2", "team": UNSET, "idempotency_key": None,
        }),
        "update": (lambda d, a: d.update(a.pop(_T), **a), {
            _T: None, "actor": ANA, "subject": "Novo", "category": UNSET, "tags": UNSET,
            "custom_fields": UNSET, "reason": None, "idempotency_key": None,
        }),
        "clear_priority": (lambda d, a: d.clear_priority(a.pop(_T), **a), {
            _T: None, "actor": ANA, "reason": None, "idempotency_key": None,
        }),
        "auto_assign": (lambda d, a: d.auto_assign(a.pop(_T), **a), {
            _T: None, "actor": ANA, "idempotency_key": None,
        }),
        "rate": (lambda d, a: d.rate(a.pop(_T), a.pop("score"), **a), {
            _T: None, "score": 5, "actor": MARIA, "comment": None, "idempotency_key": None,
        }),
        "get": (lambda d, a: d.get(a.pop(_T), **a), {_T: None, "viewer": None}),
        "history": (lambda d, a: len(d.history(a.pop(_T), **a)), {_T: None, "viewer": None}),
        "messages": (lambda d, a: len(d.messages(a.pop(_T), **a)), {_T: None, "viewer": None}),
        "timeline": (lambda d, a: len(d.timeline(a.pop(_T), **a)), {
            _T: None, "lang": "pt-BR", "viewer": None,
        }),
        "allowed_events": (lambda d, a: d.allowed_events(a.pop(_T), **a), {
            _T: None, "actor": None,
        }),
        "expectations": (lambda d, a: d.expectations(a.pop(_T), **a), {
            _T: None, "lang": "pt-BR",
        }),
        "tickets": (lambda d, a: [t.id for t in d.tickets(**a)], {
            "status": None, "team": None, "assignee": None, "tier": None, "channel": None,
            "category": None, "priority": None, "requester": None, "partner": None,
            "tags": (), "limit": None,
        }),
        "queue": (lambda d, a: [t.id for t in d.queue(**a)], {
            "team": None, "tier": None, "assigned": False, "limit": None,
        }),
        "next_ticket": (lambda d, a: getattr(d.next_ticket(a.pop("agent"), **a), "id", None), {
            "agent": "ana", "claim": False,
        }),
        "tick": (lambda d, a: d.tick(**a), {"limit": None}),
        "indicator": (lambda d, a: d.indicator(a.pop("name"), **a).rows, {
            "name": "volume", "by": (), "start": None, "end": None, "channel": None,
            "tier": None,
        }),
        "report": (lambda d, a: len(d.report(**a).tables), {
            "start": None, "end": None, "cuts": None, "team": None,
        }),
    }  # fmt: skip


_COMMANDS = _commands()


@st.composite
def _bad_calls(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A command, with one or two of its arguments swapped for bad values."""
    name = draw(st.sampled_from(sorted(_COMMANDS)))
    arguments = dict(_COMMANDS[name][1])
    names = sorted(arguments)
    for argument in draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True)):
        arguments[argument] = draw(st.sampled_from(_BAD))
    return name, arguments


def _outcome(desk: Helpdesk, ticket_id: str, name: str, arguments: dict[str, Any]) -> Any:
    """What the call did: ("ok", a comparable result) or ("refused", error, field)."""
    call = dict(arguments)
    if call.get(_T, "") is None:
        call[_T] = ticket_id
    try:
        result = _COMMANDS[name][0](desk, call)
    except ChamadosError as error:
        where = getattr(error, "field", None) or getattr(error, "key", None)
        return ("refused", type(error).__name__, where)
    if isinstance(result, Ticket):
        return ("ok", result.id, result.version)
    if isinstance(result, list | int | str | tuple | type(None)):
        return ("ok", result)
    return ("ok", type(result).__name__)


@pytest.fixture(params=["sqlite", "postgresql", "mariadb"])
def sql_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    """An engine on each SQL storage, shared by the examples of one test."""
    if request.param == "sqlite":
        engine = make_engine(f"sqlite:///{tmp_path / 'probe.db'}")
        yield engine
        engine.dispose()
        return
    yield request.getfixturevalue(FIXTURES[request.param])


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(call=_bad_calls())
def test_bad_calls_are_refused_with_documented_errors_alike_on_every_storage(
    sql_engine: sa.Engine, call: tuple[str, dict[str, Any]]
) -> None:
    """Any command with wrong-typed or out-of-limit arguments either works or raises a
    ChamadosError (never AttributeError, TypeError, a bare ValueError or a driver error);
    a refusal changes nothing; memory and SQL give the same outcome; and whatever was
    accepted reads back the same from both."""
    name, arguments = call
    memory, sql_desk = _desk(MemoryStorage()), _desk(empty(sql_engine))
    opened = [open_ticket(d, team="atendimento") for d in (memory, sql_desk)]
    assert opened[0].id == opened[1].id
    ticket_id = opened[0].id
    before = [snapshot(d, ticket_id) for d in (memory, sql_desk)]
    outcomes = [_outcome(d, ticket_id, name, arguments) for d in (memory, sql_desk)]
    assert outcomes[0] == outcomes[1]
    if outcomes[0][0] == "refused":
        assert [snapshot(d, ticket_id) for d in (memory, sql_desk)] == before
    for d in (memory, sql_desk):
        reads_work(d, ticket_id)
    assert memory.get(ticket_id) == sql_desk.get(ticket_id)
