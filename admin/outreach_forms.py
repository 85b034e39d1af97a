"""Reading the events, broadcast and vote forms into the domain's values (``bot/outreach``).

The rules live in the domain (``store.check_draft``, ``broadcasts.check``); this module turns
what an organizer typed into those values and refuses input it cannot read, or that the domain
would refuse, with a sentence in the organizer's language (the domain's own messages are in
English, for the CLI). ``FormRefused`` carries that sentence back to the form.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from werkzeug.datastructures import MultiDict

from bot.outreach import broadcasts
from bot.outreach.models import KINDS, RSVP_STATUSES, Broadcast, OutreachEvent
from bot.outreach.store import EventDraft

from .context import gettext as _

ZIP = re.compile(r"^\d{5}$")
TAG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"  # what <input type=datetime-local> sends
LIMITS = {"title": 200, "place": 300, "link": 500, "text": 4000, "broadcast": 1600}
MAX_OPTIONS = 9


class FormRefused(ValueError):
    """Input refused; ``str(error)`` is already translated for the organizer."""


def text(form: MultiDict[str, str], name: str, limit: int) -> str | None:
    value = (form.get(name) or "").replace("\r\n", "\n").strip()
    if len(value) > limit:
        raise FormRefused(_("{field} is too long (at most {n} characters).", field=name, n=limit))
    return value or None


def local_time(raw: str | None, timezone: str) -> datetime | None:
    """``2026-12-01T18:00`` read in the organization's time zone; None when blank."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError as error:
        raise FormRefused(
            _("{value} is not a date and time (use YYYY-MM-DD HH:MM).", value=raw[:30])
        ) from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=ZoneInfo(timezone))


def local_input(value: datetime | None, timezone: str) -> str:
    """A stored time as ``datetime-local`` shows it, in the organization's time zone."""
    return value.astimezone(ZoneInfo(timezone)).strftime(LOCAL_FORMAT) if value else ""


def _integer(raw: str | None, name: str) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        raise FormRefused(_("{field} must be a whole number.", field=name))
    return int(raw)


# ---- events -----------------------------------------------------------------------------------


def event_draft(form: MultiDict[str, str], timezone: str, now: datetime) -> EventDraft:
    """The event form as an ``EventDraft``; the domain checks it again when it is stored."""
    kind = form.get("kind", "")
    if kind not in KINDS:
        raise FormRefused(_("Choose what kind of event this is."))
    title_es = text(form, "title_es", LIMITS["title"])
    if not title_es:
        raise FormRefused(
            _(
                "The Spanish title is required: every resident reads the event in their own "
                "language, and most read Spanish."
            )
        )
    title_en = text(form, "title_en", LIMITS["title"])
    if not title_en:
        raise FormRefused(_("The English title is required."))
    starts = local_time(form.get("starts"), timezone)
    if starts is None:
        raise FormRefused(_("Give the date and time the event starts."))
    ends = local_time(form.get("ends"), timezone)
    if ends is not None and ends <= starts:
        raise FormRefused(_("The event must end after it starts."))
    place, link = text(form, "place", LIMITS["place"]), text(form, "link", LIMITS["link"])
    if not (place or link):
        raise FormRefused(_("Give a place (an address), a video link, or both."))
    if link and not link.startswith(("https://", "http://")):
        raise FormRefused(_("A video link must start with https:// or http://."))
    capacity = _integer(form.get("capacity"), _("Capacity"))
    if capacity is not None and capacity < 1:
        raise FormRefused(_("Capacity must be at least 1 (or leave it empty for no limit)."))
    return EventDraft(
        kind=kind,
        title_en=title_en,
        title_es=title_es,
        starts_at=starts,
        ends_at=ends,
        timezone=timezone,
        description_en=text(form, "description_en", LIMITS["text"]),
        description_es=text(form, "description_es", LIMITS["text"]),
        place=place,
        link=link,
        capacity=capacity,
        sms_details_en=text(form, "sms_details_en", LIMITS["text"]),
        sms_details_es=text(form, "sms_details_es", LIMITS["text"]),
        remind_minutes=reminders(form.get("remind", "")),
    )


def reminders(raw: str) -> tuple[int, ...]:
    """``1440, 120`` -> (1440, 120); empty means no reminders."""
    parts = [part.strip() for part in raw.replace(";", ",").split(",") if part.strip()]
    if not all(part.isdigit() and int(part) > 0 for part in parts):
        raise FormRefused(
            _("Reminders are minutes before the start, separated by commas (e.g. 1440, 120).")
        )
    return tuple(int(part) for part in parts)


def event_values(event: OutreachEvent | None, timezone: str) -> dict[str, Any]:
    """What the event form shows: the stored event, or the defaults for a new one."""
    if event is None:
        return {"kind": "town_hall", "remind": "1440, 120"}
    return {
        "kind": event.kind,
        "title_en": event.title_en,
        "title_es": event.title_es,
        "description_en": event.description_en or "",
        "description_es": event.description_es or "",
        "starts": local_input(event.starts_at, timezone),
        "ends": local_input(event.ends_at, timezone),
        "place": event.place or "",
        "link": event.link or "",
        "capacity": event.capacity or "",
        "remind": ", ".join(str(m) for m in event.remind_minutes or ()),
        "sms_details_en": event.sms_details_en or "",
        "sms_details_es": event.sms_details_es or "",
    }


# ---- broadcasts: the audience builder ---------------------------------------------------------


def supports(name: str) -> bool:
    """Whether ``broadcasts.audience`` knows the filter ``name`` (asked, not assumed: ``tag=``
    arrives with contact tags)."""
    try:
        broadcasts.audience([f"{name}=x"])
    except broadcasts.BroadcastError:
        return False
    return True


