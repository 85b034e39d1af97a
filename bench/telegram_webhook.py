"""Telegram webhook latency and throughput, the full path: gunicorn serving Vecino on loopback,
Telegram-style updates posted by simulated residents (one thread each, each its own chat),
every reply sent to a loopback fake of the Bot API.

    python bench/telegram_webhook.py                      # SQLite file in a temp dir
    python bench/telegram_webhook.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres

With a PostgreSQL URL the script creates a fresh database on that server and drops it after.
Prints figures; asserts nothing (tests assert behaviour, not time).
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import requests
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import database_url_from_env  # noqa: E402
from bot.schema import upgrade  # noqa: E402
from tests.telegram.fake_bot_api import FakeBotApi  # noqa: E402

TOKEN = "123456:BENCH"
SECRET = "bench-secret"
SCRIPT = ["hola", "2", "1", "menu", "ES", "nada", "1", "menu", "EN", "2"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def database(url: str | None) -> Iterator[str]:
    if not url or url.startswith("sqlite"):
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/bench.sqlite3"
        return
    server = make_url(database_url_from_env({"DATABASE_URL": url}))
    name = f"vecino_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def gunicorn(env: dict[str, str], workers: int, threads: int) -> Iterator[str]:
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", str(workers), "--threads", str(threads), "--log-level", "warning"]
    process = subprocess.Popen([*command, "bot.wsgi:app"], cwd=ROOT, env={**os.environ, **env})
    url = f"http://127.0.0.1:{port}/webhooks/telegram"
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(url, timeout=5)
            break
        except requests.RequestException:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise SystemExit("gunicorn did not start") from None
            time.sleep(0.2)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(30)


def update(update_id: int, chat_id: int, text: str) -> dict:
    chat = {"id": chat_id, "type": "private", "first_name": "Vecina"}
    sender = {"id": chat_id, "is_bot": False, "first_name": "Vecina"}
    message = {"message_id": update_id, "date": int(time.time()), "chat": chat, "from": sender}
    return {"update_id": update_id, "message": {**message, "text": text}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--residents", type=int, default=20)
    parser.add_argument("--messages", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    fake = FakeBotApi(TOKEN).start()
    with database(args.database_url) as url:
        upgrade(url)
        env = {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "VECINO_LOG_LEVEL": "WARNING",
        }
        with gunicorn(env, args.workers, args.threads) as webhook:

            def resident(number: int) -> list[float]:
                http = requests.Session()
                headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
                timings = []
                for turn in range(args.messages):
                    body = update(number * 1000 + turn, 9_000_000 + number, SCRIPT[turn % 10])
                    started = time.perf_counter()
                    response = http.post(webhook, json=body, headers=headers, timeout=60)
                    timings.append(time.perf_counter() - started)
                    if response.status_code != 200:
                        raise SystemExit(f"{response.status_code}: {response.text}")
                return timings

            # Warm up every worker (each starts its own Bot API client on first use).
            with ThreadPoolExecutor(args.workers * args.threads) as pool:
                list(pool.map(resident, range(10_000, 10_000 + args.workers * 2)))
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.residents) as pool:
                results = list(pool.map(resident, range(args.residents)))
            elapsed = time.perf_counter() - started
    fake.stop()

    timings = sorted(t for result in results for t in result)
    total = len(timings)
    backend = make_url(url).get_backend_name()
    print(
        f"{total} updates from {args.residents} residents at once; {backend}; "
        f"gunicorn {args.workers} workers x {args.threads} threads"
    )
    print(f"throughput: {total / elapsed:.0f} updates/s (each answered with 1-2 sendMessage)")
    p50 = 1000 * statistics.median(timings)
    p95 = 1000 * timings[int(total * 0.95) - 1]
    print(f"latency ms: p50 {p50:.1f}  p95 {p95:.1f}  max {1000 * timings[-1]:.1f}")


if __name__ == "__main__":
    main()
