"""Alembic, driven from code: one history for the schemas of all three services."""

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

import migrations

MIGRATIONS_DIR = Path(migrations.__file__).resolve().parent
VERSION_TABLE_SCHEMA = "public"


def alembic_config(database_url: str) -> Config:
    """An Alembic config pointing at our migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    config.attributes["database_url"] = database_url
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    """Apply migrations up to `revision` (synchronous: call it outside a running event loop)."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)


def head_revision() -> str | None:
    """The newest revision in the migrations folder."""
    script = ScriptDirectory.from_config(alembic_config(""))
    return script.get_current_head()


async def current_revision(conn: AsyncConnection) -> str | None:
    """The revision the database is at, or None if it was never migrated."""
    exists = await conn.scalar(text("SELECT to_regclass('public.alembic_version') IS NOT NULL"))
    if not exists:
        return None
    return await conn.scalar(text("SELECT version_num FROM public.alembic_version"))
