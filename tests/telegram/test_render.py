"""TelegramRenderer: buttons, the location button, HTML-safe text, the 4,096 limit, and
callback data that always fits and always decodes back to the same question and choice."""

from __future__ import annotations

import html

import pytest
from telegram import InlineKeyboardMarkup, ReplyKeyboardMarkup

from bot.channels.telegram.render import (
    MAX_CALLBACK_DATA,
    MAX_TEXT,
    TelegramRenderer,
    decode_callback,
    encode_callback,
    long_choice_table,
    split_text,
)
from bot.config import PROJECT_ROOT
from bot.engine import Inbound, Option, Outbound
from bot.i18n import Catalogs

CATALOGS = Catalogs(PROJECT_ROOT / "locales")


def test_choices_become_numbered_inline_buttons_naming_their_question():
    reply = Outbound(
        "¿Qué necesitas?",
        options=(Option("food", "Comida"), Option("housing", "Vivienda")),
        step="find_help/need",
    )
    [message] = TelegramRenderer(CATALOGS, "es").render([reply])
    assert message.text == "¿Qué necesitas?"
    assert isinstance(message.reply_markup, InlineKeyboardMarkup)
    rows = message.reply_markup.inline_keyboard
    assert [(b.text, b.callback_data) for [b] in rows] == [
        ("1. Comida", "find_help/need|food"),
        ("2. Vivienda", "find_help/need|housing"),
    ]
    assert message.as_text() == "¿Qué necesitas?\n[1. Comida]\n[2. Vivienda]"


@pytest.mark.parametrize(
    ("language", "label"),
    [
        ("es", "📍 Compartir mi ubicación"),
        ("en", "📍 Share my location"),
        (None, "📍 Compartir mi ubicación / Share my location"),
    ],
)
def test_a_location_question_gets_a_share_location_button(language, label):
    reply = Outbound("Send your ZIP code or share your location.", asks_location=True, step="f/s")
    [message] = TelegramRenderer(CATALOGS, language).render([reply])
    assert isinstance(message.reply_markup, ReplyKeyboardMarkup)
    [[button]] = message.reply_markup.keyboard
    assert button.request_location is True
    assert button.text == label
    assert message.reply_markup.one_time_keyboard is True
    assert message.as_text().endswith(f"[{label}] (location)")


def test_text_from_data_cannot_break_the_html():
    name = "Food <Bank> & Pantry </b><a href='x'>*_[`"
    [message] = TelegramRenderer().render([Outbound(f"1. {name}\nOpen today")])
    assert message.parse_mode == "HTML"
    assert "<" not in message.text and ">" not in message.text
    # What Telegram shows after parsing the entities is exactly the original text.
    assert html.unescape(message.text) == f"1. {name}\nOpen today"


def test_each_reply_is_its_own_message_with_its_keyboard_last():
    replies = [
        Outbound("OK, I will write to you in English."),
        Outbound("Pick one", options=(Option("a", "A"),), step="f/s"),
    ]
    first, second = TelegramRenderer().render(replies)
    assert first.reply_markup is None
    assert isinstance(second.reply_markup, InlineKeyboardMarkup)


def test_long_text_is_split_under_4096_with_the_buttons_on_the_last_piece():
    entries = [f"{n}. Food pantry number {n} & friends, 123 Main St" for n in range(200)]
    reply = Outbound("\n".join(entries), options=(Option("more", "More"),), step="f/s")
    messages = TelegramRenderer().render([reply])
    assert len(messages) > 1
    visible = [html.unescape(m.text) for m in messages]
    assert all(len(text) <= MAX_TEXT for text in visible)
    assert "\n".join(visible) == reply.text  # split between lines: nothing lost or cut
    assert [m.reply_markup is not None for m in messages] == [False] * (len(messages) - 1) + [True]


@pytest.mark.parametrize("length", [4096, 4097, 10_000])
def test_split_text_never_exceeds_the_limit_even_without_spaces(length: int):
    pieces = split_text("x" * length)
    assert all(len(piece) <= MAX_TEXT for piece in pieces)
    assert "".join(pieces) == "x" * length


def test_the_limit_is_counted_as_telegram_counts_it_emoji_twice():
    text = "🥫 comida " * 1000  # the can is outside the BMP: two UTF-16 code units
    pieces = split_text(text)
    assert all(len(piece.encode("utf-16-le")) // 2 <= MAX_TEXT for piece in pieces)
    assert " ".join(pieces) == text  # cut at spaces, nothing lost
    assert len(split_text("😀" * 2048)) == 1 and len(split_text("😀" * 2049)) == 2


def test_an_empty_reply_sends_nothing():
    assert TelegramRenderer().render([Outbound("")]) == []


@pytest.mark.parametrize(
    ("step", "value"),
    [
        ("main_menu/menu", "about"),
        ("welcome/choose_language", "es"),
        ("a_rather_long_survey_flow_name/question_about_household", "more_than_four"),
        ("encuesta/¿cuántos_niños?", "ñandú_" * 8),
    ],
)
def test_callback_data_fits_64_bytes_and_decodes_back(step: str, value: str):
    data = encode_callback(step, value)
    assert len(data.encode()) <= MAX_CALLBACK_DATA
    table = long_choice_table([(step, value), ("other/step", "x")])
    assert decode_callback(data, table) == Inbound(choice=value, choice_step=step)


@pytest.mark.parametrize("data", [None, "", "nonsense", "~deadbeef", "|x", "step|"])
def test_unknown_callback_data_decodes_to_a_press_on_no_question(data):
    assert decode_callback(data, {}) == Inbound(choice="", choice_step="")
