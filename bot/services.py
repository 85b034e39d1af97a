"""The service container: everything a request, a job or a command needs, built once per process.

Web (``bot.app``), the worker (``scheduler``), the CLI and the admin view all start from
``build_services``, so none of them has to import Flask's application module to reach the
database or the engine.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from .capabilities import build_capabilities
from .config import Settings
from .conversations import ConversationService
from .db import Database
from .engine import Engine, EngineSettings, load_flows
from .handoff import staff_hours
from .i18n import Catalogs
from .models import utcnow
from .surveys.definitions import load_surveys


@dataclass
class Vecino:
    """Everything a request or command needs, built once per process."""

    settings: Settings
    db: Database
    catalogs: Catalogs
    engine: Engine
    conversations: ConversationService


def build_services(settings: Settings, clock: Callable[[], datetime] = utcnow) -> Vecino:
    """Database, catalogs and engine; refuses invalid flows (``InvalidFlows``)."""
    staff_hours(settings)  # a mistyped VECINO_STAFF_HOURS stops the start, not a resident
    db = Database(settings.database_url)
    catalogs = Catalogs(settings.locales_dir)
    engine = Engine(
        load_flows(settings.flows_dir),
        catalogs,
        build_capabilities(),
        EngineSettings(
            program_name=settings.program_name,
            help_contact=settings.help_contact,
            session_timeout=timedelta(minutes=settings.session_timeout_minutes),
        ),
    )
    # Read now, not by the first resident's turn inside the write lock (it took 0.1-0.4 s).
    load_surveys(settings.flows_dir)
    conversations = ConversationService(db, engine, settings, clock)
    return Vecino(settings, db, catalogs, engine, conversations)
