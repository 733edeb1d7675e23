"""A name people pick a thing by is unique among its siblings: two municipalities «Северный
район» of one region, two clusters «Кластер 1» of one municipality, or two «Гимназия № 1» of one
territory make every list, filter and upload naming them ambiguous.

Names are compared as uploads match them (`name_key`: case, spaces, quotes and the number sign
aside). Writers of one set of siblings go one at a time (a transaction-level advisory lock on
the set), so two concurrent posts of one name cannot both pass.
"""

import uuid
from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.organizations.matching import name_key
from shared.db import lock_until_commit
from shared.errors import Conflict


async def refuse_taken_name(
    session: AsyncSession,
    siblings: Select[Any],
    value: str | None,
    *,
    lock: tuple[Any, ...],
    message: str,
    field: str = "name",
) -> None:
    """Conflict (409 naming `field`, with `existing: {id, name}`) when a row of `siblings`
    (a select of `id`, `name` and the compared column, in that order; the thing itself left
    out) has the same name as `value` by `name_key`: «{message}: «{their name}» (id …)».
    `value` None checks nothing. Holds the lock of `lock` (the set of siblings) until commit."""
    if value is None:
        return
    await lock_until_commit(session, "sibling-names", *lock)
    key = name_key(value)
    for other_id, other_name, theirs in (await session.execute(siblings)).all():
        if theirs and name_key(theirs) == key:
            raise Conflict.at(
                field,
                f"{message}: «{other_name}» (id {other_id})",
                existing={"id": str(other_id), "name": other_name},
            )


def own_left_out(query: Select[Any], column: Any, own_id: uuid.UUID | None) -> Select[Any]:
    """`query` without the thing being changed (`own_id`; None for a new one)."""
    return query if own_id is None else query.where(column != own_id)
