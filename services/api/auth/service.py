"""Sign-in (password check, throttling, the access token), whether a token still stands, and
revocation (sign-out): a denylist of tokens by `jti` until their expiry."""

import asyncio
from dataclasses import dataclass

from sqlalchemy import delete, exists, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.auth import throttle
from services.api.auth.models import RevokedToken
from services.api.auth.passwords import verify_password
from services.api.users.models import User
from shared.db import utcnow
from shared.errors import Invalid, Unauthorized
from shared.identity import Principal, Role, ScopeType, decode_token, issue_user_token
from shared.settings import Settings


@dataclass(frozen=True)
class SignIn:
    """The outcome: a token, or why not (`retry_after` seconds when throttled)."""

    token: str | None = None
    retry_after: int | None = None


def user_principal(user: User) -> Principal:
    """The principal a user's token carries: the account as it is now, with its version."""
    return Principal(
        kind="user",
        id=str(user.id),
        role=Role(user.role),
        scope_type=ScopeType(user.scope_type) if user.scope_type else None,
        scope_id=user.scope_id,
        staff_id=user.staff_id,
        name=user.full_name,
        token_version=user.token_version,
    )


async def sign_in(
    session: AsyncSession, settings: Settings, email: str, password: str, address: str | None
) -> SignIn:
    """Check the password of an active account (`address`: the person's, for throttling).

    The attempt is counted (and committed) before the password is checked; a failure stays
    counted although the answer is 401. 422 naming `username` for a NUL character in it.
    """
    email = email.strip().lower()
    if "\x00" in email:
        message = "Адрес содержит недопустимый символ"
        raise Invalid.at("username", message)
    keys = throttle.keys_for(email, address)
    if (wait := await _claimed(session, keys, settings)) is not None:
        return SignIn(retry_after=wait)
    user = await session.scalar(select(User).where(User.email == email))
    valid = await verify_password(user.password_hash if user else None, password)
    if not valid or user is None or not user.is_active:
        await throttle.failed(session, keys)
        await throttle.forget_idle(session, settings)
        return SignIn()
    await throttle.succeeded(session, keys)
    user.last_login_at = utcnow()
    await session.flush()
    return SignIn(token=issue_user_token(settings, user_principal(user)))


# How long an attempt over the limit only by attempts in flight waits for them, in turns.
BUSY_PAUSE_SECONDS = 0.1
BUSY_TURNS = 30


async def _claimed(session: AsyncSession, keys: list[str], settings: Settings) -> int | None:
    """`throttle.claim`, waiting while the keys are full only of attempts in flight (one
    account signing in several times at once, a class behind one address): None once the
    attempt is counted, else the seconds to wait (1 when those in flight outlast the turns)."""
    for _ in range(BUSY_TURNS):
        wait = await throttle.claim(session, keys, settings)
        if wait != throttle.BUSY:
            return wait
        await asyncio.sleep(BUSY_PAUSE_SECONDS)
    return 1


async def account_stands(session: AsyncSession, principal: Principal) -> bool:
    """True when the user's account exists, is active, and its version, role, scope and staff
    link are those the token was issued with, and the token was not revoked (one statement:
    two look-ups by primary key)."""
    revoked = exists().where(RevokedToken.jti == principal.token_id)
    row = (
        await session.execute(
            select(
                User.is_active,
                User.token_version,
                User.role,
                User.scope_type,
                User.scope_id,
                User.staff_id,
                revoked.label("revoked"),
            ).where(User.id == principal.id)
        )
    ).first()
    return (
        row is not None
        and not row.revoked
        and row.is_active
        and row.token_version == principal.token_version
        and row.role == principal.role
        and row.scope_type == principal.scope_type
        and row.scope_id == principal.scope_id
        and row.staff_id == principal.staff_id
    )


async def introspect(session: AsyncSession, settings: Settings, token: str) -> bool:
    """Does a user's token still stand: valid, unexpired, and its account unchanged?
    A service token, or anything that is not a token, does not (False, never an error)."""
    try:
        principal = decode_token(settings, token)
    except Unauthorized:
        return False
    return principal.kind == "user" and await account_stands(session, principal)


async def revoke(session: AsyncSession, settings: Settings, token: str) -> None:
    """Sign-out (RFC 7009): a user's valid access token is refused by every service from now
    on, until its expiry (the api service at once, surveys and reports within
    `SOKO_TOKEN_CHECK_SECONDS`). Idempotent; nothing happens, and nothing is said, for an
    expired, invalid or unknown token or a service's. Purges the rows of expired tokens."""
    try:
        principal = decode_token(settings, token)
    except Unauthorized:
        return
    if principal.kind != "user" or principal.token_id is None or principal.expires_at is None:
        return
    await session.execute(delete(RevokedToken).where(RevokedToken.expires_at < utcnow()))
    await session.execute(
        insert(RevokedToken)
        .values(jti=principal.token_id, expires_at=principal.expires_at)
        .on_conflict_do_nothing(index_elements=["jti"])
    )
