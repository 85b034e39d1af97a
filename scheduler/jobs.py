"""The worker's jobs. Each is a module-level function (APScheduler stores a reference to it
in the job store), opens its own transaction through the process's services, and only puts
work in the outbox: the sender loop does the sending, with every send-time check. The one
exception is ``reply_sweep``: replies to residents, which a dead web process left unsent, go
out as replies (whatever the hour or the contact's standing, like the webhook would have).

Each enqueue carries a key unique to its purpose, so a job that runs twice (a misfire
coalesced late, a standby taking over) enqueues nothing twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.directory import followup
from bot.engine import Outbound
from bot.models import Contact, ConversationState
from bot.outbound import outbox, replies
from bot.outbound.pacing import Pacer
from bot.outbound.sender import Sender, SendReport
from bot.outreach import sending
from bot.retention import apply_retention
from bot.services import Vecino
from bot.surveys.actions import RESPONSE_KEY

log = logging.getLogger(__name__)
# An unfinished survey is nudged once, about a day after the last answer; a conversation
# left longer than NUDGE_LOOKBACK beyond that is let go.
NUDGE_AFTER = timedelta(days=1)
NUDGE_LOOKBACK = timedelta(days=2)
NUDGE_EXPIRES = timedelta(days=2)
FOLLOWUP_EXPIRES = timedelta(days=2)
REPLY_SWEEP_BATCH = 50

_services: Vecino | None = None
_senders: tuple[dict[str, Sender], dict[str, Pacer]] | None = None


def use_services(vecino: Vecino | None) -> None:
    """Set by the worker at start: the services the jobs run with in this process."""
    global _services, _senders
    if _senders is not None:  # the sweep's Bot API client (its loop thread) goes with them
        for sender in _senders[0].values():
            close = getattr(sender, "close", None)
            if close is not None:
                close()
    _services = vecino
    _senders = None


def services() -> Vecino:
    global _services
    if _services is None:  # a job run by hand (python -c), outside a worker
        from bot.config import Settings
        from bot.services import build_services

        _services = build_services(Settings.from_env())
    return _services


def followup_scan() -> int:
    """Queue "did you get the help you needed?" for searches old enough; returns how many."""
    vecino = services()
    now = vecino.conversations.clock()
    queued = 0
    with vecino.db.transaction() as session:
        for search_id, contact in followup.due_searches(
            session, now, vecino.settings.followup_after
        ):
            queued += outbox.enqueue(
                session,
                contact,
                reason="followup",
                key=f"followup:search:{search_id}",
                now=now,
                flow_id=followup.FLOW,
                params={followup.SEARCH_PARAM: search_id},
                expires_at=now + FOLLOWUP_EXPIRES,
            )
    log.info("follow-up scan: %d queued", queued)
    return queued


def survey_nudge_scan() -> int:
    """Queue one nudge for each survey left unfinished about a day ago; returns how many."""
    vecino = services()
    now = vecino.conversations.clock()
    resumable = [flow.id for flow in vecino.engine.flows if flow.on_expire is not None]
    queued = 0
    with vecino.db.transaction() as session:
        rows = session.execute(
            select(ConversationState, Contact)
            .join(Contact, Contact.id == ConversationState.contact_id)
            .where(
                ConversationState.flow_id.in_(resumable),
                ConversationState.step_id.is_not(None),
                ConversationState.updated_at <= now - NUDGE_AFTER,
                ConversationState.updated_at > now - NUDGE_AFTER - NUDGE_LOOKBACK,
                Contact.opted_out_at.is_(None),
                Contact.unreachable_at.is_(None),
            )
        ).all()
        for state, contact in rows:
            queued += outbox.enqueue(
                session,
                contact,
                reason="survey_nudge",
                key=f"survey_nudge:{contact.id}:{_attempt_id(state)}",
                now=now,
                flow_id=state.flow_id,
                params={"resume_step": f"{state.flow_id}/{state.step_id}"},
                expires_at=now + NUDGE_EXPIRES,
            )
    log.info("survey nudge scan: %d queued", queued)
    return queued


# ---- events (bot/outreach): reminders and change/cancel notices --------------------------


def event_scan() -> dict[str, int]:
    """Queue due event reminders (yes RSVPs only, never after the start) and the notices of a
    changed or cancelled event (once per SEQUENCE); returns how many of each."""
    vecino = services()
    now = vecino.conversations.clock()
    with vecino.db.transaction() as session:
        done = sending.scan(session, now)
    log.info("event scan: %s", done)
    return done


def housekeeping() -> dict[str, int]:
    """Expire overdue rows, take back claims of dead workers, prune old finished rows, and
    blank message text older than ``VECINO_RETENTION_DAYS``."""
    vecino = services()
    now = vecino.conversations.clock()
    with vecino.db.transaction() as session:
        kept = apply_retention(session, now, vecino.settings.retention_days)
        done = {
            "expired": outbox.expire_overdue(session, now),
            "taken_back": outbox.take_back_stale(session, now),
            "pruned": outbox.prune(session, now - vecino.settings.outbox_retention),
            "messages_blanked": kept.messages_blanked,
        }
    log.info("housekeeping: %s", done)
    return done


def reply_sweep() -> int:
    """Send the replies a dead web process stored but never sent (their lease ran out);
    returns how many were claimed. A redelivery of the same update may claim them first:
    whichever claims sends, the other finds nothing."""
    vecino = services()
    senders, pacers = _reply_senders(vecino)
    # The console sender only logs: a reply "sent" there would be recorded sent and lost.
    channels = [channel for channel, sender in senders.items() if sender.name != "console"]
    now = vecino.conversations.clock()
    with vecino.db.transaction() as session:
        claimed = replies.claim_abandoned(session, now, REPLY_SWEEP_BATCH, channels)
    for turn in claimed:
        sender = senders[turn.channel]
        pacer = pacers.get(sender.name)
        fates = replies.send_in_order(
            [reply for _, reply in turn.replies], _sending(sender, turn, pacer)
        )
        with vecino.db.transaction() as session:
            replies.record_claimed(session, [row_id for row_id, _ in turn.replies], fates)
    count = sum(len(turn.replies) for turn in claimed)
    log.info("reply sweep: %d reply(ies) left behind, sent again", count)
    return count


def _sending(
    sender: Sender, turn: replies.Abandoned, pacer: Pacer | None
) -> Callable[[Outbound], SendReport]:
    def send_one(reply: Outbound) -> SendReport:
        try:
            pace = pacer.take if pacer else None
            return sender.send_replies(turn.address, [reply], turn.language, pace)
        except Exception as error:  # an odd provider answer must not stop the sweep
            log.exception("sending a swept reply failed")
            return SendReport(error=type(error).__name__[:16])

    return send_one


def _reply_senders(vecino: Vecino) -> tuple[dict[str, Sender], dict[str, Pacer]]:
    global _senders
    if _senders is None:
        from bot.channels.senders import build_senders

        _senders = build_senders(vecino)
    return _senders


def _attempt_id(state: ConversationState) -> str:
    """The survey response being filled in (one nudge per response, ever)."""
    response = (state.data or {}).get(RESPONSE_KEY)
    if response is not None:
        return f"response:{response}"
    updated: datetime = state.updated_at
    return f"at:{updated.isoformat()}"
