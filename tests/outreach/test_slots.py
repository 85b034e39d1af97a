"""Interview slots: created together, offered by broadcast to ``interview-ok`` contacts, booked
by number through the outbox and the worker (loopback fake of Twilio's REST API), reminded and
freed like any event. SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from bot import contacts
from bot.cli import main
from bot.models import Contact, OutboxMessage, StaffFlag
from bot.outbound.status import OutboxStatus
from bot.outreach import slots, store
from bot.outreach.models import OutreachEvent, Rsvp
from scheduler import jobs

from ..outbound.conftest import dispatcher
from .test_sending import ANA, BEN, contact, say, sent

SLOTS = [
    "events", "slots", "--title", "Talk with us", "--title-es", "Platica con nosotros",
    "--starts", "2026-11-26T10:00", "--starts", "2026-11-26T10:30",
    "--starts", "2026-11-27T17:00", "--link", "https://meet.example.org/vecino",
]  # fmt: skip
OFFER_EN = (
    "Talk with us\n"
    "Open times (30 minutes each):\n"
    "1. Thu Nov 26, 10:00 AM\n"
    "2. Thu Nov 26, 10:30 AM\n"
    "3. Fri Nov 27, 5:00 PM\n"
    "Online: https://meet.example.org/vecino"
)
PICK_EN = "Reply with the number of the time that works for you, or NONE if none does."


def cli(app, *args: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(main, list(args))


def interviewees(vecino) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Ana (es) and Ben (en), both tagged interview-ok."""
    ids = contact(vecino, ANA, "es"), contact(vecino, BEN, "en")
    now = vecino.conversations.clock()
    with vecino.db.transaction() as session:
        for contact_id in ids:
            found = session.get(Contact, contact_id)
            contacts.add_tag(session, found, contacts.INTERVIEW_OK, now, "test")
    return ids


def make_slots(app, *extra: str) -> str:  # type: ignore[no-untyped-def]
    result = cli(app, *SLOTS, *extra)
    assert result.exit_code == 0, result.output
    return result.output.splitlines()[-1]


def offer(app, group: str, *extra: str):  # type: ignore[no-untyped-def]
    return cli(app, "broadcasts", "send", "--slots", group, "--where", "tag=interview-ok", *extra)


def rsvps(vecino, group: str) -> list[tuple[str, int, str, str]]:  # type: ignore[no-untyped-def]
    """(slot start HH:MM UTC, contact, status, source) for the group's RSVPs."""
    with vecino.db.transaction() as session:
        query = (
            select(OutreachEvent.starts_at, Rsvp.contact_id, Rsvp.status, Rsvp.source)
            .join(Rsvp, Rsvp.event_id == OutreachEvent.id)
            .where(OutreachEvent.slot_group == group)
            .order_by(OutreachEvent.starts_at, Rsvp.contact_id)
        )
        return [(f"{s:%d %H:%M}", c, st, so) for s, c, st, so in session.execute(query)]


def flags(vecino) -> list[tuple[int, str]]:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        query = select(StaffFlag.contact_id, StaffFlag.reason).order_by(StaffFlag.id)
        return [tuple(row) for row in session.execute(query)]


def test_slots_are_created_together_and_listed_with_their_group(app, vecino):  # type: ignore[no-untyped-def]
    result = cli(app, *SLOTS, "--group", "Entrevistas Dic")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Created 3 interview slot(s) of 30 minutes, group entrevistas-dic:"
    assert [line.split(maxsplit=1)[1] for line in lines[1:4]] == [
        "2026-11-26 10:00", "2026-11-26 10:30", "2026-11-27 17:00",
    ]  # fmt: skip
    assert lines[-1] == "entrevistas-dic"
    with vecino.db.transaction() as session:
        created = slots.slots_of(session, "entrevistas-dic")
        shapes = [(e.kind, e.capacity, e.ends_at - e.starts_at) for e in created]
        assert shapes == [("interview", 1, timedelta(minutes=30))] * 3
        first = created[0].id
    listing = cli(app, "events", "list").output.splitlines()
    assert len(listing) == 3
    assert all(line.endswith("Talk with us / Platica con nosotros [slot, group entrevistas-dic]")
               for line in listing)  # fmt: skip
    shown = cli(app, "events", "show", str(first)).output
    assert "capacity 1\n" in shown
    assert "slot of group entrevistas-dic: 3 slot(s), 0 booked, 0 said none fits\n" in shown


