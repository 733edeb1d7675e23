"""The documents mark a value flagged data went into (README, "Flagged values"): the school
card and the roadmap report, as HTML and as .xlsx, in the working and the published view
(`approved_only=true`); an unflagged value carries no mark; with SOKO_FLAGGED_VALUES=skip a
territory's value says how many organizations' values were left out (a formula's, only that
some were); the sheet's cell says the mark and why, each count once.

Crafted data through the real api: an outlier bound of `trained` (at most 85 %) and the
quality world's S1 90 % (flagged, approved) and S2 50 % (not flagged, not approved)."""

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from services.api.indicators.models import Indicator, IndicatorRoadmap
from shared.settings import get_settings
from tests.api.validation import set_bound
from tests.reports.documents_world import (
    AS_OF,
    N,
    add_recommendations,
    parse,
    post_indicator,
    roadmap_with_indicators,
    rows_of,
)
from tests.reports.helpers import PERIOD, post_values
from tests.reports.quality_world import one_of_two_approved, quality_world

TRAINED = "Доля педагогов, прошедших КПК"
MARK = f"⚠{N}требует проверки"
LEFT_OUT = f"⚠{N}не учтены данные на проверке"
WHY = "в значение вошли данные, которые нарушают правило проверки или похожи на выброс"
LEGEND = f"⚠ требует проверки — {WHY}"


@pytest.fixture(autouse=True)
def _marked_by_default():
    assert get_settings().flagged_values == "mark"


async def flagged_world(api_client, db, settings):
    world = await quality_world(db, settings)
    await set_bound(api_client, world, "trained", 0, 85)
    await one_of_two_approved(api_client, world)
    return world


async def _get(client, world, path, **params):
    answer = await client.get(
        path, params={"period": PERIOD, **params}, headers=world.headers("analyst")
    )
    assert answer.status_code == 200, answer.text
    return answer


async def _card(client, world, school, **params) -> tuple[list[str], str]:
    """The card's `trained` row (indicator, value, target, status, change) and its page."""
    answer = await _get(
        client, world, f"/v1/reports/organizations/{school.id}", format="html", **params
    )
    rows = [r for r in parse(answer.text).tables["indicators"][1:] if r[0] == TRAINED]
    assert len(rows) == 1, rows
    return rows[0], answer.text


def _sheet_rows(answer) -> dict[tuple[str, str], dict[str, object]]:
    """The sheet «Показатели»: each row by (code, scope name), as {column title: value}."""
    sheet = load_workbook(io.BytesIO(answer.content))["Показатели"]
    rows = list(sheet.iter_rows(values_only=True))
    head = rows[0]
    return {(r[1], r[3]): dict(zip(head, r, strict=True)) for r in rows[1:]}


async def test_the_school_card_marks_a_flagged_value_in_both_views(
    api_client, reports_client, db, settings
):
    world = await flagged_world(api_client, db, settings)

    row, page = await _card(reports_client, world, world.s1)
    assert row[1] == f"90,0{N}% {MARK}"
    assert row[3] == "· цель не задана"  # the status words stay as they are
    assert f'title="{WHY}"' in page  # an organization's own value: no count of organizations
    assert f"{LEGEND}." in page  # the legend says only the mark shown

    # The published view (S1's data approved): marked too.
    row, page = await _card(reports_client, world, world.s1, approved_only="true")
    assert row[1] == f"90,0{N}% {MARK}"
    assert LEGEND in page

    # S2's 50 % is not flagged: no mark, no legend.
    row, page = await _card(reports_client, world, world.s2)
    assert row[1] == f"50,0{N}%"
    assert "⚠" not in page and "требует проверки" not in page

    # The spreadsheet says it in a column of its own.
    sheet = await _get(
        reports_client, world, f"/v1/reports/organizations/{world.s1.id}", format="xlsx"
    )
    s1 = _sheet_rows(sheet)[("trained", "Школа 1")]
    assert (s1["Значение"], s1["Проверка данных"]) == (90, f"⚠{N}{WHY}")
    sheet = await _get(
        reports_client, world, f"/v1/reports/organizations/{world.s2.id}", format="xlsx"
    )
    assert _sheet_rows(sheet)[("trained", "Школа 2")]["Проверка данных"] is None


