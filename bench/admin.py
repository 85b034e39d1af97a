"""Admin page server time: the dashboard and a survey page over a large program.

    .venv/bin/python bench/admin.py              (100,000 contacts, 500,000 messages, SQLite)
    .venv/bin/python bench/admin.py --database-url postgresql+psycopg://postgres@127.0.0.1/postgres
    .venv/bin/python bench/admin.py --contacts 10000 --messages 50000    (a quick run)

Rows are bulk-inserted straight into a fresh scratch database (a PostgreSQL URL names a server;
the run gets its own database there, dropped after), then a signed-in admin requests each page
through the real app in-process, so the figures are server time without the network. Prints
figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

# This script shares its name with the ``admin`` package: resolve imports from the project
# root, not from bench/ (where ``import admin`` would find this file).
sys.path[0] = str(Path(__file__).resolve().parent.parent)

from sqlalchemy import event, insert, text  # noqa: E402

from admin.users import create_user  # noqa: E402
from bench.harness import percentile  # noqa: E402
from bot.app import create_app  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.directory.models import ResourceSearch  # noqa: E402
from bot.models import Contact, ConversationState, Message, StaffFlag  # noqa: E402
from bot.schema import scratch_database  # noqa: E402
from bot.surveys.models import SurveyAnswer, SurveyResponse  # noqa: E402

NOW = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)
CHUNK = 10_000
PHQ = ["not_at_all", "several_days", "more_than_half", "nearly_every_day"]
HVS = ["often", "sometimes", "never"]
PASSWORD = "benchmark password"


def _chunks(rows, engine, table) -> None:  # type: ignore[no-untyped-def]
    with engine.begin() as connection:
        for start in range(0, len(rows), CHUNK):
            connection.execute(insert(table), rows[start : start + CHUNK])


def load(engine, contacts: int, messages: int, rng: random.Random) -> None:  # type: ignore[no-untyped-def]
    channels = ["sms"] * 6 + ["whatsapp"] * 2 + ["telegram"] * 2
    rows = []
    for n in range(1, contacts + 1):
        seen = NOW - timedelta(days=rng.uniform(0, 120))
        rows.append(
            {
                "id": n,
                "channel": rng.choice(channels),
                "address": f"+1213{n:07d}",
                "language": rng.choice(["es", "es", "es", "en", "en", None]),
                "first_seen_at": seen,
                "last_seen_at": seen + timedelta(days=rng.uniform(0, 5)),
                "opted_out_at": NOW if rng.random() < 0.04 else None,
                "zip_code": rng.choice(["90057", "90026", "90004", "90006", None]),
            }
        )
    _chunks(rows, engine, Contact.__table__)
    _chunks(
        [
            {
                "contact_id": n,
                "flow_id": "main_menu",
                "step_id": "menu",
                "data": {},
                "invalid_count": 1 if rng.random() < 0.1 else 0,
                "updated_at": NOW,
            }
            for n in range(1, contacts + 1)
        ],
        engine,
        ConversationState.__table__,
    )
    rows = []
    for n in range(1, messages + 1):
        contact = rng.randint(1, contacts)
        rows.append(
            {
                "id": n,
                "contact_id": contact,
                "channel": "sms",
                "direction": "in" if n % 2 else "out",
                "provider_id": f"SM{n}" if n % 2 else None,
                "body": "hola" if n % 2 else "¿En qué te puedo ayudar?",
                "status": "received" if n % 2 else "replied",
                "created_at": NOW - timedelta(minutes=rng.uniform(0, 90 * 24 * 60)),
                "updated_at": NOW,
            }
        )
        if len(rows) == CHUNK * 5:
            _chunks(rows, engine, Message.__table__)
            rows = []
    _chunks(rows, engine, Message.__table__)
    _surveys(engine, contacts, rng)
    _chunks(
        [
            {
                "contact_id": rng.randint(1, contacts),
                "reason": rng.choice(["crisis", "survey_callback"]),
                "created_at": NOW - timedelta(hours=rng.uniform(0, 2000)),
                "resolved_at": None if rng.random() < 0.2 else NOW,
            }
            for _ in range(contacts // 100)
        ],
        engine,
        StaffFlag.__table__,
    )
    _chunks(
        [
            {
                "created_at": NOW - timedelta(hours=rng.uniform(0, 2000)),
                "contact_id": rng.randint(1, contacts),
                "category": rng.choice(["food", "housing"]),
                "zip_code": rng.choice(["90057", "90026", "93534"]),
                "via": "zip",
                "within_1mi": rng.randint(0, 3),
                "within_3mi": rng.randint(0, 5),
                "within_10mi": rng.randint(0, 9),
                "nearest_miles": rng.uniform(0.1, 12),
                "shown": 3,
                "pending": [],
            }
            for _ in range(contacts // 5)
        ],
        engine,
        ResourceSearch.__table__,
    )


def _surveys(engine, contacts: int, rng: random.Random) -> None:  # type: ignore[no-untyped-def]
    """A response to PHQ-2 and to the Hunger Vital Sign from 30% of residents each."""
    responses, answers, rid = [], [], 0
    for key, items, values in (
        ("phq2", ["phq2_interest", "phq2_down"], PHQ),
        ("hunger_vital_sign", ["hvs_worried", "hvs_ran_out"], HVS),
    ):
        for contact in rng.sample(range(1, contacts + 1), int(contacts * 0.3)):
            rid += 1
            started = NOW - timedelta(days=rng.uniform(0, 60))
            language = rng.choice(["es", "es", "en"])
            done = rng.random() < 0.8
            responses.append(
                {
                    "id": rid,
                    "contact_id": contact,
                    "survey_key": key,
                    "survey_version": 1,
                    "fingerprint": "bench",
                    "language": language,
                    "channel": "sms",
                    "status": "completed" if done else "in_progress",
                    "consent_at": started,
                    "started_at": started,
                    "updated_at": started,
                    "completed_at": started if done else None,
                    "flags": [],
                }
            )
            for item in items[: 2 if done else 1]:
                skipped = rng.random() < 0.03
                answers.append(
                    {
                        "response_id": rid,
                        "key": item,
                        "question_type": "choice",
                        "value": None if skipped else rng.choice(values),
                        "skipped": skipped,
                        "language": language,
                        "answered_at": started,
                    }
                )
    _chunks(responses, engine, SurveyResponse.__table__)
    _chunks(answers, engine, SurveyAnswer.__table__)


class StatementTimes:
    """Server time per SQL statement, to say which query a slow page waits on."""

    def __init__(self, engine) -> None:  # type: ignore[no-untyped-def]
        self.times: dict[str, list[float]] = {}
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, many) -> None:  # type: ignore[no-untyped-def]
        conn.info["bench_started"] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, many) -> None:  # type: ignore[no-untyped-def]
        elapsed = (time.perf_counter() - conn.info.pop("bench_started")) * 1000
        self.times.setdefault(" ".join(statement.split()), []).append(elapsed)

    def report(self, top: int = 3) -> None:
        slowest = sorted(self.times.items(), key=lambda item: -percentile(item[1], 0.5))
        for statement, times in slowest[:top]:
            print(f"      {percentile(times, 0.5):7.1f} ms  {statement[:150]}")
        self.times.clear()


def measure(client, path: str, runs: int) -> list[float]:  # type: ignore[no-untyped-def]
    for _ in range(2):
        assert client.get(path).status_code == 200
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, path
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=500_000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database-url", default=None)
    parser.add_argument(
        "--statements", action="store_true", help="also print each page's slowest SQL (median)"
    )
    args = parser.parse_args()
    with scratch_database(args.database_url, "vecino_bench_admin") as url:
        settings = Settings(database_url=url, secret_key="bench")
        app = create_app(settings, clock=lambda: NOW)
        engine = app.extensions["vecino"].db.engine
        started = time.perf_counter()
        load(engine, args.contacts, args.messages, random.Random(7))
        with engine.begin() as connection:
            connection.execute(text("ANALYZE"))
        print(
            f"{engine.dialect.name}: loaded {args.contacts:,} contacts, {args.messages:,} "
            f"messages in {time.perf_counter() - started:.0f} s"
        )
        with app.extensions["vecino"].db.transaction() as session:
            create_user(session, "bench@example.org", PASSWORD, "admin", NOW)
        client = app.test_client()
        page = client.get("/admin/login").get_data(as_text=True)
        token = page.split('name="csrf_token" value="')[1].split('"')[0]
        client.post(
            "/admin/login",
            data={"email": "bench@example.org", "password": PASSWORD, "csrf_token": token},
        )
        statements = StatementTimes(engine) if args.statements else None
        for path in (
            "/admin/dashboard",
            "/admin/surveys/phq2",
            "/admin/surveys/hunger_vital_sign?zip=90057",
            "/admin/flags",
            "/admin/conversations",
            "/admin/needs",
        ):
            times = measure(client, path, args.runs)
            print(
                f"  {path:<45} p50 {percentile(times, 0.5):7.1f} ms   "
                f"p95 {percentile(times, 0.95):7.1f} ms   ({args.runs} requests)"
            )
            if statements is not None:
                statements.report()
        app.extensions["vecino"].db.dispose()


if __name__ == "__main__":
    main()
