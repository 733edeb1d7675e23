"""The reports service's facts: one table per change-feed entity, and each feed's cursor

The reports service follows the api and surveys change feeds and keeps what they carry here
(services/reports/facts): organizations, territories, clusters, indicator definitions and
targets, data values, assessment results, roadmaps and activities, instruments, campaigns and
the tallies of answers and competences. Counts only: no response, no person.

Revision ID: 0015_reports_facts
Revises: 0014_token_revocation
Create Date: 2026-12-01 11:00:00
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0015_reports_facts"
down_revision: str | None = "0014_token_revocation"


def upgrade() -> None:
    op.create_table(
        "fact_activity",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("roadmap_id", sa.Uuid(), nullable=True),
        sa.Column("section_id", sa.Uuid(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("number", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("deadline_text", sa.Text(), nullable=True),
        sa.Column("deadline_kind", sa.Text(), nullable=True),
        sa.Column("due_start", sa.Date(), nullable=True),
        sa.Column("due_end", sa.Date(), nullable=True),
        sa.Column("recurrence", sa.Text(), nullable=True),
        sa.Column("recurrence_detail", sa.Text(), nullable=True),
        sa.Column("responsible", sa.Text(), nullable=True),
        sa.Column("responsible_organization_ids", sa.ARRAY(sa.Uuid()), nullable=True),
        sa.Column("expected_result", sa.Text(), nullable=True),
        sa.Column("evidence_description", sa.Text(), nullable=True),
        sa.Column("status", sa.Text(), nullable=True),
        sa.Column("completed_on", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_activity")),
        schema="reports",
    )
    op.create_index(
        "ix_fact_activity_roadmap_id",
        "fact_activity",
        ["roadmap_id"],
        unique=False,
        schema="reports",
    )
    op.create_table(
        "fact_activity_status_change",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("activity_id", sa.Uuid(), nullable=True),
        sa.Column("from_status", sa.Text(), nullable=True),
        sa.Column("to_status", sa.Text(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_activity_status_change")),
        schema="reports",
    )
    op.create_index(
        "ix_fact_activity_status_change_activity_id",
        "fact_activity_status_change",
        ["activity_id"],
        unique=False,
        schema="reports",
    )
    op.create_table(
        "fact_answer_tally",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=True),
        sa.Column("number_sum", sa.Float(), nullable=True),
        sa.Column("number_count", sa.Integer(), nullable=True),
        sa.Column("positive", sa.Integer(), nullable=True),
        sa.Column("rated", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint(
            "campaign_id", "organization_id", "question", "value", name=op.f("pk_fact_answer_tally")
        ),
        schema="reports",
    )
    op.create_table(
        "fact_assessment_procedure",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.Text(), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("kind", sa.Text(), nullable=True),
        sa.Column("has_marks", sa.Boolean(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_assessment_procedure")),
        schema="reports",
    )
    op.create_table(
        "fact_assessment_result",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=True),
        sa.Column("procedure_id", sa.Uuid(), nullable=True),
        sa.Column("procedure_code", sa.Text(), nullable=True),
        sa.Column("year", sa.Text(), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("grade", sa.Integer(), nullable=True),
        sa.Column("participants", sa.Integer(), nullable=True),
        sa.Column("mark_2", sa.Integer(), nullable=True),
        sa.Column("mark_3", sa.Integer(), nullable=True),
        sa.Column("mark_4", sa.Integer(), nullable=True),
        sa.Column("mark_5", sa.Integer(), nullable=True),
        sa.Column("score_distribution", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("mean_score", sa.Float(), nullable=True),
        sa.Column("lowered", sa.Integer(), nullable=True),
        sa.Column("confirmed", sa.Integer(), nullable=True),
        sa.Column("raised", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_assessment_result")),
        schema="reports",
    )
    op.create_index(
        "ix_fact_assessment_result_organization_id",
        "fact_assessment_result",
        ["organization_id"],
        unique=False,
        schema="reports",
    )
    op.create_index(
        "ix_fact_assessment_result_procedure_code_year",
        "fact_assessment_result",
        ["procedure_code", "year"],
        unique=False,
        schema="reports",
    )
    op.create_table(
        "fact_assessment_subject",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("procedure_id", sa.Uuid(), nullable=True),
        sa.Column("subject", sa.Text(), nullable=True),
        sa.Column("grade", sa.Integer(), nullable=True),
        sa.Column("max_primary_score", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_assessment_subject")),
        schema="reports",
    )
    op.create_table(
        "fact_campaign",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("instrument_version_id", sa.Uuid(), nullable=True),
        sa.Column("instrument_id", sa.Uuid(), nullable=True),
        sa.Column("instrument_code", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("audience", sa.Text(), nullable=True),
        sa.Column("period", sa.Text(), nullable=True),
        sa.Column("anonymous", sa.Boolean(), nullable=True),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_campaign")),
        schema="reports",
    )
    op.create_index(
        "ix_fact_campaign_instrument_code_period",
        "fact_campaign",
        ["instrument_code", "period"],
        unique=False,
        schema="reports",
    )
    op.create_table(
        "fact_campaign_organization",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("expected", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint(
            "campaign_id", "organization_id", name=op.f("pk_fact_campaign_organization")
        ),
        schema="reports",
    )
    op.create_table(
        "fact_cluster",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("territory_id", sa.Uuid(), nullable=True),
        sa.Column("coordinator_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_cluster")),
        schema="reports",
    )
    op.create_table(
        "fact_cluster_member",
        sa.Column("cluster_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint(
            "cluster_id", "organization_id", name=op.f("pk_fact_cluster_member")
        ),
        schema="reports",
    )
    op.create_index(
        "ix_fact_cluster_member_organization_id",
        "fact_cluster_member",
        ["organization_id"],
        unique=False,
        schema="reports",
    )
    op.create_table(
        "fact_competence_tally",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("competence", sa.Text(), nullable=False),
        sa.Column("respondents", sa.Integer(), nullable=True),
        sa.Column("with_deficit", sa.Integer(), nullable=True),
        sa.Column("score_sum", sa.Float(), nullable=True),
        sa.Column("max_score_sum", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint(
            "campaign_id", "organization_id", "competence", name=op.f("pk_fact_competence_tally")
        ),
        schema="reports",
    )
    op.create_table(
        "fact_data_value",
        sa.Column("indicator_id", sa.Uuid(), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("period", sa.Text(), nullable=False),
        sa.Column("indicator_code", sa.Text(), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint(
            "indicator_id", "organization_id", "period", name=op.f("pk_fact_data_value")
        ),
        schema="reports",
    )
    op.create_index(
        "ix_fact_data_value_indicator_code_period",
        "fact_data_value",
        ["indicator_code", "period"],
        unique=False,
        schema="reports",
    )
    op.create_table(
        "fact_indicator",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.Text(), nullable=True),
        sa.Column("owner_territory_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("unit", sa.Text(), nullable=True),
        sa.Column("direction", sa.Text(), nullable=True),
        sa.Column("level", sa.Text(), nullable=True),
        sa.Column("method", sa.Text(), nullable=True),
        sa.Column("params", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("target", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("collection_method", sa.Text(), nullable=True),
        sa.Column("min_n", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_indicator")),
        schema="reports",
    )
    op.create_index(
        "ix_fact_indicator_code", "fact_indicator", ["code"], unique=False, schema="reports"
    )
    op.create_table(
        "fact_indicator_roadmap",
        sa.Column("indicator_id", sa.Uuid(), nullable=False),
        sa.Column("roadmap_id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint(
            "indicator_id", "roadmap_id", name=op.f("pk_fact_indicator_roadmap")
        ),
        schema="reports",
    )
    op.create_table(
        "fact_indicator_target",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("indicator_id", sa.Uuid(), nullable=True),
        sa.Column("period", sa.Text(), nullable=True),
        sa.Column("scope_type", sa.Text(), nullable=True),
        sa.Column("scope_id", sa.Uuid(), nullable=True),
        sa.Column("op", sa.Text(), nullable=True),
        sa.Column("value", sa.Float(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_indicator_target")),
        schema="reports",
    )
    op.create_index(
        "ix_fact_indicator_target_indicator_id",
        "fact_indicator_target",
        ["indicator_id"],
        unique=False,
        schema="reports",
    )
    op.create_table(
        "fact_instrument",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.Text(), nullable=True),
        sa.Column("kind", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("audience", sa.ARRAY(sa.Text()), nullable=True),
        sa.Column("latest_version", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_instrument")),
        schema="reports",
    )
    op.create_index(
        "ix_fact_instrument_code", "fact_instrument", ["code"], unique=False, schema="reports"
    )
    op.create_table(
        "fact_instrument_version",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("instrument_id", sa.Uuid(), nullable=True),
        sa.Column("instrument_code", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=True),
        sa.Column("definition", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_instrument_version")),
        schema="reports",
    )
    op.create_index(
        "ix_fact_instrument_version_instrument_code_version",
        "fact_instrument_version",
        ["instrument_code", "version"],
        unique=False,
        schema="reports",
    )
    op.create_table(
        "fact_organization",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("short_name", sa.Text(), nullable=True),
        sa.Column("kind", sa.Text(), nullable=True),
        sa.Column("territory_id", sa.Uuid(), nullable=True),
        sa.Column("context", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_organization")),
        schema="reports",
    )
    op.create_index(
        "ix_fact_organization_territory_id",
        "fact_organization",
        ["territory_id"],
        unique=False,
        schema="reports",
    )
    op.create_table(
        "fact_roadmap",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("level", sa.Text(), nullable=True),
        sa.Column("owner_type", sa.Text(), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.Column("period", sa.Text(), nullable=True),
        sa.Column("period_start", sa.Date(), nullable=True),
        sa.Column("period_end", sa.Date(), nullable=True),
        sa.Column("passport", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_roadmap")),
        schema="reports",
    )
    op.create_table(
        "fact_roadmap_section",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("roadmap_id", sa.Uuid(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_roadmap_section")),
        schema="reports",
    )
    op.create_table(
        "fact_territory",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.Text(), nullable=True),
        sa.Column("kind", sa.Text(), nullable=True),
        sa.Column("parent_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_territory")),
        schema="reports",
    )
    op.create_index(
        "ix_fact_territory_parent_id",
        "fact_territory",
        ["parent_id"],
        unique=False,
        schema="reports",
    )
    op.create_table(
        "feed_cursor",
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("cursor", sa.Text(), server_default="", nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("caught_up_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("changes", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("resets", sa.Integer(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("source", name=op.f("pk_feed_cursor")),
        schema="reports",
    )


def downgrade() -> None:
    op.drop_table("feed_cursor", schema="reports")
    op.drop_index("ix_fact_territory_parent_id", table_name="fact_territory", schema="reports")
    op.drop_table("fact_territory", schema="reports")
    op.drop_table("fact_roadmap_section", schema="reports")
    op.drop_table("fact_roadmap", schema="reports")
    op.drop_index(
        "ix_fact_organization_territory_id", table_name="fact_organization", schema="reports"
    )
    op.drop_table("fact_organization", schema="reports")
    op.drop_index(
        "ix_fact_instrument_version_instrument_code_version",
        table_name="fact_instrument_version",
        schema="reports",
    )
    op.drop_table("fact_instrument_version", schema="reports")
    op.drop_index("ix_fact_instrument_code", table_name="fact_instrument", schema="reports")
    op.drop_table("fact_instrument", schema="reports")
    op.drop_index(
        "ix_fact_indicator_target_indicator_id",
        table_name="fact_indicator_target",
        schema="reports",
    )
    op.drop_table("fact_indicator_target", schema="reports")
    op.drop_table("fact_indicator_roadmap", schema="reports")
    op.drop_index("ix_fact_indicator_code", table_name="fact_indicator", schema="reports")
    op.drop_table("fact_indicator", schema="reports")
    op.drop_index(
        "ix_fact_data_value_indicator_code_period", table_name="fact_data_value", schema="reports"
    )
    op.drop_table("fact_data_value", schema="reports")
    op.drop_table("fact_competence_tally", schema="reports")
    op.drop_index(
        "ix_fact_cluster_member_organization_id", table_name="fact_cluster_member", schema="reports"
    )
    op.drop_table("fact_cluster_member", schema="reports")
    op.drop_table("fact_cluster", schema="reports")
    op.drop_table("fact_campaign_organization", schema="reports")
    op.drop_index(
        "ix_fact_campaign_instrument_code_period", table_name="fact_campaign", schema="reports"
    )
    op.drop_table("fact_campaign", schema="reports")
    op.drop_table("fact_assessment_subject", schema="reports")
    op.drop_index(
        "ix_fact_assessment_result_procedure_code_year",
        table_name="fact_assessment_result",
        schema="reports",
    )
    op.drop_index(
        "ix_fact_assessment_result_organization_id",
        table_name="fact_assessment_result",
        schema="reports",
    )
    op.drop_table("fact_assessment_result", schema="reports")
    op.drop_table("fact_assessment_procedure", schema="reports")
    op.drop_table("fact_answer_tally", schema="reports")
    op.drop_index(
        "ix_fact_activity_status_change_activity_id",
        table_name="fact_activity_status_change",
        schema="reports",
    )
    op.drop_table("fact_activity_status_change", schema="reports")
    op.drop_index("ix_fact_activity_roadmap_id", table_name="fact_activity", schema="reports")
    op.drop_table("fact_activity", schema="reports")
