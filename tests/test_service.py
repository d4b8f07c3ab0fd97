"""The Helpdesk: every command, its history, its refusals, and its guarantees."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, timedelta

import pendulum
import pytest

from chamados import (
    AccessDeniedError,
    Assigned,
    Closed,
    ConcurrencyError,
    ConfigurationError,
    Escalated,
    Helpdesk,
    IdempotencyKeyReusedError,
    InvalidTicketError,
    MemoryStorage,
    NoteAdded,
    Party,
    Priority,
    PriorityChanged,
    Rated,
    Reopened,
    Resolved,
    SequentialIds,
    StatusChanged,
    TicketNotFoundError,
    TicketOpened,
    TransitionNotAllowedError,
    UnknownStatusError,
    UnknownWorkflowError,
)
from chamados.storage.port import Changes, UnitOfWork
from chamados.testing import FakeClock, FlakyNotifier, RecordingNotifier, open_ticket
from chamados.workflows import Action, Status, Workflow, WorkflowRegistry

Desk = Helpdesk


class ShippingWorkflow(Workflow):
    """A store's own workflow: posting a replacement needs the postal tracking code."""

    workflow_name = "envio"

    novo = Status(pt="Novo", en="New", category="new", initial=True)
    postado = Status(pt="Postado", en="Posted", category="on_hold")
    entregue = Status(pt="Entregue", en="Delivered", category="resolved")
    encerrado = Status(pt="Encerrado", en="Closed", category="closed", final=True)

    postar = Action(novo.to(postado), pt="Postar", en="Post", requires=("codigo_postagem",))
    entregar = Action(postado.to(entregue), pt="Entregar", en="Deliver")
    encerrar = Action(entregue.to(encerrado), pt="Encerrar", en="Close")


def shipping_desk() -> Helpdesk:
    workflows = WorkflowRegistry.with_builtins()
    workflows.register(ShippingWorkflow)
    return Helpdesk(
        clock=FakeClock("2026-03-02T09:00:00-03:00"),
        workflows=workflows,
        ticket_ids=SequentialIds(),
    )


def snapshot(desk: Helpdesk, ticket_id: str) -> tuple[object, ...]:
    """The stored ticket and its history length, to show a refused command changed nothing."""
    return (desk.get(ticket_id), len(desk.history(ticket_id)))


class TestOpen:
    def test_the_pinned_example_runs(self, chamados_clock: FakeClock) -> None:
        """The example of the foundation issue works as written."""
        desk = Helpdesk(clock=chamados_clock)
        t = desk.open(
            tenant="loja-1",
            channel="mercado_livre",
            requester=Party.customer("c-1"),
            subject="Pedido não chegou",
            category="entrega",
            order_id="ML-123",
        )
        desk.reply(t.id, author=Party.agent("ana"), body="Estamos verificando.", public=True)
        desk.transition(t.id, "ask_customer", actor=Party.agent("ana"))
        assert desk.get(t.id).status == "waiting_customer"
        assert [e.kind for e in desk.history(t.id)] == [
            "opened",
            "replied",
            "status_changed",
            "status_changed",
        ]

    def test_open_records_everything_known(self, chamados_desk: Helpdesk, seller: Party) -> None:
        """The opening event keeps every field the ticket started with."""
        t = open_ticket(
            chamados_desk,
            channel="amazon",
            partner=seller,
            order_id="AMZ-1",
            category="devolucao",
            priority="high",
            team="logistica",
            tags=["vip"],
            custom_fields={"valor_pedido": 1299.9},
        )
        (opened,) = chamados_desk.history(t.id)
        assert isinstance(opened, TicketOpened)
        assert (opened.channel, opened.partner, opened.order_id, opened.priority) == (
            "amazon",
            seller,
            "AMZ-1",
            Priority.HIGH,
        )
        assert (opened.team, opened.tags, opened.custom_fields) == (
            "logistica",
            frozenset({"vip"}),
            {"valor_pedido": 1299.9},
        )
        assert (t.version, t.status, t.tier, t.workflow) == (1, "new", 1, "standard")
        assert t.created_at == chamados_desk.clock.now()

    def test_a_body_becomes_the_first_public_message(
        self, chamados_desk: Helpdesk, maria: Party
    ) -> None:
        """The requester's first words are a public message."""
        t = open_ticket(chamados_desk, requester=maria, body="Meu pedido não chegou")
        (message,) = chamados_desk.messages(t.id)
        assert (message.author, message.body, message.public) == (
            maria,
            "Meu pedido não chegou",
            True,
        )

    def test_an_agent_may_open_for_a_customer(self, chamados_desk: Helpdesk, ana: Party) -> None:
        """opened_by records who opened it; the requester stays the customer."""
        t = open_ticket(chamados_desk, opened_by=ana)
        assert chamados_desk.history(t.id)[0].actor == ana

    def test_a_customer_cannot_open_for_someone_else(self, chamados_desk: Helpdesk) -> None:
        """External parties open only their own tickets."""
        with pytest.raises(AccessDeniedError):
            open_ticket(chamados_desk, opened_by=Party.customer("c-2"))

    def test_open_in_another_workflow(self, chamados_desk: Helpdesk) -> None:
        """workflow= picks a registered workflow and its initial state."""
        t = open_ticket(chamados_desk, workflow="returns")
        assert (t.workflow, t.status) == ("returns", "requested")

    def test_unknown_workflow_is_refused(self, chamados_desk: Helpdesk) -> None:
        """An unknown workflow lists the registered ones and stores nothing."""
        with pytest.raises(UnknownWorkflowError, match="returns, standard"):
            open_ticket(chamados_desk, workflow="kanban")
        assert chamados_desk.tickets() == []

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"priority": "critical"}, "priority"),
            ({"subject": ""}, "subject"),
            ({"requester": "c-1"}, "requester"),
            ({"partner": Party.customer("c-9")}, "partner"),
            ({"tags": "vip"}, "tags"),
            ({"custom_fields": {"itens": ["a"]}}, "custom_fields.itens"),
        ],
    )
    def test_bad_input_is_refused_and_nothing_is_stored(
        self, chamados_desk: Helpdesk, overrides: dict[str, object], field: str
    ) -> None:
        """Each invalid field raises InvalidTicketError naming it, and no ticket exists."""
        with pytest.raises(InvalidTicketError) as caught:
            open_ticket(chamados_desk, **overrides)
        assert caught.value.field == field
        assert chamados_desk.tickets() == []

    def test_tenant_is_required_on_an_unscoped_desk(self, chamados_desk: Helpdesk) -> None:
        """An all-tenants desk must be told the tenant."""
        with pytest.raises(InvalidTicketError, match="tenant"):
            chamados_desk.open(channel="site", requester=Party.customer("c"), subject="x")

    def test_ids_are_unique_and_retried_on_collision(self, chamados_clock: FakeClock) -> None:
        """An id factory that repeats an id gets another try."""
        ids = iter(["T-1", "T-1", "T-2"])
        desk = Helpdesk(clock=chamados_clock, ticket_ids=lambda: next(ids))
        assert open_ticket(desk).id == "T-1"
        assert open_ticket(desk).id == "T-2"

    def test_the_default_ids_are_readable(self) -> None:
        """Default ids are CH- and 12 unambiguous characters."""
        t = open_ticket(Helpdesk(clock=FakeClock()))
        assert t.id.startswith("CH-")
        assert len(t.id) == 15
        assert not set(t.id[3:]) & set("ILOU")


