"""``vecino events``: create, list, show, cancel events and mark attendance."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import click
from flask import current_app
from flask.cli import AppGroup

from .. import contacts
from ..conversations import lock_contact
from ..models import Contact
from . import sending, slots, store
from .models import KINDS, CommentRound, OutreachEvent, Vote
from .store import EventDraft, EventError


def parse_time(value: str, timezone: str) -> datetime:
    """ISO 8601; without an offset the time is read in ``timezone`` (``VECINO_TIMEZONE``)."""
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as error:
        raise click.BadParameter(f"{value!r} is not an ISO 8601 time (2026-12-01T18:00)") from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=ZoneInfo(timezone))


def parse_minutes(value: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in value.split(",") if part.strip())
    except ValueError as error:
        raise click.BadParameter("--remind takes minutes, e.g. 1440,120") from error


FEEDBACK_LABELS = {"very": "very useful", "somewhat": "somewhat", "not": "not much"}


def _vecino():  # type: ignore[no-untyped-def]
    return current_app.extensions["vecino"]


def _event(session, event_id: int) -> OutreachEvent:  # type: ignore[no-untyped-def]
    event = store.get(session, event_id)
    if event is None:
        raise click.ClickException(f"no event {event_id}")
    return event


@click.group("events", cls=AppGroup)
def events_group() -> None:
    """Town halls, sense-making sessions, interviews and meetings."""


@events_group.command("create")
@click.option("--kind", type=click.Choice(KINDS), required=True)
@click.option("--title", required=True, help="English title.")
@click.option("--title-es", default="", help="Spanish title (required).")
@click.option("--starts", required=True, help="ISO 8601, with an offset or in VECINO_TIMEZONE.")
@click.option("--ends", help="ISO 8601 (default: 90 minutes after the start).")
@click.option("--place", help="Address.")
@click.option("--link", help="Video link.")
@click.option("--capacity", type=int, help="Seats; further yes-replies go on a waitlist.")
@click.option("--remind", default="1440,120", show_default=True, help="Minutes before start.")
@click.option("--description", help="English description.")
@click.option("--description-es", help="Spanish description.")
@click.option("--details", help="SMS details in English (what to bring, child care...).")
@click.option("--details-es", help="SMS details in Spanish.")
def create(**options: str | int | None) -> None:
    """Create an event; prints its id alone on the last line."""
    vecino = _vecino()
    timezone = vecino.settings.timezone
    draft = EventDraft(
        kind=str(options["kind"]),
        title_en=str(options["title"]),
        title_es=str(options["title_es"] or ""),
        starts_at=parse_time(str(options["starts"]), timezone),
        ends_at=parse_time(str(options["ends"]), timezone) if options["ends"] else None,
        timezone=timezone,
        place=options["place"] or None,  # type: ignore[arg-type]
        link=options["link"] or None,  # type: ignore[arg-type]
        capacity=options["capacity"],  # type: ignore[arg-type]
        remind_minutes=parse_minutes(str(options["remind"])),
        description_en=options["description"] or None,  # type: ignore[arg-type]
        description_es=options["description_es"] or None,  # type: ignore[arg-type]
        sms_details_en=options["details"] or None,  # type: ignore[arg-type]
        sms_details_es=options["details_es"] or None,  # type: ignore[arg-type]
    )
    try:
        with vecino.db.transaction() as session:
            event = store.create_event(session, draft, vecino.conversations.clock())
            event_id = event.id
    except EventError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {draft.kind} {draft.title_en!r} / {draft.title_es!r}.")
    click.echo(event_id)


@events_group.command("slots")
@click.option("--title", required=True, help="English title.")
@click.option("--title-es", default="", help="Spanish title (required).")
@click.option(
    "--starts", "starts", multiple=True, required=True,
    help="ISO 8601 start of one slot (with an offset or in VECINO_TIMEZONE); repeat per slot.",
)  # fmt: skip
@click.option("--minutes", default=slots.DEFAULT_MINUTES, show_default=True, type=int)
@click.option("--place", help="Address.")
@click.option("--link", help="Video or phone-call link.")
@click.option("--group", help="A name for the group (default: six random letters/digits).")
@click.option("--remind", default="1440,120", show_default=True, help="Minutes before start.")
@click.option("--description", help="English description.")
@click.option("--description-es", help="Spanish description.")
def create_slots(
    title: str, title_es: str, starts: tuple[str, ...], minutes: int, place: str | None,
    link: str | None, group: str | None, remind: str, description: str | None,
    description_es: str | None,
) -> None:  # fmt: skip
    """Create one-person interview slots at once (kind interview, capacity 1 each), grouped to
    be offered together: ``vecino broadcasts send --slots GROUP --where tag=interview-ok``.
    Prints the group alone on the last line."""
    vecino = _vecino()
    timezone = vecino.settings.timezone
    draft = slots.SlotsDraft(
        title_en=title, title_es=title_es,
        starts=tuple(parse_time(value, timezone) for value in starts), timezone=timezone,
        minutes=minutes, place=place or None, link=link or None, group=group or None,
        remind_minutes=parse_minutes(remind), description_en=description or None,
        description_es=description_es or None,
    )  # fmt: skip
    zone = ZoneInfo(timezone)
    try:
        with vecino.db.transaction() as session:
            created = slots.create_slots(session, draft, vecino.conversations.clock())
            lines = [f"{e.id:>4} {e.starts_at.astimezone(zone):%Y-%m-%d %H:%M}" for e in created]
            name = str(created[0].slot_group)
    except EventError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created {len(lines)} interview slot(s) of {minutes} minutes, group {name}:")
    for line in lines:
        click.echo(line)
    click.echo(name)


@events_group.command("list")
def list_events() -> None:
    """Every event: id, status, start (local time), kind, titles, RSVP yes count; an interview
    slot also names its group."""
    vecino = _vecino()
    zone = ZoneInfo(vecino.settings.timezone)
    with vecino.db.transaction() as session:
        for event in store.all_events(session):
            counts = store.counts(session, event.id)
            start = event.starts_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
            group = f" [slot, group {event.slot_group}]" if event.slot_group else ""
            click.echo(
                f"{event.id:>4} {event.status:<9} {start} {event.kind:<12} "
                f"yes {counts['yes']:<4} {event.title_en} / {event.title_es}{group}"
            )


@events_group.command("show")
@click.argument("event_id", type=int)
def show(event_id: int) -> None:
    """One event, its calendar link and its RSVP counts by status."""
    vecino = _vecino()
    zone = ZoneInfo(vecino.settings.timezone)
    with vecino.db.transaction() as session:
        event = _event(session, event_id)
        counts = store.counts(session, event.id)
        base = vecino.settings.public_base_url or ""
        click.echo(f"{event.title_en} / {event.title_es} ({event.kind}, {event.status})")
        click.echo(f"starts {event.starts_at.astimezone(zone).isoformat()}")
        click.echo(f"ends   {event.ends_at.astimezone(zone).isoformat()}")
        for label, value in (("place", event.place), ("link", event.link)):
            if value:
                click.echo(f"{label:<6} {value}")
        if event.capacity:
            click.echo(f"capacity {event.capacity}")
        if event.slot_group:
            group = slots.summary(session, event.slot_group)
            click.echo(
                f"slot of group {group.group}: {group.slots} slot(s), {group.booked} booked, "
                f"{group.declined} said none fits"
            )
        click.echo(f"reminders {','.join(str(m) for m in event.remind_minutes)} minutes before")
        click.echo(f"calendar {base}/events/{event.token}.ics")
        for status in ("yes", "no", "maybe", "waitlist", "cancelled"):
            click.echo(f"{status:<9} {counts[status]}")
        click.echo(f"{'invited':<9} {counts['invited']} (no answer yet)")
        present = sum(1 for r in store.rsvps(session, event.id) if r.attended_at is not None)
        click.echo(f"{'present':<9} {present}")
        feedback = store.feedback_counts(session, event.id)
        answers = ", ".join(f"{FEEDBACK_LABELS[k]} {n}" for k, n in feedback.items())
        click.echo(f"feedback  {answers} ({sum(feedback.values())} answers)")
        for note in store.notes(session, event.id):
            click.echo(f"--- notes {note.created_at.astimezone(zone):%Y-%m-%d %H:%M} ---")
            click.echo(note.text)


@events_group.command("cancel")
@click.argument("event_id", type=int)
def cancel(event_id: int) -> None:
    """Cancel an event (its calendar file says so; those who said yes are told once)."""
    vecino = _vecino()
    with vecino.db.transaction() as session:
        event = _event(session, event_id)
        changed = store.cancel_event(session, event, vecino.conversations.clock())
    click.echo(f"Event {event_id} cancelled." if changed else f"Event {event_id} was cancelled.")


@events_group.command("attendance")
@click.argument("event_id", type=int)
@click.option("--present", multiple=True, metavar="ADDRESS", help="Mark this contact present.")
@click.option("--channel", default="sms", show_default=True)
def attendance(event_id: int, present: tuple[str, ...], channel: str) -> None:
    """Mark attendance with --present ADDRESS (repeatable); without it, list who came.

    Each attendee is sent one question, "how useful was it?", once the event has ended (through
    the outbox: quiet hours and opt-outs apply; never twice). ``events show`` counts answers.
    """
    vecino = _vecino()
    now = vecino.conversations.clock()
    with vecino.db.transaction() as session:
        event = _event(session, event_id)
        marked = []
        for address in present:
            contact = session.query(Contact).filter_by(channel=channel, address=address).first()
            if contact is None:
                raise click.ClickException(f"no {channel} contact {address}")
            store.mark_attended(session, event_id, contact.id, now)
            marked.append(contact.id)
        queued = sending.feedback(session, event, marked, now) if marked else 0
        if queued:
            click.echo(f"Feedback question queued for {queued} (sent after the event ends).")
        came = [r for r in store.rsvps(session, event_id) if r.attended_at is not None]
        for rsvp in came:
            click.echo(f"contact {rsvp.contact_id:<6} RSVP {rsvp.status:<9} present")
        click.echo(f"{len(came)} present")


@events_group.command("notes")
@click.argument("event_id", type=int)
@click.option(
    "--file",
    "source",
    type=click.File("r", encoding="utf-8"),
    default="-",
    show_default=True,
    help="A text file with the notes ('-': standard input).",
)
def notes(event_id: int, source) -> None:  # type: ignore[no-untyped-def]
    """Record a session's reflections (what the group made of the findings), linked to the
    event and shown by ``events show``.

    Notes are about the findings, not about people: write no names, phone numbers or other
    personal details. Phone numbers and e-mail addresses are replaced by [phone] / [email].
    """
    from ..surveys.results import scrub

    text = scrub(source.read())
    vecino = _vecino()
    try:
        with vecino.db.transaction() as session:
            event = _event(session, event_id)
            store.add_note(session, event, text, vecino.conversations.clock())
    except EventError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Notes recorded for event {event_id} ({len(text.strip())} characters).")


@events_group.command("invite")
@click.argument("event_id", type=int)
@click.argument("address")
@click.option("--channel", default="sms", show_default=True)
@click.option(
    "--language", type=click.Choice(["es", "en"]), help="For a contact with no language yet."
)
def invite(event_id: int, address: str, channel: str, language: str | None) -> None:
    """Queue the invitation for one contact (the worker sends it; once per contact). For many
    contacts, use ``vecino broadcasts send --event ID``."""
    vecino = _vecino()
    now = vecino.conversations.clock()
    with vecino.db.transaction() as session:
        event = _event(session, event_id)
        contact = lock_contact(session, channel, address, now)
        if contact.language is None and language is not None:
            contacts.set_language(contact, language)
        queued = sending.invite(session, event, [contact.id], now)
    click.echo("Invitation queued." if queued else "Not queued: already invited, or too late.")


# ---- vecino results ---------------------------------------------------------------------------


def _survey_and_summary(key: str):  # type: ignore[no-untyped-def]
    from ..surveys.definitions import load_surveys
    from ..surveys.results import summarize

    vecino = _vecino()
    surveys = load_surveys(vecino.settings.flows_dir)
    if key not in surveys:
        names = ", ".join(sorted(surveys)) or "none"
        raise click.BadParameter(f"no survey {key!r} in flows/ (surveys: {names})")
    with vecino.db.transaction() as session:
        return surveys[key], summarize(session, surveys[key])


def _choice_labels(survey_key: str) -> dict[str, dict[str, str]]:
    """``question:value`` -> the bilingual label residents saw, read from the survey flow."""
    flow = _vecino().engine.flows[survey_key]
    labels: dict[str, dict[str, str]] = {}
    for step in flow.steps.values():
        if step.ask == "yesno":
            labels[f"{step.answer_key}:yes"] = {"en": "Yes", "es": "Sí"}
            labels[f"{step.answer_key}:no"] = {"en": "No", "es": "No"}
        for choice in step.choices:
            labels[f"{step.answer_key}:{choice.value}"] = dict(choice.label)
    return labels


suppression_options = [
    click.option("--min-respondents", default=11, show_default=True, help="Smallest figure."),
    click.option("--min-breakdown", default=20, show_default=True, help="Smallest breakdown."),
]


def _with_suppression(function):  # type: ignore[no-untyped-def]
    for option in reversed(suppression_options):
        function = option(function)
    return function


@click.group("results", cls=AppGroup)
def results_group() -> None:
    """Survey results back to the community, with small-cell suppression."""


@results_group.command("preview")
@click.argument("survey_key")
@_with_suppression
def results_preview(survey_key: str, min_respondents: int, min_breakdown: int) -> None:
    """The findings as short text in Spanish and English (nothing is sent)."""
    from .results import Suppression, findings_text

    survey, summary = _survey_and_summary(survey_key)
    rules = Suppression(min_respondents, min_breakdown)
    for language in ("es", "en"):
        click.echo(f"[{language}]")
        click.echo(findings_text(survey, summary, language, rules))


@results_group.command("sheet")
@click.argument("survey_key")
@click.option("--out", "out", type=click.Path(dir_okay=False), required=True)
@_with_suppression
def results_sheet(survey_key: str, out: str, min_respondents: int, min_breakdown: int) -> None:
    """The printable bilingual one-page data-walk sheet (HTML)."""
    from pathlib import Path

    from .results import Suppression, sheet_html

    survey, summary = _survey_and_summary(survey_key)
    rules = Suppression(min_respondents, min_breakdown)
    html = sheet_html(survey, summary, _choice_labels(survey_key), rules)
    Path(out).write_text(html, encoding="utf-8")
    click.echo(f"Wrote {out} ({summary.responses} responses).")


# ---- vecino votes -----------------------------------------------------------------------------


@click.group("votes", cls=AppGroup)
def votes_group() -> None:
    """Community votes by text (VOTAR / VOTE): one ballot per contact, changeable until close."""


@votes_group.command("create")
@click.option("--question", required=True, help="English question.")
@click.option("--question-es", default="", help="Spanish question (required).")
@click.option("--option", "options", multiple=True, required=True, help="'English|Español'")
@click.option("--tag", help="Only contacts with this tag may vote (e.g. partner).")
def votes_create(
    question: str, question_es: str, options: tuple[str, ...], tag: str | None
) -> None:
    """Open a vote; prints its id alone on the last line. The newest open vote is VOTAR's."""
    from .votes import VoteError, create_vote

    parsed = []
    for option in options:
        english, _, spanish = option.partition("|")
        parsed.append({"en": english.strip(), "es": spanish.strip()})
    vecino = _vecino()
    try:
        with vecino.db.transaction() as session:
            now = vecino.conversations.clock()
            vote = create_vote(session, question, question_es, parsed, now, tag=tag)
            vote_id, only = vote.id, vote.tag
            holders = _tagged_count(session, only) if only else None
    except VoteError as error:
        raise click.ClickException(str(error)) from error
    click.echo(
        f"Vote open with {len(parsed)} options"
        + (f", only for contacts tagged {only}." if only else ".")
    )
    if holders == 0:
        click.echo(f"Note: no contact is tagged {only} yet (vecino contacts tag ADDRESS {only}).")
    click.echo(vote_id)


