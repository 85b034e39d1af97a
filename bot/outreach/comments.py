"""Public comment: a free-text comment on a named item, kept only with consent to submit it,
exported as a de-identified document (no number, no name we know, contact details redacted)."""

from __future__ import annotations

import re
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import CommentRound, PublicComment

MAX_COMMENT = 1600  # ten SMS segments; longer texts arrive in pieces and are joined by nobody
# A comment may contain the resident's own number or e-mail; the document must not.
PHONE = re.compile(r"\+?\d[\d\s().-]{7,}\d")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


def open_round(session: Session, title_en: str, title_es: str, now: datetime) -> CommentRound:
    if not title_en.strip() or not title_es.strip():
        raise ValueError("a comment round needs a title in English and Spanish")
    found = CommentRound(title_en=title_en.strip(), title_es=title_es.strip(), created_at=now)
    session.add(found)
    session.flush()
    return found


def current(session: Session) -> CommentRound | None:
    return session.scalar(
        select(CommentRound)
        .where(CommentRound.is_open.is_(True))
        .order_by(CommentRound.id.desc())
        .limit(1)
    )


def submit(
    session: Session, found: CommentRound, contact_id: int, text: str, language: str | None,
    now: datetime,
) -> PublicComment:  # fmt: skip
    comment = PublicComment(round_id=found.id, contact_id=contact_id, text=text[:MAX_COMMENT],
                            language=language, consented_at=now)  # fmt: skip
    session.add(comment)
    session.flush()
    return comment


def redact(text: str) -> str:
    return EMAIL.sub("[e-mail]", PHONE.sub("[number]", text))


def export_text(session: Session, found: CommentRound) -> str:
    """The document for the task force: the item, then each comment with its date and
    language only, contact details redacted."""
    comments = session.scalars(
        select(PublicComment)
        .where(PublicComment.round_id == found.id)
        .order_by(PublicComment.consented_at, PublicComment.id)
    ).all()
    lines = [
        f"Public comment: {found.title_en} / {found.title_es}",
        f"{len(comments)} comment(s), submitted by residents through Vecino with their consent.",
        "",
    ]
    for number, comment in enumerate(comments, 1):
        when = comment.consented_at.strftime("%Y-%m-%d")
        lines.append(f"{number}. ({when}, {comment.language or 'unknown'}) {redact(comment.text)}")
    return "\n".join(lines) + "\n"
