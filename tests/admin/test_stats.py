"""The dashboard's aggregates, counted by the database, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from admin import stats
from bot.models import Contact, Message
from bot.surveys.models import COMPLETED, IN_PROGRESS, SurveyAnswer, SurveyResponse

TZ = "America/Los_Angeles"
# 18:00 in Los Angeles on 2026-11-24 (UTC-8).
NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def _contact(session, n: int, language: str = "es", channel: str = "sms") -> Contact:  # type: ignore[no-untyped-def]
    contact = Contact(
        channel=channel,
        address=f"+1213555{n:04d}",
        language=language,
        first_seen_at=NOW - timedelta(days=40),
        last_seen_at=NOW,
    )
    session.add(contact)
    session.flush()
    return contact


def _inbound(session, contact: Contact, at: datetime, direction: str = "in") -> None:  # type: ignore[no-untyped-def]
    session.add(
        Message(
            contact_id=contact.id,
            channel=contact.channel,
            direction=direction,
            body="x",
            status="received",
            created_at=at,
        )
    )


def test_residents_per_day_counts_each_resident_once_a_local_day(vecino):  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        ana, beto, carla = (_contact(session, n) for n in (1, 2, 3))
        # 23:30 on the 23rd in Los Angeles is already the 24th in UTC: it belongs to the 23rd.
        _inbound(session, ana, datetime(2026, 11, 24, 7, 30, tzinfo=UTC))
        # Three messages from Beto on the 24th (local) count once.
        for minute in (0, 10, 20):
            _inbound(session, beto, datetime(2026, 11, 24, 18, minute, tzinfo=UTC))
        _inbound(session, ana, datetime(2026, 11, 24, 19, 0, tzinfo=UTC))
        # Our own replies and messages before the window are not residents writing.
        _inbound(session, carla, datetime(2026, 11, 24, 20, 0, tzinfo=UTC), direction="out")
        _inbound(session, carla, NOW - timedelta(days=45))

    with vecino.db.reading() as session:
        dates, counts = stats.conversations_per_day(session, TZ, NOW, days=30)

    by_day = dict(zip((d.isoformat() for d in dates), counts, strict=True))
    assert len(dates) == 30 and dates[-1].isoformat() == "2026-11-24"
    assert by_day["2026-11-23"] == 1
    assert by_day["2026-11-24"] == 2
    assert sum(counts) == 3


def test_the_survey_funnel_counts_consented_answered_and_completed(vecino):  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        people = [
            _contact(session, n, language) for n, language in enumerate(["es", "es", "es", "en"])
        ]

        def response(contact: Contact, status: str, answers: list[bool]) -> None:
            started = NOW - timedelta(days=1)
            row = SurveyResponse(
                contact_id=contact.id,
                survey_key="phq2",
                survey_version=2,
                fingerprint="t",
                language=contact.language,
                channel="sms",
                status=status,
                consent_at=started,
                started_at=started,
                updated_at=started,
                completed_at=started if status == COMPLETED else None,
            )
            session.add(row)
            session.flush()
            for n, skipped in enumerate(answers):
                session.add(
                    SurveyAnswer(
                        response_id=row.id,
                        key=f"q{n}",
                        question_type="choice",
                        value=None if skipped else "often",
                        skipped=skipped,
                        language=contact.language,
                        answered_at=started,
                    )
                )

        response(people[0], COMPLETED, [False, False])  # es: answered and completed
        response(people[1], IN_PROGRESS, [True])  # es: only skipped: consented, not answered
        response(people[2], IN_PROGRESS, [])  # es: consented, nothing yet
        response(people[3], IN_PROGRESS, [True, False])  # en: one real answer

    with vecino.db.reading() as session:
        funnel = stats.survey_funnel(session)

    assert funnel == {("es", "sms"): (3, 1, 1), ("en", "sms"): (1, 1, 0)}
