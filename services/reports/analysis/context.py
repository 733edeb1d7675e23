"""The social context index of schools (индекс социального благополучия школы, ИСБШ) and the
schools in unfavourable social conditions (ШНСУ), from the organizations' context data.

Method (ours; the components, directions and weights are data: context_components.json):
1. Each component's value per school from its context data (api `OrganizationContext`): a
   percent as posted, a count over the students × 100, or a yes/no flag (1 yes, 0 no).
2. Standardised within the territory: z = (value − mean) / SD over the territory's schools that
   have it (population SD); SD 0 → z 0 for all.
3. Signed by its direction (an unfavourable component counts negatively), so that a higher
   index is a more favourable context; index = Σ weight × sign × z / Σ weight.
4. Missing data are said, not guessed: a component no school of the territory has is left out
   for all (and said in `notes`); a school missing any other component has no index.
5. Groups by the territory's percentiles of the index (continuous, as PostgreSQL
   `percentile_cont`): index ≤ the `context_quartile` percentile → `unfavourable` (ШНСУ),
   ≥ the (100 − `context_quartile`) percentile → `favourable`, else `middle`; when the two
   percentiles are equal (every index alike) all are `middle`.
Only organizations of kind `school` are indexed.
"""

import json
import uuid
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import ARRAY, Uuid, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.analysis.thresholds import Thresholds

COMPONENTS = Path(__file__).with_name("context_components.json")
SD_ZERO = 1e-9  # a population SD below this is 0 (every school alike)

_INDEX = text(
    """
    WITH component AS (
        SELECT * FROM jsonb_to_recordset(CAST(:components AS jsonb))
            AS c(code text, field text, per text, flag boolean, sign float8, weight float8)
    ), base AS (
        SELECT o.id, c.code, c.sign, c.weight,
            CASE
                WHEN c.flag THEN CASE WHEN jsonb_typeof(o.context -> c.field) = 'boolean'
                    THEN CASE WHEN (o.context ->> c.field)::boolean THEN 1.0 ELSE 0.0 END END
                WHEN c.per IS NOT NULL THEN CASE
                    WHEN jsonb_typeof(o.context -> c.field) = 'number'
                     AND jsonb_typeof(o.context -> c.per) = 'number'
                     AND (o.context ->> c.per)::float8 > 0
                    THEN (o.context ->> c.field)::float8 / (o.context ->> c.per)::float8 * 100
                END
                WHEN jsonb_typeof(o.context -> c.field) = 'number'
                    THEN (o.context ->> c.field)::float8
            END AS value
        FROM reports.fact_organization o CROSS JOIN component c
        WHERE o.id = ANY(:orgs) AND o.kind = 'school'
    ), standardised AS (
        SELECT *, count(value) OVER per_code AS n,
            CASE WHEN value IS NULL THEN NULL
                 WHEN coalesce(stddev_pop(value) OVER per_code, 0) < :sd_zero THEN 0.0
                 ELSE (value - avg(value) OVER per_code) / stddev_pop(value) OVER per_code
            END AS z
        FROM base WINDOW per_code AS (PARTITION BY code)
    ), indexed AS (
        SELECT *,
            CASE WHEN bool_and(value IS NOT NULL) FILTER (WHERE n > 0) OVER per_school
                THEN sum(weight * sign * z) FILTER (WHERE n > 0) OVER per_school
                     / nullif(sum(weight) FILTER (WHERE n > 0) OVER per_school, 0)
            END AS index
        FROM standardised WINDOW per_school AS (PARTITION BY id)
    ), cut AS (
        SELECT percentile_cont(:low) WITHIN GROUP (ORDER BY index) AS low,
               percentile_cont(:high) WITHIN GROUP (ORDER BY index) AS high
        FROM (SELECT DISTINCT id, index FROM indexed WHERE index IS NOT NULL) AS s
    )
    SELECT i.id, i.code, i.value, i.z, i.n, i.index, cut.low, cut.high
    FROM indexed i CROSS JOIN cut ORDER BY i.id, i.code
    """
).bindparams(bindparam("orgs", type_=ARRAY(Uuid)))


@cache
def components() -> list[dict[str, Any]]:
    """The index's components as context_components.json gives them: {code, name, field,
    per?, flag?, direction 'favourable'|'unfavourable', weight, source}."""
    return json.loads(COMPONENTS.read_text(encoding="utf-8"))["components"]


def _group(index: float | None, low: float | None, high: float | None) -> str | None:
    if index is None or low is None or high is None:
        return None
    if high - low < SD_ZERO:
        return "middle"
    if index <= low:
        return "unfavourable"
    return "favourable" if index >= high else "middle"


async def context_index(
    session: AsyncSession, organizations: list[uuid.UUID], t: Thresholds
) -> dict[str, Any]:
    """The index of every school among `organizations` (see the module's method):
    `{items: [{organization_id, index, group 'unfavourable'|'middle'|'favourable'|None,
    components: {code: {value, standardised}}, missing: [codes]}], components: [{code, name,
    weight, direction}], notes: [Russian text]}`. A value is a percent 0–100 (a flag 1 or 0),
    `standardised` and `index` are in SDs (index rounded to 3 places); a school missing a
    component has index and group None and the component in `missing`."""
    spec = components()
    quartile = t.context_quartile / 100
    rows = await session.execute(
        _INDEX,
        {
            "components": json.dumps(
                [
                    {
                        "code": c["code"],
                        "field": c["field"],
                        "per": c.get("per"),
                        "flag": bool(c.get("flag")),
                        "sign": 1 if c["direction"] == "favourable" else -1,
                        "weight": c["weight"],
                    }
                    for c in spec
                ]
            ),
            "orgs": organizations,
            "sd_zero": SD_ZERO,
            "low": quartile,
            "high": 1 - quartile,
        },
    )
    items: dict[uuid.UUID, dict[str, Any]] = {}
    present: set[str] = set()
    for row in rows:
        item = items.setdefault(
            row.id,
            {
                "organization_id": row.id,
                "index": None if row.index is None else round(row.index, 3),
                "group": _group(row.index, row.low, row.high),
                "components": {},
                "missing": [],
            },
        )
        if not row.n:
            continue
        present.add(row.code)
        item["components"][row.code] = {
            "value": None if row.value is None else round(row.value, 2),
            "standardised": None if row.z is None else round(row.z, 3),
        }
        if row.value is None:
            item["missing"].append(row.code)
    used = [c for c in spec if c["code"] in present]
    absent = [f"«{c['name']}»" for c in spec if c["code"] not in present]
    notes = []
    if absent and items:
        notes.append(
            "Не учтены (ни у одной школы территории нет этих данных): " + ", ".join(absent)
        )
    incomplete = sum(1 for item in items.values() if item["missing"])
    if incomplete:
        notes.append(
            f"Школ без индекса из-за недостающих контекстных данных: {incomplete} "
            "(у каждой из них названо, каких данных не хватает)"
        )
    if not items:
        notes.append("На территории нет школ: индекс не рассчитан")
    return {
        "items": list(items.values()),
        "components": [{k: c[k] for k in ("code", "name", "weight", "direction")} for c in used],
        "notes": notes,
    }
