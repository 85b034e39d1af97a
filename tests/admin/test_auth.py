"""Signing in and out: passwords, lockout, sessions, cookies, CSRF, headers."""

from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import select

from admin.models import AuditEntry, LoginAttempt

from .conftest import PASSWORD, sign_in, token_from


def test_sign_in_lands_on_the_dashboard_and_is_audited(app, accounts, vecino):  # type: ignore[no-untyped-def]
    client = app.test_client()
    response = sign_in(client, "ADA@example.org ")  # case and spaces do not matter
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/dashboard"
    page = client.get("/admin/dashboard")
    assert page.status_code == 200
    assert "ada@example.org" in page.get_data(as_text=True)
    with vecino.db.transaction() as session:
        actions = session.scalars(select(AuditEntry.action)).all()
    assert "login" in actions


def test_pages_need_a_signed_in_user(client, accounts):  # type: ignore[no-untyped-def]
    response = client.get("/admin/flags")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/login?next=/admin/flags")


def test_a_wrong_password_is_refused_with_a_reason(client, accounts):  # type: ignore[no-untyped-def]
    response = sign_in(client, "ada@example.org", "wrong password here")
    assert response.status_code == 401
    assert "do not match an account" in response.get_data(as_text=True)
    assert client.get("/admin/dashboard").status_code == 302


def test_five_failures_lock_the_account_even_for_the_right_password(
    client, accounts, clock, vecino
):  # type: ignore[no-untyped-def]
    for _ in range(4):
        assert sign_in(client, "ada@example.org", "nope nope nope").status_code == 401
    fifth = sign_in(client, "ada@example.org", "nope nope nope")
    assert fifth.status_code == 429
    assert "locked for 15 more minute(s)" in fifth.get_data(as_text=True)
    refused = sign_in(client, "ada@example.org", PASSWORD)
    assert refused.status_code == 429
    clock.advance(minutes=6)
    text = sign_in(client, "ada@example.org", PASSWORD).get_data(as_text=True)
    assert "locked for 9 more minute(s)" in text
    clock.advance(minutes=10)
    assert sign_in(client, "ada@example.org", PASSWORD).status_code == 302
    with vecino.db.transaction() as session:
        # The refused tries during the lockout were not even checked, nor recorded.
        assert len(session.scalars(select(LoginAttempt)).all()) == 6


def test_an_unknown_email_gets_the_same_answer_as_a_wrong_password(client, accounts):  # type: ignore[no-untyped-def]
    response = sign_in(client, "nobody@example.org", PASSWORD)
    assert response.status_code == 401
    assert "do not match an account" in response.get_data(as_text=True)


