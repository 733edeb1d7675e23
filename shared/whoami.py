"""`GET /v1/me` of the surveys and reports services: the caller as this service sees them."""

from typing import Any, Self

from fastapi import APIRouter
from pydantic import BaseModel

from shared import identity
from shared.errors import Unauthorized, error_responses
from shared.identity import Caller

router = APIRouter(tags=["auth"])


class CallerRead(BaseModel):
    """The base of every service's `GET /v1/me` answer: the caller's kind, id, role and
    scope, ids as text."""

    kind: str
    id: str
    role: str
    scope_type: str | None
    scope_id: str | None

    @classmethod
    def of(cls, caller: identity.Principal, **extra: Any) -> Self:
        """The answer about `caller`, with the fields the subclass adds given in `extra`."""
        return cls(
            kind=caller.kind,
            id=caller.id,
            role=caller.role.value,
            scope_type=caller.scope_type.value if caller.scope_type else None,
            scope_id=str(caller.scope_id) if caller.scope_id else None,
            **extra,
        )


class Principal(CallerRead):
    name: str | None
    via: str | None


@router.get("/me", responses=error_responses(Unauthorized))
async def me(caller: Caller) -> Principal:
    """Who the token belongs to (any token the api service issued is accepted here)."""
    return Principal.of(caller, name=caller.name, via=caller.via)