class TestReply:
    def test_the_team_first_public_reply_starts_work(
        self, chamados_desk: Helpdesk, ana: Party
    ) -> None:
        """A new ticket opens when an agent answers it."""
        t = open_ticket(chamados_desk)
        t = chamados_desk.reply(t.id, author=ana, body="Olá! Vamos verificar.")
        assert t.status == "open"

    def test_an_automated_reply_does_not_start_work(self, chamados_desk: Helpdesk) -> None:
        """Auto-replies are messages, not responses: the ticket stays new."""
        t = open_ticket(chamados_desk)
        t = chamados_desk.reply(
            t.id,
            author=Party.system("autoresponder"),
            body="Recebemos seu chamado",
            automated=True,
        )
        assert t.status == "new"
        assert chamados_desk.messages(t.id)[0].automated

    def test_the_customer_answer_gives_the_ball_back(
        self, chamados_desk: Helpdesk, ana: Party, maria: Party
    ) -> None:
        """A ticket waiting on the customer returns to the team when the customer replies."""
        t = open_ticket(chamados_desk, requester=maria)
        chamados_desk.transition(t.id, "ask_customer", actor=ana)
        t = chamados_desk.reply(t.id, author=maria, body="Segue o comprovante")
        assert t.status == "open"
        changed = [e for e in chamados_desk.history(t.id) if isinstance(e, StatusChanged)]
        assert (changed[-1].event, changed[-1].actor) == ("customer_replied", maria)

    def test_the_partner_answer_gives_the_ball_back(
        self, chamados_desk: Helpdesk, ana: Party, seller: Party
    ) -> None:
        """Likewise for partners: their reply ends the wait on them."""
        t = open_ticket(chamados_desk, partner=seller)
        chamados_desk.transition(t.id, "ask_partner", actor=ana)
        assert chamados_desk.reply(t.id, author=seller, body="Enviado hoje").status == "open"

    def test_a_customer_reply_on_an_open_ticket_only_adds_a_message(
        self, chamados_desk: Helpdesk, ana: Party, maria: Party
    ) -> None:
        """No event fires when the state does not accept it."""
        t = open_ticket(chamados_desk, requester=maria)
        chamados_desk.reply(t.id, author=ana, body="Oi")
        t = chamados_desk.reply(t.id, author=maria, body="Obrigada")
        assert t.status == "open"
        assert chamados_desk.history(t.id)[-1].kind == "replied"

    def test_a_message_keeps_its_channel_id_and_time(
        self, chamados_desk: Helpdesk, maria: Party
    ) -> None:
        """external_id and at come from the channel (a marketplace message)."""
        t = open_ticket(chamados_desk, requester=maria)
        written = pendulum.datetime(2026, 3, 2, 8, 55, tz="America/Sao_Paulo")
        chamados_desk.reply(t.id, author=maria, body="Oi", external_id="ML-MSG-7", at=written)
        message = chamados_desk.messages(t.id)[-1]
        assert (message.external_id, message.at) == ("ML-MSG-7", written)

    def test_a_naive_message_time_is_refused(self, chamados_desk: Helpdesk, maria: Party) -> None:
        """A naive datetime is refused and nothing is stored."""
        t = open_ticket(chamados_desk, requester=maria)
        before = snapshot(chamados_desk, t.id)
        with pytest.raises(InvalidTicketError, match="time-zone aware"):
            chamados_desk.reply(t.id, author=maria, body="Oi", at=datetime(2026, 3, 2, 9))
        assert snapshot(chamados_desk, t.id) == before

    def test_strangers_cannot_reply(self, chamados_desk: Helpdesk, maria: Party) -> None:
        """Another customer, a partner not on the ticket, or another marketplace are refused."""
        t = open_ticket(chamados_desk, requester=maria, channel="amazon")
        for stranger in (
            Party.customer("c-2"),
            Party.partner("seller-1"),
            Party.marketplace("mercado_livre"),
        ):
            with pytest.raises(AccessDeniedError):
                chamados_desk.reply(t.id, author=stranger, body="oi")
        chamados_desk.reply(t.id, author=Party.marketplace("amazon"), body="Pedido em mediação")

    def test_external_parties_cannot_write_internal_notes(
        self, chamados_desk: Helpdesk, maria: Party
    ) -> None:
        """Only the team writes internal messages."""
        t = open_ticket(chamados_desk, requester=maria)
        with pytest.raises(AccessDeniedError, match="internal notes"):
            chamados_desk.reply(t.id, author=maria, body="segredo", public=False)


