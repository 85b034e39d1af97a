"""TelegramSender and BotClient outside a webhook (what reminders and broadcasts will use):
synchronous calls, no leaked loops or threads, 403 blocked and 429 retry_after."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import select
from telegram.error import InvalidToken

from bot.channels.telegram.client import BotClient
from bot.channels.telegram.render import TelegramRenderer
from bot.channels.telegram.sender import TelegramSender
from bot.conversations import lock_contact
from bot.engine import Outbound
from bot.models import Contact

from .conftest import TOKEN
from .fake_bot_api import FakeBotApi, blocked, retry_after


@pytest.fixture
def client(bot_api: FakeBotApi):  # type: ignore[no-untyped-def]
    bot_client = BotClient(TOKEN, bot_api.base_url)
    yield bot_client
    bot_client.close()


@pytest.fixture
def waits() -> list[float]:
    return []


@pytest.fixture
def sender(client: BotClient, vecino, clock, waits) -> TelegramSender:  # type: ignore[no-untyped-def]
    return TelegramSender(client, vecino.db, clock, max_retry_wait=60, sleep=waits.append)


def messages(*texts: str):  # type: ignore[no-untyped-def]
    return TelegramRenderer().render([Outbound(text) for text in texts])


def add_contact(vecino, channel: str, address: str, clock) -> None:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        lock_contact(session, channel, address, clock())


def opted_out(vecino, channel: str, address: str) -> bool:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        row = session.scalars(
            select(Contact).where(Contact.channel == channel, Contact.address == address)
        ).one()
        return row.opted_out_at is not None


def test_a_batch_is_sent_in_order_from_synchronous_code(sender: TelegramSender, bot_api):
    report = sender.send("555", messages("uno", "dos", "tres"))
    assert report.ok and report.sent == 3
    assert bot_api.sent_texts() == ["uno", "dos", "tres"]
    assert [p["chat_id"] for p in bot_api.calls_to("sendMessage")] == ["555"] * 3


def test_one_loop_thread_serves_many_caller_threads_and_close_leaves_nothing(
    client: BotClient, bot_api: FakeBotApi
):
    before = {t.name for t in threading.enumerate()}
    results: list[object] = []

    def call() -> None:
        results.append(client.call(lambda bot: bot.send_message(chat_id=1, text="hi")))

    callers = [threading.Thread(target=call) for _ in range(8)]
    for thread in callers:
        thread.start()
    for thread in callers:
        thread.join(10)
    assert len(results) == 8
    loops = [t for t in threading.enumerate() if t.name == "telegram-bot-loop"]
    assert len(loops) == 1
    assert len(bot_api.calls_to("getMe")) == 1  # initialised once, not per call
    client.close()
    assert not client.running
    assert {t.name for t in threading.enumerate()} <= before
    loops[0].join(5)
    assert not loops[0].is_alive()


def test_the_client_can_be_used_again_after_close(client: BotClient, bot_api: FakeBotApi):
    client.call(lambda bot: bot.send_message(chat_id=1, text="a"))
    client.close()
    client.call(lambda bot: bot.send_message(chat_id=1, text="b"))
    assert bot_api.sent_texts() == ["a", "b"]


def test_a_blocked_resident_is_opted_out_and_the_batch_stops(
    sender: TelegramSender, bot_api: FakeBotApi, vecino, clock
):
    add_contact(vecino, "telegram", "555", clock)
    add_contact(vecino, "sms", "555", clock)  # same digits, another channel: untouched
    bot_api.script("sendMessage", blocked())
    report = sender.send("555", messages("uno", "dos"))
    assert (report.sent, report.blocked, report.error) == (0, True, "blocked")
    assert len(bot_api.calls_to("sendMessage")) == 1
    assert opted_out(vecino, "telegram", "555")
    assert not opted_out(vecino, "sms", "555")


def test_retry_after_is_honoured_and_the_message_sent_once(
    sender: TelegramSender, bot_api: FakeBotApi, waits: list[float]
):
    bot_api.script("sendMessage", retry_after(3), retry_after(5))
    report = sender.send("555", messages("uno", "dos"))
    assert report.ok and report.sent == 2
    assert waits == [3.0, 5.0] == report.waited
    assert bot_api.sent_texts() == ["uno", "uno", "uno", "dos"]  # two refused, then through


def test_retry_after_is_bounded(sender: TelegramSender, bot_api: FakeBotApi, waits: list[float]):
    bot_api.script("sendMessage", retry_after(3), retry_after(3), retry_after(3))
    report = sender.send("555", messages("uno"))
    assert (report.sent, report.error) == (0, "rate_limited")
    assert waits == [3.0, 3.0]  # three attempts in all, no endless loop
    sender.max_retry_wait = 10
    bot_api.script("sendMessage", retry_after(3600))
    assert sender.send("555", messages("uno")).error == "rate_limited"
    assert waits == [3.0, 3.0]  # an hour is not waited for


def test_telegram_unreachable_is_reported_not_raised(vecino, clock):  # type: ignore[no-untyped-def]
    # Port 9 on loopback: nothing listens, the connection is refused at once.
    client = BotClient(TOKEN, "http://127.0.0.1:9/bot")
    try:
        sender = TelegramSender(client, vecino.db, clock)
        report = sender.send("555", messages("uno", "dos"))
        assert (report.sent, report.error) == (0, "network")
    finally:
        client.close()
    assert not client.running


def test_outreach_is_not_sent_to_someone_who_opted_out(
    sender: TelegramSender, bot_api: FakeBotApi, vecino, clock
):
    add_contact(vecino, "telegram", "555", clock)
    assert sender.send("555", messages("recordatorio"), unless_opted_out=True).ok
    sender.mark_unreachable("555")  # or STOP: the same column
    report = sender.send("555", messages("recordatorio"), unless_opted_out=True)
    assert (report.sent, report.error) == (0, "opted_out")
    assert bot_api.sent_texts() == ["recordatorio"]
    # A conversation reply (the STOP confirmation) still goes out.
    assert sender.send("555", messages("te diste de baja")).ok


def test_a_rejected_token_is_never_repeated_in_errors(bot_api: FakeBotApi, vecino, clock, caplog):  # type: ignore[no-untyped-def]
    wrong = "999999:WRONG-TOKEN-abcdef"
    client = BotClient(wrong, bot_api.base_url)  # the fake answers 401 to any other token
    try:
        with pytest.raises(InvalidToken) as raised:
            client.call(lambda bot: bot.send_message(chat_id=1, text="hi"))
        assert "WRONG-TOKEN" not in str(raised.value)
        assert "TELEGRAM_BOT_TOKEN" in str(raised.value)
        report = TelegramSender(client, vecino.db, clock).send("555", messages("uno"))
        assert report.sent == 0 and "WRONG-TOKEN" not in (report.error or "")
    finally:
        client.close()
    assert not client.running
    assert "WRONG-TOKEN" not in caplog.text
