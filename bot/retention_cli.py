"""``vecino retention apply`` and ``vecino contacts forget|tag|untag|tags``: the commands over
``bot.retention`` and the contact tags of ``bot.contacts``."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from . import contacts
from .models import Contact, ContactTag
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
            report = forget_contact(session, contact, vecino.conversations.clock())
            click.echo(
                f"Forgot {contact.channel} {mask_address(contact.address)}: "
                f"{report.messages} message(s), {report.survey_responses} survey response(s), "
                f"{report.referrals} referral(s), {report.staff_flags} staff flag(s), "
                f"{report.rsvps} RSVP(s), {report.ballots} ballot(s), "
                f"{report.public_comments} public comment(s) erased; "
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


TELEGRAM_PREFIX = "telegram:"
ADDRESS_HELP = "ADDRESS is a phone number in E.164 (+12135550123), whatsapp:+1..., or telegram:ID."


def parse_address(address: str) -> tuple[str, str]:
    """``(channel, address)`` as stored: ``telegram:ID`` is a Telegram chat; anything else is
    read as Twilio's ``From`` (a phone number, ``whatsapp:+1...``)."""
    from .channels.twilio import normalize_address

    raw = address.strip()
    if raw.lower().startswith(TELEGRAM_PREFIX):
        return "telegram", raw[len(TELEGRAM_PREFIX) :].strip()
    return normalize_address(raw)


def _contact(session: Session, address: str, new: bool = False) -> Contact:
    channel, stored = parse_address(address)
    contact = contacts.find(session, channel, stored)
    if contact is None and new:
        from .conversations import lock_contact

        return lock_contact(
            session, channel, stored, current_app.extensions["vecino"].conversations.clock()
        )
    if contact is None:
        raise click.ClickException(
            f"No {channel} contact at {mask_address(stored)}: they have not written to us yet "
            "(add --new to add them). " + ADDRESS_HELP
        )
    return contact


def _tag(text: str) -> str:
    try:
        return contacts.normalize_tag(text)
    except contacts.TagError as error:
        raise click.ClickException(str(error)) from error


@contacts_group.command("tag")
@click.argument("address")
@click.argument("tag")
@click.option(
    "--new",
    is_flag=True,
    help="Add the contact if they have not written yet (e.g. a partner's staff number the "
    "partner gave you, with their agreement to be texted).",
)
@click.option(
    "--language", type=click.Choice(["es", "en"]), help="With --new: the language to text them in."
)
def contacts_tag(address: str, tag: str, new: bool, language: str | None) -> None:
    """Tag a contact, e.g. ``vecino contacts tag +12135550123 partner``.

    Tags are lowercase a-z, digits and hyphens (``Parent Leader`` becomes ``parent-leader``).
    Broadcasts select by them (``--where tag=partner``), and votes can be limited to them.
    """
    name = _tag(tag)
    vecino = current_app.extensions["vecino"]
    with vecino.db.transaction() as session:
        contact = _contact(session, address, new)
        if contact.language is None and language:
            contacts.set_language(contact, language)
        added = contacts.add_tag(session, contact, name, vecino.conversations.clock(), "cli")
        who = f"{contact.channel} {mask_address(contact.address)}"
    click.echo(f"Tagged {who} {name}." if added else f"{who} was already tagged {name}.")


@contacts_group.command("untag")
@click.argument("address")
@click.argument("tag")
def contacts_untag(address: str, tag: str) -> None:
    """Take a tag off a contact."""
    name = _tag(tag)
    vecino = current_app.extensions["vecino"]
    with vecino.db.transaction() as session:
        contact = _contact(session, address)
        removed = contacts.remove_tag(session, contact, name)
        who = f"{contact.channel} {mask_address(contact.address)}"
    click.echo(f"Removed {name} from {who}." if removed else f"{who} was not tagged {name}.")


@contacts_group.command("tags")
@click.argument("address", required=False)
def contacts_tags(address: str | None) -> None:
    """A contact's tags; without ADDRESS, every tag and how many contacts have it."""
    vecino = current_app.extensions["vecino"]
    with vecino.db.transaction() as session:
        if address is not None:
            contact = _contact(session, address)
            found = contacts.tags_of(session, contact.id)
            click.echo(" ".join(found) if found else "(no tags)")
            return
        rows = session.execute(
            select(ContactTag.tag, func.count()).group_by(ContactTag.tag).order_by(ContactTag.tag)
        ).all()
    for name, count in rows:
        click.echo(f"{name:<24} {count}")
    if not rows:
        click.echo("(no tags yet)")
