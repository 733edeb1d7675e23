"""A school's results of a paper with the maximum they are out of, and its mean completion
(средний процент выполнения): the one measure of results every analysis shares.

completion = mean_score / maximum × 100 (percent 0–100), where the maximum is the total of the
task maximums of a specification: the one the school's summary was derived under (its
participants' results), else the paper's specification for that year when one exists (its
latest version); else the catalogue's maximum primary score
(`fact_assessment_subject.max_primary_score`). The mark scale comes from the same
specification. Each analysis keeps only papers written by at least
`Thresholds.min_participants` of a school.
"""

# A CTE `results`: one row per result of the organizations :organization_ids (uuid[]) in the
# years :years (text[]): id, organization_id, procedure_code, procedure_id, subject, grade,
# year, participants, mark_2…mark_5, has_marks, score_distribution, mean_score, lowered,
# confirmed, raised, mark_scale, maximum, completion (NULL without a mean score or a maximum).
RESULTS = """
    specification_total AS (
        SELECT sp.id, sp.procedure_id, sp.year, sp.subject, sp.grade, sp.mark_scale,
            row_number() OVER (PARTITION BY sp.procedure_id, sp.year, sp.subject, sp.grade
                               ORDER BY sp.version DESC) = 1 AS latest,
            (SELECT sum(t.max_score) FROM reports.fact_assessment_task t
             WHERE t.specification_id = sp.id) AS total
        FROM reports.fact_assessment_specification sp
        WHERE sp.year = ANY(CAST(:years AS text[]))
    ), results AS (
        SELECT r.id, r.organization_id, r.procedure_code, r.procedure_id, r.subject, r.grade,
            r.year, r.participants, r.mark_2, r.mark_3, r.mark_4, r.mark_5, p.has_marks,
            r.score_distribution, r.mean_score, r.lowered, r.confirmed, r.raised,
            coalesce(own.mark_scale, latest.mark_scale) AS mark_scale,
            coalesce(own.total, latest.total, s.max_primary_score) AS maximum,
            r.mean_score / nullif(coalesce(own.total, latest.total, s.max_primary_score), 0)
                * 100 AS completion
        FROM reports.fact_assessment_result r
        JOIN reports.fact_assessment_procedure p ON p.id = r.procedure_id
        LEFT JOIN reports.fact_assessment_subject s
            ON s.procedure_id = r.procedure_id AND s.subject = r.subject AND s.grade = r.grade
        LEFT JOIN specification_total own ON own.id = r.specification_id
        LEFT JOIN specification_total latest
            ON r.specification_id IS NULL AND latest.latest
           AND latest.procedure_id = r.procedure_id AND latest.year = r.year
           AND latest.subject = r.subject AND latest.grade = r.grade
        WHERE r.organization_id = ANY(CAST(:organization_ids AS uuid[]))
          AND r.year = ANY(CAST(:years AS text[]))
    )
"""
# The same, kept to papers written by at least :min_participants of a school: CTE `papers`.
PAPERS = f"""{RESULTS}, papers AS (
        SELECT * FROM results WHERE participants >= :min_participants
    )
"""  # noqa: S608 - RESULTS, a constant, is the only thing interpolated
