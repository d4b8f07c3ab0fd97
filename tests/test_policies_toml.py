"""Policies from TOML files: every bad file is a ConfigurationError that names it."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chamados.exceptions import ConfigurationError
from chamados.policies import load_policies, parse_policies


def loading(tmp_path: Path, content: bytes) -> str:
    """The message of the ConfigurationError that loading ``content`` raises; the message
    must start with the file's path."""
    path = tmp_path / "politicas.toml"
    path.write_bytes(content)
    with pytest.raises(ConfigurationError) as caught:
        load_policies(path)
    message = str(caught.value)
    assert message.startswith(str(path)), message
    return message


def test_a_file_that_is_not_utf8_names_the_byte(tmp_path: Path) -> None:
    """Latin-1 bytes are refused with the byte, its line and what to do."""
    message = loading(tmp_path, b'[routing]\ndefault_team = "aten\xe7\xe3o"\n')
    assert "not UTF-8 (byte 0xe7 on line 2); save the file as UTF-8" in message


def test_a_utf8_file_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    """A file saved as "UTF-8 with BOM" (Windows editors) reads like any UTF-8 file."""
    path = tmp_path / "politicas.toml"
    path.write_bytes(b'\xef\xbb\xbf[routing]\ndefault_team = "atendimento"\n')
    routing = load_policies(path).routing
    assert routing is not None
    assert routing.default_team == "atendimento"


def test_a_folder_is_not_a_policies_file(tmp_path: Path) -> None:
    """A folder's path says so, instead of IsADirectoryError."""
    with pytest.raises(ConfigurationError, match="is a folder: give the path of a policies"):
        load_policies(tmp_path)


@pytest.mark.parametrize(("open_", "close"), [(b"[", b"]"), (b"{b=", b"}")])
def test_toml_nested_too_deeply_is_refused(tmp_path: Path, open_: bytes, close: bytes) -> None:
    """Thousands of nested arrays or inline tables are refused, not a RecursionError."""
    depth = 5000
    message = loading(tmp_path, b"a = " + open_ * depth + b"1" + close * depth + b"\n")
    assert "nested too deeply" in message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[priority.rules]]\nname = "x"\nwhen = { subject = 5 }\nraise = 1\n',
            "priority rule 'x': when.subject must be text, got 5",
        ),
        ('[[agents]]\nid = "a"\nteams = true\n', "agent 'a': teams must be an array of strings"),
        ('[[agents]]\nid = "a"\nteams = ["t"]\ntiers = [true]\n', "agent 'a': tiers[0]"),
        ("priority = [1]\n", "[priority] must be a table"),
        ("[priority.rules]\n", "priority.rules must be an array of tables"),
        ("agents = 3\n", "agents must be an array of tables"),
        ("sla_actions = [1]\n", "SLA action #1 must be a table"),
        ("[routing]\ndefault_team = 5\n", "[routing]: default_team must be a string, got 5"),
        ('[[priority.rules]]\nname = "x"\nraise = 1\nwhy = []\n', "'x': why must be a string"),
        ('[[priority.rules]]\nname = "x"\nset = 2\n', "priority rule 'x': set must be a string"),
        (
            '[[routing.routes]]\nname = "r"\nteam = "t"\nwhen = { category = [[1]] }\n',
            "route 'r': when.category must be text, a number",
        ),
        (
            '[[routing.routes]]\nname = "r"\nteam = "t"\nwhen = { tags = { a = 1 } }\n',
            "route 'r': when.tags must be a value or a list of values",
        ),
        (
            '[[routing.routes]]\nname = "r"\nteam = "t"\nwhen = { requester = "robo" }\n',
            "route 'r': when.requester: unknown party kind(s) robo",
        ),
        (
            '[[routing.routes]]\nname = "r"\nteam = "t"\nwhen = { priority = [1] }\n',
            "route 'r': when.priority must be text, got 1",
        ),
        (
            '[assignment]\nstrategy = "skills"\nskills_by_category = { x = 5 }\n',
            "skills_by_category: x must be an array of strings",
        ),
        ('[[sla_actions]]\non = "breach"\nescalate = "yes"\n', "escalate must be true or false"),
        ('[[sla_actions]]\non = "breach"\nraise = 1\nmetric = 5\n', "metric must be a string"),
        ('[assignment]\nstrategy = ["skills"]\n', "strategy must be a string"),
    ],
)
def test_a_value_of_the_wrong_type_names_the_rule_and_the_field(
    tmp_path: Path, text: str, message: str
) -> None:
    """Wrong types anywhere are ConfigurationErrors naming the file, the rule and the field."""
    assert message in loading(tmp_path, text.encode())


