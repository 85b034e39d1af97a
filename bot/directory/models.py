"""Directory tables, compatible with Open Referral HSDS 3.0, plus what our residents need.

HSDS gives the shape (organization, service, location, service_at_location, phone, schedule,
language, taxonomy); we add names and descriptions in Spanish and English and the date a record
was last verified. Ids are the source's own HSDS ids (strings), so re-importing the same data
updates rows in place instead of duplicating them.

``DirectoryPoint`` is a derived table, rebuilt after every import: one row per
(service at location, category) with its coordinates and compact hours, indexed on
(category, latitude, longitude) so a search reads a small bounding box instead of every row.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..models import Base, utcnow

ID = String(128)


def localized(
    source: str | None, english: str | None, spanish: str | None, language: str | None
) -> str:
    """The text in the resident's language when we have it, else as the source wrote it."""
    return ((spanish if language == "es" else english) or source or "").strip()


class Organization(Base):
    __tablename__ = "directory_organizations"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str | None] = mapped_column(String(255))
    name_es: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    description_es: Mapped[str | None] = mapped_column(Text)
    website: Mapped[str | None] = mapped_column(String(512))
    email: Mapped[str | None] = mapped_column(String(255))
    last_verified_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Service(Base):
    __tablename__ = "directory_services"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("directory_organizations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    name_en: Mapped[str | None] = mapped_column(String(255))
    name_es: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    description_es: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(512))
    email: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(32), default="active")
    fees_description: Mapped[str | None] = mapped_column(Text)
    eligibility_description: Mapped[str | None] = mapped_column(Text)
    application_process: Mapped[str | None] = mapped_column(Text)
    minimum_age: Mapped[int | None] = mapped_column(Integer)
    maximum_age: Mapped[int | None] = mapped_column(Integer)
    # HSDS calls this assured_date; we show it to residents as "last verified".
    last_verified_on: Mapped[date | None] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    organization: Mapped[Organization | None] = relationship()

    def display_name(self, language: str | None) -> str:
        return localized(self.name, self.name_en, self.name_es, language)


