"""Storage: the port (unit of work) and its adapters."""

from chamados.storage.memory import MemoryStorage
from chamados.storage.outbox import Outbox, OutboxMessage
from chamados.storage.port import (
    Changes,
    DuplicateKeyError,
    IdempotencyRecord,
    Storage,
    TicketQuery,
    UnitOfWork,
)

__all__ = [
    "Changes",
    "DuplicateKeyError",
    "IdempotencyRecord",
    "MemoryStorage",
    "Outbox",
    "OutboxMessage",
    "Storage",
    "TicketQuery",
    "UnitOfWork",
]
