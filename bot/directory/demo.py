"""``vecino demo``: load the Food Oasis LA 2017 food pantries and farmers markets.

The files in ``data/demo/`` are Hack for LA's own format (see ``data/demo/NOTICE``); this
module turns each row into a row of our flat template and imports it the ordinary way, so the
demo exercises the same code as a partner's spreadsheet. Quirks handled here:
- hours are ``daycodeN``/``dayN_open``/``dayN_close`` triples; codes are ``Fri`` (every week),
  ``Fri2nd`` (second Friday of the month), ``FriLast``, and once ``Tues``; times ``1200``/``830``;
- the pantry file's header names ``day6_open`` twice: the second one is day 6's closing time
  (our CSV reader keeps it as ``day6_open__2``), and it has one column with no name (ignored);
- two farmers markets appear twice with different days: their hours are merged.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from sqlalchemy.orm import Session

from ..config import PROJECT_ROOT
from . import schedules
from .csvfiles import CsvFile, read_csv
from .importer import FLAT_COLUMNS, ImportReport, import_flat
from .search import rebuild_index

DEMO_DIR = PROJECT_ROOT / "data" / "demo"
PANTRIES = "foodoasis_2017_food_pantries_lacounty.csv"
MARKETS = "foodoasis_2017_farmers_markets_lacounty.csv"
LAST_VERIFIED = "2017-03-01"  # the snapshot's month; residents are told "verified 2017"
DAY_CODE = re.compile(r"^(mon|tues?|wed|thu|fri|sat|sun)(1st|2nd|3rd|4th|5th|last)?$", re.I)
ORDINALS = {"1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5, "last": -1}
DAYS = {"mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}


def day_spec(code: str) -> schedules.DaySpec:
    """``Fri`` -> every Friday; ``Fri2nd`` -> second Friday of the month; ``SatLast``."""
    match = DAY_CODE.match(code.strip())
    if not match:
        raise schedules.HoursError(f"day code {code!r} is not like Fri or Fri2nd")
    ordinal = ORDINALS[match.group(2).lower()] if match.group(2) else None
    return ordinal, DAYS[match.group(1).lower()]


def _rules(row: dict[str, str]) -> list[schedules.Rule]:
    rules = []
    for n in range(1, 8):
        code = row.get(f"daycode{n}", "")
        if not code:
            continue
        opens = row.get(f"day{n}_open", "")
        # The pantry file's duplicated header: day 6's close sits in a second "day6_open".
        closes = row.get(f"day{n}_close") or row.get(f"day{n}_open__2", "")
        rules.append(
            schedules.Rule(
                (day_spec(code),),
                schedules.parse_compact_time(opens),
                schedules.parse_compact_time(closes),
            )
        )
    return rules


def _website(raw: str) -> str:
    # The source lost the colon in many URLs ("https//example.org").
    return re.sub(r"^(https?)//", r"\1://", raw.strip())


def to_flat(csv_file: CsvFile, kind: str) -> tuple[CsvFile, list[tuple[int, str]]]:
    """The Food Oasis rows as flat-template rows, and rows that could not be converted."""
    description = {
        "pantry": ("Food pantry", "Despensa de comida"),
        "market": ("Farmers market", "Mercado de agricultores"),
    }[kind]
    converted: dict[str, tuple[int, dict[str, str], list[schedules.Rule]]] = {}
    problems = []
    for number, row in csv_file.rows:
        try:
            rules = _rules(row)
        except schedules.HoursError as error:
            problems.append((number, str(error)))
            continue
        identity = "|".join(row.get(k, "").strip().lower() for k in ("name", "address_1", "zip"))
        key = f"foodoasis-{kind}-{hashlib.sha1(identity.encode()).hexdigest()[:10]}"
        if key in converted:  # listed twice with different days: one place, all its days
            converted[key][2].extend(r for r in rules if r not in converted[key][2])
            continue
        state = row.get("state", "")
        flat = {
            "id": key,
            "organization": row.get("name", ""),
            "name": row.get("name", ""),
            "description": description[0],
            "description_es": description[1],
            "category": "food",
            "address_1": row.get("address_1", ""),
            "address_2": row.get("address_2", ""),
            "city": row.get("city", ""),
            "state": "CA" if state.lower() in ("ca", "california") else state,
            "zip": row.get("zip", ""),
            "latitude": row.get("latitude", ""),
            "longitude": row.get("longitude", ""),
            "phone": row.get("phone", ""),
            "website": _website(row.get("website", "")),
            "last_verified": LAST_VERIFIED,
        }
        converted[key] = (number, flat, rules)
    rows = []
    for number, flat, rules in converted.values():
        rows.append((number, {**flat, "hours": schedules.format_hours(rules)}))
    return CsvFile(csv_file.name, list(FLAT_COLUMNS), rows, csv_file.notes), problems


def load_demo(session: Session, directory: Path = DEMO_DIR) -> ImportReport:
    """Import the demo files into the open transaction (idempotent, like any import)."""
    report = ImportReport(format="Food Oasis LA 2017 (demo)")
    for name, kind in ((PANTRIES, "pantry"), (MARKETS, "market")):
        flat, problems = to_flat(read_csv(directory / name), kind)
        for number, reason in problems:
            report.problem(name, number, reason)
        import_flat(session, flat, report)
    report.searchable = rebuild_index(session)
    return report
