"""Throttling of password guessing: failed sign-ins counted per account and per address.

An attempt claims its place in the one statement that counts it (an upsert that locks the
key's row for that statement), and the claim is committed before the password is checked: of
40 parallel guesses at one account, at most `SOKO_LOGIN_MAX_FAILURES` reach the hash. A
success gives its claim back; a failure keeps it until the window ends. Claims
in flight are counted apart (`pending`): an attempt over the limit only by them is told BUSY
and waits for them (auth/service.py), since their passwords may be right. Counts live
in PostgreSQL, so they hold across processes and restarts. A key's window starts at its first
attempt and lasts `SOKO_LOGIN_WINDOW_SECONDS`.

An address has its own, larger limit (`SOKO_LOGIN_MAX_FAILURES_PER_ADDRESS`): a school's
staff reach Soko from one address (the school's NAT), so a class signing in at once or a few
colleagues mistyping must not lock the others out, while one address spraying guesses over
many accounts is still stopped.
"""

import hashlib
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.auth.models import LoginAttempt
from shared.db import utcnow
from shared.settings import Settings

_table = LoginAttempt.__table__
# Rows of keys not tried for this long are removed as failures come in.
KEEP_IDLE = timedelta(hours=1)


ACCOUNT, ADDRESS = "account:", "address:"


# The longest name a key holds as it is (an e-mail address is at most 254 characters); a
# longer one is kept as its SHA-256, so that a key always fits `login_attempt.key` (400):
# a 400-character username was a 500 before any password was checked.
LONGEST = 254


def _named(name: str) -> str:
    if len(name) <= LONGEST:
        return name
    return "sha256:" + hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()


def keys_for(email: str, address: str | None) -> list[str]:
    """The counters one attempt goes to: its account's and, when known, its address's."""
    return [f"{ACCOUNT}{_named(email)}"] + ([f"{ADDRESS}{_named(address)}"] if address else [])


def limit_of(key: str, settings: Settings) -> int:
    """The attempts a key may count within its window: an account's or an address's limit."""
    if key.startswith(ADDRESS):
        return settings.login_max_failures_per_address
    return settings.login_max_failures


BUSY = 0  # `claim`'s answer for attempts over the limit only by those in flight


async def claim(session: AsyncSession, keys: Sequence[str], settings: Settings) -> int | None:
    """Count one attempt in flight under every key and commit it; None when all keys are
    within their limit. Else the claim is given back (a refused attempt is no failure) and
    the answer is the seconds until the fullest window ends when a key's failures alone fill
    it, or BUSY when only attempts still in flight do (their passwords may be right: the
    caller waits for them and claims again).

    Commits the session: the claim must be visible to parallel attempts before the slow
    password check, and must not hold the key's row lock while the check runs. A window
    that ended forgets its attempts in flight too (none lasts a window: one lost with its
    process is not counted for ever).
    """
    now = utcnow()
    window = timedelta(seconds=settings.login_window_seconds)
    ordered = sorted(set(keys))  # one lock order for every attempt: no deadlock
    statement = insert(_table).values(
        [{"key": key, "window_start": now, "attempts": 1, "pending": 1} for key in ordered]
    )
    current = _table.c.window_start > now - window
    statement = statement.on_conflict_do_update(
        index_elements=[_table.c.key],
        set_={
            "attempts": case((current, _table.c.attempts + 1), else_=1),
            "pending": case((current, _table.c.pending + 1), else_=1),
            "window_start": case((current, _table.c.window_start), else_=now),
        },
    ).returning(_table.c.key, _table.c.attempts, _table.c.pending, _table.c.window_start)
    rows = (await session.execute(statement)).all()
    over = [row for row in rows if row.attempts > limit_of(row.key, settings)]
    if over:
        await _settle(session, ordered, failed=False)
    await session.commit()
    if not over:
        return None
    # Failures (the attempts not in flight) filling a window: refused until it ends.
    failures_fill = [r for r in over if r.attempts - r.pending >= limit_of(r.key, settings)]
    full = [r.window_start for r in failures_fill]
    if not full:
        return BUSY
    return max(int((start + window - now).total_seconds()) + 1 for start in full)


async def _lock(session: AsyncSession, keys: Sequence[str]) -> None:
    """Lock the keys' rows in key order, the order `claim` locks them in: an UPDATE of
    several rows takes them in the order it finds them, which with a claim in between
    deadlocks (seen at 20 sign-ins of one account at once)."""
    ordered = select(_table.c.key).where(_table.c.key.in_(sorted(set(keys))))
    await session.execute(ordered.order_by(_table.c.key).with_for_update())


async def _settle(session: AsyncSession, keys: Sequence[str], *, failed: bool) -> None:
    """An attempt of every key no longer in flight: kept as a failure, or taken off."""
    attempts = _table.c.attempts if failed else func.greatest(_table.c.attempts - 1, 0)
    await _lock(session, keys)
    await session.execute(
        update(_table)
        .where(_table.c.key.in_(sorted(set(keys))))
        .values(attempts=attempts, pending=func.greatest(_table.c.pending - 1, 0))
    )


async def failed(session: AsyncSession, keys: Sequence[str]) -> None:
    """A wrong password (or no such active account): the attempt stays, as a failure."""
    await _settle(session, keys, failed=True)


async def succeeded(session: AsyncSession, keys: Sequence[str]) -> None:
    """A right password: its claim given back under every key. The account's failures stay
    until their window ends: forgiven on a success, they would let a guesser past the limit
    while the owner signs in (20 sign-ins at once, half wrong, let nine wrong ones through)."""
    await _settle(session, keys, failed=False)


async def forget_idle(session: AsyncSession, settings: Settings) -> None:
    """Remove the counters of keys not tried for a while (their windows ended long ago)."""
    idle_since = utcnow() - timedelta(seconds=settings.login_window_seconds) - KEEP_IDLE
    await session.execute(delete(_table).where(_table.c.window_start < idle_since))