def _listed(raw: str | None) -> list[str]:
    return [part for part in re.split(r"[\s,;]+", (raw or "").strip().lower()) if part]


def audience_filters(form: MultiDict[str, str]) -> list[str]:
    """The builder's choices as the filter strings ``broadcasts.audience`` reads (AND)."""
    filters: list[str] = []
    languages = [v for v in form.getlist("lang") if v in ("es", "en")]
    if languages and len(languages) < 2:
        filters.append("lang=" + ",".join(languages))
    channels = [v for v in form.getlist("channel") if v in ("sms", "telegram")]
    if channels and len(channels) < 2:
        filters.append("channel=" + ",".join(channels))
    zips = _listed(form.get("zip"))
    if zips:
        if not all(ZIP.match(z) for z in zips):
            raise FormRefused(_("A ZIP code has 5 digits; separate several with commas."))
        filters.append("zip=" + ",".join(dict.fromkeys(zips)))
    tags = _listed(form.get("tag"))
    if tags:
        if not supports("tag"):
            raise FormRefused(_("Contact tags are not available yet."))
        if not all(TAG.match(t) for t in tags):
            raise FormRefused(_("A tag is lowercase letters, digits, - or _ (e.g. partner)."))
        filters.append("tag=" + ",".join(dict.fromkeys(tags)))
    rsvp_event = _integer(form.get("rsvp_event"), _("Event"))
    statuses = [s for s in form.getlist("rsvp_status") if s in RSVP_STATUSES]
    if rsvp_event is not None:
        if not statuses:
            raise FormRefused(_("Choose at least one RSVP answer for the event."))
        filters.append(f"rsvp:{rsvp_event}=" + ",".join(statuses))
    return filters


def builder_values(filters: list[str]) -> dict[str, Any]:
    """The builder's fields from filter strings, to show a draft again."""
    values: dict[str, Any] = {"lang": [], "channel": [], "rsvp_status": []}
    for item in filters:
        name, _sep, raw = item.partition("=")
        parts = raw.split(",")
        if name in ("lang", "channel"):
            values[name] = parts
        elif name in ("zip", "tag"):
            values[name] = ", ".join(parts)
        elif name.startswith("rsvp:"):
            values["rsvp_event"], values["rsvp_status"] = name[5:], parts
    return values


@dataclass
class BroadcastForm:
    """What the composer holds: the message, the audience and the time (None: now)."""

    event_id: int | None = None
    text_en: str | None = None
    text_es: str | None = None
    filters: list[str] = field(default_factory=list)
    send_at: datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "text_en": self.text_en,
            "text_es": self.text_es,
            "filters": self.filters,
            "send_at": self.send_at.isoformat() if self.send_at else None,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BroadcastForm:
        send_at = data.get("send_at")
        return cls(
            event_id=data.get("event_id"),
            text_en=data.get("text_en"),
            text_es=data.get("text_es"),
            filters=[str(f) for f in data.get("filters") or []],
            send_at=datetime.fromisoformat(send_at) if send_at else None,
        )

    def broadcast(self, now: datetime) -> Broadcast:
        return Broadcast(
            event_id=self.event_id,
            text_en=self.text_en,
            text_es=self.text_es,
            filters=list(self.filters),
            send_at=self.send_at or now,
        )


def broadcast_form(form: MultiDict[str, str], timezone: str, now: datetime) -> BroadcastForm:
    draft = BroadcastForm(filters=audience_filters(form))
    if form.get("content") == "event":
        draft.event_id = _integer(form.get("event_id"), _("Event"))
        if draft.event_id is None:
            raise FormRefused(_("Choose the event to invite people to."))
    else:
        draft.text_es = text(form, "text_es", LIMITS["broadcast"])
        draft.text_en = text(form, "text_en", LIMITS["broadcast"])
        if not (draft.text_es and draft.text_en):
            raise FormRefused(
                _("Write the message in Spanish and in English: each resident gets their own.")
            )
    if form.get("when") == "at":
        draft.send_at = local_time(form.get("send_at"), timezone)
        if draft.send_at is None:
            raise FormRefused(_("Give the date and time to send it, or choose Send now."))
        refuse_past(draft.send_at, now, timezone)
    return draft


def refuse_past(send_at: datetime, now: datetime, timezone: str) -> None:
    # The same minute of grace as broadcasts.check, which refuses it again at confirmation.
    if send_at < now - timedelta(minutes=1):
        shown = local_input(now, timezone).replace("T", " ")
        raise FormRefused(
            _(
                "That time has already passed (it is now {now}). Choose a time in the future, "
                "or Send now.",
                now=shown,
            )
        )


# ---- votes -----------------------------------------------------------------------------------


def vote_values(form: MultiDict[str, str]) -> tuple[str, str, list[dict[str, str]]]:
    question_en = text(form, "question_en", LIMITS["text"]) or ""
    question_es = text(form, "question_es", LIMITS["text"]) or ""
    if not question_es or not question_en:
        raise FormRefused(_("Write the question in Spanish and in English."))
    options = []
    for english, spanish in zip(form.getlist("option_en"), form.getlist("option_es"), strict=False):
        english, spanish = english.strip()[:200], spanish.strip()[:200]
        if not (english or spanish):
            continue
        if not (english and spanish):
            raise FormRefused(_("Each option needs its Spanish and its English wording."))
        options.append({"en": english, "es": spanish})
    if not 2 <= len(options) <= MAX_OPTIONS:
        raise FormRefused(_("A vote needs between 2 and {n} options.", n=MAX_OPTIONS))
    return question_en, question_es, options
