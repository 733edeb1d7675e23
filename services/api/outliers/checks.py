"""The outlier checks in SQL: which stored values are flagged now, recomputed for a set of them.

`RECOMPUTE` takes the keys of data values written (or whose bounds changed) as three arrays and,
in one statement, recomputes the flags of every value those keys can change, writes what changed
to `api.outlier_flag`, and returns the flags of the keys given:

- `min_max`: the value against the bound in force for its organization: its own bound, else the
  indicator's global one, else (a percent indicator) 0–100. The whole bound row applies: an
  organization's bound with an open side leaves that side open even where the global one is set.
- `territory_z`: the modified z-score (Iglewicz & Hoaglin) of the value among the values of the
  same indicator and period of the organizations of its territory (the organization's own
  territory; the value itself included), M = 0.6745·(x − median)/MAD, MAD the median absolute
  deviation from the median. Recomputed for the whole (indicator, territory, period) group of
  every key given: another school's value moves the median, so every flag of the group.
- `history_z`: the same score of the value against its organization's earlier periods of the
  same kind (the value itself not among them). Recomputed for every period of the
  (indicator, organization) series of a key: a corrected year changes the later years' history.

When MAD is 0 (more than half the sample equal), the spread is the mean absolute deviation
instead, M = (x − median)/(1.253314·MeanAD) (IBM SPSS's modified z-score); when that is 0 too
(all equal) there is no score and no flag. A check needs `:territory_min` values in the group
and `:history_min` earlier periods; yes/no indicators are not checked.
"""

from sqlalchemy import ARRAY, Float, Integer, String, Uuid, bindparam, text


def _score(value: str, spread: str) -> str:
    """The modified z-score of `value` against the `spread` CTE's median, mad and mean_ad."""
    return f"""CASE WHEN {spread}.mad > 0 THEN 0.6745 * ({value} - {spread}.median) / {spread}.mad
            WHEN {spread}.mean_ad > 0
            THEN ({value} - {spread}.median) / (1.253314 * {spread}.mean_ad) END"""


