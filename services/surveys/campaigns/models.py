"""Campaigns, their organizations (with the anonymous link of each) and personal invitations."""

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Index
from sqlmodel import Field, SQLModel

from shared.db import Entity, uuid_list_column


class Campaign(Entity, table=True):
    __tablename__ = "campaign"
    __table_args__ = (
        CheckConstraint(
            "audience IN ('parents', 'teachers', 'leaders', 'students')", name="audience"
        ),
        CheckConstraint("closes_at > opens_at", name="window"),
        {"schema": "surveys"},
    )

    title: str = Field(max_length=500)
    instrument_version_id: uuid.UUID = Field(
        foreign_key="surveys.instrument_version.id", index=True, ondelete="RESTRICT"
    )
    audience: str = Field(max_length=20)
    period: str = Field(max_length=20)
    opens_at: datetime = Field(sa_type=DateTime(timezone=True))
    closes_at: datetime = Field(sa_type=DateTime(timezone=True))
    anonymous: bool = True
    created_by: str | None = Field(default=None, max_length=100)


class CampaignOrganization(SQLModel, table=True):
    __tablename__ = "campaign_organization"
    __table_args__ = (
        Index("ix_campaign_organization_org", "organization_id"),
        {"schema": "surveys"},
    )

    campaign_id: uuid.UUID = Field(
        foreign_key="surveys.campaign.id", primary_key=True, ondelete="CASCADE"
    )
    organization_id: uuid.UUID = Field(primary_key=True)
    # How many are expected to answer (staff, or students for parents), when known.
    expected: int | None = None
    # The organization's anonymous link: /s/{code}.
    code: str = Field(max_length=32, unique=True)
    # Its groups as drawn at the launch: its territories (its own first, up to the root) and
    # clusters. The campaign's figures are withheld as over these, whatever is drawn later
    # (shared/disclosure.py, `as_launched`).
    territory_ids: list[uuid.UUID] = uuid_list_column()
    cluster_ids: list[uuid.UUID] = uuid_list_column()


class Invitation(SQLModel, table=True):
    """A personal link of one staff member in an identified campaign."""

    __tablename__ = "invitation"
    __table_args__ = (
        Index("ix_invitation_campaign_org", "campaign_id", "organization_id"),
        {"schema": "surveys"},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    campaign_id: uuid.UUID = Field(foreign_key="surveys.campaign.id", ondelete="CASCADE")
    organization_id: uuid.UUID
    staff_id: uuid.UUID = Field(index=True)
    full_name: str = Field(max_length=300)  # as the api service had it, for reminder lists
    code: str = Field(max_length=32, unique=True)
