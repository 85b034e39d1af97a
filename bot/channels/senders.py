"""Which ``Sender`` serves each channel in this deployment, and at what rate.

Twilio (SMS, WhatsApp) when its credentials and a sender are configured, Telegram when its
token is; otherwise the console sender, which logs what would go out (development only).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ..outbound.pacing import Pacer
from ..outbound.sender import Sender
from .console import ConsoleSender

if TYPE_CHECKING:
    from ..services import Vecino

log = logging.getLogger(__name__)
# Telegram allows about 30 messages a second to different chats; stay below it.
TELEGRAM_RATE = 25.0


def build_senders(vecino: Vecino) -> tuple[dict[str, Sender], dict[str, Pacer]]:
    """``({channel: sender}, {sender name: pacer})`` for the outbox dispatcher."""
    settings = vecino.settings
    console = ConsoleSender()
    senders: dict[str, Sender] = {"sms": console, "whatsapp": console, "telegram": console}
    twilio_ready = settings.twilio_account_sid and settings.twilio_auth_token
    if twilio_ready and (settings.twilio_from_number or settings.twilio_messaging_service_sid):
        from .twilio_rest import TwilioRestSender

        senders["sms"] = TwilioRestSender(settings)
        senders["whatsapp"] = TwilioRestSender(settings, whatsapp=True)
    else:
        log.warning("Twilio is not configured: SMS that Vecino starts go to the log only")
    if settings.telegram_bot_token:
        from .telegram.client import BotClient
        from .telegram.sender import TelegramOutboxSender, TelegramSender

        client = BotClient(settings.telegram_bot_token, settings.telegram_api_base_url)
        telegram = TelegramSender(client, vecino.db, vecino.conversations.clock)
        senders["telegram"] = TelegramOutboxSender(telegram, vecino.catalogs)
    rates = {"twilio": settings.send_rate, "console": settings.send_rate}
    rates["telegram"] = TELEGRAM_RATE
    pacers = {name: Pacer(vecino.db, name, rate) for name, rate in rates.items()}
    return senders, pacers
