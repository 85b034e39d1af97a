"""Telegram as an outbox sender, against the loopback Bot API: buttons, pacing, 403, 502."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.channels.senders import build_senders
from bot.channels.telegram.sender import TelegramOutboxSender
from bot.engine import Option, Outbound

from .fake_bot_api import bad_gateway, blocked


@pytest.fixture
def sender(vecino) -> Iterator[TelegramOutboxSender]:  # type: ignore[no-untyped-def]
    telegram = build_senders(vecino)[0]["telegram"]
    assert isinstance(telegram, TelegramOutboxSender)
    yield telegram
    telegram.sender.client.close()  # no Bot API loop thread left behind


def test_the_outbox_sends_telegram_messages_with_buttons_paced_one_unit_each(sender, bot_api):  # type: ignore[no-untyped-def]
    paced: list[int] = []
    question = Outbound("¿Recibiste ayuda?", options=(Option("got_help", "Sí"),), step="f/ask")
    report = sender.send_replies("555", [Outbound("Hola"), question], "es", paced.append)
    assert report.ok and report.sent == 2 and paced == [1, 1]
    assert bot_api.sent_texts() == ["Hola", "¿Recibiste ayuda?"]
    assert [text for _, text in report.delivered] == ["Hola", "¿Recibiste ayuda?\n[1. Sí]"]
    assert all(provider_id is None for provider_id, _ in report.delivered)


def test_a_blocked_bot_is_an_opt_out_and_an_unreachable_api_is_retried(sender, bot_api):  # type: ignore[no-untyped-def]
    bot_api.script("sendMessage", blocked())
    refused = sender.send_replies("555", [Outbound("Hola")], "es")
    assert (refused.blocked, refused.retryable, refused.sent) == (True, False, 0)
    bot_api.script("sendMessage", bad_gateway())
    down = sender.send_replies("556", [Outbound("Hola")], "es")
    assert (down.error, down.retryable, down.sent) == ("network", True, 0)
