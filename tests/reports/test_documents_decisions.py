"""The roadmap report's decisions table judges a decision's effect on a later period only: a
decision taken on the report period's own value has no «стало» yet (it was compared with
itself: «без изменений»), and says so; the sheet «Решения» leaves «Стало» empty. Nor is one
whose value before and now are not comparable (too few schools in either)."""

import io
from datetime import date

from openpyxl import load_workbook

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

SAME_PERIOD = "оценить пока нельзя: решение принято по значению этого периода"

EARLIER = "2020/2021"


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


async def test_a_decision_on_a_value_of_too_few_schools_is_not_judged(
    api_client, reports_client, db, world
):
    """The district's 65 % of 2021/2022 (S1 and S2, 2 of 2) against the value a decision was
    taken on: judged when that was of most schools too, not when of one school of three."""
    roadmap = await roadmap_with_indicators(api_client, world)
    path = f"/v1/reports/roadmaps/{roadmap['id']}"
    params = {"period": PERIOD, "as_of": AS_OF}
    for n, (text, reporting, total) in enumerate((("Сетевые курсы", 2, 2), ("Курсы", 1, 3))):
        rec = recommendation(world, f"Рекомендация {n}", "authority", world.m1.id, period=EARLIER)
        db.add(rec)
        await db.flush()
        db.add(
            Decision(
                recommendation_id=rec.id, text=text, decided_on=date(2021, 6, 1),
                responsible="Управление", indicator_code="trained", scope_type="territory",
                scope_id=world.m1.id, period_before=EARLIER, value_before=57.5,
                coverage_before={"organizations_reporting": reporting, "organizations": total},
            )
        )  # fmt: skip
        await db.flush()
        answer = await reports_client.get(path, params=params, headers=world.headers("analyst"))
        assert answer.status_code == 200, answer.text
        rows = {r[0]: r for r in parse(answer.text).tables["decisions"][1:]}
        if total == 2:
            assert rows[text][5:] == [f"57,5{N}% → 65,0{N}% (+7,5{N}п.п.)", "улучшение"]
            continue
        assert rows[text][5:] == [
            f"57,5{N}% → 65,0{N}% (не оценивается)",
            f"оценить нельзя: значения несопоставимы: за {EARLIER} — по 1 из 3 организаций, "
            f"за {PERIOD} — по 2 из 2 (сравниваются значения не менее чем по 50{N}% "
            "организаций группы)",
        ]
