"""A ticket described in a few keys (JSON), to see what the policies would do with it.

``chamados policy explain`` opens the described ticket on a scratch desk with the very
command a desk runs; ``open_arguments`` turns the description into that command's
arguments, refusing keys it does not know (a misspelt key must not silently explain
another ticket).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from chamados.exceptions import ConfigurationError
from chamados.model import Party, PartyKind
from chamados.policies.reading import array_of, as_table, field_of, shown

__all__ = ["TICKET_KEYS", "open_arguments"]

TICKET_KEYS: dict[str, str] = {
    "tenant": "the store (default: loja)",
    "channel": "where it came from (default: site)",
    "requester": "who opened it, 'kind:id' or {kind, id} (default: customer:c-1)",
    "opened_by": "who typed it in, when not the requester",
    "subject": "the subject line",
    "body": "the first message",
    "category": "the category",
    "priority": "a priority set by hand (the priority rules then leave it alone)",
    "partner": "the partner seller or supplier, 'partner:id'",
    "order_id": "the order",
    "team": "a team set by hand (the routes then leave it alone)",
    "tags": "a list of tags",
    "fields": "custom fields, an object (also: custom_fields)",
    "custom_fields": "the same as fields",
    "workflow": "the workflow (default: the desk's default)",
}
"""What a ticket description for ``chamados policy explain`` may say: the arguments of
``Helpdesk.open``."""

_TEXT_KEYS = ("tenant", "channel", "subject", "body", "category", "order_id", "team")


def open_arguments(data: Mapping[str, Any] | str) -> dict[str, Any]:
    """The ``Helpdesk.open`` arguments a ticket description (JSON, or a mapping) gives,
    for explaining policies with the very command the desk runs.

    Keys are ``TICKET_KEYS``; any other key is a ``ConfigurationError`` naming it and the
    known keys (a misspelt key must not silently explain another ticket).

    >>> open_arguments('{"category": "pagamento", "fields": {"valor_pedido": 1500}}')["category"]
    'pagamento'
    >>> open_arguments('{"tier": 2}')
    Traceback (most recent call last):
    ...
    chamados.exceptions.ConfigurationError: the ticket has unknown key(s) tier; the keys are ...
    """
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except (json.JSONDecodeError, RecursionError) as error:
            raise ConfigurationError(
                f"the ticket is not valid JSON: {error}", key="ticket"
            ) from None
    if not isinstance(data, Mapping):
        raise ConfigurationError("the ticket must be a JSON object", key="ticket")
    unknown = sorted(str(key) for key in data if key not in TICKET_KEYS)
    if unknown:
        raise ConfigurationError(
            f"the ticket has unknown key(s) {', '.join(unknown)}; the keys are "
            f"{', '.join(sorted(TICKET_KEYS))}",
            key=f"ticket.{unknown[0]}",
        )
    if "fields" in data and "custom_fields" in data:
        raise ConfigurationError(
            "the ticket gives both fields and custom_fields: keep one", key="ticket.fields"
        )
    where = "the ticket"
    arguments: dict[str, Any] = {
        "tenant": "loja",
        "channel": "site",
        "subject": "Chamado de exemplo",
        "requester": _party(data.get("requester", "customer:c-1"), "requester"),
    }
    for key in (*_TEXT_KEYS, "priority", "workflow"):
        value = field_of(data, key, str, where)
        if value is not None:
            arguments[key] = value
    for key in ("partner", "opened_by"):
        if data.get(key) is not None:
            arguments[key] = _party(data[key], key)
    if data.get("tags") is not None:
        arguments["tags"] = array_of(data, "tags", str, where, [])
    fields = data.get("fields", data.get("custom_fields"))
    if fields is not None:
        arguments["custom_fields"] = dict(as_table(fields, f"{where}: fields"))
    return arguments


def _party(value: Any, key: str) -> Party:
    where = f"the ticket: {key}"
    if isinstance(value, str) and ":" in value:
        kind, _, party_id = value.partition(":")
    elif isinstance(value, Mapping):
        kind, party_id = value.get("kind", ""), value.get("id", "")
    else:
        raise ConfigurationError(
            f"{where}: a party is 'kind:id' or {{kind, id}}, got {shown(value)}", key=key
        )
    if not isinstance(kind, str) or not isinstance(party_id, str) or not party_id:
        raise ConfigurationError(
            f"{where}: a party's kind and id are text, got {shown(value)}", key=key
        )
    try:
        return Party(PartyKind(kind), party_id)
    except ValueError:
        kinds = ", ".join(k.value for k in PartyKind)
        raise ConfigurationError(
            f"{where}: unknown party kind {kind!r}; use {kinds}", key=key
        ) from None
