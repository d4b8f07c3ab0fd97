"""chamados: support tickets for online stores and marketplaces.

Ticket workflows as state machines, a complete history of every change, and ports through
which the host application plugs in its storage, clock and notification channels.

>>> from chamados import Helpdesk, Party
>>> from chamados.testing import FakeClock
>>> desk = Helpdesk(clock=FakeClock("2026-03-02T09:00:00-03:00"))
>>> ticket = desk.open(tenant="loja-1", channel="site", requester=Party.customer("c-1"),
...                    subject="Pedido não chegou")
>>> ticket.status
'new'
"""

from chamados._version import __version__ as __version__
from chamados.clock import Clock, SystemClock
from chamados.desk import UNSET, Helpdesk
from chamados.events import (
    Assigned,
    Cause,
    Closed,
    Escalated,
    FieldsChanged,
    NoteAdded,
    PriorityChanged,
    Rated,
    Reopened,
    Replied,
    Resolved,
    SlaApplied,
    SlaBreached,
    SlaEvent,
    SlaMet,
    SlaPaused,
    SlaResumed,
    SlaWarning,
    StatusChanged,
    TicketEvent,
    TicketOpened,
    describe,
)
from chamados.exceptions import (
    AccessDeniedError,
    ChamadosError,
    ConcurrencyError,
    ConfigurationError,
    DeliveryError,
    IdempotencyKeyReusedError,
    InvalidTicketError,
    SchemaVersionError,
    StorageConfigurationError,
    StorageError,
    StorageUnavailableError,
    TicketNotFoundError,
    TransitionNotAllowedError,
    UnknownStatusError,
    UnknownWorkflowError,
    WorkflowDefinitionError,
)
from chamados.ids import IdFactory, RandomTicketIds, SequentialIds
from chamados.labels import Label
from chamados.model import Category, Message, Owner, Party, PartyKind, Priority, Ticket
from chamados.notify import Notifier
from chamados.policies import Policies, SlaAction
from chamados.retry import retry_on_conflict
from chamados.storage import MemoryStorage, Storage, UnitOfWork

__all__ = [
    "UNSET",
    "AccessDeniedError",
    "Assigned",
    "Category",
    "Cause",
    "ChamadosError",
    "Clock",
    "Closed",
    "ConcurrencyError",
    "ConfigurationError",
    "DeliveryError",
    "Escalated",
    "FieldsChanged",
    "Helpdesk",
    "IdFactory",
    "IdempotencyKeyReusedError",
    "InvalidTicketError",
    "Label",
    "MemoryStorage",
    "Message",
    "NoteAdded",
    "Notifier",
    "Owner",
    "Party",
    "PartyKind",
    "Policies",
    "Priority",
    "PriorityChanged",
    "RandomTicketIds",
    "Rated",
    "Reopened",
    "Replied",
    "Resolved",
    "SchemaVersionError",
    "SequentialIds",
    "SlaAction",
    "SlaApplied",
    "SlaBreached",
    "SlaEvent",
    "SlaMet",
    "SlaPaused",
    "SlaResumed",
    "SlaWarning",
    "StatusChanged",
    "Storage",
    "StorageConfigurationError",
    "StorageError",
    "StorageUnavailableError",
    "SystemClock",
    "Ticket",
    "TicketEvent",
    "TicketNotFoundError",
    "TicketOpened",
    "TransitionNotAllowedError",
    "UnitOfWork",
    "UnknownStatusError",
    "UnknownWorkflowError",
    "WorkflowDefinitionError",
    "describe",
    "retry_on_conflict",
]
