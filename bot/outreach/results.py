"""Results back to the community: a survey's findings as short bilingual text and as a
printable one-page "data walk" sheet, with small-cell suppression.

Suppression protects families in small groups: no figure is shown from fewer than
``min_respondents`` people (default 11), and no breakdown (the split of one question's answers,
or of a figure by language) whose total is under ``min_breakdown`` (default 20). The counts come
from ``bot.surveys.results.summarize``; nothing here reads the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from ..surveys.definitions import SurveyDefinition
from ..surveys.results import SurveySummary

# What a positive screen means, in words residents use. Unknown scores fall back to their key.
FINDINGS = {
    "hvs_positive": {
        "en": "worried their food would run out or it did run out",
        "es": "se preocuparon de que se acabara la comida, o se les acabó",
    },
    "housing_positive": {
        "en": "are worried about their housing or have no steady place",
        "es": "están preocupadas por su vivienda o no tienen un lugar fijo",
    },
    "transport_positive": {
        "en": "missed appointments or needs for lack of transportation",
        "es": "faltaron a citas o necesidades por falta de transporte",
    },
    "phq2": {
        "en": "often felt down or without interest",
        "es": "se sintieron decaídas o sin interés",
    },
    "needs_food": {"en": "need help with food", "es": "necesitan ayuda con comida"},
    "needs_housing": {"en": "need help with housing", "es": "necesitan ayuda con vivienda"},
}
SKIP_SCORES = {"callback"}  # operational flags, not findings to share
HEADER = {
    "en": "What {n} families told us ({title}):",
    "es": "Lo que nos dijeron {n} familias ({title}):",
}
LINE = {"en": "About {tens} in 10 {finding}.", "es": "Cerca de {tens} de cada 10 {finding}."}
TOO_FEW = {
    "en": "Not enough answers yet to share results ({title}).",
    "es": "Todavía no hay suficientes respuestas para compartir resultados ({title}).",
}


@dataclass(frozen=True)
class Suppression:
    min_respondents: int = 11
    min_breakdown: int = 20

    def figure_ok(self, total: int) -> bool:
        return total >= self.min_respondents

    def breakdown_ok(self, total: int) -> bool:
        return total >= self.min_breakdown


def in_ten(count: int, total: int) -> int:
    """``4`` for 37 of 90: the share rounded to tenths, the way people say it."""
    return round(10 * count / total) if total else 0


def findings_text(
    survey: SurveyDefinition, summary: SurveySummary, language: str, rules: Suppression
) -> str:
    """A short text: one line per score, each only when enough families answered."""
    title = survey.title.get(language) or survey.key
    total = summary.responses
    if not rules.figure_ok(total):
        return TOO_FEW[language].format(title=title)
    lines = [HEADER[language].format(n=total, title=title)]
    for score in survey.scores:
        if score.key in SKIP_SCORES:
            continue
        words = FINDINGS.get(score.key, {}).get(language, score.key)
        tens = in_ten(summary.positives.get(score.key, 0), total)
        lines.append(LINE[language].format(tens=tens, finding=words))
    return "\n".join(lines)


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    percent: int


@dataclass(frozen=True)
class QuestionBars:
    wording: dict[str, str]
    total: int
    bars: tuple[Bar, ...]  # empty when suppressed
    suppressed: bool


def question_bars(
    survey: SurveyDefinition,
    summary: SurveySummary,
    labels: dict[str, dict[str, str]],
    rules: Suppression,
) -> list[QuestionBars]:
    """A bar per answer of each closed question; free text is never shown.

    ``labels`` maps ``question_key:value`` to its bilingual label (``{"en":..,"es":..}``).
    """
    by_key = {q.key: q for q in summary.questions}
    result = []
    for question in survey.questions:
        counted = by_key.get(question.key)
        if counted is None or question.free_text:
            continue
        total = counted.answered
        if not rules.breakdown_ok(total):
            result.append(QuestionBars(dict(question.text), total, (), True))
            continue
        bars = tuple(
            Bar(_label(labels, question.key, value), number, round(100 * number / total))
            for value, number in counted.counts.most_common()
        )
        result.append(QuestionBars(dict(question.text), total, bars, False))
    return result


def _label(labels: dict[str, dict[str, str]], key: str, value: str) -> str:
    label = labels.get(f"{key}:{value}")
    if not label:
        return value
    es, en = label.get("es", value), label.get("en", value)
    return es if es == en else f"{es} / {en}"


SHEET_STYLE = """
@page { size: letter; margin: 0.5in; }
body { font-family: Arial, Helvetica, sans-serif; font-size: 11pt; color: #000; margin: 0; }
h1 { font-size: 16pt; margin: 0 0 4pt; } p.sub { margin: 0 0 10pt; }
.q { break-inside: avoid; margin: 0 0 10pt; }
.q .es { font-weight: bold; } .q .en { font-style: italic; margin-bottom: 3pt; }
.row { display: flex; align-items: center; margin: 1pt 0; }
.label { width: 35%; } .track { width: 50%; border: 1px solid #000; height: 10pt; }
.fill { height: 100%; background: #444; print-color-adjust: exact;
  -webkit-print-color-adjust: exact; }
.pct { width: 15%; text-align: right; } .note { color: #333; }
"""


def sheet_html(
    survey: SurveyDefinition,
    summary: SurveySummary,
    labels: dict[str, dict[str, str]],
    rules: Suppression,
) -> str:
    """The one-page bilingual data-walk sheet: a bar per question, wording beside it."""
    title_es, title_en = survey.title.get("es", survey.key), survey.title.get("en", survey.key)
    parts = [
        "<!doctype html><html lang='es'><head><meta charset='utf-8'>",
        f"<title>{escape(title_es)} / {escape(title_en)}</title>",
        f"<style>{SHEET_STYLE}</style></head><body>",
        f"<h1>{escape(title_es)} / {escape(title_en)}</h1>",
        f"<p class='sub'>{summary.responses} respuestas / answers. "
        f"{escape(findings_text(survey, summary, 'es', rules))}<br>"
        f"{escape(findings_text(survey, summary, 'en', rules))}</p>",
    ]
    for question in question_bars(survey, summary, labels, rules):
        parts.append("<div class='q'>")
        parts.append(f"<div class='es'>{escape(question.wording.get('es', ''))}</div>")
        parts.append(f"<div class='en'>{escape(question.wording.get('en', ''))}</div>")
        if question.suppressed:
            parts.append(
                f"<div class='note'>Menos de {rules.min_breakdown} respuestas: no se muestra. / "
                f"Fewer than {rules.min_breakdown} answers: not shown.</div>"
            )
        for bar in question.bars:
            parts.append(
                f"<div class='row'><span class='label'>{escape(bar.label)}</span>"
                f"<span class='track'><div class='fill' style='width:{bar.percent}%'></div></span>"
                f"<span class='pct'>{bar.percent}%</span></div>"
            )
        parts.append("</div>")
    parts.append("</body></html>")
    return "\n".join(parts)