def test_bad_slots_are_refused_clearly(app, vecino):  # type: ignore[no-untyped-def]
    make_slots(app, "--group", "taken")
    base = ["events", "slots", "--title", "Talk", "--link", "https://meet.example.org/v"]
    cases = {
        (*base, "--starts", "2026-11-26T10:00"): "needs a Spanish title (--title-es)",
        (*base, "--title-es", "P", "--starts", "2026-11-20T10:00"): "a slot starts in the past",
        (*base, "--title-es", "P", "--starts", "2026-11-26T10:00", "--starts", "2026-11-26T10:00"):
            "two slots start at the same time",
        (*base, "--title-es", "P", "--starts", "2026-11-26T10:00", "--group", "taken"):
            "slot group 'taken' exists already",
        (*base, "--title-es", "P", "--starts", "2026-11-26T10:00", "--minutes", "0"):
            "a slot lasts from 5 to 480 minutes",
        (*base, "--title-es", "P", "--starts", "mañana"): "is not an ISO 8601 time",
        ("events", "slots", "--title", "T", "--title-es", "P", "--starts", "2026-11-26T10:00"):
            "needs a place (--place) or a video link (--link)",
    }  # fmt: skip
    for args, message in cases.items():
        result = cli(app, *args)
        assert result.exit_code != 0 and message in result.output, (args, result.output)
    refused = offer(app, "nope")
    assert refused.exit_code == 1 and "no slot group 'nope'" in refused.output
    with vecino.db.transaction() as session:
        assert len(store.all_events(session)) == 3  # only the first command's


def test_the_offer_is_previewed_booked_by_number_and_reminded(app, vecino, clock, fake_twilio):  # type: ignore[no-untyped-def]
    _, ben = interviewees(vecino)
    contact(vecino, "+12135550125", "en")  # not tagged: never offered
    group = make_slots(app)
    preview = offer(app, group)
    assert preview.exit_code == 0, preview.output
    assert preview.output.startswith("2 recipients\n  en   sms       1\n  es   sms       1\n")
    assert f"--- first message [en] ---\n{OFFER_EN}\n---\n{PICK_EN}\n" in preview.output
    queued = offer(app, group, "--yes")
    assert re.match(r"Broadcast \d+: 2 queued", queued.output), queued.output
    assert dispatcher(vecino, clock).run_once() == 2
    bodies = dict(sent(fake_twilio))
    assert bodies[BEN] == f"{OFFER_EN}\n\n{PICK_EN}"  # one SMS
    assert bodies[ANA].startswith(
        "Platica con nosotros\nHorarios libres (30 minutos cada uno):\n1. "
    )

    booked = say(vecino, "3", BEN)
    assert booked[0].startswith(
        "You're booked! We will remind you before it starts. If you can't go, reply CAN'T MAKE "
        "IT.\nTalk with us\nWhen: Friday, November 27, 2026, 5:00 PM to 5:30 PM\n"
    )
    assert rsvps(vecino, group) == [("28 01:00", ben, "yes", "slot_offer")]
    again = offer(app, group)
    assert again.exit_code == 1 and "nobody matches" in again.output  # both offered already
    listing = cli(app, "broadcasts", "list").output
    assert f" 2 slots {group}: queued 0 sent 2 delivered 0" in listing

    clock.advance(days=2, hours=8)  # Thursday 18:00 in Los Angeles: 23 hours before
    assert jobs.event_scan()["reminders"] == 1
    since = len(fake_twilio.calls)
    dispatcher(vecino, clock).run_once()
    assert sent(fake_twilio, since)[0][0] == BEN
    assert sent(fake_twilio, since)[0][1].startswith(
        "Reminder of an event you said yes to:\nTalk with us\nWhen: Friday, November 27"
    )
    dropped = say(vecino, "can't make it", BEN)
    assert dropped == ["Got it, we let your seat go. Thanks for telling us."]
    assert rsvps(vecino, group) == [("28 01:00", ben, "cancelled", "text")]
    assert flags(vecino) == []


