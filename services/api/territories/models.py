"""Territories: regions and municipalities, as a tree."""

import uuid

from sqlalchemy import CheckConstraint
from sqlmodel import Field

from shared.db import Entity

TERRITORY_KINDS = ("region", "municipality")


class Territory(Entity, table=True):
    __tablename__ = "territory"
    __table_args__ = (
        CheckConstraint("kind IN ('region', 'municipality')", name="kind"),
        {"schema": "api"},
    )

    name: str = Field(max_length=300)
    kind: str = Field(max_length=20)
    parent_id: uuid.UUID | None = Field(
        default=None, foreign_key="api.territory.id", index=True, ondelete="RESTRICT"
    )
