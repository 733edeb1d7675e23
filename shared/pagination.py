"""Lists: `{"items": [...], "total": N}` with `limit` (default 50, at most 500) and `offset`."""

from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import Select, func, inspect, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from shared.validation import INT32_MAX

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    total: int


class Pagination(BaseModel):
    limit: int
    offset: int


def pagination(
    limit: Annotated[int, Query(ge=1, le=500, description="How many records to return")] = 50,
    offset: Annotated[int, Query(ge=0, le=INT32_MAX, description="How many records to skip")] = 0,
) -> Pagination:
    return Pagination(limit=limit, offset=offset)


PaginationDep = Annotated[Pagination, Depends(pagination)]


async def paginate(
    session: AsyncSession, query: Select[Any], page: Pagination, *, whole_rows: bool = False
) -> tuple[list[Any], int]:
    """One page of a query's results (its first column, or whole rows) and the count of all.

    The rows are ordered as `query` orders them, then by the primary key of the entity it
    selects first: rows its order ties (values of one import share their `updated_at`) come
    in the same order on every page, so that paging by `offset` gives each row once."""
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    paged = _totally_ordered(query).limit(page.limit).offset(page.offset)
    result = await (session.execute(paged) if whole_rows else session.scalars(paged))
    return list(result.all()), int(total or 0)


def _totally_ordered(query: Select[Any]) -> Select[Any]:
    """`query`, its order completed by the primary key of the entity it selects first; as it
    is when it selects a column first, groups or is DISTINCT (its rows are no entity's)."""
    first = query.column_descriptions[0]
    entity = first.get("entity")
    grouped = query._group_by_clauses or query._distinct  # no public reading of either
    if entity is None or first.get("expr") is not entity or grouped:
        return query
    mapper = inspect(entity).mapper  # an aliased entity's columns are the alias's
    keys = [getattr(entity, mapper.get_property_by_column(c).key) for c in mapper.primary_key]
    return query.order_by(*keys)


def where_given(query: Select[Any], *filters: tuple[Any, object]) -> Select[Any]:
    """`query` narrowed to `column == value` for each `(column, value)` whose value was given
    (is not None): a list's optional filters."""
    for column, value in filters:
        if value is not None:
            query = query.where(column == value)
    return query


def containing(query: Select[Any], q: str | None, *columns: Any) -> Select[Any]:
    """`query` narrowed to the rows where one of `columns` contains the search text `q`, in any
    case; unchanged without one (None or empty)."""
    if not q:
        return query
    pattern = f"%{q}%"
    return query.where(or_(*(column.ilike(pattern) for column in columns)))
