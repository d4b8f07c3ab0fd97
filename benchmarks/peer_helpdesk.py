"""django-helpdesk's side of ``bench_peers``: Django configured in this process, the
peer's operations through its models and through its views, and its seeding.

``configure_django`` sets Django up once per process (``settings.configure``,
``django.setup()``, ``migrate`` for django-helpdesk's tables), on a SQLite file or in a
new schema of a PostgreSQL server. ``Peer`` holds a staff agent, two queues (one with
``escalate_days``, django-helpdesk's nearest thing to an SLA) and a logged-in test
client; its methods are the operations ``bench_peers`` times.
"""

from __future__ import annotations

import sys
import types
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from chamados.storage.sql import make_engine

AGENTS = 20


def configure_django(backend: str, folder: Path, postgres: str | None) -> str | None:
    """Configure Django for ``backend`` and migrate django-helpdesk's tables; on
    PostgreSQL, in a new schema whose name is returned (to drop at the end)."""
    import django
    from django.conf import settings

    schema = None
    if backend == "sqlite":
        database = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(folder / "helpdesk.db"),
            "OPTIONS": {"init_command": "PRAGMA journal_mode=WAL;"},
        }
    else:
        assert postgres is not None
        url = sa.make_url(postgres)
        schema = f"helpdesk_bench_{uuid.uuid4().hex[:10]}"
        admin = make_engine(postgres)
        with admin.begin() as conn:
            conn.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
        admin.dispose()
        database = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": url.database,
            "USER": url.username or "",
            "PASSWORD": url.password or "",
            "HOST": url.host or "",
            "PORT": str(url.port or ""),
            "CONN_MAX_AGE": None,  # one connection kept, as chamados' pool keeps its own
            "OPTIONS": {"options": f"-c search_path={schema}"},
        }
    urls = types.ModuleType("bench_peers_urls")
    sys.modules[urls.__name__] = urls
    settings.configure(
        DEBUG=False,
        SECRET_KEY="bench-peers",
        ALLOWED_HOSTS=["testserver"],
        USE_TZ=True,
        TIME_ZONE="America/Sao_Paulo",
        DATABASES={"default": database},
        INSTALLED_APPS=[
            "django.contrib.auth",
            "django.contrib.contenttypes",
            "django.contrib.sessions",
            "django.contrib.messages",
            "django.contrib.humanize",
            "django.contrib.sites",
            "rest_framework",
            "helpdesk",
        ],
        MIDDLEWARE=[
            "django.contrib.sessions.middleware.SessionMiddleware",
            "django.middleware.common.CommonMiddleware",
            "django.middleware.csrf.CsrfViewMiddleware",
            "django.contrib.auth.middleware.AuthenticationMiddleware",
            "django.contrib.messages.middleware.MessageMiddleware",
        ],
        ROOT_URLCONF=urls.__name__,
        SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        TEMPLATES=[
            {
                "BACKEND": "django.template.backends.django.DjangoTemplates",
                "APP_DIRS": True,
                "OPTIONS": {
                    "context_processors": [
                        "django.contrib.auth.context_processors.auth",
                        "django.contrib.messages.context_processors.messages",
                        "django.template.context_processors.request",
                    ]
                },
            }
        ],
        SITE_ID=1,
        STATIC_URL="/static/",
        HELPDESK_TEAMS_MODE_ENABLED=False,  # no pinax-teams
    )
    django.setup()
    from django.core.management import call_command
    from django.urls import include, path

    urls.urlpatterns = [path("", include("helpdesk.urls"))]  # type: ignore[attr-defined]
    call_command("migrate", verbosity=0)
    return schema


