"""The sender loop's work: claim due outbox rows, check them at send time, send, record.

Each row goes through three short steps, so no transaction is open while a provider is
called: ``_prepare`` (checks; starts the flow through the engine when the row names one),
the provider call, ``_record`` (the outcome, the contact's standing, the sent messages).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from .. import contacts
from ..config import Settings
from ..conversations import Deps, conversation_of, save_turn
from ..db import Database
from ..engine import Engine, Outbound
from ..models import Contact, Message, OutboxMessage, utcnow
from . import outbox
from .pacing import Pacer
from .policy import BUSY_RETRY, MAX_ATTEMPTS, QuietHours, answers_at_once, retry_delay
from .sender import OPTED_OUT, Sender, SendReport
from .status import MessageStatus, OutboxStatus

log = logging.getLogger(__name__)
# A row whose params name a waiting step ("flow/step") wakes that conversation up
# (``Engine.resume``) instead of starting a flow, if it is still waiting there.
RESUME_PARAM = "resume_step"


@dataclass(frozen=True)
class Ready:
    """A claimed row that passed the checks: what to send, to whom."""

    row_id: int
    channel: str
    address: str
    language: str | None
    replies: list[Outbound]


class Dispatcher:
    """Sends due outbox rows through each channel's ``Sender``, at each sender's rate."""

    def __init__(
        self,
        db: Database,
        engine: Engine,
        settings: Settings,
        senders: Mapping[str, Sender],
        pacers: Mapping[str, Pacer],
        worker: str,
        clock: Callable[[], datetime] = utcnow,
        rng: random.Random | None = None,
        lease: timedelta = outbox.LEASE,
        concurrency: int = 1,
    ) -> None:
        self.db = db
        self.engine = engine
        self.settings = settings
        self.senders = senders
        self.pacers = pacers
        self.worker = worker
        self.clock = clock
        self.rng = rng or random.Random()
        self.lease = lease
        # Provider calls take most of a send's time; a few in flight keep a fast rate (the
        # pacer, shared by the threads, still holds it). Rows of one batch may then go out in
        # any order: none depends on another.
        self.pool = ThreadPoolExecutor(concurrency) if concurrency > 1 else None
        self.quiet = QuietHours.parse(settings.quiet_hours, settings.timezone)

    def run_once(self, limit: int = 20) -> int:
        """Claim and handle up to ``limit`` due rows; returns how many were claimed."""
        with self.db.transaction() as session:
            ids = outbox.claim(session, self.worker, self.clock(), limit, self.lease)
        if self.pool is None:
            for row_id in ids:
                self.process(row_id)
        else:
            list(self.pool.map(self.process, ids))
        return len(ids)

    def process(self, row_id: int) -> None:
        ready = self._prepare(row_id)
        if ready is None:
            return
        sender = self.senders.get(ready.channel)
        if sender is None:
            report = SendReport(error=f"no sender for {ready.channel}")
        else:
            pacer = self.pacers.get(sender.name)
            try:
                report = sender.send_replies(
                    ready.address, ready.replies, ready.language, pacer.take if pacer else None
                )
            except Exception as error:  # a bug or an odd provider answer must not stop the loop
                log.exception("sending outbox row %s failed", row_id)
                report = SendReport(error=type(error).__name__[:200], retryable=True)
        self._record(ready, report)

    # ---- before the provider call ---------------------------------------------------

    def _prepare(self, row_id: int) -> Ready | None:
        with self.db.transaction() as session:
            row = session.get(OutboxMessage, row_id, with_for_update=True, populate_existing=True)
            if row is None or row.status != OutboxStatus.SENDING or row.claimed_by != self.worker:
                return None  # deleted, or taken back after our lease ran out
            contact = _lock(session, row.contact_id)
            now = self.clock()
            if contact is None:
                _finish(row, OutboxStatus.SUPPRESSED, now, "contact deleted")
                return None
            if row.expires_at is not None and now >= row.expires_at:
                _finish(row, OutboxStatus.EXPIRED, now, None)
                return None
            if not contacts.may_receive(contact):
                why = OPTED_OUT if contact.opted_out else "unreachable"
                _finish(row, OutboxStatus.SUPPRESSED, now, why)
                return None
            if (
                self.quiet is not None
                and self.quiet.contains(now)
                and not answers_at_once(row.reason, contact.last_seen_at, now)
            ):
                _defer(row, self.quiet.next_allowed(now), now, "quiet_hours")
                return None
            if row.payload is None and not self._start_flow(session, row, contact, now):
                return None
            replies = [Outbound.from_payload(item) for item in row.payload or []]
            if not replies:
                _finish(row, OutboxStatus.SUPPRESSED, now, "nothing to say")
                return None
            return Ready(row.id, row.channel, contact.address, contact.language, replies)

    def _start_flow(
        self, session: Session, row: OutboxMessage, contact: Contact, now: datetime
    ) -> bool:
        """Run the row's flow through the engine; False when it must wait or stop."""
        state, conversation = conversation_of(contact)
        deps = Deps(session, contact, self.settings, now)
        params = dict(row.params or {})
        resume_step = params.pop(RESUME_PARAM, None)
        if resume_step is None:
            turn = self.engine.start(conversation, row.flow_id or "", now, deps, params)
        elif resume_step == f"{conversation.flow_id}/{conversation.step_id}":
            turn = self.engine.resume(conversation, now, deps)
        else:  # the resident answered or left since the wake-up was planned: nothing to do
            _finish(row, OutboxStatus.SUPPRESSED, now, "moved on")
            return False
        kinds = {event.kind for event in turn.events}
        if "busy" in kinds:  # never interrupt a survey in progress: look again soon
            _defer(row, now + BUSY_RETRY, now, "busy")
            return False
        if "suppressed" in kinds:
            _finish(row, OutboxStatus.SUPPRESSED, now, OPTED_OUT)
            return False
        save_turn(session, contact, state, turn, now)
        row.payload = [message.to_payload() for message in turn.messages]
        return True

    # ---- after the provider call ----------------------------------------------------

    def _record(self, ready: Ready, report: SendReport) -> None:
        with self.db.transaction() as session:
            row = session.get(OutboxMessage, ready.row_id, with_for_update=True)
            if row is None:
                return
            now = self.clock()
            row.attempts += 1
            # Pieces that went out are recorded even when a later piece failed; a retry then
            # sends the whole message again (only a long message split in two can hit this).
            for provider_id, text in report.delivered:
                session.add(_sent_message(row, provider_id, text, now))
            if report.ok:
                row.provider_id = next((pid for pid, _ in report.delivered if pid), None)
                row.sent_at = now
                _finish(row, OutboxStatus.SENT, now, None)
                return
            row.error_code = report.error_code
            contact = _lock(session, row.contact_id)
            if report.blocked and contact is not None:
                contacts.opt_out(contact, now, reason=report.error_code or report.error or "")
            elif report.unreachable and contact is not None:
                contacts.mark_unreachable(contact, now, reason=report.error_code or "")
            elif report.retryable and row.attempts < MAX_ATTEMPTS:
                delay = retry_delay(row.attempts, self.rng)
                if report.retry_after is not None:
                    delay = max(delay, timedelta(seconds=report.retry_after))
                _defer(row, now + delay, now, report.error)
                return
            _finish(row, OutboxStatus.FAILED, now, report.error)


def _lock(session: Session, contact_id: int) -> Contact | None:
    return session.scalars(
        select(Contact)
        .where(Contact.id == contact_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one_or_none()


def _finish(row: OutboxMessage, status: str, now: datetime, error: str | None) -> None:
    row.status = status
    row.last_error = error[:200] if error else row.last_error
    row.claimed_by = None
    row.lease_until = None
    row.updated_at = now


def _defer(row: OutboxMessage, until: datetime, now: datetime, why: str | None) -> None:
    """Back to the queue until ``until``: deferred, never dropped."""
    row.status = OutboxStatus.PENDING
    row.not_before = until
    row.last_error = why[:200] if why else None
    row.claimed_by = None
    row.lease_until = None
    row.updated_at = now


def _sent_message(row: OutboxMessage, provider_id: str | None, text: str, now: datetime) -> Message:
    return Message(
        contact_id=row.contact_id,
        channel=row.channel,
        direction="out",
        provider_id=provider_id,
        body=text,
        status=MessageStatus.SENT,
        outbox_id=row.id,
        created_at=now,
        updated_at=now,
    )
