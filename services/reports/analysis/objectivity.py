"""Objectivity signs of a territory's assessment results, per organization × paper × year,
each with its evidence, and a risk level from how many there are (issue 15, "Objectivity
signs"). Thresholds: `Thresholds` (ours, not federal). A paper written by fewer than
`min_participants` pupils of a school shows no sign.

- `boundary_spike`: for each mark from 3 up, the participants at exactly its minimum score
  (the specification's mark scale of the paper and year) ≥ `boundary_spike_ratio` × the mean
  of those one score below and one above, and ≥ `boundary_spike_min_count` (the highest such
  peak is the evidence);
- `inverted_profile`: from the task sums, completion of advanced or of high tasks ≥ basic
  ones' − `inverted_profile_margin`, or the Pearson correlation of the school's per-task
  completion with the territory's < `inverted_profile_correlation` (3 tasks at least);
- `not_confirmed_by_gia`: analysis/cohorts.py;
- `journal_mismatch`: (lowered + raised) / (lowered + confirmed + raised) × 100 ≥
  `journal_mismatch_share`;
- `sudden_rise`: mean completion (analysis/completion.py) rose
  over the previous year by more than the territory's pooled rise (over the schools that wrote
  the paper both years) + `sudden_rise_points`.
"""

import uuid
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.analysis.cohorts import not_confirmed_by_gia
from services.reports.analysis.completion import RESULTS
from services.reports.analysis.tasks import TASK_SCORES, paper
from services.reports.analysis.thresholds import Thresholds
from shared.periods import Period

SIGNS = (
    "boundary_spike",
    "inverted_profile",
    "not_confirmed_by_gia",
    "journal_mismatch",
    "sudden_rise",
)
THRESHOLDS = (
    "min_participants",
    "boundary_spike_ratio",
    "boundary_spike_min_count",
    "inverted_profile_margin",
    "inverted_profile_correlation",
    "gia_vpr_rank",
    "gia_exam_rank",
    "journal_mismatch_share",
    "sudden_rise_points",
    "high_risk_signs",
)

# The results of :year (the organizations', in order), each with its completion this year and
# the previous (:previous) and the territory's pooled rise over the schools that wrote the paper
# both years (NULL where the school did not, or either year's paper is under :minimum), and its
# highest boundary spike (`spike_*`, `count_*`; NULL without one): the participants at a mark's
# minimum score (marks 3–5 of the mark scale) ≥ :spike_count and ≥ :spike_ratio × the mean at
# one score below and above. One statement: the results of both years (:years) are read once.
_ROWS = text(
    f"""
    WITH {RESULTS},
    pairs AS (
        SELECT cur.id, cur.procedure_code, lower(cur.subject) AS subject, cur.grade,
               cur.participants AS p, prev.participants AS pp, cur.mean_score AS s,
               prev.mean_score AS ps, cur.maximum::float AS m, prev.maximum::float AS pm
        FROM results cur
        JOIN results prev
          ON prev.organization_id = cur.organization_id
         AND prev.procedure_code = cur.procedure_code
         AND lower(prev.subject) = lower(cur.subject) AND prev.grade = cur.grade
         AND prev.year = :previous
        WHERE cur.year = :year AND cur.maximum > 0 AND prev.maximum > 0
          AND cur.mean_score IS NOT NULL AND prev.mean_score IS NOT NULL
          AND cur.participants > 0 AND prev.participants > 0
    ),
    rises AS (
        SELECT id, p, pp, s / m * 100 AS completion, ps / pm * 100 AS previous_completion,
               (sum(s * p) OVER w / sum(m * p) OVER w
                - sum(ps * pp) OVER w / sum(pm * pp) OVER w) * 100 AS territory_rise
        FROM pairs
        WINDOW w AS (PARTITION BY procedure_code, subject, grade)
    ),
    steps AS (
        SELECT r.id, (step ->> 'mark')::int AS mark, (step ->> 'min_score')::int AS score
        FROM results r CROSS JOIN LATERAL jsonb_array_elements(r.mark_scale) step
        WHERE r.year = :year AND jsonb_typeof(r.mark_scale) = 'array'
          AND (step ->> 'mark')::int >= 3 AND (step ->> 'min_score')::int >= 1
    ),
    counted AS (
        SELECT st.id, st.mark, st.score,
               coalesce((r.score_distribution ->> st.score::text)::int, 0) AS count_at,
               coalesce((r.score_distribution ->> (st.score - 1)::text)::int, 0) AS count_below,
               coalesce((r.score_distribution ->> (st.score + 1)::text)::int, 0) AS count_above
        FROM steps st JOIN results r ON r.id = st.id
    ),
    spikes AS (
        SELECT DISTINCT ON (id) id, mark, score, count_at, count_below, count_above
        FROM counted
        WHERE count_at >= :spike_count
          AND count_at >= :spike_ratio * (count_below + count_above) / 2.0
        ORDER BY id, count_at DESC, mark
    )
    SELECT r.id, r.organization_id, r.procedure_code, r.subject, r.grade, r.year,
           r.participants, r.lowered, r.confirmed, r.raised,
           rises.completion, rises.previous_completion, rises.territory_rise,
           spikes.mark AS spike_mark, spikes.score AS spike_score, spikes.count_at,
           spikes.count_below, spikes.count_above
    FROM results r
    LEFT JOIN spikes ON spikes.id = r.id
    LEFT JOIN rises ON rises.id = r.id AND rises.p >= :minimum AND rises.pp >= :minimum
    WHERE r.year = :year
    ORDER BY r.organization_id, r.procedure_code, r.subject, r.grade
    """  # noqa: S608 (constant fragments, values bound)
)

