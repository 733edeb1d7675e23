"""HTTP: /v1/auth/token (OAuth2 password form) and /v1/me."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from services.api.auth.deps import CallerOrKey
from services.api.auth.service import sign_in
from services.api.users.models import User
from services.api.users.schemas import UserRead
from shared.context import client_address_var
from shared.db import SessionDep
from shared.errors import TooManyRequests, Unauthorized, error_responses, problem

router = APIRouter(tags=["auth"])


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int


class Me(BaseModel):
    """The caller: a user (with the user's record) or an organization's API key."""

    kind: str
    id: str
    role: str
    scope_type: str | None
    scope_id: str | None
    user: UserRead | None = None


@router.post(
    "/auth/token", response_model=Token, responses=error_responses(Unauthorized, TooManyRequests)
)
async def issue_token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    session: SessionDep,
    response: Response,
) -> Token | Response:
    """Sign in with email and password; the token lasts `expires_in` seconds."""
    settings = request.app.state.settings
    outcome = await sign_in(
        session, settings, form.username, form.password, client_address_var.get()
    )
    # Returned, not raised: the failed attempt must be committed to count towards throttling.
    if outcome.retry_after is not None:
        return problem(
            429,
            slug="too-many-requests",
            detail="Слишком много неудачных попыток входа, повторите позже",
            headers={"Retry-After": str(outcome.retry_after)},
        )
    if outcome.token is None:
        return problem(
            401,
            slug="unauthorized",
            detail="Неверный адрес электронной почты или пароль",
            headers={"WWW-Authenticate": "Bearer"},
        )
    response.headers["Cache-Control"] = "no-store"
    return Token(access_token=outcome.token, expires_in=settings.access_token_minutes * 60)


@router.get("/me", responses=error_responses(Unauthorized))
async def me(caller: CallerOrKey, session: SessionDep) -> Me:
    """Who the token or API key belongs to."""
    user = None
    if caller.kind == "user":
        user = UserRead.model_validate(await session.get(User, caller.id))
    return Me(
        kind=caller.kind,
        id=caller.id,
        role=caller.role.value,
        scope_type=caller.scope_type.value if caller.scope_type else None,
        scope_id=str(caller.scope_id) if caller.scope_id else None,
        user=user,
    )
