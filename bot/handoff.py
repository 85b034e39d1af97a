"""Talking to a person: a resident asks, the bot pauses for them, staff answer from the admin
view through the outbox, then hand the resident back to the bot.

Two records say where a handoff stands, and they are opened and closed together:

- ``HANDOFF_KEY`` in the conversation's data, which the engine reads: while it is there the
  bot is paused (ordinary messages are stored for staff and get no answer; a crisis still gets
  the lines at once, STOP still opts out, HELP still answers, MENU takes the bot back);
- an open staff flag with reason ``handoff``, which the admin view lists (the flags queue and
  the conversations page's "waiting for a person").

``request`` (the ``handoff_request`` flow action) opens both; ``hand_back`` (staff) and
``close_flags`` (the engine's ``handoff_ended`` event: the resident wrote MENU or STOP) close
them. Staff replies are outbox rows (``queue_reply``), so they obey what every message Vecino
sends obeys: opt-out and reachability at send time, the send rate, delivery receipts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import contacts
from .engine import HANDOFF_KEY, ActionContext, ActionResult, Capabilities, Event, Outbound
from .engine.actions import Translator
from .engine.messages import N_
from .i18n import local_pattern, local_time
from .models import Contact, OutboxMessage, StaffFlag
from .outbound import outbox
from .outbound.policy import HANDED_BACK, STAFF_REPLY, QuietHours, answers_at_once
from .segments import count_segments

if TYPE_CHECKING:
    from .action_deps import ActionDeps
    from .config import Settings

REASON = "handoff"  # the staff flag's reason
ACTION = "handoff_request"
PREDICATE = "handoff_ready"
# A reply longer than this is refused: Twilio takes 1,600 characters at most, and ten SMS
# segments is already a letter, not a text.
MAX_REPLY_CHARACTERS = 1600
MAX_REPLY_SEGMENTS = 10
SMS_CHANNELS = ("sms", "whatsapp")
# Staff answer "within N hours" only when at least this much of the day is left; later than
# that the resident is told when the team is next in.
ANSWER_MARGIN = timedelta(hours=1)

OPEN = N_(
    "A person from {program} will answer you here, usually within {hours} hours. You can "
    "write your question now. Reply MENU to go back to the bot."
)
OPEN_HOUR = N_(
    "A person from {program} will answer you here, usually within an hour. You can write "
    "your question now. Reply MENU to go back to the bot."
)
LATER = N_(
    "A person from {program} will answer you here {when}. You can write your question now. "
    "Reply MENU to go back to the bot."
)
WHEN_TODAY = N_("today after {time}")
WHEN_TOMORROW = N_("tomorrow after {time}")
WHEN_WEEKDAY = N_("on {weekday} after {time}")
# Sent when staff hand the resident back (if they tick "tell the resident").
BACK_TO_BOT = N_("You are back with the {program} bot. Reply MENU to see the options.")

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class StaffHours:
    """When staff answer residents, in local time: ``mon-fri 09:00-17:00``."""

    days: frozenset[int]  # 0 is Monday
    start: time
    end: time
    zone: ZoneInfo

    @classmethod
    def parse(cls, spec: str, timezone: str) -> StaffHours:
        """``"mon-fri 09:00-17:00"``, ``"mon,wed,sat 10:00-14:00"``, or ``"09:00-17:00"``
        (every day)."""
        match = re.fullmatch(
            r"\s*(?:([a-z,\-]+)\s+)?(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*", spec.lower()
        )
        if match is None:
            raise ValueError(f"VECINO_STAFF_HOURS must look like mon-fri 09:00-17:00, not {spec!r}")
        days_spec, h1, m1, h2, m2 = match.groups()
        start, end = time(int(h1), int(m1)), time(int(h2), int(m2))
        if start >= end:
            raise ValueError(f"VECINO_STAFF_HOURS: the day must end after it starts ({spec!r})")
        return cls(_days(days_spec or "mon-sun", spec), start, end, ZoneInfo(timezone))

    def next_open(self, moment: datetime) -> datetime:
        """``moment`` when staff are in and have ``ANSWER_MARGIN`` left, else the next opening."""
        local = moment.astimezone(self.zone)
        for offset in range(8):
            day = (local + timedelta(days=offset)).date()
            if day.weekday() not in self.days:
                continue
            opens = datetime.combine(day, self.start, tzinfo=self.zone)
            closes = datetime.combine(day, self.end, tzinfo=self.zone)
            if local < opens:
                return opens.astimezone(moment.tzinfo)
            if local + ANSWER_MARGIN <= closes:
                return moment
        raise ValueError("VECINO_STAFF_HOURS names no day")  # unreachable: parse needs a day


def _days(spec: str, whole: str) -> frozenset[int]:
    days: set[int] = set()
    for part in spec.split(","):
        first, _, last = part.partition("-")
        if first not in WEEKDAYS or (last and last not in WEEKDAYS):
            raise ValueError(f"VECINO_STAFF_HOURS: unknown day in {whole!r} (use mon..sun)")
        a, b = WEEKDAYS.index(first), WEEKDAYS.index(last or first)
        days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    return frozenset(days)


def staff_hours(settings: Settings) -> StaffHours:
    return StaffHours.parse(settings.staff_hours, settings.timezone)


# ---- the resident's side (flow action and menu predicate) --------------------------------


def register(capabilities: Capabilities) -> None:
    capabilities.actions[ACTION] = request
    capabilities.predicates[PREDICATE] = handoff_ready


def handoff_ready(deps: ActionDeps | None) -> bool:
    """The menu offers a person unless this deployment turned it off (VECINO_HANDOFF=off)."""
    return deps is None or deps.settings.handoff_enabled


def request(context: ActionContext) -> ActionResult:
    """Flag staff, pause the bot, and tell the resident who will answer and when."""
    deps = context.deps
    flag = contacts.flag_for_staff(
        deps.session, deps.contact, REASON, context.now, message_id=deps.inbound_message_id
    )
    deps.session.flush()
    text = confirmation(context.translator, context.language, deps.settings, context.now)
    return ActionResult(
        messages=[Outbound(text)],
        data={HANDOFF_KEY: {"since": context.now.isoformat(), "flag_id": flag.id}},
        events=[Event("handoff_requested")],
    )


def confirmation(
    translator: Translator, language: str | None, settings: Settings, now: datetime
) -> str:
    """The resident's confirmation: answered within N hours, or when the team is next in."""
    program = settings.program_name
    opens = staff_hours(settings).next_open(now)
    if opens == now:
        hours = settings.handoff_answer_hours
        if hours == 1:
            return translator.gettext(language, OPEN_HOUR, program=program)
        return translator.gettext(language, OPEN, program=program, hours=hours)
    when = _when(translator, language, settings.timezone, now, opens)
    return translator.gettext(language, LATER, program=program, when=when)


