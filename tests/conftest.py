"""Fixtures: a migrated database (SQLite, or PostgreSQL when DATABASE_URL says so), the app
with a frozen clock, a Twilio signer, and a live server on loopback.

With ``DATABASE_URL`` pointing at a PostgreSQL server, the suite creates its own database on
that server, migrates it, and drops it at the end: it never touches the database named in the
URL itself.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from twilio.request_validator import RequestValidator
from werkzeug.serving import make_server

from bot.app import create_app
from bot.config import PROJECT_ROOT, Settings
from bot.models import Base
from bot.schema import import_all_models, scratch_database

TWILIO_TOKEN = "test-twilio-auth-token"
PUBLIC_BASE_URL = "https://vecino.example.org"
START = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)  # a Tuesday, 10:00 in Los Angeles


@dataclass
class FrozenClock:
    """A clock the test moves by hand."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    with scratch_database(os.environ.get("DATABASE_URL", "").strip(), "vecino_test") as url:
        yield url


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock()


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key="test-secret-key",
        twilio_auth_token=TWILIO_TOKEN,
        twilio_account_sid="AC" + "0" * 32,
        twilio_from_number="+12135550000",
        public_base_url=PUBLIC_BASE_URL,
        telegram_bot_token="123456:TEST-TOKEN",
        telegram_webhook_secret="test-telegram-secret",
    )


def _empty_all_tables(url: str) -> None:
    import_all_models()
    engine = create_engine(url)
    tables = list(reversed(Base.metadata.sorted_tables))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())
    engine.dispose()


@pytest.fixture
def app(settings: Settings, clock: FrozenClock):  # type: ignore[no-untyped-def]
    application = create_app(settings, clock=clock)
    application.config["TESTING"] = True
    yield application
    application.extensions["vecino"].db.dispose()
    _empty_all_tables(settings.database_url)


@pytest.fixture
def client(app):  # type: ignore[no-untyped-def]
    return app.test_client()


@pytest.fixture
def vecino(app):  # type: ignore[no-untyped-def]
    return app.extensions["vecino"]


def twilio_signature(url: str, params: dict[str, str], token: str = TWILIO_TOKEN) -> str:
    return RequestValidator(token).compute_signature(url, params)


@dataclass
class TwilioSender:
    """Posts signed inbound messages the way Twilio does."""

    client: object
    path: str = "/webhooks/twilio"
    base_url: str = PUBLIC_BASE_URL
    counter: int = 0
    sent: list[str] = field(default_factory=list)

    def params(self, body: str | None, sender: str, sid: str | None = None, **extra: str) -> dict:
        self.counter += 1
        params = {
            "MessageSid": sid or f"SM{uuid.uuid4().hex}",
            "AccountSid": "AC" + "0" * 32,
            "From": sender,
            "To": "+12135550000",
            "NumMedia": "0",
            **extra,
        }
        if body is not None:
            params["Body"] = body
        return params

    def post(
        self,
        body: str | None,
        sender: str = "+12135550123",
        sid: str | None = None,
        signature: str | None = None,
        **extra: str,
    ):  # type: ignore[no-untyped-def]
        params = self.params(body, sender, sid, **extra)
        signed = (
            signature
            if signature is not None
            else twilio_signature(self.base_url + self.path, params)
        )
        return self.client.post(self.path, data=params, headers={"X-Twilio-Signature": signed})


@pytest.fixture
def twilio(client) -> TwilioSender:  # type: ignore[no-untyped-def]
    return TwilioSender(client)


@dataclass
class LiveServer:
    url: str
    app: object


@pytest.fixture
def live_server(app) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    """The app on a real loopback port, served by threads like a small deployment."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    finally:
        server.shutdown()
        thread.join(timeout=5)


def settings_with(settings: Settings, **changes: object) -> Settings:
    return replace(settings, **changes)


__all__ = ["PROJECT_ROOT", "FrozenClock", "TwilioSender", "settings_with", "twilio_signature"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        help="rewrite tests/conversations/*.yaml with the replies the bot gives now",
    )
