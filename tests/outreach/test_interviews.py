"""Interview recruitment: a survey ends with "would you talk with us for 30 minutes?"; a yes
tags the contact ``interview-ok`` through ``bot.contacts``. SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import select

from bot import contacts
from bot.cli import main
from bot.models import ContactTag

from .test_sending import ANA, BEN, contact, say

QUESTION_EN = (
    "One more thing: would you talk with us for 30 minutes about your experience? It helps us plan."
)


def _finish_family_checkin(vecino, address: str, consent: str = "yes") -> list[str]:  # type: ignore[no-untyped-def]
    """Answer the family check-in skipping every question; the last turn's replies."""
    say(vecino, "family survey", address)
    say(vecino, consent, address)
    for _ in range(5):  # household, wellbeing, needs, ZIP, moved in
        say(vecino, "skip", address)
    return say(vecino, "skip", address)  # anything else?


def _tags(vecino, contact_id: int) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        query = select(ContactTag.tag, ContactTag.source).where(ContactTag.contact_id == contact_id)
        return [tuple(row) for row in session.execute(query)]


def test_a_yes_tags_interview_ok_and_is_not_asked_again(app, vecino):  # type: ignore[no-untyped-def]
    ben = contact(vecino, BEN, "en")
    assert app.test_cli_runner().invoke(main, ["surveys", "open", "family_checkin"]).exit_code == 0
    replies = _finish_family_checkin(vecino, BEN)
    assert replies[0] == "Thank you for answering!"
    assert replies[-1].startswith(QUESTION_EN)
    assert say(vecino, "yes", BEN) == [
        "Thank you! A person from our team will text you to pick a time that works for you. "
        "Reply MENU for options."
    ]
    assert _tags(vecino, ben) == [("interview-ok", "flow:interview_offer")]

    again = _finish_family_checkin(vecino, BEN)
    assert again == ["Thank you for answering!"]
    assert _tags(vecino, ben) == [("interview-ok", "flow:interview_offer")]
    listing = app.test_cli_runner().invoke(main, ["contacts", "tags"]).output
    assert listing.split() == ["interview-ok", "1"]


def test_a_no_tags_nothing(app, vecino):  # type: ignore[no-untyped-def]
    ana = contact(vecino, ANA, "es")
    app.test_cli_runner().invoke(main, ["surveys", "open", "family_checkin"])
    replies = _finish_family_checkin(vecino, ANA)
    assert replies[-1].startswith("Una cosa más: ¿platicarías con nosotros 30 minutos")
    assert say(vecino, "no", ANA) == [
        "No hay problema. ¡Gracias otra vez! Escribe MENU para ver más opciones."
    ]
    with vecino.db.transaction() as session:
        assert contacts.tags_of(session, ana) == []


def test_declining_the_survey_never_reaches_the_interview_question(app, vecino):  # type: ignore[no-untyped-def]
    contact(vecino, BEN, "en")
    app.test_cli_runner().invoke(main, ["surveys", "open", "family_checkin"])
    say(vecino, "family survey", BEN)
    assert say(vecino, "no", BEN) == ["No problem, nothing was saved. Reply MENU for options."]
