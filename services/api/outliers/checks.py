"""The outlier checks in SQL: which stored values are flagged now, recomputed for a set of them.

`RECOMPUTE` takes the keys of stored data values as three arrays and, in one statement,
recomputes the flags of every value those keys can change, writes what changed to
`api.outlier_flag`, and returns the flags of the keys given. With `:only_written` only the values
written by the current transaction (`updated_at = now()`: the import's upsert stamps new and
changed rows so and leaves unchanged ones as they were) are taken as changed; the flags of the
others are returned as stored, so posting the same values again costs a look-up. The checks:

- `min_max`: the value against the bound in force for its organization: its own bound, else the
  indicator's global one, else (a percent indicator) 0–100. The whole bound row applies: an
  organization's bound with an open side leaves that side open even where the global one is set.
- `territory_z`: the modified z-score (Iglewicz & Hoaglin) of the value among the values of the
  same indicator and period of the organizations of its territory (the organization's own
  territory; the value itself included), M = 0.6745·(x − median)/MAD, MAD the median absolute
  deviation from the median. Recomputed for the whole (indicator, territory, period) group of
  every key given: another school's value moves the median, so every flag of the group. Not
  for counts (unit `count`: pupils, teachers, participants): they grow with the school, so a
  town school's figures are far from its village neighbours' without being wrong (a
  recomputed group of a count clears any such flag); a count is judged against its own
  history and its bounds only.
- `history_z`: the same score of the value against its organization's earlier periods of the
  same kind (the value itself not among them). Recomputed for the periods of the
  (indicator, organization) series from the earliest key given on: a corrected year changes the
  later years' history.

An organization not open in the period (closed before it began, opened after it ended:
`opened_on`, `closed_on`; `open_in`) is left out of its territory's comparison: its value is
neither in the group's median nor scored against it (a flag it had there is cleared when the
group is recomputed); its own history still judges it. A change of its dates recomputes the
groups of its values (organizations/service.py); so does a move to another territory, with the
groups it left.

When MAD is 0 (more than half the sample equal), the spread is the mean absolute deviation
instead, M = (x − median)/(1.253314·MeanAD) (IBM SPSS's modified z-score); when that is 0 too
(all equal) there is no score and no flag. A check needs `:territory_min` values in the group
and `:history_min` earlier periods; yes/no indicators are not checked.
"""

import functools

from sqlalchemy import ARRAY, Boolean, Float, Integer, String, Uuid, bindparam, text
from sqlalchemy.sql.elements import TextClause


def _score(value: str, spread: str) -> str:
    """The modified z-score of `value` against the `spread` CTE's median, mad and mean_ad."""
    return f"""CASE WHEN {spread}.mad > 0 THEN 0.6745 * ({value} - {spread}.median) / {spread}.mad
            WHEN {spread}.mean_ad > 0
            THEN ({value} - {spread}.median) / (1.253314 * {spread}.mean_ad) END"""


def open_in(organization: str, period: str) -> str:
    """SQL: whether the organization (a row alias with `opened_on`, `closed_on`) was open some
    day of the period (`period`: an SQL text expression holding a valid period code, as
    shared.periods spells them: 2021/2022 from 1 September, 2022, 2022Q3, 2022-09). Written
    without braces: it is formatted into `_RECOMPUTE`."""
    start = f"""(CASE length({period})
            WHEN 9 THEN make_date(left({period}, 4)::int, 9, 1)
            WHEN 6 THEN make_date(left({period}, 4)::int, 3 * right({period}, 1)::int - 2, 1)
            WHEN 7 THEN make_date(left({period}, 4)::int, right({period}, 2)::int, 1)
            ELSE make_date(left({period}, 4)::int, 1, 1) END)"""
    span = f"""(CASE length({period}) WHEN 6 THEN interval '3 months'
            WHEN 7 THEN interval '1 month' ELSE interval '1 year' END)"""
    return (
        f"(({organization}.closed_on IS NULL OR {organization}.closed_on >= {start}) "
        f"AND ({organization}.opened_on IS NULL OR {organization}.opened_on < {start} + {span}))"
    )


