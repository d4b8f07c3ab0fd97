"""The texts of customer messages: the templates chamados writes by default, the
placeholders each may use, and the checks a host's own templates pass.

``chamados.notify.CustomerMessages`` chooses which message to send and fills in the
values; this module holds only the words, in Brazilian Portuguese and in English, and
refuses a template that would fail when a message is due.
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from typing import Final

from attrs import Attribute, field, frozen

from chamados.exceptions import ConfigurationError
from chamados.labels import Language

__all__ = [
    "DEFAULT_TEMPLATES",
    "PLACEHOLDERS",
    "TEMPLATE_KEYS",
    "MessageTemplate",
    "check_placeholders",
    "known_keys",
]

TEMPLATE_KEYS: Final[tuple[str, ...]] = (
    "received",
    "replied",
    "waiting_on_you",
    "waiting_on_partner",
    "partner_request",
    "escalated",
    "resolved",
    "closed",
    "deadline_slipping",
)
"""Every message chamados knows how to write, in the order a ticket usually meets them."""

_COMMON = frozenset(
    {"store", "ticket", "subject", "order", "about", "name", "greeting", "partner"}
)
PLACEHOLDERS: Final[Mapping[str, frozenset[str]]] = {
    "received": _COMMON | {"deadline"},
    "replied": _COMMON | {"author", "message"},
    "waiting_on_you": _COMMON | {"status"},
    "waiting_on_partner": _COMMON | {"status", "deadline"},
    "partner_request": _COMMON | {"status", "deadline"},
    "escalated": _COMMON | {"deadline"},
    "resolved": _COMMON | {"summary"},
    "closed": _COMMON,
    "deadline_slipping": _COMMON | {"metric", "deadline"},
}
"""The ``$placeholders`` each template may use (see ``docs/customer-messages.md``)."""


def _text(instance: object, attribute: Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(
            f"a message template's {attribute.name} must be a non-empty string, got {value!r}",
            key="templates",
        )


@frozen
class MessageTemplate:
    """A message's subject and plain-text body, with ``string.Template`` placeholders.

    ``$ticket`` or ``${ticket}`` is replaced by the value; ``$$`` writes a dollar sign.
    Placeholders are names only (no attribute access, no format specs), so a template
    cannot reach into the objects behind the values. Which names a template may use
    depends on its key: ``PLACEHOLDERS``.

    >>> MessageTemplate(subject="Chamado $ticket", body="Olá!").subject
    'Chamado $ticket'
    """

    subject: str = field(validator=_text)
    body: str = field(validator=_text)


def _t(subject: str, *lines: str) -> MessageTemplate:
    return MessageTemplate(subject=subject, body="\n".join(lines))


_PT: Final = "pt-BR"
_EN: Final = "en"

DEFAULT_TEMPLATES: Final[Mapping[tuple[str, Language], MessageTemplate]] = {
    ("received", _PT): _t(
        "Recebemos seu chamado $ticket",
        "$greeting",
        "",
        "Recebemos seu chamado $ticket sobre $about.",
        "Nossa equipe vai responder $deadline.",
        "",
        "Se quiser acrescentar alguma informação, é só responder a esta mensagem.",
        "",
        "Equipe $store",
    ),
    ("received", _EN): _t(
        "We received your ticket $ticket",
        "$greeting",
        "",
        "We received your ticket $ticket about $about.",
        "Our team will answer $deadline.",
        "",
        "To add anything, just reply to this message.",
        "",
        "The $store team",
    ),
    ("replied", _PT): _t(
        "Nova resposta no chamado $ticket",
        "$greeting",
        "",
        "$author respondeu ao seu chamado $ticket sobre $about:",
        "",
        "$message",
        "",
        "Se precisar de algo mais, é só responder a esta mensagem.",
        "",
        "Equipe $store",
    ),
    ("replied", _EN): _t(
        "New answer on ticket $ticket",
        "$greeting",
        "",
        "$author answered your ticket $ticket about $about:",
        "",
        "$message",
        "",
        "If you need anything else, just reply to this message.",
        "",
        "The $store team",
    ),
    ("waiting_on_you", _PT): _t(
        "Chamado $ticket: precisamos de um retorno seu",
        "$greeting",
        "",
        "Para continuarmos o atendimento do seu chamado $ticket sobre $about, "
        "precisamos de um retorno seu.",
        "Situação atual: $status.",
        "",
        "Responda a esta mensagem com o que foi pedido ou se tiver alguma dúvida.",
        "",
        "Equipe $store",
    ),
    ("waiting_on_you", _EN): _t(
        "Ticket $ticket: we need something from you",
        "$greeting",
        "",
        "To go on with your ticket $ticket about $about, we need something from you.",
        "Current status: $status.",
        "",
        "Reply to this message with what was asked, or if you have any question.",
        "",
        "The $store team",
    ),
    ("waiting_on_partner", _PT): _t(
        "Chamado $ticket: aguardando o vendedor",
        "$greeting",
        "",
        "Encaminhamos seu chamado $ticket sobre $about para $partner, "
        "que deve responder $deadline.",
        "Avisaremos você assim que tivermos novidades.",
        "",
        "Equipe $store",
    ),
    ("waiting_on_partner", _EN): _t(
        "Ticket $ticket: waiting for the seller",
        "$greeting",
        "",
        "We forwarded your ticket $ticket about $about to $partner, who should answer $deadline.",
        "We will let you know as soon as we hear back.",
        "",
        "The $store team",
    ),
    ("partner_request", _PT): _t(
        "$store: o chamado $ticket aguarda sua resposta",
        "$greeting",
        "",
        "O chamado $ticket sobre $about precisa de uma resposta sua.",
        "Situação atual: $status.",
        "Por favor, responda $deadline.",
        "",
        "Equipe $store",
    ),
    ("partner_request", _EN): _t(
        "$store: ticket $ticket awaits your answer",
        "$greeting",
        "",
        "Ticket $ticket about $about needs an answer from you.",
        "Current status: $status.",
        "Please answer $deadline.",
        "",
        "The $store team",
    ),
    ("escalated", _PT): _t(
        "Chamado $ticket: encaminhado a um especialista",
        "$greeting",
        "",
        "Seu chamado $ticket sobre $about foi encaminhado a um especialista da nossa "
        "equipe, que vai cuidar dele a partir de agora.",
        "Você terá um retorno $deadline.",
        "",
        "Equipe $store",
    ),
    ("escalated", _EN): _t(
        "Ticket $ticket: passed to a specialist",
        "$greeting",
        "",
        "Your ticket $ticket about $about was passed to a specialist on our team, "
        "who takes it from here.",
        "You will hear from us $deadline.",
        "",
        "The $store team",
    ),
    ("resolved", _PT): _t(
        "Chamado $ticket resolvido",
        "$greeting",
        "",
        "Seu chamado $ticket sobre $about foi resolvido:",
        "",
        "$summary",
        "",
        "Se o problema continuar, é só responder a esta mensagem que reabrimos o chamado.",
        "",
        "Equipe $store",
    ),
    ("resolved", _EN): _t(
        "Ticket $ticket resolved",
        "$greeting",
        "",
        "Your ticket $ticket about $about was resolved:",
        "",
        "$summary",
        "",
        "If the problem persists, just reply to this message and we will reopen the ticket.",
        "",
        "The $store team",
    ),
    ("closed", _PT): _t(
        "Chamado $ticket encerrado",
        "$greeting",
        "",
        "Seu chamado $ticket sobre $about foi encerrado. Obrigado pelo contato!",
        "",
        "Equipe $store",
    ),
    ("closed", _EN): _t(
        "Ticket $ticket closed",
        "$greeting",
        "",
        "Your ticket $ticket about $about is closed. Thank you for reaching out!",
        "",
        "The $store team",
    ),
    ("deadline_slipping", _PT): _t(
        "Chamado $ticket: novo prazo",
        "$greeting",
        "",
        "Pedimos desculpas: não vamos conseguir cumprir o prazo de $metric que informamos "
        "para o seu chamado $ticket sobre $about.",
        "Nova previsão: $deadline.",
        "",
        "Equipe $store",
    ),
    ("deadline_slipping", _EN): _t(
        "Ticket $ticket: new estimate",
        "$greeting",
        "",
        "We are sorry: we will not meet the $metric time we gave you for your ticket "
        "$ticket about $about.",
        "New estimate: $deadline.",
        "",
        "The $store team",
    ),
}
"""The texts chamados writes by default, by ``(key, language)``."""


def known_keys(keys: Iterable[str], where: str) -> frozenset[str]:
    """``keys`` as a set, if each is a key of ``TEMPLATE_KEYS``; ``where`` names the setting."""
    found = frozenset(keys) if not isinstance(keys, str) else frozenset({keys})
    unknown = sorted(k for k in found if k not in TEMPLATE_KEYS)
    if unknown:
        raise ConfigurationError(
            f"{where}: unknown message template key(s) {', '.join(map(repr, unknown))}; "
            f"the keys are {', '.join(TEMPLATE_KEYS)}",
            key=where,
        )
    return found


def check_placeholders(key: str, tag: str, template: MessageTemplate) -> None:
    """Refuse a ``template`` for ``(key, tag)`` using a placeholder ``key`` does not offer,
    or a ``$`` that starts none."""
    allowed = PLACEHOLDERS[key]
    sample = {name: name for name in allowed}
    for part in ("subject", "body"):
        text = getattr(template, part)
        compiled = string.Template(text)
        unknown = sorted(set(compiled.get_identifiers()) - allowed)
        problem = None
        if not compiled.is_valid():
            problem = "has a '$' that starts no placeholder (write '$$' for a dollar sign)"
        elif unknown:
            problem = f"uses unknown placeholder(s) {', '.join('$' + n for n in unknown)}"
        else:
            compiled.substitute(sample)  # renders against a sample: cannot fail now
        if problem is not None:
            raise ConfigurationError(
                f"the {part} of template {(key, tag)!r} {problem}; {key!r} offers "
                f"{', '.join('$' + n for n in sorted(allowed))}",
                key="templates",
            )
