"""Settings read from the environment, with safe development defaults."""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"


def database_url_from_env(environ: os.PathLike | dict | None = None) -> str:
    """The SQLAlchemy URL: ``DATABASE_URL`` or an SQLite file under ``instance/``."""
    env = os.environ if environ is None else environ
    url = env.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{INSTANCE_DIR / 'vecino.sqlite3'}"
    # Heroku-style providers still hand out postgres://, which SQLAlchemy 2 rejects.
    if url.startswith("postgres://"):
        url = "postgresql+psycopg://" + url[len("postgres://") :]
    elif url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def _int(env: dict, name: str, default: int) -> int:
    raw = env.get(name, "").strip()
    return int(raw) if raw else default


DURATION_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_duration(raw: str) -> timedelta:
    """``3d``, ``12h``, ``90s``, ``45m``, ``2w`` (one number and one unit)."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*", raw.lower())
    if match is None:
        raise ValueError(f"a duration looks like 3d, 12h or 90s, not {raw!r}")
    return timedelta(**{DURATION_UNITS[match[2]]: float(match[1])})


@dataclass
class Settings:
    """Everything the app reads from its environment, in one typed place."""

    database_url: str
    secret_key: str
    program_name: str = "Vecino"
    help_contact: str | None = None  # a phone or e-mail HELP replies name to reach a person
    timezone: str = "America/Los_Angeles"
    quiet_hours: str = "21:00-08:00"
    send_rate: float = 1.0
    send_threads: int = 1  # VECINO_SEND_THREADS: provider calls in flight per worker
    session_timeout_minutes: int = 60
    # Talk to a person (``bot.handoff``): offered unless VECINO_HANDOFF=off; the hours staff
    # answer (VECINO_STAFF_HOURS) and how soon they usually do (VECINO_HANDOFF_ANSWER_HOURS).
    handoff_enabled: bool = True
    staff_hours: str = "mon-fri 09:00-17:00"
    handoff_answer_hours: int = 4
    followup_after: timedelta = timedelta(days=3)  # VECINO_FOLLOWUP_AFTER
    outbox_retention: timedelta = timedelta(days=90)  # VECINO_OUTBOX_RETENTION
    retention_days: int = 180  # message text and payloads are blanked after this many days
    public_base_url: str | None = None
    trusted_proxies: int = 0
    twilio_account_sid: str | None = None
    twilio_auth_token: str | None = None
    twilio_from_number: str | None = None
    twilio_messaging_service_sid: str | None = None
    twilio_api_base_url: str | None = None
    telegram_bot_token: str | None = None
    telegram_webhook_secret: str | None = None
    telegram_api_base_url: str = "https://api.telegram.org/bot"
    flows_dir: Path = PROJECT_ROOT / "flows"
    locales_dir: Path = PROJECT_ROOT / "locales"
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: dict | None = None) -> Settings:
        env = dict(os.environ if environ is None else environ)
        secret = env.get("SECRET_KEY") or _development_secret()
        return cls(
            database_url=database_url_from_env(env),
            secret_key=secret,
            program_name=env.get("VECINO_PROGRAM_NAME", "Vecino"),
            help_contact=(env.get("VECINO_HELP_CONTACT") or "").strip() or None,
            timezone=env.get("VECINO_TIMEZONE", "America/Los_Angeles"),
            quiet_hours=env.get("VECINO_QUIET_HOURS", "21:00-08:00"),
            send_rate=float(env.get("VECINO_SEND_RATE") or 1),
            send_threads=max(_int(env, "VECINO_SEND_THREADS", 1), 1),
            session_timeout_minutes=_int(env, "VECINO_SESSION_TIMEOUT", 60),
            handoff_enabled=(env.get("VECINO_HANDOFF") or "on").strip().lower()
            not in ("off", "0", "no", "false"),
            staff_hours=env.get("VECINO_STAFF_HOURS") or "mon-fri 09:00-17:00",
            handoff_answer_hours=max(_int(env, "VECINO_HANDOFF_ANSWER_HOURS", 4), 1),
            followup_after=parse_duration(env.get("VECINO_FOLLOWUP_AFTER") or "3d"),
            outbox_retention=parse_duration(env.get("VECINO_OUTBOX_RETENTION") or "90d"),
            retention_days=_int(env, "VECINO_RETENTION_DAYS", 180),
            public_base_url=(env.get("PUBLIC_BASE_URL") or "").rstrip("/") or None,
            trusted_proxies=_int(env, "VECINO_TRUSTED_PROXIES", 0),
            twilio_account_sid=env.get("TWILIO_ACCOUNT_SID") or None,
            twilio_auth_token=env.get("TWILIO_AUTH_TOKEN") or None,
            twilio_from_number=env.get("TWILIO_FROM_NUMBER") or None,
            twilio_messaging_service_sid=env.get("TWILIO_MESSAGING_SERVICE_SID") or None,
            twilio_api_base_url=env.get("TWILIO_API_BASE_URL") or None,
            telegram_bot_token=env.get("TELEGRAM_BOT_TOKEN") or None,
            telegram_webhook_secret=env.get("TELEGRAM_WEBHOOK_SECRET") or None,
            telegram_api_base_url=env.get("TELEGRAM_API_BASE_URL")
            or "https://api.telegram.org/bot",
            flows_dir=Path(env.get("VECINO_FLOWS_DIR") or PROJECT_ROOT / "flows"),
        )


def _development_secret() -> str:
    """A per-checkout secret kept in ``instance/`` so sessions and pseudonyms survive restarts.

    Production sets ``SECRET_KEY``; this only spares a newcomer one step in ``make run``.
    """
    path = INSTANCE_DIR / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32)
        path.write_text(key)
        path.chmod(0o600)
        return key
