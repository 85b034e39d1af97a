"""Broadcast figures: preview and enqueue of a large audience (``bot/outreach/broadcasts.py``),
and RSVP replies arriving through the webhook.

    .venv/bin/python bench/broadcast.py [--count 50000] [--rsvps 1000 --rsvp-seconds 60]
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/broadcast.py
    .venv/bin/python bench/broadcast.py --part rsvp --rsvps 200 --rsvp-seconds 12  # a quick look

``broadcast``: fills a scratch database with ``--count`` contacts (60 % Spanish, 10 % on
Telegram, five ZIP codes, 2 % opted out), then times the preview of a bilingual text to all of
them (counts per language and channel, the rendered first message per language, segments) and
its enqueue (one outbox row per recipient). Prints wall time and the Python heap's peak
(tracemalloc) for each, and the process's peak RSS.

``rsvp``: ``--rsvps`` residents are invited to a town hall (the invitation flow started for
each, as the outbox would), then each answers (SÍ, yes, 1, NO, 2, quizás, maybe...) within
``--rsvp-seconds`` through ``POST /webhooks/twilio`` on the app served by gunicorn over
loopback, with real Twilio signatures; 5 % of the replies are delivered twice (same
MessageSid), as Twilio retries do. Prints the achieved rate, p50/p99 latency, and checks that
RSVPs stored == residents who answered, with no answer counted twice.

Prints figures; only the RSVP part's bookkeeping checks can fail (exit status 1).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import threading
import time
import tracemalloc
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import func, insert, select
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import gunicorn, percentile  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.conversations import Deps, conversation_of, save_turn  # noqa: E402
from bot.models import Contact, Message  # noqa: E402
from bot.outreach import broadcasts, store  # noqa: E402
from bot.outreach.models import Broadcast, Rsvp, RsvpChange  # noqa: E402
from bot.outreach.store import EventDraft  # noqa: E402
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


# ---- RSVP replies through the webhook ---------------------------------------------------------

TOKEN = "bench-auth-token"
BASE = "https://bench.vecino.test"
REPLIES = {"yes": ("SÍ", "si", "yes", "1", "Sí voy"), "no": ("NO", "2", "no puedo"),
           "maybe": ("quizás", "maybe", "3")}  # fmt: skip
DUPLICATES = 0.05  # share of replies Twilio delivers twice


def invite_residents(url: str, count: int, now: datetime) -> tuple[int, list[str]]:
    """A town hall a week ahead, and ``count`` residents whose invitation is waiting for an
    answer (``Engine.start`` as the outbox sender runs it). Returns the event id and numbers."""
    settings = Settings(database_url=url, secret_key="bench", quiet_hours="off")
    vecino = build_services(settings)
    numbers = [f"+1323{n:07d}" for n in range(count)]
    with vecino.db.transaction() as session:
        event = store.create_event(
            session,
            EventDraft(
                kind="town_hall",
                title_en="Town hall",
                title_es="Asamblea",
                starts_at=now + timedelta(days=7),
                timezone="America/Los_Angeles",
                place="Central Library",
            ),
            now,
        )
        event_id = event.id
        session.execute(
            insert(Contact),
            [{"channel": "sms", "address": number, "language": "es" if n % 5 < 3 else "en",
              "first_seen_at": now, "last_seen_at": now} for n, number in enumerate(numbers)],
        )  # fmt: skip
    for start in range(0, count, 200):  # a transaction per 200: the invitations are not timed
        with vecino.db.transaction() as session:
            batch = select(Contact).where(Contact.address.in_(numbers[start : start + 200]))
            for contact in session.scalars(batch):
                state, conversation = conversation_of(contact)
                deps = Deps(session, contact, settings, now)
                turn = vecino.engine.start(
                    conversation, "event_invitation", now, deps, {"event_id": event_id}
                )
                save_turn(session, contact, state, turn, now)
    vecino.db.dispose()
    return event_id, numbers


def signed(number: str, body: str, sid: str, validator: RequestValidator) -> tuple[dict, dict]:
    params = {"MessageSid": sid, "AccountSid": "AC" + "0" * 32, "From": number,
              "To": "+12135550000", "Body": body, "NumMedia": "0"}  # fmt: skip
    signature = validator.compute_signature(BASE + "/webhooks/twilio", params)
    return params, {"X-Twilio-Signature": signature}


def send_replies(
    server: str, numbers: list[str], seconds: float, threads: int
) -> tuple[list[float], Counter[int], Counter[str], int]:
    """Each resident answers once, the sends spread evenly over ``seconds``; some twice.

    Returns latencies (s), HTTP statuses, the answers sent per status, and the posts made.
    """
    validator = RequestValidator(TOKEN)
    plan = []
    for n, number in enumerate(numbers):
        wanted = ("yes", "yes", "no", "maybe")[n % 4]
        bodies = REPLIES[wanted]
        sid = f"SM{uuid.uuid4().hex}"
        plan.append((number, bodies[n % len(bodies)], sid, wanted))
        if n % round(1 / DUPLICATES) == 0:
            plan.append((number, bodies[n % len(bodies)], sid, "duplicate"))
    interval = seconds / len(plan)
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    answers: Counter[str] = Counter()
    lock = threading.Lock()
    started = time.perf_counter()

    def worker(offset: int) -> None:
        session = requests.Session()
        for index in range(offset, len(plan), threads):
            delay = started + index * interval - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            number, body, sid, wanted = plan[index]
            params, headers = signed(number, body, sid, validator)
            sent_at = time.perf_counter()
            response = session.post(server + "/webhooks/twilio", data=params, headers=headers,
                                    timeout=30)  # fmt: skip
            took = time.perf_counter() - sent_at
            with lock:
                latencies.append(took)
                statuses[response.status_code] += 1
                answers[wanted] += 1

    workers = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    return latencies, statuses, answers, len(plan)


def run_rsvps(url: str, count: int, seconds: float, threads: int) -> bool:
    now = datetime.now(UTC)
    event_id, numbers = invite_residents(url, count, now)
    env = {
        "DATABASE_URL": url,
        "TWILIO_AUTH_TOKEN": TOKEN,
        "PUBLIC_BASE_URL": BASE,
        "SECRET_KEY": "bench",
        "VECINO_LOG_LEVEL": "WARNING",
        "VECINO_QUIET_HOURS": "off",
    }
    with gunicorn("bench.served:full()", env, workers=2, threads=4) as server:
        started = time.perf_counter()
        latencies, statuses, answers, posts = send_replies(server, numbers, seconds, threads)
        elapsed = time.perf_counter() - started
    p50, p99 = (percentile(latencies, q) * 1000 for q in (0.5, 0.99))
    print(
        f"rsvp     {posts} posts ({count} answers + {answers['duplicate']} duplicates) in "
        f"{elapsed:.1f} s = {posts / elapsed:.1f}/s   p50 {p50:.0f} ms   p99 {p99:.0f} ms   "
        f"HTTP {dict(statuses)}"
    )
    settings = Settings(database_url=url, secret_key="bench")
    vecino = build_services(settings)
    with vecino.db.transaction() as session:
        stored = Counter(dict(session.execute(
            select(Rsvp.status, func.count()).where(Rsvp.event_id == event_id)
            .group_by(Rsvp.status)
        ).all()))  # fmt: skip
        changes = session.scalar(
            select(func.count()).select_from(RsvpChange).join(Rsvp, Rsvp.id == RsvpChange.rsvp_id)
            .where(Rsvp.event_id == event_id, RsvpChange.source == "text")
        )  # fmt: skip
        inbound = session.scalar(
            select(func.count()).select_from(Message).where(Message.direction == "in")
        )
    vecino.db.dispose()
    expected = Counter({k: v for k, v in answers.items() if k != "duplicate"})
    answered = sum(stored[s] for s in ("yes", "no", "maybe", "waitlist"))
    checks = {
        "every answer stored (RSVPs answered == residents)": answered == count,
        "per answer (yes / no / maybe) as sent": all(stored[k] == expected[k] for k in expected),
        "none counted twice (one RSVP change per resident)": changes == count,
        "each message stored once (duplicates answered, not stored)": inbound == count,
        "every post answered 200": statuses == Counter({200: posts}),
    }
    print(f"stored   {dict(stored)}; {changes} RSVP changes; {inbound} inbound messages")
    for label, ok in checks.items():
        print(f"{'ok  ' if ok else 'FAIL'}     {label}")
    return all(checks.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("all", "broadcast", "rsvp"), default="all")
    parser.add_argument("--count", type=int, default=50_000)
    parser.add_argument("--rsvps", type=int, default=1000, help="residents who answer")
    parser.add_argument("--rsvp-seconds", type=float, default=60)
    parser.add_argument("--client-threads", type=int, default=8)
    options = parser.parse_args()
    server = os.environ.get("BENCH_DATABASE_URL")
    backend = "PostgreSQL" if server else "SQLite"
    good = True
    if options.part in ("all", "broadcast"):
        with scratch_database(server, "vecino_bench_broadcast") as url:
            print(f"{backend}, {options.count} contacts")
            run(url, options.count)
    if options.part in ("all", "rsvp"):
        with scratch_database(server, "vecino_bench_rsvp") as url:
            print(
                f"{backend}, {options.rsvps} RSVP replies over {options.rsvp_seconds:g} s "
                "through the webhook (gunicorn 2 workers x 4 threads)"
            )
            good = run_rsvps(url, options.rsvps, options.rsvp_seconds, options.client_threads)
    sys.exit(0 if good else 1)


if __name__ == "__main__":
    main()
