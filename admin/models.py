"""Admin tables: staff accounts, sign-in attempts, the audit log, and how flags were handled.

None of these changes an existing table's columns. ``StaffFlag.resolved_at`` (already there)
is set when a flag is handled; who handled it and the note live in ``staff_flag_notes``. The
two indexes on ``messages`` and ``contacts`` serve the dashboard's aggregates; they are
declared here, beside the queries that need them, and attach to those tables' metadata.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from bot.models import Base, Contact, ConversationState, Message, utcnow
from bot.surveys.models import SurveyAnswer, SurveyResponse

ROLES = ("admin", "organizer", "partner")


class AdminUser(Base):
    """A person who signs in to the admin view. Partners belong to one organization."""

    __tablename__ = "admin_users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("directory_organizations.id", ondelete="SET NULL")
    )
    language: Mapped[str | None] = mapped_column(String(8))
    # Rotated at sign-out: a copied session cookie stops working with it.
    session_nonce: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)


class LoginAttempt(Base):
    """One sign-in try; recent failures per e-mail and per address drive the lockout."""

    __tablename__ = "admin_login_attempts"
    __table_args__ = (
        Index("ix_admin_login_attempts_email_at", "email", "at"),
        Index("ix_admin_login_attempts_ip_at", "ip", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    email: Mapped[str] = mapped_column(String(255))
    ip: Mapped[str] = mapped_column(String(64))
    success: Mapped[bool] = mapped_column(Boolean, default=False)


class AuditEntry(Base):
    """Every change made from the admin view, and every phone number revealed."""

    __tablename__ = "admin_audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("admin_users.id", ondelete="SET NULL"), index=True
    )
    actor: Mapped[str] = mapped_column(String(255))  # the e-mail, kept if the user is removed
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str | None] = mapped_column(String(255))
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    ip: Mapped[str | None] = mapped_column(String(64))


class FlagNote(Base):
    """How a staff flag was handled: by whom, when, and what they did."""

    __tablename__ = "staff_flag_notes"

    flag_id: Mapped[int] = mapped_column(
        ForeignKey("staff_flags.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int | None] = mapped_column(ForeignKey("admin_users.id", ondelete="SET NULL"))
    actor: Mapped[str] = mapped_column(String(255))
    note: Mapped[str] = mapped_column(Text, default="")
    handled_at: Mapped[datetime] = mapped_column(default=utcnow)


# The dashboard counts residents who wrote each day: a covering index, so the count reads the
# index range for the last 30 days and never the messages themselves. Of residents' messages
# only: replies, as many again, would cost an entry each inside the write lock (0015). The
# time leads, for PostgreSQL's range scan; ``direction`` is carried so that SQLite, which
# checks the index's condition itself, still reads the index alone.
_INBOUND = text("direction = 'in'")
Index(
    "ix_messages_inbound_created",
    Message.created_at,
    Message.contact_id,
    Message.direction,
    sqlite_where=_INBOUND,
    postgresql_where=_INBOUND,
)
# Residents by channel and language, new this week and opted out: read from the index alone.
Index(
    "ix_contacts_dashboard",
    Contact.channel,
    Contact.language,
    Contact.opted_out_at,
    Contact.first_seen_at,
)
Index("ix_contacts_last_seen", Contact.last_seen_at)  # the conversations list, latest first
# The survey funnel: responses by language, channel and status, and "answered a question"
# as an index probe per response.
Index(
    "ix_survey_responses_funnel",
    SurveyResponse.language,
    SurveyResponse.channel,
    SurveyResponse.status,
)
Index("ix_survey_answers_response_skipped", SurveyAnswer.response_id, SurveyAnswer.skipped)
# Residents left on a re-prompt: the few with a count above zero, found by the index.
Index("ix_conversation_states_invalid", ConversationState.invalid_count)
