"""«Загрузить данные» on the api's pages (/data-values/upload): a leader and an analyst send a
.csv or .xlsx of data values from a browser and read the import's summary in Russian; the
import is the API's (its rights: a leader's row of another school is refused; its dry run
stores nothing); the CSRF token and the upload limit are kept. In Debian's Chromium on a
phone: a leader checks a dv1-like file, then stores it, and reads the summary."""

import io
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from services.api.app import create_app as create_api
from services.api.data_values.models import DataValue
from services.api.indicators.models import Indicator
from shared.settings import MIB
from tests.api import test_pages, validation
from tests.api.browser import PHONE, signed_in_in_chromium
from tests.collections_world import add_collection
from tests.factories import add_data_indicator, build_world, committed_world
from tests.surveys.forms import Dom, csrf_of, in_a_browser

browser = test_pages.browser  # the pages' "browser" fixture: a client with its own cookie jar
signed_in = test_pages.signed_in
FAILURE = Path("/tmp/soko-pages-data-upload-failure.png")  # noqa: S108 - a fixed place to look at
PATH = "/data-values/upload"
PERIOD = "2024/2025"


async def add_indicators(session) -> None:
    await add_data_indicator(session, "coverage", "Охват дополнительным образованием", "percent")
    await add_data_indicator(session, "upbringing_program", "Программа воспитания", "boolean")


@pytest.fixture
async def world(db, settings):
    world = await build_world(db, settings)
    await add_indicators(db)
    return world


def dv1_like(world, *rows: str) -> bytes:
    """A CSV as a school's Excel saves it: Windows-1251, semicolons, decimal commas, «Да»;
    the organizations by name, the titles of the page's help; `rows` more below."""
    lines = [
        "Показатель;Организация;Период;Значение",
        f"coverage;Школа 1;{PERIOD};64,5",
        f"upbringing_program;Школа 1;{PERIOD};Да",
        *rows,
    ]
    return ("\r\n".join(lines) + "\r\n").encode("cp1251")


def token_of(page: httpx.Response) -> str:
    """The upload form's own token (one per rendered form); none on a page without the form."""
    fields = Dom(page.text).named("upload")
    return str(fields[0]["value"]) if fields else ""


async def post(client, page, content: bytes, action: str, name: str = "dv1.csv"):
    """The form of `page` sent with `content`; a summary's redirect (303) followed, as a
    browser does: the page it leads to, else the refusal."""
    answer = await send(client, page, content, action, name)
    if answer.status_code != 303:
        return answer
    assert answer.headers["location"].startswith(f"{PATH}?result="), answer.headers
    return await client.get(answer.headers["location"])


async def send(client, page, content: bytes, action: str, name: str = "dv1.csv"):
    return await client.post(
        PATH,
        data={"_csrf": csrf_of(page), "upload": token_of(page), "action": action},
        files={"file": (name, content, "text/csv")},
    )


async def stored(db) -> dict[tuple[str, str], float]:
    rows = await db.execute(
        select(Indicator.code, DataValue.organization_id, DataValue.value).join(
            Indicator, Indicator.id == DataValue.indicator_id
        )
    )
    return {(code, str(org)): value for code, org, value in rows}


