"""Idempotency keys: the fingerprint of a command's arguments, stable and canonical."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pendulum
from hypothesis import given
from hypothesis import strategies as st

from chamados import UNSET, Party, Priority
from chamados.desk.idempotency import fingerprint

SAMPLE = {
    "author": Party.customer("c-1", name="Maria"),
    "body": "Olá, tudo bem? ✓",
    "public": True,
    "score": 5,
    "valor": 199.9,
    "priority": Priority.HIGH,
    "tags": frozenset({"vip", "entrega"}),
    "custom_fields": {"pedido": "ML-1", "itens": 2},
    "at": pendulum.datetime(2026, 3, 2, 9, tz="America/Sao_Paulo"),
    "wait": timedelta(hours=2),
    "team": UNSET,
    "external_id": None,
}
SAMPLE_PRINT = "bac199cf227b563849b657a946a0b98b7a4b6fcc5336614c9341609e0ae2f49c"


def test_a_fingerprint_never_changes_between_versions() -> None:
    """The same command and arguments give this very fingerprint, in any release or
    Python version: keys stored by one deploy match repeats sent to the next."""
    assert fingerprint("reply", SAMPLE) == SAMPLE_PRINT


def test_a_fingerprint_is_the_same_in_another_process() -> None:
    """Another process, with another hash seed (sets iterate in another order), computes
    the same fingerprint."""
    code = (
        "from tests.test_idempotency import SAMPLE; from chamados.desk.idempotency import "
        "fingerprint; print(fingerprint('reply', SAMPLE))"
    )
    for seed in ("1", "2"):
        done = subprocess.run(
            [sys.executable, "-c", code],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert done.stdout.strip() == fingerprint("reply", SAMPLE)


@given(st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=6))
def test_the_order_of_a_mapping_does_not_matter(fields: dict[str, object]) -> None:
    """A mapping's fingerprint does not depend on the order of its items."""
    backwards = dict(reversed(list(fields.items())))
    assert fingerprint("update", {"custom_fields": fields}) == fingerprint(
        "update", {"custom_fields": backwards}
    )


@given(st.frozensets(st.text(max_size=8), max_size=8))
def test_a_set_is_the_same_however_it_was_built(tags: frozenset[str]) -> None:
    """A set's fingerprint does not depend on how it was built or iterates."""
    rebuilt: set[str] = set()
    for tag in sorted(tags, reverse=True):
        rebuilt.add(tag)
    assert fingerprint("open", {"tags": tags}) == fingerprint("open", {"tags": rebuilt})


def test_values_of_different_types_are_different_arguments() -> None:
    """1, 1.0, "1", True, [1], {1}, None and UNSET are all different arguments."""
    values = [1, 1.0, "1", True, [1], {1}, None, UNSET]
    prints = {fingerprint("rate", {"score": value}) for value in values}
    assert len(prints) == len(values)


def test_a_datetime_is_the_instant_it_means() -> None:
    """The same instant in two time zones is the same argument; a naive time is not."""
    saopaulo = pendulum.datetime(2026, 3, 2, 9, tz="America/Sao_Paulo")
    utc = pendulum.datetime(2026, 3, 2, 12, tz="UTC")
    assert fingerprint("reply", {"at": saopaulo}) == fingerprint("reply", {"at": utc})
    naive = saopaulo.naive()
    assert fingerprint("reply", {"at": naive}) != fingerprint("reply", {"at": saopaulo})


def test_the_command_is_part_of_the_fingerprint() -> None:
    """The same arguments for two commands are two fingerprints."""
    arguments = {"actor": Party.agent("ana"), "reason": None}
    assert fingerprint("close", arguments) != fingerprint("reopen", arguments)