RECOMPUTE = text(
    f"""
    WITH input AS (
        SELECT DISTINCT t.indicator_id, t.organization_id, t.period, o.territory_id, i.unit
        FROM unnest(:indicator_ids, :organization_ids, :periods)
            AS t(indicator_id, organization_id, period)
        JOIN api.indicator i ON i.id = t.indicator_id AND i.unit <> 'boolean'
        JOIN api.organization o ON o.id = t.organization_id
    ), bounded AS (
        SELECT i.indicator_id, i.organization_id, i.period, d.value,
               CASE WHEN b.found THEN b.lower WHEN i.unit = 'percent' THEN 0 END AS lower,
               CASE WHEN b.found THEN b.upper WHEN i.unit = 'percent' THEN 100 END AS upper
        FROM input i
        JOIN api.data_value d USING (indicator_id, organization_id, period)
        LEFT JOIN LATERAL (
            SELECT true AS found, b.lower, b.upper FROM api.outlier_bound b
            WHERE b.indicator_id = i.indicator_id
              AND (b.organization_id = i.organization_id OR b.organization_id IS NULL)
            ORDER BY b.organization_id NULLS LAST LIMIT 1
        ) b ON true
    ), grouped AS (
        SELECT d.indicator_id, d.organization_id, d.period, d.value, g.territory_id
        FROM (SELECT DISTINCT indicator_id, territory_id, period FROM input) g
        JOIN api.organization o ON o.territory_id = g.territory_id
        JOIN api.data_value d
            ON d.indicator_id = g.indicator_id AND d.organization_id = o.id
           AND d.period = g.period
    ), group_median AS (
        SELECT indicator_id, territory_id, period, count(*) AS n,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY value) AS median
        FROM grouped GROUP BY indicator_id, territory_id, period
        HAVING count(*) >= :territory_min
    ), group_spread AS (
        SELECT m.indicator_id, m.territory_id, m.period, m.n, m.median,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(v.value - m.median)) AS mad,
               avg(abs(v.value - m.median)) AS mean_ad
        FROM group_median m JOIN grouped v USING (indicator_id, territory_id, period)
        GROUP BY m.indicator_id, m.territory_id, m.period, m.n, m.median
    ), series AS (
        SELECT d.indicator_id, d.organization_id, d.period, d.value
        FROM (SELECT DISTINCT indicator_id, organization_id FROM input) s
        JOIN api.data_value d USING (indicator_id, organization_id)
    ), history AS (
        SELECT x.indicator_id, x.organization_id, x.period, x.value, h.value AS earlier
        FROM series x JOIN series h USING (indicator_id, organization_id)
        WHERE length(h.period) = length(x.period) AND h.period < x.period
    ), history_median AS (
        SELECT indicator_id, organization_id, period, value, count(*) AS n,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY earlier) AS median
        FROM history GROUP BY indicator_id, organization_id, period, value
        HAVING count(*) >= :history_min
    ), history_spread AS (
        SELECT m.indicator_id, m.organization_id, m.period, m.value, m.n, m.median,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(h.earlier - m.median)) AS mad,
               avg(abs(h.earlier - m.median)) AS mean_ad
        FROM history_median m JOIN history h USING (indicator_id, organization_id, period)
        GROUP BY m.indicator_id, m.organization_id, m.period, m.value, m.n, m.median
    ), scored AS (
        SELECT v.indicator_id, v.organization_id, v.period, 'territory_z' AS kind, v.value,
               NULL::float8 AS bound, s.median, s.n::int AS n, {_score("v.value", "s")} AS score
        FROM grouped v JOIN group_spread s USING (indicator_id, territory_id, period)
        UNION ALL
        SELECT s.indicator_id, s.organization_id, s.period, 'history_z', s.value,
               NULL, s.median, s.n::int, {_score("s.value", "s")}
        FROM history_spread s
    ), fresh AS (
        SELECT indicator_id, organization_id, period, 'min_max' AS kind, value,
               CASE WHEN value < lower THEN lower ELSE upper END AS bound,
               NULL::float8 AS median, NULL::int AS n, NULL::float8 AS score
        FROM bounded WHERE value < lower OR value > upper
        UNION ALL
        SELECT * FROM scored WHERE abs(score) > :threshold
    ), recomputed AS (
        SELECT indicator_id, organization_id, period, 'min_max' AS kind FROM input
        UNION ALL SELECT indicator_id, organization_id, period, 'territory_z' FROM grouped
        UNION ALL SELECT indicator_id, organization_id, period, 'history_z' FROM series
    ), cleared AS (
        DELETE FROM api.outlier_flag f USING recomputed r
        WHERE (f.indicator_id, f.organization_id, f.period, f.kind)
            = (r.indicator_id, r.organization_id, r.period, r.kind)
          AND NOT EXISTS (
            SELECT 1 FROM fresh n
            WHERE (n.indicator_id, n.organization_id, n.period, n.kind)
                = (f.indicator_id, f.organization_id, f.period, f.kind))
    ), kept AS (
        INSERT INTO api.outlier_flag AS f
            (indicator_id, organization_id, period, kind, value, bound, median, n, score)
        SELECT indicator_id, organization_id, period, kind, value, bound, median, n, score
        FROM fresh
        ON CONFLICT (indicator_id, organization_id, period, kind) DO UPDATE
            SET value = EXCLUDED.value, bound = EXCLUDED.bound, median = EXCLUDED.median,
                n = EXCLUDED.n, score = EXCLUDED.score, flagged_at = now()
            WHERE (f.value, f.bound, f.median, f.n, f.score) IS DISTINCT FROM
                  (EXCLUDED.value, EXCLUDED.bound, EXCLUDED.median, EXCLUDED.n, EXCLUDED.score)
    )
    SELECT f.indicator_id, f.organization_id, f.period, f.kind, f.value, f.bound, f.median,
           f.n, f.score
    FROM fresh f JOIN input i USING (indicator_id, organization_id, period)
    """  # noqa: S608 - only this module's constant SQL is interpolated
).bindparams(
    bindparam("indicator_ids", type_=ARRAY(Uuid)),
    bindparam("organization_ids", type_=ARRAY(Uuid)),
    bindparam("periods", type_=ARRAY(String)),
    bindparam("threshold", type_=Float),
    bindparam("territory_min", type_=Integer),
    bindparam("history_min", type_=Integer),
)
