"""Roadmaps: written by hand or imported from the real documents, and tracked against dates."""

import asyncio
import io
from datetime import date

import docx
import httpx
import pytest

from tests.api.helpers import post_roadmap, roadmap_body, seed
from tests.factories import build_world


async def create(api_client, world, sections, period="2021/2022", who="analyst"):
    passport = {"goal": "Повышение объективности оценки"}
    answer = await post_roadmap(
        api_client, world, who, period=period, passport=passport, sections=sections
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


async def test_deadlines_are_parsed_against_the_roadmaps_period(api_client, world):
    roadmap = await create(
        api_client,
        world,
        [
            {
                "title": "Мониторинг",
                "activities": [
                    {"number": "1", "title": "Анкетирование", "deadline_text": "Сентябрь-ноябрь"},
                    {"number": "2", "title": "Анализ ВПР", "deadline_text": "Март"},
                    {
                        "number": "3",
                        "title": "Совещания",
                        "deadline_text": "ежемесячно (третья пятница месяца)",
                    },
                    {"number": "4", "title": "Непонятное", "deadline_text": "по потребности"},
                ],
            }
        ],
    )
    a1, a2, a3, a4 = roadmap["sections"][0]["activities"]
    assert (a1["due_start"], a1["due_end"]) == ("2021-09-01", "2021-11-30")
    assert (a2["due_start"], a2["due_end"]) == ("2022-03-01", "2022-03-31")
    assert a3["recurrence"] == "monthly" and a3["recurrence_detail"] == "третья пятница месяца"
    assert a4["deadline_kind"] == "unparsed" and a4["due_end"] is None
    assert a4["deadline_text"] == "по потребности"  # the original text is always kept
    assert roadmap["period_start"] == "2021-09-01" and roadmap["passport"]["goal"]


async def test_responsible_schools_and_staff_are_recognised(api_client, world):
    roadmap = await create(
        api_client,
        world,
        [
            {
                "title": "",
                "activities": [
                    {"title": "Семинар", "responsible": "Администрация «Школа 1», ИМЦ"},
                    {"title": "Отчёт", "responsible": "Руководители ОО"},
                ],
            }
        ],
    )
    first, second = roadmap["sections"][0]["activities"]
    assert first["responsible_organization_ids"] == [str(world.s1.id)]
    assert second["responsible_organization_ids"] == []


async def test_responsible_schools_are_recognised_as_files_name_them(api_client, world):
    """A roadmap names schools as files do (`matching.naming_keys`): with a legal form, a
    number sign «№» or «N» or none, in quotes; a school with another number is not named."""
    texts = [
        "Администрация МБОУ «Школа № 1»",
        "Школа N2, ИМЦ",
        "МБОУ «Школа №12»",
        "Школа 2021 года",
        "Школа № 1 и школа №2",
    ]
    activities = [{"title": f"Мероприятие {i}", "responsible": t} for i, t in enumerate(texts)]
    roadmap = await create(api_client, world, [{"title": "", "activities": activities}])
    found = [a["responsible_organization_ids"] for a in roadmap["sections"][0]["activities"]]
    s1, s2 = str(world.s1.id), str(world.s2.id)
    assert found[:4] == [[s1], [s2], [], []]
    assert sorted(found[4]) == sorted([s1, s2])


async def test_malformed_period_and_wrong_owner_are_422_naming_the_field(api_client, world):
    bad_period = await post_roadmap(api_client, world, title="X", period="2021/2023")
    assert bad_period.status_code == 422 and bad_period.json()["errors"][0]["loc"] == [
        "body",
        "period",
    ]
    body = {
        k: v for k, v in roadmap_body(world, title="X", level="region").items() if k != "period"
    }
    region_level = await api_client.post("/v1/roadmaps", json=body, headers=world.headers("admin"))
    assert region_level.status_code == 422 and region_level.json()["errors"][0]["loc"] == [
        "body",
        "level",
    ]


async def test_the_list_filters_by_period_and_refuses_a_malformed_one(api_client, world):
    for title, period in (("Карта 2021/2022", "2021/2022"), ("Карта 2022/2023", "2022/2023")):
        assert (
            await post_roadmap(api_client, world, title=title, period=period)
        ).status_code == 201
    listed = await api_client.get(
        "/v1/roadmaps", params={"period": "2022/2023"}, headers=world.headers("analyst")
    )
    assert [r["title"] for r in listed.json()["items"]] == ["Карта 2022/2023"]
    malformed = await api_client.get(
        "/v1/roadmaps", params={"period": "2022/2024"}, headers=world.headers("analyst")
    )
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["loc"] == ["query", "period"]


async def import_file(api_client, world, name: str, content: bytes, who="analyst", **form):
    fields = {
        "level": "municipality",
        "owner_type": "territory",
        "owner_id": str(world.m1.id),
    } | form
    return await api_client.post(
        "/v1/roadmaps/import",
        data=fields,
        files={"file": (name, content)},
        headers=world.headers(who),
    )


@pytest.mark.parametrize(("prefix", "activities"), [("000", 6), ("001", 18), ("004", 23)])
async def test_seed_roadmaps_import_with_every_activity(api_client, world, prefix, activities):
    answer = await import_file(api_client, world, *seed(prefix))
    assert answer.status_code == 201, answer.text
    body = answer.json()
    found = sum(len(s["activities"]) for s in body["roadmap"]["sections"])
    assert found == body["report"]["activities_found"] == activities
    report = body["report"]
    assert (
        report["deadlines_parsed"] + report["deadlines_missing"] + len(report["deadlines_unparsed"])
        == activities
    )


async def test_seed_001_takes_its_period_from_the_title(api_client, world):
    body = (await import_file(api_client, world, *seed("001"))).json()
    assert body["roadmap"]["period"] == "2019/2020"
    activities = body["roadmap"]["sections"][0]["activities"]
    assert (activities[0]["due_start"], activities[0]["due_end"]) == ("2019-06-01", "2019-08-31")
    assert activities[0]["deadline_text"] == "июнь - август, 2019"
    # "1-2 недели сентября, 2019": the first two weeks of September.
    assert (activities[3]["due_start"], activities[3]["due_end"]) == ("2019-09-01", "2019-09-14")


async def test_district_document_gives_one_roadmap_per_plan_with_a_report(api_client, world):
    body = (await import_file(api_client, world, *seed("002"))).json()
    assert body["report"]["roadmaps_found"] == len(body["roadmaps"]) == 10
    assert body["report"]["rows_skipped"], "the OCR noise is reported, not silently dropped"
    assert all(r["reason"] for r in body["report"]["rows_skipped"])
    listed = await api_client.get("/v1/roadmaps?limit=100", headers=world.headers("leader"))
    assert listed.json()["total"] == 11  # the ten imported and the world's own roadmap of M1


async def test_word_document_imports_like_its_text(api_client, world):
    document = docx.Document()
    document.add_paragraph("Дорожная карта")
    table = document.add_table(rows=1, cols=4)
    for cell, text in zip(
        table.rows[0].cells,
        ["№", "Этап работы", "Прогнозируемый результат", "Сроки выполнения"],
        strict=True,
    ):
        cell.text = text
    for number in range(1, 7):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = f"{number}.", f"Этап {number}"
        cells[2].text, cells[3].text = "Результат", "Ноябрь – декабрь 2019 г."
    buffer = io.BytesIO()
    document.save(buffer)
    answer = await import_file(api_client, world, "plan.docx", buffer.getvalue())
    assert answer.status_code == 201, answer.text
    activities = answer.json()["roadmap"]["sections"][0]["activities"]
    assert len(activities) == 6 and activities[0]["due_end"] == "2019-12-31"


async def test_unsupported_or_empty_document_is_422_naming_the_file(api_client, world):
    pdf = await import_file(api_client, world, "plan.pdf", b"%PDF-1.4")
    assert pdf.status_code == 422 and pdf.json()["errors"][0]["loc"] == ["body", "file"]
    empty = await import_file(api_client, world, "plan.txt", "Просто текст без таблицы".encode())
    assert empty.status_code == 422 and empty.json()["errors"][0]["loc"] == ["body", "file"]
    assert (await api_client.get("/v1/roadmaps", headers=world.headers("admin"))).json()[
        "total"
    ] == 2


@pytest.fixture
async def tracked(api_client, world):
    """A roadmap of known dates: two sections, six activities."""
    roadmap = await create(
        api_client,
        world,
        [
            {
                "title": "Подготовка",
                "activities": [
                    {"title": "A", "deadline_text": "Сентябрь 2021"},
                    {"title": "B", "deadline_text": "Октябрь 2021", "responsible": "Школа 1"},
                    {"title": "C", "deadline_text": "до 15.11.2021"},
                ],
            },
            {
                "title": "Анализ",
                "activities": [
                    {"title": "D", "deadline_text": "Декабрь 2021", "responsible": "Школа 1"},
                    {"title": "E", "deadline_text": "Май 2022"},
                    {"title": "F", "deadline_text": "Январь 2022"},
                ],
            },
        ],
    )
    ids = {a["title"]: a["id"] for s in roadmap["sections"] for a in s["activities"]}
    h = world.headers("analyst")
    for title, status, completed_on in (
        ("A", "done", "2021-09-20"),  # on time
        ("B", "done", "2021-11-03"),  # late
        ("C", "in_progress", None),  # overdue on 2021-12-01
        ("F", "cancelled", None),
    ):
        body = {"status": status, "comment": "по итогам совещания"}
        if completed_on:
            body["completed_on"] = completed_on
        answer = await api_client.patch(f"/v1/activities/{ids[title]}", json=body, headers=h)
        assert answer.status_code == 200, answer.text
    return roadmap, ids


async def test_progress_counts_done_on_time_overdue_and_due_soon(api_client, world, tracked):
    roadmap, _ = tracked
    answer = await api_client.get(
        f"/v1/roadmaps/{roadmap['id']}/progress?as_of=2021-12-01&due_soon_days=31",
        headers=world.headers("viewer"),
    )
    body = answer.json()
    overall = body["overall"]
    assert (overall["total"], overall["done"], overall["cancelled"]) == (6, 2, 1)
    assert overall["done_on_time"] == 1 and overall["overdue"] == 1  # C, due 15 November
    assert overall["due_soon"] == 1  # D, due 31 December
    assert overall["done_share"] == 40.0 and overall["overdue_share"] == 20.0  # of 5 not cancelled
    first, second = body["sections"]
    assert (first["title"], first["done"], first["overdue"]) == ("Подготовка", 2, 1)
    assert (second["title"], second["total"], second["cancelled"]) == ("Анализ", 3, 1)


async def test_activities_filter_by_overdue_responsible_and_due_window(api_client, world, tracked):
    roadmap, _ = tracked
    url = f"/v1/roadmaps/{roadmap['id']}/activities"
    h = world.headers("analyst")

    async def titles(query: str) -> list[str]:
        answer = await api_client.get(f"{url}?{query}", headers=h)
        assert answer.status_code == 200, answer.text
        return [a["title"] for a in answer.json()["items"]]

    assert await titles("overdue=true&as_of=2021-12-01") == ["C"]
    assert await titles("due_within_days=40&as_of=2021-12-01") == ["D"]
    assert await titles(f"responsible_organization_id={world.s1.id}") == ["B", "D"]
    assert await titles("status=done") == ["A", "B"]
    assert await titles("due_from=2022-01-01&due_to=2022-12-31") == ["E", "F"]
    # A school's to-do list across roadmaps.
    mine = await api_client.get(
        f"/v1/activities?responsible_organization_id={world.s1.id}", headers=world.headers("leader")
    )
    assert {a["title"] for a in mine.json()["items"]} == {"B", "D", "Анкетирование родителей"}


async def test_status_history_and_the_responsible_schools_leader(api_client, world, tracked):
    _, ids = tracked
    leader = world.headers("leader")
    answer = await api_client.patch(
        f"/v1/activities/{ids['D']}", json={"status": "done"}, headers=leader
    )
    assert answer.status_code == 200
    assert (
        answer.json()["completed_on"] == date.today().isoformat() or answer.json()["completed_on"]
    )
    # Activity E names no school: the leader may read it but not change it.
    assert (
        await api_client.patch(
            f"/v1/activities/{ids['E']}", json={"status": "done"}, headers=leader
        )
    ).status_code == 403
    history = (await api_client.get(f"/v1/activities/{ids['C']}/history", headers=leader)).json()
    assert [(h["from_status"], h["to_status"], h["comment"]) for h in history["items"]] == [
        ("planned", "in_progress", "по итогам совещания")
    ]
    assert history["items"][0]["changed_by"] == str(world.users["analyst"].id)


async def test_evidence_links_and_files(api_client, world, tracked):
    _, ids = tracked
    h = world.headers("leader")
    linked = await api_client.patch(
        f"/v1/activities/{ids['B']}",
        json={
            "evidence": [{"title": "Приказ № 15", "url": "https://school1.example/prikaz15.pdf"}]
        },
        headers=h,
    )
    assert linked.json()["evidence"][0]["title"] == "Приказ № 15"
    bad = await api_client.patch(
        f"/v1/activities/{ids['B']}",
        json={"evidence": [{"title": "x", "url": "not a url"}]},
        headers=h,
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"][:3] == ["body", "evidence", 0]
    uploaded = await api_client.post(
        f"/v1/activities/{ids['B']}/files",
        files={"file": ("протокол.docx", b"PK\x03\x04 minutes", "application/vnd.openxmlformats")},
        headers=h,
    )
    assert uploaded.status_code == 201 and uploaded.json()["size"] == 12
    download = await api_client.get(
        f"/v1/activities/{ids['B']}/files/{uploaded.json()['id']}", headers=world.headers("viewer")
    )
    assert download.content == b"PK\x03\x04 minutes"
    assert "filename*=UTF-8''%D0%BF" in download.headers["content-disposition"]


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        # A direction override showed «отчётexe.pdf» on every page listing the file.
        ("отчёт\u202efdp.exe", "отчётfdp.exe"),
        ("C:\\fakepath\\протокол.pdf", "протокол.pdf"),
        ("../../протокол.pdf", "протокол.pdf"),
        ("план   работы  2026.xlsx", "план работы 2026.xlsx"),
        ("\u200b", "file"),
        ("п" * 400 + ".docx", "п" * 295 + ".docx"),
    ],
)
async def test_a_files_name_is_kept_without_paths_or_invisible_characters(
    api_client, world, tracked, sent, kept
):
    _, ids = tracked
    uploaded = await api_client.post(
        f"/v1/activities/{ids['B']}/files",
        files={"file": (sent, b"%PDF-1.4 minutes", "application/pdf")},
        headers=world.headers("leader"),
    )
    assert uploaded.status_code == 201, uploaded.text
    assert uploaded.json()["file_name"] == kept
    listed = await api_client.get(
        f"/v1/activities/{ids['B']}/files", headers=world.headers("viewer")
    )
    assert listed.json()["total"] == 1
    assert [f["file_name"] for f in listed.json()["items"]] == [kept]


