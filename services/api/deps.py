"""Dependencies of the api service's routers: who calls (auth/deps.py) and the objects a path
names, loaded (or 404 when missing or out of the caller's sight) before the handler runs."""

import uuid
from typing import Annotated

from fastapi import Depends

from services.api.auth.deps import AccessDep, Caller, CallerOrKey, ScopeResolverDep
from services.api.roadmaps import service as roadmaps
from services.api.roadmaps.models import Roadmap
from services.api.users import service as users
from services.api.users.models import User

__all__ = [
    "AccessDep",
    "Caller",
    "CallerOrKey",
    "ReadableRoadmap",
    "ScopeResolverDep",
    "VisibleUser",
]


async def readable_roadmap(roadmap_id: uuid.UUID, access: AccessDep) -> Roadmap:
    """The roadmap of the path if the caller may read it (NotFound otherwise)."""
    return await roadmaps.get_roadmap(access, roadmap_id)


ReadableRoadmap = Annotated[Roadmap, Depends(readable_roadmap)]


async def visible_user(user_id: uuid.UUID, access: AccessDep) -> User:
    """The account of the path if the caller sees it (NotFound otherwise: their own, or, for a
    manager, one of their scope)."""
    return await users.get_user(access, user_id)


VisibleUser = Annotated[User, Depends(visible_user)]