def _spread(medians: str, sample: str) -> str:
    """The rows of the `medians` CTE with the MAD and the mean absolute deviation of their
    `sample` (an array) from their `median`."""
    return f"""
        SELECT m.*, s.mad, s.mean_ad
        FROM {medians} m, LATERAL (
            SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(x - m.median)) AS mad,
                   avg(abs(x - m.median)) AS mean_ad
            FROM unnest(m.{sample}) AS x) s"""  # noqa: S608 - constant SQL of this module


_RECOMPUTE = f"""
    WITH given AS ({{given}}
    ), input AS (  -- the values to check: of numeric indicators, written now if asked
        SELECT g.indicator_id, g.organization_id, g.period, g.value, o.territory_id, i.unit
        FROM {{written}}
        JOIN api.indicator i ON i.id = g.indicator_id AND i.unit <> 'boolean'
        JOIN api.organization o ON o.id = g.organization_id
    ), bounded AS MATERIALIZED (  -- the bound in force: the organization's, global, implicit
        SELECT i.indicator_id, i.organization_id, i.period, i.value,
               CASE WHEN own.id IS NOT NULL THEN own.lower WHEN every.id IS NOT NULL
                    THEN every.lower WHEN i.unit = 'percent' THEN 0 END AS lower,
               CASE WHEN own.id IS NOT NULL THEN own.upper WHEN every.id IS NOT NULL
                    THEN every.upper WHEN i.unit = 'percent' THEN 100 END AS upper
        FROM input i
        LEFT JOIN api.outlier_bound own
            ON own.indicator_id = i.indicator_id AND own.organization_id = i.organization_id
        LEFT JOIN api.outlier_bound every
            ON every.indicator_id = i.indicator_id AND every.organization_id IS NULL
    ), grouped AS (  -- the values of each organization's period read at once (OFFSET 0: so
        -- planned, not once per indicator), those of the indicators checked kept; `is_open`:
        -- the organization was open in the period (only those are compared)
        SELECT d.indicator_id, d.organization_id, d.period, d.value, d.territory_id, g.unit,
               d.is_open
        FROM (
            SELECT d.indicator_id, d.organization_id, d.period, d.value, o.territory_id, o.is_open
            FROM (SELECT DISTINCT o.id, t.territory_id, t.period,
                         {open_in("o", "t.period")} AS is_open
                  FROM (SELECT DISTINCT territory_id, period FROM input) t
                  JOIN api.organization o ON o.territory_id = t.territory_id) o
            JOIN api.data_value d ON d.organization_id = o.id AND d.period = o.period
            OFFSET 0) d
        JOIN (SELECT DISTINCT indicator_id, territory_id, period, unit FROM input) g
            ON g.indicator_id = d.indicator_id AND g.territory_id = d.territory_id
           AND g.period = d.period
    ), group_median AS MATERIALIZED (  -- counts grow with a school's size: not compared
        SELECT indicator_id, territory_id, period, count(*) AS n,
               percentile_cont(0.5) WITHIN GROUP (ORDER BY value) AS median,
               array_agg(organization_id) AS organization_ids, array_agg(value) AS vals
        FROM grouped WHERE unit <> 'count' AND is_open
        GROUP BY indicator_id, territory_id, period
        HAVING count(*) >= :territory_min
    ), group_spread AS MATERIALIZED ({_spread("group_median", "vals")}
    ), touched AS (  -- per series and kind of period (its code's length), the earliest given
        SELECT indicator_id, organization_id, length(period) AS kind, min(period) AS since
        FROM input GROUP BY indicator_id, organization_id, length(period)
    ), series AS MATERIALIZED (  -- each (indicator, organization, kind) series, by period
        SELECT indicator_id, organization_id, min(since) AS since,
               array_agg(period) AS periods, array_agg(value) AS vals
        FROM (  -- sorted once here (an aggregate's own ORDER BY sorts each series apart)
            SELECT d.indicator_id, d.organization_id, t.kind, t.since, d.period, d.value
            FROM touched t
            JOIN api.data_value d
                ON d.indicator_id = t.indicator_id AND d.organization_id = t.organization_id
               AND length(d.period) = t.kind
            ORDER BY d.indicator_id, d.organization_id, t.kind, d.period) v
        GROUP BY indicator_id, organization_id, kind
    ), history_spread AS MATERIALIZED (  -- each value from the earliest given on: its history
        SELECT s.indicator_id, s.organization_id, x.period, x.value, x.at - 1 AS n, m.median,
               sp.mad, sp.mean_ad
        FROM series s,
             unnest(s.periods, s.vals) WITH ORDINALITY AS x(period, value, at),
             LATERAL (
                SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY e) AS median
                FROM unnest(s.vals[1:x.at - 1]) AS e) m,
             LATERAL (
                SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY abs(e - m.median)) AS mad,
                       avg(abs(e - m.median)) AS mean_ad
                FROM unnest(s.vals[1:x.at - 1]) AS e) sp
        WHERE x.period >= s.since AND x.at > :history_min
    ), scored AS (
        SELECT s.indicator_id, v.organization_id, s.period, 'territory_z' AS kind, v.value,
               NULL::float8 AS bound, s.median, s.n::int AS n, {_score("v.value", "s")} AS score
        FROM group_spread s, unnest(s.organization_ids, s.vals) AS v(organization_id, value)
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
        UNION ALL SELECT s.indicator_id, s.organization_id, x.period, 'history_z'
        FROM series s, unnest(s.periods) AS x(period) WHERE x.period >= s.since
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
        FROM fresh ORDER BY indicator_id, organization_id, period, kind  -- key order
        ON CONFLICT (indicator_id, organization_id, period, kind) DO UPDATE
            SET value = EXCLUDED.value, bound = EXCLUDED.bound, median = EXCLUDED.median,
                n = EXCLUDED.n, score = EXCLUDED.score, flagged_at = now()
            WHERE (f.value, f.bound, f.median, f.n, f.score) IS DISTINCT FROM
                  (EXCLUDED.value, EXCLUDED.bound, EXCLUDED.median, EXCLUDED.n, EXCLUDED.score)
    )
    SELECT f.indicator_id, f.organization_id, f.period, f.kind, f.value, f.bound, f.median,
           f.n, f.score
    FROM fresh f JOIN given USING (indicator_id, organization_id, period)
    UNION ALL  -- the flags of the values given that were not recomputed, as stored
    SELECT f.indicator_id, f.organization_id, f.period, f.kind, f.value, f.bound, f.median,
           f.n, f.score
    FROM api.outlier_flag f JOIN given USING (indicator_id, organization_id, period)
    WHERE NOT EXISTS (
        SELECT 1 FROM recomputed r
        WHERE (r.indicator_id, r.organization_id, r.period, r.kind)
            = (f.indicator_id, f.organization_id, f.period, f.kind))
    """  # noqa: S608 - only this module's constant SQL is interpolated
