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

from migrations.columns import assessment_figures

revision: str = "0015_reports_facts"
down_revision: str | None = "0014_token_revocation"


def _create_index(table: str, *columns: str) -> None:
    """A plain index of `reports.<table>` on `columns`, named `ix_<table>_<columns joined by _>`."""
    op.create_index(
        f"ix_{table}_{'_'.join(columns)}", table, list(columns), unique=False, schema="reports"
    )


def _drop_index(table: str, *columns: str) -> None:
    """Drops the index `_create_index` made."""
    op.drop_index(f"ix_{table}_{'_'.join(columns)}", table_name=table, schema="reports")


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
    _create_index("fact_activity", "roadmap_id")
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
    _create_index("fact_activity_status_change", "activity_id")
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
        *assessment_figures(),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_assessment_result")),
        schema="reports",
    )
    _create_index("fact_assessment_result", "organization_id")
    _create_index("fact_assessment_result", "procedure_code", "year")
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
    _create_index("fact_campaign", "instrument_code", "period")
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
    _create_index("fact_cluster_member", "organization_id")
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
    _create_index("fact_data_value", "indicator_code", "period")
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
    _create_index("fact_indicator", "code")
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
    _create_index("fact_indicator_target", "indicator_id")
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
    _create_index("fact_instrument", "code")
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
    _create_index("fact_instrument_version", "instrument_code", "version")
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
    _create_index("fact_organization", "territory_id")
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
    _create_index("fact_territory", "parent_id")
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
    _drop_index("fact_territory", "parent_id")
    op.drop_table("fact_territory", schema="reports")
    op.drop_table("fact_roadmap_section", schema="reports")
    op.drop_table("fact_roadmap", schema="reports")
    _drop_index("fact_organization", "territory_id")
    op.drop_table("fact_organization", schema="reports")
    _drop_index("fact_instrument_version", "instrument_code", "version")
    op.drop_table("fact_instrument_version", schema="reports")
    _drop_index("fact_instrument", "code")
    op.drop_table("fact_instrument", schema="reports")
    _drop_index("fact_indicator_target", "indicator_id")
    op.drop_table("fact_indicator_target", schema="reports")
    op.drop_table("fact_indicator_roadmap", schema="reports")
    _drop_index("fact_indicator", "code")
    op.drop_table("fact_indicator", schema="reports")
    _drop_index("fact_data_value", "indicator_code", "period")
    op.drop_table("fact_data_value", schema="reports")
    op.drop_table("fact_competence_tally", schema="reports")
    _drop_index("fact_cluster_member", "organization_id")
    op.drop_table("fact_cluster_member", schema="reports")
    op.drop_table("fact_cluster", schema="reports")
    op.drop_table("fact_campaign_organization", schema="reports")
    _drop_index("fact_campaign", "instrument_code", "period")
    op.drop_table("fact_campaign", schema="reports")
    op.drop_table("fact_assessment_subject", schema="reports")
    _drop_index("fact_assessment_result", "procedure_code", "year")
    _drop_index("fact_assessment_result", "organization_id")
    op.drop_table("fact_assessment_result", schema="reports")
    op.drop_table("fact_assessment_procedure", schema="reports")
    op.drop_table("fact_answer_tally", schema="reports")
    _drop_index("fact_activity_status_change", "activity_id")
    op.drop_table("fact_activity_status_change", schema="reports")
    _drop_index("fact_activity", "roadmap_id")
    op.drop_table("fact_activity", schema="reports")
