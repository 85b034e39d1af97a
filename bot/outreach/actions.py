"""The actions event flows call: show an invitation, record an RSVP, "can't make it", WHEN.

An invitation is ``event_invitation`` started with ``params={"event_id": ...}`` (the outbox
does that per recipient). Which events a resident may answer lives in storage (open
invitations), not in the conversation, so a reply that arrives after the conversation timed
out, or after a second invitation, still finds its event; with two open, we ask which.
"""

from __future__ import annotations

from .. import contacts
from ..engine import ActionContext, ActionResult, Capabilities, Event, Inbound, Outbound
from ..engine import messages as engine_messages
from ..engine.actions import pick_language
from ..engine.answers import parse_answer
from ..engine.flows import Target
from ..engine.text import fold
from ..engine.types import TRIGGER_KEY
from . import comments, plan, store, votes
from . import messages as m
from .models import MAYBE, NO, WAITLIST, YES, Broadcast, CommentRound, OutreachEvent, Vote
from .present import calendar_url, card, short_label

EVENT_KEY = "event_id"  # the event an invitation (or a reminder) is about
CHOICES_KEY = "event_choices"  # event ids offered by number when a reply is ambiguous
PENDING_KEY = "event_pending"  # the answer waiting for "which event?"
ANSWER_KEY = "rsvp"  # where the flows save yes / no / maybe
PICK_KEY = "event_number"
RSVP_STEP = "rsvp"  # the invitation's question; late replies are read with its choices

CLOSED = {
    "cancelled": m.CLOSED_CANCELLED,
    "past": m.CLOSED_PAST,
    "unknown": m.CLOSED_UNKNOWN,
}
REPLIES = {YES: m.RSVP_YES, WAITLIST: m.RSVP_WAITLIST, NO: m.RSVP_NO}
# Whole messages that ask "when is it?"; the trigger also catches "when does X open", which is
# not about an event and goes to the menu as it did before.
WHEN_PHRASES = {
    "when", "when is it", "when is the event", "when is the meeting", "what time",
    "cuando", "cuando es", "cuando sera", "cuando es el evento", "a que hora", "a que hora es",
}  # fmt: skip


def register(capabilities: Capabilities) -> None:
    for name, action in (
        ("event_show", show),
        ("event_rsvp", rsvp),
        ("event_pick", pick),
        ("event_late_reply", late_reply),
        ("event_drop", drop),
        ("event_when", when_is_it),
        ("event_remind", remind),
        ("event_notice", notice),
        ("vote_show", vote_show),
        ("vote_cast", vote_cast),
        ("comment_begin", comment_begin),
        ("comment_save", comment_save),
        ("broadcast_show", broadcast_show),
        ("feedback_show", feedback_show),
        ("feedback_save", feedback_save),
        ("feedback_late", feedback_late),
        ("interview_check", interview_check),
        ("interview_accept", interview_accept),
    ):
        capabilities.actions[name] = action


def _say(context: ActionContext, message: str, **params: object) -> Outbound:
    return Outbound(context.gettext(message, **params))


def _card(context: ActionContext, event: OutreachEvent, with_calendar: bool = False) -> str:
    """The event in the resident's language; the calendar link only where it is news (the
    invitation), to keep reminders and WHEN answers to as few SMS segments as possible."""
    base = context.deps.settings.public_base_url
    url = calendar_url(base, event) if with_calendar else None
    return card(event, context.language, context.gettext, url)


def show(context: ActionContext) -> ActionResult:
    """The invitation: the event in the resident's language; marks the invitation open."""
    deps = context.deps
    event = store.get(deps.session, int(context.conversation.data.get(EVENT_KEY) or 0))
    reason = store.closed_reason(event, context.now)
    if reason is not None or event is None:
        return ActionResult(messages=[_say(context, CLOSED[reason or "unknown"])], outcome="closed")
    store.invite(deps.session, event, deps.contact.id, context.now)
    return ActionResult(messages=[Outbound(_card(context, event, with_calendar=True))])


