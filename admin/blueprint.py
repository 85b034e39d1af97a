"""The admin blueprint and its one gate: every route declares who may use it, or nobody can.

``allow(...)`` marks a view with the roles that may open it; the ``before_request`` guard
refuses any view without that mark, so a new page that forgets it fails closed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from werkzeug.exceptions import HTTPException, abort

from . import security
from .context import current_user, reading
from .context import gettext as _
from .models import AdminUser

PUBLIC = ("public",)
STAFF = ("admin", "organizer")  # see residents' conversations and flags
EVERYONE = ("admin", "organizer", "partner")
ADMIN = ("admin",)

blueprint = Blueprint(
    "admin",
    __name__,
    url_prefix="/admin",
    template_folder="templates",
    static_folder="static",
)

F = TypeVar("F", bound=Callable[..., Any])


def allow(*roles: str) -> Callable[[F], F]:
    def mark(view: F) -> F:
        view.admin_roles = roles  # type: ignore[attr-defined]
        return view

    return mark


def safe_next(target: str | None) -> str:
    """Only a path inside the admin view: never an open redirect to another site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and parts.path.startswith("/admin/"):
            return target
    return url_for("admin.dashboard")


def _load_user() -> AdminUser | None:
    uid, nonce, issued = session.get("uid"), session.get("nonce"), session.get("issued")
    if not isinstance(uid, int) or not isinstance(issued, (int, float)):
        return None
    if time.time() - issued > security.SESSION_LIFETIME.total_seconds():
        session.clear()
        flash(_("Your session ended after 8 hours. Please sign in again."), "error")
        return None
    with reading() as db:
        user = db.get(AdminUser, uid)
    if user is None or user.disabled or user.session_nonce != nonce:
        session.clear()
        flash(_("You were signed out. Please sign in again."), "error")
        return None
    return user


@blueprint.before_request
def guard() -> Any:
    if request.endpoint == "admin.static":
        return None
    view = current_app.view_functions.get(request.endpoint or "")
    roles = getattr(view, "admin_roles", None)
    if roles is None:
        abort(403, description="This page has no access rule, so nobody may open it.")
    cookie_sent = current_app.config["SESSION_COOKIE_NAME"] in request.cookies
    if cookie_sent and not session:
        # The cookie was there but its signature did not check out (another SECRET_KEY,
        # tampering) or it expired: say so instead of silently showing the login form.
        g.stale_cookie = True
    g.admin_user = _load_user()
    if getattr(view, "accepts_uploads", False):
        # Raise the app's small webhook limit before the CSRF check reads the form.
        request.max_content_length = security.MAX_UPLOAD_BYTES
    if request.method == "POST":
        security.check_csrf()
    if roles == PUBLIC:
        return None
    user = current_user()
    if user is None:
        if g.get("stale_cookie"):
            flash(
                _(
                    "Your session is no longer valid (it expired, or the server's key changed). "
                    "Please sign in again."
                ),
                "error",
            )
        return redirect(url_for("admin.login", next=request.full_path.rstrip("?")))
    if user.role not in roles:
        abort(403, description=_("Your role ({role}) cannot open this page.", role=_(user.role)))
    return None


@blueprint.after_request
def add_headers(response):  # type: ignore[no-untyped-def]
    return security.headers(response, personal=request.endpoint != "admin.static")


@blueprint.errorhandler(HTTPException)
def error_page(error: HTTPException):  # type: ignore[no-untyped-def]
    reason = error.description or error.name
    if error.code == 413:
        view = current_app.view_functions.get(request.endpoint or "")
        if getattr(view, "accepts_uploads", False):
            limit = security.MAX_UPLOAD_BYTES // 2**20
            reason = _("The file is too large (the limit is {mb} MB).", mb=limit)
        else:
            reason = _("What you sent is too large for this form.")
    response = current_app.make_response(
        (render_template("admin/error.html", code=error.code, reason=reason), error.code or 500)
    )
    return security.headers(response)