class TestNotesAndVisibility:
    def test_customers_never_see_internal_notes(
        self, chamados_desk: Helpdesk, ana: Party, maria: Party, seller: Party
    ) -> None:
        """History and messages for an external viewer leave internal notes out."""
        t = open_ticket(chamados_desk, requester=maria, partner=seller, body="Oi")
        chamados_desk.add_note(t.id, author=ana, body="Cliente já reclamou 3 vezes")
        assert any(isinstance(e, NoteAdded) for e in chamados_desk.history(t.id))
        for viewer in (maria, seller):
            assert not any(
                isinstance(e, NoteAdded) for e in chamados_desk.history(t.id, viewer=viewer)
            )
            assert [m.body for m in chamados_desk.messages(t.id, viewer=viewer)] == ["Oi"]
        assert [m.body for m in chamados_desk.messages(t.id, viewer=ana)] == [
            "Oi",
            "Cliente já reclamou 3 vezes",
        ]

    def test_external_viewers_see_only_their_tickets(
        self, chamados_desk: Helpdesk, maria: Party
    ) -> None:
        """Another customer cannot read the ticket at all."""
        t = open_ticket(chamados_desk, requester=maria)
        with pytest.raises(AccessDeniedError):
            chamados_desk.history(t.id, viewer=Party.customer("c-2"))
        with pytest.raises(AccessDeniedError):
            chamados_desk.get(t.id, viewer=Party.customer("c-2"))

    def test_only_the_team_adds_notes(self, chamados_desk: Helpdesk, maria: Party) -> None:
        """add_note by a customer is refused."""
        t = open_ticket(chamados_desk, requester=maria)
        with pytest.raises(AccessDeniedError):
            chamados_desk.add_note(t.id, author=maria, body="x")


class TestTransitions:
    def test_an_illegal_event_is_refused_and_changes_nothing(
        self, chamados_desk: Helpdesk, ana: Party
    ) -> None:
        """TransitionNotAllowedError names the ticket, event, state and allowed events."""
        t = open_ticket(chamados_desk)
        before = snapshot(chamados_desk, t.id)
        with pytest.raises(TransitionNotAllowedError) as caught:
            chamados_desk.transition(t.id, "reopen", actor=ana)
        assert (caught.value.ticket_id, caught.value.event, caught.value.state) == (
            t.id,
            "reopen",
            "new",
        )
        assert "start" in caught.value.allowed
        assert snapshot(chamados_desk, t.id) == before

    def test_history_says_who_what_when_from_to_and_why(
        self, chamados_desk: Helpdesk, ana: Party
    ) -> None:
        """Each status change is a StatusChanged with actor, time, states and reason."""
        t = open_ticket(chamados_desk)
        chamados_desk.clock.advance(minutes=5)  # type: ignore[attr-defined]
        chamados_desk.transition(t.id, "hold", actor=ana, reason="aguardando transportadora")
        change = chamados_desk.history(t.id)[-1]
        assert isinstance(change, StatusChanged)
        assert (change.actor, change.event, change.from_status, change.to_status) == (
            ana,
            "hold",
            "new",
            "on_hold",
        )
        assert change.reason == "aguardando transportadora"
        assert change.at == chamados_desk.clock.now()
        assert change.version == 2

    def test_data_a_transition_requires_is_recorded_in_the_history(self, ana: Party) -> None:
        """The tracking code 'postar' requires is kept in its StatusChanged event."""
        desk = shipping_desk()
        t = open_ticket(desk, workflow="envio")
        desk.transition(t.id, "postar", actor=ana, codigo_postagem="PX123BR")
        change = desk.history(t.id)[-1]
        assert isinstance(change, StatusChanged)
        assert change.details == {"codigo_postagem": "PX123BR"}

    def test_the_timeline_shows_the_data_a_transition_required(self, ana: Party) -> None:
        """Both languages show the tracking code on the status change line."""
        desk = shipping_desk()
        t = open_ticket(desk, workflow="envio")
        desk.transition(t.id, "postar", actor=ana, codigo_postagem="PX123BR")
        assert desk.timeline(t.id)[-1].endswith(
            "Postar: Novo → Postado [codigo_postagem: PX123BR]"
        )
        assert desk.timeline(t.id, lang="en")[-1].endswith(
            "Post: New → Posted [codigo_postagem: PX123BR]"
        )

    def test_data_a_transition_does_not_require_is_not_recorded(self, ana: Party) -> None:
        """Only the data the workflow declares reaches the history, not every argument."""
        desk = shipping_desk()
        t = open_ticket(desk, workflow="envio")
        desk.transition(t.id, "postar", actor=ana, codigo_postagem="PX1", senha="segredo")
        change = desk.history(t.id)[-1]
        assert isinstance(change, StatusChanged)
        assert change.details == {"codigo_postagem": "PX1"}

    @pytest.mark.parametrize(
        "value", ["PX\x00123", "PX\ud800", "P" * 1001], ids=["nul", "surrogate", "too-long"]
    )
    def test_required_data_must_be_plain_text_of_limited_length(
        self, ana: Party, value: str
    ) -> None:
        """A value that cannot be stored as text everywhere is refused, naming the field."""
        desk = shipping_desk()
        t = open_ticket(desk, workflow="envio")
        with pytest.raises(InvalidTicketError) as caught:
            desk.transition(t.id, "postar", actor=ana, codigo_postagem=value)
        assert caught.value.field == "codigo_postagem"
        assert desk.get(t.id).status == "novo"

    def test_cancel_needs_a_reason(self, chamados_desk: Helpdesk, ana: Party) -> None:
        """Spam is cancelled with a reason, straight to closed."""
        t = open_ticket(chamados_desk)
        with pytest.raises(InvalidTicketError, match="reason"):
            chamados_desk.transition(t.id, "cancel", actor=ana)
        t = chamados_desk.transition(t.id, "cancel", actor=ana, reason="spam")
        assert t.status == "closed"
        assert isinstance(chamados_desk.history(t.id)[-1], Closed)

    def test_customers_fire_only_their_events(self, chamados_desk: Helpdesk, maria: Party) -> None:
        """A customer cannot put a ticket on hold; the workflow grants them other events."""
        t = open_ticket(chamados_desk, requester=maria)
        with pytest.raises(AccessDeniedError, match="for the team"):
            chamados_desk.transition(t.id, "hold", actor=maria)

    def test_reserved_data_names_are_refused(self, chamados_desk: Helpdesk, ana: Party) -> None:
        """Data python-statemachine would overwrite is refused before anything runs."""
        t = open_ticket(chamados_desk)
        with pytest.raises(InvalidTicketError, match="reserved"):
            chamados_desk.transition(t.id, "start", actor=ana, state="x")

    def test_allowed_events_for_the_team_and_for_a_customer(
        self, chamados_desk: Helpdesk, ana: Party, maria: Party
    ) -> None:
        """allowed_events filters by what the actor may fire."""
        t = open_ticket(chamados_desk, requester=maria)
        chamados_desk.resolve(t.id, actor=ana, summary="Estorno feito")
        assert chamados_desk.allowed_events(t.id) == ("reopen", "close")
        assert chamados_desk.allowed_events(t.id, actor=maria) == ("reopen", "close")
        chamados_desk.reopen(t.id, actor=maria)
        assert "hold" not in chamados_desk.allowed_events(t.id, actor=maria)

    def test_unknown_stored_status_is_a_clear_error(
        self, chamados_desk: Helpdesk, ana: Party
    ) -> None:
        """A ticket whose stored status the workflow lost raises UnknownStatusError."""
        t = open_ticket(chamados_desk)
        storage = chamados_desk.storage
        assert isinstance(storage, MemoryStorage)
        storage._tickets[t.id].status = "triage"
        with pytest.raises(UnknownStatusError, match="triage"):
            chamados_desk.transition(t.id, "start", actor=ana)


