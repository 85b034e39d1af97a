"""Migrations: ``vecino db upgrade`` and friends, run through Alembic's API."""

from __future__ import annotations

import importlib

from alembic import command
from alembic.config import Config

from .config import PROJECT_ROOT

# Domain modules that define tables add themselves here so Alembic sees their models.
MODEL_MODULES = ["bot.models", "bot.directory.models", "bot.surveys.models"]


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
