"""The Flask application factory: webhooks, health check and (later) the admin view."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import datetime

from flask import Flask, Response
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from admin import init_admin

from .config import INSTANCE_DIR, Settings
from .logmask import mask_personal_numbers
from .models import utcnow
from .services import Vecino, build_services

__all__ = ["Vecino", "build_services", "create_app"]  # build_services used to live here

MAX_REQUEST_BYTES = 256 * 1024  # Twilio and Telegram payloads are a few KB at most


def create_app(settings: Settings | None = None, clock: Callable[[], datetime] = utcnow) -> Flask:
    settings = settings or Settings.from_env()
    configure_logging()
    app = Flask(__name__, instance_path=str(INSTANCE_DIR))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SETTINGS=settings,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        JSON_SORT_KEYS=False,
    )
    if settings.trusted_proxies:
        n = settings.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n, x_port=n)  # type: ignore[method-assign]
    app.extensions["vecino"] = build_services(settings, clock)

    from . import event_pages, health
    from .channels import telegram, twilio

    app.register_blueprint(health.blueprint)
    app.register_blueprint(twilio.blueprint)
    app.register_blueprint(telegram.blueprint)
    init_admin(app)  # the admin view at /admin/
    app.register_blueprint(event_pages.blueprint)  # GET /events/<token>.ics

    @app.errorhandler(HTTPException)
    def plain_http_error(error: HTTPException) -> Response:
        # Providers read status codes, people read text; no HTML error pages on webhooks.
        return Response(
            f"{error.code} {error.name}: {error.description}\n",
            status=error.code or 500,
            mimetype="text/plain",
        )

    return app


def configure_logging() -> None:
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(
            level=os.environ.get("VECINO_LOG_LEVEL", "INFO").upper(),
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
    mask_personal_numbers(root)