def _when(
    translator: Translator, language: str | None, tz: str, now: datetime, opens: datetime
) -> str:
    zone = ZoneInfo(tz)
    days = (opens.astimezone(zone).date() - now.astimezone(zone).date()).days
    at = local_time(opens, language, tz)
    if days == 0:
        return translator.gettext(language, WHEN_TODAY, time=at)
    if days == 1:
        return translator.gettext(language, WHEN_TOMORROW, time=at)
    weekday = local_pattern(opens.astimezone(zone), "EEEE", language)
    return translator.gettext(language, WHEN_WEEKDAY, weekday=weekday, time=at)


# ---- the staff side (the admin view calls these) -----------------------------------------


def is_paused(contact: Contact) -> bool:
    state = contact.conversation
    return state is not None and HANDOFF_KEY in (state.data or {})


def open_flags(session: Session, contact_id: int) -> list[StaffFlag]:
    return list(
        session.scalars(
            select(StaffFlag).where(
                StaffFlag.contact_id == contact_id,
                StaffFlag.reason == REASON,
                StaffFlag.resolved_at.is_(None),
            )
        )
    )


def close_flags(session: Session, contact_id: int, now: datetime) -> list[int]:
    """Resolve the contact's open handoff flags; returns their ids."""
    ids = [flag.id for flag in open_flags(session, contact_id)]
    contacts.resolve_flags(session, ids, now)
    return ids


