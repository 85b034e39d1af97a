"""Twilio webhook throughput and latency, measured with wrk (a C load generator).

A Python client on the same two cores saturates before the server does (it read the bare
endpoint at ~520 msg/s where wrk reads ~6,000), so the load comes from ``wrk`` replaying
distinct, correctly signed requests: 500 residents, each walking through a conversation
(welcome, language, menu, an invalid answer, a language switch, an emoji...), interleaved so a
resident's next message arrives well after the previous one.

Three servers, one after the other, each under the Procfile's gunicorn line (2 workers x 4
threads) on the same database:

- ``bare``: fixed TwiML, nothing else (the ceiling of Flask + gunicorn here);
- ``minimal``: the least a correct webhook does (bench/minimal_app.py: signature, one insert
  that dedupes on the provider id, commit, fixed TwiML);
- ``full``: Vecino (signature, dedupe, contact lock, engine, stored replies, TwiML);

then ``full`` again at a fixed offered rate (``--rate``), where p99 is the latency a resident
feels on a busy but not saturated day. It prints msgs/s, p50/p99, the full path's ratio to
both yardsticks, how keep-alive spread connections over the gunicorn workers, and the SQL
statements per message (counted in-process on the same script). On SQLite it also prints how
much of each full run the write lock was held, and for how long per turn: one writer at a
time, so a lock held most of the run caps throughput at 1 / (hold per turn) whatever the cores.

    python bench/webhook.py                      # SQLite file in a temp dir
    python bench/webhook.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres
    python bench/webhook.py --statements-only    # the count alone, cheap and deterministic

wrk comes from Debian's ``wrk`` package; the script installs it when it can (root with
apt-get) and otherwise says how.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy.engine import make_url
from twilio.request_validator import RequestValidator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import gunicorn  # noqa: E402
from bench.minimal_app import create_tables  # noqa: E402
from bench.statements import BASE, SCRIPT, TOKEN, count_statements  # noqa: E402
from bot.schema import scratch_database  # noqa: E402

LUA = ROOT / "bench" / "wrk_twilio.lua"
RATE_CEILING = 12_000  # msg/s the request files are sized for by default
# A saturated run where one worker answered more than this share is reported, then run again
# (at most this many times): see ``busiest_share``.
LOPSIDED_SHARE = 0.75
LOPSIDED_RERUNS = 2


def find_wrk() -> str:
    """The wrk binary, installed from Debian's packages when missing and we are allowed to."""
    found = shutil.which("wrk")
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk not found: installing Debian's wrk package", flush=True)
        install = ["apt-get", "install", "-y", "-q", "wrk"]
        if subprocess.run(install, capture_output=True).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], capture_output=True)
            subprocess.run(install, capture_output=True)
        found = shutil.which("wrk")
        if found:
            return found
    raise SystemExit("wrk is needed: install it with `apt-get install wrk` (Debian/Ubuntu)")


def write_requests(path: Path, residents: int, rounds: int) -> int:
    """Signed requests, resident after resident for each step of the script; returns count.

    Numbers and MessageSids are new for every file, so each run starts fresh conversations
    and never replays a message another run already stored.
    """
    validator = RequestValidator(TOKEN)
    run = uuid.uuid4().int
    numbers = [f"+1213{(run + index) % 10_000_000:07d}" for index in range(residents)]
    with path.open("w") as out:
        for step in range(rounds):
            for number in numbers:
                params = {
                    "MessageSid": f"SM{uuid.uuid4().hex}",
                    "AccountSid": "AC" + "0" * 32,
                    "From": number,
                    "To": "+12135550000",
                    "Body": SCRIPT[step % len(SCRIPT)],
                    "NumMedia": "0",
                }
                signature = validator.compute_signature(BASE + "/webhooks/twilio", params)
                out.write(f"{signature}\t{urlencode(params)}\n")
    return residents * rounds


def run_wrk(wrk: str, url: str, args: argparse.Namespace, rate: float = 0) -> dict:
    """One wrk run against ``url``; at a fixed ``rate`` each connection pauses between sends."""
    with tempfile.TemporaryDirectory() as folder:
        requests_file = Path(folder) / "requests.tsv"
        write_requests(requests_file, args.residents, args.rounds)
        pause_ms = int(args.connections * 1000 / rate) if rate else 0
        command = [wrk, "-t", str(args.wrk_threads), "-c", str(args.connections)]
        command += ["-d", f"{args.seconds}s", "--timeout", "20s", "-s", str(LUA)]
        command += [url + "/webhooks/twilio", "--", str(requests_file)]
        command += [str(args.wrk_threads), str(pause_ms)]
        output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))
    result = json.loads(line.removeprefix("BENCH_JSON "))
    result["rate"] = result["requests"] / result["seconds"]
    return result


