"""The Telegram fixtures (loopback Bot API, poster) for the hardening tests too."""

from ..telegram.conftest import app, bot_api, settings, telegram  # noqa: F401
