"""System strings through Babel catalogs, and dates and numbers in the resident's locale.

The contact's stored language selects the catalog (SMS has no Accept-Language). Catalogs are
compiled from the committed ``.po`` files when the ``.mo`` is missing or older, so a fresh
checkout, ``make run`` and a deploy's release phase all end up with current catalogs.
"""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

from .engine.messages import N_

__all__ = [
    "N_",
    "Catalogs",
    "compile_catalogs",
    "local_date",
    "local_number",
    "local_pattern",
    "local_time",
]

DOMAIN = "messages"
SOURCE_LANGUAGE = "en"
LOCALES = {"es": "es_US", "en": "en_US"}


def compile_catalogs(locales_dir: Path) -> list[Path]:
    """Compile every ``.po`` under ``locales_dir`` whose ``.mo`` is missing or stale."""
    written = []
    for po_path in sorted(locales_dir.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parent.parent.name)
        tmp_path = mo_path.with_suffix(".mo.tmp")
        with tmp_path.open("wb") as mo_file:
            write_mo(mo_file, catalog, use_fuzzy=False)
        tmp_path.replace(mo_path)  # atomic, so two processes starting together cannot clash
        written.append(mo_path)
    return written


class Catalogs:
    """Translations for each supported language."""

    def __init__(self, locales_dir: Path) -> None:
        compile_catalogs(locales_dir)
        self._translations: dict[str, NullTranslations] = {}
        for language in LOCALES:
            loaded = Translations.load(str(locales_dir), [language], DOMAIN)
            self._translations[language] = loaded

    def gettext(self, language: str | None, message: str, **params: object) -> str:
        translated = self._translations[language or SOURCE_LANGUAGE].gettext(message)
        return translated.format(**params) if params else translated

    def has_translation(self, language: str, message: str) -> bool:
        return self._translations[language].gettext(message) != message


def _plain_spaces(text: str) -> str:
    # CLDR puts narrow no-break spaces in times ("5:30\u202fPM"); one such character moves a
    # whole SMS out of GSM-7 and more than doubles its cost.
    return text.replace("\u202f", " ").replace("\xa0", " ")


def locale_for(language: str | None) -> Locale:
    return Locale.parse(LOCALES.get(language or SOURCE_LANGUAGE, "en_US"))


def local_date(value: datetime, language: str | None, tz: str, format: str = "long") -> str:
    """``martes, 3 de diciembre`` / ``Tuesday, December 3`` style dates, in the given zone."""
    local = value.astimezone(ZoneInfo(tz))
    return _plain_spaces(format_date(local.date(), format=format, locale=locale_for(language)))


def local_time(value: time | datetime, language: str | None, tz: str | None = None) -> str:
    """``5:30 p.m.`` / ``5:30 PM``; datetimes are converted to ``tz`` first."""
    if isinstance(value, datetime):
        value = value.astimezone(ZoneInfo(tz or "UTC")).time()
    return _plain_spaces(format_time(value, format="short", locale=locale_for(language)))


def local_pattern(value: datetime, pattern: str, language: str | None) -> str:
    """A date in a CLDR pattern (``"EEE"`` -> ``Wed`` / ``mié``) in the resident's locale.

    ``value`` must already be in the residents' time zone.
    """
    return _plain_spaces(format_date(value.date(), pattern, locale=locale_for(language)))


def local_number(value: float, language: str | None, digits: int = 1) -> str:
    """``1.5`` / ``1,5`` depending on the locale (es_US uses a point, like en_US)."""
    return format_decimal(round(value, digits), locale=locale_for(language))
