"""The labelled corpora (tests/corpora/) against the classifier: the bars that must hold.

Crisis and the carriers' opt-out words: 100% recall. Nothing outside the opt-out files opts
anyone out or is asked whether it wants to. Figures for every class: bench/understanding.py.
"""

from __future__ import annotations

from collections import Counter

import pytest

from bot.config import PROJECT_ROOT
from bot.directory.categories import find_category
from bot.directory.places import zips_in_text
from bot.engine import load_flows
from bot.understanding import read
from bot.understanding.evaluate import load_corpora, predict
from bot.understanding.requests import Triggers

EXAMPLES = load_corpora(PROJECT_ROOT / "tests" / "corpora")
TRIGGERS = Triggers.of_flows(load_flows(PROJECT_ROOT / "flows"))


def of(*sources: str) -> list:
    return [e for e in EXAMPLES if e.source in sources]


def test_the_corpora_hold_hundreds_of_messages_in_both_languages():
    counts = Counter((e.source, e.language) for e in EXAMPLES)
    assert len(EXAMPLES) >= 400
    for source in {e.source for e in EXAMPLES}:
        assert counts[(source, "es")] >= 7 and counts[(source, "en")] >= 7, source


def test_every_crisis_message_is_caught_in_its_language():
    missed = [(e.text, read(e.text)) for e in of("crisis") if read(e.text) != _crisis(e)]
    assert missed == []


def _crisis(example):  # type: ignore[no-untyped-def]
    reading = read(example.text)
    return (
        reading
        if reading and (reading.kind, reading.language) == ("crisis", example.language)
        else None
    )


def test_every_carrier_opt_out_word_opts_out():
    missed = [e.text for e in of("opt_out_fcc") if predict(e.text, TRIGGERS) != "opt_out"]
    assert missed == []


def test_every_clear_request_to_stop_opts_out():
    missed = [e.text for e in of("opt_out") if predict(e.text, TRIGGERS) != "opt_out"]
    assert missed == []


def test_unclear_requests_to_stop_are_asked_about():
    missed = [e.text for e in of("ask_opt_out") if predict(e.text, TRIGGERS) != "ask_opt_out"]
    assert missed == []


def test_no_other_message_opts_out_or_is_asked_to():
    others = [e for e in EXAMPLES if e.source not in ("opt_out", "opt_out_fcc", "ask_opt_out")]
    wrong = [e.text for e in others if predict(e.text, TRIGGERS) in ("opt_out", "ask_opt_out")]
    assert wrong == []


def test_every_report_of_violence_at_home_gets_the_safety_answer():
    missed = [e.text for e in of("safety") if predict(e.text, TRIGGERS) != "safety"]
    assert missed == []


def test_no_ordinary_or_finder_message_is_taken_for_violence():
    others = of("ordinary", "find_help", "opt_out", "opt_out_fcc", "ask_opt_out")
    assert [e.text for e in others if predict(e.text, TRIGGERS) == "safety"] == []


def test_no_ordinary_message_is_taken_for_a_crisis():
    assert [e.text for e in of("ordinary") if predict(e.text, TRIGGERS) == "crisis"] == []


@pytest.mark.parametrize("source", ["help", "menu", "language", "opt_in", "person"])
def test_keywords_are_read_in_their_language(source: str):
    wrong = [
        e.text
        for e in of(source)
        if (r := read(e.text)) is None or (r.kind, r.language) != (source, e.language)
        if not (source == "menu" and r is not None and r.kind == "menu" and r.language is None)
    ]
    assert wrong == []


def test_requests_for_help_start_the_finder_with_their_category_and_zip():
    wrong = []
    for e in of("find_help"):
        category, zip_code = e.extra
        zips = zips_in_text(e.text).found
        got = (predict(e.text, TRIGGERS), find_category(e.text), zips[0] if zips else "-")
        if got != ("intent:find_help", category, zip_code):
            wrong.append((e.text, got))
    assert wrong == []
