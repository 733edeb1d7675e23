"""Stored computations of indicator values made before migration 0017, kept as they were.

Nothing reads or writes them now: indicator values are kept per period with validity
(services/reports/indicator_values/store.py)."""

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Column, Index, LargeBinary, UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from shared.db import timestamp_column


class Snapshot(SQLModel, table=True):
    """One computation of a report (`kind`) for a scope and period, never changed afterwards.

    `inputs` holds the versions of the peers' data it was computed from; the same key with the
    same versions is served from here, a change of any version makes a new row, and the rows
    kept show the report as it was on a date. `body` is gzip-compressed JSON.
    """

    __tablename__ = "snapshot"
    __table_args__ = (
        UniqueConstraint(
            "kind", "scope_type", "scope_id", "period", "inputs_hash", name="uq_snapshot_inputs"
        ),
        Index("ix_snapshot_key_at", "kind", "scope_type", "scope_id", "period", "computed_at"),
        {"schema": "reports"},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    kind: str = Field(max_length=40)  # indicator_values, pd_order, ...
    scope_type: str = Field(max_length=20)
    scope_id: uuid.UUID
    period: str = Field(max_length=20)
    inputs: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    inputs_hash: str = Field(max_length=64)
    body: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    computed_at: datetime = timestamp_column()
