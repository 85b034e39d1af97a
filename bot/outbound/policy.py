"""The rules every message Vecino starts obeys at send time: quiet hours, expiry, retries.

Checked when the message is about to go out, not only when it was queued: a resident who
opted out an hour after a broadcast was planned hears nothing, and a reminder that waited
through the night for quiet hours to end is not sent after its event.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

# Exponential backoff for retryable errors (429, 5xx, timeouts, Twilio 30003).
RETRY_BASE = timedelta(seconds=30)
RETRY_CAP = timedelta(hours=1)
MAX_ATTEMPTS = 6
# A contact busy in another flow: look again after this long.
BUSY_RETRY = timedelta(minutes=5)

# Outbox reasons that answer a resident who asked for a person (``bot.handoff``): a staff
# member's reply, and the notice that the bot answers again.
STAFF_REPLY = "staff_reply"
HANDED_BACK = "handed_back"
# Quiet hours keep Vecino from waking people with messages they did not ask for. A person's
# answer to a resident who wrote within this window is a reply in a live conversation, like
# the bot's own replies, and goes at once; an answer to someone who went quiet earlier waits
# for the morning like everything else.
LIVE_CONVERSATION = timedelta(hours=2)


def answers_at_once(reason: str, last_seen_at: datetime | None, now: datetime) -> bool:
    """Whether a row may go during quiet hours: a direct answer in a live conversation."""
    if reason not in (STAFF_REPLY, HANDED_BACK) or last_seen_at is None:
        return False
    return now - last_seen_at <= LIVE_CONVERSATION


@dataclass(frozen=True)
class QuietHours:
    """A daily window, in local time, when nothing Vecino starts is sent.

    ``21:00-08:00`` (the default) follows the federal TCPA rule (no calls or texts before
    8 am or after 9 pm at the recipient's location). Some states are stricter (Florida,
    Oklahoma and Washington: 8 am to 8 pm), so deployments there set ``20:00-08:00``.
    """

    start: time
    end: time
    zone: ZoneInfo

    @classmethod
    def parse(cls, spec: str, timezone: str) -> QuietHours | None:
        """``"21:00-08:00"``; an empty spec or ``off`` means no quiet hours."""
        spec = spec.strip().lower()
        if spec in ("", "off", "none"):
            return None
        match = re.fullmatch(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})", spec)
        if match is None:
            raise ValueError(f"VECINO_QUIET_HOURS must look like 21:00-08:00, not {spec!r}")
        h1, m1, h2, m2 = (int(part) for part in match.groups())
        return cls(time(h1, m1), time(h2, m2), ZoneInfo(timezone))

    def contains(self, moment: datetime) -> bool:
        local = moment.astimezone(self.zone).time().replace(tzinfo=None)
        if self.start <= self.end:  # a window inside one day, e.g. 13:00-14:00
            return self.start <= local < self.end
        return local >= self.start or local < self.end  # across midnight

    def next_allowed(self, moment: datetime) -> datetime:
        """``moment`` itself when outside quiet hours, else the first minute after them.

        Computed in local wall time, so it lands on 08:00 whatever daylight saving did overnight.
        """
        if not self.contains(moment):
            return moment
        local = moment.astimezone(self.zone)
        end = local.replace(hour=self.end.hour, minute=self.end.minute, second=0, microsecond=0)
        if end <= local:
            end += timedelta(days=1)
        # Re-attach the zone after the date arithmetic so the UTC offset is the new day's.
        end = datetime.combine(end.date(), self.end, tzinfo=self.zone)
        return end.astimezone(moment.tzinfo)


def retry_delay(attempts: int, rng: random.Random | None = None) -> timedelta:
    """Backoff after ``attempts`` tries: 30 s, 1 min, 2 min, ... up to an hour, with jitter
    (50-100 %) so that many messages refused together do not come back together."""
    base = min(RETRY_BASE * (2 ** max(attempts - 1, 0)), RETRY_CAP)
    factor = 0.5 + (rng or random).random() / 2
    return base * factor
