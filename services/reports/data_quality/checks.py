"""The current validation violations and outlier flags of organizations for a period, from the
facts (`fact_validation_violation` with `fact_validation_rule`, `fact_outlier_flag`, names from
`fact_organization` and `fact_indicator`): one query each, ordered by the organization's name in
natural order (№ 2 before № 10), then the most important rule or the indicator.

The report's data-quality parts and the `data_quality` recommendation read them; what a
"flagged value" is for indicator values (`FLAGGED_VALUES`) is said once here too.
"""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import ARRAY, Uuid, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.templating import natural_key

IMPORTANCE_ORDER = {"high": 0, "medium": 1, "low": 2}
CHECK_ORDER = {"min_max": 0, "territory_z": 1, "history_z": 2}

# The data values flagged now, as (indicator_id, organization_id, period) with the period's
# values: one an outlier check flags, or one a broken rule reads (a rule's violation concerns
# every value of the indicators its two sides name, for that organization and period). SQL of
# a subquery over the facts; the caller joins it.
FLAGGED_VALUES = """(
    SELECT f.indicator_id, f.organization_id, f.period FROM reports.fact_outlier_flag f
    UNION
    SELECT i.id, v.organization_id, v.period
    FROM reports.fact_validation_violation v
    JOIN reports.fact_validation_rule r ON r.id = v.rule_id AND r.active
    JOIN reports.fact_indicator i ON i.code = ANY(r.indicator_codes)
)"""

_VIOLATIONS = text(
    """
    SELECT v.organization_id, coalesce(o.name, '—') AS organization,
           coalesce(r.code, '') AS code, coalesce(r.expression, '') AS expression,
           coalesce(r.message, '') AS message, coalesce(r.importance, 'medium') AS importance,
           v.left_value, v.right_value,
           ARRAY(SELECT i.code || '=' || coalesce(i.name, i.code) FROM reports.fact_indicator i
                 WHERE i.code = ANY(r.indicator_codes) ORDER BY i.code) AS names
    FROM reports.fact_validation_violation v
    JOIN reports.fact_validation_rule r ON r.id = v.rule_id AND r.active
    JOIN reports.fact_organization o ON o.id = v.organization_id
    WHERE v.organization_id = ANY(:orgs) AND v.period = :period
    """
).bindparams(bindparam("orgs", type_=ARRAY(Uuid)))

_FLAGS = text(
    """
    SELECT f.organization_id, coalesce(o.name, '—') AS organization,
           i.code AS indicator_code, coalesce(i.name, i.code) AS indicator,
           coalesce(i.unit, 'number') AS unit, f.kind, f.value, f.bound, f.median, f.n, f.score
    FROM reports.fact_outlier_flag f
    JOIN reports.fact_organization o ON o.id = f.organization_id
    JOIN reports.fact_indicator i ON i.id = f.indicator_id
    WHERE f.organization_id = ANY(:orgs) AND f.period = :period
    """
).bindparams(bindparam("orgs", type_=ARRAY(Uuid)))


@dataclass(frozen=True)
class Violation:
    """A rule the values of one organization break now, with both sides' values (None: past
    what a double holds)."""

    organization_id: uuid.UUID
    organization: str
    code: str
    expression: str  # `left operator right` as written
    message: str  # Russian
    importance: str  # high | medium | low
    left_value: float | None
    right_value: float | None
    # The names of the indicators the rule reads, by code (`shared.rule_words`).
    names: Mapping[str, str] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Flag:
    """A value one outlier check flags now: `kind` min_max (`bound` the bound crossed),
    territory_z or history_z (`median`, `n` values compared, the modified z-`score`)."""

    organization_id: uuid.UUID
    organization: str
    indicator_code: str
    indicator: str
    unit: str
    kind: str
    value: float
    bound: float | None
    median: float | None
    n: int | None
    score: float | None

    @property
    def side(self) -> str | None:
        """min_max: "below" or "above" the bound crossed; None for the statistical checks."""
        if self.kind != "min_max" or self.bound is None:
            return None
        return "below" if self.value < self.bound else "above"


def _school_key(organization: str, organization_id: uuid.UUID) -> tuple:
    return (natural_key(organization), str(organization_id))


async def violations(
    session: AsyncSession, organization_ids: Sequence[uuid.UUID], period: str
) -> list[Violation]:
    """The current violations of the organizations for the period, by organization (natural
    order of names), then importance (high first), then rule code."""
    rows = await session.execute(_VIOLATIONS, {"orgs": sorted(organization_ids), "period": period})
    return sorted(
        (
            Violation(**dict(r._mapping) | {"names": dict(n.split("=", 1) for n in r.names)})
            for r in rows
        ),
        key=lambda v: (
            _school_key(v.organization, v.organization_id),
            IMPORTANCE_ORDER.get(v.importance, 9),
            v.code,
        ),
    )


async def flags(
    session: AsyncSession, organization_ids: Sequence[uuid.UUID], period: str
) -> list[Flag]:
    """The current outlier flags of the organizations' values for the period, by organization
    (natural order of names), then indicator name, then check (bounds first)."""
    rows = await session.execute(_FLAGS, {"orgs": sorted(organization_ids), "period": period})
    return sorted(
        (Flag(**r._mapping) for r in rows),
        key=lambda f: (
            _school_key(f.organization, f.organization_id),
            natural_key(f.indicator),
            CHECK_ORDER.get(f.kind, 9),
        ),
    )
