"""The one Alembic history: applies to an empty database, matches the models, and reverts."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import text

import services.api.models
import services.reports.models
import services.surveys.models  # noqa: F401 - the models the migrations must match
from shared.db import SCHEMAS, create_engine, metadata
from shared.migrations import downgrade, upgrade
from tests.conftest import run_sync


def _diff(connection) -> list:
    context = MigrationContext.configure(
        connection,
        opts={
            "include_schemas": True,
            "include_name": lambda name, type_, parent: type_ != "schema" or name in SCHEMAS,
            "compare_type": True,
        },
    )
    return compare_metadata(context, metadata)


async def _schemas(engine) -> set[str]:
    async with engine.connect() as conn:
        rows = await conn.execute(
            text("SELECT nspname FROM pg_namespace WHERE nspname = ANY(:s)"), {"s": list(SCHEMAS)}
        )
        return set(rows.scalars())


async def test_migrations_match_models_and_downgrade_to_base(scratch_database):
    url = scratch_database()
    engine = create_engine(url, pool_size=1)
    try:
        run_sync(upgrade, url)
        assert await _schemas(engine) == set(SCHEMAS)
        async with engine.connect() as conn:
            diff = await conn.run_sync(_diff)
        assert diff == [], f"models and migrations differ: {diff}"

        run_sync(downgrade, url)
        assert await _schemas(engine) == set()
        async with engine.connect() as conn:
            assert await conn.scalar(text("SELECT count(*) FROM public.alembic_version")) == 0
    finally:
        await engine.dispose()
