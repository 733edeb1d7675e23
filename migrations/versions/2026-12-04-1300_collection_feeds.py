"""Data collections, their windows and approvals in the api change feed, and their facts

`api.collection`, `api.collection_window` and `api.collection_approval` get positions and the
change triggers (`migrations.operations.track_changes`): the api feed carries them as the
entities `collection`, `collection_window` and `collection_approval`
(services/api/changes/entities.py; never the approval steps, their comments or who took them).
The feed's `data_value` now carries `created_at`, when a value was first stored (a collection's
timeliness): the data values already stored get this migration's transaction as their
position, so a follower past every earlier change gets them again with it.

The reports service keeps them in `reports.fact_collection`, `reports.fact_collection_window`,
`reports.fact_collection_approval` (indexed by organization and period) and
`reports.fact_data_value.created_at`.

Revision ID: 0026_collection_feeds
Revises: 0025_validation_rules
Create Date: 2026-12-04 11:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from migrations.operations import create_fact_table, track_changes, untrack_changes

revision: str = "0026_collection_feeds"
down_revision: str | None = "0025_validation_rules"

# entity (and table of the api schema) -> key columns
TRACKED = {
    "collection": ("id",),
    "collection_window": ("collection_id", "period"),
    "collection_approval": ("id",),
}
APPROVAL_INDEX = "ix_fact_collection_approval_organization_id_period"


def upgrade() -> None:
    for entity, key in TRACKED.items():
        track_changes(f"api.{entity}", entity, key)
    uuid, text, moment = sa.Uuid(), sa.Text(), sa.DateTime(timezone=True)
    create_fact_table(
        "fact_collection",
        {"id": uuid},
        {
            "name": text,
            "owner_territory_id": uuid,
            "organization_kinds": postgresql.ARRAY(text),
            "indicator_ids": postgresql.ARRAY(uuid),
        },
    )
    create_fact_table(
        "fact_collection_window",
        {"collection_id": uuid, "period": text},
        {"opens_date": sa.Date(), "due_date": sa.Date()},
    )
    create_fact_table(
        "fact_collection_approval",
        {"id": uuid},
        {
            "collection_id": uuid,
            "organization_id": uuid,
            "period": text,
            "status": text,
            "level": sa.Integer(),
            "updated_at": moment,
        },
    )
    op.create_index(
        APPROVAL_INDEX, "fact_collection_approval", ["organization_id", "period"], schema="reports"
    )
    op.add_column("fact_data_value", sa.Column("created_at", moment), schema="reports")
    # A new position for every stored value: followers read them again, with `created_at`.
    op.execute(
        "UPDATE api.data_value SET change_xid = pg_current_xact_id()::text::bigint, "
        "change_seq = nextval('api.change_seq')"
    )


def downgrade() -> None:
    op.drop_column("fact_data_value", "created_at", schema="reports")
    op.drop_index(APPROVAL_INDEX, table_name="fact_collection_approval", schema="reports")
    op.drop_table("fact_collection_approval", schema="reports")
    op.drop_table("fact_collection_window", schema="reports")
    op.drop_table("fact_collection", schema="reports")
    for entity in reversed(TRACKED):
        untrack_changes(f"api.{entity}")
