"""POST /webhooks/telegram end to end: real update JSON in, Bot API calls out (to the loopback
fake), state in the real database."""

from __future__ import annotations

import json
import logging

import pytest
from sqlalchemy import func, select

from bot.app import create_app
from bot.models import Contact, ConversationState, Message

from ..conftest import settings_with
from .conftest import CHAT_ID, TelegramPoster
from .fake_bot_api import FakeBotApi, Reply, bad_gateway, bad_request, blocked, retry_after

FIRST_OK = {
    "message_id": 1,
    "date": 1,
    "chat": {"id": CHAT_ID, "type": "private"},
    "text": "Listo, te escribiré en español.",
}


def count(vecino, model, *where) -> int:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def contact(vecino) -> Contact:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        return session.scalars(select(Contact)).one()


def state(vecino) -> tuple[str | None, str | None]:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        row = session.scalars(select(ConversationState)).one()
        return row.flow_id, row.step_id


def buttons(params: dict) -> list[tuple[str, str]]:
    rows = params["reply_markup"]["inline_keyboard"]
    return [(button["text"], button["callback_data"]) for row in rows for button in row]


def ok(response) -> str:  # type: ignore[no-untyped-def]
    body = response.get_data(as_text=True)
    assert response.status_code == 200, body
    return body


def spanish_menu(telegram: TelegramPoster, bot_api: FakeBotApi) -> None:
    ok(telegram.text("hola"))
    ok(telegram.press("welcome/choose_language|es"))
    assert bot_api.sent_texts()[-1].startswith("¿En qué te puedo ayudar?")


# ---- the happy paths -------------------------------------------------------------------


def test_first_message_gets_the_welcome_with_buttons(telegram: TelegramPoster, bot_api, vecino):
    assert ok(telegram.text("hola")) == "OK: answered\n"
    [sent] = bot_api.calls_to("sendMessage")
    assert sent["chat_id"] == str(CHAT_ID)
    assert sent["parse_mode"] == "HTML"
    assert "¡Hola! Soy Vecino" in sent["text"] and "Reply 2 for English" in sent["text"]
    assert buttons(sent) == [
        ("1. Español", "welcome/choose_language|es"),
        ("2. English", "welcome/choose_language|en"),
    ]
    stored = contact(vecino)
    assert (stored.channel, stored.address) == ("telegram", str(CHAT_ID))
    with vecino.db.transaction() as session:
        reply = session.scalars(select(Message).where(Message.direction == "out")).one()
        assert reply.status == "sent"


def test_a_button_press_answers_the_query_and_moves_the_conversation(
    telegram: TelegramPoster, bot_api: FakeBotApi, vecino
):
    ok(telegram.text("hola"))
    ok(telegram.press("welcome/choose_language|en", query_id="q-77"))
    assert bot_api.calls_to("answerCallbackQuery") == [{"callback_query_id": "q-77"}]
    menu = bot_api.calls_to("sendMessage")[-1]
    assert menu["text"].startswith("What can I help you with?")
    assert buttons(menu) == [
        ("1. About Vecino", "main_menu/menu|about"),
        ("2. En español", "main_menu/menu|language"),
        ("3. Talk to a person", "main_menu/menu|person"),
    ]
    assert contact(vecino).language == "en"
    assert state(vecino) == ("main_menu", "menu")


def test_typed_answers_still_work_beside_buttons(telegram: TelegramPoster, bot_api):
    ok(telegram.text("hola"))
    ok(telegram.text("2"))
    assert bot_api.sent_texts()[-1].startswith("What can I help you with?")
    ok(telegram.text("about"))
    assert "Vecino is run by parents and neighbors" in bot_api.sent_texts()[-1]


def test_a_stale_button_gets_the_current_question(telegram: TelegramPoster, bot_api, vecino):
    spanish_menu(telegram, bot_api)
    ok(telegram.press("welcome/choose_language|en", query_id="old"))  # the welcome's button
    assert {"callback_query_id": "old"} in bot_api.calls_to("answerCallbackQuery")
    text = bot_api.sent_texts()[-1]
    assert text.startswith("Ese botón es de una pregunta anterior.")
    assert "¿En qué te puedo ayudar?" in text
    assert contact(vecino).language == "es"  # the old button changed nothing