async def test_a_school_sees_its_municipalitys_roadmap_but_not_anothers(api_client, world):
    own = await api_client.get(f"/v1/roadmaps/{world.r1.id}", headers=world.headers("leader"))
    other = await api_client.get(f"/v1/roadmaps/{world.r2.id}", headers=world.headers("leader"))
    assert own.status_code == 200 and other.status_code == 404


@pytest.mark.committed
async def test_concurrent_changes_of_an_activity_record_each_status_change_once(
    apps, isolation, settings
):
    """Five clients mark one activity done at once (a double click, a retry): it is done once,
    from `planned`, with one line of history; then five «Вернуть в работу» at once give one
    more line."""
    async with isolation() as session:
        world = await build_world(session, settings)
        await session.commit()
    sections = [{"title": "Работа", "activities": [{"title": "A", "deadline_text": "Май 2022"}]}]
    transport = httpx.ASGITransport(app=apps.api)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        roadmap = await create(client, world, sections)
        activity = roadmap["sections"][0]["activities"][0]["id"]
        h = world.headers("analyst")

        async def mark(status: str) -> None:
            answers = await asyncio.gather(
                *(
                    client.patch(f"/v1/activities/{activity}", json={"status": status}, headers=h)
                    for _ in range(5)
                )
            )
            assert all(a.status_code == 200 for a in answers), [a.text for a in answers]

        await mark("done")
        await mark("in_progress")
        history = (await client.get(f"/v1/activities/{activity}/history", headers=h)).json()
    assert [(c["from_status"], c["to_status"]) for c in history["items"]] == [
        ("planned", "done"),
        ("done", "in_progress"),
    ]


