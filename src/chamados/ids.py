"""Identifiers: ticket ids people can read aloud, and unique ids for events and messages."""

from __future__ import annotations

import itertools
import secrets
import threading
import uuid
from typing import Protocol

__all__ = ["IdFactory", "RandomTicketIds", "SequentialIds", "new_uid"]

_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class IdFactory(Protocol):
    """Makes a new, unique ticket id each call."""

    def __call__(self) -> str:
        """A new id."""
        ...


class RandomTicketIds:
    """Random ids like ``CH-7K3M9Q2XWBT4``: 60 random bits in Crockford base32.

    No ambiguous letters (no I, L, O, U), safe to read over the phone, and made without
    coordination between workers. With a million tickets the chance that two ids ever
    collide is below one in two million; the storage refuses a duplicate id anyway, and
    ``Helpdesk.open`` then tries a new one.
    """

    def __init__(self, prefix: str = "CH-") -> None:
        self.prefix = prefix

    def __call__(self) -> str:
        value = secrets.randbits(60)
        chars = [_CROCKFORD[(value >> shift) & 31] for shift in range(55, -1, -5)]
        return self.prefix + "".join(chars)


class SequentialIds:
    """Ids ``T-0001``, ``T-0002``...: readable, for tests, demos and single-process apps.

    >>> ids = SequentialIds()
    >>> ids(), ids()
    ('T-0001', 'T-0002')
    """

    def __init__(self, prefix: str = "T-", *, start: int = 1, width: int = 4) -> None:
        self.prefix = prefix
        self.width = width
        self._counter = itertools.count(start)
        self._lock = threading.Lock()

    def __call__(self) -> str:
        with self._lock:
            number = next(self._counter)
        return f"{self.prefix}{number:0{self.width}d}"


def new_uid() -> str:
    """A random 32-character hexadecimal id, for events and messages."""
    return uuid.uuid4().hex
