"""``vecino resources export``: the directory as the flat template, one row per service at a
location, ready to edit in a spreadsheet and import again (same ids, so rows update in place)."""

from __future__ import annotations

import csv
from collections import defaultdict
from typing import TextIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import schedules
from .importer import FLAT_COLUMNS
from .models import (
    Language,
    Location,
    Organization,
    Phone,
    Schedule,
    Service,
    ServiceAtLocation,
    ServiceCategory,
)
from .search import rules_by_service_at_location


def export_flat(session: Session, out: TextIO) -> int:
    """Write every service at a location as a template row; returns the number of rows."""
    categories: dict[str, list[str]] = defaultdict(list)
    for service_id, code in session.execute(
        select(ServiceCategory.service_id, ServiceCategory.category).order_by(
            ServiceCategory.category
        )
    ):
        categories[service_id].append(code)
    languages: dict[str, list[str]] = defaultdict(list)
    for service_id, code in session.execute(
        select(Language.service_id, Language.code).where(Language.service_id.is_not(None))
    ):
        if code:
            languages[service_id].append(code)
    phones: dict[str, str] = {}
    for phone in session.scalars(select(Phone).order_by(Phone.id)):
        for key in (phone.service_at_location_id, phone.service_id, phone.location_id):
            if key:
                phones.setdefault(key, phone.number)
    notes: dict[str, str] = {}
    for row in session.scalars(select(Schedule).where(Schedule.description.is_not(None))):
        key = row.service_at_location_id or row.service_id or row.location_id
        if key and row.description:
            notes.setdefault(key, row.description)
    rules = rules_by_service_at_location(session)

    writer = csv.DictWriter(out, FLAT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    query = (
        select(ServiceAtLocation, Service, Location, Organization)
        .join(Service, Service.id == ServiceAtLocation.service_id)
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .outerjoin(Organization, Organization.id == Service.organization_id)
        .order_by(ServiceAtLocation.id)
    )
    for sal, service, location, organization in session.execute(query):
        verified = service.last_verified_on or (
            organization.last_verified_on if organization else None
        )
        writer.writerow(
            {
                "id": sal.id,
                "organization": organization.name if organization else "",
                "name": service.name,
                "name_es": service.name_es or "",
                "description": service.description or "",
                "description_es": service.description_es or "",
                "category": "; ".join(categories.get(service.id, [])),
                "address_1": location.address_1 or "",
                "address_2": location.address_2 or "",
                "city": location.city or "",
                "state": location.state_province or "",
                "zip": location.postal_code or "",
                "latitude": "" if location.latitude is None else f"{location.latitude:.6f}",
                "longitude": "" if location.longitude is None else f"{location.longitude:.6f}",
                "phone": phones.get(sal.id)
                or phones.get(service.id)
                or phones.get(location.id)
                or "",
                "website": service.url or (organization.website if organization else "") or "",
                "email": service.email or "",
                "hours": schedules.format_hours(rules.get(sal.id, [])),
                "hours_notes": notes.get(sal.id) or notes.get(service.id) or "",
                "languages": "; ".join(languages.get(service.id, [])),
                "eligibility": service.eligibility_description or "",
                "fees": service.fees_description or "",
                "last_verified": verified.isoformat() if verified else "",
            }
        )
        count += 1
    return count
