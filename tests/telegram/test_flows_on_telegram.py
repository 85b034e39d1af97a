"""Flows that ask for a place, or whose buttons carry long ids, run over Telegram: the location
button, a shared location as the answer, a typed ZIP as the same answer, and buttons whose
callback data would not fit in 64 bytes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.config import PROJECT_ROOT
from bot.models import ConversationState

from ..conftest import settings_with
from .conftest import TelegramPoster
from .fake_bot_api import FakeBotApi

LONG_STEP = "which_kind_of_neighbourhood_help_do_you_need_today"
LONG_VALUE = "help_with_immigration_paperwork_and_legal_questions"
NEARBY_FLOW = f"""
id: nearby
title: {{en: Nearby, es: Cerca}}
start: where
triggers: {{en: [nearby], es: [cerca]}}
steps:
  where:
    ask: location
    text:
      en: "Send your ZIP code or share your location."
      es: "Manda tu código postal o comparte tu ubicación."
    next: {LONG_STEP}
  {LONG_STEP}:
    ask: choice
    text: {{en: "What do you need?", es: "¿Qué necesitas?"}}
    choices:
      - value: {LONG_VALUE}
        label: {{en: Immigration help, es: Ayuda migratoria}}
      - value: food
        label: {{en: Food, es: Comida}}
    next: thanks
  thanks:
    say: {{en: "Thanks!", es: "¡Gracias!"}}
    next: end
"""


@pytest.fixture
def settings(settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    flows = tmp_path / "flows"
    shutil.copytree(PROJECT_ROOT / "flows", flows)
    (flows / "nearby.yaml").write_text(NEARBY_FLOW, encoding="utf-8")
    return settings_with(settings, flows_dir=flows)


def answers(vecino) -> dict:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        return dict(session.scalars(select(ConversationState)).one().data)


def start_nearby(telegram: TelegramPoster, bot_api: FakeBotApi) -> dict:
    telegram.text("hola")
    telegram.text("2")
    assert telegram.text("nearby").status_code == 200
    return bot_api.calls_to("sendMessage")[-1]


def test_a_place_question_offers_the_location_button(telegram: TelegramPoster, bot_api):
    question = start_nearby(telegram, bot_api)
    assert question["text"] == "Send your ZIP code or share your location."
    keyboard = question["reply_markup"]
    assert keyboard["keyboard"] == [[{"text": "📍 Share my location", "request_location": True}]]
    assert keyboard["one_time_keyboard"] is True


def test_a_shared_location_answers_it(telegram: TelegramPoster, bot_api, vecino):
    start_nearby(telegram, bot_api)
    assert telegram.location(34.0617, -118.2765).status_code == 200
    assert answers(vecino)["where"] == {"lat": 34.0617, "lon": -118.2765}
    assert bot_api.sent_texts()[-1] == "What do you need?"


def test_a_typed_zip_answers_it_too(telegram: TelegramPoster, bot_api, vecino):
    start_nearby(telegram, bot_api)
    telegram.text("I'm in 90057")
    assert answers(vecino)["where"] == {"zip": "90057"}


def test_buttons_with_long_ids_still_fit_and_work(telegram: TelegramPoster, bot_api, vecino):
    start_nearby(telegram, bot_api)
    telegram.text("90057")
    question = bot_api.calls_to("sendMessage")[-1]
    data = [row[0]["callback_data"] for row in question["reply_markup"]["inline_keyboard"]]
    assert all(len(d.encode()) <= 64 for d in data)
    assert data[1] == f"nearby/{LONG_STEP}|food"
    assert data[0].startswith("~")  # too long to spell out: a digest the channel looks up
    telegram.press(data[0])
    assert bot_api.sent_texts()[-1] == "Thanks!"
    assert answers(vecino)[LONG_STEP] == LONG_VALUE


def test_the_long_button_of_an_earlier_question_is_stale(telegram, bot_api, vecino):  # type: ignore[no-untyped-def]
    start_nearby(telegram, bot_api)
    telegram.text("90057")
    question = bot_api.calls_to("sendMessage")[-1]
    long_button = question["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    telegram.press(long_button)
    telegram.text("nearby")  # a new round: the old button now belongs to the past
    telegram.press(long_button)
    assert bot_api.sent_texts()[-1].startswith("That button belongs to an earlier question.")
    assert "where" not in answers(vecino)
