"""Why a file was not taken, as the pages say it: each reason once, in plain Russian (no
setting's name), as sentences ending with a full stop, naming the rows a reason is about
(«Загрузить данные»: a file past the rows' limit, values closed by an approval); a file too
big for an activity's evidence: the form again with the link typed, or — past what can be
read — a plain page leading back; file sizes as people read them («5,0 МБ», «340 КБ»)."""

import httpx

from services.api.app import create_app as create_api
from services.api.roadmaps.models import ActivityFile
from shared.numbers import file_size
from shared.settings import MIB
from tests.api import test_pages
from tests.api.test_approvals import PERIOD, act, approval_world, post_values, values
from tests.api.test_pages_data_upload import (
    PATH,
    add_indicators,
    dv1_like,
    post,
)
from tests.api.test_pages_data_upload import (
    PERIOD as UPLOAD_PERIOD,
)
from tests.factories import build_world
from tests.surveys.forms import Dom, csrf_of

browser = test_pages.browser
signed_in = test_pages.signed_in
HEADER = "Показатель;Организация;Период;Значение"


def problems(answer: httpx.Response) -> list[str]:
    """The listed reasons of the page's «Файл не принят» box."""
    box = answer.text[answer.text.index('id="upload-problems"') :]
    box = box[: box.index("</div>")]
    items = box.split("<li>")[1:]
    return [" ".join(i[: i.index("</li>")].replace("\xa0", " ").split()) for i in items]


def test_file_sizes_read_as_people_read_them():
    said = {n: file_size(n) for n in (14, 1000, 1536, 340 * 1024, 5120 * 1024, 20 * MIB)}
    assert said == {
        14: "14\xa0байт", 1000: "1000\xa0байт", 1536: "1,5\xa0КБ", 340 * 1024: "340\xa0КБ",
        5120 * 1024: "5,0\xa0МБ", 20 * MIB: "20\xa0МБ",
    }  # fmt: skip
    assert file_size(1024 * 1024 - 1) == "1,0\xa0МБ"  # never «1024 КБ»
    assert file_size(int(2.25 * MIB)) == "2,3\xa0МБ"  # half up, once


async def test_values_closed_by_an_approval_are_refused_naming_the_rows_once(
    browser, db, settings, api_client
):
    world = await approval_world(db, settings)
    assert (await post_values(api_client, world, values(world))).status_code == 200
    assert (await act(api_client, world, "submit", "leader")).status_code == 200
    assert (await act(api_client, world, "approve", "analyst")).status_code == 200
    client, _ = await signed_in(browser, "leader@soko.example")
    page = await client.get(PATH)
    rows = [HEADER, f"e_planning;Школа 1;{PERIOD};нет", f"teachers_trained;Школа 1;{PERIOD};90"]
    answer = await post(client, page, "\r\n".join(rows).encode(), "store", "after.csv")
    assert answer.status_code == 409
    said = problems(answer)
    assert len(said) == 2, said
    assert said[0].startswith("Значения закрыты для изменений: данные «Школа 1»")
    assert said[0].endswith(". Изменить их можно после отзыва утверждения.")
    # Both rows change an approved value: said in one sentence naming them.
    assert (
        said[1] == "Строки 2, 3: значение утверждено — изменить его можно после отзыва утверждения."
    )
    assert answer.text.count("по сбору «Сбор района»") == 1  # the approval, said once


async def test_a_file_past_the_rows_limit_is_said_to_be_refused_once(browser, db, settings):
    await build_world(db, settings)
    client, _ = await signed_in(browser, "leader@soko.example")
    page = await client.get(PATH)
    rows = [HEADER, *(f"e_planning;Школа 1;{PERIOD};да" for _ in range(10_001))]
    answer = await post(client, page, "\r\n".join(rows).encode(), "store", "big.csv")
    assert answer.status_code == 422
    assert problems(answer) == ["В файле больше 10 000 строк с данными."]
    assert answer.text.count("Файл не принят") == 1  # the heading's, naming the file
    assert "Файл не принят: big.csv" in answer.text