def hand_back(session: Session, contact: Contact, now: datetime) -> list[int]:
    """Staff are done: un-pause the bot and resolve the handoff flags (ids returned).

    ``contact`` must be locked (``lock``), so a message arriving at the same moment runs its
    turn before or after this, never on a half-written state.
    """
    state = contact.conversation
    if state is not None and HANDOFF_KEY in (state.data or {}):
        state.data = {k: v for k, v in state.data.items() if k != HANDOFF_KEY}
    return close_flags(session, contact.id, now)


def lock(session: Session, contact_id: int) -> Contact | None:
    """The contact, locked for the transaction as an inbound turn locks it."""
    return session.scalars(
        select(Contact)
        .where(Contact.id == contact_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()


@dataclass(frozen=True)
class Refusal:
    """Why a staff reply cannot be sent; ``code`` picks the admin view's message."""

    code: str  # empty, too_long, too_many_segments, opted_out, unreachable
    limit: int = 0


def check_reply(contact: Contact, text: str) -> Refusal | None:
    """Refuse what cannot or must not go out, before it reaches the outbox."""
    if not text.strip():
        return Refusal("empty")
    if len(text) > MAX_REPLY_CHARACTERS:
        return Refusal("too_long", MAX_REPLY_CHARACTERS)
    if contact.channel in SMS_CHANNELS and count_segments(text).segments > MAX_REPLY_SEGMENTS:
        return Refusal("too_many_segments", MAX_REPLY_SEGMENTS)
    if contact.opted_out_at is not None:
        return Refusal("opted_out")
    if contact.unreachable_at is not None:
        return Refusal("unreachable")
    return None


@dataclass(frozen=True)
class Queued:
    row_id: int | None  # None: this form was sent before (a double click); nothing new queued
    not_before: datetime  # when it may go (later than now during quiet hours)


def queue_reply(
    session: Session,
    contact: Contact,
    text: str,
    now: datetime,
    *,
    token: str,
    staff_user_id: int | None,
    quiet: QuietHours | None,
) -> Queued:
    """Put a staff member's reply in the outbox (``check_reply`` first). ``token`` comes from
    the form, so sending the same form twice queues one message."""
    return _queue(session, contact, STAFF_REPLY, text.strip(), now, token, staff_user_id, quiet)


def queue_back_to_bot_notice(
    session: Session,
    contact: Contact,
    translator: Translator,
    settings: Settings,
    now: datetime,
    *,
    token: str,
    quiet: QuietHours | None,
) -> Queued | None:
    """Tell the resident the bot answers again; None when they cannot receive it."""
    if not contacts.may_receive(contact):
        return None
    text = translator.gettext(contact.language, BACK_TO_BOT, program=settings.program_name)
    return _queue(session, contact, HANDED_BACK, text, now, token, None, quiet)


def _queue(
    session: Session,
    contact: Contact,
    reason: str,
    text: str,
    now: datetime,
    token: str,
    staff_user_id: int | None,
    quiet: QuietHours | None,
) -> Queued:
    # What the dispatcher will decide, said now so the page can tell staff when it goes.
    not_before = now
    if quiet is not None and not answers_at_once(reason, contact.last_seen_at, now):
        not_before = quiet.next_allowed(now)
    key = f"{reason}:{contact.id}:{token}"
    params = {"staff_user_id": staff_user_id} if staff_user_id is not None else None
    new = outbox.enqueue(
        session, contact, reason=reason, key=key, now=now, messages=[Outbound(text)],
        params=params, not_before=not_before,
    )  # fmt: skip
    if not new:
        return Queued(None, not_before)
    row_id = session.scalar(select(OutboxMessage.id).where(OutboxMessage.idempotency_key == key))
    return Queued(row_id, not_before)
