"""Contact tags: written through ``bot.contacts``, set by ``vecino contacts tag``, read by
broadcast audiences and vote eligibility, erased with the contact. SQLite and PostgreSQL."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest
from sqlalchemy import func, select

from bot import contacts
from bot.cli import main
from bot.contacts import TagError, normalize_tag
from bot.conversations import lock_contact
from bot.models import Contact, ContactTag
from bot.outreach import broadcasts, store, votes
from bot.outreach.broadcasts import BroadcastError
from bot.outreach.models import EventFeedback
from bot.outreach.votes import VoteError

from ..conftest import START
from .helpers import make_event

ANA = "+12135550123"
BEN = "+12135550124"
CAM = "5550001"  # a Telegram chat id
OPTIONS = [{"en": "Pantry hours", "es": "Horario de la despensa"},
           {"en": "Bus passes", "es": "Pases de autobús"}]  # fmt: skip


def _run(app, *args: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(main, list(args))


def _people(vecino) -> dict[str, int]:  # type: ignore[no-untyped-def]
    ids = {}
    with vecino.db.transaction() as session:
        for channel, address, language in (
            ("sms", ANA, "es"), ("sms", BEN, "en"), ("telegram", CAM, "es"),
        ):  # fmt: skip
            contact = lock_contact(session, channel, address, START)
            contact.language = language
            ids[address] = contact.id
    return ids


def _tags(vecino, contact_id: int) -> list[str]:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        return contacts.tags_of(session, contact_id)


@pytest.mark.parametrize(
    ("given", "stored"),
    [("partner", "partner"), ("  Partner ", "partner"), ("Parent Leader", "parent-leader"),
     ("interview_ok", "interview-ok"), ("Niñez--Temprana", "ninez-temprana"),
     ("zip90057", "zip90057")],
)  # fmt: skip
def test_tag_names_are_normalised(given: str, stored: str):
    assert normalize_tag(given) == stored


@pytest.mark.parametrize("bad", ["", "  ", "!!", "socio/aliado", "-", "a" * 33, "tag=partner"])
def test_bad_tag_names_are_refused(bad: str):
    with pytest.raises(TagError, match="is not a tag"):
        normalize_tag(bad)


def test_tag_untag_and_list_by_cli(app, vecino):  # type: ignore[no-untyped-def]
    ids = _people(vecino)
    tagged = _run(app, "contacts", "tag", "(213) 555-0123", "Partner")
    assert tagged.exit_code == 0, tagged.output
    assert tagged.output == "Tagged sms +1******0123 partner.\n"
    again = _run(app, "contacts", "tag", ANA, "partner")
    assert again.output == "sms +1******0123 was already tagged partner.\n"
    assert _run(app, "contacts", "tag", "telegram:5550001", "parent leader").exit_code == 0
    assert _run(app, "contacts", "tag", "telegram:5550001", "partner").exit_code == 0
    assert _tags(vecino, ids[ANA]) == ["partner"]
    assert _tags(vecino, ids[CAM]) == ["parent-leader", "partner"]
    assert _tags(vecino, ids[BEN]) == []
    assert _run(app, "contacts", "tags", "telegram:5550001").output == "parent-leader partner\n"
    assert _run(app, "contacts", "tags", BEN).output == "(no tags)\n"
    listing = _run(app, "contacts", "tags").output.splitlines()
    assert [line.split() for line in listing] == [["parent-leader", "1"], ["partner", "2"]]

    removed = _run(app, "contacts", "untag", ANA, "PARTNER")
    assert removed.output == "Removed partner from sms +1******0123.\n"
    assert _run(app, "contacts", "untag", ANA, "partner").output == (
        "sms +1******0123 was not tagged partner.\n"
    )
    assert _tags(vecino, ids[ANA]) == []


def test_unknown_contacts_and_bad_tags_get_clear_errors(app, vecino):  # type: ignore[no-untyped-def]
    _people(vecino)
    unknown = _run(app, "contacts", "tag", "+13105550000", "partner")
    assert unknown.exit_code == 1
    assert "No sms contact at +1******0000: they have not written to us yet" in unknown.output
    assert "+13105550000" not in unknown.output
    telegram = _run(app, "contacts", "tag", "telegram:999", "partner")
    assert "No telegram contact at ***999" in telegram.output
    bad = _run(app, "contacts", "tag", ANA, "socio/aliado")
    assert bad.exit_code == 1
    assert "'socio/aliado' is not a tag: use up to 32 letters a-z" in bad.output
    with vecino.db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(ContactTag)) == 0


def test_a_partner_who_never_wrote_can_be_added_with_new(app, vecino):  # type: ignore[no-untyped-def]
    added = _run(app, "contacts", "tag", "213-555-0199", "partner", "--new", "--language", "es")
    assert added.exit_code == 0, added.output
    with vecino.db.transaction() as session:
        contact = contacts.find(session, "sms", "+12135550199")
        assert (contact.language, contacts.tags_of(session, contact.id)) == ("es", ["partner"])


def test_broadcast_audiences_select_and_exclude_by_tag(app, vecino):  # type: ignore[no-untyped-def]
    ids = _people(vecino)
    with vecino.db.transaction() as session:
        for address, tag in ((ANA, "partner"), (CAM, "partner"), (CAM, "staff"), (BEN, "x")):
            contacts.add_tag(session, session.get(Contact, ids[address]), tag, START, "test")
        untagged = lock_contact(session, "sms", "+12135550126", START).id

    def audience(*filters: str) -> list[int]:
        with vecino.db.transaction() as session:
            query = broadcasts.audience(list(filters)).with_only_columns(Contact.id)
            return list(session.scalars(query))

    assert audience("tag=partner") == [ids[ANA], ids[CAM]]
    assert audience("tag=Partner", "tag!=staff") == [ids[ANA]]
    assert audience("tag!=partner") == [ids[BEN], untagged]
    assert audience("tag=staff,x") == [ids[BEN], ids[CAM]]
    assert audience("tag=partner", "lang=es", "channel=sms") == [ids[ANA]]
    with pytest.raises(BroadcastError, match="'a b!' is not a tag"):
        audience("tag=a b!")
    with pytest.raises(BroadcastError, match="only tags can be excluded"):
        audience("lang!=es")
    preview = _run(app, "broadcasts", "send", "--text", "Hi", "--text-es", "Hola",
                   "--where", "tag=partner")  # fmt: skip
    assert preview.exit_code == 0, preview.output
    assert preview.output.startswith("2 recipients\n")
    assert audience("tag=staff,x") == [ids[BEN], ids[CAM]]


def _reply(twilio, body: str, sender: str = ANA) -> str:  # type: ignore[no-untyped-def]
    response = twilio.post(body, sender=sender)
    root = ElementTree.fromstring(response.get_data(as_text=True))
    return "\n---\n".join(message.text or "" for message in root.iter("Message"))


def test_a_vote_limited_to_a_tag(app, vecino, twilio):  # type: ignore[no-untyped-def]
    _reply(twilio, "hola")
    _reply(twilio, "hello", BEN)
    assert _run(app, "contacts", "tag", ANA, "partner").exit_code == 0
    created = _run(app, "votes", "create", "--question", "Which first?",
                   "--question-es", "¿Cuál primero?", "--option", "Pantry|Despensa",
                   "--option", "Buses|Autobuses", "--tag", "Partner")  # fmt: skip
    assert created.exit_code == 0, created.output
    assert "only for contacts tagged partner." in created.output
    assert "no contact is tagged" not in created.output
    vote_id = created.output.strip().splitlines()[-1]

    assert _reply(twilio, "vote", BEN) == (
        "Sorry, this vote is only for the members it was meant for, and this number is not on "
        "the list. If that's a mistake, tell the organizer who invited you. Reply MENU for "
        "options."
    )
    assert _reply(twilio, "1", BEN) != "Thank you! Your vote: Pantry."
    assert _reply(twilio, "votar").startswith("¿Cuál primero?\n1. Despensa\n2. Autobuses")
    assert _reply(twilio, "2") == "¡Gracias! Tu voto: Autobuses."
    tally = _run(app, "votes", "tally", vote_id).output
    assert "(open, only tag partner)" in tally
    assert "1 ballots" in tally

    nobody = _run(app, "votes", "create", "--question", "Q?", "--question-es", "¿P?",
                  "--option", "A|A", "--option", "B|B", "--tag", "board")  # fmt: skip
    assert "Note: no contact is tagged board yet (vecino contacts tag ADDRESS board)." in (
        nobody.output
    )
    bad = _run(app, "votes", "create", "--question", "Q?", "--question-es", "¿P?",
               "--option", "A|A", "--option", "B|B", "--tag", "no way!")  # fmt: skip
    assert bad.exit_code == 1
    assert "'no way!' is not a tag" in bad.output


def test_a_partners_only_vote_does_not_hide_one_open_to_everyone(app, vecino, twilio):  # type: ignore[no-untyped-def]
    _reply(twilio, "hello", BEN)
    _reply(twilio, "hola")
    assert _run(app, "contacts", "tag", ANA, "partner").exit_code == 0
    with vecino.db.transaction() as session:
        votes.create_vote(session, "For all?", "¿Para todos?", OPTIONS, START)
        votes.create_vote(session, "Partners?", "¿Socios?", OPTIONS, START, tag="partner")
    assert _reply(twilio, "vote", BEN).startswith("For all?\n1. Pantry hours")
    assert _reply(twilio, "votar").startswith("¿Socios?\n1. Horario de la despensa")


def test_an_untagged_contact_cannot_cast_even_past_the_question(vecino):  # type: ignore[no-untyped-def]
    ids = _people(vecino)
    with vecino.db.transaction() as session:
        vote = votes.create_vote(session, "Q?", "¿P?", OPTIONS, START, tag="partner")
        with pytest.raises(VoteError, match="only contacts tagged partner may vote"):
            votes.cast(session, vote, ids[BEN], 1, "en", START)
        contacts.add_tag(session, session.get(Contact, ids[BEN]), "partner", START, "test")
        ballot, changed = votes.cast(session, vote, ids[BEN], 1, "en", START)
        assert (ballot.option, changed) == (1, False)


@pytest.mark.parametrize("opted_out", [False, True])
def test_forget_erases_the_tags_and_event_feedback_too(app, vecino, opted_out: bool):  # type: ignore[no-untyped-def]
    ids = _people(vecino)
    with vecino.db.transaction() as session:
        event = make_event(session)
        for address in (ANA, BEN):
            store.save_feedback(session, event.id, ids[address], "very", "es", START)
        ana = session.get(Contact, ids[ANA])
        contacts.add_tag(session, ana, "partner", START, "test")
        contacts.add_tag(session, ana, "interview-ok", START, "test")
        contacts.add_tag(session, session.get(Contact, ids[BEN]), "partner", START, "test")
        if opted_out:
            contacts.opt_out(ana, START)
    result = _run(app, "contacts", "forget", ANA, "--yes")
    assert result.exit_code == 0, result.output
    with vecino.db.transaction() as session:
        left = session.execute(select(ContactTag.contact_id, ContactTag.tag)).all()
        assert left == [(ids[BEN], "partner")]
        assert session.scalars(select(EventFeedback.contact_id)).all() == [ids[BEN]]
        assert (session.get(Contact, ids[ANA]) is not None) == opted_out
