"""Helpers for the admin view's browser tests (``test_browser.py``, ``test_acceptance.py``):
Debian's Chromium, how to sign in, and the README's screenshots.

Set ``VECINO_SCREENSHOTS=docs/img`` (``make screenshots``) to save the README's pictures.
Chromium comes from Debian (``.ci/run`` and ``make test`` install it); Playwright never
downloads a browser here. The ``browser`` and ``page`` fixtures are in ``conftest.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

from .conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = os.environ.get("VECINO_SCREENSHOTS")


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def sign_in(page, email: str, password: str = PASSWORD) -> None:  # type: ignore[no-untyped-def]
    page.goto("/admin/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")


def create_town_hall(page) -> None:  # type: ignore[no-untyped-def]
    """Fill the new-event form (already open) with the same town hall, and save it."""
    page.select_option("select[name=kind]", "town_hall")
    page.fill("input[name=title_es]", "Asamblea: comida y vivienda")
    page.fill("input[name=title_en]", "Town hall: food and housing")
    page.fill("input[name=starts]", "2026-12-01T18:00")
    page.fill("input[name=place]", "Central Library, 630 W 5th St")
    page.fill("textarea[name=sms_details_es]", "Habrá cuidado de niños e interpretación.")
    page.fill("textarea[name=sms_details_en]", "Child care and interpretation provided.")
    page.click("button[type=submit]")