@pytest.mark.parametrize(
    "data",
    ["", "garbage", "main_menu/menu|", "|about", "~" + "0" * 32, "main_menu/menu|delete_all"],
)
def test_forged_callback_data_is_answered_and_changes_nothing(
    telegram: TelegramPoster, bot_api: FakeBotApi, vecino, data: str
):
    spanish_menu(telegram, bot_api)
    response = telegram.press(data, query_id="forged")
    assert ok(response) == "OK: answered\n"
    assert {"callback_query_id": "forged"} in bot_api.calls_to("answerCallbackQuery")
    assert "¿En qué te puedo ayudar?" in bot_api.sent_texts()[-1]
    assert state(vecino) == ("main_menu", "menu")
    assert contact(vecino).language == "es"


def test_the_same_update_twice_is_handled_and_answered_once(
    telegram: TelegramPoster, bot_api: FakeBotApi, vecino
):
    ok(telegram.text("hola", update_id=9001))
    assert ok(telegram.text("2", update_id=9002)) == "OK: answered\n"
    assert ok(telegram.text("2", update_id=9002)) == "OK: duplicate\n"
    assert len(bot_api.calls_to("sendMessage")) == 2
    assert count(vecino, Message, Message.provider_id == "u9002") == 1
    with vecino.db.transaction() as session:
        assert session.scalars(select(ConversationState)).one().invalid_count == 0


def test_commands_map_to_the_global_keywords(telegram: TelegramPoster, bot_api, vecino):
    ok(telegram.text("/start"))
    assert "¡Hola! Soy Vecino" in bot_api.sent_texts()[-1]
    ok(telegram.text("2"))
    ok(telegram.text("/help"))
    assert bot_api.sent_texts()[-2].startswith("Vecino: community help")
    ok(telegram.text("/lang"))
    assert bot_api.sent_texts()[-2] == "Listo, te escribiré en español."
    assert contact(vecino).language == "es"
    ok(telegram.text("/lang en"))
    assert contact(vecino).language == "en"
    ok(telegram.text("/menu@VecinoTestBot"))
    assert bot_api.sent_texts()[-1].startswith("What can I help you with?")
    ok(telegram.text("/stop"))
    assert "no more messages" in bot_api.sent_texts()[-1]
    assert contact(vecino).opted_out_at is not None


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/ayuda", "Vecino: ayuda de tu comunidad"),
        ("/AYUDA@VecinoTestBot", "Vecino: ayuda de tu comunidad"),
        ("/alto", "Vecino: listo, ya no te mandaremos"),
        ("/baja", "Vecino: listo, ya no te mandaremos"),
        ("/idioma english", "OK, I will write to you in English."),
        ("/lang inglés", "OK, I will write to you in English."),
        ("/inicio", "¿En qué te puedo ayudar?"),
    ],
)
def test_spanish_command_aliases(telegram: TelegramPoster, bot_api, command: str, expected: str):
    spanish_menu(telegram, bot_api)
    ok(telegram.text(command))
    assert any(text.startswith(expected) for text in bot_api.sent_texts()[-2:]), (
        bot_api.sent_texts()[-2:]
    )


def test_unknown_commands_are_read_as_text(telegram: TelegramPoster, bot_api):
    spanish_menu(telegram, bot_api)
    ok(telegram.text("/banana"))
    assert bot_api.sent_texts()[-1].startswith("Perdón, no entendí.")
    # A command that is a flow's trigger word starts that flow, like the word itself would.
    ok(telegram.text("/comida"))
    assert bot_api.sent_texts()[-1].startswith("Mi lista de lugares está vacía por ahora.")


def test_start_brings_an_opted_out_resident_back(telegram: TelegramPoster, bot_api, vecino):
    ok(telegram.text("hola"))
    ok(telegram.text("2"))
    ok(telegram.text("/stop"))
    sent = len(bot_api.sent_texts())
    ok(telegram.text("hello?"))
    assert len(bot_api.sent_texts()) == sent  # silence while opted out
    ok(telegram.text("/start"))
    assert "welcome back!" in bot_api.sent_texts()[-2]
    assert bot_api.sent_texts()[-1].startswith("What can I help you with?")
    assert contact(vecino).opted_out_at is None