@pytest.mark.parametrize(
    ("body", "said"),
    [
        # Backdated six years, before the 2021/2022 roadmap began: C, overdue, was «в срок».
        (
            {"status": "done", "completed_on": "2015-05-10"},
            "Дата 10.05.2015 больше чем за год до начала периода карты 2021/2022 (01.09.2021): "
            "проверьте год",
        ),
        ({"status": "done", "completed_on": "2020-08-31"}, "больше чем за год до начала"),
        ({"status": "done", "completed_on": "2090-01-01"}, "Дата 01.01.2090 ещё не наступила"),
        ({"status": "done", "completed_on": "2031-01-01"}, "ещё не наступила (сегодня "),
        # A date without «done» was dropped silently (200).
        ({"completed_on": "2021-11-01"}, "только у выполненного мероприятия"),
        ({"status": "in_progress", "completed_on": "2021-11-01"}, "только у выполненного"),
    ],
)
async def test_a_completion_date_is_a_day_that_came_within_the_roadmap(
    api_client, world, tracked, settings, body, said
):
    roadmap, ids = tracked
    path, h = f"/v1/activities/{ids['C']}", world.headers("analyst")
    answer = await api_client.patch(path, json=body, headers=h)
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["loc"] == ["body", "completed_on"] and said in error["msg"]
    stored = (await api_client.get(path, headers=h)).json()
    assert (stored["status"], stored["completed_on"]) == ("in_progress", None)
    progress = await api_client.get(
        f"/v1/roadmaps/{roadmap['id']}/progress?as_of=2021-12-01", headers=h
    )
    assert progress.json()["overall"]["overdue"] == 1  # C still overdue

    # Days it may have been done on: today, the period's first, and the summer before it (a
    # year's plan is begun then: last year's results analysed in August), a year at most.
    for day in ("2021-09-01", "2021-08-20", "2020-09-01", settings.today().isoformat()):
        done = await api_client.patch(path, json={"status": "done", "completed_on": day}, headers=h)
        assert done.status_code == 200, done.text
        assert done.json()["completed_on"] == day
        back = await api_client.patch(path, json={"status": "in_progress"}, headers=h)
        assert back.status_code == 200, back.text


