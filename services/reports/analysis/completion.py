"""A school's mean completion of a paper (средний процент выполнения), the measure of results
the low-results and resilient-school analyses share.

completion = mean_score / maximum × 100 (percent 0–100), where the maximum is the total of the
task maximums of a specification: the one the school's summary was derived under (its
participants' results), else the paper's specification for that year when one exists (its
latest version); else the catalogue's maximum primary score
(`fact_assessment_subject.max_primary_score`).
Only papers written by at least `Thresholds.min_participants` of the school count.
"""

# One row per result of the organizations `:orgs` in the years `:years` written by at least
# `:min_participants`: organization_id, procedure (code), subject, grade, year, participants,
# mark_2, has_marks, completion (NULL without a mean score or a maximum). Used as a CTE.
PAPERS = """
    specification_maximum AS (
        SELECT sp.id, sp.procedure_id, sp.year, sp.subject, sp.grade,
            row_number() OVER (PARTITION BY sp.procedure_id, sp.year, sp.subject, sp.grade
                               ORDER BY sp.version DESC) = 1 AS latest,
            (SELECT sum(t.max_score) FROM reports.fact_assessment_task t
             WHERE t.specification_id = sp.id) AS maximum
        FROM reports.fact_assessment_specification sp
        WHERE sp.year = ANY(:years)
    ), papers AS (
        SELECT r.organization_id, r.procedure_code AS procedure, r.subject, r.grade, r.year,
            r.participants, r.mark_2, p.has_marks,
            r.mean_score
                / nullif(coalesce(own.maximum, latest.maximum, s.max_primary_score), 0) * 100
                AS completion
        FROM reports.fact_assessment_result r
        JOIN reports.fact_assessment_procedure p ON p.id = r.procedure_id
        LEFT JOIN reports.fact_assessment_subject s
            ON s.procedure_id = r.procedure_id AND s.subject = r.subject AND s.grade = r.grade
        LEFT JOIN specification_maximum own ON own.id = r.specification_id
        LEFT JOIN specification_maximum latest
            ON latest.latest AND latest.procedure_id = r.procedure_id AND latest.year = r.year
           AND latest.subject = r.subject AND latest.grade = r.grade
        WHERE r.organization_id = ANY(:orgs) AND r.year = ANY(:years)
          AND r.participants >= :min_participants
    )
"""