def test_a_deep_link_payload_is_kept_as_the_source(telegram: TelegramPoster, bot_api, vecino):
    ok(telegram.text("/start townhall"))
    assert "¡Hola! Soy Vecino" in bot_api.sent_texts()[-1]
    assert contact(vecino).source == "townhall"
    ok(telegram.text("/start flyer"))  # the first way they found us stays
    assert contact(vecino).source == "townhall"


def test_a_deep_link_payload_that_is_not_one_is_not_stored(telegram: TelegramPoster, vecino):
    ok(telegram.text("/start <script>alert(1)</script>"))
    assert contact(vecino).source is None


def test_a_shared_location_without_a_conversation_gets_the_welcome(
    telegram: TelegramPoster, bot_api: FakeBotApi, vecino
):
    assert ok(telegram.location(34.0617, -118.2765)) == "OK: answered\n"
    assert "¡Hola! Soy Vecino" in bot_api.sent_texts()[-1]
    with vecino.db.transaction() as session:
        stored = session.scalars(select(Message).where(Message.direction == "in")).one()
        assert stored.payload == {"location": [34.06, -118.28]}  # stored rounded to ~1 km


def test_photos_stickers_and_voice_get_the_polite_answer(telegram: TelegramPoster, bot_api):
    spanish_menu(telegram, bot_api)
    photo = [{"file_id": "f", "file_unique_id": "u", "width": 90, "height": 90}]
    sticker = {
        "file_id": "s",
        "file_unique_id": "su",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "type": "regular",
    }
    voice = {"file_id": "v", "file_unique_id": "vu", "duration": 3}
    for media in ({"photo": photo}, {"sticker": sticker}, {"voice": voice}):
        ok(telegram.post(telegram.update(message=telegram.message(**media))))
        text = bot_api.sent_texts()[-1]
        assert text.startswith("Solo puedo leer texto."), media
        assert "¿En qué te puedo ayudar?" in text


def test_a_photo_caption_is_read_as_the_answer(telegram: TelegramPoster, bot_api):
    spanish_menu(telegram, bot_api)
    photo = [{"file_id": "f", "file_unique_id": "u", "width": 90, "height": 90}]
    ok(telegram.post(telegram.update(message=telegram.message(photo=photo, caption="1"))))
    assert bot_api.sent_texts()[-1].startswith("Vecino es de madres")


def test_an_edited_message_gets_a_note_and_changes_nothing(
    telegram: TelegramPoster, bot_api: FakeBotApi, vecino
):
    spanish_menu(telegram, bot_api)
    edited = telegram.message(text="2", edit_date=1)
    assert ok(telegram.post(telegram.update(edited_message=edited))) == "OK: noticed\n"
    assert bot_api.sent_texts()[-1].startswith("Solo leo mensajes nuevos")
    assert state(vecino) == ("main_menu", "menu") and contact(vecino).language == "es"


def test_a_live_location_moving_is_not_answered(telegram: TelegramPoster, bot_api):
    spanish_menu(telegram, bot_api)
    sent = len(bot_api.sent_texts())
    moved = telegram.message(location={"latitude": 34.06, "longitude": -118.27}, edit_date=1)
    assert ok(telegram.post(telegram.update(edited_message=moved))).startswith("OK: ignored")
    assert len(bot_api.sent_texts()) == sent


def test_group_chats_and_channel_posts_are_ignored(telegram: TelegramPoster, bot_api, vecino):
    group = telegram.message(text="hola")
    group["chat"] = {"id": -100123, "type": "supergroup", "title": "Vecinos"}
    assert ok(telegram.post(telegram.update(message=group))) == "OK: ignored: group chat\n"
    post = {"message_id": 5, "date": 1, "chat": {"id": -100999, "type": "channel"}, "text": "x"}
    assert ok(telegram.post(telegram.update(channel_post=post))).startswith("OK: ignored")
    assert bot_api.calls_to("sendMessage") == []
    assert count(vecino, Contact) == 0


