"""Sending messages to residents through the Bot API, from synchronous code.

Used for webhook replies (see ``docs/telegram.md`` for why replies go through the Bot API rather
than the webhook response) and by reminders and broadcasts later. Two answers from Telegram
need more than a log line:

- 403 "bot was blocked by the user" (or the account is gone): the resident said no in the only
  way Telegram lets them; the contact is marked opted out, exactly like STOP, and the rest of
  the batch is not attempted.
- 429 "Too Many Requests: retry after N": wait N seconds and try again, up to a bound; beyond
  it the message is reported as not sent, so a caller (the outbox) can try later rather than
  hold a webhook or a worker for minutes.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from telegram import Bot, LinkPreviewOptions
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)

from ... import contacts
from ...db import Database
from ...engine import Outbound
from ...engine.actions import Translator
from ...models import Contact, utcnow
from ...outbound.sender import NETWORK, OPTED_OUT, Pace, SendReport
from ...privacy import mask_address
from .client import BotClient
from .render import TelegramMessage, TelegramRenderer

log = logging.getLogger(__name__)
CHANNEL = "telegram"
RETRY_ATTEMPTS = 3
NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


class TelegramSender:
    """Sends rendered messages to one chat at a time, honouring 403 and 429 as described above."""

    def __init__(
        self,
        client: BotClient,
        db: Database,
        clock: Callable[[], datetime] = utcnow,
        max_retry_wait: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.client = client
        self.db = db
        self.clock = clock
        self.max_retry_wait = max_retry_wait
        self.sleep = sleep

    def send(
        self,
        chat_id: str,
        messages: Sequence[TelegramMessage],
        *,
        unless_opted_out: bool = False,
    ) -> SendReport:
        """Send ``messages`` in order, stopping at the first that cannot go out.

        A reply in a conversation is sent whatever the contact's state (the STOP confirmation
        goes to someone who just opted out). Anything we start ourselves (a reminder, a
        broadcast) passes ``unless_opted_out=True``: checked here, at the last moment, so an
        opt-out that arrived after the batch was planned is still honoured.
        """
        report = SendReport()
        if unless_opted_out and self._opted_out(chat_id):
            report.error = OPTED_OUT
            return report
        for message in messages:
            error = self._send_one(chat_id, message, report)
            if error is not None:
                report.error = error
                break
            report.sent += 1
        return report

    def answer_callback(self, callback_query_id: str) -> bool:
        """Stop the button's spinner. Failure only costs the resident a spinner, so it is
        logged, never raised (the query may simply be older than Telegram keeps it)."""
        try:
            return bool(self.client.call(lambda bot: bot.answer_callback_query(callback_query_id)))
        except TelegramError as error:
            log.warning("answerCallbackQuery failed: %s", error)
            return False

    def _send_one(self, chat_id: str, message: TelegramMessage, report: SendReport) -> str | None:
        for attempt in range(1, RETRY_ATTEMPTS + 1):
            try:
                self.client.call(lambda bot: _send_message(bot, chat_id, message))
                return None
            except RetryAfter as error:
                wait = retry_after_seconds(error)
                if wait > self.max_retry_wait or attempt == RETRY_ATTEMPTS:
                    log.warning("Telegram rate limit: retry after %.0fs, giving up", wait)
                    return "rate_limited"
                log.info("Telegram rate limit: waiting %.0fs", wait)
                report.waited.append(wait)
                self.sleep(wait)
            except Forbidden as error:
                # "bot was blocked by the user", "user is deactivated", "bot was kicked".
                log.info("chat %s refuses messages: %s", mask_address(chat_id), error.message)
                self.mark_unreachable(chat_id)
                report.blocked = True
                return "blocked"
            except BadRequest as error:
                # PTB files BadRequest under NetworkError, but it is Telegram refusing this
                # message (too long, chat not found): trying again would not help.
                log.warning("sendMessage refused: %s", error.message)
                return error.message[:200]
            except TimedOut:
                # The message may have gone out with only the answer lost: not retried, since
                # a message shown twice is worse than one recorded as maybe unsent.
                log.warning("Telegram did not answer in time")
                return "timeout"
            except NetworkError as error:
                # Could not reach Telegram (connection refused, 502): nothing went out, so the
                # message can safely be sent again later (see TelegramChannel).
                log.warning("Telegram unreachable: %s", type(error).__name__)
                return NETWORK
            except TelegramError as error:
                log.warning("sendMessage refused: %s", error.message)
                return error.message[:200]
        return "rate_limited"

    def _opted_out(self, chat_id: str) -> bool:
        with self.db.transaction() as session:
            opted_out_at = session.scalar(
                select(Contact.opted_out_at).where(
                    Contact.channel == CHANNEL, Contact.address == chat_id
                )
            )
            return opted_out_at is not None

    def mark_unreachable(self, chat_id: str) -> bool:
        """Mark the contact opted out, as if they had sent STOP. True when it changed."""
        with self.db.transaction() as session:
            return contacts.opt_out_address(
                session, CHANNEL, chat_id, self.clock(), reason="Telegram 403"
            )


async def _send_message(bot: Bot, chat_id: str, message: TelegramMessage) -> object:
    return await bot.send_message(
        chat_id=chat_id,
        text=message.text,
        parse_mode=message.parse_mode,
        reply_markup=message.reply_markup,
        # Resource links are addresses and phone numbers, not articles: no big previews.
        link_preview_options=NO_PREVIEW,
    )


def retry_after_seconds(error: RetryAfter) -> float:
    """Telegram's ``retry_after`` in seconds (PTB 22 returns int or timedelta, with a warning
    about the change; either way we only need the number)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        value = error.retry_after
    if isinstance(value, timedelta):
        return value.total_seconds()
    return float(value)


class TelegramOutboxSender:
    """``Sender`` for the ``telegram`` channel: renders with buttons, sends through
    ``TelegramSender`` (403 opts the contact out; 429 waits), one pace unit per message."""

    name = "telegram"
    RETRYABLE = frozenset({NETWORK, "rate_limited", "timeout"})

    def __init__(self, sender: TelegramSender, catalogs: Translator) -> None:
        self.sender = sender
        self.catalogs = catalogs

    def close(self) -> None:
        """Stop the Bot API client's loop thread (a process that built senders for a while)."""
        self.sender.client.close()

    def send_replies(
        self,
        address: str,
        replies: Sequence[Outbound],
        language: str | None,
        pace: Pace | None = None,
    ) -> SendReport:
        report = SendReport()
        for message in TelegramRenderer(self.catalogs, language).render(list(replies)):
            if pace is not None:
                pace(1)
            one = self.sender.send(address, [message])
            # Telegram message ids repeat across chats: none is kept (there are no receipts).
            one.delivered = [(None, message.as_text())] if one.ok else []
            one.retryable = one.error in self.RETRYABLE
            report.add(one)
            if not one.ok:
                break
        return report
