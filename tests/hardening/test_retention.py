"""Message text kept for VECINO_RETENTION_DAYS, and ``vecino contacts forget``."""

from __future__ import annotations

import logging

from sqlalchemy import func, select

from bot.directory.models import Referral, ResourceSearch
from bot.models import Contact, ConversationState, Message, StaffFlag
from bot.retention import apply_retention
from bot.retention_cli import contacts_group, retention_group
from bot.surveys.models import SurveyAnswer, SurveyResponse

from ..conftest import TwilioSender
from ..test_surveys import Resident, open_survey

ROSA = "+12135550123"
LUIS = "+13235550188"


def _count(vecino, model, *where) -> int:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def _bodies(vecino) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        rows = session.execute(select(Message.direction, Message.body).order_by(Message.id))
        return [(direction, body) for direction, body in rows]


def test_retention_blanks_old_text_and_keeps_the_counts(twilio: TwilioSender, vecino, clock):  # type: ignore[no-untyped-def]
    twilio.post("hola", sender=ROSA)
    twilio.post("1", sender=ROSA)
    old = _count(vecino, Message)
    clock.advance(days=181)
    twilio.post("menu", sender=ROSA)
    with vecino.db.transaction() as session:
        report = apply_retention(session, clock(), days=180)
    bodies = _bodies(vecino)
    assert report.messages_blanked == old
    assert len(bodies) > old  # every row is still counted
    assert all(body == "" for _, body in bodies[:old])
    assert ("in", "menu") in bodies[old:]  # recent text is untouched
    with vecino.db.transaction() as session:
        payloads = session.scalars(select(Message.payload).order_by(Message.id)).all()
    assert payloads[:old] == [None] * old
    with vecino.db.transaction() as session:
        again = apply_retention(session, clock(), days=180)
    assert again.messages_blanked == 0  # idempotent


def test_retention_clears_idle_conversations_and_unlinks_searches(vecino, clock):  # type: ignore[no-untyped-def]
    rosa = Resident(vecino, ROSA)
    rosa.say("hola", "1", "comida")  # mid-flow: the conversation holds answers
    contact_id = _contact_id(vecino, ROSA)
    _search_and_referral(vecino, contact_id, clock())
    clock.advance(days=200)
    with vecino.db.transaction() as session:
        report = apply_retention(session, clock(), days=180)
        state = session.get(ConversationState, contact_id)
        assert (state.flow_id, state.step_id, state.data) == (None, None, {})
    assert (report.conversations_cleared, report.searches_deidentified) == (1, 1)
    assert report.referrals_deleted == 1
    assert _count(vecino, ResourceSearch, ResourceSearch.contact_id.is_(None)) == 1
    assert _count(vecino, Referral) == 0


def test_retention_command_uses_the_setting(app, twilio: TwilioSender, vecino, clock):  # type: ignore[no-untyped-def]
    twilio.post("hola", sender=ROSA)
    clock.advance(days=31)
    runner = app.test_cli_runner()
    result = runner.invoke(retention_group, ["apply", "--days", "30"])
    assert result.exit_code == 0, result.output
    assert "2 message(s) blanked" in result.output
    assert vecino.settings.retention_days == 180  # the default when VECINO_RETENTION_DAYS is unset


def _contact_id(vecino, address: str) -> int:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        return session.scalar(select(Contact.id).where(Contact.address == address))


def _search_and_referral(vecino, contact_id: int, now) -> None:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        search = ResourceSearch(
            created_at=now,
            contact_id=contact_id,
            category="food",
            zip_code="90057",
            via="zip",
            pending=[["x", 1.0]],
        )
        session.add(search)
        session.flush()
        session.add(
            Referral(
                search_id=search.id,
                contact_id=contact_id,
                resource_name="Pantry",
                rank=1,
                distance_miles=0.5,
                created_at=now,
            )
        )


def _answer_a_survey(vecino, address: str) -> None:  # type: ignore[no-untyped-def]
    open_survey(vecino, "family_checkin")
    Resident(vecino, address).say("hola", "1", "encuesta familia", "sí", "4")


def test_forget_erases_a_resident_and_keeps_de_identified_counts(app, vecino, clock, caplog):  # type: ignore[no-untyped-def]
    _answer_a_survey(vecino, ROSA)
    Resident(vecino, ROSA).say("me quiero morir")  # a crisis flag
    _answer_a_survey(vecino, LUIS)
    rosa = _contact_id(vecino, ROSA)
    _search_and_referral(vecino, rosa, clock())
    luis_messages = _count(vecino, Message, Message.contact_id == _contact_id(vecino, LUIS))
    assert _count(vecino, StaffFlag, StaffFlag.contact_id == rosa) == 1

    caplog.set_level(logging.INFO)
    result = app.test_cli_runner().invoke(contacts_group, ["forget", "(213) 555-0123", "--yes"])
    assert result.exit_code == 0, result.output
    assert "Forgot sms +1******0123" in result.output
    assert "1 survey response(s)" in result.output and "1 staff flag(s)" in result.output
    assert _count(vecino, Contact, Contact.id == rosa) == 0
    assert _count(vecino, Message, Message.contact_id == rosa) == 0
    assert _count(vecino, SurveyResponse, SurveyResponse.contact_id == rosa) == 0
    assert _count(vecino, StaffFlag) == 0 and _count(vecino, Referral) == 0
    # The search stays as a count (category, ZIP), tied to no one.
    assert _count(vecino, ResourceSearch, ResourceSearch.contact_id.is_(None)) == 1
    # Luis is untouched.
    assert _count(vecino, Message, Message.contact_id == _contact_id(vecino, LUIS)) == luis_messages
    assert _count(vecino, SurveyAnswer) >= 1
    assert "2135550123" not in caplog.text and f"forgot contact {rosa}" in caplog.text


