"""POST /webhooks/telegram end to end: update JSON in, Bot API calls out (to the loopback fake)."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.models import Contact, Message

from .conftest import CHAT_ID, TelegramPoster
from .fake_bot_api import FakeBotApi


def count(vecino, model, *where) -> int:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_first_message_gets_the_welcome_with_buttons(telegram: TelegramPoster, bot_api: FakeBotApi):
    response = telegram.text("hola")
    assert response.status_code == 200, response.get_data(as_text=True)
    [sent] = bot_api.calls_to("sendMessage")
    assert sent["chat_id"] == str(CHAT_ID)
    assert sent["parse_mode"] == "HTML"
    assert "¡Hola! Soy Vecino" in sent["text"] and "Reply 2 for English" in sent["text"]
    buttons = [row[0] for row in sent["reply_markup"]["inline_keyboard"]]
    assert [b["text"] for b in buttons] == ["1. Español", "2. English"]
    assert [b["callback_data"] for b in buttons] == [
        "welcome/choose_language|es",
        "welcome/choose_language|en",
    ]
