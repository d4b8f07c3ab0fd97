"""The limits every value chamados stores must keep, and the checks that apply them.

One set of limits for every storage adapter: a value is accepted or refused the same way
in memory, SQLite, PostgreSQL and MariaDB, and refused before any adapter sees it. The SQL
schema sizes its columns from these constants, so the two cannot drift apart.

Text is counted in characters (code points), as PostgreSQL and MariaDB (``utf8mb4``)
count them. Every text must be valid Unicode that UTF-8 can encode (no lone surrogates)
and carry no NUL character; PostgreSQL stores neither, and a webhook, a CSV export or a
terminal cannot write a lone surrogate. A refusal is an ``InvalidTicketError`` naming the
field.

>>> check_text("financeiro", field="team", limit=TEAM)
'financeiro'
>>> check_text("a\\x00b", field="team", limit=TEAM)
Traceback (most recent call last):
...
chamados.exceptions.InvalidTicketError: team contains a NUL character (\\x00) at position 1; ...
>>> check_flag("false", field="public")
Traceback (most recent call last):
...
chamados.exceptions.InvalidTicketError: public must be True or False, got the str 'false'
"""

from __future__ import annotations

from typing import Final

from chamados.exceptions import InvalidTicketError

__all__ = [
    "BODY",
    "CHANNEL",
    "ERROR",
    "EXTERNAL_ID",
    "FIELDS",
    "FIELD_NAME",
    "FIELD_VALUE",
    "ID",
    "IDEMPOTENCY_KEY",
    "INTEGER_MAX",
    "INTEGER_MIN",
    "NAME",
    "PARTY_NAME",
    "SUBJECT",
    "TAG",
    "TAGS",
    "TEAM",
    "TENANT",
    "TEXT",
    "TICKET_ID",
    "TIER",
    "check_flag",
    "check_integer",
    "check_optional_text",
    "check_text",
    "storable_text",
]

TICKET_ID: Final = 64
"""Ticket ids, and the ids of events and messages."""
ID: Final = 128
"""Party ids (requester, partner, author, actor), categories and order ids."""
TENANT: Final = 128
"""Tenant names."""
CHANNEL: Final = 128
"""Channel names (``site``, ``email``, ``mercado_livre``...)."""
TEAM: Final = 128
"""Team (sector) names and assignees (agent ids)."""
NAME: Final = 64
"""Names defined in code or configuration: workflows, states, events, SLA policies."""
EXTERNAL_ID: Final = 255
"""A message's id in its channel (an e-mail Message-ID, a marketplace message id)."""
IDEMPOTENCY_KEY: Final = 191
"""Idempotency keys (191 characters fit MariaDB's index limit in ``utf8mb4``)."""
SUBJECT: Final = 255
"""A ticket's subject."""
PARTY_NAME: Final = 255
"""A party's display name."""
TAG: Final = 64
"""One tag."""
TAGS: Final = 100
"""Tags on one ticket."""
FIELD_NAME: Final = 64
"""A custom field's name."""
FIELD_VALUE: Final = 1_000
"""A custom field's text value."""
FIELDS: Final = 100
"""Custom fields on one ticket."""
TEXT: Final = 10_000
"""Free text that is not a message: reasons, resolution summaries, rating comments."""
BODY: Final = 100_000
"""A message body. Even escaped as JSON (six bytes for a control character) a body stays
under 1 MB, well inside MariaDB's default ``max_allowed_packet`` (16 MB)."""
ERROR: Final = 2_000
"""A delivery error the outbox records (cut, never refused: see ``storable_text``)."""
TIER: Final = 99
"""The highest support level a ticket can reach (1 = N1, 2 = N2...)."""
INTEGER_MIN: Final = -(2**63)
INTEGER_MAX: Final = 2**63 - 1
"""Integer custom field values: what a signed 64-bit column (and JSON readers) hold."""


def _shown(value: object) -> str:
    """``value`` for an error message, short even when the value is huge."""
    if isinstance(value, str) and len(value) > 40:
        return f"the str {value[:30]!r}... ({len(value)} characters)"
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:50] + "..."
    return f"the {type(value).__name__} {shown}"


def check_text(
    value: object, *, field: str, limit: int, blank: bool = False, label: str | None = None
) -> str:
    """``value`` if it is a string of at most ``limit`` characters, without NUL and lone
    surrogates, and (unless ``blank``) not empty or only spaces; an ``InvalidTicketError``
    naming ``field`` otherwise. ``label`` names the value in the message (``field`` by
    default)."""
    what = field if label is None else label
    if not isinstance(value, str):
        raise InvalidTicketError(f"{what} must be a string, got {_shown(value)}", field=field)
    if len(value) > limit:
        raise InvalidTicketError(
            f"{what} is {len(value)} characters long; the limit is {limit}", field=field
        )
    if not blank and (not value or value.isspace()):
        raise InvalidTicketError(f"{what} must not be empty, got {value!r}", field=field)
    if "\x00" in value:
        raise InvalidTicketError(
            f"{what} contains a NUL character (\\x00) at position {value.index(chr(0))}; "
            f"remove it",
            field=field,
        )
    if not value.isascii():
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as error:
            raise InvalidTicketError(
                f"{what} contains a lone surrogate ({value[error.start]!r}) at position "
                f"{error.start}, which is not text; decode the input as UTF-8 first "
                f"(with errors='replace' if it may be malformed)",
                field=field,
            ) from None
    return value


def check_optional_text(
    value: object, *, field: str, limit: int, blank: bool = False, label: str | None = None
) -> str | None:
    """``None``, or ``value`` as ``check_text`` accepts it."""
    if value is None:
        return None
    return check_text(value, field=field, limit=limit, blank=blank, label=label)


def storable_text(value: str, *, limit: int) -> str:
    """``value`` made storable rather than refused: NUL and lone surrogates become U+FFFD
    and the text is cut to ``limit`` characters. For text chamados records about the world
    outside (a notifier's error message), which it must keep whatever it holds.

    >>> storable_text("503 \\x00 caf\\udce9", limit=9)
    '503 \ufffd ca…'
    """
    cleaned = value.replace("\x00", "\ufffd")
    if not cleaned.isascii():
        try:
            cleaned.encode("utf-8")
        except UnicodeEncodeError:
            cleaned = "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in cleaned)
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "…"


def check_flag(value: object, *, field: str) -> bool:
    """``value`` if it is ``True`` or ``False``: a flag never takes a truthy string."""
    if value is not True and value is not False:
        raise InvalidTicketError(
            f"{field} must be True or False, got {_shown(value)}", field=field
        )
    return value


def check_integer(value: object, *, field: str, low: int, high: int) -> int:
    """``value`` if it is an ``int`` (not a ``bool``) from ``low`` to ``high``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidTicketError(
            f"{field} must be an integer from {low} to {high}, got {_shown(value)}", field=field
        )
    if not low <= value <= high:
        raise InvalidTicketError(
            f"{field} must be an integer from {low} to {high}, got {value}", field=field
        )
    return value
