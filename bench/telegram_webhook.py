"""How fast the Telegram webhook answers: real HTTP into the app on loopback, replies sent to a
loopback fake of the Bot API, a fresh SQLite database (or DATABASE_URL's PostgreSQL server).

    .venv/bin/python bench/telegram_webhook.py [--residents 20] [--messages 10]

Prints latency percentiles and throughput; asserts nothing (tests assert behaviour).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.app import create_app  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.schema import upgrade  # noqa: E402
from tests.telegram.fake_bot_api import FakeBotApi  # noqa: E402

TOKEN = "123456:BENCH"
SECRET = "bench-secret"


def update(update_id: int, chat_id: int, text: str) -> dict:
    chat = {"id": chat_id, "type": "private", "first_name": "Vecina"}
    sender = {"id": chat_id, "is_bot": False, "first_name": "Vecina"}
    message = {"message_id": update_id, "date": int(time.time()), "chat": chat, "from": sender}
    return {"update_id": update_id, "message": {**message, "text": text}}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--residents", type=int, default=20)
    parser.add_argument("--messages", type=int, default=10)
    args = parser.parse_args()

    fake = FakeBotApi(TOKEN).start()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/bench.sqlite3"
        upgrade(url)
        settings = Settings(
            database_url=url,
            secret_key="bench",
            telegram_bot_token=TOKEN,
            telegram_webhook_secret=SECRET,
            telegram_api_base_url=fake.base_url,
        )
        app = create_app(settings)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_port}/webhooks/telegram"
        script = ["hola", "2", "1", "menu", "ES", "nada", "1", "menu", "EN", "2"]

        def resident(number: int) -> list[float]:
            http = requests.Session()
            timings = []
            for turn in range(args.messages):
                body = update(number * 1000 + turn, 9_000_000 + number, script[turn % 10])
                started = time.perf_counter()
                response = http.post(
                    base, json=body, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET}
                )
                timings.append(time.perf_counter() - started)
                assert response.status_code == 200, response.text
            return timings

        resident(9999 - 1)  # warm up: first request starts the Bot API client
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=args.residents) as pool:
            results = list(pool.map(resident, range(args.residents)))
        elapsed = time.perf_counter() - started
        server.shutdown()
        app.extensions["vecino_telegram"].close()
        app.extensions["vecino"].db.dispose()
    fake.stop()

    timings = sorted(t for result in results for t in result)
    total = len(timings)
    sends = len(fake.calls_to("sendMessage"))
    print(f"updates: {total} from {args.residents} residents at once (SQLite, threaded server)")
    print(f"throughput: {total / elapsed:.0f} updates/s; Bot API sendMessage calls: {sends}")
    p50 = 1000 * statistics.median(timings)
    p95 = 1000 * timings[int(total * 0.95) - 1]
    print(f"latency ms: p50 {p50:.1f}  p95 {p95:.1f}  max {1000 * timings[-1]:.1f}")
    print("(app, fake Bot API and clients share one process and its GIL)")


if __name__ == "__main__":
    main()
