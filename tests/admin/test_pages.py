"""The pages an organizer uses, with residents texting in through the real Twilio webhook."""

from __future__ import annotations

import csv
import io
import re

from sqlalchemy import select

from admin.models import AuditEntry, FlagNote
from bot.models import StaffFlag
from bot.surveys.definitions import load_surveys
from bot.surveys.results import export_rows


def _text(response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def test_dashboard_counts_residents_by_language_and_shows_the_gap(organizer, twilio):  # type: ignore[no-untyped-def]
    for n in range(3):
        twilio.post("hola", sender=f"+1323555020{n}")
        twilio.post("1", sender=f"+1323555020{n}")  # Español
    twilio.post("hello", sender="+13235550210")
    twilio.post("2", sender="+13235550210")  # English
    twilio.post("stop", sender="+13235550210")
    text = _text(organizer.client.get("/admin/dashboard"))
    assert '<span class="big" id="total-contacts">4</span>' in text
    assert '<span class="big" id="new-contacts">4</span>' in text
    # Opted out: 0 of 3 Spanish speakers, 1 of 1 English speaker, on SMS and overall.
    assert "0.0% <small>(0/3)</small>" in text
    assert "100.0% <small>(1/1)</small>" in text
    assert "-100.0 pt" in text
    assert "<svg" in text
    # The only script is the static file: nothing inline for the CSP to allow.
    assert re.findall(r"<script[^>]*>", text) == ['<script src="/admin/static/admin.js" defer>']


def test_a_crisis_flag_is_queued_shown_in_context_and_handled_with_a_note(
    organizer, twilio, vecino
):  # type: ignore[no-untyped-def]
    twilio.post("hola", sender="+13235550301")
    twilio.post("1", sender="+13235550301")
    twilio.post("me quiero morir", sender="+13235550301")
    queue = _text(organizer.client.get("/admin/flags"))
    assert "Crisis message" in queue and "+1******0301" in queue
    assert "+13235550301" not in queue
    with vecino.db.transaction() as session:
        flag = session.scalars(select(StaffFlag)).one()
    page = _text(organizer.client.get(f"/admin/flags/{flag.id}"))
    assert "me quiero morir" in page and "988" in page  # the message and Vecino's reply
    refused = organizer.post(f"/admin/flags/{flag.id}/handle", {"note": "  "})
    assert refused.status_code == 400 and "Write what you did" in refused.get_data(as_text=True)
    done = organizer.post(f"/admin/flags/{flag.id}/handle", {"note": "Called her; safe."})
    assert done.status_code == 302
    assert "No staff flags here." in _text(organizer.client.get("/admin/flags"))
    handled = _text(organizer.client.get("/admin/flags?show=handled"))
    assert "Handled by olga@example.org" in handled
    twice = organizer.post(f"/admin/flags/{flag.id}/handle", {"note": "again"})
    assert twice.status_code == 409
    with vecino.db.transaction() as session:
        assert session.get(StaffFlag, flag.id).resolved_at is not None
        assert session.get(FlagNote, flag.id).note == "Called her; safe."
        assert "flag.handle" in session.scalars(select(AuditEntry.action)).all()


def test_dashboard_names_open_flags_in_words_and_links_each_reason_to_its_queue(
    organizer, partner, twilio
):  # type: ignore[no-untyped-def]
    for sender in ("+13235550311", "+13235550312"):
        twilio.post("hola", sender=sender)
        twilio.post("1", sender=sender)
    twilio.post("me quiero morir", sender="+13235550311")
    twilio.post("quiero hablar con una persona", sender="+13235550312")
    text = _text(organizer.client.get("/admin/dashboard"))
    flags = text.split('<ul class="open-flags">')[1].split("</ul>")[0]
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>: <strong>(\d+)</strong>', flags) == [
        ("/admin/flags?reason=crisis", "Crisis message", "1"),  # the most urgent first
        ("/admin/flags?reason=handoff", "Asked for a person", "1"),
    ]
    assert "crisis:" not in flags and "handoff:" not in flags
    crisis = _text(organizer.client.get("/admin/flags?reason=crisis"))
    assert "Only: Crisis message" in crisis
    assert "Crisis message" in crisis.split('<table class="flags">')[1]
    assert "Asked for a person" not in crisis.split('<table class="flags">')[1]
    assert 'href="/admin/flags?show=handled&amp;reason=crisis"' in crisis  # tabs keep the filter
    handoff = _text(organizer.client.get("/admin/flags?reason=handoff"))
    assert "Crisis message" not in handoff.split('<table class="flags">')[1]
    bad = organizer.client.get("/admin/flags?reason=<script>")
    assert bad.status_code == 400 and "Unknown reason" in bad.get_data(as_text=True)
    # In Spanish; partners see the counts but no link into a queue they may not open.
    organizer.post("/admin/language", {"language": "es"})
    spanish = _text(organizer.client.get("/admin/dashboard"))
    assert ">Mensaje de crisis</a>: <strong>1</strong>" in spanish
    assert ">Pidió hablar con una persona</a>: <strong>1</strong>" in spanish
    shown = _text(partner.client.get("/admin/dashboard")).split('<ul class="open-flags">')[1]
    assert "Crisis message: <strong>1</strong>" in shown.split("</ul>")[0]
    assert "/admin/flags" not in shown.split("</ul>")[0]