class Rows(HTMLParser):
    """The body rows of the table with id `table_id`: each a list of its cells' texts."""

    def __init__(self, html: str, table_id: str) -> None:
        super().__init__()
        self.table_id, self.inside, self.body = table_id, False, False
        self.rows: list[list[str]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.inside = dict(attrs).get("id") == self.table_id
        self.body = self.body or (self.inside and tag == "tbody")
        if self.body and tag == "tr":
            self.rows.append([])
        if self.body and tag in ("td", "th"):
            self.rows[-1].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.inside = self.body = False

    def handle_data(self, data: str) -> None:
        if self.body and self.rows and self.rows[-1]:
            self.rows[-1][-1] = " ".join((self.rows[-1][-1] + data).split())


def table(answer: httpx.Response, table_id: str) -> list[list[str]]:
    rows = Rows(answer.text, table_id).rows
    assert rows, answer.text
    return rows


async def test_a_leader_checks_then_stores_their_school_s_values(browser, world, db):
    client, home = await signed_in(browser, "leader@soko.example")
    assert f'href="{PATH}"' in home.text
    page = await client.get(PATH)
    assert page.status_code == 200 and "Проверить без сохранения" in page.text
    assert Dom(page.text).label("data-file") == "Файл с данными (.csv или .xlsx)"
    # S2 is in the leader's district, but not theirs: the API refuses that row, the page says so
    content = dv1_like(world, f"coverage;Школа 2;{PERIOD};20,33", f"nope;Школа 1;{PERIOD};1")
    checked = await post(client, page, content, "check")
    assert checked.status_code == 200, checked.text
    assert "Проверка без сохранения: dv1.csv" in checked.text
    assert (
        "Ничего не сохранено. Если загрузить этот файл, будет: новых значений — 2" in checked.text
    )
    assert await stored(db) == {}  # a dry run stores nothing
    refused = table(checked, "rejected-table")
    assert [row[:2] for row in refused] == [["4", "Организация"], ["5", "Показатель"]], refused
    assert "нет показателя с кодом «nope»" in refused[1][2]
    again = await post(client, checked, content, "store")
    assert again.status_code == 200 and "Файл загружен: dv1.csv" in again.text
    assert "Сохранено: новых значений — 2, изменённых — 0" in again.text
    assert await stored(db) == {
        ("coverage", str(world.s1.id)): 64.5,
        ("upbringing_program", str(world.s1.id)): 1.0,
    }
    twice = await post(client, again, content, "store")
    assert "новых значений — 0, изменённых — 0, без изменений — 2" in twice.text


async def test_a_reload_or_a_second_post_of_one_form_stores_nothing_again(browser, world, db):
    """Post/Redirect/Get: the summary is a page of its own, which a reload reads again; the
    same form sent again (a double click, «resend» of an old page) leads to the first
    summary, never storing the file a second time over a value changed since."""
    client, _ = await signed_in(browser, "leader@soko.example")
    page = await client.get(PATH)
    content = dv1_like(world)
    answer = await send(client, page, content, "store")
    assert answer.status_code == 303, answer.text
    result = answer.headers["location"]
    shown = await client.get(result)
    assert shown.status_code == 200 and "Файл загружен: dv1.csv" in shown.text
    assert "Сохранено: новых значений — 2, изменённых — 0" in shown.text
    # someone corrects the value on another page, then the old form is sent again
    later = await client.get(PATH)
    fixed = f"Показатель;Организация;Период;Значение\ncoverage;Школа 1;{PERIOD};70\n"
    assert "изменённых — 1" in (await post(client, later, fixed.encode("cp1251"), "store")).text
    again = await send(client, page, content, "store")
    assert again.status_code == 303 and again.headers["location"] == result
    reloaded = await client.get(result)
    assert "Сохранено: новых значений — 2, изменённых — 0" in reloaded.text
    assert (await stored(db))[("coverage", str(world.s1.id))] == 70.0
    # a new form of the result page stores the same file anew; another visitor reads no result
    anew = await post(client, reloaded, content, "store")
    assert "изменённых — 1" in anew.text
    assert (await stored(db))[("coverage", str(world.s1.id))] == 64.5
    other, _ = await signed_in(browser, "analyst@soko.example")
    theirs = await other.get(result)
    assert theirs.status_code == 200 and "Файл загружен" not in theirs.text


async def test_an_analyst_stores_the_district_s_schools_and_reads_the_warnings(browser, world, db):
    client, home = await signed_in(browser, "analyst@soko.example")
    assert f'href="{PATH}"' in home.text
    page = await client.get(PATH)
    content = dv1_like(world, f"coverage;Школа 2;{PERIOD};20,33", f"coverage;Школа 3;{PERIOD};5")
    content = content.replace("Значение".encode("cp1251"), "Значение;Примечание".encode("cp1251"))
    answer = await post(client, page, content, "store")
    assert answer.status_code == 200, answer.text
    assert "Сохранено: новых значений — 3" in answer.text
    assert [row[:2] for row in table(answer, "rejected-table")] == [
        ["5", "Организация"]
    ]  # another district
    texts = table(answer, "warnings-table")
    assert ["весь файл", "Примечание", "столбец «Примечание» не используется: пропущен"] in texts
    assert texts[0][:2] == ["весь файл", "Файл"] and "Windows-1251" in texts[0][2], texts
    assert set(await stored(db)) == {
        ("coverage", str(world.s1.id)),
        ("upbringing_program", str(world.s1.id)),
        ("coverage", str(world.s2.id)),
    }


async def test_a_broken_validation_rule_is_listed_with_the_school(
    browser, api_client, db, settings
):
    world = await validation.validation_world(db, settings)
    await validation.add_rule(api_client, world)
    client, _ = await signed_in(browser, "leader@soko.example")
    page = await client.get(PATH)
    lines = ["Показатель;Организация;Период;Значение"] + [
        f"{code};Школа 1;{validation.PERIOD};{value}"
        for code, value in (("students_total", 100), ("students_passed", 120))
    ]
    answer = await post(client, page, "\n".join(lines).encode(), "store", "gia.csv")
    assert answer.status_code == 200 and "новых значений — 2" in answer.text, answer.text
    assert table(answer, "violations-table") == [
        [
            "Школа 1",
            validation.PERIOD,
            "Сдавших больше, чем обучающихся",
            "«Обучающихся, сдавших ГИА» = 120; «Обучающихся всего» = 100",
            "высокая",
        ]
    ]  # the figures to fix are said, named, not only the rule


async def test_a_file_refused_whole_is_said_on_the_page(browser, world, db):
    client, _ = await signed_in(browser, "leader@soko.example")
    page = await client.get(PATH)
    for name, content, said in (
        ("a.csv", "Имя;Фамилия\r\nА;Б\r\n".encode("cp1251"), "Не найдены столбцы"),
        ("b.xlsx", b"not a workbook", "не читается"),
    ):
        answer = await post(client, page, content, "store", name)
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"].startswith("text/html")
        assert said in answer.text and f"Файл не принят: {name}" in answer.text
    empty = await client.post(PATH, data={"_csrf": csrf_of(page), "action": "store"})
    assert empty.status_code == 422 and "Выберите файл .csv или .xlsx." in empty.text
    stale = await client.post(PATH, data={"action": "store"}, files={"file": ("a.csv", b"x")})
    assert stale.status_code == 403 and "Страница устарела" in stale.text
    assert await stored(db) == {}


async def test_a_field_sent_twice_stores_nothing_and_says_which(browser, world, db):
    """Two buttons' values in one post (a check or a store?) or two form tokens: the 422 page
    names the field, nothing is stored, not even as a dry run."""
    client, _ = await signed_in(browser, "leader@soko.example")
    page = await client.get(PATH)
    fields = {"_csrf": csrf_of(page), "upload": token_of(page), "action": "store"}
    for field, values in (("action", ["check", "store"]), ("upload", [token_of(page), "x"])):
        refused = await client.post(
            PATH,
            data=fields | {field: values},
            files={"file": ("dv1.csv", dv1_like(world), "text/csv")},
        )
        assert refused.status_code == 422, refused.text
        assert f"Поле «{field}» отправлено несколько раз" in refused.text
    assert await stored(db) == {}
    stores = await post(client, page, dv1_like(world), "store")  # the form as it is: stored
    assert "новых значений — 2" in stores.text


async def test_roles_that_may_not_import_are_refused(browser, world, db):
    for who in ("viewer@soko.example", "teacher@soko.example"):
        client, home = await signed_in(browser, who)
        assert f'href="{PATH}"' not in home.text
        page = await client.get(PATH)
        assert page.status_code == 403 and "Недостаточно прав" in page.text, who
        refused = await post(client, home, dv1_like(world), "store")
        assert refused.status_code == 403, who
        template = await client.get(f"{PATH}/template.xlsx")  # of no use to them either
        assert template.status_code == 403 and "Недостаточно прав" in template.text, who
    assert await stored(db) == {}


async def test_the_template_has_the_help_s_columns(browser, world):
    client, _ = await signed_in(browser, "leader@soko.example")
    answer = await client.get(f"{PATH}/template.xlsx")
    assert answer.status_code == 200
    sheet = load_workbook(io.BytesIO(answer.content)).active
    assert [c.value for c in sheet[1]] == ["Показатель", "Организация", "Период", "Значение"]


async def test_the_page_and_the_template_name_the_codes_the_school_s_collections_ask_for(
    browser, world, db
):
    """«Показатель — код показателя из каталога» and no page showing one: a leader could not
    find the codes (a fresh tester's finding). The page lists those of the school's open
    collections; the template has a row to fill for each, which then imports as it is."""
    indicators = list(
        await db.scalars(
            select(Indicator).where(Indicator.code.in_(["coverage", "upbringing_program"]))
        )
    )
    window = {PERIOD: (date(2000, 9, 1), date(2090, 10, 1))}
    await add_collection(db, world.m1, indicators, window, name="Мониторинг воспитания")
    await db.commit()
    client, _ = await signed_in(browser, "leader@soko.example")
    page = await client.get(PATH)
    assert Rows(page.text, "asked-table").rows[:2] == [
        ["coverage", "Охват дополнительным образованием", "процент, от 0 до 100", PERIOD,
         "Мониторинг воспитания"],
        ["upbringing_program", "Программа воспитания", "да / нет", PERIOD,
         "Мониторинг воспитания"],
    ]  # fmt: skip
    assert "МБОУ «СОШ № 1»" not in page.text  # the example names the leader's own school
    book = load_workbook(io.BytesIO((await client.get(f"{PATH}/template.xlsx")).content))
    rows = [[c.value for c in row] for row in book["Данные"].iter_rows(min_row=2)]
    assert rows == [
        ["coverage", "Школа 1", PERIOD, None],
        ["upbringing_program", "Школа 1", PERIOD, None],
        ["e_planning", "Школа 1", "2021/2022", None],  # the world's own collection
    ]
    listed = [c.value for c in book["Показатели"]["A"]][1:]
    assert listed == ["coverage", "upbringing_program", "e_planning"]
    # Filled in and sent back, the template imports as it is.
    book["Данные"]["D2"], book["Данные"]["D3"], book["Данные"]["D4"] = 64.5, "да", "нет"
    filled = io.BytesIO()
    book.save(filled)
    home = await client.get(PATH)
    stored_page = await post(client, home, filled.getvalue(), "store", "шаблон.xlsx")
    assert "новых значений — 3" in stored_page.text, stored_page.text
    assert "прочитано как" not in stored_page.text  # «да», «нет» as asked: nothing to warn of
    # The analyst's example names a school of the district, not one that does not exist.
    analyst, _ = await signed_in(browser, "analyst@soko.example")
    page = await analyst.get(PATH)
    assert "МБОУ «СОШ № 1»" not in page.text and "Школа 1" in page.text


async def test_the_example_rows_are_values_the_import_takes(browser, world, db):
    """The page's example gave «12,5» for any indicator not a percent, count or yes/no, and
    64,5 for a percent whatever its `max`: a leader copying it for a score of 1 to 5 had the
    row refused. Each example lies within its indicator's bounds, and the example rows,
    sent as a file, are stored."""
    score = Indicator(
        code="lesson_score", name="Оценка урока", unit="score", level="organization",
        method="data_value", params={"value_type": "number", "min": 1, "max": 5},
    )  # fmt: skip
    db.add(score)
    share = await add_data_indicator(db, "share_half", "Доля до половины", "percent", max=50)
    window = {PERIOD: (date(2000, 9, 1), date(2090, 10, 1))}
    await add_collection(db, world.m1, [score, share], window, name="Мониторинг уроков")
    await db.commit()
    client, _ = await signed_in(browser, "leader@soko.example")
    page = await client.get(PATH)
    # What a value is, with each indicator's own bounds.
    words = [row[2] for row in Rows(page.text, "asked-table").rows[:2]]
    assert words == ["процент, от 0 до 50", "число (балл), от 1 до 5"]
    examples = Rows(page.text, "example-table").rows
    assert examples == [
        ["share_half", "Школа 1", PERIOD, "25"],
        ["lesson_score", "Школа 1", PERIOD, "3"],
    ]
    lines = ["Показатель;Организация;Период;Значение", *(";".join(row) for row in examples)]
    stored = await post(client, page, "\r\n".join(lines).encode("cp1251"), "store")
    assert "новых значений — 2" in stored.text, stored.text


async def test_a_file_past_the_upload_limit_is_refused_on_the_page(world, settings, apps, db):
    small = create_api(settings.model_copy(update={"upload_max_bytes": 1000}))
    small.dependency_overrides = apps.api.dependency_overrides  # the test's transaction
    transport = httpx.ASGITransport(app=small)
    async with (
        small.router.lifespan_context(small),
        httpx.AsyncClient(transport=transport, base_url="http://api") as client,
    ):
        await test_pages.sign_in(client, "leader@soko.example")
        page = await client.get(PATH)
        assert "До 1000\u00a0байт и до 10\u00a0000 строк с данными." in page.text
        big = await post(client, page, dv1_like(world) + b"x" * 1500, "store", "big.csv")
        # Past the whole body's limit, the file is refused before the page is reached: a
        # browser still reads why, in Russian, never the API's problem+json.
        huge = await client.post(
            PATH,
            data={"_csrf": csrf_of(page), "action": "store"},
            files={"file": ("huge.csv", b"x" * (2 * MIB), "text/csv")},
            headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8", "referer": PATH},
        )
    assert big.status_code == 413 and "<li>Файл больше 1000 байт.</li>" in big.text
    assert "SOKO_UPLOAD_MAX_BYTES" not in big.text
    assert huge.status_code == 413 and huge.headers["content-type"].startswith("text/html")
    assert "Слишком большой файл" in huge.text and "Файл больше 1000 байт." in huge.text
    assert "запрос больше" not in huge.text and "SOKO_UPLOAD_MAX_BYTES" not in huge.text
    assert f'href="{PATH}"' in huge.text
    assert await stored(db) == {}


@in_a_browser
async def test_a_leader_uploads_a_file_on_a_phone(apps, isolation, settings, playwright, tmp_path):
    world = await committed_world(isolation, settings)
    async with isolation() as session:
        await add_indicators(session)
        await session.commit()
    csv = tmp_path / "dv1.csv"
    csv.write_bytes(dv1_like(world, f"nope;Школа 1;{PERIOD};1"))
    expect = playwright.expect
    async with signed_in_in_chromium(
        settings, playwright, "leader@soko.example", "Мероприятия — Школа 1", FAILURE
    ) as (_, page, problems):
        await page.get_by_role("link", name="Загрузить данные").click()
        await expect(page.locator("h1")).to_have_text("Загрузить данные")
        await page.get_by_label("Файл с данными").set_input_files(str(csv))
        await page.get_by_role("button", name="Проверить без сохранения").click()
        status = page.get_by_role("status")
        await expect(status).to_contain_text("Ничего не сохранено")
        await expect(status).to_contain_text("новых значений — 2")
        table = page.get_by_role("region", name="Отклонённые строки")
        await expect(table).to_contain_text("нет показателя с кодом «nope»")
        assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        await page.get_by_label("Файл с данными").set_input_files(str(csv))
        await page.get_by_role("button", name="Загрузить", exact=True).click()
        await expect(page.get_by_role("status")).to_contain_text("Сохранено: новых значений — 2")
        await page.reload()  # the summary's own page: read again, nothing sent again
        await expect(page.get_by_role("status")).to_contain_text("Сохранено: новых значений — 2")
        assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert problems == []
    async with isolation() as session:
        values = await session.scalars(
            select(DataValue.value).where(DataValue.organization_id == world.s1.id)
        )
        assert sorted(values) == [1.0, 64.5]


async def test_a_file_whose_every_row_is_refused_is_not_said_to_be_loaded(browser, world, db):
    client, _ = await signed_in(browser, "leader@soko.example")
    page = await client.get(PATH)
    rows = [f"nope_{n};Школа 1;{PERIOD};1" for n in range(4)]
    lines = ["Показатель;Организация;Период;Значение", f"coverage;Школа 2;{PERIOD};20", *rows]
    lines.append(f"coverage;Школа 1;{PERIOD};много")
    content = ("\r\n".join(lines) + "\r\n").encode("cp1251")
    answer = await post(client, page, content, "store", "bad.csv")
    assert answer.status_code == 200, answer.text
    said = Dom(answer.text).text("main")
    assert "Файл загружен" not in said
    assert "Ни одна строка не сохранена: bad.csv" in said
    assert "Ничего не сохранено: все строки отклонены (6)." in said
    assert len(table(answer, "rejected-table")) == 6
    assert await stored(db) == {}
