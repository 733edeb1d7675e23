"""The async engine, the request-scoped session and the metadata every service's models share."""

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request
from sqlalchemy import Column, DateTime, MetaData, Uuid, func, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlmodel import Field, SQLModel

from shared.outage import watch_connects
from shared.validation import refuse_unstorable_parameters

# Each service owns one PostgreSQL schema and touches only that one.
SCHEMAS = ("api", "surveys", "reports")
# Reference data that migrations or start-up put in (not users' data): a database holding only
# these is empty for the demo loader, and tests keep them when they empty the tables.
REFERENCE_TABLES = (
    "api.assessment_procedure",
    "api.assessment_subject",
    "api.assessment_specification",
    "api.assessment_task",
    "surveys.instrument",
    "surveys.instrument_version",
    "reports.recommendation_rule",
    "reports.pd_programme",
)

# Stable constraint names, so that Alembic can drop and compare what it created.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata

T = TypeVar("T")


def async_url(url: str) -> str:
    """Accept any PostgreSQL URL (postgres://, postgresql://, +psycopg); drive it with asyncpg."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(f"Soko runs on PostgreSQL only, got {parsed.get_backend_name()!r}")
    return parsed.set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)


def plain_url(url: str) -> str:
    """The same URL without a SQLAlchemy driver name, as asyncpg.connect() takes it."""
    parsed = make_url(async_url(url)).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def create_engine(url: str, *, pool_size: int = 10, pool_timeout: float = 30.0) -> AsyncEngine:
    """An asyncpg engine with pre-ping, so that a restarted database does not break requests.

    A failed connection attempt raises `shared.outage.DatabaseUnavailable` (503 with a reason);
    waiting more than `pool_timeout` seconds for a free connection raises SQLAlchemy's
    `TimeoutError` (503 as well); a statement with U+0000 or a lone surrogate in a text
    parameter, or a non-finite number, raises `shared.errors.Invalid` (422) before it is sent.
    A failed statement's error never carries its parameters (`hide_parameters`): they may be
    anonymous answers, and the error is logged.
    """
    engine = create_async_engine(
        async_url(url),
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=pool_timeout,
        pool_pre_ping=True,
        hide_parameters=True,
    )
    watch_connects(engine)
    refuse_unstorable_parameters(engine)
    return engine


class Database:
    """The engine and session factory of one app, created in its lifespan and closed there."""

    def __init__(self, url: str, *, pool_size: int = 10, pool_timeout: float = 30.0) -> None:
        self.engine = create_engine(url, pool_size=pool_size, pool_timeout=pool_timeout)
        self.sessionmaker = async_sessionmaker(self.engine, expire_on_commit=False)

    async def close(self) -> None:
        await self.engine.dispose()


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """One session per request: committed when the handler returns, rolled back if it raises.

    Services only ``flush()``; the commit happens here, before the response is sent (the
    dependency has ``scope="function"``), so a client never sees a success that was not stored.
    """
    db: Database = request.app.state.db
    async with request_session(db.sessionmaker) as session:
        yield session


@asynccontextmanager
async def request_session(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """A session of `sessionmaker` for one request: committed when the block ends, and then
    its after-commit hooks run (`after_commit`); rolled back if the block raises."""
    async with sessionmaker() as session:
        try:
            yield session
        except BaseException:
            await session.rollback()
            raise
        await session.commit()
        await run_after_commit(session)


async def add_new(session: AsyncSession, obj: T) -> T:
    """A new row: `obj` added to `session` and flushed (its id and server defaults filled in;
    a broken constraint raises here). Returns `obj`."""
    session.add(obj)
    await session.flush()
    return obj


async def apply_changes(session: AsyncSession, obj: T, changes: Mapping[str, Any]) -> T:
    """A PATCH applied: each field of `changes` (an update's `model_dump(exclude_unset=True)`,
    checked by the caller) set on `obj`, then flushed. Returns `obj`."""
    for key, value in changes.items():
        setattr(obj, key, value)
    await session.flush()
    return obj


@asynccontextmanager
async def rolled_back_when(session: AsyncSession, dry_run: bool) -> AsyncIterator[None]:
    """Run the block as it is, or with `dry_run` in a savepoint rolled back at its end: the
    very same writes (and their audit events and change-feed rows) run, so what the block
    reads back is what a real run gives, and none of it stays."""
    if not dry_run:
        yield
        return
    savepoint = await session.begin_nested()
    try:
        yield
    finally:
        if savepoint.is_active:
            await savepoint.rollback()


async def lock_until_commit(session: AsyncSession, *key: Any) -> None:
    """Wait for, then hold until the transaction ends, the lock of `key` (its parts joined by
    "|", e.g. an organization's id, a procedure's id, a year): one writer per key at a time
    (a transaction-level advisory lock, `pg_advisory_xact_lock` of the key's 64-bit hash), so
    that a writer reads what the one before it committed."""
    name = "|".join(map(str, key))
    await session.execute(
        text("SELECT pg_advisory_xact_lock(hashtextextended(:k, 0))"), {"k": name}
    )


AfterCommit = Callable[[AsyncSession], Awaitable[None]]


def after_commit(session: AsyncSession, hook: AfterCommit) -> None:
    """Have `hook(session)` run once the request's session has committed (not after a
    rollback), before the response is sent; it may use the session for a new transaction."""
    session.info.setdefault("after_commit", []).append(hook)


async def run_after_commit(session: AsyncSession) -> None:
    """Run the hooks `after_commit` registered on a committed session, each once."""
    hooks: list[AfterCommit] = session.info.pop("after_commit", [])
    for hook in hooks:
        await hook(session)


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


def utcnow() -> datetime:
    return datetime.now(UTC)


def timestamp_column(*, onupdate: bool = False) -> Any:
    """A `timestamptz NOT NULL DEFAULT now()` column (optionally refreshed on every update)."""
    return Field(
        default_factory=utcnow,
        sa_type=DateTime(timezone=True),
        sa_column_kwargs={
            "server_default": func.now(),
            **({"onupdate": utcnow} if onupdate else {}),
        },
        nullable=False,
    )


def uuid_list_column() -> Any:
    """A `uuid[] NOT NULL DEFAULT '{}'` column (a list of ids, empty by default)."""
    return Field(
        default_factory=list,
        sa_column=Column(ARRAY(Uuid), nullable=False, server_default=text("'{}'::uuid[]")),
    )


class BulkEntity(SQLModel):
    """Columns of a table written in bulk by SQL statements: a UUID key the database makes, and
    when a row was created and last changed (the statements set `updated_at`)."""

    id: uuid.UUID = Field(
        default_factory=uuid.uuid4,
        primary_key=True,
        sa_column_kwargs={"server_default": text("gen_random_uuid()")},
    )
    created_at: datetime = timestamp_column()
    updated_at: datetime = timestamp_column()


class Entity(SQLModel):
    """Columns every entity table has: a UUID key and when it was created and last changed."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    created_at: datetime = timestamp_column()
    updated_at: datetime = timestamp_column(onupdate=True)