class Location(Base):
    """A physical place; HSDS 3.0 keeps the address in its own table, we keep it here."""

    __tablename__ = "directory_locations"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("directory_organizations.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    transportation: Mapped[str | None] = mapped_column(Text)
    address_1: Mapped[str | None] = mapped_column(String(255))
    address_2: Mapped[str | None] = mapped_column(String(255))
    city: Mapped[str | None] = mapped_column(String(128))
    state_province: Mapped[str | None] = mapped_column(String(64))
    postal_code: Mapped[str | None] = mapped_column(String(16))
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ServiceAtLocation(Base):
    """What a resident is referred to: one service offered at one place."""

    __tablename__ = "directory_service_at_locations"
    __table_args__ = (UniqueConstraint("service_id", "location_id"),)

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    service_id: Mapped[str] = mapped_column(
        ForeignKey("directory_services.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[str] = mapped_column(
        ForeignKey("directory_locations.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service] = relationship()
    location: Mapped[Location] = relationship()


class Phone(Base):
    __tablename__ = "directory_phones"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    organization_id: Mapped[str | None] = mapped_column(
        ForeignKey("directory_organizations.id", ondelete="CASCADE"), index=True
    )
    service_id: Mapped[str | None] = mapped_column(
        ForeignKey("directory_services.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[str | None] = mapped_column(
        ForeignKey("directory_locations.id", ondelete="CASCADE"), index=True
    )
    service_at_location_id: Mapped[str | None] = mapped_column(
        ForeignKey("directory_service_at_locations.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[str] = mapped_column(String(64))
    extension: Mapped[str | None] = mapped_column(String(16))
    type: Mapped[str | None] = mapped_column(String(16))
    description: Mapped[str | None] = mapped_column(Text)


class Schedule(Base):
    """HSDS 3.0 schedule (an iCalendar RRULE subset): ``freq`` WEEKLY with ``byday`` "MO,WE",
    or MONTHLY with "2FR" (second Friday) or "-1SA" (last Saturday); local times."""

    __tablename__ = "directory_schedules"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    service_id: Mapped[str | None] = mapped_column(
        ForeignKey("directory_services.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[str | None] = mapped_column(
        ForeignKey("directory_locations.id", ondelete="CASCADE"), index=True
    )
    service_at_location_id: Mapped[str | None] = mapped_column(
        ForeignKey("directory_service_at_locations.id", ondelete="CASCADE"), index=True
    )
    freq: Mapped[str | None] = mapped_column(String(16))
    byday: Mapped[str | None] = mapped_column(String(64))
    opens_at: Mapped[time | None] = mapped_column(Time)
    closes_at: Mapped[time | None] = mapped_column(Time)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    description: Mapped[str | None] = mapped_column(Text)


class Language(Base):
    """A language a service (or location) is offered in, ISO 639-1 ``code``."""

    __tablename__ = "directory_languages"

    id: Mapped[str] = mapped_column(ID, primary_key=True)
    service_id: Mapped[str | None] = mapped_column(
        ForeignKey("directory_services.id", ondelete="CASCADE"), index=True
    )
    location_id: Mapped[str | None] = mapped_column(
        ForeignKey("directory_locations.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str | None] = mapped_column(String(16))
    name: Mapped[str | None] = mapped_column(String(64))


class ServiceCategory(Base):
    """A service's category (``bot/directory/categories.yaml``); HSDS links taxonomy terms to
    services through ``attribute`` rows, which the importer maps onto these codes."""

    __tablename__ = "directory_service_categories"

    service_id: Mapped[str] = mapped_column(
        ForeignKey("directory_services.id", ondelete="CASCADE"), primary_key=True
    )
    category: Mapped[str] = mapped_column(String(32), primary_key=True)


LAT_BAND_DEGREES = 0.02  # about 1.4 miles of latitude


class DirectoryPoint(Base):
    """Search index (derived): where each service at a location is, per category.

    ``lat_band`` is the latitude cut into 0.02-degree strips. The index on (category,
    lat_band, longitude) lets a bounding-box query read, strip by strip, only the entries whose
    longitude is inside the box; an index on latitude alone would read every entry in the whole
    east-west strip of the county."""

    __tablename__ = "directory_points"
    # The trailing columns make it a covering index: a search never reads the table itself.
    __table_args__ = (
        Index(
            "ix_directory_points_search",
            "category",
            "lat_band",
            "longitude",
            "latitude",
            "service_at_location_id",
            "hours",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_at_location_id: Mapped[str] = mapped_column(
        ForeignKey("directory_service_at_locations.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[str] = mapped_column(String(32))
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    lat_band: Mapped[int] = mapped_column(Integer)
    # Compact opening rules (see schedules.encode), so open-now needs no extra query.
    hours: Mapped[str] = mapped_column(Text, default="")


class ResourceSearch(Base):
    """One search: the unmet-need record (category, ZIP, what was near; never message text),
    plus the not-yet-shown results so MORE/MÁS can page without searching again."""

    __tablename__ = "directory_searches"
    __table_args__ = (Index("ix_directory_searches_contact_created", "contact_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"))
    category: Mapped[str] = mapped_column(String(32))
    zip_code: Mapped[str | None] = mapped_column(String(5))
    via: Mapped[str] = mapped_column(String(16))  # "zip" or "location"
    within_1mi: Mapped[int] = mapped_column(Integer, default=0)
    within_3mi: Mapped[int] = mapped_column(Integer, default=0)
    within_10mi: Mapped[int] = mapped_column(Integer, default=0)
    nearest_miles: Mapped[float | None] = mapped_column(Float)
    shown: Mapped[int] = mapped_column(Integer, default=0)
    # [[service_at_location_id, miles], ...] still to show, nearest first.
    pending: Mapped[list[Any]] = mapped_column(JSON, default=list)


class Referral(Base):
    """A result shown to a resident, for a later "did you get the help you needed?"."""

    __tablename__ = "directory_referrals"

    id: Mapped[int] = mapped_column(primary_key=True)
    search_id: Mapped[int] = mapped_column(
        ForeignKey("directory_searches.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[int] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    service_at_location_id: Mapped[str | None] = mapped_column(
        ForeignKey("directory_service_at_locations.id", ondelete="SET NULL"), index=True
    )
    # The name as shown, so a follow-up still makes sense if the record is removed later.
    resource_name: Mapped[str] = mapped_column(String(255))
    rank: Mapped[int] = mapped_column(Integer)
    distance_miles: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    followed_up_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(String(32))
