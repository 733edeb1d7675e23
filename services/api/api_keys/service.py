"""API keys: `soko_<prefix>_<secret>`; the prefix finds the key, the secret is stored as SHA-256.

The secret has 256 bits of entropy, so a fast hash is enough (a slow password hash protects
guessable secrets, and would cost every school system's request tens of milliseconds).
"""

import hashlib
import hmac
import secrets
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.api_keys.models import ApiKey
from shared.db import utcnow
from shared.errors import NotFound, Unauthorized
from shared.identity import Principal, Role, ScopeType
from shared.pagination import Pagination, paginate

KEY_PREFIX = "soko"


def _hash(secret_key: str) -> str:
    return hashlib.sha256(secret_key.encode()).hexdigest()


def _split(key: str) -> tuple[str, str] | None:
    parts = key.strip().split("_", 2)  # the secret part may itself contain "_"
    if len(parts) != 3 or parts[0] != KEY_PREFIX or not parts[1] or not parts[2]:
        return None
    return parts[1], key.strip()


async def create_api_key(
    session: AsyncSession, organization_id: uuid.UUID, name: str, created_by: str | None
) -> tuple[ApiKey, str]:
    """A new key for the organization; the plain key is returned here and never again."""
    prefix = secrets.token_hex(6)
    plain = f"{KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        organization_id=organization_id,
        name=name,
        prefix=prefix,
        key_hash=_hash(plain),
        created_by=uuid.UUID(created_by) if created_by else None,
    )
    session.add(key)
    await session.flush()
    return key, plain


async def list_api_keys(
    session: AsyncSession, organization_id: uuid.UUID, page: Pagination
) -> tuple[list[ApiKey], int]:
    """One page of the organization's keys, oldest first, and how many it has."""
    query = (
        select(ApiKey)
        .where(ApiKey.organization_id == organization_id)
        .order_by(ApiKey.created_at, ApiKey.id)
    )
    return await paginate(session, query, page)


async def revoke_api_key(
    session: AsyncSession, organization_id: uuid.UUID, key_id: uuid.UUID
) -> None:
    """Revoke a key (again: no change); it stops working at once."""
    key = await session.get(ApiKey, key_id)
    if key is None or key.organization_id != organization_id:
        raise NotFound("Ключ не найден")
    if key.revoked_at is None:
        key.revoked_at = utcnow()
        await session.flush()


async def authenticate_api_key(session: AsyncSession, plain: str) -> Principal:
    """The principal of a valid, unrevoked key; 401 otherwise."""
    parts = _split(plain)
    key = None
    if parts:
        key = await session.scalar(select(ApiKey).where(ApiKey.prefix == parts[0]))
    if key is None or parts is None or not hmac.compare_digest(key.key_hash, _hash(parts[1])):
        raise Unauthorized("Недействительный API-ключ")
    if key.revoked_at is not None:
        raise Unauthorized("API-ключ отозван")
    return Principal(
        kind="api_key",
        id=str(key.id),
        role=Role.organization_system,
        scope_type=ScopeType.organization,
        scope_id=key.organization_id,
        name=key.name,
    )
