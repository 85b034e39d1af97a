"""``vecino resources import PATH``: an HSDS folder of CSVs, or the flat template.

Both end in the same tables. Records keep their source ids, so importing the same data again
updates rows in place (and says "unchanged"). A bad row is skipped and reported by file, row
and reason while the good rows import; a file that cannot be read at all (no such columns, not
CSV) stops the whole import, and because the caller runs it in one transaction nothing is
half-written either way.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import phonenumbers
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from . import schedules
from .categories import category_codes, category_for_term, find_category
from .csvfiles import CsvError, CsvFile, read_csv
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
from .places import resolve_zip
from .search import rebuild_index

FLAT_COLUMNS = [
    "id",
    "organization",
    "name",
    "name_es",
    "description",
    "description_es",
    "category",
    "address_1",
    "address_2",
    "city",
    "state",
    "zip",
    "latitude",
    "longitude",
    "phone",
    "website",
    "email",
    "hours",
    "hours_notes",
    "languages",
    "eligibility",
    "fees",
    "last_verified",
]
FLAT_REQUIRED = ["id", "name", "category"]
ID_PATTERN = re.compile(r"^[\w.:/-]{1,128}$")

# HSDS tables we read, the file names they go by (HSDS 3.0 singular, 2.0 plural), and the
# columns without which a file makes no sense.
HSDS_FILES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "organization": (("organizations.csv", "organization.csv"), ("id", "name")),
    "service": (("services.csv", "service.csv"), ("id", "name")),
    "location": (("locations.csv", "location.csv"), ("id",)),
    "address": (("addresses.csv", "address.csv", "physical_addresses.csv"), ("location_id",)),
    "service_at_location": (
        ("service_at_location.csv", "service_at_locations.csv", "services_at_location.csv"),
        ("id", "service_id", "location_id"),
    ),
    "phone": (("phones.csv", "phone.csv"), ("id", "number")),
    "schedule": (("schedules.csv", "schedule.csv", "regular_schedules.csv"), ("id",)),
    "language": (("languages.csv", "language.csv"), ("id",)),
    "taxonomy_term": (("taxonomy_terms.csv", "taxonomy_term.csv"), ("id", "name")),
    "attribute": (
        ("attributes.csv", "attribute.csv", "service_attributes.csv", "service_taxonomy.csv"),
        ("taxonomy_term_id",),
    ),
}


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}, row {self.row}" if self.row else self.file
        return f"{where}: {self.reason}"


@dataclass
class ImportReport:
    format: str = ""
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    problems: list[Problem] = field(default_factory=list)  # rows skipped
    notes: list[Problem] = field(default_factory=list)  # imported, but worth knowing
    searchable: int = 0
    organizations_written: set[str] = field(default_factory=set)
    flat_ids: dict[str, str] = field(default_factory=dict)  # id -> "file, row N" (all files)

    def problem(self, file: str, row: int | None, reason: str) -> None:
        self.problems.append(Problem(file, row, reason))

    def note(self, file: str, row: int | None, reason: str) -> None:
        self.notes.append(Problem(file, row, reason))

    def lines(self) -> list[str]:
        tables = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        out = [f"Format: {self.format}"]
        for table in tables:
            out.append(
                f"  {table}: {self.created[table]} new, {self.updated[table]} updated, "
                f"{self.unchanged[table]} unchanged"
            )
        out.append(f"  searchable places (with coordinates and a category): {self.searchable}")
        out.extend(f"NOTE {note}" for note in self.notes)
        out.extend(f"SKIPPED {problem}" for problem in self.problems)
        return out


class ImportFailed(Exception):
    """The import cannot go ahead at all; nothing may be written."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def import_path(session: Session, path: Path) -> ImportReport:
    """Import a folder (HSDS) or a CSV file (flat template) into the open transaction."""
    path = Path(path)
    if path.is_dir():
        present = {p.name.lower(): p for p in path.iterdir() if p.suffix.lower() == ".csv"}
        if any(name in present for names, _ in HSDS_FILES.values() for name in names):
            report = import_hsds(session, present)
        else:
            flats = sorted(present.values())
            if not flats:
                raise ImportFailed([f"{path}: no CSV files here"])
            report = ImportReport(format="flat template")
            files = [_read(p, FLAT_REQUIRED) for p in flats]
            for csv_file in files:
                import_flat(session, csv_file, report)
    elif path.is_file():
        report = ImportReport(format="flat template")
        import_flat(session, _read(path, FLAT_REQUIRED), report)
    else:
        raise ImportFailed([f"{path}: no such file or folder"])
    report.searchable = rebuild_index(session)
    return report


