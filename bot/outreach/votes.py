"""Votes: one ballot per contact, changeable until the vote closes; tallies per option and
language. Reached by VOTAR / VOTE (``flows/vote.yaml``) or by invitation."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .. import contacts
from ..models import ContactTag
from .models import Ballot, Vote


class VoteError(ValueError):
    """A vote an organizer tried to create is not valid; the message says why."""


def create_vote(
    session: Session, question_en: str, question_es: str, options: list[dict[str, str]],
    now: datetime, tag: str | None = None,
) -> Vote:  # fmt: skip
    """Open a vote; with ``tag``, only contacts with that tag may vote."""
    if not question_es.strip() or not question_en.strip():
        raise VoteError(
            "a vote needs its question in English and Spanish (--question, --question-es)"
        )
    if not 2 <= len(options) <= 9:
        raise VoteError("a vote needs between 2 and 9 options")
    for option in options:
        if not option.get("en", "").strip() or not option.get("es", "").strip():
            raise VoteError("each option needs English and Spanish: --option 'Yes|Sí'")
    try:
        only = contacts.normalize_tag(tag) if tag is not None else None
    except contacts.TagError as error:
        raise VoteError(str(error)) from error
    vote = Vote(question_en=question_en, question_es=question_es, options=options,
                is_open=True, tag=only, created_at=now)  # fmt: skip
    session.add(vote)
    session.flush()
    return vote


def current(session: Session) -> Vote | None:
    """The newest open vote (VOTAR answers it)."""
    return session.scalar(
        select(Vote).where(Vote.is_open.is_(True)).order_by(Vote.id.desc()).limit(1)
    )


def current_for(session: Session, contact_id: int) -> Vote | None:
    """The newest open vote this contact may cast (VOTAR answers it): a partners-only vote
    opened later does not hide an earlier one open to everyone."""
    tagged = select(ContactTag.tag).where(ContactTag.contact_id == contact_id)
    query = select(Vote).where(
        Vote.is_open.is_(True), or_(Vote.tag.is_(None), Vote.tag.in_(tagged))
    )
    return session.scalar(query.order_by(Vote.id.desc()).limit(1))


def eligible(session: Session, vote: Vote, contact_id: int) -> bool:
    """Whether this contact may vote: anyone, or only those with the vote's tag."""
    return vote.tag is None or contacts.has_tag(session, contact_id, vote.tag)


def cast(
    session: Session, vote: Vote, contact_id: int, option: int, language: str | None,
    now: datetime,
) -> tuple[Ballot, bool]:  # fmt: skip
    """Store or change a contact's ballot; returns it and whether it changed an earlier one."""
    if not vote.is_open:
        raise VoteError("this vote is closed")
    if not 1 <= option <= len(vote.options):
        raise VoteError(f"no option {option}")
    if not eligible(session, vote, contact_id):
        raise VoteError(f"only contacts tagged {vote.tag} may vote")
    ballot = session.scalar(
        select(Ballot).where(Ballot.vote_id == vote.id, Ballot.contact_id == contact_id)
    )
    if ballot is None:
        ballot = Ballot(vote_id=vote.id, contact_id=contact_id, option=option,
                        language=language, cast_at=now, changed_at=now)  # fmt: skip
        session.add(ballot)
        session.flush()
        return ballot, False
    ballot.option, ballot.language, ballot.changed_at = option, language, now
    return ballot, True


def close(vote: Vote, now: datetime) -> bool:
    if not vote.is_open:
        return False
    vote.is_open, vote.closed_at = False, now
    return True


@dataclass(frozen=True)
class Tally:
    total: int
    by_option: dict[int, int]
    by_option_language: dict[tuple[int, str], int]


def tally(session: Session, vote: Vote) -> Tally:
    ballots = list(session.scalars(select(Ballot).where(Ballot.vote_id == vote.id)))
    by_option = Counter(b.option for b in ballots)
    by_language = Counter((b.option, b.language or "unknown") for b in ballots)
    return Tally(
        len(ballots),
        {n: by_option.get(n, 0) for n in range(1, len(vote.options) + 1)},
        dict(by_language),
    )