def rsvp(context: ActionContext) -> ActionResult:
    """The resident answered yes / no / maybe: for which event? Then record it."""
    data = context.conversation.data
    wanted = data.get(ANSWER_KEY)
    session, contact = context.deps.session, context.deps.contact
    candidates = store.open_invitations(session, contact.id, context.now)
    event_id = data.get(EVENT_KEY)
    this_event_only = bool(context.step.args.get("this_event"))  # a reply to a reminder
    if event_id is not None and (this_event_only or len(candidates) <= 1):
        # The invitation in front of them (it may have closed since: they are told why).
        return _record(context, store.get(session, int(event_id)), str(wanted))
    if not candidates:
        # Asked again after answering (a maybe turning into a yes): the events they answered.
        # Not interview slots: a "none of these" there is a no on each, and a slot is booked
        # by its number from the offer, never by a stray "sí".
        candidates = store.upcoming_for(
            session, contact.id, context.now, (MAYBE, YES, NO), with_slots=False
        )
    if len(candidates) == 1:
        return _record(context, candidates[0], str(wanted))
    if not candidates:
        return ActionResult(messages=[_say(context, m.NO_UPCOMING)], outcome="closed")
    return _ask_which(context, candidates, m.WHICH_EVENT, str(wanted))


def _ask_which(
    context: ActionContext, events: list[OutreachEvent], question: str, wanted: str
) -> ActionResult:
    lines = [context.gettext(question)]
    lines += [f"{n}. {short_label(e, context.language)}" for n, e in enumerate(events, 1)]
    return ActionResult(
        messages=[Outbound("\n".join(lines))],
        data={CHOICES_KEY: [e.id for e in events], PENDING_KEY: wanted},
        outcome="which",
    )


def pick(context: ActionContext) -> ActionResult:
    """The number answered to "which event?"; out of the list, ask again."""
    data = context.conversation.data
    choices = list(data.get(CHOICES_KEY) or [])
    number = int(data.get(PICK_KEY) or 0)
    if not 1 <= number <= len(choices):
        return ActionResult(outcome="again")
    event = store.get(context.deps.session, int(choices[number - 1]))
    return _record(context, event, str(data.get(PENDING_KEY)))


def _record(context: ActionContext, event: OutreachEvent | None, wanted: str) -> ActionResult:
    deps = context.deps
    reason = store.closed_reason(event, context.now)
    if reason is not None or event is None:
        return ActionResult(messages=[_say(context, CLOSED[reason or "unknown"])], outcome="closed")
    outcome = store.answer(
        deps.session, event, deps.contact.id, wanted, "text", context.now,
        message_id=deps.inbound_message_id,
    )  # fmt: skip
    events = [Event("rsvp", {"event_id": event.id, "status": outcome.status})]
    if outcome.promoted is not None:
        events.append(_promoted_event(event, outcome.promoted.contact_id))
    result_data = {EVENT_KEY: event.id, CHOICES_KEY: None, PENDING_KEY: None}
    if outcome.status == MAYBE:
        return ActionResult(data=result_data, events=events, outcome="maybe")
    message = REPLIES.get(outcome.status, m.DROPPED) if outcome.changed else m.RSVP_SAME
    return ActionResult(messages=[_say(context, message)], data=result_data, events=events)


def _promoted_event(event: OutreachEvent, contact_id: int) -> Event:
    """For the caller: start ``event_promoted`` for this contact (through the outbox)."""
    return Event("waitlist_promoted", {"event_id": event.id, "contact_id": contact_id})


def late_reply(context: ActionContext) -> ActionResult:
    """An invitation answered after the conversation timed out: still an answer if it is one.

    A wake-up (no text) ends quietly; anything that is not yes / no / maybe gets the usual
    "welcome back" and the menu.
    """
    text = context.inbound.text
    if not text.strip():
        return ActionResult(goto=Target())  # a wake-up: nothing to say
    step = context.flow.steps[RSVP_STEP] if context.flow else None
    answer = parse_answer(step, Inbound(text), []) if step else None
    if answer is None or not answer.ok:
        back = _say(context, engine_messages.EXPIRED)
        return ActionResult(messages=[back], goto=Target(flow="main_menu"))
    return ActionResult(data={ANSWER_KEY: answer.value, EVENT_KEY: None}, outcome="answered")


def drop(context: ActionContext) -> ActionResult:
    """ "Can't make it": let go of a yes (or waitlist, or maybe) for an upcoming event."""
    session, contact = context.deps.session, context.deps.contact
    events = store.upcoming_for(session, contact.id, context.now, (YES, WAITLIST, MAYBE))
    if not events:
        return ActionResult(messages=[_say(context, m.NOTHING_TO_CHANGE)], outcome="none")
    if len(events) == 1:
        return _record(context, events[0], "cancelled")
    return _ask_which(context, events, m.WHICH_TO_DROP, "cancelled")


