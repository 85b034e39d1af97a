"""Staff accounts: creating them and checking a sign-in, with lockout after repeated failures.

Plain functions over a session (no Flask), shared by ``vecino users`` and the login page.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.directory.models import Organization

from . import audit
from .models import ROLES, AdminUser, LoginAttempt
from .passwords import MIN_LENGTH, hash_password, needs_rehash, verify_password

EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,}$")
LOCK_FAILURES = 5  # failures for one e-mail within the window lock it
LOCK_WINDOW = timedelta(minutes=15)
IP_FAILURES = 20  # failures from one address (any e-mail) within the window refuse it


class UserError(ValueError):
    """Why an account cannot be created as asked."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(
    session: Session,
    email: str,
    password: str,
    role: str,
    now: datetime,
    organization_id: str | None = None,
) -> AdminUser:
    email = normalise_email(email)
    if not EMAIL.match(email):
        raise UserError(f"{email!r} is not an e-mail address")
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_LENGTH:
        raise UserError(f"the password must have at least {MIN_LENGTH} characters")
    if role == "partner" and not organization_id:
        raise UserError("a partner account needs --organization (the directory organization id)")
    if organization_id and session.get(Organization, organization_id) is None:
        raise UserError(f"no organization {organization_id!r} in the directory")
    if session.scalar(select(AdminUser.id).where(AdminUser.email == email)) is not None:
        raise UserError(f"{email} already has an account")
    user = AdminUser(
        email=email,
        password_hash=hash_password(password),
        role=role,
        organization_id=organization_id,
        session_nonce=secrets.token_hex(16),
        created_at=now,
    )
    session.add(user)
    session.flush()
    audit.record(
        session,
        None,
        "user.create",
        now,
        target=f"user:{user.id}",
        detail={"role": role},
        actor="cli",
    )
    return user


@dataclass(frozen=True)
class SignIn:
    user: AdminUser | None
    locked_minutes: int = 0  # > 0: refused without checking the password


def _recent_failures(
    session: Session, column, value: str, since: datetime
) -> tuple[int, datetime | None]:  # type: ignore[no-untyped-def]
    count, last = session.execute(
        select(func.count(LoginAttempt.id), func.max(LoginAttempt.at)).where(
            column == value, LoginAttempt.success.is_(False), LoginAttempt.at >= since
        )
    ).one()
    return int(count), last


def lock_remaining(session: Session, email: str, ip: str, now: datetime) -> int:
    """Minutes left on a lockout for this e-mail or address; 0 when sign-in may be tried."""
    since = now - LOCK_WINDOW
    waits = []
    for column, value, limit in (
        (LoginAttempt.email, email, LOCK_FAILURES),
        (LoginAttempt.ip, ip, IP_FAILURES),
    ):
        count, last = _recent_failures(session, column, value, since)
        if count >= limit and last is not None:
            waits.append(last + LOCK_WINDOW - now)
    if not waits:
        return 0
    return max(1, -(-int(max(waits).total_seconds()) // 60))


def sign_in(session: Session, email: str, password: str, ip: str, now: datetime) -> SignIn:
    """Check a sign-in and record the attempt. A locked e-mail is refused before the password
    is checked, so guessing on goes nowhere while it lasts."""
    email = normalise_email(email)[:255]
    minutes = lock_remaining(session, email, ip, now)
    if minutes:
        return SignIn(None, minutes)
    user = session.scalars(select(AdminUser).where(AdminUser.email == email)).first()
    ok = verify_password(user.password_hash if user else None, password)
    ok = ok and user is not None and not user.disabled
    session.add(LoginAttempt(at=now, email=email, ip=ip[:64], success=ok))
    if not ok or user is None:
        return SignIn(None)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now
    return SignIn(user)
