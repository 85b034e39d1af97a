"""Catalogs: the template is current, Spanish is complete, dates and numbers are localised."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime, time
from pathlib import Path

from babel.messages.pofile import read_po

from bot.config import PROJECT_ROOT
from bot.i18n import Catalogs, compile_catalogs, local_date, local_number, local_time

LOCALES = PROJECT_ROOT / "locales"


def _ids(path: Path) -> set[str]:
    with path.open("rb") as handle:
        return {message.id for message in read_po(handle) if message.id}


def test_messages_pot_is_current(tmp_path: Path):
    fresh = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "locales/babel.cfg",
            "--no-default-keywords",
            "-k",
            "N_",
            "-k",
            "_",
            "-k",
            "_l",
            "-o",
            str(fresh),
            ".",
        ],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    )
    assert _ids(fresh) == _ids(LOCALES / "messages.pot"), "run `make update-catalogs`"


def test_every_message_has_a_spanish_translation():
    with (LOCALES / "es" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    template = _ids(LOCALES / "messages.pot")
    translated = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
    assert template - translated == set()


def test_placeholders_survive_translation():
    catalogs = Catalogs(LOCALES)
    with (LOCALES / "es" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        for message in read_po(handle):
            if message.id and "{" in message.id:
                params = {name: "X" for name in _placeholders(message.id)}
                assert catalogs.gettext("es", message.id, **params)


def _placeholders(text: str) -> list[str]:
    import string

    return [name for _, name, _, _ in string.Formatter().parse(text) if name]


def test_catalogs_compile_from_po_when_missing(tmp_path: Path):
    target = tmp_path / "locales"
    (target / "es" / "LC_MESSAGES").mkdir(parents=True)
    po = LOCALES / "es" / "LC_MESSAGES" / "messages.po"
    (target / "es" / "LC_MESSAGES" / "messages.po").write_bytes(po.read_bytes())
    written = compile_catalogs(target)
    assert [p.name for p in written] == ["messages.mo"]
    assert compile_catalogs(target) == []  # up to date: nothing to do
    catalogs = Catalogs(target)
    assert catalogs.gettext("es", "Yes") == "Sí"
    assert catalogs.gettext("en", "Yes") == "Yes"


def test_no_compiled_catalog_is_tracked_in_git():
    tracked = subprocess.run(
        ["git", "ls-files", "*.mo"], cwd=PROJECT_ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert tracked == ""


def test_dates_times_and_numbers_follow_the_residents_locale():
    moment = datetime(2026, 12, 3, 1, 30, tzinfo=UTC)  # Dec 2, 5:30 PM in Los Angeles
    tz = "America/Los_Angeles"
    assert local_date(moment, "es", tz, "full") == "miércoles, 2 de diciembre de 2026"
    assert local_date(moment, "en", tz, "full") == "Wednesday, December 2, 2026"
    assert local_time(moment, "es", tz) == "5:30 p.m."
    assert local_time(time(17, 30), "en") == "5:30 PM"  # plain space: stays GSM-7
    assert local_number(1.25, "en") == "1.2"
    assert local_number(1234.5, "es") == "1,234.5"
