"""Quiet hours and backoff: pure rules, no database."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from bot.outbound.policy import MAX_ATTEMPTS, RETRY_CAP, QuietHours, retry_delay

LA = "America/Los_Angeles"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_the_default_window_follows_the_federal_8am_9pm_rule():
    quiet = QuietHours.parse("21:00-08:00", LA)
    assert quiet is not None
    # 2026-11-24 is PST (UTC-8): 20:59 local is allowed, 21:00 is not, 08:00 is again.
    assert not quiet.contains(utc(2026, 11, 25, 4, 59))
    assert quiet.contains(utc(2026, 11, 25, 5, 0))
    assert quiet.contains(utc(2026, 11, 25, 15, 59))
    assert not quiet.contains(utc(2026, 11, 25, 16, 0))


def test_a_message_in_quiet_hours_is_deferred_to_the_next_allowed_minute():
    quiet = QuietHours.parse("21:00-08:00", LA)
    assert quiet is not None
    late = utc(2026, 11, 25, 6, 30)  # 22:30 local
    assert quiet.next_allowed(late) == utc(2026, 11, 25, 16, 0)  # 08:00 local
    early = utc(2026, 11, 25, 12, 0)  # 04:00 local, same morning
    assert quiet.next_allowed(early) == utc(2026, 11, 25, 16, 0)
    noon = utc(2026, 11, 25, 20, 0)
    assert quiet.next_allowed(noon) == noon


def test_the_night_daylight_saving_ends_still_wakes_at_8_local():
    quiet = QuietHours.parse("21:00-08:00", LA)
    assert quiet is not None
    # 2026-10-31 22:00 PDT (UTC-7); clocks fall back overnight; 08:00 PST is 16:00 UTC.
    assert quiet.next_allowed(utc(2026, 11, 1, 5, 0)) == utc(2026, 11, 1, 16, 0)


def test_stricter_states_and_no_quiet_hours():
    strict = QuietHours.parse("20:00-08:00", LA)
    assert strict is not None and strict.contains(utc(2026, 11, 25, 4, 30))  # 20:30 local
    assert QuietHours.parse("off", LA) is None
    with pytest.raises(ValueError, match="21:00-08:00"):
        QuietHours.parse("9pm to 8am", LA)


def test_backoff_grows_with_jitter_and_stays_capped():
    rng = random.Random(7)
    delays = [retry_delay(n, rng) for n in range(1, MAX_ATTEMPTS + 1)]
    assert timedelta(seconds=15) <= delays[0] <= timedelta(seconds=30)
    assert timedelta(seconds=60) <= delays[2] <= timedelta(seconds=120)
    assert all(d <= RETRY_CAP for d in delays)
    assert retry_delay(30, rng) <= RETRY_CAP
