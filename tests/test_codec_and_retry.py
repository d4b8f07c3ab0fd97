"""The JSON codec the SQL adapter stores documents with, and retry_on_conflict."""

from __future__ import annotations

import io
from datetime import timedelta

import pendulum
import pytest
from hypothesis import given
from hypothesis import strategies as st

from chamados import (
    ConcurrencyError,
    StatusChanged,
    StorageConfigurationError,
    StorageError,
    StorageUnavailableError,
    retry_on_conflict,
)
from chamados.demo import run_demo
from chamados.storage import codec


def test_every_ticket_and_event_of_the_demo_round_trips() -> None:
    """Tickets (with SLA clocks) and every kind of event decode equal to what was encoded."""
    desk = run_demo(io.StringIO())
    kinds = set()
    for ticket in desk.tickets():
        assert codec.loads(codec.dumps(ticket)) == ticket
        for event in desk.history(ticket.id):
            assert codec.loads(codec.dumps(event)) == event
            kinds.add(event.kind)
    assert len(kinds) >= 15


zones = st.sampled_from(["America/Sao_Paulo", "America/Manaus", "UTC", "Europe/Lisbon"])


@given(
    st.datetimes(
        min_value=pendulum.datetime(1990, 1, 1).naive(),
        max_value=pendulum.datetime(2100, 1, 1).naive(),
    ),
    zones,
    st.integers(min_value=-(10**12), max_value=10**12),
)
def test_datetimes_keep_their_zone_and_durations_their_microseconds(
    naive: object, zone: str, micros: int
) -> None:
    """A datetime decodes to the same instant in the same named zone; a timedelta exactly."""
    moment = pendulum.instance(naive, tz="UTC").in_timezone(zone)  # type: ignore[arg-type]
    back = codec.loads(codec.dumps(moment))
    assert back == moment
    assert back.timezone_name == zone
    assert back.utcoffset() == moment.utcoffset()
    assert codec.loads(codec.dumps(timedelta(microseconds=micros))) == timedelta(
        microseconds=micros
    )


def test_fixed_offsets_and_containers_round_trip() -> None:
    """Fixed offsets, tuples, sets, mappings and nesting survive."""
    value = {
        "at": pendulum.parse("2026-03-02T09:00:00-03:00"),
        "tags": frozenset({"vip", "pix"}),
        "pair": (1, "a", None, True, 2.5),
        "list": [{"x": [1, 2]}],
    }
    assert codec.loads(codec.dumps(value)) == value


def test_a_status_change_stored_before_details_existed_loads_without_them() -> None:
    """A StatusChanged document written by an older chamados (no details) still loads."""
    document = (
        '{"$cls": "StatusChanged", "f": {"id": "e1", "ticket_id": "CH-1", "tenant": "loja",'
        ' "version": 2, "at": {"$dt": "2026-03-02T09:00:00-03:00", "tz": null},'
        ' "actor": {"$cls": "Party", "f": {"kind": {"$enum": "PartyKind", "v": "agent"},'
        ' "id": "ana", "name": null}}, "reason": null, "event": "start",'
        ' "from_status": "new", "to_status": "open"}}'
    )
    event = codec.loads(document)
    assert isinstance(event, StatusChanged)
    assert (event.to_status, event.details) == ("open", {})


@pytest.mark.parametrize(
    "document",
    [
        '{"$cls": "os.system", "f": {}}',
        '{"$enum": "Nope", "v": 1}',
        '{"what": 1}',
    ],
)
def test_documents_not_made_by_chamados_are_refused(document: str) -> None:
    """Only chamados' own classes are built from stored data."""
    with pytest.raises(StorageError):
        codec.loads(document)


def test_values_that_cannot_be_stored_are_refused() -> None:
    """Unknown types and non-string keys are a StorageError, not a silent loss."""
    with pytest.raises(StorageError, match="type object"):
        codec.dumps(object())
    with pytest.raises(StorageError, match="non-string keys"):
        codec.dumps({1: "x"})


class Flaky:
    """Fails with ``error`` the first ``failures`` calls, then returns the call count."""

    def __init__(self, failures: int, error: Exception) -> None:
        self.failures, self.error, self.calls = failures, error, 0

    def __call__(self) -> int:
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error
        return self.calls


CONFLICT = ConcurrencyError("CH-1", expected=1, actual=2)


def test_retry_runs_again_after_a_conflict_and_returns_the_result() -> None:
    """Two conflicts then a success: the success's value, after two jittered sleeps."""
    slept: list[float] = []
    flaky = Flaky(2, CONFLICT)
    assert retry_on_conflict(flaky, attempts=3, delay=0.1, sleep=slept.append) == 3
    assert len(slept) == 2
    assert 0.05 <= slept[0] <= 0.15
    assert 0.1 <= slept[1] <= 0.3


def test_retry_gives_up_after_its_attempts_with_the_last_error() -> None:
    flaky = Flaky(5, CONFLICT)
    with pytest.raises(ConcurrencyError):
        retry_on_conflict(flaky, attempts=3, delay=0)
    assert flaky.calls == 3


def test_retry_gives_up_on_an_unavailable_database_after_its_attempts() -> None:
    """unavailable=True retries a database that stays away ``attempts`` times, no more."""
    gone = Flaky(100, StorageUnavailableError("gone"))
    with pytest.raises(StorageUnavailableError):
        retry_on_conflict(gone, attempts=4, delay=0, unavailable=True)
    assert gone.calls == 4


def test_retry_never_retries_a_storage_configuration_error() -> None:
    """A wrong URL, user or folder is not an outage: even unavailable=True runs once."""
    wrong = Flaky(1, StorageConfigurationError("unknown database", key="storage"))
    with pytest.raises(StorageConfigurationError):
        retry_on_conflict(wrong, attempts=5, delay=0, unavailable=True)
    assert wrong.calls == 1


def test_retry_leaves_other_errors_alone() -> None:
    """Only conflicts are retried by default; a lost connection only when asked."""
    lost = Flaky(1, StorageUnavailableError("gone"))
    with pytest.raises(StorageUnavailableError):
        retry_on_conflict(lost, delay=0)
    assert lost.calls == 1
    assert retry_on_conflict(Flaky(1, StorageUnavailableError("gone")), unavailable=True) == 2
    broken = Flaky(1, ValueError("bad"))
    with pytest.raises(ValueError, match="bad"):
        retry_on_conflict(broken, delay=0)
    assert broken.calls == 1


@pytest.mark.parametrize(("attempts", "delay"), [(0, 0.1), (True, 0.1), (2, -1), (2, "1")])
def test_retry_checks_its_arguments(attempts: object, delay: object) -> None:
    with pytest.raises(ValueError, match=r"attempts|delay"):
        retry_on_conflict(lambda: 1, attempts=attempts, delay=delay)  # type: ignore[arg-type]


def test_scratch_databases_are_for_servers() -> None:
    """SQLite has no schemas to make: use a file under tmp_path instead."""
    from chamados.exceptions import ConfigurationError
    from chamados.testing.databases import scratch_database

    with (
        pytest.raises(ConfigurationError, match="for SQLite use a file"),
        scratch_database("sqlite://"),
    ):
        pass
