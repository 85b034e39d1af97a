"""Places for residents without a ZIP (or without location sharing): neighborhoods offline,
and no SMS prompt asking for something SMS cannot do."""

from __future__ import annotations

import re

import pytest

from bot.config import PROJECT_ROOT
from bot.directory.neighborhoods import find_neighborhood, load_neighborhoods
from bot.directory.places import resolve_zip
from bot.engine import load_flows
from bot.engine import messages as engine_messages
from bot.i18n import Catalogs

CATALOGS = Catalogs(PROJECT_ROOT / "locales")
SHARING = re.compile(r"location|ubicaci", re.IGNORECASE)  # "we share totals" is fine


def test_every_neighborhood_zip_is_a_real_la_county_zip():
    table = load_neighborhoods()
    assert len(table) >= 50
    wrong = [
        (n.name, n.zip_code) for n in table if not (z := resolve_zip(n.zip_code)) or not z.in_la
    ]
    assert wrong == []


@pytest.mark.parametrize(
    ("text", "zip_code"),
    [
        ("vivo en Pico Union", "90006"),
        ("Pico-Union", "90006"),
        ("cerca del parque MacArthur", "90057"),
        ("coreatown", "90005"),
        ("bolye heights", "90033"),
        ("en el este de los ángeles", "90022"),
        ("East Hollywood", "90029"),  # not plain Hollywood
        ("south central", "90011"),
    ],
)
def test_neighborhoods_and_landmarks_are_found_in_what_people_write(text: str, zip_code: str):
    found = find_neighborhood(text)
    assert found is not None and found.zip_code == zip_code


@pytest.mark.parametrize("text", ["no sé", "por la Vermont y la Olympic", "taco", ""])
def test_unknown_places_are_not_guessed(text: str):
    assert find_neighborhood(text) is None


def test_no_flow_question_asks_to_share_a_location():
    asking = []
    for flow in load_flows(PROJECT_ROOT / "flows"):
        for step in flow.steps.values():
            texts = step.text.values() if isinstance(step.text, dict) else [step.text or ""]
            asking += [f"{flow.id}/{step.id}" for text in texts if SHARING.search(str(text))]
    assert asking == []


@pytest.mark.parametrize("language", ["es", "en"])
def test_no_engine_prompt_asks_to_share_a_location(language: str):
    prompts = [getattr(engine_messages, name) for name in ("NEED_LOCATION", "NEED_ZIP")]
    assert [p for p in prompts if SHARING.search(CATALOGS.gettext(language, p))] == []
