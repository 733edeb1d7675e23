"""Benchmark data written straight into the database with SQL (generate_series, INSERT ... SELECT).

What the services would have stored had the data come through their APIs: a region with its
municipalities, schools, clusters and teachers; data values and assessment results; survey
campaigns with responses, answers, competence scores and the tallies the submissions keep.
Ids are derived from the region's id (md5), so that a step can find what an earlier one wrote.
"""

import uuid
from typing import Any

import asyncpg

# --- responses to a survey (also used by bench.surveys_bench) ---------------------------------

GENERATE = """
INSERT INTO surveys.response (id, campaign_id, organization_id, instrument_version_id, status,
                              submitted_on)
SELECT gen_random_uuid(), c.id, o.orgs[1 + (g % array_length(o.orgs, 1))],
       c.instrument_version_id, 'submitted', current_date
FROM generate_series(1, $2) g, surveys.campaign c,
     (SELECT array_agg(organization_id) orgs FROM surveys.campaign_organization
      WHERE campaign_id = $1) o
WHERE c.id = $1;
"""
# Answers of the responses that have none yet (all of them, the first time).
ANSWERS = """
INSERT INTO surveys.answer (response_id, campaign_id, organization_id, question, number, positive)
SELECT r.id, r.campaign_id, r.organization_id, q, v, v >= 4
FROM surveys.response r CROSS JOIN unnest($2::text[]) q,
     LATERAL (SELECT (1 + floor(random() * 5))::float8 AS v WHERE r.id IS NOT NULL) x
WHERE r.campaign_id = $1
  AND NOT EXISTS (SELECT 1 FROM surveys.answer a WHERE a.response_id = r.id);
"""
# What the submissions would have added to the tallies, computed from the generated answers.
TALLIES = """
INSERT INTO surveys.answer_tally (campaign_id, organization_id, question, value, n, number_sum,
                                  number_count, positive, rated)
SELECT campaign_id, organization_id, '', '*', count(*), 0, 0, 0, 0
FROM surveys.response WHERE campaign_id = $1 GROUP BY 1, 2
UNION ALL
SELECT campaign_id, organization_id, question, '*', count(*), coalesce(sum(number), 0),
       count(number), count(*) FILTER (WHERE positive), count(positive)
FROM surveys.answer WHERE campaign_id = $1 GROUP BY 1, 2, 3
UNION ALL
SELECT campaign_id, organization_id, question, number::text, count(*), 0, 0, 0, 0
FROM surveys.answer WHERE campaign_id = $1 AND number IS NOT NULL GROUP BY 1, 2, 3, 4
"""
# Chosen options (single, test items) are tallied too.
OPTION_TALLIES = """
INSERT INTO surveys.answer_tally (campaign_id, organization_id, question, value, n, number_sum,
                                  number_count, positive, rated)
SELECT campaign_id, organization_id, question, option, count(*), 0, 0, 0, 0
FROM surveys.answer WHERE campaign_id = $1 AND option IS NOT NULL GROUP BY 1, 2, 3, 4
"""


async def retally(conn: asyncpg.Connection, campaign_ids: list[uuid.UUID]) -> None:
    """The tallies of the campaigns rebuilt from their answers."""
    await conn.execute(
        "DELETE FROM surveys.answer_tally WHERE campaign_id = ANY($1::uuid[])", campaign_ids
    )
    for campaign in campaign_ids:
        await conn.execute(TALLIES, campaign)
        await conn.execute(OPTION_TALLIES, campaign)


# --- the region ---------------------------------------------------------------------------------

REGION_NAME = "Бенчмарк: регион"


