"""Cookies, CSRF and response headers for the admin view.

**Secure cookies and ``make run``.** The session cookie is ``Secure`` unless the request
came over plain HTTP to a loopback address (127.0.0.1, ::1, localhost): that is
``make run`` on a laptop, where nothing crosses a network. Every other plain-HTTP request
gets a ``Secure`` cookie, which browsers drop, and the login page says HTTPS is needed.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from urllib.parse import urlsplit

from flask import Flask, Request, Response, abort, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask_wtf.csrf import CSRFError, generate_csrf, validate_csrf
from wtforms.validators import ValidationError

from .context import gettext as _

WEBHOOKS_PATH = "/webhooks/"
SESSION_LIFETIME = timedelta(hours=8)  # one working day; then sign in again
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)


def is_loopback_http(req: Request) -> bool:
    if req.is_secure:
        return False
    host = (req.host or "").rsplit(":", 1)[0].strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class AdminSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, ``Secure`` except for plain HTTP on loopback."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return not is_loopback_http(request)

    def open_session(self, app: Flask, request: Request) -> SessionMixin | None:
        # Providers' webhooks never carry the admin cookie, and opening it builds a signer for
        # every resident's message; None gives them Flask's read-only null session.
        if request.path.startswith(WEBHOOKS_PATH):
            return None
        return super().open_session(app, request)


def configure(app: Flask) -> None:
    app.session_interface = AdminSessionInterface()
    app.config.update(
        SESSION_COOKIE_NAME="vecino_admin",
        SESSION_COOKIE_HTTPONLY=True,
        # Lax: a link from an e-mail opens the page signed in; every change is a POST with a
        # CSRF token, which a cross-site form cannot have.
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=SESSION_LIFETIME,
        WTF_CSRF_TIME_LIMIT=None,  # valid for the session: a note typed slowly is not lost
        WTF_CSRF_FIELD_NAME="csrf_token",
    )
    app.jinja_env.globals["csrf_token"] = generate_csrf


def check_csrf() -> None:
    """Every POST to the admin view carries Flask-WTF's token and comes from this site."""
    origin = request.headers.get("Origin")
    if origin and origin != "null":
        expected = urlsplit(request.host_url)
        given = urlsplit(origin)
        if (given.scheme, given.netloc) != (expected.scheme, expected.netloc):
            abort(400, description=_("This form was sent from another website, so it was refused."))
    token = request.form.get("csrf_token")
    if not token:
        abort(
            400,
            description=_(
                "This form had no security token, so it was refused. Reload the page and try again."
            ),
        )
    try:
        validate_csrf(token)
    except (ValidationError, CSRFError):
        abort(
            400,
            description=_(
                "This form's security token is not valid (the page is old or your session "
                "ended). Reload the page and try again."
            ),
        )


def headers(response: Response, personal: bool = True) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    if personal:
        response.headers["Cache-Control"] = "no-store"
    return response