_GIVEN = """
        SELECT * FROM unnest(:indicator_ids, :organization_ids, :periods)
            AS t(indicator_id, organization_id, period)"""
# The values given as stored (`g`: the key and value); with `:only_written`, those the current
# transaction wrote (`updated_at = now()`: the import's upsert stamps new and changed rows so).
_STORED = """(
            SELECT t.indicator_id, t.organization_id, t.period, d.value
            FROM ({given}) t
            JOIN api.data_value d USING (indicator_id, organization_id, period)
            WHERE NOT :only_written OR d.updated_at = now()) g"""
_KEYS = (
    bindparam("indicator_ids", type_=ARRAY(Uuid)),
    bindparam("organization_ids", type_=ARRAY(Uuid)),
    bindparam("periods", type_=ARRAY(String)),
)
_SETTINGS = (
    bindparam("only_written", type_=Boolean),
    bindparam("threshold", type_=Float),
    bindparam("territory_min", type_=Integer),
    bindparam("history_min", type_=Integer),
)
RECOMPUTE = text(
    _RECOMPUTE.format(given=_GIVEN, written=_STORED.format(given="SELECT * FROM given"))
).bindparams(*_KEYS, *_SETTINGS)

# Imports of one territory's schools may recompute the same group's flags at once: each takes
# the groups it touches in one order (transaction-level advisory locks, released at commit),
# so that their writes of the same flag rows queue instead of deadlocking (with
# `:only_written`, the groups of the values the transaction wrote: unchanged ones lock nothing).
# Before them, each territory of those values is taken shared: a move of a school in or out of
# it (or a change of its open dates), which changes who is in its groups, takes the territory
# exclusive (`LOCK_TERRITORIES`) before it reads which groups to recompute, so a recomputation
# never runs with the school in one territory and commits after the move has recomputed the
# groups without it (an import's first values of a group the moving school alone had were not
# yet seen by the move, and kept the school in the import's median). Shared before groups, in
# one order: imports never wait on each other for a territory.
_LOCK_GROUPS = """
    WITH w AS MATERIALIZED (
        SELECT DISTINCT o.territory_id, g.indicator_id, g.period
        FROM {written}
        JOIN api.organization o ON o.id = g.organization_id
    )
    SELECT count(CASE WHEN territory THEN pg_advisory_xact_lock_shared(k)
                      ELSE pg_advisory_xact_lock(k) END)
    FROM (
        SELECT DISTINCT true AS territory,
               hashtextextended('outliers-territory:' || territory_id, 0) AS k
        FROM w
        UNION ALL
        SELECT false, hashtextextended(
            'outliers:' || indicator_id || ':' || territory_id || ':' || period, 0)
        FROM w
        ORDER BY territory DESC, k
    ) locks
    """
