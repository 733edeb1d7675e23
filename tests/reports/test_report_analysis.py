"""The roadmap report's chapter «Комплексный анализ результатов оценочных процедур» over data
posted through the real api (a task specification, four schools' participants, their context
data) and brought to the reports facts with sync_facts.

The data, by hand (SPEC: tasks 1 and 2 basic, max 1 and 2; 3.1 advanced, max 1; 3.2 high, max
2; marks "3" from 2, "4" from 4, "5" from 5 points):
- «Школа № 4»: scores 5, 4, 4, 3 (marks 5, 4, 4, 3), journal marks the same: 16 of 24 points,
  result 66,7 %; 40 of its 100 pupils with disabilities.
- «Школа № 5»: 2, 3, 1, 4 (3, 3, 2, 4), journal the same: 10 of 24, 41,7 %; 20 of 100.
- «Школа № 3» and «Школа № 10»: 3, 2, 2, 3 and 2, 3, 1, 4 (marks 3, 3, 3, 3 and 3, 3, 2, 4),
  two of four journal marks differ from the work's (one raised, one lowered): 2 / 4 = 50 % ≥
  the 25 % threshold, `journal_mismatch`, one sign, risk low; 10 of 24, 41,7 %; 10 of 100.
Every school does the basic tasks best (no inverted profile), no score has three participants
at a mark's minimum (no boundary spike), there is no earlier year and no ОГЭ (no other sign).

The context index has one component the four have (the share with disabilities; the others
are missing for every school and left out; Школа 1 and Школа 2 of the world have none, so no
index): shares 40, 20, 10, 10, mean 20, population SD √((400 + 0 + 100 + 100) / 4) = 12,25,
index = −z: −1,63, 0, 0,82, 0,82. The bottom quartile (percentile_cont(0.25) = −1,63 + 0,75 ×
1,63 = −0,41) holds «Школа № 4» alone (ШНСУ), and its 66,7 % is the top result (the 75th
percentile of 41,7, 41,7, 41,7, 66,7 is 47,9): the one resilient school.
"""

import io

import pytest
from openpyxl import load_workbook

from services.reports.analysis.thresholds import Thresholds
from services.reports.documents.signs import sign_text
from tests.api.helpers import post_roadmap
from tests.api.test_assessment_tasks import SPEC
from tests.facts import sync_facts
from tests.reports.documents_world import SVG, charts, parse

YEAR = SPEC["year"]  # 2023/2024
TASKS = ("1", "2", "3.1", "3.2")
N = "\u00a0"


def marks(score: int) -> int:
    return 5 if score >= 5 else 4 if score >= 4 else 3 if score >= 2 else 2


def pupil(code: str, scores: tuple[int, ...], journal_change: int = 0) -> dict:
    mark = marks(sum(scores))
    return {
        "code": code,
        "class_label": "5А",
        "variant": 1,
        "journal_mark": mark + journal_change,  # +1: the work lowered it; −1: raised it
        "task_scores": dict(zip(TASKS, scores, strict=True)),
    }


SCHOOLS = {
    "Школа № 10": (10, [(1, 1, 0, 0), (1, 2, 0, 0), (0, 1, 0, 0), (1, 2, 0, 1)], (1, -1)),
    "Школа № 3": (10, [(1, 2, 0, 0), (1, 1, 0, 0), (0, 2, 0, 0), (1, 1, 1, 0)], (1, -1)),
    "Школа № 4": (40, [(1, 2, 1, 1), (1, 2, 1, 0), (1, 2, 0, 1), (1, 2, 0, 0)], ()),
    "Школа № 5": (20, [(1, 1, 0, 0), (1, 2, 0, 0), (0, 1, 0, 0), (1, 2, 0, 1)], ()),
}


@pytest.fixture
def few_participants(apps):
    """Four pupils a school are enough for these tests (the default minimum is 10)."""
    kept = apps.reports.state.analysis_thresholds
    apps.reports.state.analysis_thresholds = Thresholds(min_participants=1)
    yield
    apps.reports.state.analysis_thresholds = kept


