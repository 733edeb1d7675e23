"""The periods a document links to: the nearest before and after its own in which its
organizations have data (data values, assessment results, survey answers), so that a reader is
never sent to an empty period; in the published view (`approved_only`) a data value counts only
approved (as `indicator_values/methods/data_value.py` counts it).

One query over the reports service's facts per document.
"""

import uuid
from collections.abc import Iterable

from sqlalchemy import ARRAY, Uuid, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.default_period import around
from shared.periods import Period, parse_period

_PERIODS = text(
    """
    SELECT v.period FROM reports.fact_data_value v
    WHERE v.organization_id = ANY(:orgs) AND (NOT :approved_only OR EXISTS (
        SELECT 1 FROM reports.fact_collection_approval a
        JOIN reports.fact_collection c ON c.id = a.collection_id
        WHERE a.status = 'approved' AND a.organization_id = v.organization_id
          AND a.period = v.period AND v.indicator_id = ANY(c.indicator_ids)))
    UNION
    SELECT year FROM reports.fact_assessment_result WHERE organization_id = ANY(:orgs)
    UNION
    SELECT c.period FROM reports.fact_campaign c
    JOIN reports.fact_answer_tally t ON t.campaign_id = c.id
    WHERE t.organization_id = ANY(:orgs)
    """
).bindparams(bindparam("orgs", type_=ARRAY(Uuid)))


async def periods_with_data(
    session: AsyncSession, organization_ids: Iterable[uuid.UUID], *, approved_only: bool = False
) -> list[Period]:
    """Every period in which one of the organizations has a data value (an approved one when
    `approved_only`), an assessment result or a survey answer (codes that no longer parse are
    left out)."""
    orgs = sorted(set(organization_ids))
    codes = await session.scalars(_PERIODS, {"orgs": orgs, "approved_only": approved_only})
    found = []
    for code in codes:
        try:
            found.append(parse_period(code))
        except ValueError:
            continue
    return found


async def other_periods(
    session: AsyncSession,
    organization_ids: Iterable[uuid.UUID],
    period: Period,
    *,
    approved_only: bool = False,
) -> tuple[str | None, str | None]:
    """`around` the document's period, among the periods its organizations have data in (the
    published view's: `approved_only`)."""
    found = await periods_with_data(session, organization_ids, approved_only=approved_only)
    return around(period, found)
