"""The three apps bench/webhook.py serves under gunicorn, each tagging its answers with the
worker's pid (``X-Bench-Worker``) so the run can report how keep-alive spread connections."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
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
    from bot.app import create_app

    return _tagged(create_app().wsgi_app)


def minimal() -> WSGIApp:
    from bench.minimal_app import create_app

    return _tagged(create_app().wsgi_app)


def bare() -> WSGIApp:
    from bench.bare_app import app

    return _tagged(app.wsgi_app)