# -- any structure at all ------------------------------------------------------------------

SCALARS = st.one_of(
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=6),
    st.sampled_from(["normal", "high", "pagamento", "breach", "warning", "skills", "customer"]),
    st.datetimes(),
    st.dates(),
    st.times(),
)
KEYS = st.one_of(
    st.text(max_size=5),
    st.sampled_from(
        [
            "category", "subject", "priority", "requester", "partner", "tags", "fields",
            "fields.valor", "tier", "gte", "in", "not_in", "channel",
        ]
    ),
)  # fmt: skip
ANYTHING = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
    max_leaves=8,
)


def shaped(fields: dict[str, st.SearchStrategy[Any]]) -> st.SearchStrategy[Any]:
    """A table with some of ``fields``, each of its right shape or of any shape at all; now
    and then something that is not a table."""
    table = st.fixed_dictionaries(
        {}, optional={name: st.one_of(right, ANYTHING) for name, right in fields.items()}
    )
    return st.one_of(table, table, table, ANYTHING)


def arrays(item: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(item, max_size=3)


WHEN = st.dictionaries(KEYS, ANYTHING, max_size=3)
TEXTS = arrays(st.text(max_size=4))
RULE = shaped(
    {
        "name": st.text(max_size=4), "when": WHEN, "set": SCALARS, "raise": st.integers(-3, 3),
        "at_least": SCALARS, "at_most": SCALARS, "stop": st.booleans(), "why": st.text(),
    }
)  # fmt: skip
ROUTE = shaped({"name": st.text(max_size=4), "when": WHEN, "team": st.text(), "why": st.text()})
AGENT = shaped(
    {
        "id": st.text(max_size=4), "name": st.text(), "teams": TEXTS,
        "tiers": arrays(st.integers(-1, 3)), "skills": TEXTS, "capacity": st.integers(-1, 20),
    }
)  # fmt: skip
ACTION = shaped(
    {
        "name": st.text(), "on": SCALARS, "metric": SCALARS, "policy": SCALARS,
        "threshold": SCALARS, "raise": st.integers(-2, 2), "escalate": st.booleans(),
        "escalate_to": st.text(), "reassign": st.booleans(), "tag": st.text(),
    }
)  # fmt: skip
POLICIES = shaped(
    {
        "priority": shaped({"default": SCALARS, "rules": arrays(RULE)}),
        "routing": shaped({"default_team": st.text(), "routes": arrays(ROUTE)}),
        "agents": arrays(AGENT),
        "assignment": shaped(
            {
                "strategy": SCALARS,
                "on_open": st.booleans(),
                "on_escalation": st.booleans(),
                "skills_by_category": st.dictionaries(st.text(max_size=3), TEXTS, max_size=2),
            }
        ),
        "sla_actions": arrays(ACTION),
    }
)


@given(POLICIES)
def test_any_structure_loads_or_is_a_configuration_error(data: Any) -> None:
    """Whatever a TOML file holds, with any type at any key, the loader builds policies
    or raises ConfigurationError naming the source; nothing else comes out."""
    message = "fuzz.toml: "
    try:
        parse_policies(data, source="fuzz.toml")
    except ConfigurationError as error:
        message = str(error)
    assert message.startswith("fuzz.toml: ")


@given(st.binary(max_size=60) | st.text(max_size=60).map(str.encode))
def test_any_bytes_load_or_are_a_configuration_error(content: bytes) -> None:
    """Whatever bytes a file holds, loading it gives policies or a ConfigurationError."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "p.toml"
        path.write_bytes(content)
        message = str(path)
        try:
            load_policies(path)
        except ConfigurationError as error:
            message = str(error)
        assert message.startswith(str(path))
