"""The partner check-in: a survey only contacts tagged ``partner`` may answer, by keyword or by
a survey broadcast through the outbox; exported like every survey. SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import re

from sqlalchemy import select

from bot.cli import main
from bot.models import StaffFlag

from ..outbound.conftest import dispatcher
from .test_sending import ANA, BEN, contact, say, sent

KEY = "partner_checkin"
CONSENT_EN = (
    "Partner check-in: 4 quick questions about your organization this week. Please don't name "
    "any family. Only our team sees your answers. Reply SKIP to skip a question, BACK to change "
    "one, MENU to leave. Start?"
)


def _run(app, *args: str):  # type: ignore[no-untyped-def]
    result = app.test_cli_runner().invoke(main, list(args))
    return result


def _partner(app, vecino, address: str = BEN, language: str = "en") -> int:  # type: ignore[no-untyped-def]
    contact_id = contact(vecino, address, language)
    assert _run(app, "contacts", "tag", address, "partner").exit_code == 0
    return contact_id


def test_a_partner_answers_by_keyword_and_the_export_has_the_columns(app, vecino, tmp_path):  # type: ignore[no-untyped-def]
    _partner(app, vecino)
    assert _run(app, "surveys", "open", KEY).exit_code == 0
    assert say(vecino, "PARTNER SURVEY", BEN)[0].startswith(CONSENT_EN)
    say(vecino, "yes", BEN)
    assert say(vecino, "35", BEN)[0].startswith(
        "What did families ask for most this week that you could not provide?"
    )
    assert say(vecino, "housing", BEN)[0].startswith(
        "Did you run short of stock, staff or space this week?"
    )
    assert say(vecino, "yes", BEN)[0].startswith("What ran short? A few words are enough.")
    assert say(vecino, "diapers and volunteers on Saturday", BEN) == [
        "Thank you! This helps us plan with you."
    ]
    with vecino.db.transaction() as session:
        assert session.scalars(select(StaffFlag.reason)).all() == ["survey_partner_capacity"]

    out = tmp_path / "partners.csv"
    exported = _run(app, "surveys", "export", KEY, "--out", str(out), "--include-free-text")
    assert exported.exit_code == 0, exported.output
    (row,) = csv.DictReader(out.open(encoding="utf-8"))
    assert (row["top_request"], row["short_this_week"], row["capacity_problem"]) == (
        "housing",
        "yes",
        "1",
    )
    assert row["what_ran_short"] == "diapers and volunteers on Saturday"
    # An organization's weekly figure is not top-coded like a household size
    # (``top_code: false`` on the question): the default export keeps the number given.
    assert row["families_served"] == "35"


def test_no_capacity_problem_skips_the_follow_up(app, vecino):  # type: ignore[no-untyped-def]
    _partner(app, vecino, ANA, "es")
    _run(app, "surveys", "open", KEY)
    assert say(vecino, "encuesta socio", ANA)[0].startswith("Reporte de socios: 4 preguntas")
    say(vecino, "sí", ANA)
    say(vecino, "12", ANA)
    assert say(vecino, "8", ANA)[0].startswith("¿Les faltaron productos, personal o espacio")
    assert say(vecino, "no", ANA) == ["¡Gracias! Esto nos ayuda a planear con ustedes."]
    with vecino.db.transaction() as session:
        assert session.scalars(select(StaffFlag.reason)).all() == []


def test_residents_are_never_offered_the_partner_survey(app, vecino):  # type: ignore[no-untyped-def]
    contact(vecino, ANA, "es")
    _run(app, "surveys", "open", KEY)
    assert say(vecino, "encuesta socio", ANA) == [
        "Esta encuesta es solo para quienes invitamos a contestarla. ¡Gracias por tu interés! "
        "Responde MENU para ver opciones."
    ]
    # The picker (ENCUESTA) and the menu do not offer it either.
    assert say(vecino, "encuesta", ANA) == [
        "No hay ninguna encuesta abierta por ahora. ¡Gracias! Responde MENU para ver opciones."
    ]


def test_a_survey_broadcast_reaches_only_partners(app, vecino, clock, fake_twilio):  # type: ignore[no-untyped-def]
    _partner(app, vecino)
    contact(vecino, ANA, "es")
    closed = _run(app, "broadcasts", "send", "--survey", KEY, "--yes")
    assert closed.exit_code == 1
    assert f"survey '{KEY}' is not open: vecino surveys open {KEY}" in closed.output
    unknown = _run(app, "broadcasts", "send", "--survey", "nope")
    assert "no survey 'nope'" in unknown.output
    _run(app, "surveys", "open", KEY)

    preview = _run(app, "broadcasts", "send", "--survey", KEY)
    assert preview.exit_code == 0, preview.output
    assert "adding --where tag=partner" in preview.output
    assert "1 recipients\n  en   sms       1\n" in preview.output
    assert CONSENT_EN in preview.output
    queued = _run(app, "broadcasts", "send", "--survey", KEY, "--yes")
    assert re.search(r"Broadcast \d+: 1 queued", queued.output), queued.output
    dispatcher(vecino, clock).run_once()
    ((to, body),) = sent(fake_twilio)
    assert (to, body.startswith(CONSENT_EN)) == (BEN, True)
    assert say(vecino, "yes", BEN)[0].startswith(
        "About how many families did your organization serve this week?"
    )
    listing = _run(app, "broadcasts", "list").output
    assert f"survey {KEY}: queued 0 sent 1" in listing


def test_a_partner_at_home_is_not_the_partner_survey(app, vecino):  # type: ignore[no-untyped-def]
    _partner(app, vecino)
    _run(app, "surveys", "open", KEY)
    replies = say(vecino, "partner hits me", BEN)
    assert replies[0].startswith("You deserve to be safe.")
    assert not any("Partner check-in" in reply for reply in replies)
    assert len(replies) == 1
