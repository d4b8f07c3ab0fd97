"""The chamados error tree: every failure a caller can act on, with its context.

Each error inherits from ``ChamadosError`` and, where one fits, from the builtin it
resembles (``ValueError``, ``LookupError``, ``PermissionError``), so code that already
catches the builtin keeps working. Each carries the context a caller needs to act
(``ticket_id``, ``event``, ``state``...) as attributes, and a message a person can act on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "AccessDeniedError",
    "ChamadosError",
    "ConcurrencyError",
    "ConfigurationError",
    "DeliveryError",
    "IdempotencyKeyReusedError",
    "InvalidTicketError",
    "SchemaVersionError",
    "StorageConfigurationError",
    "StorageError",
    "StorageUnavailableError",
    "TicketNotFoundError",
    "TransitionNotAllowedError",
    "UnknownStatusError",
    "UnknownWorkflowError",
    "WorkflowDefinitionError",
]


def _rebuild(cls: type[ChamadosError], args: tuple[object, ...], state: dict[str, object]) -> Any:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class ChamadosError(Exception):
    """The root of every error chamados raises on purpose."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Subclasses take keyword-only context, which the default pickling cannot replay;
        # rebuild from the message and the context attributes instead (worker processes).
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))


class ConfigurationError(ChamadosError, ValueError):
    """A setting, policy or calendar given to chamados cannot be used as it is.

    ``key`` names the offending setting when there is one.
    """

    def __init__(self, message: str, *, key: str | None = None) -> None:
        super().__init__(message)
        self.key = key


class UnknownWorkflowError(ConfigurationError, LookupError):
    """A ticket or a command names a workflow that is not registered."""

    def __init__(self, name: str, *, known: Sequence[str], ticket_id: str | None = None) -> None:
        where = f" (stored on ticket {ticket_id!r})" if ticket_id else ""
        super().__init__(
            f"unknown workflow {name!r}{where}; registered workflows are "
            f"{', '.join(sorted(known)) or 'none'}. Register it with "
            f"WorkflowRegistry.register() before opening or loading such tickets.",
            key=name,
        )
        self.name = name
        self.known = tuple(known)
        self.ticket_id = ticket_id


class UnknownStatusError(ConfigurationError, LookupError):
    """A stored ticket holds a status its workflow does not declare.

    This happens when a workflow drops or renames a state while tickets still hold it:
    add the state back, or migrate those tickets to a state that exists.
    """

    def __init__(
        self, status: str, *, workflow: str, known: Sequence[str], ticket_id: str | None = None
    ) -> None:
        where = f"ticket {ticket_id!r} holds" if ticket_id else "got"
        super().__init__(
            f"{where} status {status!r}, which workflow {workflow!r} does not declare "
            f"(its states are {', '.join(known)}). Add the state back to the workflow or "
            f"migrate the stored tickets to an existing state.",
            key=status,
        )
        self.status = status
        self.workflow = workflow
        self.known = tuple(known)
        self.ticket_id = ticket_id


class InvalidTicketError(ChamadosError, ValueError):
    """A command's input is not valid for the ticket: a bad field, rating or datetime.

    ``field`` names the offending input; ``ticket_id`` is set when a ticket exists.
    """

    def __init__(
        self, message: str, *, field: str | None = None, ticket_id: str | None = None
    ) -> None:
        super().__init__(message)
        self.field = field
        self.ticket_id = ticket_id


class IdempotencyKeyReusedError(ChamadosError, ValueError):
    """An idempotency key was sent again for another command or ticket, by another party
    or with other arguments (``again`` says which).

    A key must identify one command: repeating it exactly returns the first result, but
    sending it with anything changed is a bug in the caller.
    """

    def __init__(self, key: str, *, first: str, again: str, ticket_id: str | None = None) -> None:
        super().__init__(
            f"idempotency key {key!r} was first used for {first} and now for {again}; "
            f"give each command its own key (a marketplace message id, a request id)."
        )
        self.key = key
        self.first = first
        self.again = again
        self.ticket_id = ticket_id


class TransitionNotAllowedError(ChamadosError):
    """A workflow event cannot happen in the ticket's current state.

    ``allowed`` lists the events the current state accepts.
    """

    def __init__(
        self,
        *,
        ticket_id: str | None,
        event: str,
        state: str,
        allowed: Sequence[str],
        workflow: str,
        detail: str | None = None,
    ) -> None:
        ticket = f"ticket {ticket_id!r}" if ticket_id else "the ticket"
        if detail is None:
            options = ", ".join(allowed) if allowed else "none (it is a final state)"
            detail = f"events allowed in {state!r} are: {options}"
        super().__init__(
            f"cannot {event!r} {ticket} in state {state!r} of workflow {workflow!r}: {detail}"
        )
        self.ticket_id = ticket_id
        self.event = event
        self.state = state
        self.allowed = tuple(allowed)
        self.workflow = workflow