@pytest.mark.parametrize(
    "content",
    [
        {},  # an update with nothing in it
        {
            "poll": {
                "id": "1",
                "question": "?",
                "options": [{"text": "a", "voter_count": 0}],
                "total_voter_count": 0,
                "is_closed": False,
                "is_anonymous": True,
                "type": "regular",
                "allows_multiple_answers": False,
            }
        },
        {
            "message_reaction_count": {
                "chat": {"id": 1, "type": "private"},
                "message_id": 1,
                "date": 1,
                "reactions": [],
            }
        },
        {"some_future_update": {"x": 1}},
    ],
)
def test_updates_without_a_message_are_acknowledged_and_ignored(
    telegram: TelegramPoster, bot_api: FakeBotApi, vecino, content: dict
):
    assert ok(telegram.post(telegram.update(**content))).startswith("OK: ignored")
    assert bot_api.calls_to("sendMessage") == []
    assert count(vecino, Message) == 0


def test_a_4097_character_text_is_stored_whole_and_answered(
    telegram: TelegramPoster, bot_api, vecino
):
    spanish_menu(telegram, bot_api)
    text = "x" * 4097
    ok(telegram.text(text, update_id=424242))
    assert bot_api.sent_texts()[-1].startswith("Perdón, no entendí.")
    with vecino.db.transaction() as session:
        stored = session.scalars(select(Message).where(Message.provider_id == "u424242")).one()
        assert stored.body == text


# ---- bad requests ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "secret", [None, "", "wrong", "test-telegram-secre", "test-telegram-secretX"]
)
def test_a_wrong_or_missing_secret_is_refused_and_nothing_happens(
    telegram: TelegramPoster, bot_api: FakeBotApi, vecino, secret
):
    update = telegram.update(message=telegram.message(text="hola"))
    response = telegram.post(update, secret=secret)
    assert response.status_code == 403
    assert "X-Telegram-Bot-Api-Secret-Token" in response.get_data(as_text=True)
    assert count(vecino, Message) == 0 and bot_api.calls == []


def test_without_a_configured_secret_every_update_is_refused(settings, clock, bot_api):  # type: ignore[no-untyped-def]
    app = create_app(settings_with(settings, telegram_webhook_secret=None), clock=clock)
    poster = TelegramPoster(app.test_client())
    assert poster.text("hola").status_code == 403
    poster.secret = ""
    assert poster.text("hola").status_code == 403
    assert bot_api.calls == []
    app.extensions["vecino"].db.dispose()


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"not json",
        b'{"update_id": ',
        b"[]",
        b"42",
        b"{}",
        b'{"update_id": "7"}',
        b'{"update_id": true, "message": {}}',
        b'{"update_id": -1, "message": {}}',
        b'{"update_id": 1.5, "message": {}}',
        b'{"update_id": 100000000000000000000000000000000000000000000000000000000000000000000}',
    ],
)
def test_malformed_json_gets_400_with_a_reason(telegram: TelegramPoster, vecino, body: bytes):
    response = telegram.post(body)
    assert response.status_code == 400
    assert "Bad request" in response.get_data(as_text=True)
    assert count(vecino, Message) == 0


def test_an_update_with_a_broken_message_gets_400_not_500(telegram: TelegramPoster, vecino):
    response = telegram.post({"update_id": 5, "message": {"text": "hola"}})  # no chat, no date
    assert response.status_code == 400
    assert count(vecino, Message) == 0


# ---- Telegram's answers: blocked, rate limits, errors ----------------------------------


def test_a_resident_who_blocked_the_bot_is_opted_out(telegram: TelegramPoster, bot_api, vecino):
    ok(telegram.text("hola"))
    bot_api.script("sendMessage", blocked())
    assert ok(telegram.text("2")) == "OK: answered\n"
    stored = contact(vecino)
    assert stored.opted_out_at is not None
    with vecino.db.transaction() as session:
        last = session.scalars(
            select(Message).where(Message.direction == "out").order_by(Message.id.desc())
        ).first()
        assert (last.status, last.error_code) == ("failed", "blocked")
    # Nothing more goes out until they come back with /start (Telegram's "Restart" button).
    ok(telegram.text("hello?"))
    assert len(bot_api.calls_to("sendMessage")) == 2
    ok(telegram.text("/start"))
    assert "welcome back!" in bot_api.sent_texts()[-2]


