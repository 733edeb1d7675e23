"""HTTP: /v1/users."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from services.api.auth.deps import AccessDep
from services.api.users import service
from services.api.users.schemas import UserCreate, UserRead, UserRole, UserUpdate
from shared.errors import Conflict, Forbidden, Invalid, NotFound, error_responses
from shared.pagination import Page, PaginationDep

router = APIRouter(tags=["users"])
ERRORS = error_responses(Forbidden, NotFound, Invalid, Conflict)


@router.post("/users", status_code=201, responses=ERRORS)
async def create_user(body: UserCreate, access: AccessDep) -> UserRead:
    """Administrators create anyone; territory analysts users inside their territory."""
    return UserRead.model_validate(await service.create_user(access, body))


@router.get("/users", responses=ERRORS)
async def list_users(
    access: AccessDep,
    page: PaginationDep,
    role: UserRole | None = None,
    active: bool | None = None,
    q: Annotated[str | None, Query(max_length=200, description="Part of the name or email")] = None,
) -> Page[UserRead]:
    items, total = await service.list_users(access, page, role=role, active=active, q=q)
    return Page(items=[UserRead.model_validate(u) for u in items], total=total)


@router.get("/users/{user_id}", responses=ERRORS)
async def get_user(user_id: uuid.UUID, access: AccessDep) -> UserRead:
    return UserRead.model_validate(await service.get_user(access, user_id))


@router.patch("/users/{user_id}", responses=ERRORS)
async def update_user(
    user_id: uuid.UUID,
    body: UserUpdate,
    access: AccessDep,
) -> UserRead:
    """Managers change role, scope and `is_active`; users their own name and password."""
    user = await service.update_user(access, user_id, body)
    return UserRead.model_validate(user)
