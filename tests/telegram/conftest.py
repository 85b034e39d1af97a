"""Telegram fixtures: the loopback Bot API fake, the app pointed at it, and a poster that sends
real update JSON to ``/webhooks/telegram`` with the secret header."""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from bot.channels.telegram.webhook import EXTENSION, SECRET_HEADER

from ..conftest import settings_with
from .fake_bot_api import FakeBotApi

SECRET = "test-telegram-secret"
TOKEN = "123456:TEST-TOKEN"
CHAT_ID = 700100200


@pytest.fixture
def bot_api() -> Iterator[FakeBotApi]:
    fake = FakeBotApi(TOKEN).start()
    yield fake
    fake.stop()


@pytest.fixture
def settings(settings, bot_api: FakeBotApi):  # type: ignore[no-untyped-def]
    """The suite's settings, with the Bot API at the loopback fake."""
    assert settings.telegram_bot_token == TOKEN
    return settings_with(settings, telegram_api_base_url=bot_api.base_url)


@pytest.fixture
def app(app):  # type: ignore[no-untyped-def]
    """The suite's app; its Telegram client (loop thread, connections) is closed afterwards."""
    yield app
    channel = app.extensions.get(EXTENSION)
    if channel is not None:
        channel.close()
        assert not channel.client.running


def user(chat_id: int, language_code: str = "es") -> dict[str, Any]:
    return {"id": chat_id, "is_bot": False, "first_name": "Vecina", "language_code": language_code}


def private_chat(chat_id: int) -> dict[str, Any]:
    return {"id": chat_id, "type": "private", "first_name": "Vecina"}


@dataclass
class TelegramPoster:
    """Posts updates the way Telegram does, numbering them like Telegram (one up each time)."""

    client: Any
    chat_id: int = CHAT_ID
    secret: str | None = SECRET
    ids: Iterator[int] = field(default_factory=lambda: itertools.count(500_000_001))
    message_ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    def post(self, update: dict[str, Any] | str | bytes, secret: str | None = ...):  # type: ignore[assignment,no-untyped-def]
        secret = self.secret if secret is ... else secret
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        if isinstance(update, dict):
            return self.client.post("/webhooks/telegram", json=update, headers=headers)
        return self.client.post(
            "/webhooks/telegram", data=update, headers=headers, content_type="application/json"
        )

    def update(self, **content: Any) -> dict[str, Any]:
        return {"update_id": next(self.ids), **content}

    def message(self, chat_id: int | None = None, **fields: Any) -> dict[str, Any]:
        chat = chat_id or self.chat_id
        return {
            "message_id": next(self.message_ids),
            "date": int(time.time()),
            "chat": private_chat(chat),
            "from": user(chat),
            **fields,
        }

    def text(self, text: str, chat_id: int | None = None, update_id: int | None = None):  # type: ignore[no-untyped-def]
        fields: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            fields["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        update = self.update(message=self.message(chat_id, **fields))
        if update_id is not None:
            update["update_id"] = update_id
        return self.post(update)

    def press(self, data: str, chat_id: int | None = None, query_id: str = "cbq-1"):  # type: ignore[no-untyped-def]
        chat = chat_id or self.chat_id
        query = {
            "id": query_id,
            "from": user(chat),
            "chat_instance": "42",
            "data": data,
            "message": self.message(chat, text="(the question)", **{"from": user(123456)}),
        }
        return self.post(self.update(callback_query=query))

    def location(self, latitude: float, longitude: float, chat_id: int | None = None):  # type: ignore[no-untyped-def]
        where = {"latitude": latitude, "longitude": longitude}
        return self.post(self.update(message=self.message(chat_id, location=where)))


@pytest.fixture
def telegram(client) -> TelegramPoster:  # type: ignore[no-untyped-def]
    return TelegramPoster(client)