def test_blocking_the_bot_opts_out_at_once(telegram: TelegramPoster, bot_api, vecino):
    ok(telegram.text("hola"))
    member = {
        "chat": {"id": CHAT_ID, "type": "private"},
        "from": {"id": CHAT_ID, "is_bot": False, "first_name": "Vecina"},
        "date": 1,
        "old_chat_member": {
            "status": "member",
            "user": {"id": 123456, "is_bot": True, "first_name": "Vecino"},
        },
        "new_chat_member": {
            "status": "kicked",
            "until_date": 0,
            "user": {"id": 123456, "is_bot": True, "first_name": "Vecino"},
        },
    }
    assert ok(telegram.post(telegram.update(my_chat_member=member))) == "OK: blocked\n"
    assert contact(vecino).opted_out_at is not None
    assert len(bot_api.calls_to("sendMessage")) == 1


def test_a_rate_limit_is_waited_out_then_the_reply_is_sent(
    telegram: TelegramPoster, bot_api: FakeBotApi, app, monkeypatch
):
    waits: list[float] = []
    ok(telegram.text("hola"))
    channel = app.extensions["vecino_telegram"]
    monkeypatch.setattr(channel.sender, "sleep", waits.append)
    bot_api.script("sendMessage", retry_after(2))
    ok(telegram.text("1"))
    assert waits == [2.0]
    attempts = bot_api.calls_to("sendMessage")[1:]
    assert len(attempts) == 2 and attempts[0] == attempts[1]
    assert attempts[1]["text"].startswith("¿En qué te puedo ayudar?")


def test_a_long_rate_limit_is_not_waited_in_the_webhook(
    telegram: TelegramPoster, bot_api: FakeBotApi, app, vecino, monkeypatch
):
    waits: list[float] = []
    ok(telegram.text("hola"))
    monkeypatch.setattr(app.extensions["vecino_telegram"].sender, "sleep", waits.append)
    bot_api.script("sendMessage", retry_after(120))
    assert ok(telegram.text("1")) == "OK: answered\n"
    assert waits == []
    with vecino.db.transaction() as session:
        last = session.scalars(
            select(Message).where(Message.direction == "out").order_by(Message.id.desc())
        ).first()
        assert (last.status, last.error_code) == ("failed", "rate_limited")
    assert contact(vecino).opted_out_at is None


def test_a_refused_message_is_recorded_and_the_rest_not_attempted(
    telegram: TelegramPoster, bot_api: FakeBotApi, vecino
):
    ok(telegram.text("hola"))
    ok(telegram.text("2"))
    bot_api.script("sendMessage", bad_request("message is too long"))
    ok(telegram.text("ES"))  # two replies: the confirmation and the menu
    with vecino.db.transaction() as session:
        rows = session.scalars(
            select(Message).where(Message.direction == "out").order_by(Message.id)
        ).all()
        assert [r.status for r in rows[-2:]] == ["failed", "unsent"]
    assert len(bot_api.calls_to("sendMessage")) == 3


def test_telegram_unreachable_means_deliver_again_and_only_unsent_replies_go_out(
    telegram: TelegramPoster, bot_api: FakeBotApi, vecino
):
    ok(telegram.text("hola"))
    ok(telegram.text("2"))
    bot_api.script("sendMessage", bad_gateway())
    response = telegram.text("ES", update_id=777)  # two replies: confirmation, then the menu
    assert response.status_code == 503
    assert len(bot_api.calls_to("sendMessage")) == 3
    with vecino.db.transaction() as session:
        rows = session.scalars(select(Message).where(Message.direction == "out")).all()
        assert [(r.status, r.error_code) for r in rows[-2:]] == [
            ("failed", "network"),
            ("unsent", "network"),
        ]
    # Telegram delivers the update again: the engine does not run twice (the language switch
    # is not toggled back), and both replies go out now.
    assert ok(telegram.text("ES", update_id=777)) == "OK: resent\n"
    assert bot_api.sent_texts()[-2:] == [
        "Listo, te escribiré en español.",
        bot_api.sent_texts()[-1],
    ]
    assert bot_api.sent_texts()[-1].startswith("¿En qué te puedo ayudar?")
    assert count(vecino, Message, Message.provider_id == "u777") == 1
    # A third delivery finds nothing left to send.
    sent = len(bot_api.calls_to("sendMessage"))
    assert ok(telegram.text("ES", update_id=777)) == "OK: duplicate\n"
    assert len(bot_api.calls_to("sendMessage")) == sent


