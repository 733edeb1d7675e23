"""The facts the reports service keeps: one table per entity of the peers' change feeds.

Each table is named `reports.fact_<entity>` after the feed entity it mirrors, its primary key
is the entity's key and its columns are the entity's state fields, typed (README, "Change
feeds", lists them). A feed item's state is stored as it arrives (`jsonb_populate_recordset`
maps its fields onto these columns by name), so a field the peer adds later is ignored until a
column is added here, and a field missing from the state is stored as NULL.

`FEEDS` says which entities come from which peer: a reset of one feed drops only its facts.
No table holds a person's name: the feeds carry organizations, definitions, values, counts and
assessment participants under pseudonymous codes only.
"""

from sqlalchemy import (
    ARRAY,
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    Table,
    Text,
    Uuid,
)
from sqlalchemy.dialects.postgresql import JSONB

from services.reports.facts.declare import SCHEMA
from services.reports.facts.declare import col as _col
from services.reports.facts.declare import fact as _fact
from services.reports.facts.declare import key as _key
from services.reports.facts.quality_tables import (
    collection,
    collection_approval,
    collection_window,
    outlier_flag,
    validation_rule,
    validation_violation,
)
from shared.db import metadata

# ---- the api service's feed -------------------------------------------------------------
territory = _fact(
    "territory",
    _key("id"),
    _col("name"),
    _col("kind"),
    _col("parent_id", Uuid),
    indexes=(("parent_id",),),
)
organization = _fact(
    "organization",
    _key("id"),
    _col("name"),
    _col("short_name"),
    _col("kind"),
    _col("territory_id", Uuid),
    _col("context", JSONB),
    _col("opened_on", Date),
    _col("closed_on", Date),
    indexes=(("territory_id",),),
)
cluster = _fact(
    "cluster",
    _key("id"),
    _col("name"),
    _col("description"),
    _col("territory_id", Uuid),
    _col("coordinator_id", Uuid),
)
cluster_member = _fact(
    "cluster_member",
    _key("cluster_id"),
    _key("organization_id"),
    indexes=(("organization_id",),),
)
indicator = _fact(
    "indicator",
    _key("id"),
    _col("code"),
    _col("owner_territory_id", Uuid),
    _col("name"),
    _col("description"),
    _col("unit"),
    _col("direction"),
    _col("level"),
    _col("method"),
    _col("params", JSONB),
    _col("target", JSONB),
    _col("collection_method"),
    _col("min_n", Integer),
    _col("applies_to", ARRAY(Text)),
    indexes=(("code",),),
)
indicator_target = _fact(
    "indicator_target",
    _key("id"),
    _col("indicator_id", Uuid),
    _col("period"),
    _col("scope_type"),
    _col("scope_id", Uuid),
    _col("op"),
    _col("value", Float),
    indexes=(("indicator_id",),),
)
indicator_roadmap = _fact("indicator_roadmap", _key("indicator_id"), _key("roadmap_id"))
data_value = _fact(
    "data_value",
    _key("indicator_id"),
    _key("organization_id"),
    _key("period", Text),
    _col("indicator_code"),
    _col("value", Float),
    _col("updated_at", DateTime(timezone=True)),
    # When the value was first stored: a collection's timeliness.
    _col("created_at", DateTime(timezone=True)),
    indexes=(("indicator_code", "period"),),
)
assessment_procedure = _fact(
    "assessment_procedure",
    _key("id"),
    _col("code"),
    _col("name"),
    _col("kind"),
    _col("has_marks", Boolean),
)
assessment_subject = _fact(
    "assessment_subject",
    _key("id"),
    _col("procedure_id", Uuid),
    _col("subject"),
    _col("grade", Integer),
    _col("max_primary_score", Integer),
)
assessment_result = _fact(
    "assessment_result",
    _key("id"),
    _col("organization_id", Uuid),
    _col("procedure_id", Uuid),
    _col("procedure_code"),
    _col("year"),
    _col("subject"),
    _col("grade", Integer),
    _col("participants", Integer),
    _col("mark_2", Integer),
    _col("mark_3", Integer),
    _col("mark_4", Integer),
    _col("mark_5", Integer),
    _col("score_distribution", JSONB),
    _col("mean_score", Float),
    _col("lowered", Integer),
    _col("confirmed", Integer),
    _col("raised", Integer),
    # Set when the school posted its participants: the specification and {task number: Σ scores}.
    _col("specification_id", Uuid),
    _col("task_scores", JSONB),
    _col("updated_at", DateTime(timezone=True)),
    indexes=(("procedure_code", "year"), ("organization_id",)),
)
assessment_specification = _fact(
    "assessment_specification",
    _key("id"),
    _col("procedure_id", Uuid),
    _col("procedure_code"),
    _col("year"),
    _col("subject"),
    _col("grade", Integer),
    _col("version", Integer),
    _col("mark_scale", JSONB),
)
assessment_task = _fact(
    "assessment_task",
    _key("specification_id"),
    _key("number", Text),
    _col("position", Integer),
    _col("max_score", Integer),
    _col("level"),
    _col("skill"),
)
# One participant by pseudonymous code: no name is ever here (the api stores none).
assessment_participant = _fact(
    "assessment_participant",
    _key("id"),
    _col("organization_id", Uuid),
    _col("specification_id", Uuid),
    _col("procedure_id", Uuid),
    _col("year"),
    _col("subject"),
    _col("grade", Integer),
    _col("code"),
    _col("class_label"),
    _col("variant", Integer),
    _col("task_scores", JSONB),
    _col("total_score", Integer),
    _col("mark", Integer),
    _col("journal_mark", Integer),
    _col("updated_at", DateTime(timezone=True)),
    indexes=(("procedure_id", "year", "subject", "grade"), ("organization_id",)),
)
roadmap = _fact(
    "roadmap",
    _key("id"),
    _col("title"),
    _col("level"),
    _col("owner_type"),
    _col("owner_id", Uuid),
    _col("period"),
    _col("period_start", Date),
    _col("period_end", Date),
    _col("passport", JSONB),
)
roadmap_section = _fact(
    "roadmap_section",
    _key("id"),
    _col("roadmap_id", Uuid),
    _col("position", Integer),
    _col("title"),
)
activity = _fact(
    "activity",
    _key("id"),
    _col("roadmap_id", Uuid),
    _col("section_id", Uuid),
    _col("position", Integer),
    _col("number"),
    _col("title"),
    _col("deadline_text"),
    _col("deadline_kind"),
    _col("due_start", Date),
    _col("due_end", Date),
    _col("recurrence"),
    _col("recurrence_detail"),
    _col("responsible"),
    _col("responsible_organization_ids", ARRAY(Uuid)),
    _col("expected_result"),
    _col("evidence_description"),
    _col("status"),
    _col("completed_on", Date),
    indexes=(("roadmap_id",),),
)
activity_status_change = _fact(
    "activity_status_change",
    _key("id", BigInteger),
    _col("activity_id", Uuid),
    _col("from_status"),
    _col("to_status"),
    _col("changed_at", DateTime(timezone=True)),
    indexes=(("activity_id",),),
)
# ---- the surveys service's feed ---------------------------------------------------------
instrument = _fact(
    "instrument",
    _key("id"),
    _col("code"),
    _col("kind"),
    _col("title"),
    _col("audience", ARRAY(Text)),
    _col("latest_version", Integer),
    indexes=(("code",),),
)
instrument_version = _fact(
    "instrument_version",
    _key("id"),
    _col("instrument_id", Uuid),
    _col("instrument_code"),
    _col("version", Integer),
    _col("definition", JSONB),
    indexes=(("instrument_code", "version"),),
)
campaign = _fact(
    "campaign",
    _key("id"),
    _col("title"),
    _col("instrument_version_id", Uuid),
    _col("instrument_id", Uuid),
    _col("instrument_code"),
    _col("version", Integer),
    _col("audience"),
    _col("period"),
    _col("anonymous", Boolean),
    _col("opens_at", DateTime(timezone=True)),
    _col("closes_at", DateTime(timezone=True)),
    indexes=(("instrument_code", "period"),),
)
campaign_organization = _fact(
    "campaign_organization",
    _key("campaign_id"),
    _key("organization_id"),
    _col("expected", Integer),
    _col("territory_ids", ARRAY(Uuid)),
    _col("cluster_ids", ARRAY(Uuid)),
)
answer_tally = _fact(
    "answer_tally",
    _key("campaign_id"),
    _key("organization_id"),
    _key("question", Text),
    _key("value", Text),
    _col("n", Integer),
    _col("number_sum", Float),
    _col("number_count", Integer),
    _col("positive", Integer),
    _col("rated", Integer),
)
competence_tally = _fact(
    "competence_tally",
    _key("campaign_id"),
    _key("organization_id"),
    _key("competence", Text),
    _col("respondents", Integer),
    _col("with_deficit", Integer),
    _col("score_sum", Float),
    _col("max_score_sum", Float),
)