def _tagged_count(session, tag: str) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import func, select

    from ..models import ContactTag

    return int(session.scalar(select(func.count()).where(ContactTag.tag == tag)) or 0)


@votes_group.command("close")
@click.argument("vote_id", type=int)
def votes_close(vote_id: int) -> None:
    """Close a vote: ballots can no longer be cast or changed."""
    from .votes import close

    vecino = _vecino()
    with vecino.db.transaction() as session:
        vote = session.get(Vote, vote_id)
        if vote is None:
            raise click.ClickException(f"no vote {vote_id}")
        changed = close(vote, vecino.conversations.clock())
    click.echo(f"Vote {vote_id} closed." if changed else f"Vote {vote_id} was closed.")


@votes_group.command("tally")
@click.argument("vote_id", type=int)
def votes_tally(vote_id: int) -> None:
    """Ballots per option, and per language."""
    from .votes import tally

    vecino = _vecino()
    with vecino.db.transaction() as session:
        vote = session.get(Vote, vote_id)
        if vote is None:
            raise click.ClickException(f"no vote {vote_id}")
        result = tally(session, vote)
        only = f", only tag {vote.tag}" if vote.tag else ""
        click.echo(
            f"{vote.question_en} / {vote.question_es} "
            f"({'open' if vote.is_open else 'closed'}{only})"
        )
        for number, option in enumerate(vote.options, 1):
            es = result.by_option_language.get((number, "es"), 0)
            en = result.by_option_language.get((number, "en"), 0)
            click.echo(
                f"{number}. {option['en']} / {option['es']}: {result.by_option[number]} "
                f"(es {es}, en {en})"
            )
        click.echo(f"{result.total} ballots")


