"""Events and RSVPs in the database: seats, the waitlist, the audit trail, refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.outreach import store
from bot.outreach.models import RsvpChange
from bot.outreach.store import EventError

from ..conftest import START
from .helpers import TOWN_HALL_AT, make_contact, make_event


def test_an_event_without_a_spanish_title_is_refused(vecino):  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        with pytest.raises(EventError, match="Spanish title"):
            make_event(session, title_es="  ")
        with pytest.raises(EventError, match=r"place .* or a video link"):
            make_event(session, place=None, link=None)
        with pytest.raises(EventError, match="end after it starts"):
            make_event(session, ends_at=TOWN_HALL_AT - timedelta(minutes=1))


def test_a_new_event_has_defaults_and_a_random_token(vecino):  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        first, second = make_event(session), make_event(session)
        assert first.ends_at == TOWN_HALL_AT + timedelta(minutes=90)
        assert first.remind_minutes == [1440, 120]
        assert (first.status, first.sequence) == ("scheduled", 0)
        assert len(first.token) >= 16 and first.token != second.token


def test_a_full_event_waitlists_and_promotes_the_oldest_waiting(vecino):  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        event = make_event(session, capacity=1)
        ana, ben, eva = (make_contact(session, f"+1213555010{i}") for i in range(3))
        assert store.answer(session, event, ana.id, "yes", "text", START).status == "yes"
        ben_waits = store.answer(session, event, ben.id, "yes", "text", START)
        eva_waits = store.answer(session, event, eva.id, "yes", "text", START + timedelta(1))
        assert (ben_waits.status, eva_waits.status) == ("waitlist", "waitlist")
        dropped = store.answer(session, event, ana.id, "cancelled", "text", START)
        assert dropped.status == "cancelled"
        assert dropped.promoted is not None and dropped.promoted.contact_id == ben.id
        assert dropped.promoted.promoted_at == START
        assert store.counts(session, event.id) == {
            "invited": 0, "yes": 1, "no": 0, "maybe": 0, "waitlist": 1, "cancelled": 1,
        }  # fmt: skip
        # A waitlisted person dropping out frees no seat: nobody is promoted.
        assert store.answer(session, event, eva.id, "no", "text", START).promoted is None


def test_every_answer_is_kept_with_its_source_and_time_and_repeats_are_not(vecino):  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        event = make_event(session)
        contact = make_contact(session)
        store.invite(session, event, contact.id, START)
        store.answer(session, event, contact.id, "maybe", "text", START + timedelta(minutes=1))
        again = store.answer(session, event, contact.id, "maybe", "text", START)
        assert not again.changed
        store.answer(session, event, contact.id, "yes", "reminder", START + timedelta(hours=1))
        history = session.scalars(select(RsvpChange).order_by(RsvpChange.id)).all()
        assert [(c.status, c.source, c.at) for c in history] == [
            ("maybe", "text", START + timedelta(minutes=1)),
            ("yes", "reminder", START + timedelta(hours=1)),
        ]


def test_cant_make_it_from_someone_who_never_said_yes_is_a_no(vecino):  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        event = make_event(session)
        contact = make_contact(session)
        assert store.answer(session, event, contact.id, "cancelled", "text", START).status == "no"


def test_closed_reasons(vecino):  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        event = make_event(session)
        assert store.closed_reason(None, START) == "unknown"
        assert store.closed_reason(event, START) is None
        assert store.closed_reason(event, TOWN_HALL_AT) == "past"
        assert store.cancel_event(session, event, START) is True
        assert store.cancel_event(session, event, START) is False  # once
        assert event.sequence == 1
        assert store.closed_reason(event, START) == "cancelled"


def test_open_invitations_are_upcoming_unanswered_and_by_date(vecino):  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        later = make_event(session, starts_at=TOWN_HALL_AT + timedelta(days=3))
        sooner = make_event(session)
        answered = make_event(session)
        contact = make_contact(session)
        for event in (later, sooner, answered):
            store.invite(session, event, contact.id, START)
        store.answer(session, answered, contact.id, "no", "text", START)
        assert store.open_invitations(session, contact.id, START) == [sooner, later]
        assert store.open_invitations(session, contact.id, TOWN_HALL_AT) == [later]


def test_an_edit_is_checked_like_a_new_event_and_only_announced_changes_bump_sequence(vecino):  # type: ignore[no-untyped-def]
    from .helpers import draft

    with vecino.db.transaction() as session:
        event = make_event(session, capacity=1)
        ana, ben, eva = (make_contact(session, f"+1213555020{i}") for i in range(3))
        store.answer(session, event, ana.id, "yes", "text", START)
        store.answer(session, event, ben.id, "yes", "text", START)
        store.answer(session, event, eva.id, "yes", "text", START + timedelta(1))
        with pytest.raises(EventError, match="Spanish title"):
            store.edit_event(session, event, draft(title_es=""), START)
        assert store.edit_event(session, event, draft(capacity=1), START) == ([], [])
        changed, promoted = store.edit_event(
            session, event, draft(title_en="Town hall", capacity=3), START
        )
        assert changed == ["title_en", "capacity"] and event.sequence == 0
        assert [seat.contact_id for seat in promoted] == [ben.id, eva.id]  # oldest first
        changed, _ = store.edit_event(
            session, event, draft(title_en="Town hall", capacity=3, place="City Hall"), START
        )
        assert changed == ["place"] and event.sequence == 1
        store.cancel_event(session, event, START)
        with pytest.raises(EventError, match="cancelled"):
            store.edit_event(session, event, draft(), START)
