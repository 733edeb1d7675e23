"""A new row's change-feed position comes from its columns' defaults, not a row trigger

Every table a change feed carries had a plpgsql BEFORE INSERT row trigger
(`changes_stamp_insert`, revision 0013 and `migrations.operations.track_changes`) setting
`change_xid` and `change_seq`; a plpgsql call per row was a tenth of a bulk import's insert.
The same two expressions become the columns' defaults (`pg_current_xact_id()::text::bigint`,
`nextval('<schema>.change_seq')`, evaluated per row in the writing transaction), and the trigger
stays only as a guard, called for a row that names a `change_xid` other than the writing
transaction's (WHEN, evaluated without a plpgsql call): such a row is stamped as before, so
whoever writes (ORM, bulk SQL, COPY, later migrations) still cannot give a row a position of
another transaction. Rows that name no position (every writer of this code base: the models
do not map the columns) never call it. The update trigger (`changes_stamp_update`) and the
others are unchanged.

The table lists are this migration's own copy (revision 0013's and those `track_changes`
added since): every table of either feed; tests/test_change_feeds.py checks every entity's
table has the defaults and the guard.

Revision ID: 0031_change_position_defaults
Revises: 0030_recommendation_resolved
Create Date: 2026-12-05 14:00:00
"""

from migrations.operations import stamp_positions_by_default, stamp_positions_by_trigger

revision: str = "0031_change_position_defaults"
down_revision: str | None = "0030_recommendation_resolved"

TRACKED: dict[str, tuple[str, ...]] = {
    "api": (
        # revision 0013
        "territory",
        "organization",
        "cluster",
        "cluster_member",
        "indicator",
        "indicator_target",
        "indicator_roadmap",
        "data_value",
        "assessment_procedure",
        "assessment_subject",
        "assessment_result",
        "roadmap",
        "roadmap_section",
        "activity",
        "activity_status_change",
        # revisions 0019, 0025, 0026
        "assessment_specification",
        "assessment_task",
        "assessment_participant",
        "collection",
        "collection_window",
        "collection_approval",
        "validation_rule",
        "validation_violation",
        "outlier_flag",
    ),
    "surveys": (
        "instrument",
        "instrument_version",
        "campaign",
        "campaign_organization",
        "answer_tally",
        "competence_tally",
    ),
}


def upgrade() -> None:
    for schema, tables in TRACKED.items():
        for table in tables:
            stamp_positions_by_default(f"{schema}.{table}")


def downgrade() -> None:
    for schema, tables in TRACKED.items():
        for table in tables:
            stamp_positions_by_trigger(f"{schema}.{table}")