async def test_a_file_too_big_for_the_evidence_brings_the_form_back_with_the_link(
    world, settings, apps, db
):
    small = create_api(settings.model_copy(update={"upload_max_bytes": 1000}))
    small.dependency_overrides = apps.api.dependency_overrides  # the test's transaction
    evidence = f"/activities/{world.a1.id}/evidence"
    link = {"url": "https://school1.example/seminar", "title": "Семинар"}
    async with (
        small.router.lifespan_context(small),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=small), base_url="http://api") as c,
    ):
        await test_pages.sign_in(c, "leader@soko.example")
        page = await c.get(evidence)
        posted = await c.post(
            evidence,
            data=link | {"_csrf": csrf_of(page)},
            files={"file": ("отчёт.pdf", b"x" * 1500, "application/pdf")},
        )
        assert posted.status_code == 303, posted.text
        again = await c.get(posted.headers["location"])
        # Past what a form may hold, the body is refused unread: a plain page leading back.
        huge = await c.post(
            evidence,
            data=link | {"_csrf": csrf_of(page)},
            files={"file": ("видео.mp4", b"x" * (2 * MIB), "video/mp4")},
            headers={"accept": "text/html", "referer": f"http://api{evidence}"},
        )
    said = Dom(again.text).text("attach-problems").replace("\xa0", " ")
    assert "Ссылка и файл не приложены" in said
    assert "Файл больше 1000 байт: приложите файл поменьше или дайте ссылку на него." in said
    dom = Dom(again.text)
    assert [f["value"] for f in dom.named("url")] == [link["url"]]
    assert [f["value"] for f in dom.named("title")] == [link["title"]]
    assert huge.status_code == 413
    text = huge.text.replace("\xa0", " ")
    assert "Файл больше 1000 байт. Ничего не сохранено" in text
    assert "SOKO_" not in text and "запрос больше" not in text
    assert f'href="{evidence}"' in text
    await db.refresh(world.a1)
    assert world.a1.evidence == []


async def test_the_evidence_page_says_file_sizes_in_russian(browser, world, db):
    for name, size in (("план.pdf", 5120 * 1024), ("фото.jpg", 340 * 1024)):
        kind = "application/pdf"
        db.add(
            ActivityFile(activity_id=world.a1.id, file_name=name, size=size, content_type=kind,
                         sha256="0" * 64, content=b"x")
        )  # fmt: skip
    await db.flush()
    client, _ = await signed_in(browser, "leader@soko.example")
    page = (await client.get(f"/activities/{world.a1.id}/evidence")).text.replace("\xa0", " ")
    assert "(5,0 МБ, " in page and "(340 КБ, " in page and "(3 байт, " in page
    assert "КБ" not in page.replace("(340 КБ, ", "")


async def test_a_check_with_refused_rows_does_not_look_like_success(browser, db, settings):
    """«Проверить без сохранения» with refused rows was a green box: it is the warning's, the
    refused rows counted first; a clean check stays green."""
    world = await build_world(db, settings)
    await add_indicators(db)
    client, _ = await signed_in(browser, "leader@soko.example")
    page = await client.get(PATH)
    rows = dv1_like(world, f"nope;Школа 1;{UPLOAD_PERIOD};1", f"coverage;Школа 2;{UPLOAD_PERIOD};5")
    for action, said in (
        ("check", "Отклонены 2 строки: они не будут сохранены (причины — ниже)."),
        ("store", "Отклонены 2 строки: они не сохранены (причины — ниже)."),
    ):
        answer = await post(client, page, rows, action)
        box = status_box(answer)
        assert box.startswith('<div class="warning" role="status">'), box
        assert said in box and "отклонено строк — 2." in box
    clean = await post(client, await client.get(PATH), dv1_like(world), "check")
    box = status_box(clean)
    assert box.startswith('<div class="notice" role="status">') and "Отклонен" not in box


def status_box(answer: httpx.Response) -> str:
    text = answer.text
    start = text.rindex("<div", 0, text.index('role="status"'))
    return " ".join(text[start : text.index("</div>", start)].replace("\xa0", " ").split())