def report(name: str, result: dict) -> None:
    ok = result["statuses"].get("200", 0)
    bad = result["requests"] - ok
    split = "/".join(str(n) for n in sorted(result["workers"].values(), reverse=True))
    warning = f"  ({result['reused']} repeated requests)" if result["reused"] else ""
    print(
        f"{name:<14} {result['rate']:>8.0f} msg/s  p50 {result['p50_ms']:>7.1f} ms  "
        f"p99 {result['p99_ms']:>7.1f} ms  non-200 {bad + result['socket_errors']:>4}  "
        f"per worker {split}{warning}",
        flush=True,
    )


def busiest_share(result: dict, workers: int) -> float:
    """The share of a run's answers that came from its busiest gunicorn worker.

    wrk opens its connections at once and keep-alive pins each to the worker that accepted
    it; now and then one worker accepts them all, and the run measures one core's worth of
    server instead of the Procfile's two workers.
    """
    counts = list(result["workers"].values())
    if workers < 2 or not counts:
        return 0.0
    return max(counts) / sum(counts)


def queue_totals(folder: Path) -> dict[str, float]:
    """The full app's writer-queue totals so far, summed over its workers (bench/served.py)."""
    totals = {"turns": 0.0, "wait_s": 0.0, "hold_s": 0.0}
    for path in folder.glob("*.json"):
        for key, value in json.loads(path.read_text()).items():
            totals[key] = totals.get(key, 0.0) + value
    return totals


def report_queue(before: dict[str, float], after: dict[str, float], seconds: float) -> None:
    """How busy SQLite's write lock was during a run: one writer at a time, so the share of
    the run it was held bounds what more threads or workers could add."""
    turns = after["turns"] - before["turns"]
    if not turns:
        return
    hold = after["hold_s"] - before["hold_s"]
    wait = after["wait_s"] - before["wait_s"]
    print(
        f"{'  write lock':<14} held {hold / seconds:>5.0%} of the run, "
        f"{hold / turns * 1000:.2f} ms per turn; a turn waited {wait / turns * 1000:.1f} ms "
        f"on average for it",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--residents", type=int, default=500)
    parser.add_argument(
        "--rounds",
        type=int,
        help="messages per resident (max; default: enough for 12,000 msg/s over --seconds)",
    )
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--rate", type=float, default=200, help="offered msg/s (0: skip)")
    parser.add_argument(
        "--statements-only",
        action="store_true",
        help="only count SQL statements per message (no server, no wrk; bench/statements.py)",
    )
    args = parser.parse_args()
    if args.rounds is None:
        # The bare endpoint reads up to ~10,000 msg/s here: fewer distinct requests and its run
        # would fall back on repeats (signing them takes ~2 s per 100,000)
        args.rounds = -(-args.seconds * RATE_CEILING // args.residents)
    if args.statements_only:
        with scratch_database(args.database_url, "vecino_bench") as url:
            print(f"statements     {count_statements(url).summary()}")
        return
    wrk = find_wrk()

    with scratch_database(args.database_url, "vecino_bench") as url:
        backend = make_url(url).get_backend_name()
        print(
            f"wrk: {args.connections} connections, {args.seconds} s, {args.residents} residents; "
            f"gunicorn {args.workers} workers x {args.threads} threads; database: {backend}",
            flush=True,
        )
        create_tables(url)
        env = {
            "DATABASE_URL": url,
            "TWILIO_AUTH_TOKEN": TOKEN,
            "PUBLIC_BASE_URL": BASE,
            "SECRET_KEY": "bench",
            "VECINO_LOG_LEVEL": "WARNING",
        }
        results = {}
        queue_stats = Path(tempfile.mkdtemp(prefix="vecino-queue-"))
        for name in ("bare", "minimal", "full"):
            app, served_env = f"bench.served:{name}()", env
            if name == "full" and backend == "sqlite":
                served_env = {**env, "BENCH_QUEUE_STATS": str(queue_stats)}
            with gunicorn(app, served_env, args.workers, args.threads) as server:
                for attempt in range(1, LOPSIDED_RERUNS + 2):
                    before = queue_totals(queue_stats)
                    results[name] = run_wrk(wrk, server, args)
                    report(name, results[name])
                    report_queue(before, queue_totals(queue_stats), results[name]["seconds"])
                    share = busiest_share(results[name], args.workers)
                    if share <= LOPSIDED_SHARE or attempt > LOPSIDED_RERUNS:
                        break
                    print(
                        f"{'  lopsided':<14} one worker answered {share:.0%}: measured "
                        f"again (a saturated run needs every worker)",
                        flush=True,
                    )
                if name == "full" and args.rate:
                    before = queue_totals(queue_stats)
                    paced = run_wrk(wrk, server, args, rate=args.rate)
                    report(f"full @{args.rate:g}/s", paced)
                    report_queue(before, queue_totals(queue_stats), paced["seconds"])
        shutil.rmtree(queue_stats, ignore_errors=True)
        full = results["full"]["rate"]
        print(
            f"ratio          full / minimal {full / results['minimal']['rate']:.2f}, "
            f"full / bare {full / results['bare']['rate']:.2f}"
        )
        print(f"statements     {count_statements(url).summary()} (in-process, same script)")


if __name__ == "__main__":
    main()