class WorkflowDefinitionError(ChamadosError):
    """A workflow class is defined in a way that cannot work; the message says what to rename.

    ``workflow`` is the class name and ``names`` the offending state or event names.
    """

    def __init__(self, message: str, *, workflow: str, names: Sequence[str] = ()) -> None:
        super().__init__(f"workflow {workflow!r}: {message}")
        self.workflow = workflow
        self.names = tuple(names)


class TicketNotFoundError(ChamadosError, LookupError):
    """No ticket with this id exists in the tenant the caller may see."""

    def __init__(self, ticket_id: str, *, tenant: str | None = None) -> None:
        where = f" in tenant {tenant!r}" if tenant is not None else ""
        super().__init__(f"ticket {ticket_id!r} not found{where}")
        self.ticket_id = ticket_id
        self.tenant = tenant


class ConcurrencyError(ChamadosError):
    """Someone else saved the ticket after it was loaded; nothing of this command was saved.

    Load the ticket again and retry the command (``chamados.retry_on_conflict``).
    ``actual`` is the version found, ``None`` when the ticket is gone or when the database
    stopped two transactions that clashed (a deadlock, a serialization failure or a lock
    wait that timed out; ``clash`` names it) before either saved. ``expected`` is the
    version loaded, ``None`` when the command stopped while waiting to load the ticket.
    """

    def __init__(
        self,
        ticket_id: str,
        *,
        expected: int | None,
        actual: int | None,
        clash: str | None = None,
    ) -> None:
        if clash is not None:
            why = f"another transaction was changing it at the same time ({clash})"
        else:
            why = "it was deleted" if actual is None else f"it is now at version {actual}"
        loaded = "could not be loaded" if expected is None else f"was loaded at version {expected}"
        joint = ":" if expected is None else " but"
        super().__init__(
            f"ticket {ticket_id!r} {loaded}{joint} {why}; "
            f"nothing was saved. Load it again and retry the command."
        )
        self.ticket_id = ticket_id
        self.expected = expected
        self.actual = actual


class AccessDeniedError(ChamadosError, PermissionError):
    """The actor may not do this to this ticket (another tenant, not its ticket, internal)."""

    def __init__(
        self, message: str, *, ticket_id: str | None = None, actor: str | None = None
    ) -> None:
        super().__init__(message)
        self.ticket_id = ticket_id
        self.actor = actor


class StorageError(ChamadosError):
    """The storage adapter failed; the command was not applied."""


class StorageUnavailableError(StorageError):
    """The database cannot be reached (down, or the connection was lost mid-command).

    Nothing of the command was stored, with one exception a database cannot rule out:
    when the connection drops while the server commits, the command may have been
    stored. ``maybe_stored`` is true then; retry with the same idempotency key, which
    applies the command once either way.
    """

    def __init__(self, message: str, *, maybe_stored: bool = False) -> None:
        super().__init__(message)
        self.maybe_stored = maybe_stored


class StorageConfigurationError(StorageError, ConfigurationError):
    """The database refuses the connection for a reason only a change of configuration
    fixes: an unknown database or user, a wrong password, a connection option the driver
    refuses, a SQLite file in a folder that does not exist.

    Nothing was stored, and running the command again changes nothing: the message says
    what to fix (``key`` is ``"storage"``). ``retry_on_conflict`` never retries it.
    """

    def __init__(self, message: str, *, key: str | None = "storage") -> None:
        super().__init__(message, key=key)


class SchemaVersionError(StorageError):
    """The database's chamados tables are older or newer than this chamados.

    ``found`` and ``expected`` are the schema versions; the message names the command
    that fixes it (``chamados db upgrade``, or upgrading chamados).
    """

    def __init__(self, message: str, *, found: int | None, expected: int) -> None:
        super().__init__(message)
        self.found = found
        self.expected = expected


class DeliveryError(ChamadosError):
    """A notifier could not deliver a message.

    ``transient`` says whether trying again later may succeed.
    """

    def __init__(self, message: str, *, transient: bool = True) -> None:
        super().__init__(message)
        self.transient = transient