def test_a_post_without_a_csrf_token_is_refused_with_a_reason(client, accounts):  # type: ignore[no-untyped-def]
    response = client.post("/admin/login", data={"email": "ada@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert "no security token" in response.get_data(as_text=True)


def test_a_forged_csrf_token_is_refused(admin_user):  # type: ignore[no-untyped-def]
    response = admin_user.client.post("/admin/logout", data={"csrf_token": "forged.token.value"})
    assert response.status_code == 400
    assert "security token is not valid" in response.get_data(as_text=True)
    assert admin_user.client.get("/admin/dashboard").status_code == 200  # still signed in


def test_a_form_posted_from_another_site_is_refused(admin_user):  # type: ignore[no-untyped-def]
    response = admin_user.client.post(
        "/admin/logout",
        data={"csrf_token": admin_user.token()},
        headers={"Origin": "https://evil.example.com"},
    )
    assert response.status_code == 400
    assert "another website" in response.get_data(as_text=True)


def test_sign_out_kills_copies_of_the_session_cookie(app, admin_user):  # type: ignore[no-untyped-def]
    cookie = admin_user.client.get_cookie("vecino_admin")
    copy = app.test_client()
    copy.set_cookie("vecino_admin", cookie.value)
    assert copy.get("/admin/dashboard").status_code == 200
    response = admin_user.post("/admin/logout")
    assert response.status_code == 302
    assert admin_user.client.get("/admin/dashboard").status_code == 302
    stolen = copy.get("/admin/dashboard", follow_redirects=True)
    assert "You were signed out" in stolen.get_data(as_text=True)


def test_a_cookie_signed_with_another_secret_key_is_refused_with_a_reason(app, accounts):  # type: ignore[no-untyped-def]
    other = app.__class__("other")
    other.secret_key = "a different secret key"
    serializer = SecureCookieSessionInterface().get_signing_serializer(other)
    forged = serializer.dumps({"uid": 1, "nonce": "x", "issued": 2e9})
    client = app.test_client()
    client.set_cookie("vecino_admin", forged)
    response = client.get("/admin/dashboard", follow_redirects=True)
    assert response.status_code == 200
    text = response.get_data(as_text=True)
    assert "Sign in to Vecino" in text
    assert "no longer valid" in text


def test_cookie_flags_and_security_headers(app, accounts):  # type: ignore[no-untyped-def]
    secure = app.test_client()
    page = secure.get("/admin/login", base_url="https://vecino.example.org")
    cookie = page.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert page.headers["Cache-Control"] == "no-store"
    assert page.headers["X-Frame-Options"] == "DENY"
    token = token_from(page.get_data(as_text=True))
    signed_in = secure.post(
        "/admin/login",
        data={"email": "ada@example.org", "password": PASSWORD, "csrf_token": token},
        base_url="https://vecino.example.org",
    )
    assert "Expires=" in signed_in.headers["Set-Cookie"]  # a lifetime, not a browser session
    # Plain HTTP on loopback (make run): not Secure, or no browser would send it back.
    local = app.test_client().get("/admin/login", base_url="http://127.0.0.1:5000")
    assert "Secure" not in local.headers["Set-Cookie"]
    # Plain HTTP anywhere else: Secure, and the page says HTTPS is needed.
    remote = app.test_client().get("/admin/login", base_url="http://192.0.2.10")
    assert "Secure" in remote.headers["Set-Cookie"]
    assert "not using HTTPS" in remote.get_data(as_text=True)


def test_next_never_leads_off_site(app, accounts):  # type: ignore[no-untyped-def]
    client = app.test_client()
    token = token_from(client.get("/admin/login").get_data(as_text=True))
    response = client.post(
        "/admin/login?next=https://evil.example.com/",
        data={"email": "ada@example.org", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/admin/dashboard"


def test_language_choice_is_remembered_for_the_user(app, admin_user):  # type: ignore[no-untyped-def]
    response = admin_user.post("/admin/language", {"language": "es", "next": "/admin/flags"})
    assert response.headers["Location"] == "/admin/flags"
    assert "Alertas" in admin_user.client.get("/admin/flags").get_data(as_text=True)
    fresh = app.test_client()  # another browser, no language cookie
    sign_in(fresh, "ada@example.org")
    text = fresh.get("/admin/dashboard").get_data(as_text=True)
    assert "Acceso por idioma" in text and 'lang="es"' in text


def test_the_login_page_follows_the_browser_language(client, accounts):  # type: ignore[no-untyped-def]
    text = client.get("/admin/login", headers={"Accept-Language": "es-MX,es;q=0.9"}).get_data(
        as_text=True
    )
    assert "Entra a Vecino" in text
    assert "Sign in to Vecino" in client.get("/admin/login").get_data(as_text=True)


def test_many_failures_from_one_address_lock_it_for_every_email(client, accounts):  # type: ignore[no-untyped-def]
    for n in range(20):
        sign_in(client, f"guess{n}@example.org", "wrong password")
    response = sign_in(client, "olga@example.org", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.get_data(as_text=True)


def test_a_session_older_than_its_lifetime_ends_with_a_reason(admin_user):  # type: ignore[no-untyped-def]
    with admin_user.client.session_transaction() as session:
        session["issued"] = session["issued"] - 9 * 3600
    response = admin_user.client.get("/admin/dashboard", follow_redirects=True)
    assert "Your session ended after 8 hours" in response.get_data(as_text=True)
    assert "Sign in to Vecino" in response.get_data(as_text=True)
