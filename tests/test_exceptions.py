"""The error tree: each error's place, its context and its message."""

from __future__ import annotations

import pickle

import pytest

from chamados import (
    AccessDeniedError,
    ChamadosError,
    ConcurrencyError,
    ConfigurationError,
    DeliveryError,
    IdempotencyKeyReusedError,
    InvalidTicketError,
    StorageConfigurationError,
    StorageError,
    StorageUnavailableError,
    TicketNotFoundError,
    TransitionNotAllowedError,
    UnknownStatusError,
    UnknownWorkflowError,
    WorkflowDefinitionError,
)


@pytest.mark.parametrize(
    ("error", "builtin"),
    [
        (ConfigurationError, ValueError),
        (InvalidTicketError, ValueError),
        (IdempotencyKeyReusedError, ValueError),
        (TicketNotFoundError, LookupError),
        (UnknownWorkflowError, LookupError),
        (UnknownStatusError, LookupError),
        (AccessDeniedError, PermissionError),
    ],
)
def test_errors_also_inherit_the_builtin_they_resemble(
    error: type[Exception], builtin: type[Exception]
) -> None:
    """Code that catches the builtin also catches the chamados error."""
    assert issubclass(error, builtin)
    assert issubclass(error, ChamadosError)


@pytest.mark.parametrize(
    "error",
    [
        TransitionNotAllowedError,
        WorkflowDefinitionError,
        ConcurrencyError,
        StorageError,
        DeliveryError,
        UnknownStatusError,
        UnknownWorkflowError,
    ],
)
def test_every_error_descends_from_chamados_error(error: type[Exception]) -> None:
    """One except clause catches everything chamados raises on purpose."""
    assert issubclass(error, ChamadosError)


def test_unknown_workflow_and_status_are_configuration_errors() -> None:
    """Stored names the deployment does not know are configuration problems."""
    assert issubclass(UnknownWorkflowError, ConfigurationError)
    assert issubclass(UnknownStatusError, ConfigurationError)


def test_a_storage_configuration_error_is_a_storage_and_a_configuration_error() -> None:
    """A URL the database refuses is caught as a storage failure or a bad setting, and
    never as an outage to retry."""
    error = StorageConfigurationError("unknown database 'x'; fix the database name")
    assert isinstance(error, StorageError)
    assert isinstance(error, ConfigurationError)
    assert isinstance(error, ValueError)
    assert not isinstance(error, StorageUnavailableError)
    assert error.key == "storage"


def test_a_concurrency_error_while_waiting_for_a_ticket_says_so() -> None:
    """A command that stopped waiting for its ticket loaded no version."""
    error = ConcurrencyError("T-1", expected=None, actual=None, clash="lock wait timeout")
    assert str(error).startswith("ticket 'T-1' could not be loaded: another transaction")
    assert "lock wait timeout" in str(error)


def test_transition_not_allowed_names_ticket_event_state_and_allowed_events() -> None:
    """The message and the attributes say what was refused and what is possible."""
    error = TransitionNotAllowedError(
        ticket_id="T-1", event="close", state="open", allowed=["resolve"], workflow="standard"
    )
    assert (error.ticket_id, error.event, error.state, error.allowed) == (
        "T-1",
        "close",
        "open",
        ("resolve",),
    )
    assert str(error) == (
        "cannot 'close' ticket 'T-1' in state 'open' of workflow 'standard': "
        "events allowed in 'open' are: resolve"
    )


def test_concurrency_error_tells_the_caller_to_retry() -> None:
    """The message says nothing was saved and what to do."""
    error = ConcurrencyError("T-1", expected=3, actual=4)
    assert "nothing was saved" in str(error)
    assert "retry" in str(error)
    assert (error.expected, error.actual) == (3, 4)


@pytest.mark.parametrize(
    "error",
    [
        TicketNotFoundError("T-1", tenant="loja"),
        ConcurrencyError("T-1", expected=1, actual=2),
        TransitionNotAllowedError(
            ticket_id="T-1", event="x", state="new", allowed=(), workflow="standard"
        ),
        InvalidTicketError("bad", field="score", ticket_id="T-1"),
        UnknownStatusError("gone", workflow="standard", known=["new"], ticket_id="T-1"),
        DeliveryError("down", transient=False),
        StorageConfigurationError("unknown database", key="storage"),
    ],
)
def test_errors_survive_pickling_with_their_context(error: ChamadosError) -> None:
    """Errors cross process boundaries (worker pools) with message and context intact."""
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    assert vars(copy) == vars(error)