# ---- vecino comments --------------------------------------------------------------------------


@click.group("comments", cls=AppGroup)
def comments_group() -> None:
    """Public comment by text (COMENTAR / COMMENT), kept only with consent."""


@comments_group.command("open")
@click.option("--title", required=True, help="The item, in English.")
@click.option("--title-es", default="", help="The item, in Spanish (required).")
def comments_open(title: str, title_es: str) -> None:
    """Open an item for comment (the newest open one is COMENTAR's); prints its id last."""
    from .comments import open_round

    vecino = _vecino()
    try:
        with vecino.db.transaction() as session:
            found = open_round(session, title, title_es, vecino.conversations.clock())
            round_id = found.id
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Open for comment: {title} / {title_es}")
    click.echo(round_id)


@comments_group.command("close")
@click.argument("round_id", type=int)
def comments_close(round_id: int) -> None:
    """Stop taking comments on an item."""
    vecino = _vecino()
    with vecino.db.transaction() as session:
        found = session.get(CommentRound, round_id)
        if found is None:
            raise click.ClickException(f"no comment round {round_id}")
        found.is_open, found.closed_at = False, vecino.conversations.clock()
    click.echo(f"Comments on {round_id} closed.")


@comments_group.command("export")
@click.argument("round_id", type=int, required=False)
@click.option("--out", "out", type=click.Path(dir_okay=False), help="File (default: print).")
def comments_export(round_id: int | None, out: str | None) -> None:
    """The de-identified document for the County task force (default: the newest item)."""
    from pathlib import Path

    from sqlalchemy import select

    from .comments import export_text

    vecino = _vecino()
    with vecino.db.transaction() as session:
        query = select(CommentRound).order_by(CommentRound.id.desc()).limit(1)
        found = session.get(CommentRound, round_id) if round_id else session.scalar(query)
        if found is None:
            raise click.ClickException("no comment round")
        text = export_text(session, found)
    if out:
        Path(out).write_text(text, encoding="utf-8")
        click.echo(f"Wrote {out}.")
    else:
        click.echo(text, nl=False)


