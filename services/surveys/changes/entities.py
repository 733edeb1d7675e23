"""What the surveys service's feed carries: each entity, its key and the fields of its state.

Names and fields are a contract (README, "Change feeds"). Counts only: the instrument bank,
campaigns and the organizations they reach, and the running tallies per campaign and
organization (answers per question and value, competence results of diagnostics). Never here:
a response, an answer, an invitation, a staff id or name, a personal link, a draft, a score of
one person, nor who created a campaign.
"""

from shared.changes.feed import Entity, Feed, utc

UUID = "uuid"
_VERSION = (
    "(SELECT v.{field} FROM surveys.instrument_version v WHERE v.id = r.instrument_version_id)"
)

ENTITIES = (
    Entity(
        "instrument",
        "surveys.instrument",
        {"id": UUID},
        {
            "id": "r.id",
            "code": "r.code",
            "kind": "r.kind",
            "title": "r.title",
            "audience": "r.audience",
            "latest_version": "r.latest_version",
        },
    ),
    Entity(
        "instrument_version",
        "surveys.instrument_version",
        {"id": UUID},
        {
            "id": "r.id",
            "instrument_id": "r.instrument_id",
            "instrument_code": (
                "(SELECT i.code FROM surveys.instrument i WHERE i.id = r.instrument_id)"
            ),
            "version": "r.version",
            "definition": "r.definition",
        },
    ),
    Entity(
        "campaign",
        "surveys.campaign",
        {"id": UUID},
        {
            "id": "r.id",
            "title": "r.title",
            "instrument_version_id": "r.instrument_version_id",
            "instrument_id": _VERSION.format(field="instrument_id"),
            "instrument_code": (
                "(SELECT i.code FROM surveys.instrument_version v "
                "JOIN surveys.instrument i ON i.id = v.instrument_id "
                "WHERE v.id = r.instrument_version_id)"
            ),
            "version": _VERSION.format(field="version"),
            "audience": "r.audience",
            "period": "r.period",
            "anonymous": "r.anonymous",
            # No status: it changes with the clock, not with a write (README).
            "opens_at": utc("r.opens_at"),
            "closes_at": utc("r.closes_at"),
        },
    ),
    Entity(
        "campaign_organization",
        "surveys.campaign_organization",
        {"campaign_id": UUID, "organization_id": UUID},
        {
            "campaign_id": "r.campaign_id",
            "organization_id": "r.organization_id",
            "expected": "r.expected",
            "territory_ids": "r.territory_ids",
            "cluster_ids": "r.cluster_ids",
        },
    ),
    Entity(
        "answer_tally",
        "surveys.answer_tally",
        {"campaign_id": UUID, "organization_id": UUID, "question": "text", "value": "text"},
        {
            "campaign_id": "r.campaign_id",
            "organization_id": "r.organization_id",
            "question": "r.question",
            "value": "r.value",
            "n": "r.n",
            "number_sum": "r.number_sum",
            "number_count": "r.number_count",
            "positive": "r.positive",
            "rated": "r.rated",
        },
    ),
    Entity(
        "competence_tally",
        "surveys.competence_tally",
        {"campaign_id": UUID, "organization_id": UUID, "competence": "text"},
        {
            "campaign_id": "r.campaign_id",
            "organization_id": "r.organization_id",
            "competence": "r.competence",
            "respondents": "r.respondents",
            "with_deficit": "r.with_deficit",
            "score_sum": "r.score_sum",
            "max_score_sum": "r.max_score_sum",
        },
    ),
)

FEED = Feed(service="surveys", schema="surveys", entities=ENTITIES)
