"""Migrations: ``vecino db upgrade`` and friends, run through Alembic's API; scratch databases."""

from __future__ import annotations

import importlib
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from .config import PROJECT_ROOT, database_url_from_env

# Domain modules that define tables add themselves here so Alembic sees their models.
MODEL_MODULES = [
    "bot.models",
    "bot.directory.models",
    "bot.surveys.models",
    "bot.outreach.models",
    "admin.models",
]


def import_all_models() -> None:
    for module in MODEL_MODULES:
        importlib.import_module(module)


def alembic_config(database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    # Alembic's config is an INI file underneath: a literal % must be doubled.
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


@contextmanager
def scratch_database(
    server_url: str | None, prefix: str = "vecino_scratch", migrate: bool = True
) -> Iterator[str]:
    """A fresh, migrated (unless ``migrate=False``) database for tests and benchmarks, dropped
    afterwards.

    With a PostgreSQL ``server_url`` it is a new database on that server (the one named in the
    URL is only used to connect); otherwise an SQLite file in a temporary folder.
    """
    if server_url and not server_url.startswith("sqlite"):
        server = make_url(database_url_from_env({"DATABASE_URL": server_url}))
        name = f"{prefix}_{uuid.uuid4().hex[:10]}"
        admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = server.set(database=name).render_as_string(hide_password=False)
            if migrate:
                upgrade(url)
            yield url
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
        return
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / f'{prefix}.sqlite3'}"
        if migrate:
            upgrade(url)
        yield url