# ---- vecino broadcasts ------------------------------------------------------------------------


@click.group("broadcasts", cls=AppGroup)
def broadcasts_group() -> None:
    """A bilingual text or an event's invitation to an audience: preview, then --yes."""


@broadcasts_group.command("send")
@click.option("--event", "event_id", type=int, help="Send this event's invitation.")
@click.option("--slots", "slot_group", help="Offer this group's open interview slots.")
@click.option("--survey", "survey_key", help="Start this survey (e.g. partner_checkin).")
@click.option("--text", help="The English text.")
@click.option("--text-es", help="The Spanish text.")
@click.option(
    "--where",
    "filters",
    multiple=True,
    help="lang=es, channel=sms, zip=90057, tag=partner, tag!=staff, rsvp:12=yes, source=...",
)
@click.option("--at", "at", help="ISO 8601 send time (default: now).")
@click.option("--yes", "confirmed", is_flag=True, help="Queue it (without: preview only).")
def broadcasts_send(
    event_id: int | None,
    slot_group: str | None,
    survey_key: str | None,
    text: str | None,
    text_es: str | None,
    filters: tuple[str, ...],
    at: str | None,
    confirmed: bool,
) -> None:
    """Preview a broadcast; with --yes, queue it (the worker sends it at the outbox's rate).

    With --survey, each recipient gets the survey's consent question; a survey limited to a
    tag (the partner check-in: tag partner) goes only to contacts with that tag. With --slots,
    each recipient gets the group's open times, numbered, and books one by its number.
    """
    from .broadcasts import BroadcastError, check, enqueue, preview
    from .models import Broadcast

    given = [
        event_id is not None,
        slot_group is not None,
        survey_key is not None,
        text is not None or text_es is not None,
    ]
    if sum(given) != 1:
        raise click.UsageError(
            "give one of --event ID, --slots GROUP, --survey KEY, or --text TEXT --text-es TEXT"
        )
    vecino = _vecino()
    wanted = list(filters)
    if survey_key is not None:
        wanted += _survey_audience(survey_key)
    now = vecino.conversations.clock()
    send_at = parse_time(at, vecino.settings.timezone) if at else now
    draft = Broadcast(
        event_id=event_id,
        slot_group=slot_group,
        survey_key=survey_key,
        text_en=text,
        text_es=text_es,
        filters=wanted,
        send_at=send_at,
    )
    try:
        with vecino.db.transaction() as session:
            if confirmed:
                queued = enqueue(session, draft, now)
                broadcast_id = draft.id
            else:
                check(session, draft, now)
                shown = preview(session, vecino.engine, vecino.settings, draft, now)
    except BroadcastError as error:
        raise click.ClickException(str(error)) from error
    if confirmed:
        click.echo(f"Broadcast {broadcast_id}: {queued} queued for {send_at.isoformat()}.")
        return
    _show_preview(shown)


