"""A name people pick a thing by is unique among its siblings: two municipalities «Северный
район» of one region, two clusters «Кластер 1» of one municipality, or two «Гимназия № 1» of one
territory make every list, filter and upload naming them ambiguous.

Names are compared as uploads match them (`name_key`: case, spaces, quotes and the number sign
aside). Writers of one set of siblings go one at a time (a transaction-level advisory lock on
the set), so two concurrent posts of one name cannot both pass.
"""

import uuid
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.organizations.matching import name_key
from shared.db import lock_until_commit
from shared.errors import Conflict


async def refuse_taken_name(
    session: AsyncSession,
    model: Any,
    value: str | None,
    *,
    among: ColumnElement[bool],
    own_id: uuid.UUID | None,
    lock: tuple[Any, ...],
    message: str,
    field: str = "name",
) -> None:
    """Conflict (409 naming `field`, with `existing: {id, name}`) when a row of `model` picked
    by `among` (the siblings), other than `own_id` (the thing changed; None for a new one), has
    in its column `field` the same name as `value` by `name_key`: «{message}: «{their name}»
    (id …)». `value` None checks nothing. Holds the lock of `lock` (the set of siblings) until
    commit."""
    if value is None:
        return
    await lock_until_commit(session, "sibling-names", *lock)
    siblings = select(model.id, model.name, getattr(model, field)).where(among)
    if own_id is not None:
        siblings = siblings.where(model.id != own_id)
    key = name_key(value)
    for other_id, other_name, theirs in (await session.execute(siblings)).all():
        if theirs and name_key(theirs) == key:
            raise Conflict.at(
                field,
                f"{message}: «{other_name}» (id {other_id})",
                existing={"id": str(other_id), "name": other_name},
            )
