"""What makes the documents readable (issue 16, "Reports an analyst reads"): the indicator table
names each indicator once, schools in natural order, an indicator that applies to schools leaves
the kindergarten out, yes/no indicators charted as the share of schools, the target's dashed
line promised only where it is drawn, no point for a period without data, the latest period with
data by default, and a school card that never cuts a recommendation.

The world is documents_world's (Район 1: Школа 1, Школа 2, both in Кластер 1; "trained" and
"mentors" with targets) with two more organizations of Район 1, outside the cluster: «Школа 10»
and the kindergarten «Детский сад 1».
"""

from datetime import date

from services.api.organizations.models import Organization
from services.reports.documents.charts import line_chart
from shared.periods import academic_year_of
from tests.reports.documents_world import (
    AS_OF,
    MENTORS,
    PERIOD,
    SVG,
    TRAINED,
    N,
    charts,
    header_at,
    indicator_name,
    parse,
    post_indicator,
    recommendation,
    roadmap_with_indicators,
)
from tests.reports.helpers import post_values

VPR = "Доля отметок «4» и «5» по ВПР"
PLAN = "В ОО есть план ВСОКО"


async def _more_organizations(db, world) -> tuple[Organization, Organization]:
    school = Organization(name="Школа 10", kind="school", territory_id=world.m1.id)
    kindergarten = Organization(name="Детский сад 1", kind="kindergarten", territory_id=world.m1.id)
    db.add_all([school, kindergarten])
    await db.flush()
    return school, kindergarten


