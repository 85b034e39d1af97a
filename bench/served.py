"""The three apps bench/webhook.py serves under gunicorn, each tagging its answers with the
worker's pid (``X-Bench-Worker``) so the run can report how keep-alive spread connections.

With ``BENCH_QUEUE_STATS`` set to a folder, the full app also counts its turns in SQLite's
writer queue (waits and holds) and writes the running totals there, a file per worker, so the
benchmark can say how busy the write lock was during each run."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]


def _tagged(app: WSGIApp) -> WSGIApp:
    worker = str(os.getpid())

    def tagged(environ: dict, start_response: Callable) -> Iterable[bytes]:
        def start(status: str, headers: list, exc_info: Any = None) -> Any:
            return start_response(status, [*headers, ("X-Bench-Worker", worker)], exc_info)

        return app(environ, start)

    return tagged


def full() -> WSGIApp:
    if os.environ.get("BENCH_QUEUE_STATS"):
        _count_queue_turns(Path(os.environ["BENCH_QUEUE_STATS"]))
    from bot.wsgi import app  # the Procfile's app, as gunicorn serves it

    return _tagged(app.wsgi_app)


def minimal() -> WSGIApp:
    from bench.minimal_app import create_app

    return _tagged(create_app().wsgi_app)


def bare() -> WSGIApp:
    from bench.bare_app import app

    return _tagged(app.wsgi_app)


def _count_queue_turns(folder: Path) -> None:
    """Wrap ``WriterQueue`` to total its waits and holds; written every 0.2 s as JSON."""
    from bot.db import WriterQueue

    totals = {"turns": 0, "wait_s": 0.0, "hold_s": 0.0}
    lock = threading.Lock()
    began = threading.local()
    acquire, release = WriterQueue.acquire, WriterQueue.release

    def counted_acquire(queue: WriterQueue) -> int:
        start = time.perf_counter()
        descriptor = acquire(queue)
        began.at = time.perf_counter()
        with lock:
            totals["wait_s"] += began.at - start
        return descriptor

    def counted_release(queue: WriterQueue, descriptor: int) -> bool:
        held = time.perf_counter() - began.at
        due = release(queue, descriptor)
        with lock:
            totals["turns"] += 1
            totals["hold_s"] += held
        return due

    WriterQueue.acquire = counted_acquire  # type: ignore[method-assign]
    WriterQueue.release = counted_release  # type: ignore[method-assign]
    target = folder / f"{os.getpid()}.json"

    def write_totals() -> None:
        while True:
            time.sleep(0.2)
            with lock:
                text = json.dumps(totals)
            partial = target.with_suffix(".tmp")
            partial.write_text(text)
            partial.replace(target)

    threading.Thread(target=write_totals, daemon=True).start()
