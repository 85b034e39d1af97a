"""Broadcast figures: preview and enqueue of a large audience (``bot/outreach/broadcasts.py``).

    .venv/bin/python bench/broadcast.py [--count 50000]
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/broadcast.py

Fills a scratch database with ``--count`` contacts (60 % Spanish, 10 % on Telegram, five ZIP
codes, 2 % opted out), then times the preview of a bilingual text to all of them (counts per
language and channel, the rendered first message per language, segments) and its enqueue
(one outbox row per recipient). Prints wall time and the Python heap's peak (tracemalloc) for
each, and the process's peak RSS. Prints figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import Settings  # noqa: E402
from bot.models import Contact  # noqa: E402
from bot.outreach import broadcasts  # noqa: E402
from bot.outreach.models import Broadcast  # noqa: E402
from bot.schema import scratch_database  # noqa: E402
from bot.services import build_services  # noqa: E402

ZIPS = ("90057", "90026", "90004", "90005", "90020")


def fill(vecino: Any, count: int, now: datetime) -> None:
    rows = [
        {
            "channel": "telegram" if n % 10 == 0 else "sms",
            "address": f"+1213{n:07d}",
            "language": "es" if n % 5 < 3 else "en",
            "zip_code": ZIPS[n % len(ZIPS)],
            "opted_out_at": now if n % 50 == 1 else None,
            "first_seen_at": now,
            "last_seen_at": now,
        }
        for n in range(count)
    ]
    with vecino.db.transaction() as session:
        session.execute(insert(Contact), rows)


def measured(label: str, work: Callable[[], Any]) -> Any:
    tracemalloc.start()
    started = time.perf_counter()
    result = work()
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<8} {elapsed:8.2f} s   heap peak {peak / 1e6:7.1f} MB")
    return result


def draft(now: datetime) -> Broadcast:
    return Broadcast(
        text_en="Food fair Saturday at 10 in the park. Bring a bag!",
        text_es="Feria de comida el sábado a las 10 en el parque. ¡Trae una bolsa!",
        filters=[],
        send_at=now,
    )


def run(url: str, count: int) -> None:
    settings = Settings(database_url=url, secret_key="bench", quiet_hours="off")
    vecino = build_services(settings)
    now = datetime.now(UTC)
    fill(vecino, count, now)

    def preview() -> broadcasts.Preview:
        with vecino.db.transaction() as session:
            return broadcasts.preview(session, vecino.engine, settings, draft(now), now)

    def enqueue() -> int:
        with vecino.db.transaction() as session:
            return broadcasts.enqueue(session, draft(now), now)

    shown = measured("preview", preview)
    queued = measured("enqueue", enqueue)
    print(f"recipients {shown.recipients}, queued {queued}, SMS segments {shown.total_segments}")
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process peak RSS {peak_rss:.0f} MB")
    vecino.db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50_000)
    options = parser.parse_args()
    server = os.environ.get("BENCH_DATABASE_URL")
    with scratch_database(server, "vecino_bench_broadcast") as url:
        print(f"{'PostgreSQL' if server else 'SQLite'}, {options.count} contacts")
        run(url, options.count)


if __name__ == "__main__":
    main()
