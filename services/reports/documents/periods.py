"""The periods a document links to: the nearest before and after its own in which its
organizations have data (data values, assessment results, survey answers), so that a reader is
never sent to an empty period.

One query over the reports service's facts per document.
"""

import uuid
from collections.abc import Iterable

from sqlalchemy import ARRAY, Uuid, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.periods import Period, around, parse_period

_PERIODS = text(
    """
    SELECT period FROM reports.fact_data_value WHERE organization_id = ANY(:orgs)
    UNION
    SELECT year FROM reports.fact_assessment_result WHERE organization_id = ANY(:orgs)
    UNION
    SELECT c.period FROM reports.fact_campaign c
    JOIN reports.fact_answer_tally t ON t.campaign_id = c.id
    WHERE t.organization_id = ANY(:orgs)
    """
).bindparams(bindparam("orgs", type_=ARRAY(Uuid)))


async def periods_with_data(
    session: AsyncSession, organization_ids: Iterable[uuid.UUID]
) -> list[Period]:
    """Every period in which one of the organizations has a data value, an assessment result
    or a survey answer (codes that no longer parse are left out)."""
    codes = await session.scalars(_PERIODS, {"orgs": sorted(set(organization_ids))})
    found = []
    for code in codes:
        try:
            found.append(parse_period(code))
        except ValueError:
            continue
    return found


async def other_periods(
    session: AsyncSession, organization_ids: Iterable[uuid.UUID], period: Period
) -> tuple[str | None, str | None]:
    """`around` the document's period, among the periods its organizations have data in."""
    return around(period, await periods_with_data(session, organization_ids))