def test_forgetting_someone_who_opted_out_keeps_only_the_opt_out(app, vecino):  # type: ignore[no-untyped-def]
    Resident(vecino, ROSA).say("hola", "1", "ALTO")
    rosa = _contact_id(vecino, ROSA)
    result = app.test_cli_runner().invoke(contacts_group, ["forget", ROSA, "--yes"])
    assert result.exit_code == 0, result.output
    assert "kept as opted out" in result.output
    with vecino.db.transaction() as session:
        contact = session.get(Contact, rosa)
        assert contact.opted_out and contact.language is None
    assert _count(vecino, Message) == 0
    assert Resident(vecino, ROSA).say("hola") == ""  # still silent: they asked to stop


def test_forget_asks_first_and_says_when_nobody_matches(app, vecino):  # type: ignore[no-untyped-def]
    Resident(vecino, ROSA).say("hola")
    runner = app.test_cli_runner()
    refused = runner.invoke(contacts_group, ["forget", ROSA], input="n\n")
    assert refused.exit_code == 1 and _count(vecino, Contact) == 1
    missing = runner.invoke(contacts_group, ["forget", "+13105550000", "--yes"])
    assert missing.exit_code == 1 and "No resident at +1******0000" in missing.output


def test_retention_keeps_the_text_of_a_message_not_sent_yet(twilio: TwilioSender, vecino, clock):  # type: ignore[no-untyped-def]
    twilio.post("hola", sender=ROSA)
    with vecino.db.transaction() as session:
        session.add(
            Message(
                contact_id=_contact_id(vecino, ROSA),
                channel="sms",
                direction="out",
                body="Reminder: town hall on Friday",
                status="queued",
                created_at=clock(),
            )
        )
    clock.advance(days=365)
    with vecino.db.transaction() as session:
        apply_retention(session, clock(), days=180)
    assert ("out", "Reminder: town hall on Friday") in _bodies(vecino)


def test_forgetting_an_opted_out_resident_erases_rsvps_ballots_comments(app, vecino, clock):  # type: ignore[no-untyped-def]
    """The bare opted-out row keeps no RSVP, ballot or public comment (a fully deleted contact
    loses them by cascade); the seat they held goes to the next person waiting."""
    from bot.models import OutboxMessage
    from bot.outreach import comments, sending, store, votes
    from bot.outreach.models import Ballot, PublicComment, Rsvp, RsvpChange, Vote

    from ..outreach.helpers import make_event

    Resident(vecino, ROSA).say("hola")
    Resident(vecino, LUIS).say("hola")
    rosa, luis = _contact_id(vecino, ROSA), _contact_id(vecino, LUIS)
    now = clock()
    with vecino.db.transaction() as session:
        event = make_event(session, now=now, capacity=1)
        store.answer(session, event, rosa, "yes", "text", now)
        assert store.answer(session, event, luis, "yes", "text", now).status == "waitlist"
        options = [{"en": "Park", "es": "Parque"}, {"en": "Library", "es": "Biblioteca"}]
        vote = votes.create_vote(session, "Where?", "¿Dónde?", options, now)
        votes.cast(session, vote, rosa, 1, "es", now)
        votes.cast(session, vote, luis, 2, "es", now)
        item = comments.open_round(session, "Prevention plan", "Plan de prevención", now)
        comments.submit(session, item, rosa, "Más despensas en Westlake", "es", now)
        assert sending.invite(session, make_event(session, now=now), [rosa], now) == 1
        event_id, vote_id = event.id, vote.id
    Resident(vecino, ROSA).say("ALTO")

    result = app.test_cli_runner().invoke(contacts_group, ["forget", ROSA, "--yes"])
    assert result.exit_code == 0, result.output
    assert "1 RSVP(s), 1 ballot(s), 1 public comment(s)" in result.output
    assert "kept as opted out" in result.output
    assert _count(vecino, Rsvp, Rsvp.contact_id == rosa) == 0
    assert _count(vecino, Ballot, Ballot.contact_id == rosa) == 0
    assert _count(vecino, PublicComment) == 0
    with vecino.db.transaction() as session:
        assert session.get(Contact, rosa).opted_out
        assert votes.tally(session, session.get(Vote, vote_id)).total == 1  # Luis's
        assert store.rsvp_of(session, event_id, luis).status == "yes"  # Rosa's seat freed
        changes = session.scalars(select(RsvpChange.rsvp_id)).all()
        assert set(changes) == {store.rsvp_of(session, event_id, luis).id}
        queued = session.execute(select(OutboxMessage.contact_id, OutboxMessage.reason)).all()
        assert [tuple(row) for row in queued] == [(luis, "event_promoted")]  # none of Rosa's