class TestResolveReopenCloseRate:
    def test_resolve_needs_a_summary(self, chamados_desk: Helpdesk, ana: Party) -> None:
        """Without a summary nothing is resolved."""
        t = open_ticket(chamados_desk)
        before = snapshot(chamados_desk, t.id)
        with pytest.raises(InvalidTicketError, match="summary"):
            chamados_desk.resolve(t.id, actor=ana, summary="  ")
        assert snapshot(chamados_desk, t.id) == before

    def test_resolve_records_the_summary(self, chamados_desk: Helpdesk, ana: Party) -> None:
        """The ticket keeps the summary and the time; the history has a Resolved event."""
        t = open_ticket(chamados_desk)
        t = chamados_desk.resolve(t.id, actor=ana, summary="Reembolso aprovado")
        assert (t.status, t.resolution, t.resolved_at) == (
            "resolved",
            "Reembolso aprovado",
            chamados_desk.clock.now(),
        )
        resolved = chamados_desk.history(t.id)[-1]
        assert isinstance(resolved, Resolved)
        assert resolved.summary == "Reembolso aprovado"

    def test_reopen_within_the_window(
        self, chamados_desk: Helpdesk, chamados_clock: FakeClock, ana: Party, maria: Party
    ) -> None:
        """The customer may reopen within seven days; the resolution is cleared."""
        t = open_ticket(chamados_desk, requester=maria)
        chamados_desk.resolve(t.id, actor=ana, summary="Trocado")
        chamados_clock.advance(days=6, hours=23)
        t = chamados_desk.reopen(t.id, actor=maria, reason="veio com defeito de novo")
        assert (t.status, t.resolution, t.resolved_at) == ("open", None, None)
        assert isinstance(chamados_desk.history(t.id)[-1], Reopened)

    def test_reopen_after_the_window_is_refused(
        self, chamados_desk: Helpdesk, chamados_clock: FakeClock, ana: Party, maria: Party
    ) -> None:
        """After the window the error says when it ended."""
        t = open_ticket(chamados_desk, requester=maria)
        chamados_desk.resolve(t.id, actor=ana, summary="Trocado")
        chamados_clock.advance(days=7, seconds=1)
        with pytest.raises(TransitionNotAllowedError, match="reopen window of 7 days ended"):
            chamados_desk.reopen(t.id, actor=maria)

    def test_the_reopen_window_is_configurable(
        self, chamados_clock: FakeClock, ana: Party
    ) -> None:
        """A registry option changes the window for a deployment."""
        registry = WorkflowRegistry.with_builtins()
        registry.configure("standard", reopen_window=timedelta(days=30))
        desk = Helpdesk(clock=chamados_clock, workflows=registry)
        t = open_ticket(desk)
        desk.resolve(t.id, actor=ana, summary="ok")
        chamados_clock.advance(days=20)
        assert desk.reopen(t.id, actor=ana).status == "open"

    def test_close_is_final(self, chamados_desk: Helpdesk, ana: Party, maria: Party) -> None:
        """A closed ticket takes no replies, assignments or priorities."""
        t = open_ticket(chamados_desk, requester=maria)
        chamados_desk.resolve(t.id, actor=ana, summary="ok")
        t = chamados_desk.close(t.id, actor=ana)
        assert (t.status, t.closed_at) == ("closed", chamados_desk.clock.now())
        with pytest.raises(TransitionNotAllowedError, match="closed"):
            chamados_desk.reply(t.id, author=maria, body="ainda tenho dúvida")
        with pytest.raises(TransitionNotAllowedError):
            chamados_desk.assign(t.id, actor=ana, team="x")
        with pytest.raises(TransitionNotAllowedError):
            chamados_desk.set_priority(t.id, "high", actor=ana)

    def test_rate_after_resolution(
        self, chamados_desk: Helpdesk, ana: Party, maria: Party
    ) -> None:
        """The requester rates 1 to 5; a new rating replaces the old, both in history."""
        t = open_ticket(chamados_desk, requester=maria)
        with pytest.raises(TransitionNotAllowedError, match="resolved or closed"):
            chamados_desk.rate(t.id, 5, actor=maria)
        chamados_desk.resolve(t.id, actor=ana, summary="ok")
        chamados_desk.rate(t.id, 3, actor=maria)
        t = chamados_desk.rate(t.id, 5, actor=maria, comment="Resolveram rápido")
        rated = [e for e in chamados_desk.history(t.id) if isinstance(e, Rated)]
        assert [(r.previous, r.score) for r in rated] == [(None, 3), (3, 5)]
        assert t.rating == 5

    @pytest.mark.parametrize("score", [0, 6, 4.5, True, "5"])
    def test_invalid_ratings_are_refused(
        self, chamados_desk: Helpdesk, ana: Party, maria: Party, score: object
    ) -> None:
        """Only integers 1 to 5."""
        t = open_ticket(chamados_desk, requester=maria)
        chamados_desk.resolve(t.id, actor=ana, summary="ok")
        with pytest.raises(InvalidTicketError, match="1 to 5"):
            chamados_desk.rate(t.id, score, actor=maria)  # type: ignore[arg-type]

    def test_only_the_requester_rates(
        self, chamados_desk: Helpdesk, ana: Party, maria: Party
    ) -> None:
        """Another customer cannot rate."""
        t = open_ticket(chamados_desk, requester=maria)
        chamados_desk.resolve(t.id, actor=ana, summary="ok")
        with pytest.raises(AccessDeniedError):
            chamados_desk.rate(t.id, 1, actor=Party.customer("c-2"))

    def test_commands_a_workflow_lacks_are_refused(
        self, chamados_desk: Helpdesk, ana: Party
    ) -> None:
        """resolve on a returns ticket runs its 'refund' event, which needs the item first."""
        t = open_ticket(chamados_desk, workflow="returns")
        with pytest.raises(TransitionNotAllowedError, match="'refund'"):
            chamados_desk.resolve(t.id, actor=ana, summary="x")


