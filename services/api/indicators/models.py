"""The indicator catalogue, targets per period and scope, and links to roadmaps.

Ownership: a definition with no `owner_territory_id` belongs to the global catalogue (changed by
administrators only); one with an owner is that territory's own. A target belongs to the scope it
is set for (an unscoped one to the definition's owner), a link to a roadmap to the roadmap's owner.
"""

import uuid
from typing import Any

from sqlalchemy import ARRAY, CheckConstraint, Column, Float, Index, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from shared.db import Entity
from shared.indicator_methods import ORGANIZATION_KINDS

KINDS_SQL = f"ARRAY[{', '.join(repr(k) for k in ORGANIZATION_KINDS)}]::text[]"


class Indicator(Entity, table=True):
    __tablename__ = "indicator"
    __table_args__ = (
        CheckConstraint("unit IN ('percent', 'count', 'score', 'boolean', 'number')", name="unit"),
        CheckConstraint("direction IN ('higher', 'lower')", name="direction"),
        CheckConstraint("level IN ('organization', 'cluster', 'territory')", name="level"),
        CheckConstraint(
            f"cardinality(applies_to) > 0 AND applies_to <@ {KINDS_SQL}", name="applies_to"
        ),
        {"schema": "api"},
    )

    code: str = Field(max_length=80, unique=True)
    # None: the global catalogue; else the territory whose own indicator it is.
    owner_territory_id: uuid.UUID | None = Field(
        default=None, foreign_key="api.territory.id", index=True, ondelete="RESTRICT"
    )
    name: str = Field(sa_column=Column(Text, nullable=False))
    description: str | None = Field(default=None, sa_column=Column(Text))
    unit: str = Field(max_length=20)
    direction: str = Field(default="higher", max_length=10)
    level: str = Field(max_length=20)
    method: str = Field(max_length=40)
    params: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONB, nullable=False, server_default="{}")
    )
    # The default target; more specific ones are in indicator_target.
    target_op: str | None = Field(default=None, max_length=2)
    target_value: float | None = Field(default=None, sa_column=Column(Float))
    collection_method: str | None = Field(default=None, sa_column=Column(Text))
    min_n: int = Field(default=1)
    # The kinds of organization it is computed for (the others are left out of its values).
    applies_to: list[str] = Field(
        default_factory=lambda: list(ORGANIZATION_KINDS),
        sa_column=Column(ARRAY(Text), nullable=False, server_default=text(KINDS_SQL)),
    )


class IndicatorTarget(SQLModel, table=True):
    """A target for one period and/or one scope; the most specific one applies."""

    __tablename__ = "indicator_target"
    __table_args__ = (
        UniqueConstraint(
            "indicator_id",
            "period",
            "scope_type",
            "scope_id",
            name="uq_indicator_target_key",
            postgresql_nulls_not_distinct=True,
        ),
        {"schema": "api"},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    indicator_id: uuid.UUID = Field(foreign_key="api.indicator.id", index=True, ondelete="CASCADE")
    period: str | None = Field(default=None, max_length=20)
    scope_type: str | None = Field(default=None, max_length=20)
    scope_id: uuid.UUID | None = None
    op: str = Field(max_length=2)
    value: float = Field(sa_column=Column(Float, nullable=False))


class IndicatorRoadmap(SQLModel, table=True):
    """An indicator may serve several roadmaps, a roadmap has several indicators."""

    __tablename__ = "indicator_roadmap"
    __table_args__ = (Index("ix_indicator_roadmap_roadmap", "roadmap_id"), {"schema": "api"})
    __audit__ = False

    indicator_id: uuid.UUID = Field(
        foreign_key="api.indicator.id", primary_key=True, ondelete="CASCADE"
    )
    roadmap_id: uuid.UUID = Field(
        foreign_key="api.roadmap.id", primary_key=True, ondelete="CASCADE"
    )
