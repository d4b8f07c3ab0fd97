"""The public API: what each front door exports, pinned."""

from __future__ import annotations

import chamados
import chamados.limits
import chamados.notify
import chamados.policies
import chamados.reports
import chamados.sla
import chamados.storage
import chamados.testing
import chamados.workflows

NOTIFY = [
    "CallableNotifier",
    "CustomerMessages",
    "EmailNotifier",
    "FanOut",
    "LoggingNotifier",
    "MessageTemplate",
    "Notifier",
    "OutboxRelay",
    "OutgoingMessage",
    "RelayReport",
    "RetryPolicy",
    "Route",
    "WebhookNotifier",
    "event_payload",
    "payload_bytes",
    "sign",
    "verify_signature",
]


def test_chamados_exports_are_pinned() -> None:
    """The top-level package exports exactly the curated names, sorted."""
    assert chamados.__all__ == [
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


def test_workflows_exports_are_pinned() -> None:
    """chamados.workflows exports the base class, the built-ins, the registry and diagrams."""
    assert chamados.workflows.__all__ == [
        "RESERVED_NAMES",
        "Action",
        "ReturnsWorkflow",
        "StandardWorkflow",
        "Status",
        "Workflow",
        "WorkflowOptions",
        "WorkflowRegistry",
        "to_mermaid",
    ]


def test_testing_exports_are_pinned() -> None:
    """chamados.testing exports the kit, the contract suite included."""
    assert chamados.testing.__all__ == [
        "FakeClock",
        "FlakyNotifier",
        "NotifierContract",
        "RecordingNotifier",
        "Step",
        "StorageContract",
        "WorkflowPath",
        "check_workflow",
        "make_ticket",
        "open_ticket",
        "scratch_database",
        "simulate",
        "store_policies",
    ]


def test_storage_exports_are_pinned() -> None:
    """chamados.storage exports the port and the memory adapter."""
    assert chamados.storage.__all__ == [
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


def test_reports_exports_are_pinned() -> None:
    """chamados.reports exports the catalogue, the engines' port, results and renderers."""
    assert chamados.reports.__all__ == [
        "AGE_BUCKETS",
        "DEFAULT_CUTS",
        "DIMENSIONS",
        "INDICATORS",
        "Column",
        "Indicator",
        "IndicatorEngine",
        "Report",
        "Scope",
        "Table",
        "format_value",
        "render_report",
        "render_table",
        "report_html",
        "write_html",
    ]


def test_notify_exports_are_pinned() -> None:
    """chamados.notify exports the port, the relay and the built-in notifiers."""
    assert chamados.notify.__all__ == NOTIFY


def test_sla_exports_are_pinned() -> None:
    """chamados.sla exports the business calendar, holiday sources, policies and presets."""
    assert chamados.sla.__all__ == [
        "BRAZIL_ZONES",
        "METRICS",
        "PRESETS",
        "BusinessCalendar",
        "Expectations",
        "HolidaySource",
        "Preset",
        "SlaClock",
        "SlaPolicy",
        "Target",
        "amazon",
        "americanas",
        "promise",
    ]


def test_policies_exports_are_pinned() -> None:
    """chamados.policies exports priority, routing, assignment, conditions and TOML (the
    routing rule is TeamRoute: chamados.notify.Route is the notifier's)."""
    assert chamados.policies.__all__ == [
        "AUTOMATION",
        "Agent",
        "Agents",
        "AssignmentStrategy",
        "Condition",
        "LeastLoaded",
        "Policies",
        "PriorityDecision",
        "PriorityPolicy",
        "PriorityRule",
        "RoundRobin",
        "RoutingDecision",
        "RoutingPolicy",
        "RuleFiring",
        "Skills",
        "SlaAction",
        "TeamRoute",
        "TicketPredicate",
        "compile_condition",
        "describe_condition",
        "load_policies",
        "next_due",
        "open_arguments",
        "parse_policies",
        "queue_order",
    ]


def test_limits_exports_are_pinned() -> None:
    """chamados.limits exports the limit constants and the checks that apply them."""
    assert chamados.limits.__all__ == [
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


def test_every_exported_name_exists() -> None:
    """Each name in each __all__ can be imported from its module."""
    modules = (
        chamados,
        chamados.workflows,
        chamados.testing,
        chamados.storage,
        chamados.sla,
        chamados.notify,
        chamados.reports,
        chamados.policies,
        chamados.limits,
    )
    for module in modules:
        for name in module.__all__:
            assert getattr(module, name) is not None, f"{module.__name__}.{name}"


def test_importing_chamados_does_not_import_pytest_or_the_contract() -> None:
    """The runtime package does not need pytest: the contract suite loads on demand."""
    import subprocess
    import sys

    code = (
        "import sys, chamados, chamados.testing; "
        "print('pytest' in sys.modules, 'chamados.testing.contract' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]
