"""Results back to the community: findings text and the data-walk sheet, with suppression."""

from __future__ import annotations

from collections import Counter
from html import escape

from bot.config import PROJECT_ROOT
from bot.outreach.results import Suppression, findings_text, in_ten, question_bars, sheet_html
from bot.surveys.definitions import load_surveys
from bot.surveys.results import QuestionSummary, SurveySummary

SURVEYS = load_surveys(PROJECT_ROOT / "flows")
HVS = SURVEYS["hunger_vital_sign"]
LABELS = {
    "hvs_worried:often": {"en": "Often true", "es": "Muchas veces"},
    "hvs_worried:never": {"en": "Never true", "es": "Nunca"},
}


def _summary(responses: int, positives: int, worried: Counter, ran_out: int = 0) -> SurveySummary:
    summary = SurveySummary("hunger_vital_sign", 1, responses=responses, completed=responses)
    summary.positives["hvs_positive"] = positives
    summary.questions = [
        QuestionSummary("hvs_worried", "choice", sum(worried.values()), 0, worried),
        QuestionSummary("hvs_ran_out", "choice", ran_out, 0, Counter({"never": ran_out})),
    ]
    return summary


def test_in_ten_rounds_the_way_people_say_it():
    assert (in_ten(37, 90), in_ten(4, 10), in_ten(0, 0), in_ten(11, 11)) == (4, 4, 0, 10)


def test_findings_in_both_languages_from_eleven_respondents():
    summary = _summary(11, 4, Counter({"often": 4, "never": 7}))
    rules = Suppression()
    assert findings_text(HVS, summary, "en", rules) == (
        "What 11 families told us (Food at home):\n"
        "About 4 in 10 worried their food would run out or it did run out."
    )
    assert findings_text(HVS, summary, "es", rules) == (
        "Lo que nos dijeron 11 familias (Comida en casa):\n"
        "Cerca de 4 de cada 10 se preocuparon de que se acabara la comida, o se les acabó."
    )


def test_no_figure_from_fewer_than_eleven_and_the_threshold_is_configurable():
    summary = _summary(10, 4, Counter({"often": 4, "never": 6}))
    assert findings_text(HVS, summary, "en", Suppression()) == (
        "Not enough answers yet to share results (Food at home)."
    )
    assert findings_text(HVS, summary, "en", Suppression(min_respondents=5)).startswith(
        "What 10 families told us"
    )


def test_a_breakdown_under_twenty_is_not_shown():
    summary = _summary(25, 10, Counter({"often": 12, "never": 8}), ran_out=19)
    worried, ran_out = question_bars(HVS, summary, LABELS, Suppression())
    assert worried.total == 20 and not worried.suppressed
    assert [(b.label, b.count, b.percent) for b in worried.bars] == [
        ("Muchas veces / Often true", 12, 60),
        ("Nunca / Never true", 8, 40),
    ]
    assert ran_out.suppressed and ran_out.bars == () and ran_out.total == 19


def test_sheet_is_bilingual_printable_html_with_suppression_applied():
    summary = _summary(25, 10, Counter({"often": 12, "never": 8}), ran_out=19)
    html = sheet_html(HVS, summary, LABELS, Suppression())
    assert html.startswith("<!doctype html>") and "@page { size: letter" in html
    assert "Comida en casa / Food at home" in html
    # The wording is shown escaped (the validated items open with a quotation mark).
    question = HVS.questions[0].text
    assert escape(question["es"][:30]) in html and escape(question["en"][:30]) in html
    assert "style='width:60%'" in html and "Muchas veces / Often true" in html
    assert html.count("Fewer than 20 answers: not shown.") == 1
    assert "Cerca de 4 de cada 10" in html
