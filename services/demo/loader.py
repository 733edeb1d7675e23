"""`soko demo`: fill an empty database with a demo municipality."""

from sqlalchemy import text

from shared.db import SCHEMAS, create_engine


async def database_is_empty(url: str) -> bool:
    """True when no table of any Soko schema holds a row."""
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            tables = (
                await conn.execute(
                    text(
                        "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables "
                        "WHERE schemaname = ANY(:schemas)"
                    ),
                    {"schemas": list(SCHEMAS)},
                )
            ).scalars()
            for table in tables:
                if await conn.scalar(text(f"SELECT EXISTS (SELECT 1 FROM {table})")):  # noqa: S608
                    return False
        return True
    finally:
        await engine.dispose()


async def load(url: str, *, only_if_empty: bool) -> str:
    """Load the demo data; returns one line saying what was done."""
    if only_if_empty and not await database_is_empty(url):
        return "demo data skipped: the database already holds data"
    return "demo data: this version has no demo content yet"
