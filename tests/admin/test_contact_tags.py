"""The conversation page lists a contact's tags (``partner``, ``interview-ok``) beside the
other facts about them."""

from __future__ import annotations

from sqlalchemy import select

from bot import contacts
from bot.models import Contact

from ..conftest import START


def test_the_conversation_page_shows_the_contacts_tags(organizer, twilio, vecino):  # type: ignore[no-untyped-def]
    twilio.post("hola", sender="+13235550401")
    twilio.post("hello", sender="+13235550402")
    with vecino.db.transaction() as session:
        tagged, untagged = session.scalars(select(Contact).order_by(Contact.id)).all()
        for tag in ("partner", "interview-ok"):
            contacts.add_tag(session, tagged, tag, START, "test")
        ids = tagged.id, untagged.id
    page = organizer.client.get(f"/admin/conversations/{ids[0]}").get_data(as_text=True)
    assert " · tags: interview-ok, partner</p>" in page
    other = organizer.client.get(f"/admin/conversations/{ids[1]}").get_data(as_text=True)
    assert "tags:" not in other
