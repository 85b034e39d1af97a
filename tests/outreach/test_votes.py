"""Votes: VOTAR / VOTE by text through the webhook, one ballot per contact, tallies."""

from __future__ import annotations

from xml.etree import ElementTree

import pytest

from bot.cli import main
from bot.outreach import votes
from bot.outreach.votes import VoteError

from ..conftest import START

OPTIONS = [{"en": "Food pantry hours", "es": "Horario de la despensa"},
           {"en": "Bus passes", "es": "Pases de autobús"}]  # fmt: skip


def _reply(twilio, body: str, sender: str = "+12135550123") -> str:  # type: ignore[no-untyped-def]
    response = twilio.post(body, sender=sender)
    root = ElementTree.fromstring(response.get_data(as_text=True))
    return "\n---\n".join(message.text or "" for message in root.iter("Message"))


def test_vote_by_text_change_it_and_tally_per_language(app, vecino, twilio):  # type: ignore[no-untyped-def]
    runner = app.test_cli_runner()
    created = runner.invoke(main, [
        "votes", "create", "--question", "What should we work on first?",
        "--question-es", "¿En qué trabajamos primero?",
        "--option", "Food pantry hours|Horario de la despensa",
        "--option", "Bus passes|Pases de autobús",
    ])  # fmt: skip
    assert created.exit_code == 0, created.output
    vote_id = created.output.strip().splitlines()[-1]
    assert _reply(twilio, "votar") == (
        "¿En qué trabajamos primero?\n1. Horario de la despensa\n2. Pases de autobús\n\n"
        "Responde con el número de tu opción. Puedes cambiar tu voto hasta que cierre."
    )
    assert _reply(twilio, "1") == "¡Gracias! Tu voto: Horario de la despensa."
    _reply(twilio, "votar")
    assert _reply(twilio, "2") == "Cambiamos tu voto a: Pases de autobús."
    _reply(twilio, "vote", "+12135550124")
    assert _reply(twilio, "2", "+12135550124") == "Thank you! Your vote: Bus passes."
    tally = runner.invoke(main, ["votes", "tally", vote_id]).output
    assert "1. Food pantry hours / Horario de la despensa: 0 (es 0, en 0)" in tally
    assert "2. Bus passes / Pases de autobús: 2 (es 1, en 1)" in tally
    assert "2 ballots" in tally
    assert runner.invoke(main, ["votes", "close", vote_id]).exit_code == 0
    assert _reply(twilio, "votar") == (
        "No hay ninguna votación abierta por ahora. Responde MENU para ver opciones."
    )


def test_a_vote_after_it_closed_is_refused(vecino, twilio):  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        vote = votes.create_vote(session, "Q?", "¿P?", OPTIONS, START)
        vote_id = vote.id
    _reply(twilio, "vote")
    with vecino.db.transaction() as session:
        votes.close(session.get(votes.Vote, vote_id), START)
    assert _reply(twilio, "1") == "Sorry, this vote is closed. Reply MENU for options."
    with vecino.db.transaction() as session:
        assert votes.tally(session, session.get(votes.Vote, vote_id)).total == 0
        with pytest.raises(VoteError, match="closed"):
            votes.cast(session, session.get(votes.Vote, vote_id), 1, 1, "en", START)


def test_a_vote_needs_both_languages(vecino):  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        with pytest.raises(VoteError, match="English and Spanish"):
            votes.create_vote(session, "Q?", " ", OPTIONS, START)
        with pytest.raises(VoteError, match="each option"):
            votes.create_vote(session, "Q?", "¿P?", [{"en": "a", "es": ""}, OPTIONS[0]], START)
