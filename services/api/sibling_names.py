"""A name people pick a thing by is unique among its siblings: two municipalities «Северный
район» of one region, two clusters «Кластер 1» of one municipality, or two «Гимназия № 1» of one
territory make every list, filter and upload naming them ambiguous.

Names are compared as uploads match them (`name_key`: case, spaces, quotes and the number sign
aside). Writers of one set of siblings go one at a time (a transaction-level advisory lock on
the set), so two concurrent posts of one name cannot both pass.
"""

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.organizations.matching import name_key
from shared.db import lock_until_commit
from shared.errors import Conflict
from shared.templating import quoted

# The names of one sibling row (its id, name, then further columns) as it is matched.
KeysOf = Callable[[tuple[Any, ...]], set[str]]


async def refuse_named_alike(
    session: AsyncSession,
    model: Any,
    keys: set[str],
    *,
    among: ColumnElement[bool],
    own_id: uuid.UUID | None,
    lock: tuple[Any, ...],
    message: str,
    field: str,
    columns: tuple[Any, ...],
    keys_of: KeysOf,
) -> None:
    """Conflict (409 naming `field`, with `existing: {id, name}`) when a row of `model` picked
    by `among` (the siblings), other than `own_id` (the thing changed; None for a new one), is
    named by one of `keys`: `keys_of((id, name, *columns))` shares one. «{message}: «{their
    name}» (id …)». Empty `keys` checks nothing. Holds the lock of `lock` (the set of
    siblings) until commit."""
    if not keys:
        return
    await lock_until_commit(session, "sibling-names", *lock)
    siblings = select(model.id, model.name, *columns).where(among)
    if own_id is not None:
        siblings = siblings.where(model.id != own_id)
    for row in (await session.execute(siblings)).all():
        if keys & keys_of(tuple(row)):
            other_id, other_name = row[0], row[1]
            raise Conflict.at(
                field,
                f"{message}: {quoted(other_name)} (id {other_id})",
                existing={"id": str(other_id), "name": other_name},
            )


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
    """`refuse_named_alike` for one column `field`: a sibling whose `field` has the same
    `name_key` as `value` (None checks nothing)."""
    if value is None:
        return
    await refuse_named_alike(
        session,
        model,
        {name_key(value)} - {""},
        among=among,
        own_id=own_id,
        lock=lock,
        message=message,
        field=field,
        columns=(getattr(model, field),),
        keys_of=lambda row: {name_key(row[2] or "")} - {""},
    )
