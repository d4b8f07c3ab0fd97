"""The one set of limits every stored value keeps, and the checks that apply them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from chamados import InvalidTicketError, limits
from chamados.limits import check_flag, check_integer, check_optional_text, check_text
from chamados.storage.sql import metadata

DOCS = Path(__file__).parent.parent / "docs"


class TestText:
    @given(st.integers(1, 300), st.sampled_from(["a", "ç", "😀", "x "]))
    def test_text_up_to_the_limit_is_accepted_and_one_more_is_refused(
        self, limit: int, piece: str
    ) -> None:
        """Length is counted in characters, whatever their size in UTF-8."""
        text = (piece * limit)[:limit]
        assert check_text(text, field="team", limit=limit) == text
        with pytest.raises(InvalidTicketError, match=f"the limit is {limit}") as caught:
            check_text(text + "a", field="team", limit=limit)
        assert caught.value.field == "team"

    @given(st.text(max_size=20), st.text(max_size=20))
    def test_a_nul_anywhere_is_refused(self, before: str, after: str) -> None:
        """NUL is refused wherever it is (PostgreSQL cannot store it)."""
        with pytest.raises(InvalidTicketError, match="NUL") as caught:
            check_text(f"x{before}\x00{after}", field="subject", limit=100)
        assert caught.value.field == "subject"

    @pytest.mark.parametrize("code", [0xD800, 0xDFFF, 0xDCC3])
    def test_a_lone_surrogate_is_refused(self, code: int) -> None:
        """Text UTF-8 cannot encode is refused (it crashes exports and drivers later)."""
        with pytest.raises(InvalidTicketError, match="lone surrogate") as caught:
            check_text(f"caf{chr(code)}", field="body", limit=100)
        assert caught.value.field == "body"

    @pytest.mark.parametrize("value", [5, 1.5, b"bytes", None, ["a"], True])
    def test_what_is_not_a_string_is_refused(self, value: object) -> None:
        """A wrong type is an InvalidTicketError naming the field, not a crash later."""
        with pytest.raises(InvalidTicketError, match="must be a string") as caught:
            check_text(value, field="team", limit=10)
        assert caught.value.field == "team"

    @pytest.mark.parametrize("value", ["", "   ", "\n\t"])
    def test_blank_text_is_refused_unless_allowed(self, value: str) -> None:
        """Names must say something; free text (a reason) may be empty."""
        with pytest.raises(InvalidTicketError, match="must not be empty"):
            check_text(value, field="team", limit=10)
        assert check_text(value, field="reason", limit=10, blank=True) == value

    def test_optional_text_takes_none(self) -> None:
        """None is no value at all; anything else is checked as text."""
        assert check_optional_text(None, field="team", limit=10) is None
        with pytest.raises(InvalidTicketError):
            check_optional_text("", field="team", limit=10)

    def test_a_huge_value_is_not_copied_into_the_message(self) -> None:
        """The error stays short even for a value of megabytes."""
        with pytest.raises(InvalidTicketError) as caught:
            check_text(b"x" * 10**6, field="body", limit=10)
        assert len(str(caught.value)) < 200


class TestFlagsAndIntegers:
    @given(st.one_of(st.text(), st.integers(), st.none(), st.floats(), st.lists(st.booleans())))
    def test_flags_take_only_booleans(self, value: object) -> None:
        """A truthy string or a number is not a flag: "false" must not mean True."""
        with pytest.raises(InvalidTicketError, match="True or False"):
            check_flag(value, field="public")

    def test_flags_accept_true_and_false(self) -> None:
        """The two booleans pass unchanged."""
        assert check_flag(True, field="public") is True
        assert check_flag(False, field="public") is False

    @pytest.mark.parametrize("value", [True, "1", 1.0, 0, 6])
    def test_integers_are_ints_in_range(self, value: object) -> None:
        """bool, strings, floats and values out of range are refused."""
        with pytest.raises(InvalidTicketError, match="from 1 to 5"):
            check_integer(value, field="score", low=1, high=5)


def test_the_sql_schema_sizes_its_columns_from_the_limits() -> None:
    """Every limited column is exactly as wide as its limit, so the two cannot drift."""
    widths = {
        (table.name, column.name): column.type.length
        for table in metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, sa.String) and column.type.length is not None
    }
    expected = {
        "tenant": limits.TENANT,
        "channel": limits.CHANNEL,
        "team": limits.TEAM,
        "assignee": limits.TEAM,
        "category": limits.ID,
        "partner_id": limits.ID,
        "requester_id": limits.ID,
        "actor_id": limits.ID,
        "author_id": limits.ID,
        "workflow": limits.NAME,
        "policy": limits.NAME,
        "ticket_id": limits.TICKET_ID,
        "event_id": limits.TICKET_ID,
        "external_id": limits.EXTERNAL_ID,
        "key": limits.IDEMPOTENCY_KEY,
    }
    for (table, column), width in widths.items():
        if column in expected:
            assert width == expected[column], (table, column)
    assert widths[("chamados_tickets", "id")] == limits.TICKET_ID
    assert widths[("chamados_tickets", "status")] == limits.NAME


def test_the_limits_table_in_the_docs_matches_the_limits() -> None:
    """docs/tickets.md states the limits the code keeps."""
    text = (DOCS / "tickets.md").read_text()
    rows = dict(re.findall(r"^\| (.+?) \| (.+?) \|", text, re.MULTILINE))

    def number(row: str) -> int:
        return int(re.search(r"[\d,]+", rows[row]).group().replace(",", ""))  # type: ignore[union-attr]

    assert number("ticket `id`; event and message ids") == limits.TICKET_ID
    assert number("`tenant`, `channel`") == limits.TENANT == limits.CHANNEL
    assert number("`team`, `assignee`") == limits.TEAM
    assert number("`category`, `order_id`, party ids") == limits.ID
    assert number("`workflow`, `status`, SLA policy names") == limits.NAME
    assert number("`subject`") == limits.SUBJECT
    assert number("party `name`") == limits.PARTY_NAME
    assert number("message `body`") == limits.BODY
    assert number("message `external_id`") == limits.EXTERNAL_ID
    assert number("`idempotency_key`") == limits.IDEMPOTENCY_KEY
    assert number("`reason`, resolution `summary`, rating `comment`") == limits.TEXT
    assert rows["`tags`"] == f"{limits.TAGS} tags of {limits.TAG} characters each"
    assert (
        rows["`custom_fields`"]
        == f"{limits.FIELDS} fields; names of {limits.FIELD_NAME} characters"
    )
    assert f"text of {limits.FIELD_VALUE:,}" in rows["custom field values"]
    assert rows["`tier`"] == f"1 to {limits.TIER}"
