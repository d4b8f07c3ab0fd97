"""Bilingual labels: the words end users read, in Brazilian Portuguese and in English."""

from __future__ import annotations

from typing import Literal

from attrs import frozen

from chamados.exceptions import ConfigurationError

__all__ = ["Label", "Language", "language"]

Language = Literal["pt-BR", "en"]
"""The languages chamados writes labels in."""

_ALIASES: dict[str, Language] = {
    "pt-br": "pt-BR",
    "pt_br": "pt-BR",
    "pt": "pt-BR",
    "en": "en",
    "en-us": "en",
    "en_us": "en",
    "en-gb": "en",
}


def language(value: str) -> Language:
    """Normalise a language tag (``"pt"``, ``"pt_BR"``, ``"en-US"``...) to a ``Language``.

    >>> language("pt_BR"), language("EN")
    ('pt-BR', 'en')
    """
    try:
        return _ALIASES[value.strip().lower()]
    except (KeyError, AttributeError):
        raise ConfigurationError(
            f"unknown language {value!r}; chamados speaks 'pt-BR' and 'en'", key="lang"
        ) from None


@frozen
class Label:
    """A text in Brazilian Portuguese (``pt``) and English (``en``).

    >>> Label(pt="Aberto", en="Open").get("pt-BR")
    'Aberto'
    """

    pt: str
    en: str

    def get(self, lang: str = "pt-BR") -> str:
        """The text in ``lang`` (any tag ``language()`` accepts)."""
        return self.pt if language(lang) == "pt-BR" else self.en

    def __str__(self) -> str:
        return f"{self.pt} / {self.en}"