def _read(path: Path, required: Iterable[str]) -> CsvFile:
    try:
        csv_file = read_csv(path)
    except (CsvError, OSError) as error:
        raise ImportFailed([str(error)]) from error
    missing = [column for column in required if column not in csv_file.header]
    if missing:
        raise ImportFailed(
            [
                f"{csv_file.name}: missing column(s) {', '.join(missing)}; "
                f"found {', '.join(h for h in csv_file.header if h) or 'none'}"
            ]
        )
    return csv_file


# ---- shared helpers --------------------------------------------------------------------


def _upsert(
    session: Session,
    model: type,
    key: str,
    values: dict[str, Any],
    report: ImportReport,
    table: str,
    existing: dict[str, Any] | None = None,
) -> Any:
    """Insert or update one row by id, counting what happened; ``existing``: preloaded rows."""
    row = existing.get(key) if existing is not None else session.get(model, key)
    if row is None:
        row = model(id=key, **values)
        session.add(row)
        report.created[table] += 1
        return row
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    if changed:
        report.updated[table] += 1
    else:
        report.unchanged[table] += 1
    return row


def _text(value: str | None, limit: int | None = None) -> str | None:
    """A cell's text, or None when blank; short fields (names, addresses) on one line."""
    value = (value or "").strip()
    if not value:
        return None
    if limit:
        return " ".join(value.split())[:limit]
    return value


def _float(value: str | None, low: float, high: float, what: str) -> float | None:
    if not (value or "").strip():
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except ValueError:
        raise ValueError(f"{what} {value!r} is not a number") from None
    if not math.isfinite(number) or not low <= number <= high:
        raise ValueError(f"{what} {value!r} is out of range")
    return number


def _int(value: str | None, what: str) -> int | None:
    if not (value or "").strip():
        return None
    try:
        return int(float(value))  # type: ignore[arg-type]
    except ValueError:
        raise ValueError(f"{what} {value!r} is not a number") from None


def _date(value: str | None, what: str) -> date | None:
    value = (value or "").strip()
    if not value:
        return None
    for pattern in ("%Y-%m-%d", "%m/%d/%Y", "%Y"):
        try:
            parsed = datetime.strptime(value[:10], pattern)
            return parsed.date()
        except ValueError:
            continue
    raise ValueError(f"{what} {value!r} is not a date like 2024-05-31")