async def _indicator(api_client, world, roadmap_id, **fields) -> None:
    answer = await api_client.post(
        "/v1/indicators",
        json={"level": "organization", "method": "data_value", "roadmap_ids": [roadmap_id]}
        | fields,
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 201, answer.text


async def test_roadmap_report_reads_as_an_analyst_needs(api_client, reports_client, db, world):
    roadmap = await roadmap_with_indicators(api_client, world)
    s10, kindergarten = await _more_organizations(db, world)
    for code, name, unit, kinds in (
        ("vpr_4_5", VPR, "percent", ["school"]),
        ("plan", PLAN, "boolean", ["school", "kindergarten", "additional", "college"]),
    ):
        fields = {"code": code, "name": name, "unit": unit, "applies_to": kinds}
        await _indicator(api_client, world, roadmap["id"], params={"value_type": unit}, **fields)
    await post_values(
        api_client,
        world,
        [
            ("vpr_4_5", world.s1.id, PERIOD, 70),
            ("vpr_4_5", s10.id, PERIOD, 90),
            ("vpr_4_5", kindergarten.id, PERIOD, 10),  # posted, but ВПР is not a kindergarten's
            ("plan", world.s1.id, PERIOD, True),
            ("plan", world.s2.id, PERIOD, False),
            ("plan", s10.id, PERIOD, True),
        ],
    )
    answer = await reports_client.get(
        f"/v1/reports/roadmaps/{roadmap['id']}",
        params={"as_of": AS_OF},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 200, answer.text
    body = answer.text
    rows = parse(body).tables["indicators"][1:]

    # Each indicator named once, as the header of its rows (codes: mentors, plan, trained,
    # vpr_4_5); the schools in natural order: Школа 1, Школа 2, Школа 10.
    names = [indicator_name(r[0]) for r in rows if len(r) == 1]
    assert names == [MENTORS, PLAN, TRAINED, VPR]
    for name in names:
        assert body.count(f">{name} <span") + body.count(f">{name}</th>") == 1
    vpr = rows[header_at(rows, VPR) + 1 :]
    # ВПР applies to schools: the kindergarten's 10 is in no row and in no mean. Район 1 is the
    # mean of the schools with a value, (70 + 90) / 2 = 80; Кластер 1 (Школа 1, Школа 2) has
    # only Школа 1's 70; Школа 2 posted nothing. No target: "цель не задана".
    assert [r[:3] + r[4:5] for r in vpr] == [
        ["территория", "Район 1", f"80,0{N}%", "· цель не задана"],
        ["кластер", "Кластер 1", f"70,0{N}%", "· цель не задана"],
        ["организация", "Школа 1", f"70,0{N}%", "· цель не задана"],
        ["организация", "Школа 2", "—", "– нет данных"],
        ["организация", "Школа 10", f"90,0{N}%", "· цель не задана"],
    ]
    # "trained" applies to every kind: the kindergarten has its row, first by name.
    trained = rows[header_at(rows, TRAINED) + 1 : header_at(rows, VPR)]
    assert [r[1] for r in trained if r[0] == "организация"] == [
        "Детский сад 1",
        "Школа 1",
        "Школа 2",
        "Школа 10",
    ]

    svgs = charts(body)
    plan_bars = next(s for s in svgs if "bars" in s.get("class") and PLAN in s.get("aria-label"))
    # Yes/no: a bar per group, the share of its schools with «да» in percent: Район 1 2 of 3
    # (Школа 1, Школа 10) = 66,7 %, Кластер 1 1 of 2 = 50,0 %; no 0–1 bar per school.
    assert [t.text for t in plan_bars.iter(f"{SVG}text") if t.get("class") == "value"] == [
        f"66,7{N}%",
        f"50,0{N}%",
    ]
    assert [t.text for t in plan_bars.iter(f"{SVG}text") if t.get("class") == "label"] == [
        "Район 1",
        "Кластер 1",
    ]
    ticks = [t.text for t in plan_bars.iter(f"{SVG}text") if t.get("class") is None]
    assert ticks[:5] == ["0", "25", "50", "75", "100"]  # a percent axis
    # No target for "plan" and ВПР: no dashed line, and no caption promising one; "trained"
    # (≥ 70) and "mentors" (≥ 2, a school's: not the district's sum over the periods) have
    # one: their charts draw it and say so.
    captions = _captions(body)
    assert not any("пунктир" in c for c in captions[PLAN] + captions[VPR])
    assert [("пунктир" in c) for c in captions[TRAINED]] == [True, True]
    for svg in svgs:
        drawn = bool(svg.findall(f".//{SVG}line[@class='target']"))
        label = svg.get("aria-label")
        with_target = TRAINED in label or (MENTORS in label and "по периодам" not in label)
        assert drawn == with_target, svg.get("aria-label")


def _captions(body: str) -> dict[str, list[str]]:
    """Each chart heading (the indicator's name) → its figures' captions."""
    charts_part = body.split('<section id="charts">', 1)[1].split("</section>", 1)[0]
    found: dict[str, list[str]] = {}
    for block in charts_part.split("<h3>")[1:]:
        name, rest = block.split("</h3>", 1)
        found[name] = [c.split("</figcaption>")[0] for c in rest.split("<figcaption>")[1:]]
    return found


async def test_without_a_period_the_report_shows_the_latest_with_data(
    api_client, reports_client, world
):
    roadmap = await roadmap_with_indicators(api_client, world)
    # The roadmap's own period is 2023/2024, which has no values; 2022/2023 neither; the
    # values end in 2021/2022, so that is the report's period.
    answer = await api_client.patch(
        f"/v1/roadmaps/{roadmap['id']}",
        json={"period": "2023/2024"},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 200, answer.text
    answer = await reports_client.get(
        f"/v1/reports/roadmaps/{roadmap['id']}",
        params={"as_of": AS_OF},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 200, answer.text
    assert "Период отчёта: 2021/2022" in answer.text
    rows = parse(answer.text).tables["indicators"][1:]
    assert ["организация", "Школа 1", f"80,0{N}%"] == rows[header_at(rows, TRAINED) + 3][:3]


async def test_the_card_shows_every_recommendation_and_its_latest_period(
    api_client, reports_client, db, world
):
    # The card without a period: this academic year has no values, last year's are the latest.
    last_year = academic_year_of(date.today()).previous.code
    await post_indicator(api_client, world, "trained", TRAINED, "percent")
    await post_values(api_client, world, [("trained", world.s1.id, last_year, 75)])
    long_text = "Провести серию методических семинаров по итогам КПК. " * 8  # 424 characters
    texts = [f"{i}. {long_text.strip()}" for i in range(1, 7)]
    db.add_all(
        [
            recommendation(
                world,
                text,
                "organization_leader",
                world.s1.id,
                organization_id=world.s1.id,
                period=last_year,
            )
            for text in texts
        ]
    )
    await db.flush()
    answer = await reports_client.get(
        f"/v1/reports/organizations/{world.s1.id}", headers=world.headers("leader")
    )
    assert answer.status_code == 200, answer.text
    page = parse(answer.text)
    assert f"Период: {last_year}" in answer.text
    assert page.tables["indicators"][1:] == [[TRAINED, f"75,0{N}%", "—", "· цель не задана", "—"]]
    # All six, each in full (the card cut them at four, and each text at 200 characters).
    assert [r[1] for r in page.tables["recommendations"][1:]] == texts
    assert "Ещё рекомендаций" not in answer.text


def test_a_period_without_data_gets_no_point_and_breaks_the_line():
    # 2018/2019 45, 2019/2020 none, 2020/2021 55, 2021/2022 65: three points; the line joins
    # only the two neighbours with values (2020/2021 → 2021/2022), not across the gap.
    (svg,) = charts(
        line_chart(
            "Показатель",
            [
                ("2018/2019", 45.0, "45"),
                ("2019/2020", None, "—"),
                ("2020/2021", 55.0, "55"),
                ("2021/2022", 65.0, "65"),
            ],
            None,
            "—",
            percent=True,
        )
    )
    assert len(svg.findall(f".//{SVG}circle[@class='point']")) == 3
    lines = svg.findall(f".//{SVG}polyline[@class='line']")
    assert len(lines) == 1 and len(lines[0].get("points").split()) == 2
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "—" not in texts and "2019/2020" in texts  # the period keeps its place, unmarked
    assert not svg.findall(f".//{SVG}line[@class='target']")
