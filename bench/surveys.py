"""Survey figures: residents completing the family check-in through the real conversation
service and database, then the export and the summary over their responses.

    .venv/bin/python bench/surveys.py [RESIDENTS]        (default 200, SQLite in a temp dir)
    BENCH_DATABASE_URL=postgresql+psycopg://... .venv/bin/python bench/surveys.py

Prints figures; it asserts nothing (behaviour is tested in tests/). Use an empty database.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

from bot.config import Settings
from bot.conversations import Envelope
from bot.engine import Inbound
from bot.schema import scratch_database
from bot.services import build_services
from bot.surveys import store
from bot.surveys.definitions import load_surveys
from bot.surveys.results import export_rows, summarize

# Spanish welcome, the survey's words, consent and the eight questions (a hard week, so the
# call question is asked too).
SCRIPT = [
    "hola",
    "1",
    "encuesta familia",
    "sí",
    "4",
    "2",
    "sí",
    "1 3",
    "90057",
    "3/2021",
    "gracias",
]


def main(residents: int) -> None:
    # A PostgreSQL URL names a server: the run gets a fresh database there, dropped after.
    with scratch_database(os.environ.get("BENCH_DATABASE_URL"), "vecino_bench") as url:
        now = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)
        clock = [now]
        vecino = build_services(Settings(database_url=url, secret_key="bench"), lambda: clock[0])
        with vecino.db.transaction() as session:
            store.set_open(session, "family_checkin", True, now)

        turns: list[float] = []
        answers: list[float] = []
        started = time.perf_counter()
        for resident in range(residents):
            address = f"+1213555{resident:04d}"
            for number, text in enumerate(SCRIPT):
                clock[0] += timedelta(seconds=1)
                envelope = Envelope(
                    "sms", address, Inbound(text), provider_id=f"b{resident}-{number}"
                )
                begin = time.perf_counter()
                vecino.conversations.receive(envelope)
                elapsed = time.perf_counter() - begin
                turns.append(elapsed)
                if number >= 4:  # the survey's questions: each one stores an answer
                    answers.append(elapsed)
        total = time.perf_counter() - started

        survey = load_surveys(vecino.settings.flows_dir)["family_checkin"]
        begin = time.perf_counter()
        with vecino.db.transaction() as session:
            _, rows = export_rows(session, survey, "bench")
        export_seconds = time.perf_counter() - begin
        begin = time.perf_counter()
        with vecino.db.transaction() as session:
            summary = summarize(session, survey)
        summary_seconds = time.perf_counter() - begin
        vecino.db.dispose()

        def ms(values: list[float], q: float) -> float:
            return statistics.quantiles(values, n=100)[int(q) - 1] * 1000

        dialect = url.split(":", 1)[0]
        print(f"database: {dialect}; residents: {residents}; turns: {len(turns)} in {total:.1f} s")
        print(
            f"turn latency (all):       median {ms(turns, 50):6.1f} ms   "
            f"p95 {ms(turns, 95):6.1f} ms"
        )
        print(
            f"turn latency (answers):   median {ms(answers, 50):6.1f} ms   "
            f"p95 {ms(answers, 95):6.1f} ms"
        )
        print(
            f"throughput:               {len(turns) / total:6.0f} turns/s (one process, sequential)"
        )
        print(f"export:                   {len(rows)} rows in {export_seconds * 1000:.0f} ms")
        print(
            f"summary:                  {summary.responses} responses in "
            f"{summary_seconds * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