class Peer:
    """django-helpdesk's side: a staff agent, two queues, ticket pools, the operations."""

    def __init__(self) -> None:
        from django.contrib.auth.models import User
        from django.test import Client
        from helpdesk.models import Queue

        self.agents = [
            User.objects.create_user(
                f"agent-{n:02d}", f"agent-{n:02d}@loja.example", is_staff=True
            )
            for n in range(AGENTS)
        ]
        self.agent = self.agents[0]
        self.queues = {
            True: Queue.objects.create(title="Loja SLA", slug="loja-sla", escalate_days=1),
            False: Queue.objects.create(title="Loja", slug="loja"),
        }
        self.client = Client()
        self.client.force_login(self.agent)
        self.stored = 0

    # models path ------------------------------------------------------------------------

    def open(self, sla: bool) -> int:
        from django.db import transaction
        from django.utils import timezone
        from helpdesk.models import FollowUp, Ticket

        with transaction.atomic():
            now = timezone.now()
            ticket = Ticket(
                title="Pedido não chegou",
                submitter_email="",
                created=now,
                status=Ticket.OPEN_STATUS,
                queue=self.queues[sla],
                description="Oi, meu pedido não chegou.",
                priority=3,
                due_date=now + timedelta(days=3) if sla else None,
            )
            ticket.save()
            FollowUp(
                ticket=ticket,
                title="Ticket Opened",
                date=now,
                public=True,
                comment=ticket.description,
            ).save()
        return int(ticket.id)

    def reply(self, ticket_id: int) -> None:
        from django.db import transaction
        from django.utils import timezone
        from helpdesk.models import FollowUp, Ticket

        with transaction.atomic():
            ticket = Ticket.objects.get(id=ticket_id)
            FollowUp.objects.create(
                ticket=ticket,
                user=self.agent,
                title="Comment",
                comment="Olá! Já verificamos com a transportadora.",
                public=True,
                date=timezone.now(),
            )
            ticket.save()

    def status(self, ticket_id: int) -> None:
        from django.db import transaction
        from django.utils import timezone
        from helpdesk.models import FollowUp, Ticket, TicketChange

        with transaction.atomic():
            ticket = Ticket.objects.get(id=ticket_id)
            old = ticket.get_status_display()
            ticket.status = (
                Ticket.RESOLVED_STATUS
                if ticket.status in Ticket.OPEN_STATUSES
                else Ticket.REOPENED_STATUS
            )
            followup = FollowUp(
                ticket=ticket,
                user=self.agent,
                title=ticket.get_status_display(),
                new_status=ticket.status,
                public=False,
                date=timezone.now(),
            )
            followup.save()  # saves the ticket too
            TicketChange.objects.create(
                followup=followup,
                field="Status",
                old_value=old,
                new_value=ticket.get_status_display(),
            )

    def list(self) -> list[Any]:
        from helpdesk.models import Ticket

        found = list(
            Ticket.objects.filter(assigned_to=self.agent, status__in=Ticket.OPEN_STATUSES)
            .select_related("queue", "assigned_to")
            .order_by("id")[:50]
        )
        return [(t.id, t.title, t.status, t.due_date, t.queue.title) for t in found]

    # views path -------------------------------------------------------------------------

    def view_open(self) -> int:
        response = self.client.post(
            "/api/tickets/",
            {
                "queue": self.queues[True].id,
                "title": "Pedido não chegou",
                "description": "Oi, meu pedido não chegou.",
                "submitter_email": "",
                "priority": 3,
            },
            content_type="application/json",
        )
        assert response.status_code == 201, response.content[:300]
        return int(response.json()["id"])

    def view_followup(self, ticket_id: int, *, new_status: int | None = None) -> None:
        body: dict[str, Any] = {"ticket": ticket_id, "user": self.agent.id}
        if new_status is None:
            body.update(comment="Olá! Já verificamos com a transportadora.", public=True)
        else:
            body.update(comment="", public=False, new_status=new_status)
        response = self.client.post("/api/followups/", body, content_type="application/json")
        assert response.status_code == 201, response.content[:300]

    def view_list(self) -> None:
        from helpdesk.models import Ticket
        from helpdesk.query import query_to_base64

        query = query_to_base64(
            {
                "filtering": {
                    "assigned_to__id__in": [self.agent.id],
                    "status__in": list(Ticket.OPEN_STATUSES),
                },
                "sorting": "id",
                "search_string": "",
            }
        )
        response = self.client.get(
            f"/datatables_ticket_list/{query}", {"length": 50, "start": 0, "draw": 1}
        )
        assert response.status_code == 200, response.content[:300]
        assert len(response.json()["data"]) == 50

    # seeding ------------------------------------------------------------------------------

    def seed(self, total: int) -> None:
        """Stored tickets up to ``total`` with ``bulk_create``, one follow-up each."""
        from django.utils import timezone
        from helpdesk.models import FollowUp, Ticket

        now = timezone.now()
        while self.stored < total:
            batch = range(self.stored, min(total, self.stored + 5000))
            tickets = Ticket.objects.bulk_create(
                Ticket(
                    title=f"Pedido {n}",
                    submitter_email="",
                    created=now,
                    status=Ticket.OPEN_STATUS if n % 4 == 0 else Ticket.RESOLVED_STATUS,
                    queue=self.queues[True],
                    assigned_to=self.agents[n % AGENTS],
                    description="Oi, meu pedido não chegou.",
                    priority=3,
                    due_date=now + timedelta(days=3),
                )
                for n in batch
            )
            FollowUp.objects.bulk_create(
                FollowUp(ticket=t, title="Ticket Opened", date=now, public=True, comment="Oi")
                for t in tickets
            )
            self.stored = batch.stop
        analyze_django()


def analyze_django() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


@contextmanager
def django_statements() -> Iterator[list[str]]:
    """The SQL statements Django sends meanwhile."""
    from django.db import connection

    sent: list[str] = []

    def wrapper(execute: Any, sql_text: str, params: Any, many: bool, context: Any) -> Any:
        sent.append(sql_text)
        return execute(sql_text, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield sent
