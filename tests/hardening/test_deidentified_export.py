"""The default survey export coarsens what could single out a family, and scrubs free text."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.models import Contact
from bot.surveys.definitions import load_surveys
from bot.surveys.models import SurveyAnswer, SurveyResponse
from bot.surveys.results import export_rows, scrub

WHEN = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)


def _respond(session, n: int, zip_code: str, household: int, moved_in: str, comment: str):  # type: ignore[no-untyped-def]
    contact = Contact(channel="sms", address=f"+1213555{n:04d}")
    session.add(contact)
    session.flush()
    response = SurveyResponse(
        contact_id=contact.id,
        survey_key="family_checkin",
        survey_version=1,
        fingerprint="f",
        channel="sms",
        status="completed",
        consent_at=WHEN,
    )
    response.answers = [
        SurveyAnswer(key="household_size", question_type="number", value=household),
        SurveyAnswer(key="zip", question_type="zip", value=zip_code),
        SurveyAnswer(key="moved_in", question_type="date", value=moved_in),
        SurveyAnswer(key="comments", question_type="text", value=comment),
    ]
    session.add(response)


def _export(vecino, **options):  # type: ignore[no-untyped-def]
    survey = load_surveys(vecino.settings.flows_dir)["family_checkin"]
    with vecino.db.transaction() as session:
        header, rows = export_rows(session, survey, "k", include_free_text=True, **options)
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_zip_household_size_and_move_in_date_are_coarsened_by_default(vecino):  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        for n in range(11):  # eleven families in 90057
            _respond(session, n, "90057", 3, "2019-05", "gracias")
        _respond(session, 11, "90026", 9, "2021-03", "llámame al (213) 555-0199 o rosa@example.org")
    rows = _export(vecino)
    assert [r["zip"] for r in rows] == ["90057"] * 11 + ["suppressed"]
    assert rows[-1]["household_size"] == "6+" and rows[0]["household_size"] == "3"
    assert {r["moved_in"] for r in rows} == {"2019", "2021"}
    assert rows[-1]["comments"] == "llámame al [phone] o [email]"
    exact = _export(vecino, exact=True)
    assert (exact[-1]["zip"], exact[-1]["household_size"], exact[-1]["moved_in"]) == (
        "90026",
        "9",
        "2021-03",
    )


def test_scrub_finds_numbers_as_residents_type_them():
    text = "213 555 0123, 2135550123, +52 55 1234 5678, a.b-c@mail.example.mx, 3 kids, ZIP 90057"
    assert scrub(text) == "[phone], [phone], [phone], [email], 3 kids, ZIP 90057"
