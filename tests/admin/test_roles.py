"""Roles are enforced on the server for every route; partners see only their own places."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from admin.models import AuditEntry
from bot.models import Contact

STAFF_ONLY = [
    "/admin/flags",
    "/admin/conversations",
    "/admin/surveys",
    "/admin/surveys/phq2",
    "/admin/surveys/phq2/export.csv",
    "/admin/needs",
    "/admin/resources/import",
    "/admin/audit",
]


def test_every_admin_route_declares_who_may_use_it(app):  # type: ignore[no-untyped-def]
    undeclared = [
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("admin.")
        and rule.endpoint != "admin.static"
        and not getattr(app.view_functions[rule.endpoint], "admin_roles", None)
    ]
    assert undeclared == []


def test_a_view_without_a_rule_is_refused_to_everyone(settings, clock, accounts):  # type: ignore[no-untyped-def]
    from bot.app import create_app

    from .conftest import _signed_in

    app = create_app(settings, clock=clock)
    # A page that forgot its @allow, as a careless change might add one.
    app.add_url_rule("/admin/sneaky", "admin.sneaky", lambda: "secret")
    try:
        staff = _signed_in(app, accounts["admin"])
        response = staff.client.get("/admin/sneaky")
        assert response.status_code == 403
        assert "no access rule" in response.get_data(as_text=True)
    finally:
        app.extensions["vecino"].db.dispose()


@pytest.mark.parametrize("path", STAFF_ONLY)
def test_partner_staff_are_refused_residents_data_with_a_reason(partner, path):  # type: ignore[no-untyped-def]
    response = partner.client.get(path)
    assert response.status_code == 403
    assert "Your role (partner) cannot open this page." in response.get_data(as_text=True)


def test_partner_is_refused_a_conversation_page(partner, twilio, vecino):  # type: ignore[no-untyped-def]
    twilio.post("hola", sender="+13235550101")
    with vecino.db.transaction() as session:
        contact_id = session.scalars(select(Contact.id)).one()
    response = partner.client.get(f"/admin/conversations/{contact_id}")
    assert response.status_code == 403
    assert "hola" not in response.get_data(as_text=True)


def test_partner_sees_the_aggregate_dashboard(partner):  # type: ignore[no-untyped-def]
    response = partner.client.get("/admin/dashboard")
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Language access" in text
    assert "/admin/conversations" not in text  # not in their menu either


def test_partner_sees_and_edits_only_their_own_places(partner):  # type: ignore[no-untyped-def]
    listing = partner.client.get("/admin/resources").get_data(as_text=True)
    assert "Eastside Food Pantry" in listing
    assert "Westside Shelter" not in listing
    assert partner.client.get("/admin/resource/p2").status_code == 403
    refused = partner.post("/admin/resource/p2", {"action": "deactivate"})
    assert refused.status_code == 403
    assert "another organization" in refused.get_data(as_text=True)
    assert partner.post("/admin/resource/p1", {"action": "verify"}).status_code == 302


def test_only_admins_reveal_numbers_and_each_reveal_is_audited(
    organizer, admin_user, twilio, vecino
):  # type: ignore[no-untyped-def]
    twilio.post("hola", sender="+13235550102")
    with vecino.db.transaction() as session:
        contact_id = session.scalars(select(Contact.id)).one()
    page = organizer.client.get(f"/admin/conversations/{contact_id}").get_data(as_text=True)
    assert "+13235550102" not in page and "+1******0102" in page
    assert "Reveal the number" not in page
    assert organizer.post(f"/admin/conversations/{contact_id}/reveal").status_code == 403
    shown = admin_user.post(f"/admin/conversations/{contact_id}/reveal")
    assert shown.status_code == 200
    assert "+13235550102" in shown.get_data(as_text=True)
    assert shown.headers["Cache-Control"] == "no-store"
    with vecino.db.transaction() as session:
        entries = session.scalars(
            select(AuditEntry).where(AuditEntry.action == "number.reveal")
        ).all()
    assert [(e.actor, e.target) for e in entries] == [("ada@example.org", f"contact:{contact_id}")]


def test_a_partner_whose_organization_was_removed_sees_no_places(partner, vecino, directory):  # type: ignore[no-untyped-def]
    from bot.directory.models import Organization, Service

    with vecino.db.transaction() as session:
        session.get(Service, "p2").organization_id = None  # an orphan service
        session.delete(session.get(Organization, directory["east"]))
    listing = partner.client.get("/admin/resources").get_data(as_text=True)
    assert "No resources found." in listing
    assert partner.client.get("/admin/resource/p2").status_code == 403
