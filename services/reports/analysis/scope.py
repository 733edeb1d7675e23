"""What every analysis endpoint reads first: the assessment year asked, and the organizations of
the territory asked, as the caller may see them."""

import uuid
from typing import Annotated

from fastapi import Depends

from shared.errors import Invalid
from shared.identity import Principal, ScopeType
from shared.periods import Period, period_query
from shared.scope import ScopeResolver, ensure_in_scope

_year_period = period_query("year", description="An academic year (2021/2022) or a year (2022)")


def assessment_year(period: Annotated[Period, Depends(_year_period)]) -> Period:
    """The query's `year`: an academic year (2021/2022) or a calendar year (2022), as the
    assessment results store it; a quarter, a month or a malformed code is a 422 naming
    `query.year`."""
    if period.kind not in ("academic_year", "year"):
        raise Invalid.at("year", "Ожидается учебный год (2021/2022) или год (2022)", where="query")
    return period


YearQuery = Annotated[Period, Depends(assessment_year)]


async def territory_organizations(
    principal: Principal, resolver: ScopeResolver, territory_id: uuid.UUID
) -> list[uuid.UUID]:
    """The organizations of the territory (and the territories under it), sorted; NotFound
    (404) for a territory outside the caller's scope."""
    scope = await ensure_in_scope(principal, resolver, ScopeType.territory, territory_id)
    return sorted(scope.organization_ids)
