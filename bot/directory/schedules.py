"""Opening hours: HSDS schedule rules, a spreadsheet-friendly text form, and "open now".

A rule is a subset of iCalendar's RRULE, which is what HSDS 3.0 schedules use: weekly on some
days ("MO,WE"), or monthly on the nth weekday ("2FR" second Friday, "-1SA" last Saturday),
from ``opens`` to ``closes`` local time, optionally only between two dates (seasons).

Three spellings of the same rules:
- HSDS columns (``freq``, ``byday``, ``opens_at``, ``closes_at``, ``valid_from``, ``valid_to``);
- the flat template's ``hours`` text: ``Mon-Fri 9:00-17:00; 2nd,4th Fri 15:00-17:00``;
- a compact code kept in the search index (``encode``/``decode``), so that "open now" needs no
  extra query per result.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# Words a partner may type for each weekday (folded, lower case), English and Spanish.
DAY_WORDS = {
    0: ("mo", "mon", "monday", "lun", "lunes"),
    1: ("tu", "tue", "tues", "tuesday", "mar", "martes"),
    2: ("we", "wed", "wednesday", "mie", "mié", "miercoles", "miércoles"),
    3: ("th", "thu", "thur", "thurs", "thursday", "jue", "jueves"),
    4: ("fr", "fri", "friday", "vie", "viernes"),
    5: ("sa", "sat", "saturday", "sab", "sáb", "sabado", "sábado"),
    6: ("su", "sun", "sunday", "dom", "domingo"),
}
WORD_TO_DAY = {word: day for day, words in DAY_WORDS.items() for word in words}
ORDINAL_WORDS = {
    "1st": 1, "first": 1, "1er": 1, "1ro": 1, "primer": 1,
    "2nd": 2, "second": 2, "2do": 2, "segundo": 2,
    "3rd": 3, "third": 3, "3er": 3, "3ro": 3, "tercer": 3,
    "4th": 4, "fourth": 4, "4to": 4, "cuarto": 4,
    "5th": 5, "fifth": 5, "5to": 5, "quinto": 5,
    "last": -1, "ultimo": -1, "último": -1,
}  # fmt: skip
ORDINAL_NAMES = {1: "1st", 2: "2nd", 3: "3rd", 4: "4th", 5: "5th", -1: "last"}
BYDAY_PATTERN = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")
TIME_PATTERN = re.compile(r"^(\d{1,2})(?::?(\d{2}))?\s*([ap])?\.?\s*m?\.?$")
LOOKAHEAD_DAYS = 62  # monthly rules: two months always contain the next nth weekday


class HoursError(ValueError):
    """Hours that cannot be read; the message says what and how to write them."""


DaySpec = tuple[int | None, int]  # (ordinal or None for every week, weekday 0=Monday)


@dataclass(frozen=True)
class Rule:
    days: tuple[DaySpec, ...]
    opens: time
    closes: time
    valid_from: date | None = None
    valid_to: date | None = None

    def occurs_on(self, day: date) -> bool:
        if self.valid_from and day < self.valid_from:
            return False
        if self.valid_to and day > self.valid_to:
            return False
        return any(_matches(spec, day) for spec in self.days)

    @property
    def freq(self) -> str:
        return "MONTHLY" if any(ordinal for ordinal, _ in self.days) else "WEEKLY"

    @property
    def byday(self) -> str:
        return ",".join(f"{ordinal or ''}{DAY_CODES[day]}" for ordinal, day in self.days)


def _matches(spec: DaySpec, day: date) -> bool:
    ordinal, weekday = spec
    if day.weekday() != weekday:
        return False
    if ordinal is None:
        return True
    if ordinal < 0:
        return day.day + 7 * (-ordinal) > calendar.monthrange(day.year, day.month)[1]
    return (day.day - 1) // 7 + 1 == ordinal


# ---- HSDS columns ----------------------------------------------------------------------


def parse_byday(byday: str) -> tuple[DaySpec, ...]:
    specs = []
    for token in re.split(r"[,\s]+", byday.strip().upper()):
        if not token:
            continue
        match = BYDAY_PATTERN.match(token)
        if not match:
            raise HoursError(f"byday {token!r} is not like MO, 2FR or -1SA")
        ordinal = int(match.group(1)) if match.group(1) else None
        specs.append((ordinal, DAY_CODES.index(match.group(2))))
    if not specs:
        raise HoursError("byday is empty")
    return tuple(specs)


def parse_time(raw: str) -> time:
    """``9``, ``9am``, ``9:30``, ``0930``, ``930``, ``17:00``, ``5 p.m.``, ``12pm``, ``24:00``."""
    text = raw.strip().lower().replace(" ", "")
    match = TIME_PATTERN.match(text)
    if not match:
        raise HoursError(f"time {raw!r} is not like 9:00, 17:30 or 5pm")
    digits, minutes, half = match.groups()
    if minutes is None and len(digits) > 2:
        raise HoursError(f"time {raw!r} is not like 9:00, 17:30 or 5pm")
    if minutes is None and len(digits) <= 2:
        hour, minute = int(digits), 0
    else:
        hour, minute = int(digits), int(minutes)
    if minutes is None and len(text.rstrip("apm.")) in (3, 4):  # 930, 0930, 1200
        hour, minute = divmod(int(text.rstrip("apm.")), 100)
    if half == "p" and hour < 12:
        hour += 12
    elif half == "a" and hour == 12:
        hour = 0
    if hour == 24 and minute == 0:
        return time(23, 59)
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise HoursError(f"time {raw!r} is not a time of day")
    return time(hour, minute)


def parse_compact_time(raw: str) -> time:
    """FoodOasis style ``1200``, ``830``, ``0830``."""
    digits = raw.strip()
    if not digits.isdigit() or len(digits) not in (3, 4):
        raise HoursError(f"time {raw!r} is not like 0830 or 1700")
    return parse_time(digits.zfill(4))


def rule_from_hsds(
    freq: str | None,
    byday: str | None,
    opens_at: str | time | None,
    closes_at: str | time | None,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> Rule:
    if not byday:
        raise HoursError("schedule has no byday")
    if not opens_at or not closes_at:
        raise HoursError("schedule needs opens_at and closes_at")
    days = parse_byday(byday)
    if (freq or "WEEKLY").upper() not in ("WEEKLY", "MONTHLY"):
        raise HoursError(f"freq {freq!r} is not WEEKLY or MONTHLY")
    opens = opens_at if isinstance(opens_at, time) else parse_time(_strip_offset(opens_at))
    closes = closes_at if isinstance(closes_at, time) else parse_time(_strip_offset(closes_at))
    return Rule(days, opens, closes, valid_from, valid_to)


def _strip_offset(value: str) -> str:
    # HSDS allows "09:00-08:00" (an offset from UTC); our times are local to the directory.
    value = value.strip()
    match = re.match(r"^(\d{1,2}:\d{2})(?::\d{2})?(?:Z|[+-]\d{2}:?\d{2})?$", value)
    return match.group(1) if match else value


# ---- the flat template's text ----------------------------------------------------------


def parse_hours(text: str) -> list[Rule]:
    """``Mon-Fri 9:00-17:00; 2nd,4th Fri 3pm-5pm; last Sat 8:30-9:00`` into rules."""
    rules = []
    for entry in re.split(r"[;\n]+", text or ""):
        entry = re.sub(r"\s*[-–]\s*", "-", entry.strip())  # "9:00 - 17:00" -> "9:00-17:00"
        if not entry:
            continue
        parts = entry.rsplit(" ", 1)
        if len(parts) != 2 or "-" not in parts[1]:
            raise HoursError(f"{entry!r}: write days then hours, like 'Mon-Fri 9:00-17:00'")
        opens_raw, _, closes_raw = parts[1].partition("-")
        days = _parse_days(parts[0])
        rules.append(Rule(days, parse_time(opens_raw), parse_time(closes_raw)))
    return rules


def _parse_days(text: str) -> tuple[DaySpec, ...]:
    specs: list[DaySpec] = []
    ordinals: list[int] = []
    for token in re.split(r"[,\s/]+", text.strip().lower()):
        token = token.rstrip(".")
        if not token or token in ("and", "y", "&"):
            continue
        if token in ORDINAL_WORDS:
            ordinals.append(ORDINAL_WORDS[token])
            continue
        if "-" in token:
            start, _, end = token.partition("-")
            if start not in WORD_TO_DAY or end not in WORD_TO_DAY:
                raise HoursError(f"{token!r} is not a range of days like Mon-Fri")
            first, last = WORD_TO_DAY[start], WORD_TO_DAY[end]
            span = range(first, (last if last >= first else last + 7) + 1)
            days = [day % 7 for day in span]
        elif token in WORD_TO_DAY:
            days = [WORD_TO_DAY[token]]
        else:
            raise HoursError(f"{token!r} is not a day (Mon, Tue... or lun, mar...)")
        for day in days:
            specs.extend((ordinal, day) for ordinal in ordinals or [None])
        ordinals = []
    if ordinals or not specs:
        raise HoursError(f"{text!r}: name the day, like '2nd Fri' or 'Mon-Fri'")
    return tuple(dict.fromkeys(specs))


def format_hours(rules: Iterable[Rule]) -> str:
    """Rules back into the template's text (what ``vecino resources export`` writes)."""
    entries = []
    for rule in rules:
        weekly = [day for ordinal, day in rule.days if ordinal is None]
        monthly = [(ordinal, day) for ordinal, day in rule.days if ordinal is not None]
        hours = f"{rule.opens:%H:%M}-{rule.closes:%H:%M}"
        if weekly:
            entries.append(f"{_day_list(weekly)} {hours}")
        by_day: dict[int, list[int]] = {}
        for ordinal, day in monthly:
            by_day.setdefault(day, []).append(ordinal)
        for day, ordinals in by_day.items():
            names = ",".join(ORDINAL_NAMES[o] for o in ordinals)
            entries.append(f"{names} {DAY_NAMES[day]} {hours}")
    return "; ".join(entries)