class TestAssignPriorityEscalate:
    def test_assign_team_and_agent(self, chamados_desk: Helpdesk, ana: Party) -> None:
        """assign records from and to of what changed."""
        t = open_ticket(chamados_desk, team="atendimento")
        t = chamados_desk.assign(t.id, actor=ana, assignee="ana", reason="pegou da fila")
        t = chamados_desk.assign(t.id, actor=ana, team="financeiro", assignee=None)
        assert (t.team, t.assignee) == ("financeiro", None)
        assigned = [e for e in chamados_desk.history(t.id) if isinstance(e, Assigned)]
        assert [e.changes() for e in assigned] == [
            {"assignee": (None, "ana")},
            {"team": ("atendimento", "financeiro"), "assignee": ("ana", None)},
        ]

    def test_assigning_the_same_records_nothing(self, chamados_desk: Helpdesk, ana: Party) -> None:
        """No change, no event, no new version."""
        t = open_ticket(chamados_desk, team="financeiro")
        assert chamados_desk.assign(t.id, actor=ana, team="financeiro").version == 1

    def test_assign_needs_something(self, chamados_desk: Helpdesk, ana: Party) -> None:
        """assign() without team or assignee is a mistake."""
        t = open_ticket(chamados_desk)
        with pytest.raises(InvalidTicketError):
            chamados_desk.assign(t.id, actor=ana)

    def test_set_priority(self, chamados_desk: Helpdesk, ana: Party) -> None:
        """set_priority records from, to and why."""
        t = open_ticket(chamados_desk)
        t = chamados_desk.set_priority(t.id, "urgent", actor=ana, reason="cliente VIP")
        change = chamados_desk.history(t.id)[-1]
        assert isinstance(change, PriorityChanged)
        assert (change.from_priority, change.to_priority, change.reason) == (
            Priority.NORMAL,
            Priority.URGENT,
            "cliente VIP",
        )

    def test_customers_cannot_change_priority_or_assignment(
        self, chamados_desk: Helpdesk, maria: Party
    ) -> None:
        """Priorities and assignments are the team's."""
        t = open_ticket(chamados_desk, requester=maria)
        with pytest.raises(AccessDeniedError):
            chamados_desk.set_priority(t.id, "urgent", actor=maria)
        with pytest.raises(AccessDeniedError):
            chamados_desk.assign(t.id, actor=maria, assignee="ana")

    def test_escalate_moves_to_n2_with_a_reason(self, chamados_desk: Helpdesk, ana: Party) -> None:
        """N1 to N2, optionally to another team; the N1 assignee lets go."""
        t = open_ticket(chamados_desk, team="atendimento")
        chamados_desk.assign(t.id, actor=ana, assignee="ana")
        t = chamados_desk.escalate(
            t.id, actor=ana, reason="erro no gateway de pagamento", team="pagamentos"
        )
        assert (t.tier, t.team, t.assignee) == (2, "pagamentos", None)
        escalated = next(e for e in chamados_desk.history(t.id) if isinstance(e, Escalated))
        assert escalated.changes() == {"tier": (1, 2), "team": ("atendimento", "pagamentos")}
        assert escalated.reason == "erro no gateway de pagamento"

    def test_escalate_needs_a_reason_and_stops_at_the_top(
        self, chamados_desk: Helpdesk, ana: Party
    ) -> None:
        """No reason, no escalation; N2 is the highest level by default."""
        t = open_ticket(chamados_desk)
        with pytest.raises(InvalidTicketError, match="reason"):
            chamados_desk.escalate(t.id, actor=ana, reason="")
        chamados_desk.escalate(t.id, actor=ana, reason="complexo")
        with pytest.raises(TransitionNotAllowedError, match="highest support level"):
            chamados_desk.escalate(t.id, actor=ana, reason="mais complexo")

    def test_resolved_tickets_are_not_escalated(self, chamados_desk: Helpdesk, ana: Party) -> None:
        """Reopen first."""
        t = open_ticket(chamados_desk)
        chamados_desk.resolve(t.id, actor=ana, summary="ok")
        with pytest.raises(TransitionNotAllowedError, match="reopen it first"):
            chamados_desk.escalate(t.id, actor=ana, reason="x")


def _resolved(desk: Helpdesk, ticket_id: str) -> None:
    desk.resolve(ticket_id, actor=Party.agent("ana"), summary="feito")


# Each keyed command: what it needs first, its arguments, and one of them changed.
KEYED_COMMANDS: list[tuple[str, object, dict[str, object], dict[str, object]]] = [
    ("reply", None, {"author": Party.agent("ana"), "body": "Oi"}, {"body": "Olá"}),
    ("add_note", None, {"author": Party.agent("ana"), "body": "nota"}, {"body": "outra"}),
    ("transition", None, {"actor": Party.agent("ana")}, {"reason": "cliente ligou"}),
    ("resolve", None, {"actor": Party.agent("ana"), "summary": "feito"}, {"summary": "ok"}),
    ("reopen", _resolved, {"actor": Party.customer("c-1")}, {"reason": "voltou"}),
    ("close", _resolved, {"actor": Party.agent("ana")}, {"reason": "fim"}),
    ("assign", None, {"actor": Party.agent("ana"), "team": "financeiro"}, {"team": "logistica"}),
    ("set_priority", None, {"actor": Party.agent("ana"), "priority": "high"}, {"priority": "low"}),
    ("escalate", None, {"actor": Party.agent("ana"), "reason": "complexo"}, {"team": "n2"}),
    ("update", None, {"actor": Party.agent("ana"), "subject": "novo"}, {"tags": ["vip"]}),
    ("rate", _resolved, {"actor": Party.customer("c-1"), "score": 5}, {"comment": "ótimo"}),
]