async def test_the_roadmap_report_marks_flagged_values_and_counts_a_territory_s(
    api_client, reports_client, db, settings
):
    world = await flagged_world(api_client, db, settings)
    path = f"/v1/reports/roadmaps/{world.r1.id}"

    answer = await _get(reports_client, world, path)
    rows = rows_of(parse(answer.text).tables["indicators"], TRAINED)
    # M1: (90 + 50) / 2, S1's flagged value in it: one organization's.
    assert rows["Район 1"][2] == f"70,0{N}% {MARK} (1 орг.)"
    assert f'title="{WHY} (1 орг.)"' in answer.text
    assert rows["Школа 1"][2] == f"90,0{N}% {MARK}"
    assert rows["Школа 2"][2] == f"50,0{N}%"
    assert f"{LEGEND} (в скобках — у скольких организаций)." in answer.text

    # The published view: S1's approved 90 % alone, still flagged.
    answer = await _get(reports_client, world, path, approved_only="true")
    rows = rows_of(parse(answer.text).tables["indicators"], TRAINED)
    assert rows["Район 1"][2] == f"90,0{N}% {MARK} (1 орг.)"
    assert rows["Школа 1"][2] == f"90,0{N}% {MARK}"
    assert LEGEND in answer.text

    sheet = _sheet_rows(await _get(reports_client, world, path, format="xlsx"))
    # The mark and why, the count said once.
    assert sheet[("trained", "Район 1")]["Проверка данных"] == f"⚠{N}{WHY} (1 орг.)"
    assert sheet[("trained", "Школа 1")]["Проверка данных"] == f"⚠{N}{WHY}"
    assert sheet[("trained", "Школа 2")]["Проверка данных"] is None


async def test_with_skip_the_territory_says_how_many_were_left_out(
    api_client, reports_client, db, settings, monkeypatch
):
    world = await flagged_world(api_client, db, settings)
    monkeypatch.setattr(get_settings(), "flagged_values", "skip")

    answer = await _get(reports_client, world, f"/v1/reports/roadmaps/{world.r1.id}")
    rows = rows_of(parse(answer.text).tables["indicators"], TRAINED)
    # S1's 90 % is left out of M1's value (S2's 50 % alone) and still shown at S1, marked.
    assert rows["Район 1"][2] == f"50,0{N}% {LEFT_OUT} (1 орг.)"
    assert "не учтены данные, которые нарушают правило проверки или похожи на выброс" in (
        answer.text
    )
    assert rows["Школа 1"][2] == f"90,0{N}% {MARK}"
    assert rows["Школа 2"][2] == f"50,0{N}%"
    assert "⚠ не учтены данные на проверке — такие данные организаций" in answer.text


async def test_with_skip_a_formula_s_territory_value_counts_no_organizations_left_out(
    api_client, reports_client, db, settings, monkeypatch
):
    # S1's 90 % is flagged in both values a formula reads: left out of both, a school once.
    world = await flagged_world(api_client, db, settings)
    await post_indicator(api_client, world, "trained_again", "КПК ещё раз", "percent")
    await set_bound(api_client, world, "trained_again", 0, 85)
    await post_values(
        api_client,
        world,
        [("trained_again", world.s1.id, PERIOD, 90), ("trained_again", world.s2.id, PERIOD, 50)],
    )
    await post_indicator(
        api_client,
        world,
        "trained_sum",
        "Сумма долей КПК",
        "number",
        method="formula",
        params={"numerator": "trained.value + trained_again.value"},
    )
    codes = ("trained_again", "trained_sum")
    ids = (await db.execute(select(Indicator.id).where(Indicator.code.in_(codes)))).scalars()
    db.add_all(IndicatorRoadmap(indicator_id=i, roadmap_id=world.r1.id) for i in ids)
    await db.flush()
    monkeypatch.setattr(get_settings(), "flagged_values", "skip")

    path = f"/v1/reports/roadmaps/{world.r1.id}"
    answer = await _get(reports_client, world, path)
    rows = rows_of(parse(answer.text).tables["indicators"], "Сумма долей КПК")
    assert rows["Район 1"][2] == f"100 {LEFT_OUT}"  # S2's 50 + 50, no «(2 орг.)»
    assert rows_of(parse(answer.text).tables["indicators"], TRAINED)["Район 1"][2] == (
        f"50,0{N}% {LEFT_OUT} (1 орг.)"
    )
    sheet = _sheet_rows(await _get(reports_client, world, path, format="xlsx"))
    said = sheet[("trained_sum", "Район 1")]["Проверка данных"]
    assert said == f"⚠{N}не учтены {WHY[len('в значение вошли ') :]}"


