"""Survey storage: which surveys are open, each resident's response, and its answers.

A response exists only once the resident has consented (``consent_at`` is never empty), so
"no consent, no answers" holds by construction. Answers keep the survey version they were given
under through their response. Deleting a contact deletes their responses.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..models import Base, utcnow

IN_PROGRESS = "in_progress"
COMPLETED = "completed"
ABANDONED = "abandoned"  # the resident chose to start over, or the survey changed version


class Survey(Base):
    """An organizer's switch: residents can take a survey only while it is open."""

    __tablename__ = "surveys"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    is_open: Mapped[bool] = mapped_column(Boolean, default=False)
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class SurveyResponse(Base):
    """One resident taking one version of a survey, from consent to completion."""

    __tablename__ = "survey_responses"
    __table_args__ = (Index("ix_survey_responses_contact_survey", "contact_id", "survey_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    survey_key: Mapped[str] = mapped_column(String(64), index=True)
    survey_version: Mapped[int] = mapped_column(Integer)
    fingerprint: Mapped[str] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(8))
    channel: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default=IN_PROGRESS)
    consent_at: Mapped[datetime]
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    # Set when a positive screen or a crisis message asked for staff follow-up.
    flagged_at: Mapped[datetime | None]
    flags: Mapped[list[Any]] = mapped_column(JSON, default=list)

    answers: Mapped[list[SurveyAnswer]] = relationship(
        back_populates="response", cascade="all, delete-orphan", order_by="SurveyAnswer.id"
    )


class SurveyAnswer(Base):
    """One question's answer. ``value`` is None when the resident skipped (``skipped``)."""

    __tablename__ = "survey_answers"
    __table_args__ = (UniqueConstraint("response_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("survey_responses.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(64))
    # The question's type when answered ("text" is free text, withheld from exports by default).
    question_type: Mapped[str] = mapped_column(String(16))
    value: Mapped[Any | None] = mapped_column(JSON)
    skipped: Mapped[bool] = mapped_column(Boolean, default=False)
    language: Mapped[str | None] = mapped_column(String(8))
    answered_at: Mapped[datetime] = mapped_column(default=utcnow)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id", ondelete="SET NULL"))

    response: Mapped[SurveyResponse] = relationship(back_populates="answers")
