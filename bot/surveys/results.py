"""Results for researchers and organizers: the de-identified CSV export and summary counts.

The export has one row per response and one column per question key. Residents appear under a
stable pseudonym (``bot.privacy.pseudonym``), never a phone number or chat id, unless the
organizer asks for ``identified`` output. Free-text answers can name people, so they are left
out unless asked for, and phone numbers and e-mail addresses typed in them are replaced.

ZIP, household size and move-in date together can single out a family in a small area, so by
default (``exact=False``) they are coarsened: dates to the year, counts top-coded
(``6+``, or the question's own ``top_code``; none for ``top_code: false``, e.g. the families a
partner organization served), and a ZIP shown only where at least 11 respondents in the export
share it.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ..models import Contact
from ..privacy import pseudonym
from .definitions import DEFAULT_TOP_CODE, SurveyDefinition
from .models import ABANDONED, COMPLETED, IN_PROGRESS, SurveyAnswer, SurveyResponse
from .scoring import compute

SKIPPED = "skipped"
SUPPRESSED = "suppressed"  # a ZIP too few respondents share
ZIP_MIN_RESPONDENTS = 11
TOP_CODE = DEFAULT_TOP_CODE  # household size, children, ...: "6+"
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
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
    if answer.question_type == "text":
        text = scrub(text)
        if text.startswith(FORMULA_STARTS):
            # A spreadsheet would run "=HYPERLINK(...)" typed by anyone with a phone.
            return "'" + text
    return text


def scrub(text: str) -> str:
    """Free text with phone numbers and e-mail addresses replaced by ``[phone]``/``[email]``."""
    text = EMAIL.sub("[email]", text)
    for match in reversed(list(phonenumbers.PhoneNumberMatcher(text, "US", leniency=0))):
        text = text[: match.start] + "[phone]" + text[match.end :]
    return text


def coarse(
    answer: SurveyAnswer, text: str, shared_zips: set[str], top_code: int | None = TOP_CODE
) -> str:
    """A quasi-identifying answer as the default export shows it (``top_code``: the
    question's, None for a number kept as answered)."""
    if text in ("", SKIPPED):
        return text
    match answer.question_type:
        case "date":
            return text[:4]
        case "number":
            if top_code is None:
                return text
            try:
                return f"{top_code}+" if float(text) >= top_code else text
            except ValueError:
                return text
        case "zip":
            return text if text in shared_zips else SUPPRESSED
    return text


def shared_zips(responses: Iterable[SurveyResponse]) -> set[str]:
    """ZIP answers given by at least ``ZIP_MIN_RESPONDENTS`` different residents."""
    residents: dict[str, set[int]] = {}
    for response in responses:
        for answer in response.answers:
            if answer.question_type == "zip" and not answer.skipped and answer.value:
                residents.setdefault(str(answer.value), set()).add(response.contact_id)
    return {zip_code for zip_code, who in residents.items() if len(who) >= ZIP_MIN_RESPONDENTS}


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
    exact: bool = False,
) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the export, scores computed from each response's answers.

    ``exact`` keeps ZIP, counts and dates as answered (see the module docstring).
    """
    responses = list(_responses(session, survey.key, include_abandoned))
    zips = shared_zips(responses)
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
    # A question only an older version asked keeps the default.
    top_codes = {question.key: question.top_code for question in survey.questions}
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
        for key in questions:
            answer = by_key.get(key)
            text = cell(answer)
            if not exact and answer is not None:
                text = coarse(answer, text, zips, top_codes.get(key, TOP_CODE))
            row.append(text)
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