def _survey_audience(survey_key: str) -> list[str]:
    """The filter a tag-limited survey adds (``tag=partner``), said out loud; [] for others."""
    from ..surveys.definitions import load_surveys

    surveys = load_surveys(_vecino().settings.flows_dir)
    if survey_key not in surveys:
        names = ", ".join(sorted(surveys)) or "none"
        raise click.ClickException(f"no survey {survey_key!r} (surveys: {names})")
    tag = surveys[survey_key].tag
    if tag is None:
        return []
    click.echo(f"Survey {survey_key} is for contacts tagged {tag} only: adding --where tag={tag}.")
    return [f"tag={tag}"]


def _show_preview(shown) -> None:  # type: ignore[no-untyped-def]
    if not shown.recipients:
        raise click.ClickException("nobody matches: the audience is empty")
    click.echo(f"{shown.recipients} recipients")
    for (language, channel), count in sorted(shown.by_language_channel.items()):
        click.echo(f"  {language:<4} {channel:<9} {count}")
    for language, count in sorted(shown.sms_by_language.items()):
        segments = shown.segments.get(language, 0)
        click.echo(f"SMS {language}: {segments} segment(s) x {count} = {segments * count}")
    click.echo(f"SMS segments in all: {shown.total_segments}")
    for language, text in sorted(shown.first_message.items()):
        click.echo(f"--- first message [{language}] ---")
        click.echo(text)
    click.echo("Preview only: nothing was sent. Add --yes to queue it.")