# Ids derived from the region's ($1): md5(region || '/o' || n) for school n, '/m' || n for
# municipality n, '/c' || m || '/' || c for cluster c of municipality m, '/t' || n for teacher n.
# School g sits in municipality 1 + g % M; within it, every 8 schools form a cluster.
TERRITORIES = """
INSERT INTO api.territory (id, name, kind, parent_id)
SELECT md5($1::uuid::text || '/m' || m)::uuid, 'Бенчмарк: район ' || m, 'municipality', $1
FROM generate_series(1, $2) m
"""
ORGANIZATIONS = """
INSERT INTO api.organization (id, name, kind, territory_id, context)
SELECT md5($1::uuid::text || '/o' || g)::uuid, 'Школа № ' || (g + 1), 'school',
       md5($1::uuid::text || '/m' || (1 + g % $3))::uuid,
       jsonb_build_object('students', 300 + (g * 37) % 900, 'rural', g % 4 = 0)
FROM generate_series(0, $2 - 1) g
"""
CLUSTERS = """
INSERT INTO api.cluster (id, name, territory_id, coordinator_id)
SELECT md5($1::uuid::text || '/c' || m || '/' || c)::uuid, 'Кластер ' || (c + 1) || ', район ' || m,
       md5($1::uuid::text || '/m' || m)::uuid, md5($1::uuid::text || '/o' || min(g))::uuid
FROM (SELECT g, 1 + g % $3 AS m, (g / $3) / 8 AS c FROM generate_series(0, $2 - 1) g) x
GROUP BY m, c
"""
MEMBERS = """
INSERT INTO api.cluster_member (cluster_id, organization_id)
SELECT md5($1::uuid::text || '/c' || m || '/' || c)::uuid, md5($1::uuid::text || '/o' || g)::uuid
FROM (SELECT g, 1 + g % $3 AS m, (g / $3) / 8 AS c FROM generate_series(0, $2 - 1) g) x
"""
STAFF = """
INSERT INTO api.staff_member (id, organization_id, full_name, position, is_active)
SELECT md5($1::uuid::text || '/t' || t)::uuid, md5($1::uuid::text || '/o' || (t % $2))::uuid,
       'Педагог ' || (t + 1), 'teacher', true
FROM generate_series(0, $3 - 1) t
"""


async def region(
    conn: asyncpg.Connection, organizations: int, municipalities: int, teachers: int
) -> uuid.UUID:
    """A region, its municipalities, schools, clusters of 8 schools and teachers."""
    region_id = uuid.uuid4()
    await conn.execute(
        "INSERT INTO api.territory (id, name, kind) VALUES ($1, $2, 'region')",
        region_id,
        REGION_NAME,
    )
    await conn.execute(TERRITORIES, region_id, municipalities)
    await conn.execute(ORGANIZATIONS, region_id, organizations, municipalities)
    await conn.execute(CLUSTERS, region_id, organizations, municipalities)
    await conn.execute(MEMBERS, region_id, organizations, municipalities)
    await conn.execute(STAFF, region_id, organizations, teachers)
    return region_id


# --- data values and assessment results --------------------------------------------------------

# 95 % of the schools report; booleans are 1/0, numbers and percents between params min and max.
DATA_VALUES = """
INSERT INTO api.data_value (indicator_id, organization_id, period, value, source)
SELECT i.id, o.id, p,
       CASE WHEN i.params->>'value_type' = 'boolean' THEN (random() < 0.75)::int
            ELSE round(coalesce((i.params->>'min')::float8, 0) + random()
                       * (coalesce((i.params->>'max')::float8, 100)
                          - coalesce((i.params->>'min')::float8, 0)))
       END,
       'bench'
FROM api.indicator i
CROSS JOIN api.organization o JOIN api.territory t ON t.id = o.territory_id
CROSS JOIN unnest($2::text[]) p
WHERE i.method = 'data_value' AND t.parent_id = $1 AND random() < 0.95
"""
# ВПР in grades 4–8 and ОГЭ in grade 9, mathematics and Russian, per school and year.
RESULTS = """
INSERT INTO api.assessment_result (organization_id, procedure_id, year, subject, grade,
    participants, mark_2, mark_3, mark_4, mark_5, mean_score, lowered, confirmed, raised, source)
SELECT o.id, s.procedure_id, y, s.subject, s.grade, a.n, b.m2, a.n - b.m2 - b.m4 - b.m5, b.m4,
       b.m5, round((s.max_primary_score * (0.4 + 0.4 * random()))::numeric, 2),
       CASE WHEN p.code = 'vpr' THEN b.lo END, CASE WHEN p.code = 'vpr' THEN a.n - b.lo - b.hi END,
       CASE WHEN p.code = 'vpr' THEN b.hi END, 'bench'
FROM api.organization o JOIN api.territory t ON t.id = o.territory_id
CROSS JOIN api.assessment_subject s JOIN api.assessment_procedure p ON p.id = s.procedure_id
CROSS JOIN unnest($2::text[]) y
CROSS JOIN LATERAL (SELECT 30 + floor(random() * 90)::int AS n
                    WHERE o.id IS NOT NULL AND s.id IS NOT NULL AND y IS NOT NULL) a
CROSS JOIN LATERAL (SELECT floor(a.n * (0.03 + 0.15 * random()))::int AS m2,
                           floor(a.n * (0.25 + 0.20 * random()))::int AS m4,
                           floor(a.n * (0.08 + 0.15 * random()))::int AS m5,
                           floor(a.n * 0.15 * random())::int AS lo,
                           floor(a.n * 0.04 * random())::int AS hi) b
WHERE t.parent_id = $1 AND s.subject IN ('Математика', 'Русский язык')
  AND (p.code = 'vpr' AND s.grade BETWEEN 4 AND 8 OR p.code = 'oge' AND s.grade = 9)
"""


