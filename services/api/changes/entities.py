"""What the api service's feed carries: each entity, its key and the fields of its state.

Names and fields are a contract (README, "Change feeds"): the reports service keeps its facts
from them. What is here is what reports need to compute indicator values, НОК, recommendations,
the PD order and report documents. Never here: users, staff, API keys, the audit log,
idempotency keys, sign-ins, nor anything naming who wrote a row (`source`, `created_by`,
`changed_by`) or which staff member is responsible for an activity.
"""

from shared.changes.feed import Entity, Feed, utc

UUID = "uuid"
# A procedure's code never changes (the catalogue keeps it), so rows may carry it.
PROCEDURE_CODE = "(SELECT p.code FROM api.assessment_procedure p WHERE p.id = r.procedure_id)"

ENTITIES = (
    Entity(
        "territory",
        "api.territory",
        {"id": UUID},
        {"id": "r.id", "name": "r.name", "kind": "r.kind", "parent_id": "r.parent_id"},
    ),
    Entity(
        "organization",
        "api.organization",
        {"id": UUID},
        {
            "id": "r.id",
            "name": "r.name",
            "short_name": "r.short_name",
            "kind": "r.kind",
            "territory_id": "r.territory_id",
            "context": "r.context",
            # ISO dates or null: the reports' data-quality status expects an organization in
            # a collection's window only while it is open (data_quality/status.py).
            "opened_on": "r.opened_on",
            "closed_on": "r.closed_on",
        },
    ),
    Entity(
        "cluster",
        "api.cluster",
        {"id": UUID},
        {
            "id": "r.id",
            "name": "r.name",
            "description": "r.description",
            "territory_id": "r.territory_id",
            "coordinator_id": "r.coordinator_id",
        },
    ),
    Entity(
        "cluster_member",
        "api.cluster_member",
        {"cluster_id": UUID, "organization_id": UUID},
        {"cluster_id": "r.cluster_id", "organization_id": "r.organization_id"},
    ),
    Entity(
        "indicator",
        "api.indicator",
        {"id": UUID},
        {
            "id": "r.id",
            "code": "r.code",
            "owner_territory_id": "r.owner_territory_id",
            "name": "r.name",
            "description": "r.description",
            "unit": "r.unit",
            "direction": "r.direction",
            "level": "r.level",
            "method": "r.method",
            "params": "r.params",
            "target": (
                "CASE WHEN r.target_op IS NOT NULL "
                "THEN jsonb_build_object('op', r.target_op, 'value', r.target_value) END"
            ),
            "collection_method": "r.collection_method",
            "min_n": "r.min_n",
            "applies_to": "r.applies_to",
        },
    ),
    Entity(
        "indicator_target",
        "api.indicator_target",
        {"id": UUID},
        {
            "id": "r.id",
            "indicator_id": "r.indicator_id",
            "period": "r.period",
            "scope_type": "r.scope_type",
            "scope_id": "r.scope_id",
            "op": "r.op",
            "value": "r.value",
        },
    ),
    Entity(
        "indicator_roadmap",
        "api.indicator_roadmap",
        {"indicator_id": UUID, "roadmap_id": UUID},
        {"indicator_id": "r.indicator_id", "roadmap_id": "r.roadmap_id"},
    ),
    Entity(
        "data_value",
        "api.data_value",
        {"indicator_id": UUID, "organization_id": UUID, "period": "text"},
        {
            "indicator_id": "r.indicator_id",
            # An indicator's code never changes (no update may set it).
            "indicator_code": "(SELECT i.code FROM api.indicator i WHERE i.id = r.indicator_id)",
            "organization_id": "r.organization_id",
            "period": "r.period",
            "value": "r.value",
            "updated_at": utc("r.updated_at"),
            # When the value was first stored (later changes leave it): a collection's
            # timeliness counts a value stored by the due date.
            "created_at": utc("r.created_at"),
        },
    ),
    Entity(
        "assessment_procedure",
        "api.assessment_procedure",
        {"id": UUID},
        {
            "id": "r.id",
            "code": "r.code",
            "name": "r.name",
            "kind": "r.kind",
            "has_marks": "r.has_marks",
        },
    ),
    Entity(
        "assessment_subject",
        "api.assessment_subject",
        {"id": UUID},
        {
            "id": "r.id",
            "procedure_id": "r.procedure_id",
            "subject": "r.subject",
            "grade": "r.grade",
            "max_primary_score": "r.max_primary_score",
        },
    ),
    Entity(
        "assessment_result",
        "api.assessment_result",
        {"id": UUID},
        {
            "id": "r.id",
            "organization_id": "r.organization_id",
            "procedure_id": "r.procedure_id",
            "procedure_code": PROCEDURE_CODE,
            "year": "r.year",
            "subject": "r.subject",
            "grade": "r.grade",
            "participants": "r.participants",
            "mark_2": "r.mark_2",
            "mark_3": "r.mark_3",
            "mark_4": "r.mark_4",
            "mark_5": "r.mark_5",
            "score_distribution": "r.score_distribution",
            "mean_score": "r.mean_score",
            "lowered": "r.lowered",
            "confirmed": "r.confirmed",
            "raised": "r.raised",
            "specification_id": "r.specification_id",
            "task_scores": "r.task_scores",
            "updated_at": utc("r.updated_at"),
        },
    ),
    Entity(
        "assessment_specification",
        "api.assessment_specification",
        {"id": UUID},
        {
            "id": "r.id",
            "procedure_id": "r.procedure_id",
            "procedure_code": PROCEDURE_CODE,
            "year": "r.year",
            "subject": "r.subject",
            "grade": "r.grade",
            "version": "r.version",
            "mark_scale": "r.mark_scale",
        },
    ),
    Entity(
        "assessment_task",
        "api.assessment_task",
        {"specification_id": UUID, "number": "text"},
        {
            "specification_id": "r.specification_id",
            "number": "r.number",
            "position": "r.position",
            "max_score": "r.max_score",
            "level": "r.level",
            "skill": "r.skill",
        },
    ),
    # One participant under a pseudonymous code (the api never stores a name); the procedure's
    # code is its specification's (kept off a million rows).
    Entity(
        "assessment_participant",
        "api.assessment_participant",
        {"id": UUID},
        {
            "id": "r.id",
            "organization_id": "r.organization_id",
            "specification_id": "r.specification_id",
            "procedure_id": "r.procedure_id",
            "year": "r.year",
            "subject": "r.subject",
            "grade": "r.grade",
            "code": "r.code",
            "class_label": "r.class_label",
            "variant": "r.variant",
            "task_scores": "r.task_scores",
            "total_score": "r.total_score",
            "mark": "r.mark",
            "journal_mark": "r.journal_mark",
            "updated_at": utc("r.updated_at"),
        },
    ),
    Entity(
        "roadmap",
        "api.roadmap",
        {"id": UUID},
        {
            "id": "r.id",
            "title": "r.title",
            "level": "r.level",
            "owner_type": "r.owner_type",
            "owner_id": "r.owner_id",
            "period": "r.period",
            "period_start": "r.period_start",
            "period_end": "r.period_end",
            "passport": "r.passport",
        },
    ),
    Entity(
        "roadmap_section",
        "api.roadmap_section",
        {"id": UUID},
        {"id": "r.id", "roadmap_id": "r.roadmap_id", "position": "r.position", "title": "r.title"},
    ),
    Entity(
        "activity",
        "api.activity",
        {"id": UUID},
        {
            "id": "r.id",
            "roadmap_id": "r.roadmap_id",
            "section_id": "r.section_id",
            "position": "r.position",
            "number": "r.number",
            "title": "r.title",
            "deadline_text": "r.deadline_text",
            "deadline_kind": "r.deadline_kind",
            "due_start": "r.due_start",
            "due_end": "r.due_end",
            "recurrence": "r.recurrence",
            "recurrence_detail": "r.recurrence_detail",
            "responsible": "r.responsible",
            "responsible_organization_ids": "r.responsible_organization_ids",
            "expected_result": "r.expected_result",
            "evidence_description": "r.evidence_description",
            "status": "r.status",
            "completed_on": "r.completed_on",
        },
    ),
    Entity(
        "activity_status_change",
        "api.activity_status_change",
        {"id": "bigint"},
        {
            "id": "r.id",
            "activity_id": "r.activity_id",
            "from_status": "r.from_status",
            "to_status": "r.to_status",
            "changed_at": utc("r.changed_at"),
        },
    ),
)