def _chart(page: str, title: str) -> str:
    """The SVG of the chart titled so (its aria-label)."""
    start = page.index(f"aria-label='{title}'")
    return page[start : page.index("</svg>", start)]


def _caption(page: str, title: str) -> str:
    """The caption of the chart titled so (its figure's, above it)."""
    before = page[: page.index(f"aria-label='{title}'")]
    return before.rsplit("<figcaption>", 1)[1].split("</figcaption>")[0]


async def test_the_report_s_charts_mark_a_flagged_value(api_client, reports_client, db, settings):
    world = await flagged_world(api_client, db, settings)
    answer = await _get(reports_client, world, f"/v1/reports/roadmaps/{world.r1.id}")
    page = answer.text

    bars = _chart(page, f"{TRAINED}: по организациям")
    # The value next to the bar carries the mark, its title says why; S2's 50 % none.
    assert re.findall(r"<text class='value'[^>]*>([^<]*)</text>", bars) == [
        f"90,0{N}%{N}⚠",
        f"50,0{N}%",
    ]
    assert f"<title>Школа 1: 90,0{N}% — {WHY}</title>" in bars
    assert f"<title>Школа 2: 50,0{N}%</title>" in bars
    # The caption says what the mark means.
    assert f"{LEGEND}." in _caption(page, f"{TRAINED}: по организациям")

    line = _chart(page, f"{TRAINED}: Район 1 по периодам")
    assert f"<title>{PERIOD}: 70,0{N}% — {WHY} (1 орг.)</title>" in line
    assert f">70,0{N}%{N}⚠</text>" in line
    # Its caption promises no count «в скобках»: the point shows none (its title has it).
    caption = _caption(page, f"{TRAINED}: Район 1 по периодам")
    assert f"{LEGEND}." in caption and "в скобках" not in caption


async def test_an_unflagged_report_s_charts_carry_no_mark(api_client, reports_client, db, settings):
    world = await quality_world(db, settings)  # no bound: nothing flagged
    await one_of_two_approved(api_client, world)
    answer = await _get(reports_client, world, f"/v1/reports/roadmaps/{world.r1.id}")
    bars = _chart(answer.text, f"{TRAINED}: по организациям")
    assert "⚠" not in bars and "требует проверки" not in answer.text


async def test_a_decision_s_value_now_says_it_is_flagged(api_client, reports_client, db, world):
    # The decision was taken at S1's 60 %; its 80 % now breaks the bound (≤ 75 %).
    roadmap = await roadmap_with_indicators(api_client, world)
    await add_recommendations(db, world)
    await set_bound(api_client, world, "trained", 0, 75)
    path = f"/v1/reports/roadmaps/{roadmap['id']}"

    answer = await _get(reports_client, world, path, as_of=AS_OF)
    [decision] = parse(answer.text).tables["decisions"][1:]
    assert decision[5] == f"60,0{N}% → 80,0{N}% (+20,0{N}п.п.) {MARK}"
    assert f'title="стало: {WHY}"' in answer.text
    decisions = answer.text[answer.text.index('<section id="decisions">') :]
    assert f"{LEGEND}." in decisions.split("</section>")[0]
    assert "Изменение рассчитано по неокруглённым значениям" in decisions.split("</section>")[0]

    sheet = load_workbook(
        io.BytesIO((await _get(reports_client, world, path, format="xlsx")).content)
    )
    rows = list(sheet["Решения"].iter_rows(values_only=True))
    said = dict(zip(rows[0], rows[1], strict=True))
    assert (said["Стало"], said["Проверка данных («стало»)"]) == (80, f"⚠{N}{WHY}")