LOCK_TERRITORIES = text(
    """
    SELECT count(pg_advisory_xact_lock(k)) FROM (
        SELECT DISTINCT hashtextextended('outliers-territory:' || t, 0) AS k
        FROM unnest(CAST(:territory_ids AS uuid[])) AS t
        ORDER BY k
    ) territories
    """
)
LOCK_GROUPS = text(_LOCK_GROUPS.format(written=_STORED.format(given=_GIVEN))).bindparams(
    *_KEYS, _SETTINGS[0]
)


@functools.cache
def staged(table: str, written: str) -> tuple[TextClause, TextClause]:
    """`LOCK_GROUPS` and `RECOMPUTE` with `:only_written` whose keys are the rows of a table of
    the session (indicator_id, organization_id, period, each key once: an import's copy of its
    rows) instead of three arrays, and the values the transaction wrote those of another
    (indicator_id, organization_id, period, value: the rows its upsert wrote, a subset of
    `table`'s) instead of `updated_at = now()` over `api.data_value`, which the planner
    estimates at a row or two (every later join then planned as a loop). Constant SQL only."""
    given = f"SELECT indicator_id, organization_id, period FROM {table}"  # noqa: S608
    rows = f"{written} g"
    return (
        text(_LOCK_GROUPS.format(written=rows)),
        text(_RECOMPUTE.format(given=given, written=rows)).bindparams(*_SETTINGS[1:]),
    )


# The flags of the values given as stored (an import that changed no value recomputes nothing).
STORED_FLAGS = text(
    """
    SELECT f.indicator_id, f.organization_id, f.period, f.kind, f.value, f.bound, f.median,
           f.n, f.score
    FROM unnest(:indicator_ids, :organization_ids, :periods)
        AS t(indicator_id, organization_id, period)
    JOIN api.outlier_flag f USING (indicator_id, organization_id, period)
    """
).bindparams(
    bindparam("indicator_ids", type_=ARRAY(Uuid)),
    bindparam("organization_ids", type_=ARRAY(Uuid)),
    bindparam("periods", type_=ARRAY(String)),
)
