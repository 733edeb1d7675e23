"""Lists: `{"items": [...], "total": N}` with `limit` (default 50, at most 500) and `offset`."""

from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel
from sqlalchemy import Select, func, select
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
    limit: Annotated[int, Query(ge=1, le=500, description="Сколько записей вернуть")] = 50,
    offset: Annotated[int, Query(ge=0, le=INT32_MAX, description="Сколько записей пропустить")] = 0,
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