def when_is_it(context: ActionContext) -> ActionResult:
    """WHEN / ¿CUÁNDO ES?: date, place and link of their upcoming events again."""
    said = fold(str(context.conversation.data.get(TRIGGER_KEY) or ""))
    if said not in WHEN_PHRASES:
        return ActionResult(goto=Target(flow="main_menu"))
    session, contact = context.deps.session, context.deps.contact
    statuses = ("invited", YES, MAYBE, WAITLIST)
    events = store.upcoming_for(session, contact.id, context.now, statuses)
    if not events:
        return ActionResult(messages=[_say(context, m.NO_UPCOMING)])
    return ActionResult(messages=[Outbound(_card(context, event)) for event in events[:3]])


def _event_of(context: ActionContext) -> OutreachEvent | None:
    return store.get(context.deps.session, int(context.conversation.data.get(EVENT_KEY) or 0))


def remind(context: ActionContext) -> ActionResult:
    """A reminder: only to a yes, only before the start (else nothing at all is said)."""
    event = _event_of(context)
    rsvp = event and store.rsvp_of(context.deps.session, event.id, context.deps.contact.id)
    if store.closed_reason(event, context.now) or rsvp is None or rsvp.status != YES:
        return ActionResult(outcome="closed")
    assert event is not None
    text = f"{context.gettext(m.REMINDER)}\n{_card(context, event)}"
    return ActionResult(messages=[Outbound(text)])


def notice(context: ActionContext) -> ActionResult:
    """Tell a resident who said yes that the event changed, was cancelled, or has a seat now
    (``args: {kind: changed | cancelled | promoted}``, or the ``kind`` param)."""
    event = _event_of(context)
    if event is None:
        return ActionResult()
    kind = context.conversation.data.get("kind") or context.step.args.get("kind")
    header = {"cancelled": m.NOTICE_CANCELLED, "promoted": m.PROMOTED}.get(
        str(kind), m.NOTICE_CHANGED
    )
    text = f"{context.gettext(header)}\n{_card(context, event)}"
    return ActionResult(messages=[Outbound(text)])


# ---- votes ----------------------------------------------------------------------------------

VOTE_KEY = "vote_id"
VOTE_NUMBER_KEY = "vote_number"


def vote_show(context: ActionContext) -> ActionResult:
    """VOTAR / VOTE: the newest open vote they may cast, its question and numbered options;
    or "no vote open", or "this vote is not for you" when only such votes are open."""
    session = context.deps.session
    vote = votes.current_for(session, context.deps.contact.id)
    if vote is None:
        # Only votes for a group they are not in are open: say so, not "no vote".
        message = m.VOTE_NOT_ELIGIBLE if votes.current(session) else m.NO_VOTE
        return ActionResult(messages=[_say(context, message)], outcome="none")
    language = context.language
    lines = [vote.question(language)]
    lines += [f"{n}. {pick_language(o, language)}" for n, o in enumerate(vote.options, 1)]
    return ActionResult(messages=[Outbound("\n".join(lines))], data={VOTE_KEY: vote.id})


def vote_cast(context: ActionContext) -> ActionResult:
    """Record the number answered; out of range asks again, a closed vote says so."""
    session, contact = context.deps.session, context.deps.contact
    data = context.conversation.data
    vote = session.get(Vote, int(data.get(VOTE_KEY) or 0))
    number = int(data.get(VOTE_NUMBER_KEY) or 0)
    if vote is None or not vote.is_open:
        return ActionResult(messages=[_say(context, m.VOTE_CLOSED)])
    if not 1 <= number <= len(vote.options):
        return ActionResult(outcome="again")
    if not votes.eligible(session, vote, contact.id):  # untagged while they were choosing
        return ActionResult(messages=[_say(context, m.VOTE_NOT_ELIGIBLE)])
    _, changed = votes.cast(session, vote, contact.id, number, context.language, context.now)
    chosen = pick_language(vote.options[number - 1], context.language)
    message = m.VOTE_CHANGED if changed else m.VOTE_THANKS
    return ActionResult(messages=[_say(context, message, option=chosen)])


# ---- public comment -------------------------------------------------------------------------

ROUND_KEY = "comment_round"
COMMENT_KEY = "comment_text"
CONSENT_KEY = "comment_consent"


def comment_begin(context: ActionContext) -> ActionResult:
    """COMENTAR / COMMENT: name the item open for comment, or say none is."""
    found = comments.current(context.deps.session)
    if found is None:
        return ActionResult(messages=[_say(context, m.NO_COMMENT_ROUND)], outcome="none")
    text = context.gettext(m.COMMENT_ON, title=found.title(context.language))
    return ActionResult(messages=[Outbound(text)], data={ROUND_KEY: found.id})


