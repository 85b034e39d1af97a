"""Sign in, sign out, and the language switch."""

from __future__ import annotations

import secrets
import time

from flask import (
    abort,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from . import audit, security
from .blueprint import EVERYONE, PUBLIC, allow, blueprint, safe_next
from .context import LANGUAGE_COOKIE, LANGUAGES, client_ip, current_user, now, transaction
from .context import gettext as _
from .models import AdminUser
from .users import lock_remaining, normalise_email, sign_in


def _locked_message(minutes: int) -> str:
    return _(
        "Too many failed sign-ins. For your safety, sign-in is locked for {minutes} more "
        "minute(s). Ask an administrator if you forgot your password.",
        minutes=minutes,
    )


@blueprint.route("/login", methods=["GET", "POST"])
@allow(*PUBLIC)
def login():  # type: ignore[no-untyped-def]
    if request.method == "GET":
        if current_user() is not None:
            return redirect(safe_next(request.args.get("next")))
        return render_template("admin/login.html", insecure=_insecure())
    email = normalise_email(request.form.get("email", ""))[:255]
    password = request.form.get("password", "")[:1024]
    ip = client_ip()
    with transaction() as db:
        result = sign_in(db, email, password, ip, now())
        if result.user is not None:
            audit.record(db, result.user, "login", now(), ip=ip)
        locked_after = (
            0 if result.user or result.locked_minutes else lock_remaining(db, email, ip, now())
        )
    if result.locked_minutes or locked_after:
        message, status = _locked_message(result.locked_minutes or locked_after), 429
    elif result.user is None:
        message, status = _("That e-mail and password do not match an account."), 401
    else:
        user = result.user
        session.clear()
        session.permanent = True
        session.update(uid=user.id, nonce=user.session_nonce, issued=time.time())
        return redirect(safe_next(request.args.get("next")))
    return (
        render_template("admin/login.html", error=message, email=email, insecure=_insecure()),
        status,
    )


def _insecure() -> bool:
    return not request.is_secure and not security.is_loopback_http(request)


@blueprint.route("/logout", methods=["POST"])
@allow(*EVERYONE)
def logout():  # type: ignore[no-untyped-def]
    user = current_user()
    with transaction() as db:
        row = db.get(AdminUser, user.id)
        if row is not None:
            row.session_nonce = secrets.token_hex(16)  # any copy of the cookie dies too
            audit.record(db, row, "logout", now(), ip=client_ip())
    session.clear()
    flash(_("You are signed out."), "info")
    return redirect(url_for("admin.login"))


@blueprint.route("/language", methods=["POST"])
@allow(*PUBLIC)
def set_language():  # type: ignore[no-untyped-def]
    chosen = request.form.get("language")
    if chosen not in LANGUAGES:
        abort(400, description=_("Unknown language."))
    user = current_user()
    if user is not None:
        with transaction() as db:
            row = db.get(AdminUser, user.id)
            if row is not None and row.language != chosen:
                row.language = chosen
                audit.record(db, row, "user.language", now(), detail={"language": chosen})
        g.admin_user.language = chosen
    response = make_response(redirect(safe_next(request.form.get("next"))))
    response.set_cookie(
        LANGUAGE_COOKIE,
        chosen,
        max_age=365 * 24 * 3600,
        httponly=True,
        samesite="Lax",
        secure=not security.is_loopback_http(request),
    )
    return response
