"""``vecino retention apply`` and ``vecino contacts forget``: the commands over
``bot.retention``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from .models import Contact
from .privacy import mask_address
from .retention import apply_retention, forget_contact


@click.group("retention", cls=AppGroup)
def retention_group() -> None:
    """How long residents' words are kept (VECINO_RETENTION_DAYS)."""


@retention_group.command("apply")
@click.option("--days", type=int, default=None, help="Override VECINO_RETENTION_DAYS.")
def retention_apply(days: int | None) -> None:
    """Blank message text and payloads older than the retention period; keep the counts."""
    vecino = current_app.extensions["vecino"]
    days = days or vecino.settings.retention_days
    with vecino.db.transaction() as session:
        report = apply_retention(session, vecino.conversations.clock(), days)
    click.echo(
        f"Older than {report.cutoff:%Y-%m-%d} ({days} days): "
        f"{report.messages_blanked} message(s) blanked, "
        f"{report.conversations_cleared} conversation(s) cleared, "
        f"{report.searches_deidentified} search(es) de-identified, "
        f"{report.referrals_deleted} referral(s) deleted."
    )


@click.group("contacts", cls=AppGroup)
def contacts_group() -> None:
    """Residents' contact records."""


@contacts_group.command("forget")
@click.argument("address")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def contacts_forget(address: str, yes: bool) -> None:
    """Erase a resident: their messages, answers and searches (counts stay, de-identified).

    ADDRESS is a phone number as the resident texts from (any format; ``whatsapp:+1...`` for
    WhatsApp) or a Telegram chat id.
    """
    vecino = current_app.extensions["vecino"]
    with vecino.db.transaction() as session:
        contacts = session.scalars(
            select(Contact).where(Contact.address.in_(candidates(address))).order_by(Contact.id)
        ).all()
        if not contacts:
            raise click.ClickException(f"No resident at {mask_address(address)}.")
        names = ", ".join(f"{c.channel} {mask_address(c.address)}" for c in contacts)
        if not yes:
            click.confirm(f"Erase everything about {names}? This cannot be undone", abort=True)
        for contact in contacts:
            report = forget_contact(session, contact)
            click.echo(
                f"Forgot {contact.channel} {mask_address(contact.address)}: "
                f"{report.messages} message(s), {report.survey_responses} survey response(s), "
                f"{report.referrals} referral(s), {report.staff_flags} staff flag(s) erased; "
                f"{report.searches_deidentified} search(es) kept without the resident"
                + (
                    "; kept as opted out, so they are never texted again."
                    if report.kept_opt_out
                    else "."
                )
            )


def candidates(address: str) -> set[str]:
    """The stored forms ``address`` may have: as typed, and E.164 as the webhook stores it."""
    from .channels.twilio import normalize_address

    raw = address.strip()
    return {raw, normalize_address(raw)[1]}
