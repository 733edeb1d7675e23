"""Data values, and the idempotency keys of the api service's retryable writes."""

import uuid
from datetime import datetime

from sqlalchemy import Column, DateTime, Float, Index, func
from sqlmodel import Field, SQLModel

from shared.db import metadata
from shared.idempotency import idempotency_table


class DataValue(SQLModel, table=True):
    __tablename__ = "data_value"
    __table_args__ = (
        Index("ix_data_value_organization_period", "organization_id", "period"),
        Index("ix_data_value_updated_at", "updated_at"),
        {"schema": "api"},
    )
    __audit__ = False  # written in bulk with SQL, which records its own audit events

    indicator_id: uuid.UUID = Field(
        foreign_key="api.indicator.id", primary_key=True, ondelete="RESTRICT"
    )
    organization_id: uuid.UUID = Field(
        foreign_key="api.organization.id", primary_key=True, ondelete="RESTRICT"
    )
    period: str = Field(primary_key=True, max_length=20)
    value: float = Field(sa_column=Column(Float, nullable=False))
    source: str | None = Field(default=None, max_length=140)  # api_key:<id> or user:<id>
    created_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )
    updated_at: datetime = Field(
        sa_column=Column(DateTime(timezone=True), nullable=False, server_default=func.now())
    )


IdempotencyKeys = idempotency_table(metadata, "api")
