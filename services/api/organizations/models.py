"""Organizations (schools, kindergartens, ...) and clusters of them."""

import uuid
from datetime import date
from typing import Any

from sqlalchemy import CheckConstraint, Column, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from shared.db import Entity


class Organization(Entity, table=True):
    __tablename__ = "organization"
    __table_args__ = (
        CheckConstraint("kind IN ('school', 'kindergarten', 'additional', 'college')", name="kind"),
        CheckConstraint("closed_on >= opened_on", name="open_dates"),
        {"schema": "api"},
    )

    name: str = Field(max_length=500)
    short_name: str | None = Field(default=None, max_length=200)
    kind: str = Field(max_length=20)
    territory_id: uuid.UUID = Field(foreign_key="api.territory.id", index=True, ondelete="RESTRICT")
    context: dict[str, Any] = Field(
        default_factory=dict,
        sa_column=Column(JSONB, nullable=False, server_default=text("'{}'::jsonb")),
    )
    # Open from `opened_on` to `closed_on`, both days inclusive (NULL: open since always, still
    # open): a data collection expects the organization only in windows it was open during.
    opened_on: date | None = None
    closed_on: date | None = None


class Cluster(Entity, table=True):
    __tablename__ = "cluster"
    __table_args__ = {"schema": "api"}

    name: str = Field(max_length=500)
    description: str | None = Field(default=None)
    territory_id: uuid.UUID = Field(foreign_key="api.territory.id", index=True, ondelete="RESTRICT")
    coordinator_id: uuid.UUID | None = Field(
        default=None, foreign_key="api.organization.id", ondelete="SET NULL"
    )


class ClusterMember(SQLModel, table=True):
    __tablename__ = "cluster_member"
    __table_args__ = {"schema": "api"}

    cluster_id: uuid.UUID = Field(
        foreign_key="api.cluster.id", primary_key=True, ondelete="CASCADE"
    )
    organization_id: uuid.UUID = Field(
        foreign_key="api.organization.id", primary_key=True, index=True, ondelete="CASCADE"
    )