async def test_an_activity_due_before_its_plan_s_year_is_completed_by_its_deadline(
    api_client, world
):
    """A 2021/2022 plan made in the summer names «до 30.08.2021» and one due in spring 2020
    (a plan's document may): each is done on or before its deadline, not refused as before
    the period; years before its deadline still are."""
    roadmap = await create(
        api_client,
        world,
        [
            {
                "title": "Подготовка",
                "activities": [
                    {"title": "Педсовет по итогам ВПР", "deadline_text": "до 30.08.2021"},
                    {"title": "Прошлый анализ", "deadline_text": "до 15.03.2020"},
                ],
            }
        ],
    )
    ids = {a["title"]: a["id"] for s in roadmap["sections"] for a in s["activities"]}
    h = world.headers("analyst")

    async def done(title: str, day: str):
        path = f"/v1/activities/{ids[title]}"
        return await api_client.patch(path, json={"status": "done", "completed_on": day}, headers=h)

    assert (await done("Педсовет по итогам ВПР", "2021-08-28")).status_code == 200
    assert (await done("Прошлый анализ", "2020-03-10")).status_code == 200
    assert (await done("Прошлый анализ", "2019-03-20")).status_code == 200
    early = await done("Прошлый анализ", "2019-03-14")
    assert early.status_code == 422, early.text
    assert early.json()["errors"][0]["msg"] == (
        "Дата 14.03.2019 больше чем за год до начала периода карты 2021/2022 (01.09.2021) и "
        "больше чем за год до срока мероприятия (15.03.2020): проверьте год"
    )