def format_phone(raw: str | None) -> str | None:
    """US numbers as ``(213) 747-6357``; anything we cannot parse, as given."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        parsed = phonenumbers.parse(raw, "US")
    except phonenumbers.NumberParseException:
        return raw[:64]
    if not phonenumbers.is_possible_number(parsed):
        return raw[:64]
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)


def _check_id(value: str | None) -> str:
    value = (value or "").strip()
    if not value:
        raise ValueError("no id")
    if not ID_PATTERN.match(value):
        raise ValueError(f"id {value!r} may only use letters, digits and - _ . : /")
    return value


def slug(text: str) -> str:
    words = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60]
    digest = hashlib.sha1(text.strip().lower().encode()).hexdigest()[:8]
    return f"{words}-{digest}" if words else digest


def _rows_once(csv_file: CsvFile, report: ImportReport) -> Iterable[tuple[int, dict[str, str]]]:
    """Rows with a usable, not yet seen id; the rest reported."""
    seen: dict[str, int] = {}
    for number, row in csv_file.rows:
        try:
            key = _check_id(row.get("id"))
        except ValueError as error:
            report.problem(csv_file.name, number, str(error))
            continue
        if key in seen:
            report.problem(
                csv_file.name, number, f"duplicate id {key!r} (first on row {seen[key]})"
            )
            continue
        seen[key] = number
        yield number, row


def _categories(raw: str) -> list[str]:
    codes = []
    for item in re.split(r"[;,|]+", raw or ""):
        item = item.strip()
        if not item:
            continue
        code = (
            item if item in category_codes() else (category_for_term(item) or find_category(item))
        )
        if code is None:
            raise ValueError(f"category {item!r} is not one of {', '.join(category_codes())}")
        codes.append(code)
    return list(dict.fromkeys(codes))


def _set_categories(session: Session, service_id: str, codes: list[str]) -> None:
    existing = set(
        session.scalars(
            select(ServiceCategory.category).where(ServiceCategory.service_id == service_id)
        )
    )
    for code in existing - set(codes):
        session.execute(
            delete(ServiceCategory).where(
                ServiceCategory.service_id == service_id, ServiceCategory.category == code
            )
        )
    for code in set(codes) - existing:
        session.add(ServiceCategory(service_id=service_id, category=code))


# ---- the flat template -----------------------------------------------------------------


@dataclass
class FlatRecord:
    """One template row, checked and converted, ready to write."""

    key: str
    org_id: str
    organization: dict[str, Any]
    service: dict[str, Any]
    location: dict[str, Any]
    categories: list[str]
    phone: str | None
    rules: list[schedules.Rule]
    hours_notes: str | None
    languages: list[str]


def import_flat(session: Session, csv_file: CsvFile, report: ImportReport) -> None:
    """Check every row first (bad ones reported, nothing written for them), then write the
    good ones in bulk: a few queries per table instead of a few per row."""
    for note in csv_file.notes:
        report.note(csv_file.name, None, note)
    unknown = [h for h in csv_file.header if h and h not in FLAT_COLUMNS]
    if unknown:
        report.note(csv_file.name, None, f"ignored unknown column(s): {', '.join(unknown)}")
    records = []
    for number, row in _rows_once(csv_file, report):
        key = row["id"].strip()
        if key in report.flat_ids:  # the same id in two files of one import
            report.problem(csv_file.name, number, f"duplicate id {key!r} ({report.flat_ids[key]})")
            continue
        try:
            records.append(_flat_record(csv_file.name, number, row, report))
        except ValueError as error:
            report.problem(csv_file.name, number, str(error))
            continue
        report.flat_ids[key] = f"{csv_file.name}, row {number}"
    _write_flat(session, records, report)


def _flat_record(file: str, number: int, row: dict[str, str], report: ImportReport) -> FlatRecord:
    key = _check_id(row.get("id"))
    name = _text(row.get("name"), 255)
    if not name:
        raise ValueError("no name")
    codes = _categories(row.get("category", ""))
    if not codes:
        raise ValueError("no category")
    latitude = _float(row.get("latitude"), -90, 90, "latitude")
    longitude = _float(row.get("longitude"), -180, 180, "longitude")
    if (latitude is None) != (longitude is None):
        raise ValueError("give both latitude and longitude, or neither")
    try:
        rules = schedules.parse_hours(row.get("hours", ""))
    except schedules.HoursError as error:
        raise ValueError(f"hours: {error}") from None
    verified = _date(row.get("last_verified"), "last_verified")
    zip_code = _text(row.get("zip"), 16)
    if latitude is None:
        place = resolve_zip((zip_code or "")[:5])
        if place is not None:
            latitude, longitude = place.latitude, place.longitude
            report.note(file, number, f"no coordinates; placed at the centre of ZIP {zip_code}")
        else:
            report.note(file, number, "no coordinates or known ZIP: not found by searches")
    organization = _text(row.get("organization"), 255) or name
    org_id = "org-" + slug(organization)
    languages = [
        code.strip().lower()[:16]
        for code in re.split(r"[;,| ]+", row.get("languages", ""))
        if code.strip()
    ]
    return FlatRecord(
        key=key,
        org_id=org_id,
        organization={"name": organization, "last_verified_on": verified},
        service={
            "organization_id": org_id,
            "name": name,
            "name_es": _text(row.get("name_es"), 255),
            "description": _text(row.get("description")),
            "description_es": _text(row.get("description_es")),
            "url": _text(row.get("website"), 512),
            "email": _text(row.get("email"), 255),
            "status": "active",
            "fees_description": _text(row.get("fees")),
            "eligibility_description": _text(row.get("eligibility")),
            "last_verified_on": verified,
        },
        location={
            "organization_id": org_id,
            "name": name,
            "address_1": _text(row.get("address_1"), 255),
            "address_2": _text(row.get("address_2"), 255),
            "city": _text(row.get("city"), 128),
            "state_province": _text(row.get("state"), 64),
            "postal_code": zip_code,
            "latitude": latitude,
            "longitude": longitude,
        },
        categories=codes,
        phone=format_phone(row.get("phone")),
        rules=rules,
        hours_notes=_text(row.get("hours_notes")),
        languages=list(dict.fromkeys(languages)),
    )


def _chunks(items: list[str], size: int = 500) -> Iterable[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _preload(session: Session, model: type, ids: list[str]) -> dict[str, Any]:
    """Existing rows by id, loaded in a few queries instead of one per row."""
    found = {}
    for chunk in _chunks(ids):
        found.update(
            (row.id, row) for row in session.scalars(select(model).where(model.id.in_(chunk)))
        )
    return found


def _write_flat(session: Session, records: list[FlatRecord], report: ImportReport) -> None:
    if not records:
        return
    keys = [r.key for r in records]
    with session.no_autoflush:
        organizations = _preload(session, Organization, list({r.org_id for r in records}))
        services = _preload(session, Service, keys)
        locations = _preload(session, Location, keys)
        links = _preload(session, ServiceAtLocation, keys)
        for record in records:
            if record.org_id not in report.organizations_written:  # shared by many rows
                _upsert(
                    session,
                    Organization,
                    record.org_id,
                    record.organization,
                    report,
                    "organization",
                    organizations,
                )
                report.organizations_written.add(record.org_id)
        session.flush()  # no ORM relationships to order the inserts: parents first
        for record in records:
            _upsert(session, Service, record.key, record.service, report, "service", services)
            _upsert(session, Location, record.key, record.location, report, "location", locations)
        session.flush()
        for record in records:
            values = {"service_id": record.key, "location_id": record.key}
            _upsert(
                session, ServiceAtLocation, record.key, values, report, "service_at_location", links
            )
        session.flush()
    existing: dict[str, set[str]] = {}
    for chunk in _chunks(keys):
        for service_id, code in session.execute(
            select(ServiceCategory.service_id, ServiceCategory.category).where(
                ServiceCategory.service_id.in_(chunk)
            )
        ):
            existing.setdefault(service_id, set()).add(code)
        # Phones, hours and languages of these rows are rewritten from the file.
        session.execute(delete(Phone).where(Phone.service_at_location_id.in_(chunk)))
        session.execute(delete(Schedule).where(Schedule.service_at_location_id.in_(chunk)))
        session.execute(delete(Language).where(Language.service_id.in_(chunk)))
    for record in records:
        had = existing.get(record.key, set())
        for code in had - set(record.categories):
            session.execute(
                delete(ServiceCategory).where(
                    ServiceCategory.service_id == record.key, ServiceCategory.category == code
                )
            )
        for code in set(record.categories) - had:
            session.add(ServiceCategory(service_id=record.key, category=code))
        if record.phone:
            session.add(
                Phone(
                    id=f"{record.key}-phone", service_at_location_id=record.key, number=record.phone
                )
            )
        for index, rule in enumerate(record.rules, start=1):
            session.add(
                Schedule(
                    id=f"{record.key}-hours-{index}",
                    service_at_location_id=record.key,
                    freq=rule.freq,
                    byday=rule.byday,
                    opens_at=rule.opens,
                    closes_at=rule.closes,
                    description=record.hours_notes if index == 1 else None,
                )
            )
        if not record.rules and record.hours_notes:
            session.add(
                Schedule(
                    id=f"{record.key}-hours-1",
                    service_at_location_id=record.key,
                    description=record.hours_notes,
                )
            )
        for code in record.languages:
            session.add(Language(id=f"{record.key}-lang-{code}", service_id=record.key, code=code))
    session.flush()


# ---- HSDS ------------------------------------------------------------------------------


def import_hsds(session: Session, present: dict[str, Path]) -> ImportReport:
    report = ImportReport(format="HSDS")
    files: dict[str, CsvFile] = {}
    failures: list[str] = []
    for table, (names, required) in HSDS_FILES.items():
        path = next((present[n] for n in names if n in present), None)
        if path is None:
            continue
        try:
            files[table] = _read(path, required)
        except ImportFailed as error:
            failures.extend(error.reasons)
    if table_missing := [t for t in ("service",) if t not in files]:
        failures.append(f"an HSDS folder needs {', '.join(table_missing)} (services.csv)")
    if failures:
        raise ImportFailed(failures)
    for csv_file in files.values():
        for note in csv_file.notes:
            report.note(csv_file.name, None, note)

    addresses = _addresses(files.get("address"), report)
    steps: list[tuple[str, Callable[..., None]]] = [
        ("organization", _hsds_organization),
        ("service", _hsds_service),
        ("location", _hsds_location),
        ("service_at_location", _hsds_service_at_location),
        ("phone", _hsds_phone),
        ("schedule", _hsds_schedule),
        ("language", _hsds_language),
    ]
    for table, handler in steps:
        csv_file = files.get(table)
        if csv_file is None:
            continue
        for number, row in _rows_once(csv_file, report):
            try:
                with session.begin_nested():
                    handler(session, row, report, addresses, csv_file.name)
                    session.flush()
            except ValueError as error:
                report.problem(csv_file.name, number, str(error))
    _hsds_categories(session, files, report)
    return report


def _addresses(csv_file: CsvFile | None, report: ImportReport) -> dict[str, dict[str, str]]:
    """The physical address of each location (HSDS 3.0 keeps them in their own file)."""
    found: dict[str, dict[str, str]] = {}
    if csv_file is None:
        return found
    for number, row in csv_file.rows:
        kind = (row.get("address_type") or "physical").lower()
        if kind != "physical":
            continue
        location_id = row.get("location_id", "")
        if not location_id:
            report.problem(csv_file.name, number, "no location_id")
            continue
        found.setdefault(location_id, row)
    return found


def _exists(session: Session, model: type, key: str | None, what: str) -> str | None:
    key = (key or "").strip() or None
    if key is not None and session.get(model, key) is None:
        raise ValueError(f"{what} {key!r} does not exist")
    return key


def _hsds_organization(
    session: Session, row: dict[str, str], report: ImportReport, _: Any, file: str
) -> None:
    name = _text(row.get("name"), 255)
    if not name:
        raise ValueError("no name")
    _upsert(
        session,
        Organization,
        row["id"],
        {
            "name": name,
            "name_en": _text(row.get("name_en"), 255),
            "name_es": _text(row.get("name_es"), 255),
            "description": _text(row.get("description")),
            "description_es": _text(row.get("description_es")),
            "website": _text(row.get("website") or row.get("url"), 512),
            "email": _text(row.get("email"), 255),
            "last_verified_on": _date(row.get("last_verified"), "last_verified"),
        },
        report,
        "organization",
    )


def _hsds_service(
    session: Session, row: dict[str, str], report: ImportReport, _: Any, file: str
) -> None:
    name = _text(row.get("name"), 255)
    if not name:
        raise ValueError("no name")
    organization_id = _exists(session, Organization, row.get("organization_id"), "organization_id")
    status = (row.get("status") or "active").strip().lower()
    verified = row.get("last_verified") or row.get("assured_date")
    codes = _categories(row["category"]) if row.get("category") else None
    _upsert(
        session,
        Service,
        row["id"],
        {
            "organization_id": organization_id,
            "name": name,
            "name_en": _text(row.get("name_en"), 255),
            "name_es": _text(row.get("name_es"), 255),
            "description": _text(row.get("description")),
            "description_en": _text(row.get("description_en")),
            "description_es": _text(row.get("description_es")),
            "url": _text(row.get("url"), 512),
            "email": _text(row.get("email"), 255),
            "status": status[:32],
            "fees_description": _text(row.get("fees_description") or row.get("fees")),
            "eligibility_description": _text(
                row.get("eligibility_description") or row.get("eligibility")
            ),
            "application_process": _text(row.get("application_process")),
            "minimum_age": _int(row.get("minimum_age"), "minimum_age"),
            "maximum_age": _int(row.get("maximum_age"), "maximum_age"),
            "last_verified_on": _date(verified, "last_verified"),
        },
        report,
        "service",
    )
    if codes is not None:
        session.flush()
        _set_categories(session, row["id"], codes)


def _hsds_location(
    session: Session,
    row: dict[str, str],
    report: ImportReport,
    addresses: dict[str, dict[str, str]],
    file: str,
) -> None:
    latitude = _float(row.get("latitude"), -90, 90, "latitude")
    longitude = _float(row.get("longitude"), -180, 180, "longitude")
    if (latitude is None) != (longitude is None):
        raise ValueError("give both latitude and longitude, or neither")
    address = addresses.get(row["id"], row)  # HSDS 2.0 exports sometimes inline it
    postal_code = _text(address.get("postal_code") or address.get("zip"), 16)
    if latitude is None:
        place = resolve_zip((postal_code or "")[:5])
        if place is not None:
            latitude, longitude = place.latitude, place.longitude
            report.note(
                file,
                None,
                f"location {row['id']}: no coordinates; placed at ZIP {postal_code}",
            )
        else:
            report.note(
                file,
                None,
                f"location {row['id']}: no coordinates or known ZIP; not searchable",
            )
    _upsert(
        session,
        Location,
        row["id"],
        {
            "organization_id": _exists(
                session, Organization, row.get("organization_id"), "organization_id"
            ),
            "name": _text(row.get("name"), 255),
            "description": _text(row.get("description")),
            "transportation": _text(row.get("transportation")),
            "address_1": _text(address.get("address_1"), 255),
            "address_2": _text(address.get("address_2"), 255),
            "city": _text(address.get("city"), 128),
            "state_province": _text(address.get("state_province") or address.get("state"), 64),
            "postal_code": postal_code,
            "latitude": latitude,
            "longitude": longitude,
        },
        report,
        "location",
    )


def _hsds_service_at_location(
    session: Session, row: dict[str, str], report: ImportReport, _: Any, file: str
) -> None:
    service_id = _exists(session, Service, row.get("service_id"), "service_id")
    location_id = _exists(session, Location, row.get("location_id"), "location_id")
    if not service_id or not location_id:
        raise ValueError("needs service_id and location_id")
    other = session.scalar(
        select(ServiceAtLocation.id).where(
            ServiceAtLocation.service_id == service_id,
            ServiceAtLocation.location_id == location_id,
            ServiceAtLocation.id != row["id"],
        )
    )
    if other is not None:
        raise ValueError(f"service {service_id} is already at location {location_id} (as {other})")
    _upsert(
        session,
        ServiceAtLocation,
        row["id"],
        {
            "service_id": service_id,
            "location_id": location_id,
            "description": _text(row.get("description")),
        },
        report,
        "service_at_location",
    )


def _links(session: Session, row: dict[str, str]) -> dict[str, str | None]:
    links = {
        "organization_id": _exists(
            session, Organization, row.get("organization_id"), "organization_id"
        ),
        "service_id": _exists(session, Service, row.get("service_id"), "service_id"),
        "location_id": _exists(session, Location, row.get("location_id"), "location_id"),
        "service_at_location_id": _exists(
            session, ServiceAtLocation, row.get("service_at_location_id"), "service_at_location_id"
        ),
    }
    return links


def _hsds_phone(
    session: Session, row: dict[str, str], report: ImportReport, _: Any, file: str
) -> None:
    number = format_phone(row.get("number"))
    if not number:
        raise ValueError("no number")
    links = _links(session, row)
    if not any(links.values()):
        raise ValueError("a phone must belong to an organization, service or location")
    _upsert(
        session,
        Phone,
        row["id"],
        {
            **links,
            "number": number,
            "extension": _text(row.get("extension"), 16),
            "type": _text(row.get("type"), 16),
            "description": _text(row.get("description")),
        },
        report,
        "phone",
    )


WEEKDAY_NUMBERS = {"1": "MO", "2": "TU", "3": "WE", "4": "TH", "5": "FR", "6": "SA", "7": "SU"}


def _hsds_schedule(
    session: Session, row: dict[str, str], report: ImportReport, _: Any, file: str
) -> None:
    links = _links(session, row)
    links.pop("organization_id")
    if not any(links.values()):
        raise ValueError("a schedule must belong to a service, location or service at location")
    byday = row.get("byday") or ""
    weekday = (row.get("weekday") or "").strip().lower()  # HSDS 2.0 regular_schedules
    if not byday and weekday:
        if weekday in WEEKDAY_NUMBERS:
            byday = WEEKDAY_NUMBERS[weekday]
        elif weekday in schedules.WORD_TO_DAY:
            byday = schedules.DAY_CODES[schedules.WORD_TO_DAY[weekday]]
        else:
            raise ValueError(f"weekday {weekday!r} is not a day")
    values: dict[str, Any] = {**links, "description": _text(row.get("description"))}
    valid_from = _date(row.get("valid_from"), "valid_from")
    valid_to = _date(row.get("valid_to"), "valid_to")
    if byday or row.get("opens_at") or row.get("closes_at"):
        try:
            rule = schedules.rule_from_hsds(
                row.get("freq"),
                byday,
                row.get("opens_at"),
                row.get("closes_at"),
                valid_from,
                valid_to,
            )
        except schedules.HoursError as error:
            raise ValueError(str(error)) from None
        values.update(freq=rule.freq, byday=rule.byday, opens_at=rule.opens, closes_at=rule.closes)
    elif not values["description"]:
        raise ValueError("no byday/opens_at/closes_at and no description")
    else:
        values.update(freq=None, byday=None, opens_at=None, closes_at=None)
    values.update(valid_from=valid_from, valid_to=valid_to)
    _upsert(session, Schedule, row["id"], values, report, "schedule")


def _hsds_language(
    session: Session, row: dict[str, str], report: ImportReport, _: Any, file: str
) -> None:
    service_id = _exists(session, Service, row.get("service_id"), "service_id")
    location_id = _exists(session, Location, row.get("location_id"), "location_id")
    if not service_id and not location_id:
        raise ValueError("a language must belong to a service or location")
    code = _text(row.get("code"), 16)
    name = _text(row.get("name") or row.get("language"), 64)
    if not code and not name:
        raise ValueError("no code or name")
    _upsert(
        session,
        Language,
        row["id"],
        {
            "service_id": service_id,
            "location_id": location_id,
            "code": code,
            "name": name,
        },
        report,
        "language",
    )


def _hsds_categories(session: Session, files: dict[str, CsvFile], report: ImportReport) -> None:
    """Map taxonomy terms linked to services onto our categories (see categories.yaml)."""
    terms_file, links_file = files.get("taxonomy_term"), files.get("attribute")
    if links_file is None:
        return
    terms: dict[str, str | None] = {}
    if terms_file is not None:
        for _, row in terms_file.rows:
            terms[row.get("id", "")] = category_for_term(row.get("code") or "") or (
                category_for_term(row.get("name") or "")
            )
    by_service: dict[str, list[str]] = {}
    for number, row in links_file.rows:
        service_id = row.get("link_id") or row.get("service_id") or ""
        entity = (row.get("link_entity") or row.get("link_type") or "service").lower()
        if entity not in ("service", "services"):
            continue
        term_id = row.get("taxonomy_term_id", "")
        code = terms.get(term_id) or category_for_term(term_id)
        if session.get(Service, service_id) is None:
            report.problem(links_file.name, number, f"service {service_id!r} does not exist")
            continue
        if code is None:
            report.note(
                links_file.name, number, f"taxonomy term {term_id!r} matches none of our categories"
            )
            continue
        by_service.setdefault(service_id, []).append(code)
    for service_id, codes in by_service.items():
        _set_categories(session, service_id, list(dict.fromkeys(codes)))
    session.flush()
