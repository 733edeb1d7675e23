"""Data collections (сбор данных): the indicators organizations report for a period, each
period's reporting window, and the approval of what each organization reported."""

import uuid
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Identity,
    Index,
    Text,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from shared.db import Entity, timestamp_column


class Collection(Entity, table=True):
    """A named set of indicators that the organizations of some kinds in a territory (its
    subtree) report for each period of its windows."""

    __tablename__ = "collection"
    __table_args__ = (
        CheckConstraint("cardinality(indicator_ids) > 0", name="indicator_ids"),
        CheckConstraint("cardinality(organization_kinds) > 0", name="organization_kinds"),
        {"schema": "api"},
    )

    name: str = Field(max_length=300)
    description: str | None = Field(default=None, sa_column=Column(Text))
    owner_territory_id: uuid.UUID = Field(
        foreign_key="api.territory.id", index=True, ondelete="RESTRICT"
    )
    organization_kinds: list[str] = Field(
        default_factory=lambda: ["school"],
        sa_column=Column(ARRAY(Text), nullable=False, server_default=text("'{school}'::text[]")),
    )
    indicator_ids: list[uuid.UUID] = Field(
        default_factory=list, sa_column=Column(ARRAY(Uuid), nullable=False)
    )
    created_by: uuid.UUID | None = None


class CollectionWindow(SQLModel, table=True):
    """One period of a collection: values are expected from `opens_date` and due by
    `due_date` (both inclusive, in the settings' time zone)."""

    __tablename__ = "collection_window"
    __table_args__ = (
        CheckConstraint("due_date >= opens_date", name="dates"),
        {"schema": "api"},
    )
    __audit__ = False  # a change is audited as one of its collection's (`windows`)

    collection_id: uuid.UUID = Field(
        foreign_key="api.collection.id", primary_key=True, ondelete="CASCADE"
    )
    period: str = Field(primary_key=True, max_length=20)
    opens_date: date
    due_date: date


class CollectionApproval(SQLModel, table=True):
    """Where one organization's data of one collection and period stands: `submitted` by the
    school, `not_submitted` when it withdrew that, `returned` to it, or `approved` by `level`
    territories of its approval chain (1: its municipality, 2: the region above, …). Audited
    on every step (the flush hook)."""

    __tablename__ = "collection_approval"
    __table_args__ = (
        CheckConstraint(
            "status IN ('not_submitted', 'submitted', 'returned', 'approved')", name="status"
        ),
        CheckConstraint(
            "last_action IN ('submit', 'approve', 'return', 'unapprove', 'withdraw')",
            name="last_action",
        ),
        CheckConstraint("(status = 'approved') = (level > 0)", name="level"),
        UniqueConstraint(
            "collection_id", "organization_id", "period", name="uq_collection_approval_key"
        ),
        Index("ix_collection_approval_organization_period", "organization_id", "period"),
        {"schema": "api"},
    )

    # A key of its own: the audit log names the approval by it.
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    collection_id: uuid.UUID = Field(foreign_key="api.collection.id", ondelete="CASCADE")
    organization_id: uuid.UUID = Field(foreign_key="api.organization.id", ondelete="RESTRICT")
    period: str = Field(max_length=20)
    status: str = Field(max_length=20)
    level: int = Field(default=0)
    last_action: str = Field(max_length=20)
    comment: str | None = Field(default=None, sa_column=Column(Text))
    updated_at: datetime = timestamp_column(onupdate=True)


class CollectionApprovalStep(SQLModel, table=True):
    """The approval history: each step, who took it at which level, when and why."""

    __tablename__ = "collection_approval_step"
    __table_args__ = (
        CheckConstraint(
            "action IN ('submit', 'approve', 'return', 'unapprove', 'withdraw')", name="action"
        ),
        Index("ix_collection_approval_step_key", "collection_id", "organization_id", "period"),
        {"schema": "api"},
    )
    __audit__ = False  # it is itself a history; the approval row's changes are audited

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    collection_id: uuid.UUID = Field(foreign_key="api.collection.id", ondelete="CASCADE")
    organization_id: uuid.UUID = Field(foreign_key="api.organization.id", ondelete="RESTRICT")
    period: str = Field(max_length=20)
    action: str = Field(max_length=20)
    # 0: the organization itself; k: the k-th territory of its approval chain.
    level: int
    territory_id: uuid.UUID | None = Field(default=None)
    status: str = Field(max_length=20)  # the approval's status after the step
    comment: str | None = Field(default=None, sa_column=Column(Text))
    actor_id: str | None = Field(default=None, max_length=100)
    actor_name: str | None = Field(default=None, max_length=300)
    at: datetime = timestamp_column()
