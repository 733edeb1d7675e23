"""HTTP: /v1/auth/token (OAuth2 password form), /v1/auth/revoke (RFC 7009),
/v1/auth/introspect and /v1/me."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Header, Request, Response
from fastapi.security import OAuth2PasswordRequestForm

from services.api.auth.deps import Caller, CallerOrKey, gate, sign_in_address
from services.api.auth.schemas import Me, Token, TokenQuery, TokenStatus
from services.api.auth.service import introspect, revoke, sign_in
from services.api.users.models import User
from services.api.users.schemas import UserRead
from shared.db import SessionDep
from shared.errors import (
    Forbidden,
    Invalid,
    TooManyRequests,
    Unauthorized,
    error_responses,
    problem,
)
from shared.headers import CLIENT_ADDRESS_HEADER
from shared.identity import Principal, bearer_token

router = APIRouter(tags=["auth"])


def services_only(principal: Principal) -> None:
    """Forbidden (403) unless a Soko service acting for nobody: who asks whether tokens stand."""
    if principal.kind != "service":
        raise Forbidden("Проверять токены могут только сервисы Soko")


@router.post(
    "/auth/token",
    response_model=Token,
    responses=error_responses(Unauthorized, TooManyRequests, Invalid),
)
async def issue_token(
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
    request: Request,
    session: SessionDep,
    response: Response,
    client_address: Annotated[
        str | None,
        Header(
            alias=CLIENT_ADDRESS_HEADER,
            description="The address of the person a Soko service signs in "
            "(read only with a service token)",
        ),
    ] = None,
) -> Token | Response:
    """Sign in with email and password; the token lasts `expires_in` seconds.

    Failures are throttled per account and per address (429 with `Retry-After`). A Soko
    service signing a person in on their behalf sends its service token and the person's
    address in `X-Soko-Client-Address`; from anyone else that header is ignored.
    """
    settings = request.app.state.settings
    address = sign_in_address(request, client_address)
    outcome = await sign_in(session, settings, form.username, form.password, address)
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


@router.post(
    "/auth/revoke",
    response_class=Response,
    responses={200: {"description": "Revoked (or not valid anyway)"}} | error_responses(Invalid),
)
async def revoke_token(
    request: Request,
    session: SessionDep,
    token: Annotated[
        str | None,
        Form(max_length=8192, description="The access token; without it, the one in Authorization"),
    ] = None,
    token_type_hint: Annotated[
        str | None, Form(max_length=100, description="RFC 7009; ignored")
    ] = None,
) -> Response:
    """Sign out (RFC 7009, `application/x-www-form-urlencoded`): the access token in `token`,
    or else the one in `Authorization: Bearer`, is refused by every service from now on (the
    api service at once, surveys and reports within `SOKO_TOKEN_CHECK_SECONDS`) until it
    expires. Holding the token is the right to revoke it: no other credentials are asked.

    200 with an empty body every time, also for a token already revoked, expired, invalid or
    unknown (RFC 7009 § 2.2); 422 naming `token` when no token is presented at all.
    """
    del token_type_hint  # only access tokens exist here
    presented = token or bearer_token(request)
    if not presented:
        message = "Передайте токен в поле token или в заголовке Authorization"
        raise Invalid(message, errors=[{"loc": ["body", "token"], "msg": message}])
    await revoke(session, request.app.state.settings, presented)
    return Response(status_code=200, headers={"Cache-Control": "no-store"})


@router.post(
    "/auth/introspect",
    responses=error_responses(Unauthorized, Forbidden),
    dependencies=[gate(services_only)],
)
async def introspect_token(
    body: TokenQuery, caller: Caller, session: SessionDep, request: Request
) -> TokenStatus:
    """For Soko services only (403 for anyone else): does a user's token still stand?
    The surveys and reports services ask before they accept a user's token, and keep the
    answer for `SOKO_TOKEN_CHECK_SECONDS`."""
    settings = request.app.state.settings
    return TokenStatus(active=await introspect(session, settings, body.token))


@router.get("/me", responses=error_responses(Unauthorized))
async def me(caller: CallerOrKey, session: SessionDep) -> Me:
    """Who the token or API key belongs to."""
    user = None
    if caller.kind == "user":
        user = UserRead.model_validate(await session.get(User, caller.id))
    return Me.of(caller, user=user)
