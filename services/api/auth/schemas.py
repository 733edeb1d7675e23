"""Signing in and knowing who calls: a token, its status, the caller."""

from pydantic import BaseModel, Field

from services.api.users.schemas import UserRead
from shared.whoami import CallerRead


class Token(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth2 token type, not a secret
    expires_in: int


class TokenQuery(BaseModel):
    """A user's access token, as a service received it."""

    token: str = Field(max_length=8192)


class TokenStatus(BaseModel):
    """RFC 7662's answer: `active` is false for an expired or invalid token, for a service's
    token, and when the account changed or is inactive or gone since the token was issued."""

    active: bool


class Me(CallerRead):
    """The caller: a user (with the user's record) or an organization's API key."""

    user: UserRead | None = None