def comment_save(context: ActionContext) -> ActionResult:
    """Keep the comment only with consent; without it nothing is stored."""
    data = context.conversation.data
    if data.get(CONSENT_KEY) is not True:
        return ActionResult(messages=[_say(context, m.COMMENT_NOT_SAVED)])
    session = context.deps.session
    found = session.get(CommentRound, int(data.get(ROUND_KEY) or 0))
    if found is None or not found.is_open:
        return ActionResult(messages=[_say(context, m.COMMENT_CLOSED)])
    text = str(data.get(COMMENT_KEY) or "")
    comments.submit(session, found, context.deps.contact.id, text, context.language, context.now)
    return ActionResult(messages=[_say(context, m.COMMENT_SAVED)])


# ---- broadcasts -----------------------------------------------------------------------------


def broadcast_show(context: ActionContext) -> ActionResult:
    """A text broadcast in the resident's language (params ``{broadcast_id}``); nothing when
    it was cancelled meanwhile."""
    found = context.deps.session.get(
        Broadcast, int(context.conversation.data.get("broadcast_id") or 0)
    )
    if found is None or found.status == "cancelled":
        return ActionResult()
    return ActionResult(messages=[Outbound(found.text(context.language))])


# ---- feedback after an event -----------------------------------------------------------------

FEEDBACK_KEY = "feedback"
FEEDBACK_STEP = "ask"  # the question; a late answer is read with its choices


def feedback_show(context: ActionContext) -> ActionResult:
    """Thank an attendee by the event's name, before "how useful was it?"; nothing at all for
    an event that is gone or cancelled, or for someone not marked present."""
    event = _event_of(context)
    session, contact = context.deps.session, context.deps.contact
    rsvp = event and store.rsvp_of(session, event.id, contact.id)
    if event is None or event.status == "cancelled" or rsvp is None or rsvp.attended_at is None:
        return ActionResult(outcome="closed")
    text = context.gettext(m.THANKS_FOR_COMING, title=event.title(context.language))
    return ActionResult(messages=[Outbound(text)])


def feedback_late(context: ActionContext) -> ActionResult:
    """An answer after the conversation timed out (the question went out at the end of an
    evening event; the answer comes the next morning): still an answer, if it is one and an
    attended event is waiting for it. Anything else gets the usual "welcome back" and menu."""
    text = context.inbound.text
    if not text.strip():
        return ActionResult(goto=Target())  # a wake-up: nothing to say
    step = context.flow.steps.get(FEEDBACK_STEP) if context.flow else None
    answer = parse_answer(step, Inbound(text), []) if step else None
    session, contact = context.deps.session, context.deps.contact
    event = store.awaiting_feedback(session, contact.id, context.now, plan.FEEDBACK_WINDOW)
    if answer is None or not answer.ok or event is None:
        back = _say(context, engine_messages.EXPIRED)
        return ActionResult(messages=[back], goto=Target(flow="main_menu"))
    return ActionResult(data={FEEDBACK_KEY: answer.value, EVENT_KEY: event.id}, outcome="answered")


def feedback_save(context: ActionContext) -> ActionResult:
    """Keep the answer (a later answer replaces it) and thank them."""
    data = context.conversation.data
    event = _event_of(context)
    if event is not None:
        store.save_feedback(
            context.deps.session, event.id, context.deps.contact.id,
            str(data.get(FEEDBACK_KEY)), context.language, context.now,
        )  # fmt: skip
    return ActionResult(messages=[_say(context, m.FEEDBACK_SAVED)])


# ---- interviews -------------------------------------------------------------------------------


def interview_check(context: ActionContext) -> ActionResult:
    """Ask "would you talk with us?" only of those who have not said yes already."""
    if contacts.has_tag(context.deps.session, context.deps.contact.id, contacts.INTERVIEW_OK):
        return ActionResult(outcome="asked_before")
    return ActionResult()


def interview_accept(context: ActionContext) -> ActionResult:
    """A yes: tag them ``interview-ok`` (organizers text those to pick a time)."""
    source = f"flow:{context.flow.id}" if context.flow else "flow"
    deps = context.deps
    contacts.add_tag(deps.session, deps.contact, contacts.INTERVIEW_OK, context.now, source)
    return ActionResult(messages=[_say(context, m.INTERVIEW_THANKS)])


__all__ = ["EVENT_KEY", "register"]
