"""Telegram: the same conversations as SMS, with buttons and shared locations.

- ``webhook``: ``POST /webhooks/telegram`` (secret token, ``Update.de_json``, once per update);
- ``updates``: what each kind of update means for Vecino;
- ``render``: ``TelegramRenderer`` (inline buttons, location button, HTML-safe text, 4,096 limit);
- ``client`` / ``sender``: PTB's ``Bot`` from synchronous code; 403 blocked and 429 handling;
- ``channel``: the handling shared by the webhook and ``vecino telegram poll``;
- ``cli``: ``vecino telegram set-webhook | delete-webhook | poll``.

See ``docs/telegram.md`` for setting a bot up.
"""

from .render import TelegramMessage, TelegramRenderer
from .webhook import blueprint

__all__ = ["TelegramMessage", "TelegramRenderer", "blueprint"]
