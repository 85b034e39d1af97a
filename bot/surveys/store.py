"""Reading and writing survey responses. Plain functions over a SQLAlchemy session: the
conversation's actions, the CLI and (later) the admin view all go through here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from .definitions import SurveyDefinition
from .models import ABANDONED, COMPLETED, IN_PROGRESS, Survey, SurveyAnswer, SurveyResponse


def is_open(session: Session, key: str) -> bool:
    survey = session.get(Survey, key)
    return survey is not None and survey.is_open


def open_keys(session: Session, known: Iterable[str]) -> list[str]:
    """Open surveys that still exist as flows, the most recently opened first."""
    rows = session.scalars(
        select(Survey).where(Survey.is_open.is_(True), Survey.key.in_(list(known)))
    ).all()
    rows = sorted(rows, key=lambda s: (s.opened_at is None, s.opened_at), reverse=True)
    return [row.key for row in rows]


def set_open(session: Session, key: str, is_open: bool, now: datetime) -> bool:
    """Open or close a survey; False when it already was."""
    survey = session.get(Survey, key)
    if survey is None:
        survey = Survey(key=key, is_open=False)
        session.add(survey)
    if survey.is_open == is_open:
        return False
    survey.is_open = is_open
    if is_open:
        survey.opened_at = now
    else:
        survey.closed_at = now
    return True


def open_untouched(session: Session, keys: Iterable[str], now: datetime) -> list[str]:
    """Open the surveys nobody has opened or closed yet (the demo); the keys opened. A survey
    has a row once an organizer opened or closed it, so their choice stands."""
    opened = []
    for key in keys:
        if session.get(Survey, key) is not None:
            continue
        set_open(session, key, True, now)
        opened.append(key)
    return opened


def in_progress(session: Session, contact_id: int, key: str) -> SurveyResponse | None:
    return session.scalars(
        select(SurveyResponse)
        .where(
            SurveyResponse.contact_id == contact_id,
            SurveyResponse.survey_key == key,
            SurveyResponse.status == IN_PROGRESS,
        )
        .order_by(SurveyResponse.id.desc())
    ).first()


def current(session: Session, response_id: Any, contact_id: int, key: str) -> SurveyResponse | None:
    """The response a conversation points at, if it is this contact's and still open.

    The id comes from conversation state; checking owner, survey and status means a stale or
    tampered id can never write into someone else's response.
    """
    if not isinstance(response_id, int):
        return None
    response = session.get(SurveyResponse, response_id)
    if (
        response is None
        or response.contact_id != contact_id
        or response.survey_key != key
        or response.status != IN_PROGRESS
    ):
        return None
    return response


def abandon(session: Session, contact_id: int, key: str, now: datetime) -> None:
    for response in session.scalars(
        select(SurveyResponse).where(
            SurveyResponse.contact_id == contact_id,
            SurveyResponse.survey_key == key,
            SurveyResponse.status == IN_PROGRESS,
        )
    ):
        response.status = ABANDONED
        response.updated_at = now


def start(
    session: Session,
    survey: SurveyDefinition,
    contact_id: int,
    language: str | None,
    channel: str,
    now: datetime,
) -> SurveyResponse:
    """A new response, at the moment the resident consents."""
    abandon(session, contact_id, survey.key, now)
    response = SurveyResponse(
        contact_id=contact_id,
        survey_key=survey.key,
        survey_version=survey.version,
        fingerprint=survey.fingerprint,
        language=language,
        channel=channel,
        status=IN_PROGRESS,
        consent_at=now,
        started_at=now,
        updated_at=now,
        flags=[],
    )
    session.add(response)
    session.flush()
    return response


def save_answer(
    session: Session,
    response: SurveyResponse,
    key: str,
    question_type: str,
    value: Any,
    skipped: bool,
    language: str | None,
    now: datetime,
    message_id: int | None,
) -> None:
    """Store (or replace, after BACK) one answer."""
    answer = session.scalars(
        select(SurveyAnswer).where(SurveyAnswer.response_id == response.id, SurveyAnswer.key == key)
    ).first()
    if answer is None:
        answer = SurveyAnswer(response_id=response.id, key=key)
        session.add(answer)
    answer.question_type = question_type
    answer.value = value
    answer.skipped = skipped
    answer.language = language
    answer.answered_at = now
    answer.message_id = message_id
    response.updated_at = now


def withdraw_answer(session: Session, response: SurveyResponse, key: str, now: datetime) -> None:
    for answer in session.scalars(
        select(SurveyAnswer).where(SurveyAnswer.response_id == response.id, SurveyAnswer.key == key)
    ):
        session.delete(answer)
    response.updated_at = now


def answers_of(session: Session, response: SurveyResponse) -> dict[str, Any]:
    """Question key -> value (None for a skip), as the engine keeps them."""
    rows = session.scalars(select(SurveyAnswer).where(SurveyAnswer.response_id == response.id))
    return {row.key: row.value for row in rows}


def flag(response: SurveyResponse, reason: str, now: datetime) -> bool:
    """Mark a response for staff follow-up; False when it already carried this reason."""
    if reason in (response.flags or []):
        return False
    response.flags = [*(response.flags or []), reason]
    response.flagged_at = response.flagged_at or now
    return True


def complete(response: SurveyResponse, now: datetime) -> None:
    response.status = COMPLETED
    response.completed_at = now
    response.updated_at = now
