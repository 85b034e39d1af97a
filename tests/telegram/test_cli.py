"""``vecino telegram set-webhook | delete-webhook | poll`` as real processes against the loopback
Bot API fake and the test database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from sqlalchemy import select

from bot.app import create_app
from bot.channels.telegram.cli import group as telegram_group
from bot.config import PROJECT_ROOT
from bot.models import Contact

from ..conftest import PUBLIC_BASE_URL, settings_with
from .conftest import SECRET, TOKEN
from .fake_bot_api import FakeBotApi, Reply

VECINO = [sys.executable, "-m", "bot.cli", "telegram"]


@pytest.fixture
def environment(vecino, bot_api: FakeBotApi) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        **os.environ,
        "DATABASE_URL": vecino.settings.database_url,
        "SECRET_KEY": "cli-test",
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "TELEGRAM_API_BASE_URL": bot_api.base_url,
        "PUBLIC_BASE_URL": PUBLIC_BASE_URL,
    }


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        VECINO + args, capture_output=True, text=True, env=env, cwd=PROJECT_ROOT, timeout=60
    )


def invoke(settings, clock, args: list[str]):  # type: ignore[no-untyped-def]
    """The command in this process, through Flask's CLI runner, against its own app."""
    app = create_app(settings, clock=clock)
    try:
        return app.test_cli_runner().invoke(telegram_group, args)
    finally:
        app.extensions["vecino"].db.dispose()


def private_text(update_id: int, chat_id: int, text: str) -> dict:
    chat = {"id": chat_id, "type": "private", "first_name": "Vecina"}
    sender = {"id": chat_id, "is_bot": False, "first_name": "Vecina"}
    message = {"message_id": 1, "date": 1, "chat": chat, "from": sender, "text": text}
    return {"update_id": update_id, "message": message}


def test_set_webhook_sends_url_secret_update_types_and_commands(environment, bot_api):  # type: ignore[no-untyped-def]
    result = run(["set-webhook", "--drop-pending-updates"], environment)
    assert result.returncode == 0, result.stderr
    assert f"Webhook set: {PUBLIC_BASE_URL}/webhooks/telegram" in result.stdout
    [call] = bot_api.calls_to("setWebhook")
    assert call["url"] == f"{PUBLIC_BASE_URL}/webhooks/telegram"
    assert call["secret_token"] == SECRET
    assert call["allowed_updates"] == [
        "message",
        "edited_message",
        "callback_query",
        "my_chat_member",
    ]
    assert call["drop_pending_updates"] == "true"
    english, spanish = bot_api.calls_to("setMyCommands")
    assert "language_code" not in english and spanish["language_code"] == "es"
    assert [c["command"] for c in english["commands"]] == ["start", "menu", "help", "lang", "stop"]
    assert {"command": "help", "description": "Quiénes somos y cómo darte de baja"} in spanish[
        "commands"
    ]
    assert TOKEN not in result.stdout + result.stderr


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("public_base_url", "PUBLIC_BASE_URL is not set"),
        ("telegram_webhook_secret", "TELEGRAM_WEBHOOK_SECRET is not set"),
        ("telegram_bot_token", "TELEGRAM_BOT_TOKEN is not set"),
    ],
)
def test_set_webhook_explains_what_is_missing(settings, clock, bot_api, missing, message):  # type: ignore[no-untyped-def]
    result = invoke(settings_with(settings, **{missing: None}), clock, ["set-webhook"])
    assert result.exit_code != 0
    assert message in result.output
    assert bot_api.calls_to("setWebhook") == []


def test_set_webhook_refuses_a_plain_http_url(settings, clock, bot_api):  # type: ignore[no-untyped-def]
    plain = settings_with(settings, public_base_url="http://vecino.example.org")
    result = invoke(plain, clock, ["set-webhook"])
    assert result.exit_code != 0 and "https://" in result.output
    assert bot_api.calls_to("setWebhook") == []


def test_poll_once_feeds_updates_through_the_same_handling(environment, bot_api, vecino):  # type: ignore[no-untyped-def]
    bot_api.queue_updates(private_text(41, 9001, "hola"), private_text(42, 9001, "2"))
    result = run(["poll", "--once"], environment)
    assert result.returncode == 0, result.stderr
    assert "update 41: answered" in result.stdout and "update 42: answered" in result.stdout
    texts = bot_api.sent_texts()
    assert "¡Hola! Soy Vecino" in texts[0] and texts[1].startswith("What can I help you with?")
    with vecino.db.transaction() as session:
        contact = session.scalars(select(Contact)).one()
        assert (contact.channel, contact.address, contact.language) == ("telegram", "9001", "en")


def test_poll_stops_cleanly_on_ctrl_c(environment, bot_api):  # type: ignore[no-untyped-def]
    process = subprocess.Popen(
        [*VECINO, "poll"],
        env=environment,
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        bot_api.queue_updates(private_text(51, 9002, "hola"))
        assert bot_api.wait_for("sendMessage", 1, timeout=30)
        polls = len(bot_api.calls_to("getUpdates"))
        assert bot_api.wait_for("getUpdates", polls + 1, timeout=30)  # waiting on the next poll
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == 0, err
    assert "update 51: answered" in out and "Stopped." in out
    assert "Traceback" not in err
    # The next poll asked only for updates after the handled one.
    assert bot_api.calls_to("getUpdates")[-1]["offset"] == "52"


def test_poll_with_a_webhook_set_explains_what_to_do(environment, bot_api):  # type: ignore[no-untyped-def]
    conflict = Reply(
        409,
        {
            "ok": False,
            "error_code": 409,
            "description": "Conflict: can't use getUpdates method while webhook is active",
        },
    )
    bot_api.script("getUpdates", conflict)
    result = run(["poll"], environment)
    assert result.returncode != 0
    assert "vecino telegram delete-webhook" in result.stderr
    assert "Traceback" not in result.stderr


def test_delete_webhook(settings, clock, bot_api):  # type: ignore[no-untyped-def]
    result = invoke(settings, clock, ["delete-webhook", "--drop-pending-updates"])
    assert result.exit_code == 0, result.output
    assert bot_api.calls_to("deleteWebhook") == [{"drop_pending_updates": "true"}]


def test_chat_can_show_the_telegram_rendering(environment, bot_api):  # type: ignore[no-untyped-def]
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "chat", "--channel", "telegram", "--address", "4242"],
        input="hola\n2\n",
        capture_output=True,
        text=True,
        env=environment,
        cwd=PROJECT_ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert "     [1. Español]\n     [2. English]" in result.stdout
    assert "bot> What can I help you with? Reply with a number.\n     [1. About Vecino]" in (
        result.stdout
    )
    assert bot_api.calls == []  # rendering only: nothing goes to Telegram