def _day_list(days: Sequence[int]) -> str:
    days = sorted(set(days))
    if len(days) >= 3 and days == list(range(days[0], days[-1] + 1)):
        return f"{DAY_NAMES[days[0]]}-{DAY_NAMES[days[-1]]}"
    return ",".join(DAY_NAMES[day] for day in days)


# ---- compact code for the search index -------------------------------------------------


def encode(rules: Iterable[Rule]) -> str:
    parts = []
    for rule in rules:
        part = f"{rule.byday}@{rule.opens:%H%M}-{rule.closes:%H%M}"
        if rule.valid_from or rule.valid_to:
            start = f"{rule.valid_from:%Y%m%d}" if rule.valid_from else ""
            end = f"{rule.valid_to:%Y%m%d}" if rule.valid_to else ""
            part += f"@{start}-{end}"
        parts.append(part)
    return ";".join(parts)


@lru_cache(maxsize=65536)
def decode_cached(code: str) -> tuple[Rule, ...]:
    """``decode`` for the search's inner loop: many places share the same hours."""
    return tuple(decode(code))


def decode(code: str) -> list[Rule]:
    rules = []
    for part in filter(None, (code or "").split(";")):
        byday, hours, *valid = part.split("@")
        opens, closes = hours.split("-")
        start = end = None
        if valid:
            first, last = valid[0].split("-")
            start = datetime.strptime(first, "%Y%m%d").date() if first else None
            end = datetime.strptime(last, "%Y%m%d").date() if last else None
        rules.append(
            Rule(
                parse_byday(byday),
                time(int(opens[:2]), int(opens[2:])),
                time(int(closes[:2]), int(closes[2:])),
                start,
                end,
            )
        )
    return rules