class TestIdempotency:
    def test_a_repeated_open_returns_the_first_ticket(self, chamados_desk: Helpdesk) -> None:
        """The same marketplace claim id, sent again as it was, opens one ticket."""
        first = open_ticket(chamados_desk, idempotency_key="ML-CLAIM-1")
        again = open_ticket(chamados_desk, idempotency_key="ML-CLAIM-1")
        assert again == first
        assert len(chamados_desk.tickets()) == 1

    def test_a_repeated_open_with_other_arguments_is_refused(
        self, chamados_desk: Helpdesk
    ) -> None:
        """A key sent again with another subject is a caller's bug, not a repeat."""
        open_ticket(chamados_desk, idempotency_key="ML-CLAIM-1")
        with pytest.raises(IdempotencyKeyReusedError, match="with other arguments"):
            open_ticket(chamados_desk, idempotency_key="ML-CLAIM-1", subject="outro")
        assert len(chamados_desk.tickets()) == 1

    def test_equal_arguments_written_differently_are_a_repeat(
        self, chamados_desk: Helpdesk, maria: Party
    ) -> None:
        """Arguments compare by what they mean: a priority by name or value, tags in any
        order, the default workflow and opener named or left out."""
        first = open_ticket(
            chamados_desk, requester=maria, priority="high", tags=["b", "a"], idempotency_key="k"
        )
        again = open_ticket(
            chamados_desk,
            requester=Party.customer("c-1", name="Maria Silva"),
            priority=Priority.HIGH,
            tags={"a", "b"},
            workflow="standard",
            opened_by=maria,
            idempotency_key="k",
        )
        assert again == first

    @pytest.mark.parametrize(
        ("command", "prepare", "arguments", "change"),
        KEYED_COMMANDS,
        ids=[case[0] for case in KEYED_COMMANDS],
    )
    def test_every_command_binds_its_key_to_its_arguments(
        self,
        chamados_desk: Helpdesk,
        command: str,
        prepare: object,
        arguments: dict[str, object],
        change: dict[str, object],
    ) -> None:
        """Each keyed command repeats with the same arguments and refuses other ones."""
        t = open_ticket(chamados_desk)
        if callable(prepare):
            prepare(chamados_desk, t.id)
        run = getattr(chamados_desk, command)
        positional = ("start",) if command == "transition" else ()
        first = run(t.id, *positional, **arguments, idempotency_key="k")
        assert run(t.id, *positional, **arguments, idempotency_key="k") == first
        with pytest.raises(IdempotencyKeyReusedError, match="with other arguments"):
            run(t.id, *positional, **{**arguments, **change}, idempotency_key="k")
        assert chamados_desk.get(t.id) == first

    def test_a_key_sent_by_a_party_that_may_not_see_its_result_is_refused(
        self, chamados_desk: Helpdesk
    ) -> None:
        """Bob sending Alice's key gets no ticket of hers, and no hint of which it is."""
        alice, bob = Party.customer("alice"), Party.customer("bob")
        first = open_ticket(chamados_desk, requester=alice, idempotency_key="k1")
        with pytest.raises(AccessDeniedError, match="another party") as caught:
            open_ticket(chamados_desk, requester=bob, idempotency_key="k1")
        assert first.id not in str(caught.value)
        assert caught.value.ticket_id is None
        assert len(chamados_desk.tickets()) == 1

    def test_an_agents_key_sent_by_an_outsider_is_refused(
        self, chamados_desk: Helpdesk, ana: Party
    ) -> None:
        """A customer the ticket does not involve cannot replay an agent's note."""
        bob = Party.customer("bob")
        t = open_ticket(chamados_desk)
        chamados_desk.add_note(t.id, author=ana, body="interno", idempotency_key="ana-1")
        with pytest.raises(AccessDeniedError):
            chamados_desk.add_note(t.id, author=bob, body="interno", idempotency_key="ana-1")
        with pytest.raises(AccessDeniedError):
            chamados_desk.get(t.id, viewer=bob)

    def test_a_key_sent_by_another_party_who_may_see_the_ticket_is_refused(
        self, chamados_desk: Helpdesk, ana: Party, bruno: Party, maria: Party
    ) -> None:
        """Another agent, or the ticket's own customer, sending a key is an error too."""
        t = open_ticket(chamados_desk, requester=maria)
        chamados_desk.add_note(t.id, author=ana, body="interno", idempotency_key="ana-1")
        for other in (bruno, maria):
            with pytest.raises(IdempotencyKeyReusedError, match="by another party"):
                chamados_desk.add_note(t.id, author=other, body="interno", idempotency_key="ana-1")
        assert len(chamados_desk.messages(t.id)) == 1

    def test_a_tenant_scoped_desk_repeats_the_same_command(
        self, chamados_desk: Helpdesk, ana: Party
    ) -> None:
        """The same command through ``for_tenant`` or the unscoped desk is one command."""
        t = open_ticket(chamados_desk)
        scoped = chamados_desk.for_tenant("loja-1")
        first = scoped.reply(t.id, author=ana, body="Oi", idempotency_key="k")
        assert chamados_desk.reply(t.id, author=ana, body="Oi", idempotency_key="k") == first
        assert len(chamados_desk.messages(t.id)) == 1

    def test_a_repeated_reply_applies_once(self, chamados_desk: Helpdesk, maria: Party) -> None:
        """A webhook delivered twice adds one message."""
        t = open_ticket(chamados_desk, requester=maria)
        first = chamados_desk.reply(t.id, author=maria, body="Oi", idempotency_key="msg-1")
        again = chamados_desk.reply(t.id, author=maria, body="Oi", idempotency_key="msg-1")
        assert again == first
        assert len(chamados_desk.messages(t.id)) == 1

    def test_the_first_result_is_returned_even_after_later_changes(
        self, chamados_desk: Helpdesk, ana: Party
    ) -> None:
        """The repeat answers with what the first call returned."""
        t = open_ticket(chamados_desk)
        first = chamados_desk.transition(t.id, "start", actor=ana, idempotency_key="k")
        chamados_desk.transition(t.id, "hold", actor=ana)
        assert chamados_desk.transition(t.id, "start", actor=ana, idempotency_key="k") == first

    def test_a_key_reused_for_another_command_is_refused(
        self, chamados_desk: Helpdesk, ana: Party
    ) -> None:
        """A key identifies one command."""
        t = open_ticket(chamados_desk)
        chamados_desk.transition(t.id, "start", actor=ana, idempotency_key="k")
        with pytest.raises(IdempotencyKeyReusedError, match="transition on ticket"):
            chamados_desk.add_note(t.id, author=ana, body="x", idempotency_key="k")

    def test_keys_are_scoped_by_tenant(self, chamados_desk: Helpdesk) -> None:
        """Two stores may use the same marketplace id."""
        a = open_ticket(chamados_desk, tenant="loja-1", idempotency_key="k")
        b = open_ticket(chamados_desk, tenant="loja-2", idempotency_key="k")
        assert a.id != b.id


