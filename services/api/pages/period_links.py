"""The periods the values page links to («← 2020/2021», «2022/2023 →»): the nearest before and
after its own in which the scope's organizations have data the api holds (data values,
assessment results), so that a reader is never sent to an empty period. One query.
(Survey answers live in the surveys service: a period with answers only is not linked; the
page's default period, chosen from the values themselves, still finds it.)"""

import uuid

from sqlalchemy import ARRAY, Uuid, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.territories.scope import DbScopeResolver
from shared.default_period import around
from shared.identity import ScopeType
from shared.periods import Period, parse_period

_PERIODS = text(
    """
    SELECT DISTINCT period FROM api.data_value WHERE organization_id = ANY(:orgs)
    UNION
    SELECT DISTINCT year FROM api.assessment_result WHERE organization_id = ANY(:orgs)
    """
).bindparams(bindparam("orgs", type_=ARRAY(Uuid)))


async def period_links(
    session: AsyncSession, scope: tuple[str, uuid.UUID], period: Period
) -> tuple[str | None, str | None]:
    """The codes of the periods before and after `period` with data of the scope's
    organizations (a territory's, a cluster's or the school's own); None where there is none."""
    found = await DbScopeResolver(session).resolve(ScopeType(scope[0]), scope[1])
    codes = await session.scalars(_PERIODS, {"orgs": sorted(found.organization_ids)})
    periods = []
    for code in codes:
        try:
            periods.append(parse_period(code))
        except ValueError:  # a free-text period of a data value: no link to it
            continue
    return around(period, periods)
