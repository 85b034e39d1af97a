"""Admin fixtures: accounts of each role, a signed-in test client, residents texting in."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from admin.users import create_user
from bot.directory.importer import import_path, slug
from bot.surveys import store

PASSWORD = "correct horse battery staple"
FLAT_HEADER = "id,organization,name,name_es,category,address_1,city,state,zip,latitude,longitude"


@pytest.fixture(autouse=True)
def cheap_hashes(monkeypatch):  # type: ignore[no-untyped-def]
    """Argon2 at its cheapest parameters: the same code path, a fraction of the memory and time
    (production keeps argon2-cffi's RFC 9106 defaults)."""
    from argon2 import PasswordHasher, profiles

    from admin import passwords

    cheap = PasswordHasher.from_parameters(profiles.CHEAPEST)
    monkeypatch.setattr(passwords, "_hasher", cheap)
    monkeypatch.setattr(passwords, "_DUMMY", cheap.hash("timing only"))


def token_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF token in the page"
    return match.group(1)


@dataclass
class Staff:
    """A test client signed in as one account."""

    client: FlaskClient
    email: str

    def token(self, path: str = "/admin/dashboard") -> str:
        return token_from(self.client.get(path).get_data(as_text=True))

    def post(self, path: str, data: dict | None = None, **kwargs):  # type: ignore[no-untyped-def]
        form = {"csrf_token": self.token(), **(data or {})}
        return self.client.post(path, data=form, **kwargs)


def sign_in(client: FlaskClient, email: str, password: str = PASSWORD):  # type: ignore[no-untyped-def]
    token = token_from(client.get("/admin/login").get_data(as_text=True))
    return client.post(
        "/admin/login", data={"email": email, "password": password, "csrf_token": token}
    )


def write_directory(path: Path, *rows: str) -> Path:
    path.write_text(FLAT_HEADER + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def directory(vecino, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Two organizations' places, so partner scoping has something to hide."""
    csv_path = write_directory(
        tmp_path / "places.csv",
        "p1,Eastside Pantry,Eastside Food Pantry,Despensa del Este,food,1 Main St,Los Angeles,CA,"
        "90057,34.0622,-118.2750",
        "p2,Westside Help,Westside Shelter,Refugio del Oeste,housing,2 Oak St,Los Angeles,CA,"
        "90026,34.0780,-118.2600",
    )
    with vecino.db.transaction() as session:
        import_path(session, csv_path)
    return {"east": "org-" + slug("Eastside Pantry"), "west": "org-" + slug("Westside Help")}


@pytest.fixture
def accounts(vecino, clock, directory):  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        create_user(session, "ada@example.org", PASSWORD, "admin", clock())
        create_user(session, "olga@example.org", PASSWORD, "organizer", clock())
        create_user(session, "pat@example.org", PASSWORD, "partner", clock(), directory["east"])
    return {
        "admin": "ada@example.org",
        "organizer": "olga@example.org",
        "partner": "pat@example.org",
    }


def _signed_in(app, email: str) -> Staff:  # type: ignore[no-untyped-def]
    client = app.test_client()
    response = sign_in(client, email)
    assert response.status_code == 302, response.get_data(as_text=True)
    return Staff(client, email)


@pytest.fixture
def admin_user(app, accounts) -> Staff:  # type: ignore[no-untyped-def]
    return _signed_in(app, accounts["admin"])


@pytest.fixture
def organizer(app, accounts) -> Staff:  # type: ignore[no-untyped-def]
    return _signed_in(app, accounts["organizer"])


@pytest.fixture
def partner(app, accounts) -> Staff:  # type: ignore[no-untyped-def]
    return _signed_in(app, accounts["partner"])


@pytest.fixture
def open_surveys(vecino, clock):  # type: ignore[no-untyped-def]
    with vecino.db.transaction() as session:
        for key in ("phq2", "hunger_vital_sign"):
            store.set_open(session, key, True, clock())


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium under Playwright, one per test module (imported here, not at the top,
    so the tests that need no browser do not load Playwright)."""
    from playwright.sync_api import sync_playwright

    from .browsing import ARGS, CHROMIUM

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make browser` (apt-get install chromium)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser, live_server):  # type: ignore[no-untyped-def]
    """A fresh browser tab (its own cookies) on the app served over loopback."""
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 1200, "height": 900}, locale="en-US"
    )
    tab = context.new_page()
    yield tab
    context.close()
