"""The handling that the webhook and ``vecino telegram poll`` share: one update in, the
conversation run once, the replies sent through the Bot API."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlalchemy import select
from telegram import Update

from ...conversations import Envelope
from ...engine import Outbound
from ...models import Contact
from ...outbound import replies
from ...outbound.sender import NETWORK, SendReport
from ...privacy import mask_address
from .client import BotClient
from .render import TelegramRenderer, long_choice_table
from .sender import CHANNEL, TelegramSender
from .updates import (
    Blocked,
    Ignored,
    Incoming,
    Notice,
    command_text,
    deep_link_source,
    translate,
)

if TYPE_CHECKING:
    from ...services import Vecino

log = logging.getLogger(__name__)


@dataclass
class Handled:
    """What became of an update, for the webhook's response and the poller's log."""

    outcome: str  # "answered", "duplicate", "resent", "noticed", "blocked", "ignored: ..."
    report: SendReport | None = None

    @property
    def telegram_unreachable(self) -> bool:
        """Replies could not reach Telegram: worth having the update delivered again."""
        return self.report is not None and self.report.error == NETWORK


class TelegramChannel:
    """One per process: the Bot API client, the sender, and the flows' long button table."""

    def __init__(self, vecino: Vecino, client: BotClient, sender: TelegramSender) -> None:
        self.vecino = vecino
        self.client = client
        self.sender = sender
        self.long_choices = long_choice_table(_choices(vecino))

    @classmethod
    def for_app(cls, vecino: Vecino) -> TelegramChannel:
        settings = vecino.settings
        if not settings.telegram_bot_token:
            raise RuntimeError("TELEGRAM_BOT_TOKEN is not set")
        client = BotClient(settings.telegram_bot_token, settings.telegram_api_base_url)
        # A webhook reply waits at most a few seconds for a rate limit; the outbox can wait
        # longer with its own sender.
        sender = TelegramSender(client, vecino.db, vecino.conversations.clock, max_retry_wait=5)
        return cls(vecino, client, sender)

    def close(self) -> None:
        self.client.close()

    def handle(self, update: Update) -> Handled:
        decision = translate(update, self.long_choices)
        callback_id = getattr(decision, "callback_query_id", None)
        if callback_id:
            # First, so the spinner stops even when the rest is slow or fails.
            self.sender.answer_callback(callback_id)
        match decision:
            case Incoming():
                return self._converse(decision)
            case Notice():
                return self._notice(decision)
            case Blocked():
                changed = self.sender.mark_unreachable(decision.chat_id)
                log.info("chat %s blocked the bot (%s)", mask_address(decision.chat_id), changed)
                return Handled("blocked")
            case Ignored():
                return Handled(f"ignored: {decision.reason}")
        raise AssertionError(f"unhandled decision {decision!r}")

    def _converse(self, incoming: Incoming) -> Handled:
        inbound = incoming.inbound
        if incoming.command is not None:
            opted_out, language = self._contact_state(incoming.chat_id)
            keyword = command_text(incoming.command, incoming.argument, opted_out, language)
            inbound = replace(inbound, text=keyword)
        envelope = Envelope(
            CHANNEL,
            incoming.chat_id,
            inbound,
            provider_id=incoming.provider_id,
            source=deep_link_source(incoming.command, incoming.argument),
            reply_lease=replies.LEASE,
        )
        delivery = self.vecino.conversations.receive(envelope)
        if not delivery.duplicate:
            # The replies were stored held by us (a lease) in the conversation's transaction: a
            # twin delivery racing us, and the worker's sweep, leave them to us unless we die.
            fates = self._send_replies(incoming.chat_id, delivery.replies, delivery.language)
            self._record(incoming.provider_id, fates)
            return Handled("answered", fates.report)
        unsent = self._claim_unsent(incoming.provider_id)
        if not unsent:
            return Handled("duplicate")
        again = [reply for _, reply in unsent]
        fates = self._send_replies(incoming.chat_id, again, delivery.language)
        self._record(incoming.provider_id, fates, only=[row_id for row_id, _ in unsent])
        return Handled("resent", fates.report)

    def _claim_unsent(self, provider_id: str) -> list[tuple[int, Outbound]]:
        now = self.vecino.conversations.clock()
        with self.vecino.db.transaction() as session:
            return replies.claim_unsent(session, CHANNEL, provider_id, now, replies.LEASE)

    def _send_replies(
        self, chat_id: str, outbound: list[Outbound], language: str | None
    ) -> replies.Fates:
        renderer = TelegramRenderer(self.vecino.catalogs, language)
        return replies.send_in_order(
            outbound, lambda reply: self.sender.send(chat_id, renderer.render([reply]))
        )

    def _record(
        self, provider_id: str, fates: replies.Fates, only: list[int] | None = None
    ) -> None:
        with self.vecino.db.transaction() as session:
            replies.record_fates(session, CHANNEL, provider_id, fates, only)

    def _notice(self, notice: Notice) -> Handled:
        opted_out, language = self._contact_state(notice.chat_id)
        if opted_out:
            return Handled("ignored: opted out")
        catalogs = self.vecino.catalogs
        if language is None:
            text = "\n".join(catalogs.gettext(lang, notice.message) for lang in ("es", "en"))
        else:
            text = catalogs.gettext(language, notice.message)
        messages = TelegramRenderer(catalogs, language).render([Outbound(text)])
        return Handled("noticed", self.sender.send(notice.chat_id, messages))

    def _contact_state(self, chat_id: str) -> tuple[bool, str | None]:
        with self.vecino.db.transaction() as session:
            contact = session.scalar(
                select(Contact).where(Contact.channel == CHANNEL, Contact.address == chat_id)
            )
            if contact is None:
                return False, None
            return contact.opted_out, contact.language


def _choices(vecino: Vecino) -> list[tuple[str, str]]:
    """Every (``flow/step``, value) a button can carry, for callback data too long to spell."""
    pairs = []
    for flow in vecino.engine.flows:
        for step in flow.steps.values():
            # Any question with a list of choices (one or several), and yes/no's two buttons.
            pairs += [(f"{flow.id}/{step.id}", choice.value) for choice in step.choices]
            if step.ask == "yesno":
                pairs += [(f"{flow.id}/{step.id}", value) for value in ("yes", "no")]
    return pairs
