"""``POST /webhooks/telegram``: check the secret, parse the update, handle it once, answer.

Order, as in every webhook here: verify (the secret token Telegram echoes in
``X-Telegram-Bot-Api-Secret-Token``), parse with python-telegram-bot's types, hand over to the
conversation service (which dedupes on the update id), reply through the Bot API, 200.
"""

from __future__ import annotations

import hmac
import logging
import threading

from flask import Blueprint, Flask, Response, current_app, request
from telegram import Update

from ...db import UNAVAILABLE
from ..edge import BadInput, parse_json
from .channel import TelegramChannel
from .updates import ALLOWED_UPDATES, MalformedUpdate

log = logging.getLogger(__name__)
blueprint = Blueprint("telegram", __name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
EXTENSION = "vecino_telegram"
_create_lock = threading.Lock()


def channel_for(app: Flask) -> TelegramChannel:
    """The app's Telegram channel, created on first use (so forked workers each get theirs)."""
    with _create_lock:
        channel = app.extensions.get(EXTENSION)
        if channel is None:
            channel = TelegramChannel.for_app(app.extensions["vecino"])
            app.extensions[EXTENSION] = channel
        return channel


def secret_is_valid() -> bool:
    secret = current_app.config["SETTINGS"].telegram_webhook_secret
    if not secret:
        log.error("TELEGRAM_WEBHOOK_SECRET is not set: refusing Telegram webhooks")
        return False
    given = request.headers.get(SECRET_HEADER, "")
    return hmac.compare_digest(given.encode(), secret.encode())


def _plain(message: str, status: int = 200) -> Response:
    return Response(message + "\n", status=status, mimetype="text/plain")


def _is_update_id(value: object) -> bool:
    # Positive and well within 53 bits, as Telegram's are; "u<id>" must fit provider_id.
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**53


@blueprint.post("/webhooks/telegram")
def inbound() -> Response:
    if not secret_is_valid():
        return _plain(f"Forbidden: invalid or missing {SECRET_HEADER}.", 403)
    if not current_app.config["SETTINGS"].telegram_bot_token:
        log.error("TELEGRAM_BOT_TOKEN is not set: cannot answer Telegram")
        return _plain("Service unavailable: TELEGRAM_BOT_TOKEN is not set.", 503)
    try:
        # Not get_json(silent=True): deep nesting escapes it as a RecursionError (a 500), and
        # it accepts NaN, which PostgreSQL's JSON refuses.
        data = parse_json(request.get_data(cache=False))
    except BadInput as error:
        return _plain(f"Bad request: {error}.", 400)
    if not isinstance(data, dict) or not _is_update_id(data.get("update_id")):
        return _plain("Bad request: expected a Telegram update (JSON with an update_id).", 400)
    if not set(ALLOWED_UPDATES) & data.keys():
        # Not a kind we asked Telegram for (or a newer one PTB may not parse yet): acknowledge
        # it, so Telegram does not deliver it again and again, and do nothing.
        return _plain("OK: ignored: update type not handled")
    try:
        # PTB's parser trusts its input; whatever it chokes on was not a Telegram update.
        update = Update.de_json(data, None)
    except Exception as error:
        return _plain(f"Bad request: not a Telegram update ({type(error).__name__}).", 400)
    try:
        handled = channel_for(current_app).handle(update)  # type: ignore[arg-type]
    except MalformedUpdate as error:
        return _plain(f"Bad request: not a Telegram update ({error}).", 400)
    except UNAVAILABLE:
        # The database is down: a non-2xx makes Telegram deliver the update again later.
        log.exception("database unavailable while handling a Telegram update")
        return _plain("Service unavailable: try again later.", 503)
    if handled.telegram_unreachable:
        # The conversation moved on and the replies are stored, but did not go out. A non-2xx
        # has Telegram deliver the update again later; the redelivery sends just those.
        return _plain(f"Service unavailable: Telegram unreachable ({handled.outcome}).", 503)
    return _plain(f"OK: {handled.outcome}")
