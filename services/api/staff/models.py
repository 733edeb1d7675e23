"""Staff members of organizations: personal data, read under the scope rules."""

import uuid

from sqlalchemy import CheckConstraint, Column, Text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field

from shared.db import Entity

POSITIONS = ("teacher", "leader", "deputy", "methodologist", "psychologist")


class StaffMember(Entity, table=True):
    __tablename__ = "staff_member"
    __table_args__ = (
        CheckConstraint(
            "position IN ('teacher', 'leader', 'deputy', 'methodologist', 'psychologist')",
            name="position",
        ),
        {"schema": "api"},
    )

    organization_id: uuid.UUID = Field(
        foreign_key="api.organization.id", index=True, ondelete="RESTRICT"
    )
    full_name: str = Field(max_length=300)
    position: str = Field(max_length=20)
    subjects: list[str] = Field(
        default_factory=list,
        sa_column=Column(ARRAY(Text), nullable=False, server_default="{}"),
    )
    email: str | None = Field(default=None, max_length=320)
    is_active: bool = Field(default=True)
