"""The migration chain: builds every table on an empty database, is idempotent, matches models."""

import sqlite3

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables)
from storage import db


def tables(path):
    with sqlite3.connect(path) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def test_upgrade_creates_all_tables_and_is_idempotent(tmp_path):
    path = tmp_path / "fresh.db"
    db.upgrade(f"sqlite+aiosqlite:///{path}")
    expected = set(SQLModel.metadata.tables) | {"alembic_version"}
    assert tables(path) == expected
    db.upgrade(f"sqlite+aiosqlite:///{path}")
    assert tables(path) == expected
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM alembic_version").fetchone() == (1,)


async def test_migrated_schema_matches_the_models(engine):
    def diff(connection):
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, SQLModel.metadata)

    async with engine.connect() as conn:
        assert await conn.run_sync(diff) == []