FEEDS: dict[str, dict[str, Table]] = {
    "api": {
        t.name.removeprefix("fact_"): t
        for t in (
            territory,
            organization,
            cluster,
            cluster_member,
            indicator,
            indicator_target,
            indicator_roadmap,
            data_value,
            assessment_procedure,
            assessment_subject,
            assessment_result,
            assessment_specification,
            assessment_task,
            assessment_participant,
            roadmap,
            roadmap_section,
            activity,
            activity_status_change,
            collection,
            collection_window,
            collection_approval,
            validation_rule,
            validation_violation,
            outlier_flag,
        )
    },
    "surveys": {
        t.name.removeprefix("fact_"): t
        for t in (
            instrument,
            instrument_version,
            campaign,
            campaign_organization,
            answer_tally,
            competence_tally,
        )
    },
}

# Where each feed is read up to: the cursor stored in the same transaction as the facts.
feed_cursor = Table(
    "feed_cursor",
    metadata,
    Column("source", Text, primary_key=True),
    Column("cursor", Text, nullable=False, server_default=""),
    # When a batch was last applied, and when the feed last said nothing more was there.
    Column("applied_at", DateTime(timezone=True), nullable=True),
    Column("caught_up_at", DateTime(timezone=True), nullable=True),
    # How many changes were applied since the last reset (a resync starts again at 0).
    Column("changes", BigInteger, nullable=False, server_default="0"),
    Column("resets", Integer, nullable=False, server_default="0"),
    schema=SCHEMA,
)