async def data_values(conn: asyncpg.Connection, region_id: uuid.UUID, periods: list[str]) -> None:
    await conn.execute(DATA_VALUES, region_id, periods)


async def assessment_results(
    conn: asyncpg.Connection, region_id: uuid.UUID, years: list[str]
) -> None:
    await conn.execute(RESULTS, region_id, years)


# --- campaigns ---------------------------------------------------------------------------------

CAMPAIGN = """
INSERT INTO surveys.campaign (id, title, instrument_version_id, audience, period, opens_at,
                              closes_at, anonymous, created_by)
VALUES ($1, $2, $3, $4, $5, now() - interval '30 days', now() + interval '30 days', $6, 'bench')
"""
# Each with its groups as drawn at the launch: its municipality and the region above it, its
# clusters.
PARENTS_MEMBERS = """
INSERT INTO surveys.campaign_organization (campaign_id, organization_id, expected, code,
                                           territory_ids, cluster_ids)
SELECT $2, o.id, (o.context->>'students')::int, substr(md5($2::uuid::text || o.id::text), 1, 24),
       ARRAY[o.territory_id, (SELECT parent_id FROM api.territory WHERE id = o.territory_id)],
       ARRAY(SELECT cluster_id FROM api.cluster_member m WHERE m.organization_id = o.id)
FROM api.organization o JOIN api.territory t ON t.id = o.territory_id WHERE t.parent_id = $1
"""
# A municipality's diagnostic: its schools, a personal link per teacher.
DIAGNOSTIC_MEMBERS = """
INSERT INTO surveys.campaign_organization (campaign_id, organization_id, expected, code,
                                           territory_ids, cluster_ids)
SELECT $1, o.id, (SELECT count(*) FROM api.staff_member s WHERE s.organization_id = o.id),
       substr(md5($1::uuid::text || o.id::text), 1, 24),
       ARRAY[o.territory_id, (SELECT parent_id FROM api.territory WHERE id = o.territory_id)],
       ARRAY(SELECT cluster_id FROM api.cluster_member m WHERE m.organization_id = o.id)
FROM api.organization o WHERE o.territory_id = $2
"""
INVITATIONS = """
INSERT INTO surveys.invitation (id, campaign_id, organization_id, staff_id, full_name, code)
SELECT gen_random_uuid(), $1, s.organization_id, s.id, s.full_name,
       substr(md5($1::uuid::text || s.id::text), 1, 24)
FROM api.staff_member s JOIN api.organization o ON o.id = s.organization_id
WHERE o.territory_id = $2
"""


async def version_of(conn: asyncpg.Connection, instrument_code: str) -> tuple[uuid.UUID, Any]:
    """The latest version of a bank instrument (loaded by the surveys service): id, definition."""
    row = await conn.fetchrow(
        "SELECT v.id, v.definition FROM surveys.instrument i JOIN surveys.instrument_version v "
        "ON v.instrument_id = i.id AND v.version = i.latest_version WHERE i.code = $1",
        instrument_code,
    )
    return row["id"], row["definition"]


async def campaigns(
    conn: asyncpg.Connection,
    region_id: uuid.UUID,
    period: str,
    parents_version: uuid.UUID,
    diagnostic_version: uuid.UUID,
) -> tuple[uuid.UUID, list[uuid.UUID]]:
    """The parents' survey of the whole region, and a diagnostic of teachers per municipality."""
    parents = uuid.uuid5(region_id, "parents")
    await conn.execute(
        CAMPAIGN,
        parents,
        "Удовлетворённость родителей (бенчмарк)",
        parents_version,
        "parents",
        period,
        True,
    )
    await conn.execute(PARENTS_MEMBERS, region_id, parents)
    diagnostics = []
    for municipality in await conn.fetch(
        "SELECT id, name FROM api.territory WHERE parent_id = $1 ORDER BY name", region_id
    ):
        campaign = uuid.uuid5(region_id, f"diagnostic/{municipality['id']}")
        await conn.execute(
            CAMPAIGN,
            campaign,
            f"Диагностика дефицитов: {municipality['name']}",
            diagnostic_version,
            "teachers",
            period,
            False,
        )
        await conn.execute(DIAGNOSTIC_MEMBERS, campaign, municipality["id"])
        await conn.execute(INVITATIONS, campaign, municipality["id"])
        diagnostics.append(campaign)
    return parents, diagnostics


