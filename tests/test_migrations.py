"""Migrations and models agree, and a database can be migrated down and up again."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine

from bot.models import Base
from bot.schema import downgrade, import_all_models, upgrade


def test_migrated_schema_matches_the_models(database_url: str):
    import_all_models()
    engine = create_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert differences == []


def test_downgrade_to_base_and_upgrade_again(tmp_path):  # type: ignore[no-untyped-def]
    url = f"sqlite:///{tmp_path / 'roundtrip.sqlite3'}"
    upgrade(url)
    downgrade(url, "base")
    upgrade(url)
