"""``vecino users create``: passwords from a terminal prompt or standard input."""

from __future__ import annotations

from sqlalchemy import select

from admin.models import AdminUser, AuditEntry
from admin.passwords import verify_password
from bot.cli import main

from .conftest import PASSWORD


def _run(app, args, stdin: str):  # type: ignore[no-untyped-def]
    from flask.cli import ScriptInfo

    runner = app.test_cli_runner()
    return runner.invoke(main, args, input=stdin, obj=ScriptInfo(create_app=lambda: app))


def test_create_an_organizer_with_the_password_on_standard_input(app, vecino):  # type: ignore[no-untyped-def]
    result = _run(
        app, ["users", "create", "Maria@Example.org", "--role", "organizer"], PASSWORD + "\n"
    )
    assert result.exit_code == 0, result.output
    assert "Created maria@example.org (organizer)" in result.output
    with vecino.db.transaction() as session:
        user = session.scalars(select(AdminUser)).one()
        assert user.role == "organizer"
        assert user.password_hash.startswith("$argon2id$")
        assert verify_password(user.password_hash, PASSWORD)
        assert session.scalars(select(AuditEntry.action)).all() == ["user.create"]
    listed = _run(app, ["users", "list"], "")
    assert "maria@example.org" in listed.output and "never" in listed.output


def test_refusals_say_why(app, directory):  # type: ignore[no-untyped-def]
    cases = [
        (["users", "create", "not-an-email", "--role", "admin"], PASSWORD, "is not an e-mail"),
        (["users", "create", "a@example.org", "--role", "admin"], "short", "at least 12"),
        (
            ["users", "create", "a@example.org", "--role", "partner"],
            PASSWORD,
            "needs --organization",
        ),
        (
            ["users", "create", "a@example.org", "--role", "partner", "--organization", "nope"],
            PASSWORD,
            "no organization 'nope'",
        ),
    ]
    for args, password, reason in cases:
        result = _run(app, args, password + "\n")
        assert result.exit_code == 1, result.output
        assert reason in result.output
    ok = _run(app, ["users", "create", "a@example.org", "--role", "admin"], PASSWORD + "\n")
    assert ok.exit_code == 0
    again = _run(app, ["users", "create", "A@example.org", "--role", "admin"], PASSWORD + "\n")
    assert again.exit_code == 1 and "already has an account" in again.output
    bad_role = _run(app, ["users", "create", "b@example.org", "--role", "boss"], PASSWORD + "\n")
    assert bad_role.exit_code == 2 and "boss" in bad_role.output


def test_disable_ends_sessions_and_sign_in(app, admin_user, vecino):  # type: ignore[no-untyped-def]
    from .conftest import sign_in

    assert admin_user.client.get("/admin/dashboard").status_code == 200
    result = _run(app, ["users", "disable", "ADA@example.org"], "")
    assert result.exit_code == 0, result.output
    assert admin_user.client.get("/admin/dashboard").status_code == 302
    assert sign_in(app.test_client(), "ada@example.org").status_code == 401
    missing = _run(app, ["users", "disable", "nobody@example.org"], "")
    assert missing.exit_code == 1 and "no account" in missing.output
    with vecino.db.transaction() as session:
        assert "user.disable" in session.scalars(select(AuditEntry.action)).all()
