"""The actions of ``flows/interview_slots.yaml``: offer a group's open slots, book one by its
number, "none of these", and a late reply after the conversation timed out.

Started through the outbox with ``params={"slot_group": ...}`` (``vecino broadcasts send
--slots GROUP``). Which slot a number means is the list the resident was shown (kept in the
conversation); whether it is still free is decided in storage, under a lock, at booking time.
"""

from __future__ import annotations

from .. import contacts
from ..engine import ActionContext, ActionResult, Capabilities, Event, Outbound
from ..engine import messages as engine_messages
from ..engine.answers import number_in
from ..engine.flows import Target
from ..engine.text import fold
from . import messages as m
from . import slots, store
from .models import YES, OutreachEvent
from .present import calendar_url, card, short_when

GROUP_KEY = "slot_group"  # the group offered (the flow's start param)
CHOICES_KEY = "slot_choices"  # the slot ids shown, in the order numbered
REPLY_KEY = "slot_reply"  # what the resident answered to "which time?"
# Whole replies meaning "none of these times" (a number 0, "ninguno", is read as none too).
NONE_WORDS = {
    "none", "no", "nope", "neither", "none of them", "none of those", "none work",
    "ninguno", "ninguna", "ningun", "nada", "no puedo", "ninguno me funciona",
    "ninguno me queda", "ninguna me funciona", "no me funciona ninguno",
}  # fmt: skip


def register(capabilities: Capabilities) -> None:
    for name, action in (
        ("slots_show", show),
        ("slots_book", book),
        ("slots_decline", decline),
        ("slots_late_reply", late_reply),
    ):
        capabilities.actions[name] = action


def _say(context: ActionContext, message: str, **params: object) -> Outbound:
    return Outbound(context.gettext(message, **params))


def _numbered(context: ActionContext, events: list[OutreachEvent]) -> list[str]:
    """``1. Tue Dec 1, 10:00 AM`` per slot; the place and link once when all slots share them."""
    lines = [f"{n}. {short_when(e, context.language)}" for n, e in enumerate(events, 1)]
    places, links = {e.place for e in events}, {e.link for e in events}
    if len(places) == 1 and (place := places.pop()):
        lines.append(context.gettext(m.WHERE, place=place))
    if len(links) == 1 and (link := links.pop()):
        lines.append(context.gettext(m.ONLINE, link=link))
    return lines


def _group(context: ActionContext) -> str:
    return str(context.conversation.data.get(GROUP_KEY) or "")


def show(context: ActionContext) -> ActionResult:
    """The open slots, numbered; the booked one if they have it already. Nothing at all when
    none is open: a list of taken times would only be noise."""
    session, contact = context.deps.session, context.deps.contact
    group = _group(context)
    mine = slots.booked(session, group, contact.id, context.now)
    if mine is not None:
        text = f"{context.gettext(m.SLOT_ALREADY)}\n{_card(context, mine)}"
        return ActionResult(messages=[Outbound(text)], outcome="closed")
    events = slots.open_slots(session, group, context.now)
    if not events:
        return ActionResult(outcome="closed")
    first = events[0]
    minutes = int((first.ends_at - first.starts_at).total_seconds()) // 60
    lines = [first.title(context.language), context.gettext(m.SLOTS_HEADER, minutes=minutes)]
    lines += _numbered(context, events)
    return ActionResult(
        messages=[Outbound("\n".join(lines))], data={CHOICES_KEY: [e.id for e in events]}
    )


def _card(context: ActionContext, event: OutreachEvent, with_calendar: bool = False) -> str:
    url = calendar_url(context.deps.settings.public_base_url, event) if with_calendar else None
    return card(event, context.language, context.gettext, url)


def _means_none(text: str) -> bool:
    return fold(text) in NONE_WORDS or number_in(text) == 0


def book(context: ActionContext) -> ActionResult:
    """A number books that slot; taken meanwhile, the slots still open are offered instead.
    "None" goes to ``none``; anything else asks again."""
    deps, data = context.deps, context.conversation.data
    said = str(data.get(REPLY_KEY) or "")
    if _means_none(said):
        return ActionResult(outcome="none")
    choices = [int(i) for i in data.get(CHOICES_KEY) or []]
    number = number_in(said)
    if not isinstance(number, int) or not 1 <= number <= len(choices):
        return ActionResult(outcome="again")
    event = store.get(deps.session, choices[number - 1])
    if event is None:  # deleted since it was shown
        return _taken(context)
    booked = slots.book(deps.session, event, deps.contact.id, context.now, deps.inbound_message_id)
    if booked is None:
        return _taken(context)
    text = f"{context.gettext(m.SLOT_BOOKED)}\n{_card(context, event, with_calendar=True)}"
    return ActionResult(
        messages=[Outbound(text)],
        data={CHOICES_KEY: None},
        events=[Event("rsvp", {"event_id": event.id, "status": YES})],
    )


def _taken(context: ActionContext) -> ActionResult:
    """Someone took the slot first: offer what is left; when nothing is, a person will call."""
    deps = context.deps
    remaining = slots.open_slots(deps.session, _group(context), context.now)
    if not remaining:
        contacts.flag_for_staff(
            deps.session, deps.contact, slots.NO_SLOT_LEFT, context.now, deps.inbound_message_id
        )
        return ActionResult(
            messages=[_say(context, m.SLOTS_NONE_LEFT)], data={CHOICES_KEY: None}, outcome="closed"
        )
    text = "\n".join([context.gettext(m.SLOT_TAKEN), *_numbered(context, remaining)])
    return ActionResult(
        messages=[Outbound(text)], data={CHOICES_KEY: [e.id for e in remaining]}, outcome="taken"
    )


def decline(context: ActionContext) -> ActionResult:
    """None of the times fits: a no on each slot shown (the group is not offered to them
    again) and one staff flag, so a person can call to find another time."""
    deps, data = context.deps, context.conversation.data
    shown = [store.get(deps.session, int(i)) for i in data.get(CHOICES_KEY) or []]
    events = [e for e in shown if e is not None]
    slots.decline(deps.session, events, deps.contact.id, context.now, deps.inbound_message_id)
    contacts.flag_for_staff(
        deps.session, deps.contact, slots.NO_SLOT_FITS, context.now, deps.inbound_message_id
    )
    return ActionResult(messages=[_say(context, m.SLOTS_NONE_FIT)], data={CHOICES_KEY: None})


def late_reply(context: ActionContext) -> ActionResult:
    """A number or "none" after the conversation timed out still answers the offer (the list
    went out in the evening, the answer comes the next day); anything else gets the usual
    "welcome back" and the menu."""
    text = context.inbound.text
    if not text.strip():
        return ActionResult(goto=Target())  # a wake-up: nothing to say
    answers = _means_none(text) or isinstance(number_in(text), int)
    if not context.conversation.data.get(CHOICES_KEY) or not answers:
        back = _say(context, engine_messages.EXPIRED)
        return ActionResult(messages=[back], goto=Target(flow="main_menu"))
    return ActionResult(data={REPLY_KEY: text}, outcome="answered")


__all__ = ["GROUP_KEY", "register"]
