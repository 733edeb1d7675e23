"""The demo's data collection: the district's monitoring of the earlier of the demo's two
completed school years (services/demo/years.py), its window in that year's late spring, its due
date long past (more than a year before `today`). The schools have reported its indicators (the
demo's values); the two kindergartens and the centre, asked too, have not: they are the late
ones the analyst's home lists. Three schools have submitted their data, the first of them
approved; the demo leader's school (Гимназия № 1) has not, so its leader can. The values were
stored as the demo loaded, after the due date: their timeliness is 0 %.
"""

from typing import Any

import httpx

from shared.periods import parse_period
from shared.templating import natural_key

CODES = ["e_planning_used", "internal_quality_system", "assessment_local_act", "teachers_count"]
SUBMITTED, APPROVED = (1, 2, 3), 1  # schools in natural order: Лицей № 2, СОШ № 3, СОШ № 4


async def load_collection(
    client: httpx.AsyncClient, district_id: str, organizations: list[dict[str, Any]], period: str
) -> None:
    """Create the collection of the school year `period` (one that is over) and take its
    approval steps as the administrator (`client`)."""
    end = parse_period(period).end.year  # the school year's second calendar year
    window = {"period": period, "opens_date": f"{end}-05-15", "due_date": f"{end}-06-10"}
    body = {
        "name": f"Мониторинг ВСОКО за {period} учебный год",
        "owner_territory_id": district_id,
        "organization_kinds": ["school", "kindergarten", "additional"],
        "indicator_codes": CODES,
        "windows": [window],
    }
    answer = await client.post("/v1/collections", json=body)
    if answer.status_code != 201:
        raise RuntimeError(
            f"demo: POST /v1/collections answered {answer.status_code}: {answer.text}"
        )
    path = f"/v1/collections/{answer.json()['id']}/approvals"
    schools = sorted(
        (o for o in organizations if o["kind"] == "school"), key=lambda o: natural_key(o["name"])
    )
    steps = [(i, "submit") for i in SUBMITTED] + [(APPROVED, "approve")]
    for index, action in steps:
        step = {"organization_id": schools[index]["id"], "period": period}
        answer = await client.post(f"{path}/{action}", json=step)
        if answer.status_code != 200:
            raise RuntimeError(f"demo: {action} answered {answer.status_code}: {answer.text}")
