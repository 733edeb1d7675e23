"""Campaigns over the API."""

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from shared.periods import PeriodBody
from shared.validation import LocalDatetime, PositiveInt32, UpdateSchema

Audience = Literal["parents", "teachers", "leaders", "students"]


class CampaignCreate(BaseModel):
    instrument_id: uuid.UUID
    version: PositiveInt32 | None = Field(default=None, description="By default: the latest")
    title: str | None = Field(default=None, max_length=500)
    audience: Audience
    organization_ids: list[uuid.UUID] = Field(min_length=1, max_length=5000)
    period: PeriodBody = Field(description="2021/2022, 2022, 2022Q3 or 2022-09")
    opens_at: LocalDatetime = Field(description="Without an offset: a time in SOKO_TIMEZONE")
    closes_at: LocalDatetime = Field(description="Without an offset: a time in SOKO_TIMEZONE")
    anonymous: bool = True

    @field_validator("organization_ids")
    @classmethod
    def _each_once(cls, ids: list[uuid.UUID]) -> list[uuid.UUID]:
        """A school pasted twice into a list of 25 is often another one forgotten: said."""
        seen: set[uuid.UUID] = set()
        for position, organization in enumerate(ids):
            if organization in seen:
                raise PydanticCustomError(
                    "duplicate_organization",
                    "организация {organization} указана дважды (позиция {position}): проверьте, "
                    "не пропущена ли вместо неё другая",
                    {"organization": str(organization), "position": position},
                )
            seen.add(organization)
        return ids

    @model_validator(mode="after")
    def _window(self) -> "CampaignCreate":
        if self.closes_at <= self.opens_at:
            raise ValueError("closes_at (закрытие) должно быть позже opens_at (открытия)")
        return self


class CampaignUpdate(UpdateSchema):
    """Close early (closes_at in the past or now), extend, rename, or correct a mistyped
    period while no one has answered."""

    closes_at: LocalDatetime | None = Field(
        default=None, description="Without an offset: a time in SOKO_TIMEZONE"
    )
    title: str | None = Field(default=None, max_length=500)
    period: PeriodBody | None = Field(
        default=None,
        description="A mistyped period corrected (2021/2022, 2022, 2022Q3 or 2022-09): only "
        "while the campaign has no submitted response (409 naming `period` otherwise)",
    )


class Link(BaseModel):
    organization_id: uuid.UUID
    url: str


class Channels(BaseModel):
    """Submitted responses by how they came in."""

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    web: int = Field(description="Through the questionnaire's link")
    paper: int = Field(description="Keyed in by an operator from paper questionnaires")
    imported: int = Field(
        default=0,
        alias="import",
        description="Imported from a Yandex Forms or Google Forms export",
    )


class OrganizationRate(BaseModel):
    organization_id: uuid.UUID
    responses: int
    expected: int | None = Field(
        description="How many of the audience are expected to answer (shared/"
        "expected_respondents.py: pupils for parents and students, the staff of the audience's "
        "positions for teachers and leaders); null when unknown"
    )
    expected_unknown: str | None = Field(
        default=None,
        description="Russian: why `expected` is null (what to record for it to be known); "
        "null when it is known",
    )
    rate: float | None  # percent
    channels: Channels


class CampaignRead(BaseModel):
    id: uuid.UUID
    title: str
    instrument_id: uuid.UUID
    instrument_code: str
    instrument_version_id: uuid.UUID
    version: int
    audience: Audience
    period: str
    opens_at: datetime
    closes_at: datetime
    anonymous: bool
    status: Literal["scheduled", "open", "closed"]
    links: list[Link]
    invitations: int


class CampaignWritten(CampaignRead):
    """The campaign as a launch or a change left it, and what looks wrong in what was sent
    though it was accepted (the answer of the write: a later read has no `warnings`)."""

    warnings: list[str] = Field(
        default_factory=list,
        description="Russian notes, each starting with its field: an opening over a year after "
        "the period ends or over a year before it starts (`period: кампания открывается "
        "03.12.2026, больше чем через год после конца периода «2019/2020» (31.08.2020); …`), "
        "right for an old paper survey keyed in, wrong for a mistyped period, naming `period`; "
        "the same for a change of the period; [] otherwise",
    )


class Pending(BaseModel):
    """Who has not answered; never their personal link (only its teacher may see and use it)."""

    staff_id: uuid.UUID
    organization_id: uuid.UUID
    full_name: str
    status: Literal["not_started", "draft"]


class MyInvitation(BaseModel):
    """One of the signed-in teacher's own personal links, in an open campaign."""

    campaign_id: uuid.UUID
    title: str
    opens_at: datetime
    closes_at: datetime
    status: Literal["not_started", "draft", "submitted"]
    url: str
