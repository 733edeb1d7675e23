"""A file's row whose value cell is empty reports nothing (the leader's template with only some
values filled in): it is left out, nothing stored for it, and the summary says once how many
such rows were skipped — not a refused row each. A row with a value but without its indicator,
organization or period is still refused, and so is a row without a value whose other cells are
wrong; a posted JSON row's null value is still refused."""

import io
from datetime import date

from openpyxl import load_workbook
from sqlalchemy import select

from services.api.data_values.models import DataValue
from services.api.indicators.models import Indicator
from tests.api.test_pages_data_upload import (
    PATH,
    PERIOD,
    browser,
    post,
    signed_in,
    table,
    world,
)
from tests.collections_world import add_collection

# The page tests' fixtures: a browser-like client, the world with two indicators.
__all__ = ["browser", "world"]


async def _stored(db) -> dict[tuple[str, str], float]:
    rows = await db.execute(
        select(Indicator.code, DataValue.period, DataValue.value).join(
            Indicator, Indicator.id == DataValue.indicator_id
        )
    )
    return {(code, period): value for code, period, value in rows}


async def test_the_template_partly_filled_stores_the_values_and_skips_the_rest(browser, world, db):
    indicators = list(
        await db.scalars(
            select(Indicator).where(Indicator.code.in_(["coverage", "upbringing_program"]))
        )
    )
    window = {PERIOD: (date(2000, 9, 1), date(2090, 10, 1))}
    await add_collection(db, world.m1, indicators, window, name="Мониторинг воспитания")
    await db.commit()
    client, _ = await signed_in(browser, "leader@soko.example")
    book = load_workbook(io.BytesIO((await client.get(f"{PATH}/template.xlsx")).content))
    assert book["Данные"].max_row == 4  # three rows to fill, the value empty
    book["Данные"]["D2"] = 64.5  # only the first filled in
    filled = io.BytesIO()
    book.save(filled)
    page = await post(client, await client.get(PATH), filled.getvalue(), "store", "шаблон.xlsx")
    assert page.status_code == 200, page.text
    assert "Файл загружен: шаблон.xlsx" in page.text
    assert '<div class="notice" role="status">' in page.text  # no refusal's warning style
    assert "новых значений — 1" in page.text and "отклонено строк — 0" in page.text
    assert "Отклонённые строки" not in page.text and "обязательное поле" not in page.text
    assert table(page, "warnings-table") == [
        [
            "весь файл",
            "Значение",
            "Пропущены 2 строки без значения (строки 3, 4): по ним ничего не сохранено",
        ]
    ]
    assert await _stored(db) == {("coverage", PERIOD): 64.5}


async def _upload(api_client, world, lines: list[str]) -> dict:
    content = "\r\n".join(["Показатель;Организация;Период;Значение", *lines]).encode()
    answer = await api_client.post(
        "/v1/data-values/upload",
        files={"file": ("v.csv", content)},
        headers=world.headers("admin"),
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_rows_without_a_value_are_skipped_and_said_once(api_client, world, db):
    summary = await _upload(
        api_client,
        world,
        [
            f"coverage;Школа 1;{PERIOD};",  # 2: not reported
            f"coverage;Школа 2;{PERIOD};50",  # 3: stored
            f"upbringing_program;Школа 1;{PERIOD};",  # 4: not reported
            "coverage;Школа 1;;50",  # 5: a value without its period: refused
            f"nope;Школа 1;{PERIOD};",  # 6: no value, an unknown indicator: refused
            f"coverage;Школа 99;{PERIOD};",  # 7: no value, no such school: refused
            "coverage;Школа 1;2024-2026;",  # 8: no value, no period: refused
        ],
    )
    assert (summary["imported"], summary["updated"]) == (1, 0), summary
    assert await _stored(db) == {("coverage", PERIOD): 50}
    refused = {r["index"]: r["errors"][0] for r in summary["rejected"]}
    assert refused.keys() == {5, 6, 7, 8}
    assert refused[5]["loc"] == ["period"] and refused[5]["msg"].startswith("обязательное поле")
    assert refused[6]["loc"] == ["indicator_code"]
    assert refused[7]["loc"] == ["organization"] and "Школа 99" in refused[7]["msg"]
    assert refused[8]["loc"] == ["period"]
    assert [w for w in summary["warnings"] if w["loc"] == ["value"]] == [
        {
            "index": None,
            "loc": ["value"],
            "msg": "Пропущены 2 строки без значения (строки 2, 4): по ним ничего не сохранено",
        }
    ]


async def test_many_rows_without_a_value_are_counted(api_client, world, db):
    lines = [f"coverage;Школа 1;{2000 + n}/{2001 + n};" for n in range(12)]
    lines.append("coverage;Школа 1;2030/2031;1")
    summary = await _upload(api_client, world, lines)
    assert (summary["imported"], summary["rejected"]) == (1, [])
    [said] = [w["msg"] for w in summary["warnings"] if w["loc"] == ["value"]]
    assert said == (
        "Пропущено 12 строк без значения (строки 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 и ещё 2): "
        "по ним ничего не сохранено"
    )
    one = await _upload(api_client, world, [f"coverage;Школа 1;{PERIOD};"])
    assert (one["imported"], one["rejected"]) == (0, [])
    assert [w["msg"] for w in one["warnings"] if w["loc"] == ["value"]] == [
        "Пропущена 1 строка без значения (строка 2): по ней ничего не сохранено"
    ]


async def test_a_posted_null_value_is_still_refused(api_client, world, db):
    row = {
        "indicator_code": "coverage",
        "organization_id": str(world.s1.id),
        "period": PERIOD,
        "value": None,
    }
    answer = await api_client.post(
        "/v1/data-values", json={"values": [row]}, headers=world.headers("admin")
    )
    summary = answer.json()
    assert summary["imported"] == 0
    assert summary["rejected"][0]["errors"][0]["loc"] == ["value"], summary
    assert await _stored(db) == {}