async def post_schools(api_client, world) -> dict[str, str]:
    """The specification, the four schools and their participants: the schools' ids by name."""
    admin, analyst = world.headers("admin"), world.headers("analyst")
    ids = {}
    answer = await api_client.post("/v1/assessment-tasks", json=SPEC, headers=admin)
    assert answer.status_code == 201, answer.text
    for name, (disabled, scores, changes) in SCHOOLS.items():
        school = {
            "name": name,
            "kind": "school",
            "territory_id": str(world.m1.id),
            "context": {"students": 100, "disabled_students": disabled},
        }
        answer = await api_client.post("/v1/organizations", json=school, headers=admin)
        assert answer.status_code == 201, answer.text
        ids[name] = answer.json()["id"]
        pupils = [
            pupil(f"{i + 1:04d}", s, changes[i] if i < len(changes) else 0)
            for i, s in enumerate(scores)
        ]
        body = {
            "organization_id": answer.json()["id"],
            "procedure": "vpr",
            "year": YEAR,
            "subject": SPEC["subject"],
            "grade": SPEC["grade"],
            "participants": pupils,
        }
        answer = await api_client.post(
            "/v1/assessment-results/participants", json=body, headers=analyst
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["rejected"] == [], answer.text
    return ids


async def report(
    api_client, reports_client, world, period: str, fmt: str = "html", who="analyst", **owner
):
    """The roadmap report of a new M1 roadmap (or `owner`'s) for `period`, posted and read as
    `who`: the HTML text, or the .xlsx workbook (`fmt` "xlsx")."""
    roadmap = await post_roadmap(api_client, world, who, period=YEAR, **owner)
    assert roadmap.status_code == 201, roadmap.text
    answer = await reports_client.get(
        f"/v1/reports/roadmaps/{roadmap.json()['id']}",
        params={"period": period, "as_of": "2024-06-01", "format": fmt},
        headers=world.headers(who),
    )
    assert answer.status_code == 200, answer.text
    return load_workbook(io.BytesIO(answer.content)) if fmt == "xlsx" else answer.text


async def test_the_chapter_shows_signs_the_resilient_school_and_profiles(
    apps, isolation, api_client, reports_client, world, few_participants
):
    await post_schools(api_client, world)
    await sync_facts(apps, isolation)
    body = await report(api_client, reports_client, world, YEAR)
    assert "Комплексный анализ результатов оценочных процедур" in body
    page = parse(body)

    # Only the two schools with a sign, № 3 before № 10 (natural order), both low risk.
    paper = "ВПР, Математика, 5 класс"
    sign = f"расхождение с отметками в журнале: 50,0{N}% отметок не совпали с журналом"
    assert page.tables["objectivity"] == [
        ["Организация", "Процедура", "Признаки", "Риск"],
        ["Школа № 3", paper, f"{sign} (понижено 1, повышено 1)", "низкий"],
        ["Школа № 10", paper, f"{sign} (понижено 1, повышено 1)", "низкий"],
    ]
    assert (  # what tells «низкий» from «высокий» is said under the table
        "Риск по работе: «высокий» — 2 и более признаков необъективности у одной работы, "
        "«низкий» — один признак"
    ) in body

    [scatter] = [s for s in charts(body) if "scatter" in s.get("class", "")]
    points = scatter.findall(f".//{SVG}*[@class]")
    assert len([p for p in points if p.get("class").startswith("point")]) == 4
    [resilient] = [p for p in points if p.get("class") == "point resilient"]
    assert resilient.find(f"{SVG}title").text.startswith(f"Школа № 4: 66,7{N}%")
    names = [t.text for t in scatter.iter(f"{SVG}text") if t.get("class") == "name"]
    assert names == ["Школа № 4"]  # the resilient school, and only it, named on the plot
    assert len(scatter.findall(f".//{SVG}rect[@class='unfavourable']")) == 1  # ШНСУ shaded
    assert "Индекс социального благополучия школы (ИСБШ), ст. откл." in body
    assert "Резильентные школы: Школа № 4." in body

    # No school is low two years running: there is one year of results.
    assert "Школ с низкими образовательными результатами не выявлено." in body
    # Profiles of the two schools with a sign (one each), № 3 first; its task 3.1: 1 of 4
    # points, 25 %; the territory's: (0 + 1 + 2 + 0) of 4 × 4 = 16, 18,75 % (shown 18,8).
    profiles = [s for s in charts(body) if "profile" in s.get("class", "")]
    assert [p.get("aria-label") for p in profiles] == [
        f"Школа № 3: {paper}",
        f"Школа № 10: {paper}",
    ]
    tips = [t.text for t in profiles[0].iter(f"{SVG}title")]
    assert f"Задание 3.1, Школа № 3: 25,0{N}%" in tips
    assert f"Задание 3.1, территория: 18,8{N}%" in tips

    workbook = await report(api_client, reports_client, world, YEAR, fmt="xlsx")
    signs = [[c.value for c in row] for row in workbook["Объективность"].iter_rows(min_row=2)]
    assert [(school, risk) for school, _, _, risk in signs] == [
        ("Школа № 3", "низкий"),
        ("Школа № 10", "низкий"),
    ]
    context = {row[0].value: row for row in workbook["Контекст"].iter_rows(min_row=2)}
    assert [c.value for c in context["Школа № 4"]][2:] == [66.67, "да", "да"]  # 16 / 24


async def test_the_chapter_is_left_out_for_a_year_without_results(
    apps, isolation, api_client, reports_client, world, few_participants
):
    await post_schools(api_client, world)
    await sync_facts(apps, isolation)
    body = await report(api_client, reports_client, world, "2022/2023")
    assert "Комплексный анализ" not in body
    assert 'id="analysis"' not in body
    # A calendar year holds the spring of the academic year it starts in: 2024 → 2023/2024.
    body = await report(api_client, reports_client, world, "2024")
    assert 'id="analysis"' in body
    workbook = await report(api_client, reports_client, world, "2022/2023", fmt="xlsx")
    assert "Объективность" not in workbook.sheetnames


async def test_a_schools_roadmap_shows_that_schools_profile_and_signs_only(
    apps, isolation, api_client, reports_client, world, few_participants
):
    ids = await post_schools(api_client, world)
    await sync_facts(apps, isolation)
    owner = {"level": "organization", "owner_type": "organization", "owner_id": ids["Школа № 4"]}
    body = await report(api_client, reports_client, world, YEAR, **owner)
    assert "Признаков необъективности не выявлено." in body  # № 3 and № 10 are not its own
    profiles = [s for s in charts(body) if "profile" in s.get("class", "")]
    assert [p.get("aria-label") for p in profiles] == ["Школа № 4: ВПР, Математика, 5 класс"]
    # Task 1: all four pupils scored its one point, 100 %; the territory 13 of 16, 81,25 %
    # (rounded to 81,2 by the analysis: half to even).
    tips = [t.text for t in profiles[0].iter(f"{SVG}title")]
    assert f"Задание 1, Школа № 4: 100,0{N}%" in tips
    assert f"Задание 1, территория: 81,2{N}%" in tips
    assert "Резильентные школы: Школа № 4." in body  # the territory's plot, as before


async def test_a_leader_sees_the_territory_pooled_and_no_other_school(
    apps, isolation, api_client, reports_client, world, few_participants
):
    await post_schools(api_client, world)
    # Школа 1 (the leader's) wrote the paper as «Школа № 4» did: task 1, 4 of 4 points.
    body = {
        "organization_id": str(world.s1.id),
        "procedure": "vpr",
        "year": YEAR,
        "subject": SPEC["subject"],
        "grade": SPEC["grade"],
        "participants": [pupil(f"{i:04d}", s) for i, s in enumerate(SCHOOLS["Школа № 4"][1])],
    }
    answer = await api_client.post(
        "/v1/assessment-results/participants", json=body, headers=world.headers("leader")
    )
    assert answer.status_code == 200, answer.text
    await sync_facts(apps, isolation)
    owner = {"level": "organization", "owner_type": "organization", "owner_id": str(world.s1.id)}
    page = await report(api_client, reports_client, world, YEAR, who="leader", **owner)
    [profile] = [s for s in charts(page) if "profile" in s.get("class", "")]
    tips = [t.text for t in profile.iter(f"{SVG}title")]
    # Task 1 over the territory's five schools: 13 + 4 = 17 of 20 points, 85 %.
    assert f"Задание 1, территория: 85,0{N}%" in tips
    assert f"Задание 1, Школа 1: 100,0{N}%" in tips
    # No other school is named: Школа 1 has no context index, so the plot has nobody on it.
    assert "Школа №" not in page
    assert "Нет школ, у которых есть и индекс социального благополучия" in page


@pytest.mark.parametrize(
    ("code", "evidence", "text"),
    [
        (
            "boundary_spike",
            {"score": 15, "mark": 4, "count_at": 9, "count_below": 1, "count_above": 2},
            "пик распределения баллов на границе отметки «4» (15 баллов): 9 участников против "
            "1 и 2 рядом",
        ),
        (
            "inverted_profile",
            {"basic": 55.0, "advanced": 61.5, "high": None, "correlation": -0.214},
            f"нетипичный профиль выполнения заданий: выполнение заданий базового 55,0{N}%, "
            f"повышенного 61,5{N}%; корреляция с профилем территории \u22120,21",
        ),
        (
            "not_confirmed_by_gia",
            {"vpr_quality": 80.0, "vpr_rank": 90.0, "exam": "oge", "exam_year": "2025/2026",
             "exam_subject": "Математика", "exam_quality": 20.0, "exam_rank": 12.5},
            f"высокие результаты ВПР не подтверждены ОГЭ/ЕГЭ: качество ВПР 80,0{N}% (выше, чем "
            f"у 90{N}% остальных школ), ОГЭ (Математика 2025/2026) — качество 20,0{N}% (выше, "
            f"чем у 13{N}% остальных школ)",  # 12.5 rounded half up, as every number
        ),
        (
            "not_confirmed_by_gia",
            {"vpr_quality": 67.3, "vpr_rank": 100.0, "exam": "oge", "exam_year": "2025/2026",
             "exam_subject": "Математика", "exam_quality": 10.0, "exam_rank": 0.0},
            f"высокие результаты ВПР не подтверждены ОГЭ/ЕГЭ: качество ВПР 67,3{N}% (лучший "
            f"результат среди школ территории), ОГЭ (Математика 2025/2026) — качество 10,0{N}% "
            f"(ниже, чем у всех остальных школ)",
        ),
        (
            "sudden_rise",
            {"completion": 78.0, "previous_completion": 52.5, "rise": 25.5, "territory_rise": 1.5},
            f"резкий рост результатов: выполнение 52,5{N}% → 78,0{N}% (+25,5{N}п.п. при "
            f"+1,5{N}п.п. по территории)",
        ),
        ("a_new_sign", {"share": 40}, "a_new_sign (share: 40)"),
    ],
)  # fmt: skip
def test_each_sign_is_said_in_words_with_its_evidence(code, evidence, text):
    assert sign_text(code, evidence) == text
