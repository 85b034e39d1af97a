"""Webhook throughput: the full path against a bare Flask endpoint, same server settings.

Starts gunicorn on loopback twice: once with Vecino (signature check, engine, database, TwiML)
and once with ``bench/bare_app.py``, which returns fixed TwiML. Simulated residents (one
thread each, each its own number) send signed messages through a realistic conversation and
the script prints messages/s and p50/p99 latency for both, and their ratio.

Two loads: "vecino" and "bare" are back to back (each resident sends its next message the
moment the reply arrives: the server's ceiling, where latency is mostly queueing); "paced" is
the same residents answering about ``--think`` seconds after each reply, as people do, which is
where the latency a resident feels is measured.

    python bench/webhook.py                      # SQLite file in a temp dir
    python bench/webhook.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres

With a PostgreSQL URL the script creates a fresh database on that server and drops it after.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import threading
import time
import uuid
from pathlib import Path

import requests
from sqlalchemy.engine import make_url
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import gunicorn  # noqa: E402
from bot.schema import scratch_database  # noqa: E402

TOKEN = "bench-auth-token"
BASE = "https://bench.vecino.test"
SCRIPT = ["hola", "1", "1", "menu", "2", "¿qué?", "EN", "1", "menu", "🙂"]


def load(
    url: str, residents: int, rounds: int, think: float = 0.0
) -> tuple[float, list[float], int]:
    """Each resident sends ``rounds`` messages in order, waiting for each reply and then
    ``think`` seconds (jittered) before the next; returns elapsed, latencies, errors."""
    validator = RequestValidator(TOKEN)
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    start_barrier = threading.Barrier(residents)

    def resident(index: int) -> None:
        nonlocal errors
        http = requests.Session()
        number = f"+1213{uuid.uuid4().int % 10_000_000:07d}"
        mine, failed = [], 0
        pause = random.Random(index)
        start_barrier.wait()
        if think:  # people do not all text at the same instant: arrivals spread over a pause
            time.sleep(think * pause.uniform(0, 1))
        for n in range(rounds):
            if think and n:
                time.sleep(think * pause.uniform(0.5, 1.5))
            params = {
                "MessageSid": f"SM{uuid.uuid4().hex}",
                "From": number,
                "To": "+12135550000",
                "Body": SCRIPT[n % len(SCRIPT)],
                "NumMedia": "0",
            }
            signature = validator.compute_signature(BASE + "/webhooks/twilio", params)
            began = time.perf_counter()
            response = http.post(
                url + "/webhooks/twilio",
                data=params,
                headers={"X-Twilio-Signature": signature},
                timeout=60,
            )
            mine.append(time.perf_counter() - began)
            failed += response.status_code != 200
        with lock:
            latencies.extend(mine)
            errors += failed

    threads = [threading.Thread(target=resident, args=(i,)) for i in range(residents)]
    began = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, latencies, errors


def summary(name: str, elapsed: float, latencies: list[float], errors: int) -> float:
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    rate = len(ordered) / elapsed
    print(
        f"{name:<10} {len(ordered):>6} msgs  {rate:>8.1f} msg/s  p50 {p50:>7.1f} ms  "
        f"p99 {p99:>7.1f} ms  errors {errors}"
    )
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--residents", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=20, help="messages per resident")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="seconds a resident takes to answer in the paced run (0 skips that run)",
    )
    args = parser.parse_args()

    with scratch_database(args.database_url, "vecino_bench") as url:
        backend = make_url(url).get_backend_name()
        print(
            f"{args.residents} residents x {args.rounds} messages, gunicorn "
            f"{args.workers} workers x {args.threads} threads, database: {backend}"
        )
        env = {
            "DATABASE_URL": url,
            "TWILIO_AUTH_TOKEN": TOKEN,
            "PUBLIC_BASE_URL": BASE,
            "SECRET_KEY": "bench",
            "VECINO_LOG_LEVEL": "WARNING",
        }
        with gunicorn("bot.wsgi:app", env, args.workers, args.threads) as full_url:
            load(full_url, 5, 2)  # warm up: imports, connection pools
            full = summary("vecino", *load(full_url, args.residents, args.rounds))
            if args.think:
                paced = load(full_url, args.residents, args.rounds, args.think)
                paced_rate = summary("paced", *paced)
        with gunicorn("bench.bare_app:app", env, args.workers, args.threads) as bare_url:
            load(bare_url, 5, 2)
            bare = summary("bare", *load(bare_url, args.residents, args.rounds))
        print(f"ratio      full path runs at {full / bare:.0%} of the bare endpoint's throughput")
        if args.think:
            print(
                f"paced      {args.residents} residents each answering ~{args.think:g} s after "
                f"a reply ({paced_rate:.0f} msg/s offered and served): latency above"
            )


if __name__ == "__main__":
    main()