# ---- open now, today's hours, next opening ---------------------------------------------


@dataclass(frozen=True)
class HoursStatus:
    known: bool  # False: no schedule at all ("call for hours")
    open_now: bool = False
    today: tuple[tuple[time, time], ...] = ()
    next_opening: datetime | None = None  # local time, when not open now


def _intervals(rules: Sequence[Rule], day: date) -> list[tuple[time, time]]:
    return sorted({(r.opens, r.closes) for r in rules if r.occurs_on(day)})


def status(rules: Sequence[Rule], now: datetime, tz: str) -> HoursStatus:
    """Whether a place is open at ``now``, its hours today and when it next opens."""
    if not rules:
        return HoursStatus(known=False)
    zone = ZoneInfo(tz)
    local = now.astimezone(zone)
    today = local.date()
    clock = local.time().replace(tzinfo=None)
    intervals = _intervals(rules, today)
    open_now = any(_covers(opens, closes, clock) for opens, closes in intervals)
    if not open_now:  # a night that started yesterday ("Fri 20:00-02:00") may still run
        yesterday = _intervals(rules, today - timedelta(days=1))
        open_now = any(closes <= opens and clock < closes for opens, closes in yesterday)
    next_opening = None
    if not open_now:
        for offset in range(LOOKAHEAD_DAYS + 1):
            day = today + timedelta(days=offset)
            starts = [o for o, _ in _intervals(rules, day) if offset > 0 or o > clock]
            if starts:
                next_opening = datetime.combine(day, min(starts), tzinfo=zone)
                break
    return HoursStatus(True, open_now, tuple(intervals), next_opening)


def is_open(rules: Sequence[Rule], local: datetime) -> bool:
    """Open at ``local`` (already in the directory's time zone)?"""
    return open_checker(local)(rules)


def open_checker(local: datetime) -> Callable[[Sequence[Rule]], bool]:
    """A fast "open at ``local``?" for the search's inner loop: the day, the time and the
    weekday arithmetic are worked out once per search, not once per place."""
    today, clock = local.date(), local.time().replace(tzinfo=None)
    yesterday = today - timedelta(days=1)
    weekday = today.weekday()

    def check(rules: Sequence[Rule]) -> bool:
        for rule in rules:
            if rule.closes <= rule.opens:  # past midnight: rare, take the general path
                if (rule.occurs_on(today) and clock >= rule.opens) or (
                    clock < rule.closes and rule.occurs_on(yesterday)
                ):
                    return True
                continue
            if not rule.opens <= clock < rule.closes:
                continue
            if any(day == weekday for _, day in rule.days) and rule.occurs_on(today):
                return True
        return False

    return check


def _covers(opens: time, closes: time, clock: time) -> bool:
    if closes <= opens:  # past midnight
        return clock >= opens
    return opens <= clock < closes
