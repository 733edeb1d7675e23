"""The roadmap report's decisions table judges a decision's effect on a later period only: a
decision taken on the report period's own value has no «стало» yet (it was compared with
itself: «без изменений»), and says so; the sheet «Решения» leaves «Стало» empty."""

import io
from datetime import date

from openpyxl import load_workbook

from services.reports.documents.gather import SAME_PERIOD
from services.reports.recommendations.models import Decision
from tests.reports.documents_world import (
    AS_OF,
    PERIOD,
    TRAINED,
    N,
    parse,
    recommendation,
    roadmap_with_indicators,
)


async def test_a_decision_on_the_report_period_s_value_is_not_judged_yet(
    api_client, reports_client, db, world
):
    roadmap = await roadmap_with_indicators(api_client, world)  # S2: 50 % in PERIOD
    rec = recommendation(
        world, "Составить план КПК школы", "organization_leader", world.s2.id,
        organization_id=world.s2.id,
    )  # fmt: skip
    db.add(rec)
    await db.flush()
    db.add(
        Decision(
            recommendation_id=rec.id, text="Курсы для школы 2", decided_on=date(2022, 6, 1),
            responsible="Управление", indicator_code="trained", scope_type="organization",
            scope_id=world.s2.id, period_before=PERIOD, value_before=50.0,
        )
    )  # fmt: skip
    await db.flush()
    path = f"/v1/reports/roadmaps/{roadmap['id']}"
    params = {"period": PERIOD, "as_of": AS_OF}
    answer = await reports_client.get(path, params=params, headers=world.headers("analyst"))
    assert answer.status_code == 200, answer.text
    [row] = parse(answer.text).tables["decisions"][1:]
    assert row[3:] == [TRAINED, "Школа 2", f"50,0{N}% → — (—)", SAME_PERIOD]

    sheet = await reports_client.get(
        path, params=params | {"format": "xlsx"}, headers=world.headers("analyst")
    )
    rows = list(load_workbook(io.BytesIO(sheet.content))["Решения"].iter_rows(values_only=True))
    said = dict(zip(rows[0], rows[1], strict=True))
    assert (said["Было"], said["Стало"], said["Оценка"]) == (50, None, SAME_PERIOD)