def test_a_slot_taken_meanwhile_offers_the_rest(app, vecino, clock, fake_twilio):
    """And when none is left, a person will call (a staff flag)."""  # type: ignore[no-untyped-def]
    ana, ben = interviewees(vecino)
    walk_in = contact(vecino, "+12135550125", "en")
    group = make_slots(app, "--group", "two")
    with vecino.db.transaction() as session:  # the third slot is cancelled: two remain
        store.cancel_event(session, slots.slots_of(session, group)[2], clock())
    offer(app, group, "--yes")
    dispatcher(vecino, clock).run_once()
    assert say(vecino, "2", ANA)[0].startswith("¡Listo, ya tienes tu horario!")
    taken = say(vecino, "2", BEN)
    assert taken == [
        "Sorry, someone just took that time. These times are still open:\n"
        "1. Thu Nov 26, 10:00 AM\n"
        "Online: https://meet.example.org/vecino",
        PICK_EN,
    ]
    with vecino.db.transaction() as session:  # and before Ben answers, someone books it by hand
        first = slots.slots_of(session, group)[0]
        store.answer(session, first, walk_in, "yes", "staff", clock())
    assert say(vecino, "1", BEN) == [
        "Sorry, all the times are taken now. A person from our team will contact you to find "
        "another time. Reply MENU for options."
    ]
    assert flags(vecino) == [(ben, slots.NO_SLOT_LEFT)]
    assert [r for r in rsvps(vecino, group) if r[1] in (ana, ben)] == [
        ("26 18:30", ana, "yes", "slot_offer")
    ]


def test_none_fits_records_a_no_on_each_slot_and_one_flag(app, vecino, clock, fake_twilio):  # type: ignore[no-untyped-def]
    ana, ben = interviewees(vecino)
    group = make_slots(app)
    offer(app, group, "--yes")
    dispatcher(vecino, clock).run_once()
    assert say(vecino, "quizás el lunes", ANA) == [
        "Responde con el número del horario, o NINGUNO si ninguno te queda."
    ]
    assert say(vecino, "ninguno", ANA) == [
        "Gracias por avisarnos. Una persona de nuestro equipo se comunicará contigo para buscar "
        "un horario que te quede. Responde MENU para ver opciones."
    ]
    assert [(r[1], r[2], r[3]) for r in rsvps(vecino, group)] == [(ana, "no", "slot_offer")] * 3
    assert flags(vecino) == [(ana, slots.NO_SLOT_FITS)]
    with vecino.db.transaction() as session:
        assert slots.summary(session, group).declined == 1
    assert say(vecino, "NO", BEN)[0].startswith("Thanks for telling us.")  # NO is none too
    assert flags(vecino) == [(ana, slots.NO_SLOT_FITS), (ben, slots.NO_SLOT_FITS)]


def test_an_offer_with_nothing_open_says_nothing(app, vecino, clock, fake_twilio):
    """Every slot was taken before the worker sent it: no list of taken times, no flag."""  # type: ignore[no-untyped-def]
    interviewees(vecino)
    someone = contact(vecino, "+12135550125", "en")
    group = make_slots(app, "--group", "solo")
    with vecino.db.transaction() as session:
        for event in slots.slots_of(session, group)[1:]:
            store.cancel_event(session, event, clock())
    offer(app, group, "--yes")
    with vecino.db.transaction() as session:  # the only slot is booked before the worker runs
        assert slots.book(session, slots.slots_of(session, group)[0], someone, clock())
    dispatcher(vecino, clock).run_once()
    assert sent(fake_twilio) == []  # neither a list of taken times nor a flag
    with vecino.db.transaction() as session:
        statuses = session.scalars(select(OutboxMessage.status).order_by(OutboxMessage.id)).all()
    assert statuses == [OutboxStatus.SUPPRESSED] * 2
    assert flags(vecino) == []
    refused = offer(app, group)
    assert refused.exit_code == 1 and "has no open slot at that time" in refused.output


def test_booking_a_second_slot_of_a_group_lets_the_first_go(app, vecino, clock):  # type: ignore[no-untyped-def]
    ana, ben = interviewees(vecino)
    group = make_slots(app)
    now = clock()
    with vecino.db.transaction() as session:
        first, second, _ = slots.slots_of(session, group)
        assert slots.book(session, first, ana, now) is not None
        assert slots.book(session, second, ana, now) is not None
        assert slots.book(session, second, ben, now) is None  # one person per slot
        assert slots.book(session, first, ben, now) is not None
        assert slots.booked(session, group, ana, now) == second
    assert rsvps(vecino, group) == [
        ("26 18:00", ana, "cancelled", "slot_offer"),
        ("26 18:00", ben, "yes", "slot_offer"),
        ("26 18:30", ana, "yes", "slot_offer"),
    ]
