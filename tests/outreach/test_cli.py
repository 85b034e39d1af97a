"""``vecino events`` and ``vecino results`` as organizers run them."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.cli import main
from bot.models import Contact
from bot.outreach import store
from bot.surveys.models import SurveyAnswer, SurveyResponse

from ..conftest import START


def _run(app, *args: str):  # type: ignore[no-untyped-def]
    return app.test_cli_runner().invoke(main, list(args))


CREATE = [
    "events", "create", "--kind", "town_hall", "--title", "Town hall", "--title-es", "Asamblea",
    "--starts", "2026-12-01T18:00", "--place", "Central Library", "--capacity", "2",
    "--remind", "60,1440",
]  # fmt: skip


def test_create_prints_the_id_last_and_reads_times_in_the_configured_zone(app, vecino):  # type: ignore[no-untyped-def]
    result = _run(app, *CREATE)
    assert result.exit_code == 0, result.output
    event_id = int(result.output.strip().splitlines()[-1])
    offset = _run(app, *CREATE[:8], "--starts", "2026-12-01T18:00-05:00", "--link", "https://x.org")
    with vecino.db.transaction() as session:
        event = store.get(session, event_id)
        assert event.starts_at == datetime(2026, 12, 2, 2, 0, tzinfo=UTC)  # 18:00 in LA
        assert (event.timezone, event.capacity, event.remind_minutes) == (
            "America/Los_Angeles",
            2,
            [1440, 60],
        )
        other = store.get(session, int(offset.output.strip().splitlines()[-1]))
        assert other.starts_at == datetime(2026, 12, 1, 23, 0, tzinfo=UTC)


def test_create_without_a_spanish_title_is_refused_clearly(app, vecino):  # type: ignore[no-untyped-def]
    args = [a for a in CREATE if a not in ("--title-es", "Asamblea")]
    result = _run(app, *args)
    assert result.exit_code == 1
    assert "an event needs a Spanish title (--title-es)" in result.output
    with vecino.db.transaction() as session:
        assert store.all_events(session) == []


def test_show_counts_cancel_and_attendance(app, vecino):  # type: ignore[no-untyped-def]
    event_id = int(_run(app, *CREATE).output.strip().splitlines()[-1])
    with vecino.db.transaction() as session:
        event = store.get(session, event_id)
        people = []
        for n in range(4):
            contact = Contact(channel="sms", address=f"+1213555020{n}", first_seen_at=START)
            session.add(contact)
            session.flush()
            people.append(contact.id)
        for contact_id, answer in zip(people, ["yes", "yes", "yes", "maybe"], strict=True):
            store.answer(session, event, contact_id, answer, "text", START)
    shown = _run(app, "events", "show", str(event_id)).output
    for line in ("yes       2", "no        0", "maybe     1", "waitlist  1", "cancelled 0"):
        assert line in shown
    assert "starts 2026-12-01T18:00:00-08:00" in shown
    listed = _run(app, "events", "list").output
    assert f"{event_id:>4} scheduled 2026-12-01 18:00 town_hall" in listed
    marked = _run(app, "events", "attendance", str(event_id), "--present", "+12135550200")
    assert marked.exit_code == 0 and marked.output.endswith("1 present\n")
    assert _run(app, "events", "attendance", str(event_id)).output.endswith("1 present\n")
    unknown = _run(app, "events", "attendance", str(event_id), "--present", "+19999999999")
    assert unknown.exit_code == 1 and "no sms contact" in unknown.output
    assert _run(app, "events", "cancel", str(event_id)).output == f"Event {event_id} cancelled.\n"
    assert "was cancelled" in _run(app, "events", "cancel", str(event_id)).output
    assert "(town_hall, cancelled)" in _run(app, "events", "show", str(event_id)).output
    assert _run(app, "events", "show", "999").exit_code == 1


def _responses(vecino, count: int, first: int = 0) -> None:  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        for n in range(first, first + count):
            contact = Contact(channel="sms", address=f"+1323555{n:04d}", first_seen_at=START)
            session.add(contact)
            session.flush()
            response = SurveyResponse(
                contact_id=contact.id, survey_key="hunger_vital_sign", survey_version=1,
                fingerprint="x", language="es", channel="sms", status="completed",
                consent_at=START,
            )  # fmt: skip
            worried = "often" if n % 3 == 0 else "never"
            response.answers = [
                SurveyAnswer(key="hvs_worried", question_type="choice", value=worried),
                SurveyAnswer(key="hvs_ran_out", question_type="choice", value="never"),
            ]
            session.add(response)


def test_results_preview_and_sheet_apply_suppression(app, vecino, tmp_path):  # type: ignore[no-untyped-def]
    _responses(vecino, 10)
    few = _run(app, "results", "preview", "hunger_vital_sign")
    assert few.output == (
        "[es]\nTodavía no hay suficientes respuestas para compartir resultados (Comida en casa).\n"
        "[en]\nNot enough answers yet to share results (Food at home).\n"
    )
    _responses(vecino, 11, first=10)  # 21 in all, 7 of them worried often
    enough = _run(app, "results", "preview", "hunger_vital_sign").output
    assert "About 3 in 10 worried their food would run out" in enough
    assert "Cerca de 3 de cada 10" in enough
    out = tmp_path / "sheet.html"
    result = _run(app, "results", "sheet", "hunger_vital_sign", "--out", str(out))
    assert result.output == f"Wrote {out} (21 responses).\n"
    html = out.read_text(encoding="utf-8")
    assert "style='width:33%'" in html and "style='width:67%'" in html  # 7 and 14 of 21
    strict = _run(app, "results", "sheet", "hunger_vital_sign", "--out", str(out),
                  "--min-breakdown", "30")  # fmt: skip
    assert strict.exit_code == 0
    assert out.read_text(encoding="utf-8").count("Fewer than 30 answers: not shown.") == 2
    assert _run(app, "results", "preview", "nope").exit_code == 2