_LEVELS = text(
    f"""
    WITH {TASK_SCORES}
    SELECT s.result_id,
           sum(s.score) FILTER (WHERE s.level = 'basic')
             / nullif(sum(s.possible) FILTER (WHERE s.level = 'basic'), 0) * 100 AS basic,
           sum(s.score) FILTER (WHERE s.level = 'advanced')
             / nullif(sum(s.possible) FILTER (WHERE s.level = 'advanced'), 0) * 100 AS advanced,
           sum(s.score) FILTER (WHERE s.level = 'high')
             / nullif(sum(s.possible) FILTER (WHERE s.level = 'high'), 0) * 100 AS high,
           CASE WHEN count(*) >= 3 THEN corr(s.score / s.possible, tt.completion) END
             AS correlation
    FROM task_scores s
    JOIN territory_tasks tt USING (specification_id, number)
    WHERE s.participants >= :minimum
    GROUP BY s.result_id
    """  # noqa: S608 (constant fragments, values bound)
)


def _rounded(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def boundary_spike(row: Any) -> dict[str, Any] | None:
    """`{score, mark, count_at, count_below, count_above}` of the row's highest peak at a
    mark's minimum score (marks 3 to 5; found in SQL, `_ROWS`'s `spikes`), or None."""
    if row["spike_score"] is None:
        return None
    return {
        "score": row["spike_score"],
        "mark": row["spike_mark"],
        **{k: row[k] for k in ("count_at", "count_below", "count_above")},
    }


def journal_mismatch(row: Any, t: Thresholds) -> dict[str, Any] | None:
    """`{lowered, confirmed, raised, share}` when the share of marks changed against the
    journal (percent) reaches `t.journal_mismatch_share`."""
    lowered, confirmed, raised = (row[k] or 0 for k in ("lowered", "confirmed", "raised"))
    compared = lowered + confirmed + raised
    if compared == 0:
        return None
    share = (lowered + raised) / compared * 100
    if share < t.journal_mismatch_share:
        return None
    evidence = {"lowered": lowered, "confirmed": confirmed, "raised": raised}
    return evidence | {"share": round(share, 1)}


def inverted_profile(levels: Any, t: Thresholds) -> dict[str, Any] | None:
    """`{basic, advanced, high, correlation}` (percent, Pearson r) when advanced or high tasks
    are done at least as well as basic ones (less the margin), or the profile runs against
    the territory's."""
    basic = levels["basic"]
    harder = [levels[k] for k in ("advanced", "high") if levels[k] is not None]
    inverted = basic is not None and any(h >= basic - t.inverted_profile_margin for h in harder)
    against = levels["correlation"] is not None and (
        levels["correlation"] < t.inverted_profile_correlation
    )
    if not (inverted or against):
        return None
    evidence = {k: _rounded(levels[k]) for k in ("basic", "advanced", "high")}
    return evidence | {"correlation": _rounded(levels["correlation"], 3)}


def sudden_rise(rise: Any, t: Thresholds) -> dict[str, Any] | None:
    """`{completion, previous_completion, rise, territory_rise}` (percent, points) when the
    school's rise exceeds the territory's by more than `t.sudden_rise_points`."""
    change = rise["completion"] - rise["previous_completion"]
    if change <= rise["territory_rise"] + t.sudden_rise_points:
        return None
    return {
        "completion": round(rise["completion"], 1),
        "previous_completion": round(rise["previous_completion"], 1),
        "rise": round(change, 1),
        "territory_rise": round(rise["territory_rise"], 1),
    }


# The risks of an item "at risk `low` or higher" (any sign) and "at risk `high`".
RISK_AT_LEAST = {"low": ("low", "high"), "high": ("high",)}


def risk(signs: int, t: Thresholds) -> str:
    """`none` without signs, `high` from `t.high_risk_signs` of them, `low` between."""
    return "none" if signs == 0 else "high" if signs >= t.high_risk_signs else "low"


async def objectivity(
    session: AsyncSession, organizations: list[uuid.UUID], year: Period, t: Thresholds
) -> list[dict[str, Any]]:
    """Every organization × paper of `year` with a result: `{organization_id, procedure,
    subject, grade, year, participants, signs: [{code, evidence}], risk}`, signs in the order
    of SIGNS; papers under `t.min_participants` participants carry none."""
    try:
        previous = year.previous.code
    except ValueError:
        previous = None
    params: dict[str, Any] = {
        "organization_ids": organizations,
        "year": year.code,
        "previous": previous,
        "years": [year.code],
        "minimum": t.min_participants,
        "spike_count": t.boundary_spike_min_count,
        "spike_ratio": t.boundary_spike_ratio,
    }
    years = [year.code] if previous is None else [year.code, previous]
    rows = (await session.execute(_ROWS, params | {"years": years})).mappings().all()
    levels = {r["result_id"]: r for r in (await session.execute(_LEVELS, params)).mappings()}
    cohorts = await not_confirmed_by_gia(session, organizations, year, t)
    items = []
    for row in rows:
        found: dict[str, dict[str, Any] | None] = {}
        if (row["participants"] or 0) >= t.min_participants:
            found = {
                "boundary_spike": boundary_spike(row),
                "inverted_profile": (
                    inverted_profile(levels[row["id"]], t) if row["id"] in levels else None
                ),
                "not_confirmed_by_gia": cohorts.get(row["id"]),
                "journal_mismatch": journal_mismatch(row, t),
                "sudden_rise": (sudden_rise(row, t) if row["territory_rise"] is not None else None),
            }
        signs = [{"code": code, "evidence": found[code]} for code in SIGNS if found.get(code)]
        items.append(paper(row) | {"signs": signs, "risk": risk(len(signs), t)})
    return items
