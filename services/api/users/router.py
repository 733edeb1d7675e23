"""HTTP: /v1/users."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from services.api.auth.deps import Caller, ScopeResolverDep
from services.api.users import service
from services.api.users.schemas import UserCreate, UserRead, UserRole, UserUpdate
from shared.db import SessionDep
from shared.errors import Conflict, Forbidden, Invalid, NotFound, error_responses
from shared.pagination import Page, PaginationDep

router = APIRouter(tags=["users"])
ERRORS = error_responses(Forbidden, NotFound, Invalid, Conflict)


@router.post("/users", status_code=201, responses=ERRORS)
async def create_user(
    body: UserCreate, session: SessionDep, caller: Caller, scopes: ScopeResolverDep
) -> UserRead:
    """Administrators create anyone; territory analysts users inside their territory."""
    return UserRead.model_validate(await service.create_user(session, scopes, caller, body))


@router.get("/users", responses=ERRORS)
async def list_users(
    session: SessionDep,
    caller: Caller,
    scopes: ScopeResolverDep,
    page: PaginationDep,
    role: UserRole | None = None,
    active: bool | None = None,
    q: Annotated[str | None, Query(max_length=200, description="Часть имени или адреса")] = None,
) -> Page[UserRead]:
    items, total = await service.list_users(
        session, scopes, caller, page, role=role, active=active, q=q
    )
    return Page(items=[UserRead.model_validate(u) for u in items], total=total)


@router.get("/users/{user_id}", responses=ERRORS)
async def get_user(
    user_id: uuid.UUID, session: SessionDep, caller: Caller, scopes: ScopeResolverDep
) -> UserRead:
    return UserRead.model_validate(await service.get_user(session, scopes, caller, user_id))


@router.patch("/users/{user_id}", responses=ERRORS)
async def update_user(
    user_id: uuid.UUID,
    body: UserUpdate,
    session: SessionDep,
    caller: Caller,
    scopes: ScopeResolverDep,
) -> UserRead:
    """Managers change role, scope and `is_active`; users their own name and password."""
    user = await service.update_user(session, scopes, caller, user_id, body)
    return UserRead.model_validate(user)
