"""``vecino broadcasts``: preview, queue, progress and cancel, through the outbox and the
worker to a loopback fake of Twilio's REST API. SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from bot.cli import main
from bot.conversations import lock_contact
from bot.models import OutboxMessage
from bot.outreach import store
from bot.outreach.models import Broadcast

from ..outbound.conftest import dispatcher
from .test_sending import ANA, BEN, event, say, sent

CAM = "5550001"  # Telegram, Spanish
DAN = "+12135550125"  # opted out
EVE = "+12135550126"  # unreachable
EN = "Food fair Saturday at 10 in the park."
ES = "Feria de comida el sábado a las 10 en el parque."
TEXT = ["--text", EN, "--text-es", ES]


def people(vecino) -> dict[str, int]:  # type: ignore[no-untyped-def]
    now = vecino.conversations.clock()
    ids = {}
    with vecino.db.transaction() as session:
        for channel, address, language in (
            ("sms", ANA, "es"), ("sms", BEN, "en"), ("telegram", CAM, "es"),
            ("sms", DAN, "es"), ("sms", EVE, "en"),
        ):  # fmt: skip
            contact = lock_contact(session, channel, address, now)
            contact.language = language
            ids[address] = contact.id
        contact.unreachable_at = now
        lock_contact(session, "sms", ANA, now).zip_code = "90057"
    say(vecino, "STOP", DAN)
    return ids


def run(app, *args: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(main, ["broadcasts", *args])


def outbox_rows(vecino) -> int:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(OutboxMessage)) or 0


def test_the_preview_counts_and_renders_and_sends_nothing(app, vecino):  # type: ignore[no-untyped-def]
    people(vecino)
    result = run(app, "send", *TEXT)
    assert result.exit_code == 0, result.output
    assert result.output == (
        "3 recipients\n"
        "  en   sms       1\n"
        "  es   sms       1\n"
        "  es   telegram  1\n"
        "SMS en: 1 segment(s) x 1 = 1\n"
        "SMS es: 1 segment(s) x 1 = 1\n"
        "SMS segments in all: 2\n"
        "--- first message [en] ---\n"
        "Food fair Saturday at 10 in the park.\n"
        "--- first message [es] ---\n"
        "Feria de comida el sábado a las 10 en el parque.\n"
        "Preview only: nothing was sent. Add --yes to queue it.\n"
    )
    assert outbox_rows(vecino) == 0
    with vecino.db.transaction() as session:
        assert session.scalars(select(Broadcast)).all() == []


def test_a_text_goes_to_the_filtered_audience_in_its_language(app, vecino, clock, fake_twilio):  # type: ignore[no-untyped-def]
    people(vecino)
    result = run(app, "send", *TEXT, "--where", "channel=sms", "--yes")
    assert result.exit_code == 0, result.output
    assert re.match(r"Broadcast \d+: 2 queued for ", result.output)
    only_ana = run(app, "send", *TEXT, "--where", "lang=es", "--where", "zip=90057", "--yes")
    assert re.match(r"Broadcast \d+: 1 queued", only_ana.output)
    dispatcher(vecino, clock).run_once()
    assert sorted(sent(fake_twilio)) == [
        (ANA, "Feria de comida el sábado a las 10 en el parque."),
        (ANA, "Feria de comida el sábado a las 10 en el parque."),
        (BEN, "Food fair Saturday at 10 in the park."),
    ]
    listing = run(app, "list").output.splitlines()
    assert "queued 0 sent 2 delivered 0 failed 0 suppressed 0 expired 0" in listing[0]
    assert listing[1].endswith("sent 1 delivered 0 failed 0 suppressed 0 expired 0")


def test_an_event_broadcast_invites_each_contact_once(app, vecino, clock, fake_twilio):  # type: ignore[no-untyped-def]
    people(vecino)
    event_id = event(vecino)
    preview = run(app, "send", "--event", str(event_id), "--where", "channel=sms")
    assert "--- first message [es] ---\nAsamblea: comida y vivienda\n" in preview.output
    assert "--- first message [en] ---\nTown hall: food and housing\n" in preview.output
    with vecino.db.transaction() as session:
        assert store.counts(session, event_id)["invited"] == 0  # the render left nothing
    queued = run(app, "send", "--event", str(event_id), "--where", "channel=sms", "--yes")
    assert re.match(r"Broadcast \d+: 2 queued", queued.output)
    dispatcher(vecino, clock).run_once()
    assert sorted(to for to, _ in sent(fake_twilio)) == [ANA, BEN]
    say(vecino, "sí", ANA)
    again = run(app, "send", "--event", str(event_id), "--where", "channel=sms", "--yes")
    assert again.exit_code == 1
    assert "nobody matches: the audience is empty, nothing was queued" in again.output
    yes_only = run(app, "send", *TEXT, "--where", f"rsvp:{event_id}=yes")
    assert yes_only.output.startswith("1 recipients\n  es   sms       1\n")


def test_a_scheduled_broadcast_can_be_cancelled_while_queued(app, vecino, clock, fake_twilio):  # type: ignore[no-untyped-def]
    people(vecino)
    result = run(app, "send", *TEXT, "--at", "2026-11-25T11:00", "--yes")
    found = re.match(r"Broadcast (\d+): 3 queued for 2026-11-25T11:00:00-08:00", result.output)
    assert found, result.output
    stopped = run(app, "cancel", found[1]).output
    assert stopped == f"Broadcast {found[1]} cancelled: 3 message(s) not sent.\n"
    clock.advance(days=1, hours=2)
    dispatcher(vecino, clock).run_once()
    assert sent(fake_twilio) == []
    assert (
        run(app, "list")
        .output.rstrip()
        .endswith("queued 0 sent 0 delivered 0 failed 0 suppressed 3 expired 0")
    )
    assert " cancelled " in run(app, "list").output


def test_bad_broadcasts_are_refused_clearly(app, vecino, clock):  # type: ignore[no-untyped-def]
    people(vecino)
    cases = {
        ("send", *TEXT, "--where", "zip=10001"): "nobody matches: the audience is empty",
        ("send", *TEXT, "--at", "2026-11-23T09:00"): "that time has passed",
        ("send", *TEXT, "--where", "tags=partner"): "unknown filter 'tags'",
        ("send", *TEXT, "--where", "tag=partner"): "nobody matches: the audience is empty",
        ("send", *TEXT, "--where", "tag=no/way"): "'no/way' is not a tag",
        ("send", "--text", "Hi"): "a text broadcast needs both --text and --text-es",
        ("send", "--event", "99"): "no event 99",
        ("send", "--event", "1", *TEXT): "give one of --event ID, --slots GROUP, --survey KEY",
        ("cancel", "7"): "no broadcast 7",
    }
    for args, message in cases.items():
        result = run(app, *args)
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    soon = event(vecino, starts_at=clock() + timedelta(minutes=30))
    late = run(app, "send", "--event", str(soon))
    assert "starts too soon for invitations" in late.output
    assert outbox_rows(vecino) == 0


def _broadcast_id(result) -> str:  # type: ignore[no-untyped-def]
    found = re.match(r"Broadcast (\d+): ", result.output)
    assert found, result.output
    return found[1]


def test_one_invitation_per_contact_whoever_queues_it(app, vecino, clock, fake_twilio):  # type: ignore[no-untyped-def]
    """Two broadcasts and ``events invite``, all queued before the worker sends: the later
    ones leave out (and count out) whoever waits in the outbox, and each broadcast counts only
    its own rows."""
    people(vecino)
    event_id = str(event(vecino))
    sms = ["--where", "channel=sms"]
    first = run(app, "send", "--event", event_id, "--where", "lang=es", *sms, "--yes")
    assert re.match(r"Broadcast \d+: 1 queued", first.output), first.output  # Ana
    preview = run(app, "send", "--event", event_id, "--where", "channel=sms")
    assert preview.output.startswith("1 recipients\n  en   sms       1\n"), preview.output  # Ben
    second = run(app, "send", "--event", event_id, "--where", "channel=sms", "--yes")
    assert re.match(r"Broadcast \d+: 1 queued", second.output), second.output
    by_hand = app.test_cli_runner().invoke(main, ["events", "invite", event_id, ANA])
    assert by_hand.output == "Not queued: already invited, or too late.\n"
    third = run(app, "send", "--event", event_id, "--where", "channel=sms", "--yes")
    assert third.exit_code == 1
    assert "nobody matches: the audience is empty, nothing was queued" in third.output
    assert outbox_rows(vecino) == 2
    dispatcher(vecino, clock).run_once()
    assert sorted(to for to, _ in sent(fake_twilio)) == [ANA, BEN]
    listing = run(app, "list").output.splitlines()
    assert len(listing) == 2
    for line, broadcast in zip(listing, (first, second), strict=True):
        assert line.lstrip().startswith(_broadcast_id(broadcast) + " queued")
        assert line.endswith("queued 0 sent 1 delivered 0 failed 0 suppressed 0 expired 0"), line


def test_an_invitation_queued_by_hand_is_not_repeated(app, vecino, clock, fake_twilio):  # type: ignore[no-untyped-def]
    people(vecino)
    event_id = str(event(vecino))
    by_hand = app.test_cli_runner().invoke(main, ["events", "invite", event_id, BEN])
    assert by_hand.output == "Invitation queued.\n"
    result = run(app, "send", "--event", event_id, "--where", "channel=sms", "--yes")
    assert re.match(r"Broadcast \d+: 1 queued", result.output), result.output  # Ana only
    dispatcher(vecino, clock).run_once()
    assert sorted(to for to, _ in sent(fake_twilio)) == [ANA, BEN]


def test_a_cancelled_invitation_does_not_block_a_later_one(app, vecino, clock, fake_twilio):  # type: ignore[no-untyped-def]
    """Invitations that never went out were never given: a new broadcast sends them, and the
    cancelled one still counts what it stopped."""
    people(vecino)
    event_id = str(event(vecino))
    later = ["--where", "channel=sms", "--at", "2026-11-25T11:00"]
    first = run(app, "send", "--event", event_id, *later, "--yes")
    assert re.match(r"Broadcast \d+: 2 queued", first.output), first.output
    assert run(app, "cancel", _broadcast_id(first)).output.endswith("2 message(s) not sent.\n")
    assert run(app, "send", "--event", event_id, "--where", "channel=sms").output.startswith(
        "2 recipients\n"
    )
    second = run(app, "send", "--event", event_id, "--where", "channel=sms", "--yes")
    assert re.match(r"Broadcast \d+: 2 queued", second.output), second.output
    clock.advance(days=1, hours=2)
    dispatcher(vecino, clock).run_once()
    assert sorted(to for to, _ in sent(fake_twilio)) == [ANA, BEN]
    listing = run(app, "list").output.splitlines()
    assert listing[0].endswith("queued 0 sent 0 delivered 0 failed 0 suppressed 2 expired 0")
    assert listing[1].endswith("queued 0 sent 2 delivered 0 failed 0 suppressed 0 expired 0")
