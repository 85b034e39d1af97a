"""``vecino users``: staff accounts for the admin view."""

from __future__ import annotations

import secrets
import sys

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from bot.models import utcnow

from . import audit
from .models import ROLES, AdminUser
from .users import UserError, create_user, normalise_email


@click.group("users", cls=AppGroup)
def users_group() -> None:
    """Accounts that sign in to the admin view at /admin/."""


def _read_password() -> str:
    """Prompted twice on a terminal; the first line of standard input otherwise (scripts)."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


@users_group.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True)
@click.option(
    "--organization",
    "organization_id",
    default=None,
    help="Directory organization id; required for partner staff (they see only its places).",
)
def create_command(email: str, role: str, organization_id: str | None) -> None:
    """Create an account; the password is asked twice (or read from standard input)."""
    password = _read_password()
    db = current_app.extensions["vecino"].db
    try:
        with db.transaction() as session:
            user = create_user(session, email, password, role, utcnow(), organization_id)
    except UserError as error:
        click.echo(f"Error: {error}", err=True)
        sys.exit(1)
    click.echo(f"Created {user.email} ({user.role}). They sign in at /admin/login.")


@users_group.command("list")
def list_command() -> None:
    """Every account, its role and its last sign-in."""
    db = current_app.extensions["vecino"].db
    with db.transaction() as session:
        for user in session.scalars(select(AdminUser).order_by(AdminUser.email)):
            last = (
                user.last_login_at.strftime("%Y-%m-%d %H:%M UTC") if user.last_login_at else "never"
            )
            org = f" org={user.organization_id}" if user.organization_id else ""
            click.echo(f"{user.email:<40} {user.role:<10}{org} last sign-in: {last}")


@users_group.command("disable")
@click.argument("email")
def disable_command(email: str) -> None:
    """Stop an account from signing in and end its sessions now (kept for the audit log)."""
    db = current_app.extensions["vecino"].db
    with db.transaction() as session:
        user = session.scalars(
            select(AdminUser).where(AdminUser.email == normalise_email(email))
        ).first()
        if user is None:
            click.echo(f"Error: no account {email}", err=True)
            sys.exit(1)
        user.disabled = True
        user.session_nonce = secrets.token_hex(16)
        audit.record(session, None, "user.disable", utcnow(), target=f"user:{user.id}", actor="cli")
    click.echo(f"Disabled {user.email}; their sessions have ended.")
