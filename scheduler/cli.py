"""``vecino worker`` and ``vecino outbox status | retry-failed``."""

from __future__ import annotations

import signal
from types import FrameType

import click

from bot.config import Settings
from bot.outbound import outbox
from bot.services import build_services


@click.command("worker")
def worker_command() -> None:
    """Run the scheduler (one at a time) and the outbox sender until stopped."""
    from bot.app import configure_logging

    from .worker import Worker

    configure_logging()
    worker = Worker(build_services(Settings.from_env()))

    def stop(signum: int, frame: FrameType | None) -> None:
        worker.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    worker.run()


@click.group("outbox")
def outbox_group() -> None:
    """Messages Vecino starts (follow-ups, nudges, reminders)."""


@outbox_group.command("status")
def outbox_status() -> None:
    """Counts by status and reason, the next message due, and the send rate."""
    vecino = build_services(Settings.from_env())
    with vecino.db.transaction() as session:
        counts = outbox.counts(session)
        due = outbox.next_due(session)
    if not counts:
        click.echo("The outbox is empty.")
    for (status, reason), count in sorted(counts.items()):
        click.echo(f"{status:<11} {reason:<16} {count:>7}")
    click.echo(f"Next due: {due.isoformat(timespec='seconds') if due else '-'}")
    settings = vecino.settings
    click.echo(
        f"Send rate: {settings.send_rate:g} segment(s)/s per sender; "
        f"quiet hours {settings.quiet_hours} ({settings.timezone})"
    )
    vecino.db.dispose()


@outbox_group.command("retry-failed")
@click.option("--reason", help="Only messages queued for this reason (e.g. followup).")
def outbox_retry_failed(reason: str | None) -> None:
    """Put failed messages back in the queue, to be sent with every send-time check."""
    vecino = build_services(Settings.from_env())
    with vecino.db.transaction() as session:
        count = outbox.retry_failed(session, vecino.conversations.clock(), reason)
    click.echo(f"{count} message(s) queued again.")
    vecino.db.dispose()
