"""The reminder plan: who gets which reminder when; notices once; never after the start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.outreach.plan import EventFacts, RsvpFacts, invitations, notices, promoted, reminders

STARTS = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
NOW = STARTS - timedelta(days=5)
EVENT = EventFacts(1, "scheduled", STARTS, 0, (1440, 120))
ANSWERED = NOW - timedelta(hours=1)


def _rsvp(contact_id: int, status: str, at: datetime = ANSWERED, promoted_at=None) -> RsvpFacts:  # type: ignore[no-untyped-def]
    return RsvpFacts(contact_id, status, at, promoted_at)


def test_only_yes_gets_reminders_a_day_and_two_hours_before():
    rsvps = [_rsvp(1, "yes"), _rsvp(2, "no"), _rsvp(3, "maybe"), _rsvp(4, "waitlist"),
             _rsvp(5, "cancelled"), _rsvp(6, "invited")]  # fmt: skip
    plan = reminders(EVENT, rsvps, NOW)
    assert [(s.contact_id, s.flow_id, s.params["minutes"], s.not_before) for s in plan] == [
        (1, "event_reminder", 1440, STARTS - timedelta(days=1)),
        (1, "event_reminder", 120, STARTS - timedelta(hours=2)),
    ]
    assert all(s.expires_at == STARTS for s in plan)  # never after the start
    assert plan[0].idempotency_key == "event:1:remind:1440:0:1"


def test_a_promoted_resident_is_reminded_like_any_yes():
    promoted_at = STARTS - timedelta(hours=3)  # after the day-before reminder was due
    plan = reminders(EVENT, [_rsvp(7, "yes", ANSWERED, promoted_at)], NOW)
    assert [s.params["minutes"] for s in plan] == [120]


def test_no_reminder_due_before_they_said_yes_and_none_after_the_start():
    late_yes = _rsvp(1, "yes", STARTS - timedelta(hours=1))
    assert reminders(EVENT, [late_yes], STARTS - timedelta(hours=1)) == []
    assert reminders(EVENT, [_rsvp(1, "yes")], STARTS) == []
    custom = EventFacts(1, "scheduled", STARTS, 0, (30,))
    assert [s.not_before for s in reminders(custom, [_rsvp(1, "yes")], NOW)] == [
        STARTS - timedelta(minutes=30)
    ]


def test_a_cancelled_event_has_no_reminders_and_tells_yes_once():
    cancelled = EventFacts(1, "cancelled", STARTS, 1, (1440, 120))
    rsvps = [_rsvp(1, "yes"), _rsvp(2, "no")]
    assert reminders(cancelled, rsvps, NOW) == []
    plan = notices(cancelled, rsvps, NOW)
    assert [(s.contact_id, s.flow_id, s.params) for s in plan] == [
        (1, "event_notice", {"event_id": 1, "kind": "cancelled"})
    ]
    # Computed again an hour later: the same key, so the outbox queues it once.
    again = notices(cancelled, rsvps, NOW + timedelta(hours=1))
    assert [s.idempotency_key for s in again] == [s.idempotency_key for s in plan]
    assert plan[0].idempotency_key == "event:1:cancelled:1:1"


def test_each_change_is_told_once_and_reminders_follow_the_new_time():
    assert notices(EVENT, [_rsvp(1, "yes")], NOW) == []  # never changed
    moved = EventFacts(1, "scheduled", STARTS + timedelta(hours=1), 2, (120,))
    [notice] = notices(moved, [_rsvp(1, "yes")], NOW)
    assert notice.params["kind"] == "changed"
    assert notice.idempotency_key == "event:1:changed:2:1"
    [reminder] = reminders(moved, [_rsvp(1, "yes")], NOW)
    assert reminder.not_before == STARTS - timedelta(hours=1)
    assert reminder.idempotency_key == "event:1:remind:120:2:1"  # a new key after a change
    assert notices(moved, [_rsvp(1, "yes")], moved.starts_at) == []


def test_invitations_and_promotions():
    plan = invitations(EVENT, [3, 4], NOW)
    assert [(s.contact_id, s.params, s.idempotency_key) for s in plan] == [
        (3, {"event_id": 1}, "event:1:invite:3"),
        (4, {"event_id": 1}, "event:1:invite:4"),
    ]
    assert plan[0].expires_at == STARTS - timedelta(hours=1)
    assert invitations(EVENT, [3], STARTS - timedelta(minutes=30)) == []
    assert invitations(EventFacts(1, "cancelled", STARTS, 1), [3], NOW) == []
    [start] = promoted(EVENT, 9, NOW)
    assert (start.flow_id, start.idempotency_key) == ("event_promoted", "event:1:promoted:9")
    assert promoted(EVENT, 9, STARTS) == []