class TestTenants:
    def test_a_scoped_desk_sees_only_its_tenant(self, chamados_desk: Helpdesk, ana: Party) -> None:
        """Another tenant's ticket is not found, for reads and writes alike."""
        other = open_ticket(chamados_desk, tenant="loja-2")
        mine = chamados_desk.for_tenant("loja-1")
        open_ticket(mine)
        with pytest.raises(TicketNotFoundError):
            mine.get(other.id)
        with pytest.raises(TicketNotFoundError):
            mine.reply(other.id, author=ana, body="oi")
        with pytest.raises(TicketNotFoundError):
            mine.history(other.id)
        assert {t.tenant for t in mine.tickets()} == {"loja-1"}
        assert {t.tenant for t in chamados_desk.tickets()} == {"loja-1", "loja-2"}

    def test_a_scoped_desk_cannot_open_or_scope_elsewhere(self, chamados_desk: Helpdesk) -> None:
        """Opening for another tenant, or re-scoping, is refused."""
        mine = chamados_desk.for_tenant("loja-1")
        with pytest.raises(AccessDeniedError):
            open_ticket(mine, tenant="loja-2")
        with pytest.raises(AccessDeniedError):
            mine.for_tenant("loja-2")
        assert mine.for_tenant("loja-1").tenant == "loja-1"

    def test_unknown_tickets_are_not_found(self, chamados_desk: Helpdesk, ana: Party) -> None:
        """Every command on a missing id raises TicketNotFoundError."""
        with pytest.raises(TicketNotFoundError, match="T-404"):
            chamados_desk.reply("T-404", author=ana, body="oi")


def run_together(workers: int, work: Callable[[int], object]) -> None:
    """Run ``work(n)`` on ``workers`` threads started together; re-raise any failure."""
    start = threading.Barrier(workers)
    failures: list[BaseException] = []

    def run(n: int) -> None:
        try:
            start.wait()
            work(n)
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures


class InterleavingStorage(MemoryStorage):
    """A memory storage that runs a callback once, just before the next commit, and
    holds no tickets (like an adapter that only checks versions), so a command run in
    the callback changes the ticket under the one committing."""

    def __init__(self) -> None:
        super().__init__()
        self.before_commit: list[object] = []

    def unit_of_work(self) -> UnitOfWork:
        uow = super().unit_of_work()
        uow._get_locked = uow._get  # type: ignore[method-assign]
        inner = uow._commit  # type: ignore[attr-defined]

        def commit(changes: Changes) -> None:
            while self.before_commit:
                self.before_commit.pop()()  # type: ignore[operator]
            inner(changes)

        uow._commit = commit  # type: ignore[attr-defined]
        return uow


class TestConcurrency:
    def test_a_stale_save_raises_and_stores_nothing(
        self, chamados_clock: FakeClock, ana: Party
    ) -> None:
        """When someone saves in between, the command fails whole; a retry succeeds."""
        storage = InterleavingStorage()
        desk = Helpdesk(storage=storage, clock=chamados_clock, ticket_ids=SequentialIds())
        t = open_ticket(desk)
        storage.before_commit.append(lambda: desk.set_priority(t.id, "high", actor=ana))
        with pytest.raises(ConcurrencyError) as caught:
            desk.add_note(t.id, author=ana, body="perdida?")
        assert (caught.value.expected, caught.value.actual) == (1, 2)
        assert [e.kind for e in desk.history(t.id)] == ["opened", "priority_changed"]
        assert desk.add_note(t.id, author=ana, body="de novo").version == 3

    def test_replies_to_one_ticket_at_once_queue_up(self, chamados_clock: FakeClock) -> None:
        """32 threads replying to one ticket at once, with the desk's defaults: every
        reply is stored, none fails."""
        desk = Helpdesk(clock=chamados_clock)
        t = open_ticket(desk, channel="mercado_livre")
        buyer = Party.customer("c-1")
        run_together(
            32,
            lambda n: desk.reply(
                t.id, author=buyer, body=f"mensagem {n}", idempotency_key=f"m{n}"
            ),
        )
        assert sorted(m.body for m in desk.messages(t.id)) == sorted(
            f"mensagem {n}" for n in range(32)
        )
        assert desk.get(t.id).version == 33

    def test_a_concurrent_repeat_of_a_key_returns_the_first_result(
        self, chamados_clock: FakeClock, maria: Party
    ) -> None:
        """Two deliveries of one webhook racing: one applies, both answer the same."""
        storage = InterleavingStorage()
        desk = Helpdesk(storage=storage, clock=chamados_clock, ticket_ids=SequentialIds())
        results: list[object] = []
        storage.before_commit.append(
            lambda: results.append(open_ticket(desk, requester=maria, idempotency_key="k"))
        )
        second = open_ticket(desk, requester=maria, idempotency_key="k")
        assert results == [second]
        assert len(desk.tickets()) == 1

    def test_a_concurrent_use_of_a_key_by_another_party_is_refused(
        self, chamados_clock: FakeClock, maria: Party
    ) -> None:
        """The key taken at commit time is checked like a stored one: no ticket of
        another party comes back."""
        storage = InterleavingStorage()
        desk = Helpdesk(storage=storage, clock=chamados_clock, ticket_ids=SequentialIds())
        storage.before_commit.append(
            lambda: open_ticket(desk, requester=maria, idempotency_key="k")
        )
        with pytest.raises(AccessDeniedError, match="another party"):
            open_ticket(desk, requester=Party.customer("bob"), idempotency_key="k")
        assert [t.requester for t in desk.tickets()] == [maria]

    def test_a_key_taken_at_commit_time_by_another_command_is_refused(
        self, chamados_clock: FakeClock, ana: Party
    ) -> None:
        """A command that finds its key taken at commit time checks it like a stored one."""
        storage = InterleavingStorage()
        desk = Helpdesk(storage=storage, clock=chamados_clock, ticket_ids=SequentialIds())
        t = open_ticket(desk)
        other = open_ticket(desk)
        storage.before_commit.append(
            lambda: desk.add_note(other.id, author=ana, body="a", idempotency_key="k")
        )
        with pytest.raises(IdempotencyKeyReusedError, match="and now for reply on ticket"):
            desk.add_note(t.id, author=ana, body="a", idempotency_key="k")
        assert len(desk.messages(t.id)) == 0


