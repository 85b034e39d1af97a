"""The worker process: the sender loop always, the scheduler while it holds the lock.

On PostgreSQL every worker sends (claims use ``SKIP LOCKED``, so they share the outbox and
none sends a row twice) and exactly one runs the scheduler; the others retry the lock every
``STANDBY_RETRY`` seconds and take over when its holder dies. On SQLite a worker that does not
hold the lock does nothing but wait: SQLite is one machine and one writer.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from datetime import UTC, datetime

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from bot.channels.senders import build_senders
from bot.outbound.dispatch import Dispatcher
from bot.services import Vecino

from . import jobs
from .lock import SchedulerLock

log = logging.getLogger(__name__)
STANDBY_RETRY = 15.0  # seconds between a standby's tries for the lock: takes over within a minute
IDLE_POLL = 1.0  # seconds the sender loop sleeps when nothing is due
BATCH = 20

# Every job: coalesce=True, because a worker that was down for six intervals should scan once,
# not six times (a scan finds everything due however late it runs); misfire_grace_time one
# hour, so a run missed by less than that still happens when the worker comes back, and an
# older one is dropped in favour of the next regular run, which does the same work;
# max_instances=1, so a slow scan is never run twice at once.
JOB_DEFAULTS = {"coalesce": True, "misfire_grace_time": 3600, "max_instances": 1}
JOBS = (
    # (id, function, interval in minutes)
    ("followup_scan", jobs.followup_scan, 5),
    ("survey_nudge_scan", jobs.survey_nudge_scan, 15),
    ("event_scan", jobs.event_scan, 5),
    ("housekeeping", jobs.housekeeping, 60),
    # Replies a killed web process left unsent: out within a lease plus a minute.
    ("reply_sweep", jobs.reply_sweep, 1),
)


class Worker:
    def __init__(self, vecino: Vecino, name: str | None = None) -> None:
        self.vecino = vecino
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.lock = SchedulerLock(vecino.db.engine)
        self.stopping = threading.Event()
        self.scheduler: BackgroundScheduler | None = None
        senders, pacers = build_senders(vecino)
        self.dispatcher = Dispatcher(
            vecino.db,
            vecino.engine,
            vecino.settings,
            senders,
            pacers,
            self.name,
            vecino.conversations.clock,
            # One call in flight (the default) means at most one message sent twice when a
            # worker is killed mid-send; more threads raise throughput (a short code's 100/s)
            # and the worst case to that many.
            concurrency=vecino.settings.send_threads,
        )

    @property
    def leading(self) -> bool:
        return self.scheduler is not None

    def run(self) -> None:
        """Until ``stop()``: lead when the lock is free, send whenever allowed."""
        jobs.use_services(self.vecino)
        log.info("worker %s starting", self.name)
        try:
            self._try_to_lead()
            next_try = 0.0
            while not self.stopping.is_set():
                if not self.leading and time.monotonic() >= next_try:
                    self._try_to_lead()
                    next_try = time.monotonic() + STANDBY_RETRY
                may_send = self.leading or not self.vecino.db.is_sqlite
                claimed = self.dispatcher.run_once(BATCH) if may_send else 0
                if claimed == 0:
                    self.stopping.wait(IDLE_POLL if may_send else STANDBY_RETRY)
        finally:
            self._step_down()
            log.info("worker %s stopped", self.name)

    def stop(self) -> None:
        self.stopping.set()

    def _try_to_lead(self) -> None:
        if not self.lock.try_acquire():
            log.info("worker %s on standby: another worker runs the scheduler", self.name)
            return
        scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=self.vecino.db.engine)},
            job_defaults=JOB_DEFAULTS,
            timezone="UTC",
        )
        for job_id, function, minutes in JOBS:
            # First run at once: a new leader catches up on whatever its predecessor left
            # (each scan is idempotent), then every ``minutes``.
            scheduler.add_job(
                function,
                "interval",
                minutes=minutes,
                id=job_id,
                replace_existing=True,
                next_run_time=datetime.now(UTC),
            )
        scheduler.start()
        self.scheduler = scheduler
        log.info("worker %s runs the scheduler", self.name)

    def _step_down(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=True)
            self.scheduler = None
        self.lock.release()


def start_embedded(vecino: Vecino) -> tuple[Worker, threading.Thread]:
    """One worker in a daemon thread, for ``vecino run`` (development, small deployments)."""
    worker = Worker(vecino, name=f"embedded:{os.getpid()}")
    thread = threading.Thread(target=worker.run, name="vecino-worker", daemon=True)
    thread.start()
    return worker, thread
