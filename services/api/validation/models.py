"""Validation rules (kept as data, each a territory's own or global) and their current
violations, one row per (rule, organization, period) while the values break the rule."""

import uuid
from datetime import datetime

from sqlalchemy import ARRAY, CheckConstraint, Column, DateTime, Float, Index, Text, func
from sqlmodel import Field, SQLModel

from shared.db import Entity


class ValidationRule(Entity, table=True):
    __tablename__ = "validation_rule"
    __table_args__ = (
        CheckConstraint("operator IN ('==', '!=', '<', '<=', '>', '>=')", name="operator"),
        CheckConstraint("importance IN ('high', 'medium', 'low')", name="importance"),
        CheckConstraint("action IN ('warn', 'reject')", name="action"),
        {"schema": "api"},
    )

    code: str = Field(max_length=80, unique=True)
    # None: a global rule (administrators change it); else the territory whose own rule it is.
    owner_territory_id: uuid.UUID | None = Field(
        default=None, foreign_key="api.territory.id", index=True, ondelete="RESTRICT"
    )
    left: str = Field(sa_column=Column(Text, nullable=False))
    operator: str = Field(max_length=2)
    right: str = Field(sa_column=Column(Text, nullable=False))
    importance: str = Field(default="medium", max_length=10)
    message: str = Field(sa_column=Column(Text, nullable=False))
    action: str = Field(default="warn", max_length=10)
    active: bool = True
    # The indicator codes both sides read (kept with the rule: which rules a value concerns).
    indicator_codes: list[str] = Field(sa_column=Column(ARRAY(Text), nullable=False))


class ValidationViolation(SQLModel, table=True):
    """A rule the values of one organization and period break now (recomputed on each write)."""

    __tablename__ = "validation_violation"
    __table_args__ = (
        Index("ix_validation_violation_organization_period", "organization_id", "period"),
        {"schema": "api"},
    )
    __audit__ = False  # derived from the values, written in bulk with SQL

    rule_id: uuid.UUID = Field(
        foreign_key="api.validation_rule.id", primary_key=True, ondelete="CASCADE"
    )
    organization_id: uuid.UUID = Field(
        foreign_key="api.organization.id", primary_key=True, ondelete="CASCADE"
    )
    period: str = Field(primary_key=True, max_length=20)
    left_value: float | None = Field(default=None, sa_column=Column(Float))
    right_value: float | None = Field(default=None, sa_column=Column(Float))
    detected_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )
