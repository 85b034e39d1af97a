"""Real HTTP both ways over loopback: Telegram-style posts to the app on a real port, the app's
replies to the Bot API fake, several updates at once sharing one Bot API client."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import requests
from sqlalchemy import func, select

from bot.app import create_app
from bot.channels.telegram.webhook import SECRET_HEADER
from bot.models import ConversationState, Message

from ..conftest import settings_with
from .conftest import SECRET, TelegramPoster
from .fake_bot_api import FakeBotApi


def update(update_id: int, chat_id: int, text: str) -> dict:
    chat = {"id": chat_id, "type": "private", "first_name": "Vecina"}
    sender = {"id": chat_id, "is_bot": False, "first_name": "Vecina"}
    message = {"message_id": update_id, "date": int(time.time()), "chat": chat, "from": sender}
    return {"update_id": update_id, "message": {**message, "text": text}}


def post(url: str, body: dict) -> requests.Response:
    return requests.post(
        url + "/webhooks/telegram", json=body, headers={SECRET_HEADER: SECRET}, timeout=30
    )


def test_concurrent_updates_are_each_handled_once_and_answered(
    live_server, bot_api: FakeBotApi, vecino
):
    chat = 8_800_001
    assert post(live_server.url, update(1, chat, "hola")).status_code == 200
    assert post(live_server.url, update(2, chat, "2")).status_code == 200
    bodies = [update(100 + n, chat, f"nonsense {n}") for n in range(10)]
    # Each update twice, as Telegram does when it thinks a delivery failed.
    with ThreadPoolExecutor(max_workers=10) as pool:
        responses = list(pool.map(lambda b: post(live_server.url, b), bodies + bodies))
    assert [r.status_code for r in responses] == [200] * 20
    outcomes = [r.text.strip() for r in responses]
    assert outcomes.count("OK: answered") == 10  # the engine ran once per update
    # Each reply went out exactly once, whichever twin happened to send it.
    assert len(bot_api.calls_to("sendMessage")) == 2 + 10
    texts = bot_api.sent_texts()[2:]
    assert all(t.startswith("Sorry, I did not understand that.") for t in texts)
    assert len(bot_api.calls_to("getMe")) == 1  # one client for every request thread
    with vecino.db.transaction() as session:
        inbound = select(func.count()).select_from(Message).where(Message.direction == "in")
        assert session.scalar(inbound) == 12
        assert session.scalars(select(ConversationState)).one().invalid_count == 10


def test_a_database_outage_asks_telegram_to_deliver_again(settings, clock, bot_api):  # type: ignore[no-untyped-def]
    # Nothing listens on port 1: the database "is down" for real.
    unreachable = "postgresql+psycopg://vecino@127.0.0.1:1/vecino?connect_timeout=2"
    app = create_app(settings_with(settings, database_url=unreachable), clock=clock)
    try:
        response = TelegramPoster(app.test_client()).text("hola")
        assert response.status_code == 503
        assert "try again" in response.get_data(as_text=True)
        assert bot_api.calls_to("sendMessage") == []
    finally:
        channel = app.extensions.get("vecino_telegram")
        if channel is not None:
            channel.close()
        app.extensions["vecino"].db.dispose()