def test_html_in_residents_messages_and_resource_names_is_escaped(organizer, twilio, vecino):  # type: ignore[no-untyped-def]
    twilio.post("<script>alert(1)</script> hola", sender="+13235550401")
    listing = _text(organizer.client.get("/admin/conversations"))
    contact_link = listing.split('href="/admin/conversations/')[1].split('"')[0]
    page = _text(organizer.client.get(f"/admin/conversations/{contact_link}"))
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; hola" in page
    organizer.post(
        "/admin/resource/p1",
        {"action": "save", "name": '<img src=x onerror="alert(2)">Pantry', "url": ""},
    )
    listing = _text(organizer.client.get("/admin/resources"))
    assert "<img src=x" not in listing
    assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;Pantry" in listing


def test_survey_page_counts_answers_by_language_and_scores(organizer, twilio, open_surveys):  # type: ignore[no-untyped-def]
    for sender, words in (
        ("+13235550501", ["mood survey", "yes", "4", "4"]),  # positive (6)
        ("+13235550502", ["encuesta animo", "si", "1", "2"]),  # negative (1)
    ):
        for word in words:
            assert twilio.post(word, sender=sender).status_code == 200
    text = _text(organizer.client.get("/admin/surveys/phq2"))
    assert '<strong id="responses">2</strong>' in text
    scores = text.split("<h2>Scores</h2>")[1].split("</table>")[0]
    assert "<td>phq2</td><td>1</td><td>1</td><td>0</td>" in scores
    answers = text.split("<h3>phq2_interest")[1].split("</table>")[0]
    assert "<td>nearly_every_day</td>" in answers and "<td>not_at_all</td>" in answers
    queue = _text(organizer.client.get("/admin/flags"))
    assert "Positive depression screen (PHQ-2)" in queue
    filtered = _text(organizer.client.get("/admin/surveys/phq2?since=2026-12-01"))
    assert '<strong id="responses">0</strong>' in filtered
    bad = organizer.client.get("/admin/surveys/phq2?zip=9005x")
    assert bad.status_code == 400 and "5 digits" in bad.get_data(as_text=True)


def test_survey_export_is_the_clis_deidentified_csv(organizer, twilio, open_surveys, vecino):  # type: ignore[no-untyped-def]
    for word in ["mood survey", "yes", "2", "3"]:
        twilio.post(word, sender="+13235550601")
    response = organizer.client.get("/admin/surveys/phq2/export.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    survey = load_surveys(vecino.settings.flows_dir)["phq2"]
    with vecino.db.transaction() as session:
        header, expected = export_rows(session, survey, vecino.settings.secret_key)
    assert rows == [header, *expected]
    assert "+13235550601" not in response.get_data(as_text=True)


def test_needs_page_lists_searches_by_zip_and_category(organizer, twilio):  # type: ignore[no-untyped-def]
    twilio.post("food 90057", sender="+13235550701")
    twilio.post("food 93534", sender="+13235550702")  # Lancaster: nothing near
    text = _text(organizer.client.get("/admin/needs"))
    table = text.split('<table class="needs">')[1].split("</table>")[0]  # by ZIP and category
    assert "<td>90057</td>" in table and "<td>93534</td>" in table
    row = table.split("<td>93534</td>")[1].split("</tr>")[0]
    assert "<td>1</td>\n      <td>1</td>" in row  # one search, found nothing within 3 mi
    bad = organizer.client.get("/admin/needs?radius=7")
    assert bad.status_code == 400 and "1, 3 or 10 miles" in bad.get_data(as_text=True)


def test_edit_verify_and_deactivate_a_resource(organizer, twilio, vecino, clock):  # type: ignore[no-untyped-def]
    saved = organizer.post(
        "/admin/resource/p1",
        {
            "action": "save",
            "name": "Eastside Pantry",
            "name_es": "Despensa",
            "url": "https://e.org",
        },
    )
    assert saved.status_code == 302
    page = _text(organizer.client.get("/admin/resource/p1"))
    assert 'value="Despensa"' in page
    organizer.post("/admin/resource/p1", {"action": "verify"})
    assert '<strong id="verified">2026-11-24</strong>' in _text(
        organizer.client.get("/admin/resource/p1")
    )
    found = twilio.post("food 90057", sender="+13235550801").get_data(as_text=True)
    assert "Despensa" in found or "Eastside Pantry" in found
    organizer.post("/admin/resource/p1", {"action": "deactivate"})
    after = twilio.post("food 90057", sender="+13235550802").get_data(as_text=True)
    assert "Eastside Pantry" not in after and "Despensa" not in after
    bad = organizer.post("/admin/resource/p1", {"action": "save", "name": "", "url": ""})
    assert bad.status_code == 400 and "cannot be empty" in bad.get_data(as_text=True)
    with vecino.db.transaction() as session:
        actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-3:] == ["resource.save", "resource.verify", "resource.deactivate"]


def test_reading_a_page_never_makes_a_resident_wait(app, organizer, twilio):  # type: ignore[no-untyped-def]
    """On SQLite the app's transactions take the write lock first; the admin's reads must not."""
    from sqlalchemy import select

    from admin.context import reading
    from bot.models import Contact

    with app.test_request_context(), reading() as session:
        session.execute(select(Contact.id)).all()  # a read in progress
        response = twilio.post("hola", sender="+13235550901")  # a resident writes meanwhile
        assert response.status_code == 200
        assert session.scalars(select(Contact.id)).all() != []