# --- teachers' diagnostic results --------------------------------------------------------------

# The next `count` invitations (in a fixed pseudo-random order) answered.
TEACHER_RESPONSES = """
INSERT INTO surveys.response (id, campaign_id, organization_id, instrument_version_id,
                              invitation_id, staff_id, status, submitted_on)
SELECT gen_random_uuid(), i.campaign_id, i.organization_id, c.instrument_version_id, i.id,
       i.staff_id, 'submitted', current_date
FROM surveys.invitation i JOIN surveys.campaign c ON c.id = i.campaign_id
WHERE i.campaign_id = ANY($1::uuid[])
  AND NOT EXISTS (SELECT 1 FROM surveys.response r WHERE r.invitation_id = i.id)
ORDER BY md5(i.id::text) LIMIT $2
"""
# Each item right with a probability that depends on the school (0.45–0.9).
TEACHER_ANSWERS = """
INSERT INTO surveys.answer (response_id, campaign_id, organization_id, question, option, points)
SELECT r.id, r.campaign_id, r.organization_id, it.q,
       CASE WHEN x.ok THEN it.correct ELSE it.wrong END, CASE WHEN x.ok THEN it.points ELSE 0 END
FROM surveys.response r
CROSS JOIN unnest($2::text[], $3::text[], $4::text[], $5::float8[]) AS it(q, correct, wrong, points)
CROSS JOIN LATERAL (
    SELECT random() < 0.45 + 0.45 * ((hashtext(r.organization_id::text) & 1023) / 1023.0) AS ok
    WHERE r.id IS NOT NULL AND it.q IS NOT NULL) x
WHERE r.campaign_id = ANY($1::uuid[])
  AND NOT EXISTS (SELECT 1 FROM surveys.answer a WHERE a.response_id = r.id)
"""
# Points per competence, and a deficit below the competence's threshold × maximum.
SCORES = """
INSERT INTO surveys.competence_score (response_id, competence, campaign_id, organization_id,
                                      staff_id, score, max_score, deficit)
SELECT a.response_id, c.competence, a.campaign_id, a.organization_id, r.staff_id,
       sum(a.points), c.max_score, sum(a.points) < c.threshold * c.max_score
FROM surveys.answer a JOIN surveys.response r ON r.id = a.response_id
JOIN unnest($2::text[], $3::text[]) AS q(question, competence) ON q.question = a.question
JOIN unnest($4::text[], $5::float8[], $6::float8[]) AS c(competence, max_score, threshold)
  ON c.competence = q.competence
WHERE a.campaign_id = ANY($1::uuid[])
  AND NOT EXISTS (SELECT 1 FROM surveys.competence_score s WHERE s.response_id = a.response_id)
GROUP BY a.response_id, c.competence, a.campaign_id, a.organization_id, r.staff_id,
         c.max_score, c.threshold
"""


async def teachers_diagnosed(
    conn: asyncpg.Connection, campaign_ids: list[uuid.UUID], count: int, definition: Any
) -> None:
    """`count` more teachers answer their diagnostic: answers, competence scores, tallies."""
    items = definition.scored_items()
    await conn.execute(TEACHER_RESPONSES, campaign_ids, count)
    await conn.execute(
        TEACHER_ANSWERS,
        campaign_ids,
        [q.code for q in items],
        [next(o.code for o in q.options if o.correct) for q in items],
        [next(o.code for o in q.options if not o.correct) for q in items],
        [q.points for q in items],
    )
    competences = definition.competences
    await conn.execute(
        SCORES,
        campaign_ids,
        [q.code for q in items],
        [q.competence for q in items],
        [c.code for c in competences],
        [definition.max_score(c.code) for c in competences],
        [c.threshold for c in competences],
    )
    await retally(conn, campaign_ids)


async def parents_answered(
    conn: asyncpg.Connection, campaign: uuid.UUID, count: int, questions: list[str]
) -> None:
    """`count` more parents' responses with an answer to each question, and the tallies."""
    await conn.execute(GENERATE, campaign, count)
    await conn.execute(ANSWERS, campaign, questions)
    await retally(conn, [campaign])