def test_a_sent_reply_is_not_sent_again_on_redelivery(telegram: TelegramPoster, bot_api, vecino):
    ok(telegram.text("hola"))
    ok(telegram.text("2"))
    bot_api.script("sendMessage", Reply(200, {"ok": True, "result": FIRST_OK}), bad_gateway())
    assert telegram.text("ES", update_id=778).status_code == 503  # first went out, second not
    assert ok(telegram.text("ES", update_id=778)) == "OK: resent\n"
    texts = bot_api.sent_texts()
    assert texts.count("Listo, te escribiré en español.") == 1
    assert texts[-1].startswith("¿En qué te puedo ayudar?")


def test_without_a_bot_token_updates_are_refused_before_anything_is_stored(  # type: ignore[no-untyped-def]
    settings, clock, vecino
):
    app = create_app(settings_with(settings, telegram_bot_token=None), clock=clock)
    response = TelegramPoster(app.test_client()).text("hola")
    assert response.status_code == 503
    assert count(vecino, Message) == 0
    app.extensions["vecino"].db.dispose()


def test_logs_hold_neither_chat_ids_nor_message_text(telegram: TelegramPoster, bot_api, caplog):  # type: ignore[no-untyped-def]
    caplog.set_level(logging.DEBUG)
    ok(telegram.text("my secret words"))
    bot_api.script("sendMessage", blocked())
    ok(telegram.text("2"))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "contact" in logged
    assert str(CHAT_ID) not in logged and "secret words" not in logged


# ---- every field wrong in every way: a clear 400 or a normal answer, never a 500 ---------

ODD_VALUES = [None, "x", "", [], {}, 10**30, True, -1.5]


def _field_paths(value: object, prefix: tuple = ()) -> list[tuple]:
    if not isinstance(value, dict):
        return []
    paths = []
    for key, inner in value.items():
        paths.append((*prefix, key))
        paths += _field_paths(inner, (*prefix, key))
    return paths


def _with(update: dict, path: tuple, value: object) -> dict:
    changed = json.loads(json.dumps(update))
    target = changed
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return changed


def test_no_field_of_an_update_can_cause_a_500(telegram: TelegramPoster, bot_api, vecino):
    text_update = telegram.update(message=telegram.message(text="hola"))
    photo = [{"file_id": "f", "file_unique_id": "u", "width": 9, "height": 9}]
    captioned = telegram.update(message=telegram.message(photo=photo, caption="1"))
    where = {"latitude": 34.06, "longitude": -118.27}
    located = telegram.update(message=telegram.message(location=where))
    press = telegram.update(
        callback_query={
            "id": "q",
            "from": {"id": CHAT_ID, "is_bot": False, "first_name": "V"},
            "chat_instance": "1",
            "data": "main_menu/menu|about",
            "message": telegram.message(text="?"),
        }
    )
    statuses: dict[int, list] = {}
    for template in (text_update, captioned, located, press):
        for path in _field_paths(template):
            if path == ("update_id",):
                continue
            for value in ODD_VALUES:
                body = _with(template, path, value)
                body["update_id"] = next(telegram.ids)
                response = telegram.post(body)
                statuses.setdefault(response.status_code, []).append((path, value))
    assert set(statuses) <= {200, 400}, {k: v[:5] for k, v in statuses.items() if k >= 500}
    assert len(statuses[400]) > 50 and len(statuses[200]) > 50  # both kinds were exercised
    # Nothing was ever sent to a chat that is not a real (integer) chat id.
    assert {p["chat_id"] for p in bot_api.calls_to("sendMessage")} == {str(CHAT_ID)}
    with vecino.db.transaction() as session:
        assert session.scalars(select(Contact.address)).all() == [str(CHAT_ID)]
