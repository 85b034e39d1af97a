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
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import gunicorn  # noqa: E402
from bot.schema import scratch_database  # noqa: E402
from tests.telegram.fake_bot_api import FakeBotApi  # noqa: E402

TOKEN = "123456:BENCH"
SECRET = "bench-secret"
SCRIPT = ["hola", "2", "1", "menu", "ES", "nada", "1", "menu", "EN", "2"]


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
    with scratch_database(args.database_url, "vecino_bench") as url:
        env = {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_WEBHOOK_SECRET": SECRET,
            "TELEGRAM_API_BASE_URL": fake.base_url,
            "VECINO_LOG_LEVEL": "WARNING",
        }
        with gunicorn("bot.wsgi:app", env, args.workers, args.threads) as base_url:
            webhook = base_url + "/webhooks/telegram"

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