# Data collections, their reporting windows and where each organization's data stand in the
# approval (no comment, no actor: who approved is the api's history, not a fact).
COLLECTION_ENTITIES = (
    Entity(
        "collection",
        "api.collection",
        {"id": UUID},
        {
            "id": "r.id",
            "name": "r.name",
            "owner_territory_id": "r.owner_territory_id",
            "organization_kinds": "r.organization_kinds",
            "indicator_ids": "r.indicator_ids",
        },
    ),
    Entity(
        "collection_window",
        "api.collection_window",
        {"collection_id": UUID, "period": "text"},
        {
            "collection_id": "r.collection_id",
            "period": "r.period",
            "opens_date": "r.opens_date",
            "due_date": "r.due_date",
        },
    ),
    Entity(
        "collection_approval",
        "api.collection_approval",
        {"id": UUID},
        {
            "id": "r.id",
            "collection_id": "r.collection_id",
            "organization_id": "r.organization_id",
            "period": "r.period",
            "status": "r.status",
            "level": "r.level",
            "updated_at": utc("r.updated_at"),
        },
    ),
)

# The validation rules (what a violation means: its code, the rule as written, the Russian
# message, importance and action) and what they and the outlier checks find now: current
# states, written in bulk by SQL; a fix deletes the row, and the feed carries the deletion.
QUALITY_ENTITIES = (
    Entity(
        "validation_rule",
        "api.validation_rule",
        {"id": UUID},
        {
            "id": "r.id",
            "code": "r.code",
            "owner_territory_id": "r.owner_territory_id",
            # `left operator right` as the rule was written (its two sides are kept apart in
            # the api; one text is what a reader shows).
            "expression": "r.left || ' ' || r.operator || ' ' || r.right",
            "message": "r.message",
            "importance": "r.importance",
            "action": "r.action",
            "active": "r.active",
            # The indicators both sides read: the values a violation concerns.
            "indicator_codes": "r.indicator_codes",
        },
    ),
    Entity(
        "validation_violation",
        "api.validation_violation",
        {"rule_id": UUID, "organization_id": UUID, "period": "text"},
        {
            "rule_id": "r.rule_id",
            "organization_id": "r.organization_id",
            "period": "r.period",
            "left_value": "r.left_value",
            "right_value": "r.right_value",
            "detected_at": utc("r.detected_at"),
        },
    ),
    Entity(
        "outlier_flag",
        "api.outlier_flag",
        {"indicator_id": UUID, "organization_id": UUID, "period": "text", "kind": "text"},
        {
            "indicator_id": "r.indicator_id",
            "organization_id": "r.organization_id",
            "period": "r.period",
            "kind": "r.kind",
            "value": "r.value",
            "bound": "r.bound",
            "median": "r.median",
            "n": "r.n",
            "score": "r.score",
            "flagged_at": utc("r.flagged_at"),
        },
    ),
)

FEED = Feed(service="api", schema="api", entities=ENTITIES + COLLECTION_ENTITIES + QUALITY_ENTITIES)
