"""Min–max bounds per indicator (global or one organization's) and the current outlier flags.

A bound is catalogue data, audited through the ORM; flags are derived from the values, the
bounds and the settings, rewritten in bulk by SQL (services/api/outliers/service.py) and not
audited (the values and bounds they follow are).
"""

import uuid
from datetime import datetime

from sqlalchemy import (
    CheckConstraint,
    Column,
    DateTime,
    Float,
    ForeignKeyConstraint,
    Index,
    UniqueConstraint,
    func,
)
from sqlmodel import Field, SQLModel

from shared.db import Entity

CHECKS = ("min_max", "territory_z", "history_z")


class OutlierBound(Entity, table=True):
    """The values expected of an indicator: `lower` and/or `upper` (either may be open), for
    every organization (`organization_id` None) or one. One bound per key."""

    __tablename__ = "outlier_bound"
    __table_args__ = (
        UniqueConstraint(
            "indicator_id",
            "organization_id",
            name="uq_outlier_bound_key",
            postgresql_nulls_not_distinct=True,
        ),
        CheckConstraint("lower IS NOT NULL OR upper IS NOT NULL", name="some_side"),
        CheckConstraint("lower <= upper", name="ordered"),
        {"schema": "api"},
    )

    indicator_id: uuid.UUID = Field(foreign_key="api.indicator.id", ondelete="CASCADE")
    organization_id: uuid.UUID | None = Field(
        default=None, foreign_key="api.organization.id", index=True, ondelete="CASCADE"
    )
    lower: float | None = Field(default=None, sa_column=Column(Float))
    upper: float | None = Field(default=None, sa_column=Column(Float))


class OutlierFlag(SQLModel, table=True):
    """A stored value that one check flags now (`kind`: min_max, territory_z, history_z), with
    what it was compared to: the bound crossed, or the median, the sample size and the score."""

    __tablename__ = "outlier_flag"
    __table_args__ = (
        ForeignKeyConstraint(
            ["indicator_id", "organization_id", "period"],
            [
                "api.data_value.indicator_id",
                "api.data_value.organization_id",
                "api.data_value.period",
            ],
            name="fk_outlier_flag_data_value",
            ondelete="CASCADE",
        ),
        CheckConstraint(f"kind IN {CHECKS}", name="kind"),
        Index("ix_outlier_flag_organization_period", "organization_id", "period"),
        {"schema": "api"},
    )
    __audit__ = False  # derived from the audited values and bounds, rewritten in bulk

    indicator_id: uuid.UUID = Field(primary_key=True)
    organization_id: uuid.UUID = Field(primary_key=True)
    period: str = Field(primary_key=True, max_length=20)
    kind: str = Field(primary_key=True, max_length=20)
    value: float = Field(sa_column=Column(Float, nullable=False))
    bound: float | None = Field(default=None, sa_column=Column(Float))
    median: float | None = Field(default=None, sa_column=Column(Float))
    score: float | None = Field(default=None, sa_column=Column(Float))
    n: int | None = None  # values the median and score were taken over
    flagged_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )
