"""Survey counts for the admin page, aggregated by the database.

Answers are grouped by (question, language, stored JSON value); lists (several choices) are
split afterwards, per group. Scores use the surveys' own ``compute`` rule on each distinct
combination of the scored answers, counted by the database, so the rule has one owner and no
loop runs over responses.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Text, and_, cast, func, literal_column, select
from sqlalchemy.orm import Session, aliased

from bot.models import Contact
from bot.surveys.definitions import SurveyDefinition
from bot.surveys.models import COMPLETED, IN_PROGRESS, SurveyAnswer, SurveyResponse
from bot.surveys.scoring import compute

from .stats import local_day


@dataclass(frozen=True)
class Filters:
    zip_code: str | None = None
    since: date | None = None  # local dates, inclusive
    until: date | None = None


@dataclass
class QuestionCounts:
    key: str
    type: str
    answered: int = 0
    skipped: int = 0
    by_language: dict[str, Counter[str]] = field(default_factory=dict)

    def values(self) -> list[str]:
        seen: Counter[str] = Counter()
        for counts in self.by_language.values():
            seen.update(counts)
        return [value for value, _ in seen.most_common()]


@dataclass
class ScoreCounts:
    key: str
    positive: int = 0
    negative: int = 0
    unknown: int = 0


def response_conditions(survey_key: str, filters: Filters, tz: str) -> list[Any]:
    conditions = [
        SurveyResponse.survey_key == survey_key,
        SurveyResponse.status.in_([IN_PROGRESS, COMPLETED]),
    ]
    zone = ZoneInfo(tz)
    if filters.since:
        conditions.append(
            SurveyResponse.started_at >= datetime.combine(filters.since, time(), zone)
        )
    if filters.until:
        end = datetime.combine(filters.until + timedelta(days=1), time(), zone)
        conditions.append(SurveyResponse.started_at < end)
    if filters.zip_code:
        conditions.append(
            SurveyResponse.contact_id.in_(
                select(Contact.id).where(Contact.zip_code == filters.zip_code)
            )
        )
    return conditions


def per_day(
    session: Session, conditions: list[Any], tz: str, now: datetime
) -> dict[str, dict[str, int]]:
    """Local day -> language -> responses started that day."""
    day = local_day(session, SurveyResponse.started_at, tz, now).label("day")
    rows = session.execute(
        select(day, SurveyResponse.language, func.count())
        .where(*conditions)
        .group_by(literal_column("day"), SurveyResponse.language)
    )
    out: dict[str, dict[str, int]] = {}
    for raw_day, lang, count in rows:
        out.setdefault(str(raw_day)[:10], {})[lang or "?"] = int(count)
    return out


def totals(session: Session, conditions: list[Any]) -> tuple[int, int]:
    responses, completed = session.execute(
        select(
            func.count(),
            func.count(SurveyResponse.completed_at),
        ).where(*conditions)
    ).one()
    return int(responses), int(completed)


def _decode(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def question_counts(
    session: Session, survey: SurveyDefinition, conditions: list[Any]
) -> list[QuestionCounts]:
    ids = select(SurveyResponse.id).where(*conditions)
    language = SurveyAnswer.language
    # Free text is counted, never shown: it can name people.
    value = cast(SurveyAnswer.value, Text)
    rows = session.execute(
        select(
            SurveyAnswer.key,
            SurveyAnswer.question_type,
            language,
            SurveyAnswer.skipped,
            value,
            func.count(),
        )
        .where(SurveyAnswer.response_id.in_(ids))
        .group_by(
            SurveyAnswer.key, SurveyAnswer.question_type, language, SurveyAnswer.skipped, value
        )
    )
    questions = {q.key: QuestionCounts(q.key, q.type) for q in survey.questions}
    for key, qtype, lang, skipped, text, count in rows:
        question = questions.get(key)
        if question is None:
            continue
        if skipped:
            question.skipped += count
            continue
        question.answered += count
        if qtype == "text":
            continue
        decoded = _decode(text)
        items = decoded if isinstance(decoded, list) else [decoded]
        bucket = question.by_language.setdefault(lang or "?", Counter())
        for item in items:
            label = "yes" if item is True else "no" if item is False else str(item)
            bucket[label] += count
    return list(questions.values())


def score_counts(
    session: Session, survey: SurveyDefinition, conditions: list[Any]
) -> list[ScoreCounts]:
    results = []
    base = select(SurveyResponse.id).where(*conditions).subquery()
    for score in survey.scores:
        columns, query = [], select().select_from(base)
        for n, item in enumerate(score.items):
            answer = aliased(SurveyAnswer)
            query = query.outerjoin(
                answer, and_(answer.response_id == base.c.id, answer.key == item)
            )
            columns.append(cast(answer.value, Text).label(f"item{n}"))
        query = query.add_columns(*columns, func.count()).group_by(*columns)
        counts = ScoreCounts(score.key)
        for *texts, count in session.execute(query):
            values = {item: _decode(t) for item, t in zip(score.items, texts, strict=True)}
            positive = compute(score, values).positive
            if positive is None:
                counts.unknown += count
            elif positive:
                counts.positive += count
            else:
                counts.negative += count
        results.append(counts)
    return results
