"""Recommendation rules (data, editable), the recommendations they issued, and decisions."""

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Column, DateTime, Float, Index, Text, Uuid
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlmodel import Field, SQLModel

from shared.db import Entity, timestamp_column

ADDRESSEES = ("organization_leader", "teacher", "pd_centre", "authority")
STATUSES = ("new", "accepted", "in_progress", "done", "rejected")


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class RecommendationRule(Entity, table=True):
    """A condition over computed facts → an addressee → a Russian text template → actions.

    Without an owner territory it is a global rule (an administrator's); with one, that
    territory's own, applied there and below."""

    __tablename__ = "recommendation_rule"
    __table_args__ = (
        CheckConstraint(_in("addressee_type", ADDRESSEES), name="addressee_type"),
        {"schema": "reports"},
    )

    code: str = Field(max_length=80, unique=True)
    owner_territory_id: uuid.UUID | None = Field(default=None, index=True)
    title: str = Field(sa_column=Column(Text, nullable=False))
    condition: str = Field(max_length=40)
    params: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONB, nullable=False, server_default="{}")
    )
    addressee_type: str = Field(max_length=30)
    template: str = Field(sa_column=Column(Text, nullable=False))
    actions: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONB, nullable=False, server_default="[]")
    )
    active: bool = True


class RuleSwitchOff(SQLModel, table=True):
    """A rule switched off in one territory (and so below it) by that territory's analysts,
    while it stays on elsewhere."""

    __tablename__ = "recommendation_rule_switch_off"
    __table_args__ = {"schema": "reports"}

    rule_id: uuid.UUID = Field(
        foreign_key="reports.recommendation_rule.id", primary_key=True, ondelete="CASCADE"
    )
    territory_id: uuid.UUID = Field(primary_key=True, index=True)
    created_by: str | None = Field(default=None, max_length=100)
    created_at: datetime = timestamp_column()


class Recommendation(Entity, table=True):
    """An issued recommendation. Its id is derived from the facts (rule, addressee, subject,
    period), so recomputation finds the same row instead of adding another."""

    __tablename__ = "recommendation"
    __table_args__ = (
        CheckConstraint(_in("addressee_type", ADDRESSEES), name="addressee_type"),
        CheckConstraint(_in("status", STATUSES), name="status"),
        Index("ix_recommendation_scope", "territory_id", "period", "addressee_type"),
        Index("ix_recommendation_organization", "organization_id", "period"),
        Index("ix_recommendation_territory_ids", "territory_ids", postgresql_using="gin"),
        {"schema": "reports"},
    )

    rule_id: uuid.UUID | None = Field(
        default=None, foreign_key="reports.recommendation_rule.id", ondelete="SET NULL"
    )
    rule_code: str = Field(max_length=80)
    period: str = Field(max_length=20)
    addressee_type: str = Field(max_length=30)
    addressee_id: uuid.UUID  # organization, staff member or territory
    organization_id: uuid.UUID | None = None  # the school it concerns, if any
    territory_id: uuid.UUID  # the territory it concerns (a school's own territory)
    # That territory and every one above it: who may read it is one array test in SQL.
    territory_ids: list[uuid.UUID] = Field(
        default_factory=list,
        sa_column=Column(ARRAY(Uuid), nullable=False, server_default="{}"),
    )
    subject: str = Field(max_length=200)  # indicator code, competence, campaign
    indicator_code: str | None = Field(default=None, max_length=80)
    text: str = Field(sa_column=Column(Text, nullable=False))
    actions: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONB, nullable=False, server_default="[]")
    )
    evidence: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSONB, nullable=False, server_default="{}")
    )
    status: str = Field(default="new", max_length=20)
    history: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONB, nullable=False, server_default="[]")
    )
    # When a generation found its condition no longer holding (resolution.py); null while it
    # holds. Cleared when the condition holds again.
    resolved_at: datetime | None = Field(
        default=None, sa_column=Column(DateTime(timezone=True), nullable=True)
    )


class Decision(Entity, table=True):
    """A management decision taken on a recommendation; its effect is the indicator's value
    in the recommendation's period (before) against a later one (after)."""

    __tablename__ = "decision"
    __table_args__ = {"schema": "reports"}

    recommendation_id: uuid.UUID = Field(
        foreign_key="reports.recommendation.id", index=True, ondelete="CASCADE"
    )
    text: str = Field(sa_column=Column(Text, nullable=False))
    decided_on: date
    responsible: str = Field(max_length=300)
    indicator_code: str | None = Field(default=None, max_length=80)
    scope_type: str | None = Field(default=None, max_length=20)
    scope_id: uuid.UUID | None = None
    period_before: str = Field(max_length=20)
    value_before: float | None = Field(default=None, sa_column=Column(Float))
    # The organizations `value_before` was made of, {"organizations_reporting",
    # "organizations"} (comparability.kept, from the recommendation's evidence when taken);
    # null when it counts none, or the decision predates revision 0038.
    coverage_before: dict[str, Any] | None = Field(
        default=None, sa_column=Column(JSONB, nullable=True)
    )
    created_by: str | None = Field(default=None, max_length=100)
