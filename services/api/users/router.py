"""HTTP: /v1/users."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.api.access import MANAGERS
from services.api.auth.deps import AccessDep, allowed
from services.api.deps import VisibleUser
from services.api.users import service
from services.api.users.models import User
from services.api.users.schemas import UserCreate, UserRead, UserRole, UserUpdate
from shared import etag
from shared.errors import Conflict, Forbidden, Invalid, NotFound, error_responses
from shared.pagination import Page, PaginationDep

router = APIRouter(tags=["users"])
ERRORS = error_responses(Forbidden, NotFound, Invalid, Conflict)
# An account's state is what its PATCH sets and its GET shows: not the password's hash (a
# secret), nor what signing in and out changes (the last login, the tokens' version and so
# the row's `updated_at`), which would fail an administrator's change for nothing.
USER = etag.Versioned.of(
    User, exclude=("password_hash", "token_version", "last_login_at", "updated_at")
)


@router.post("/users", status_code=201, responses=ERRORS, dependencies=[allowed(*MANAGERS)])
async def create_user(body: UserCreate, access: AccessDep) -> UserRead:
    """Administrators create anyone; territory analysts users inside their territory."""
    return UserRead.model_validate(await service.create_user(access, body))


@router.get("/users", responses=ERRORS, dependencies=[allowed(*MANAGERS)])
async def list_users(
    access: AccessDep,
    page: PaginationDep,
    role: UserRole | None = None,
    active: bool | None = None,
    q: Annotated[str | None, Query(max_length=200, description="Part of the name or email")] = None,
) -> Page[UserRead]:
    items, total = await service.list_users(access, page, role=role, active=active, q=q)
    return Page(items=[UserRead.model_validate(u) for u in items], total=total)


@router.get("/users/{user_id}", responses=ERRORS | etag.TAGGED)
async def get_user(user_id: uuid.UUID, access: AccessDep, response: Response) -> UserRead:
    """One account the caller may read (404 otherwise), with its `ETag`."""
    user = await service.get_user(access, user_id)
    await etag.tag_response(response, access.session, USER, user.id)
    return UserRead.model_validate(user)


@router.patch("/users/{user_id}", responses=ERRORS | etag.CONDITIONAL)
async def update_user(
    user: VisibleUser,
    body: UserUpdate,
    access: AccessDep,
    response: Response,
    if_match: etag.IfMatchDep,
) -> UserRead:
    """Managers change role, scope and `is_active`; users their own name and password (404 for
    an account the caller does not see, before the body is read). With `If-Match` only if it
    is unchanged since (412 otherwise, nothing changed); answers the new `ETag`."""
    async with etag.precondition(access.session, USER, user.id, if_match, response):
        user = await service.update_user(access, user, body)
    return UserRead.model_validate(user)
