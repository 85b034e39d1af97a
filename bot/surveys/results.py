"""Results for researchers and organizers: the de-identified CSV export and summary counts.

The export has one row per response and one column per question key. Residents appear under a
stable pseudonym (``bot.privacy.pseudonym``), never a phone number or chat id, unless the
organizer asks for ``identified`` output. Free-text answers can name people, so they are left
out unless asked for. ZIP codes are kept: they are what the organization maps needs by.
"""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import Contact
from ..privacy import pseudonym
from .definitions import SurveyDefinition
from .models import ABANDONED, COMPLETED, IN_PROGRESS, SurveyAnswer, SurveyResponse
from .scoring import compute

SKIPPED = "skipped"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BASE_COLUMNS = (
    "response_id",
    "resident",
    "survey",
    "survey_version",
    "fingerprint",
    "language",
    "channel",
    "status",
    "consent_at",
    "started_at",
    "completed_at",
    "flagged",
    "flags",
)


def _time(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def cell(answer: SurveyAnswer | None) -> str:
    """An answer as CSV text: lists joined with ``;``, yes/no, ``skipped``; empty if not asked."""
    if answer is None:
        return ""
    if answer.skipped:
        return SKIPPED
    value = answer.value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ";".join(str(item) for item in value)
    text = "" if value is None else str(value)
    if answer.question_type == "text" and text.startswith(FORMULA_STARTS):
        # A spreadsheet would run "=HYPERLINK(...)" typed by anyone with a phone.
        return "'" + text
    return text


def _flag(value: bool | None) -> str:
    return "" if value is None else ("1" if value else "0")


def _responses(
    session: Session, key: str, include_abandoned: bool = False
) -> Iterator[SurveyResponse]:
    statuses = [IN_PROGRESS, COMPLETED] + ([ABANDONED] if include_abandoned else [])
    yield from session.scalars(
        select(SurveyResponse)
        .where(SurveyResponse.survey_key == key, SurveyResponse.status.in_(statuses))
        .options(selectinload(SurveyResponse.answers))
        .order_by(SurveyResponse.id)
    )


def question_columns(
    survey: SurveyDefinition, responses: Iterable[SurveyResponse], include_free_text: bool
) -> list[str]:
    """The current version's questions in order, then keys only older versions asked."""
    free_text = {q.key for q in survey.questions if q.free_text}
    columns = [q.key for q in survey.questions if include_free_text or q.key not in free_text]
    older: set[str] = set()
    for response in responses:
        for answer in response.answers:
            if answer.key in survey.question_keys:
                continue
            if answer.question_type == "text" and not include_free_text:
                continue
            older.add(answer.key)
    return columns + sorted(older)


def score_columns(survey: SurveyDefinition) -> list[str]:
    return [column for score in survey.scores for column in score.columns()]


def export_rows(
    session: Session,
    survey: SurveyDefinition,
    secret_key: str,
    *,
    include_free_text: bool = False,
    identified: bool = False,
    include_abandoned: bool = False,
) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the export, scores computed from each response's answers."""
    responses = list(_responses(session, survey.key, include_abandoned))
    questions = question_columns(survey, responses, include_free_text)
    header = list(BASE_COLUMNS)
    if identified:
        header.insert(2, "address")
    header += questions + score_columns(survey)
    addresses: dict[int, str] = {}
    if identified:
        ids = {r.contact_id for r in responses}
        for contact in session.scalars(select(Contact).where(Contact.id.in_(ids))):
            addresses[contact.id] = contact.address
    rows = []
    for response in responses:
        by_key = {answer.key: answer for answer in response.answers}
        row = [
            str(response.id),
            pseudonym(secret_key, response.contact_id),
            response.survey_key,
            str(response.survey_version),
            response.fingerprint,
            response.language or "",
            response.channel,
            response.status,
            _time(response.consent_at),
            _time(response.started_at),
            _time(response.completed_at),
            "1" if response.flagged_at else "0",
            ";".join(response.flags or []),
        ]
        if identified:
            row.insert(2, addresses.get(response.contact_id, ""))
        row += [cell(by_key.get(key)) for key in questions]
        values = {key: answer.value for key, answer in by_key.items()}
        for score in survey.scores:
            result = compute(score, values)
            if score.kind == "sum":
                row += ["" if result.value is None else str(result.value), _flag(result.positive)]
            else:
                row.append(_flag(result.positive))
        rows.append(row)
    return header, rows


def write_csv(handle: IO[str], header: list[str], rows: list[list[str]]) -> None:
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)


# ---- summary counts (for the admin view) ---------------------------------------------------


@dataclass
class QuestionSummary:
    key: str
    type: str
    answered: int = 0
    skipped: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    by_language: dict[str, Counter[str]] = field(default_factory=dict)


@dataclass
class SurveySummary:
    key: str
    version: int
    responses: int = 0
    completed: int = 0
    by_language: Counter[str] = field(default_factory=Counter)
    questions: list[QuestionSummary] = field(default_factory=list)
    positives: Counter[str] = field(default_factory=Counter)  # score key -> positive screens


def _values(answer: SurveyAnswer) -> list[str]:
    if isinstance(answer.value, list):
        return [str(item) for item in answer.value]
    return [cell(answer)]


def summarize(
    session: Session, survey: SurveyDefinition, version: int | None = None
) -> SurveySummary:
    """Counts per question (and per language) over responses in progress and completed.

    Free-text answers are counted, never listed. ``version`` limits the counts to one version.
    """
    summary = SurveySummary(survey.key, version or survey.version)
    questions = {q.key: QuestionSummary(q.key, q.type) for q in survey.questions}
    for response in _responses(session, survey.key):
        if version is not None and response.survey_version != version:
            continue
        summary.responses += 1
        summary.completed += response.status == COMPLETED
        summary.by_language[response.language or "unknown"] += 1
        for answer in response.answers:
            question = questions.get(answer.key)
            if question is None:
                continue
            if answer.skipped:
                question.skipped += 1
                continue
            question.answered += 1
            if question.type == "text":
                continue
            language = answer.language or response.language or "unknown"
            per_language = question.by_language.setdefault(language, Counter())
            for value in _values(answer):
                question.counts[value] += 1
                per_language[value] += 1
        values: dict[str, Any] = {a.key: a.value for a in response.answers}
        for score in survey.scores:
            summary.positives[score.key] += bool(compute(score, values).positive)
    summary.questions = list(questions.values())
    return summary
