"""Throttling of password guessing: failed sign-ins counted per account and per address.

An attempt claims its place in the one statement that counts it (an upsert that locks the
key's row for that statement), and the claim is committed before the password is checked: of
40 parallel guesses at one account, at most `SOKO_LOGIN_MAX_FAILURES` reach the hash. A
success gives its claim back (and clears the account's count); a failure keeps it. Counts live
in PostgreSQL, so they hold across processes and restarts. A key's window starts at its first
attempt and lasts `SOKO_LOGIN_WINDOW_SECONDS`.

An address has its own, larger limit (`SOKO_LOGIN_MAX_FAILURES_PER_ADDRESS`): a school's
staff reach Soko from one address (the school's NAT), so a class signing in at once (attempts
in flight count until they succeed) or a few colleagues mistyping must not lock the others
out, while one address spraying guesses over many accounts is still stopped.
"""

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import case, delete, func, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.auth.models import LoginAttempt
from shared.db import utcnow
from shared.settings import Settings

_table = LoginAttempt.__table__
# Rows of keys not tried for this long are removed as failures come in.
KEEP_IDLE = timedelta(hours=1)


ACCOUNT, ADDRESS = "account:", "address:"


def keys_for(email: str, address: str | None) -> list[str]:
    """The counters one attempt goes to: its account's and, when known, its address's."""
    return [f"{ACCOUNT}{email}"] + ([f"{ADDRESS}{address}"] if address else [])


def limit_of(key: str, settings: Settings) -> int:
    """The attempts a key may count within its window: an account's or an address's limit."""
    if key.startswith(ADDRESS):
        return settings.login_max_failures_per_address
    return settings.login_max_failures


async def claim(session: AsyncSession, keys: Sequence[str], settings: Settings) -> int | None:
    """Count one attempt under every key and commit it; None when all keys are within their
    limit, else the seconds until the fullest window ends (the claim is then given back, so a
    refused attempt does not count as a failure).

    Commits the session: the claim must be visible to parallel attempts before the slow
    password check, and must not hold the key's row lock while the check runs.
    """
    now = utcnow()
    window = timedelta(seconds=settings.login_window_seconds)
    ordered = sorted(set(keys))  # one lock order for every attempt: no deadlock
    statement = insert(_table).values(
        [{"key": key, "window_start": now, "attempts": 1} for key in ordered]
    )
    current = _table.c.window_start > now - window
    statement = statement.on_conflict_do_update(
        index_elements=[_table.c.key],
        set_={
            "attempts": case((current, _table.c.attempts + 1), else_=1),
            "window_start": case((current, _table.c.window_start), else_=now),
        },
    ).returning(_table.c.key, _table.c.attempts, _table.c.window_start)
    rows = (await session.execute(statement)).all()
    full = [start for key, attempts, start in rows if attempts > limit_of(key, settings)]
    if full:
        await give_back(session, ordered)
    await session.commit()
    if not full:
        return None
    return max(int((start + window - now).total_seconds()) + 1 for start in full)


async def give_back(session: AsyncSession, keys: Sequence[str]) -> None:
    """Take one attempt off every key: it was not a failure."""
    await session.execute(
        update(_table)
        .where(_table.c.key.in_(sorted(set(keys))))
        .values(attempts=func.greatest(_table.c.attempts - 1, 0))
    )


async def succeeded(session: AsyncSession, keys: Sequence[str]) -> None:
    """A right password: the account's failures are forgiven, the address's claim given back."""
    account, others = keys[0], keys[1:]
    await session.execute(delete(_table).where(_table.c.key == account))
    if others:
        await give_back(session, others)


async def forget_idle(session: AsyncSession, settings: Settings) -> None:
    """Remove the counters of keys not tried for a while (their windows ended long ago)."""
    idle_since = utcnow() - timedelta(seconds=settings.login_window_seconds) - KEEP_IDLE
    await session.execute(delete(_table).where(_table.c.window_start < idle_since))