@broadcasts_group.command("list")
def broadcasts_list() -> None:
    """Every broadcast with its progress (from the outbox)."""
    from sqlalchemy import select

    from .broadcasts import progress
    from .models import Broadcast

    vecino = _vecino()
    zone = ZoneInfo(vecino.settings.timezone)
    with vecino.db.transaction() as session:
        for found in session.scalars(select(Broadcast).order_by(Broadcast.id)):
            what = (
                f"event {found.event_id}"
                if found.event_id
                else f"slots {found.slot_group}"
                if found.slot_group
                else f"survey {found.survey_key}"
                if found.survey_key
                else repr((found.text_en or "")[:30])
            )
            counts = " ".join(f"{k} {v}" for k, v in progress(session, found.id).items())
            at = found.send_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
            click.echo(
                f"{found.id:>4} {found.status:<9} {at} {found.recipients:>6} {what}: {counts}"
            )


@broadcasts_group.command("cancel")
@click.argument("broadcast_id", type=int)
def broadcasts_cancel(broadcast_id: int) -> None:
    """Stop a broadcast's messages still waiting in the outbox."""
    from .broadcasts import cancel as cancel_broadcast
    from .models import Broadcast

    vecino = _vecino()
    with vecino.db.transaction() as session:
        found = session.get(Broadcast, broadcast_id)
        if found is None:
            raise click.ClickException(f"no broadcast {broadcast_id}")
        stopped = cancel_broadcast(session, found, vecino.conversations.clock())
    click.echo(f"Broadcast {broadcast_id} cancelled: {stopped} message(s) not sent.")
