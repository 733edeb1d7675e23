"""Validation rules, their violations and the outlier flags in the api change feed, and facts

`api.validation_rule`, `api.validation_violation` and `api.outlier_flag` get positions and the
change triggers (`migrations.operations.track_changes`): the api feed carries them as the
entities `validation_rule` (code, `left operator right` as one `expression`, message,
importance, action, active, owner, the indicator codes it reads), `validation_violation` and `outlier_flag`
(services/api/changes/entities.py). Violations and flags are rewritten in bulk by SQL; the
row triggers give each insert or change a position and the statement trigger a tombstone per
deleted row, so a fix (its row deleted) reaches a follower as a deletion. The rows already
there get this migration's transaction as their position.

The reports service keeps them in `reports.fact_validation_rule`,
`reports.fact_validation_violation` and `reports.fact_outlier_flag` (both indexed by
organization and period).

Revision ID: 0027_quality_feeds
Revises: 0026_collection_feeds
Create Date: 2026-12-05 10:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.operations import create_fact_table, track_changes, untrack_changes

revision: str = "0027_quality_feeds"
down_revision: str | None = "0026_collection_feeds"

# entity (and table of the api schema) -> key columns
TRACKED = {
    "validation_rule": ("id",),
    "validation_violation": ("rule_id", "organization_id", "period"),
    "outlier_flag": ("indicator_id", "organization_id", "period", "kind"),
}
INDEXED = ("fact_validation_violation", "fact_outlier_flag")


def _index(table: str) -> str:
    return f"ix_{table}_organization_id_period"


def upgrade() -> None:
    for entity, key in TRACKED.items():
        track_changes(f"api.{entity}", entity, key)
    uuid, text, number = sa.Uuid(), sa.Text(), sa.Float()
    moment = sa.DateTime(timezone=True)
    create_fact_table(
        "fact_validation_rule",
        {"id": uuid},
        {
            "code": text,
            "owner_territory_id": uuid,
            "expression": text,
            "message": text,
            "importance": text,
            "action": text,
            "active": sa.Boolean(),
            "indicator_codes": postgresql.ARRAY(text),
        },
    )
    create_fact_table(
        "fact_validation_violation",
        {"rule_id": uuid, "organization_id": uuid, "period": text},
        {"left_value": number, "right_value": number, "detected_at": moment},
    )
    create_fact_table(
        "fact_outlier_flag",
        {"indicator_id": uuid, "organization_id": uuid, "period": text, "kind": text},
        {
            "value": number,
            "bound": number,
            "median": number,
            "n": sa.Integer(),
            "score": number,
            "flagged_at": moment,
        },
    )
    for table in INDEXED:
        op.create_index(_index(table), table, ["organization_id", "period"], schema="reports")


def downgrade() -> None:
    for table in reversed(INDEXED):
        op.drop_index(_index(table), table_name=table, schema="reports")
    for table in ("fact_outlier_flag", "fact_validation_violation", "fact_validation_rule"):
        op.drop_table(table, schema="reports")
    for entity in reversed(TRACKED):
        untrack_changes(f"api.{entity}")