class TestNotifiers:
    def test_notifiers_hear_every_event_after_commit(
        self, chamados_desk: Helpdesk, chamados_notifier: RecordingNotifier, ana: Party
    ) -> None:
        """Events reach notifiers in order, once the command is saved."""
        t = open_ticket(chamados_desk)
        chamados_desk.reply(t.id, author=ana, body="Oi")
        assert chamados_notifier.kinds() == ["opened", "replied", "status_changed"]
        assert [e.id for e in chamados_notifier.events] == [
            e.id for e in chamados_desk.history(t.id)
        ]

    def test_refused_commands_notify_nothing(
        self, chamados_desk: Helpdesk, chamados_notifier: RecordingNotifier, ana: Party
    ) -> None:
        """Nothing saved, nothing said."""
        t = open_ticket(chamados_desk)
        chamados_notifier.clear()
        with pytest.raises(TransitionNotAllowedError):
            chamados_desk.transition(t.id, "close", actor=ana)
        assert chamados_notifier.events == []

    def test_a_failing_notifier_does_not_undo_the_command(
        self, chamados_clock: FakeClock, ana: Party, caplog: pytest.LogCaptureFixture
    ) -> None:
        """The command is saved; the failure is logged; other notifiers still hear it,
        and a relay later delivers to the one that failed (only)."""
        flaky, recording = FlakyNotifier(times=1), RecordingNotifier()
        desk = Helpdesk(clock=chamados_clock, notifiers=[flaky, recording])
        t = open_ticket(desk)
        assert desk.get(t.id).version == 1
        assert recording.kinds() == ["opened"]
        assert "FlakyNotifier could not deliver opened" in caplog.text
        chamados_clock.advance(hours=1)
        report = desk.relay().run_once()
        assert (report.delivered, flaky.kinds(), recording.kinds()) == (1, ["opened"], ["opened"])

    def test_non_notifiers_are_refused(self) -> None:
        """A notifier needs notify(event)."""
        with pytest.raises(ConfigurationError, match="not a Notifier"):
            Helpdesk(notifiers=[print])  # type: ignore[list-item]


class TestTimeline:
    def test_timeline_uses_workflow_labels_in_both_languages(
        self, chamados_desk: Helpdesk, ana: Party
    ) -> None:
        """The timeline shows local time, who, and labelled states and events."""
        t = open_ticket(chamados_desk)
        chamados_desk.reply(t.id, author=ana, body="Oi")
        pt = chamados_desk.timeline(t.id)
        en = chamados_desk.timeline(t.id, lang="en")
        assert pt[-1] == "2026-03-02 09:00  agent:Ana: Iniciar atendimento: Novo → Em atendimento"
        assert en[-1] == "2026-03-02 09:00  agent:Ana: Start work: New → Open"


def test_a_clock_that_returns_naive_datetimes_is_a_configuration_error() -> None:
    """The desk refuses to record naive times from a broken clock."""

    class NaiveClock:
        def now(self) -> datetime:
            return datetime(2026, 3, 2, 9)

    desk = Helpdesk(clock=NaiveClock())
    with pytest.raises(ConfigurationError, match="clock"):
        open_ticket(desk)


def test_storage_must_be_a_storage() -> None:
    """A wrong storage argument is a ConfigurationError."""
    with pytest.raises(ConfigurationError, match="Storage"):
        Desk(storage=42)


def test_a_stored_workflow_name_nobody_registered_is_a_clear_error(
    chamados_desk: Helpdesk, ana: Party
) -> None:
    """A ticket whose workflow is not registered here raises UnknownWorkflowError."""
    t = open_ticket(chamados_desk)
    storage = chamados_desk.storage
    assert isinstance(storage, MemoryStorage)
    storage._tickets[t.id].workflow = "kanban"
    with pytest.raises(UnknownWorkflowError, match="kanban") as caught:
        chamados_desk.transition(t.id, "start", actor=ana)
    assert caught.value.ticket_id == t.id


def test_threads_share_one_desk_and_lose_nothing(chamados_clock: FakeClock) -> None:
    """Many threads commanding the same tickets: each command applies once, in full."""
    import threading

    desk = Helpdesk(clock=chamados_clock)
    tickets = [open_ticket(desk).id for _ in range(3)]
    agent = Party.agent("ana")
    per_thread = 15

    def work(n: int) -> None:
        for i in range(per_thread):
            ticket_id = tickets[(n + i) % len(tickets)]
            while True:
                try:
                    desk.add_note(ticket_id, author=agent, body=f"{n}-{i}")
                    break
                except ConcurrencyError:
                    continue

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    notes = [m.body for t in tickets for m in desk.messages(t)]
    assert sorted(notes) == sorted(f"{n}-{i}" for n in range(6) for i in range(per_thread))
    assert sum(desk.get(t).version for t in tickets) == len(tickets) + 6 * per_thread
