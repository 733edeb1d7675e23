"""Lists: `{"items": [...], "total": N}` with `limit` (default 50, at most 500) and `offset`."""

from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import Select, func, or_, select
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
    """One page of a query's results (its first column, or whole rows) and the count of all."""
    total = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    paged = query.limit(page.limit).offset(page.offset)
    result = await (session.execute(paged) if whole_rows else session.scalars(paged))
    return list(result.all()), int(total or 0)


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
