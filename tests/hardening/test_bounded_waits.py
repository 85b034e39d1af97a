"""A database that hangs or is locked gets a 503, not a request that waits past Twilio's 15 s.

Each test runs once: the blackholed PostgreSQL in the PostgreSQL run, the locked SQLite in the
SQLite run (neither uses the suite's database). No durations are asserted; a request only has
to come back within Twilio's own 15 s (``bench/`` has the figures).
"""

from __future__ import annotations

import os
import socket
import sqlite3
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bot.app import create_app
from bot.schema import scratch_database

from ..conftest import TwilioSender, settings_with
from ..telegram.conftest import TelegramPoster

TWILIO_GIVES_UP_S = 15
ON_POSTGRESQL = os.environ.get("DATABASE_URL", "").startswith("postgres")


def within_twilios_timeout(request: Callable[[], Any]) -> Any:
    """Run ``request`` in a thread; fail if it has not returned when Twilio would give up."""
    result: list[Any] = []
    worker = threading.Thread(target=lambda: result.append(request()), daemon=True)
    worker.start()
    worker.join(TWILIO_GIVES_UP_S)
    assert not worker.is_alive(), "still waiting when Twilio gave up"
    return result[0]


@pytest.fixture
def blackhole() -> Iterator[int]:
    """A loopback port that accepts TCP connections and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                accepted.append(listener.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield listener.getsockname()[1]
    stop.set()
    thread.join()
    for connection in accepted:
        connection.close()
    listener.close()


@pytest.mark.skipif(not ON_POSTGRESQL, reason="runs in the PostgreSQL run")
def test_a_blackholed_postgresql_gets_503_not_a_hang(settings, clock, bot_api, blackhole):  # type: ignore[no-untyped-def]
    url = f"postgresql+psycopg://vecino@127.0.0.1:{blackhole}/vecino"
    app = create_app(settings_with(settings, database_url=url), clock=clock)
    client = app.test_client()
    try:
        health = within_twilios_timeout(lambda: client.get("/healthz"))
        assert health.status_code == 503
        assert health.get_json() == {"status": "unavailable", "reason": "database did not answer"}
        sms = within_twilios_timeout(lambda: TwilioSender(client).post("hola"))
        assert sms.status_code == 503
        telegram = within_twilios_timeout(lambda: TelegramPoster(client).text("hola"))
        assert telegram.status_code == 503
    finally:
        app.extensions["vecino"].db.dispose()


@pytest.mark.skipif(ON_POSTGRESQL, reason="runs in the SQLite run")
def test_a_write_locked_sqlite_gets_503_not_a_hang(settings, clock):  # type: ignore[no-untyped-def]
    with scratch_database(None, "vecino_locked") as url:
        app = create_app(settings_with(settings, database_url=url), clock=clock)
        client = app.test_client()
        locker = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        locker.execute("BEGIN IMMEDIATE")  # another process holding the write lock
        try:
            sms = within_twilios_timeout(lambda: TwilioSender(client).post("hola"))
            assert sms.status_code == 503
            health = within_twilios_timeout(lambda: client.get("/healthz"))
            assert health.status_code == 503
            assert (
                health.get_json()["reason"] == "database did not answer in time (OperationalError)"
            )
        finally:
            locker.rollback()
            locker.close()
        assert TwilioSender(client).post("hola").status_code == 200  # and it recovers
        app.extensions["vecino"].db.dispose()


def test_healthz_says_when_the_database_is_not_migrated(settings, clock):  # type: ignore[no-untyped-def]
    with scratch_database(os.environ.get("DATABASE_URL", ""), "vecino_bare", False) as url:
        app = create_app(settings_with(settings, database_url=url), clock=clock)
        response = app.test_client().get("/healthz")
        app.extensions["vecino"].db.dispose()
    assert response.status_code == 503
    assert response.get_json() == {
        "status": "unavailable",
        "reason": "database is not migrated: run vecino db upgrade",
    }


def test_healthz_says_when_the_schema_is_behind_the_code(settings, clock):  # type: ignore[no-untyped-def]
    from bot.schema import downgrade

    with scratch_database(os.environ.get("DATABASE_URL", ""), "vecino_behind") as url:
        downgrade(url, "-1")
        app = create_app(settings_with(settings, database_url=url), clock=clock)
        response = app.test_client().get("/healthz")
        app.extensions["vecino"].db.dispose()
    assert response.status_code == 503
    reason = response.get_json()["reason"]
    assert reason.startswith("database schema is at 0") and "the code needs" in reason


def test_healthz_is_ok_on_a_migrated_database(client):  # type: ignore[no-untyped-def]
    response = client.get("/healthz")
    assert (response.status_code, response.get_json()) == (200, {"status": "ok"})
