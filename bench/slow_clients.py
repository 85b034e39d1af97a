"""Slow senders against the web server: do they tie up its threads?

Opens ``--slow`` connections that send a webhook's headers one byte at a time (a slowloris),
and meanwhile asks ``/healthz`` every half second. Prints, per server, how many health checks
answered and how fast. Bounded: each run lasts ``--seconds``. Loopback only.

    .venv/bin/python bench/slow_clients.py                    # vecino web (waitress) vs gunicorn
    .venv/bin/python bench/slow_clients.py --slow 50 --seconds 20
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import ROOT, free_port, gunicorn, percentile
from bot.schema import scratch_database

HEADERS = (
    b"POST /webhooks/twilio HTTP/1.1\r\nHost: 127.0.0.1\r\n"
    b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 20\r\n"
    b"X-Twilio-Signature: c2xvdyBjbGllbnQgc2lnbmF0dXJlIHBhZGRpbmc=\r\n\r\n"
)


@contextmanager
def vecino_web(env: dict[str, str]) -> Iterator[str]:
    """``vecino web`` on a free loopback port (HOST and PORT from the environment)."""
    port = free_port()
    env = {**os.environ, **env, "HOST": "127.0.0.1", "PORT": str(port)}
    process = subprocess.Popen([sys.executable, "-m", "bot.cli", "web"], cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            requests.get(url + "/healthz", timeout=5)
            break
        except requests.RequestException:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise SystemExit("vecino web did not start") from None
            time.sleep(0.2)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def dribble(port: int, stop: threading.Event, pause: float) -> None:
    """One slow client: a byte of headers every ``pause`` seconds until told to stop."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            for byte in HEADERS[:-4]:  # never finish the headers
                if stop.wait(pause):
                    return
                sock.sendall(bytes([byte]))
    except OSError:
        return  # the server closed us: that is allowed


def measure(url: str, slow: int, seconds: float) -> tuple[int, int, list[float]]:
    """(health checks asked, answered 200, latencies in ms) while ``slow`` clients dribble."""
    port = int(url.rsplit(":", 1)[1])
    stop = threading.Event()
    clients = [
        threading.Thread(target=dribble, args=(port, stop, 0.5), daemon=True) for _ in range(slow)
    ]
    for client in clients:
        client.start()
    time.sleep(1)  # let every slow client get a connection (and, with gunicorn, a thread)
    asked, answered, latencies = 0, 0, []
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        asked += 1
        started = time.perf_counter()
        try:
            if requests.get(url + "/healthz", timeout=5).status_code == 200:
                answered += 1
                latencies.append((time.perf_counter() - started) * 1000)
        except requests.RequestException:
            pass
        time.sleep(0.5)
    stop.set()
    for client in clients:
        client.join(timeout=5)
    return asked, answered, latencies


def report(name: str, result: tuple[int, int, list[float]]) -> None:
    asked, answered, latencies = result
    timing = (
        f"p50 {percentile(latencies, 0.5):.0f} ms, max {max(latencies):.0f} ms"
        if latencies
        else "no answer"
    )
    print(f"{name:<34} /healthz answered {answered:>3}/{asked:<3} {timing}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--slow", type=int, default=20, help="slow connections (default 20)")
    parser.add_argument("--seconds", type=float, default=10, help="length of each run")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    args = parser.parse_args()
    with scratch_database(args.database_url, "vecino_bench_slow") as url:
        env = {"DATABASE_URL": url, "SECRET_KEY": "bench", "TWILIO_AUTH_TOKEN": "bench"}
        print(f"{args.slow} slow clients, one header byte every 0.5 s, {args.seconds:.0f} s each")
        with vecino_web(env) as base:
            report("vecino web (waitress, 8 threads)", measure(base, args.slow, args.seconds))
        with gunicorn("bot.wsgi:app", env, workers=2, threads=4) as base:
            report("gunicorn 2 workers x 4 threads", measure(base, args.slow, args.seconds))


if __name__ == "__main__":
    main()
