"""Outbox figures against a loopback fake of Twilio's REST API (``tests/fake_twilio_api.py``).

    .venv/bin/python bench/outbox.py [--count 10000] [--rate 50] [--workers 1]
    BENCH_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \
        .venv/bin/python bench/outbox.py --workers 2
    .venv/bin/python bench/outbox.py --count 2000 --rate 400 --kill-after 700 --kills 2

Each worker is its own process (``--child``) running the real dispatcher: claim, checks at
send time, the twilio library's HTTP call, bookkeeping. Prints the achieved send rate against
the configured one, CPU time per message, and what the fake received: messages lost (queued,
never sent) and sent twice. ``--kill-after N`` kills a worker with SIGKILL once the fake has
seen N more messages, then starts a new one (the fault the outbox's lease is for).

The achieved rate is (messages - 1) / (last send - first send): a paced sender starts one
message every 1/rate seconds, so that span holds messages - 1 intervals. Prints figures; it
asserts nothing (behaviour is tested in tests/outbound/).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, insert, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import Settings  # noqa: E402
from bot.models import Contact, OutboxMessage  # noqa: E402
from bot.outbound.status import OutboxStatus  # noqa: E402
from bot.schema import scratch_database  # noqa: E402
from bot.services import build_services  # noqa: E402
from scheduler.worker import BATCH  # noqa: E402
from tests.fake_twilio_api import FakeTwilioApi  # noqa: E402

LEASE_SECONDS = 5  # short, so a killed worker's claims come back quickly in this run


def settings_for(database_url: str, api: str, rate: float) -> Settings:
    return Settings(
        database_url=database_url,
        secret_key="bench",
        twilio_account_sid="AC" + "0" * 32,
        twilio_auth_token="bench-token",
        twilio_from_number="+12135550000",
        twilio_api_base_url=api,
        public_base_url="https://vecino.example.org",
        quiet_hours="off",
        send_rate=rate,
    )


def fill(database_url: str, count: int) -> None:
    """``count`` contacts with one short message each in the outbox (GSM-7, one segment)."""
    vecino = build_services(settings_for(database_url, "http://unused", 1))
    now = datetime.now(UTC)
    contacts = [
        {
            "channel": "sms",
            "address": f"+1213{n:07d}",
            "language": "es",
            "first_seen_at": now,
            "last_seen_at": now,
        }
        for n in range(count)
    ]
    with vecino.db.transaction() as session:
        session.execute(insert(Contact), contacts)
        ids = list(session.scalars(select(Contact.id).order_by(Contact.id)))
        rows = [
            {
                "contact_id": cid,
                "channel": "sms",
                "reason": "bench",
                "idempotency_key": f"b{cid}",
                "payload": [
                    {"text": "Recordatorio: junta el jueves a las 6pm. Responde ALTO para salir."}
                ],
                "status": OutboxStatus.PENDING,
                "not_before": now,
                "attempts": 0,
                "created_at": now,
                "updated_at": now,
            }
            for cid in ids
        ]
        session.execute(insert(OutboxMessage), rows)
    vecino.db.dispose()


def child(database_url: str, api: str, rate: float, threads: int) -> None:
    """One worker: send until nothing is left, then print its CPU time as JSON."""
    from bot.channels.senders import build_senders
    from bot.outbound.dispatch import Dispatcher

    vecino = build_services(settings_for(database_url, api, rate))
    senders, pacers = build_senders(vecino)
    dispatcher = Dispatcher(
        vecino.db,
        vecino.engine,
        vecino.settings,
        senders,
        pacers,
        f"bench:{os.getpid()}",
        lease=timedelta(seconds=LEASE_SECONDS),
        concurrency=threads,
    )
    idle_since = None
    while True:
        if dispatcher.run_once(BATCH):
            idle_since = None
            continue
        with vecino.db.transaction() as session:
            left = session.scalar(
                select(func.count()).where(
                    OutboxMessage.status.in_((OutboxStatus.PENDING, OutboxStatus.SENDING))
                )
            )
        if not left:
            break
        idle_since = idle_since or time.monotonic()
        time.sleep(0.2)  # rows claimed by a killed worker come back when its lease ends
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(json.dumps({"cpu": usage.ru_utime + usage.ru_stime}), flush=True)


def spawn(database_url: str, api: str, rate: float, threads: int) -> subprocess.Popen[str]:
    command = [
        sys.executable,
        __file__,
        "--child",
        "--database-url",
        database_url,
        "--api",
        api,
        "--rate",
        str(rate),
        "--threads",
        str(threads),
    ]
    env = {**os.environ, "VECINO_LOG_LEVEL": "ERROR", "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)


def run(args: argparse.Namespace) -> None:
    fake = FakeTwilioApi().start()
    server = args.database_url or None
    with scratch_database(server, "vecino_bench_outbox") as url:
        fill(url, args.count)
        started = time.monotonic()
        workers = [spawn(url, fake.base_url, args.rate, args.threads) for _ in range(args.workers)]
        kills, cpu = 0, 0.0
        while kills < args.kills and args.kill_after:
            target = (kills + 1) * args.kill_after
            while len(fake.calls) < target and workers[0].poll() is None:
                time.sleep(0.01)
            if workers[0].poll() is not None:
                break
            workers[0].send_signal(signal.SIGKILL)
            workers[0].wait()
            kills += 1
            workers[0] = spawn(url, fake.base_url, args.rate, args.threads)
        for worker in workers:
            out, _ = worker.communicate(timeout=args.count / args.rate * 3 + 120)
            cpu += json.loads(out.strip().splitlines()[-1])["cpu"] if out.strip() else 0.0
        wall = time.monotonic() - started
        report(args, fake, wall, cpu, kills, url)
    fake.stop()


def report(
    args: argparse.Namespace, fake: FakeTwilioApi, wall: float, cpu: float, kills: int, url: str
) -> None:
    numbers = [call["To"] for call in fake.calls]
    times = sorted(fake.times)
    span = times[-1] - times[0] if len(times) > 1 else 0.0
    achieved = (len(times) - 1) / span if span else float("nan")
    busiest, first = 0, 0  # most sends that started within any one second
    for last, moment in enumerate(times):
        while moment - times[first] >= 1.0:
            first += 1
        busiest = max(busiest, last - first + 1)
    vecino = build_services(settings_for(url, "http://unused", 1))
    with vecino.db.transaction() as session:
        statuses = dict(
            session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            ).all()
        )
    vecino.db.dispose()
    backend = "postgresql" if url.startswith("postgresql") else "sqlite"
    print(
        f"backend {backend}, workers {args.workers}, messages {args.count}, "
        f"threads {args.threads}, configured {args.rate:g} segments/s, kills {kills}"
    )
    print(
        f"  achieved rate     {achieved:8.2f} segments/s ({achieved / args.rate:.3f} of configured)"
    )
    print(f"  busiest second    {busiest:8d} sends (any 1 s window)")
    print(f"  wall time         {wall:8.1f} s")
    print(f"  CPU per message   {cpu / max(len(numbers), 1) * 1000:8.2f} ms (worker processes)")
    print(f"  sent to fake      {len(numbers):8d}   unique {len(set(numbers))}")
    print(f"  lost              {args.count - len(set(numbers)):8d}")
    print(f"  sent twice        {len(numbers) - len(set(numbers)):8d}")
    print(f"  outbox statuses   {statuses}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=50.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1, help="VECINO_SEND_THREADS per worker")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--kill-after", type=int, default=0)
    parser.add_argument("--kills", type=int, default=1)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.database_url, args.api, args.rate, args.threads)
    else:
        run(args)


if __name__ == "__main__":
    main()
