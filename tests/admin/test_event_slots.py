"""Interview slots in the admin's event pages: marked with their group, offered as a group (by
``vecino broadcasts send --slots``), never one by one from the broadcast composer."""

from __future__ import annotations

from bot.cli import main

from .test_outreach_pages import _text

SLOTS = [
    "events", "slots", "--title", "Talk with us", "--title-es", "Platica con nosotros",
    "--starts", "2026-11-26T10:00", "--starts", "2026-11-26T10:30",
    "--link", "https://meet.example.org/vecino", "--group", "entrevistas",
]  # fmt: skip


def test_slot_events_show_their_group_and_are_not_invited_one_by_one(app, organizer, vecino):  # type: ignore[no-untyped-def]
    created = app.test_cli_runner().invoke(main, SLOTS)
    assert created.exit_code == 0, created.output
    first_id = created.output.splitlines()[1].split()[0]
    listing = _text(organizer.client.get("/admin/events"))
    assert listing.count("One-person slot, group entrevistas") == 2
    page = _text(organizer.client.get(f"/admin/events/{first_id}"))
    assert "Group entrevistas: offered together by text" in page
    assert "vecino broadcasts send --slots entrevistas --where tag=interview-ok" in page
    assert "Invite residents" not in page
    composer = _text(organizer.client.get("/admin/broadcasts/new"))
    invitation = composer.split('<select name="event_id">', 1)[1].split("</select>", 1)[0]
    assert "Talk with us" not in invitation  # (the RSVP filter still lists every event)
