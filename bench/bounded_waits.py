"""How long a request waits before its 503 when the database cannot answer.

Two cases, in process (Flask's test client, real database drivers, real signatures):
a PostgreSQL that accepts TCP connections and never answers (a loopback blackhole), and an
SQLite file another process holds the write lock on. Prints seconds per request; the README's
"Worst-case answer time" explains the bounds. No PostgreSQL server is needed.

    .venv/bin/python bench/bounded_waits.py
"""

from __future__ import annotations

import logging
import socket
import sqlite3
import sys
import threading
import time
import uuid
from pathlib import Path

from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import create_app  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.schema import scratch_database  # noqa: E402

TOKEN = "bench-token"
BASE = "https://bench.vecino.test"


def blackhole() -> int:
    """A loopback port that accepts connections and never says a word (lives until exit)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held: list[socket.socket] = []
    threading.Thread(
        target=lambda: [held.append(listener.accept()[0]) for _ in iter(int, 1)], daemon=True
    ).start()
    return listener.getsockname()[1]


def timed(app, name: str) -> None:  # type: ignore[no-untyped-def]
    client = app.test_client()
    params = {"MessageSid": f"SM{uuid.uuid4().hex}", "From": "+12135550123", "Body": "hola"}
    signature = RequestValidator(TOKEN).compute_signature(BASE + "/webhooks/twilio", params)
    for path, call in (
        ("/healthz", lambda: client.get("/healthz")),
        (
            "/webhooks/twilio",
            lambda: client.post(
                "/webhooks/twilio", data=params, headers={"X-Twilio-Signature": signature}
            ),
        ),
    ):
        started = time.perf_counter()
        status = call().status_code
        print(f"{name:<32} {path:<18} {status}  {time.perf_counter() - started:5.1f} s")


def settings(url: str) -> Settings:
    return Settings(
        database_url=url, secret_key="bench", twilio_auth_token=TOKEN, public_base_url=BASE
    )


def main() -> None:
    logging.disable(logging.CRITICAL)  # every 503 logs its traceback; the figures are the point
    app = create_app(settings(f"postgresql+psycopg://vecino@127.0.0.1:{blackhole()}/vecino"))
    timed(app, "PostgreSQL that never answers")
    with scratch_database(None, "vecino_bench_locked") as url:
        app = create_app(settings(url))
        locker = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        locker.execute("BEGIN IMMEDIATE")
        timed(app, "SQLite write-locked")
        locker.rollback()
        timed(app, "SQLite, lock released")


if __name__ == "__main__":
    main()
