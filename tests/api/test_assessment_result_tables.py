"""Assessment results uploaded as school systems export them (issue 14): subjects with NBSP or
doubled spaces, procedures by their Russian name, Russian column titles."""

import pytest
from sqlalchemy import select

from services.api.assessments.models import (
    AssessmentProcedure,
    AssessmentResult,
    AssessmentSubject,
)
from tests.api.test_data_value_tables import case


async def upload(client, world, name: str, content: bytes) -> dict:
    answer = await client.post(
        "/v1/assessment-results/upload",
        files={"file": (name, content)},
        headers=world.headers("admin"),
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


async def results(db, world) -> set[tuple[str, str, int, int]]:
    schools = {getattr(world, s).id: s for s in ("s1", "s2", "s3")}
    rows = await db.scalars(select(AssessmentResult).where(AssessmentResult.year == "2031"))
    return {(schools[r.organization_id], r.subject, r.grade, r.participants) for r in rows}


async def test_ar1_subjects_and_procedures_as_a_school_exports_them(api_client, world, db):
    content = case(world, "ar1_assessment_school_export.xlsx")
    summary = await upload(api_client, world, "ar1.xlsx", content)
    assert (summary["imported"], summary["rejected"]) == (4, [])
    assert await results(db, world) == {
        ("s1", "Русский язык", 4, 50),
        ("s2", "Математика", 4, 40),
        ("s3", "Окружающий мир", 4, 30),
        ("s3", "Математика", 4, 30),
    }
    assert summary["warnings"] == [
        {
            "index": None,
            "loc": ["Наименование ОО"],
            "msg": "столбец «Наименование ОО» не используется: пропущен",
        },
        {  # a number kept as text, said as the data values say it
            "index": 2,
            "loc": ["mean_score"],
            "msg": "значение записано в ячейке текстом «25,4» — прочитано как 25,4",
        },
        {
            "index": 2,
            "loc": ["subject"],
            "msg": "предмет: «Русский·язык» → Русский язык (неразрывный пробел)",
        },
        {
            "index": 4,
            "loc": ["subject"],
            "msg": "предмет: «Окружающий··мир» → Окружающий мир (двойной пробел)",
        },
        {"index": 5, "loc": ["procedure"], "msg": "процедура: «ВПР» → vpr"},
    ]


async def test_russian_titles_and_procedure_names_are_matched(api_client, world, db):
    content = (
        "ID ОО;Процедура;Год;Предмет;Класс;Количество участников;Отметка «5»;Отметка 2;"
        "Отметка 3;Отметка 4\r\n"
        f"{world.s1.id};Всероссийские проверочные работы (ВПР);2031;русский язык;4;"
        "10;1;2;3;4\r\n"
    ).encode("cp1251")
    summary = await upload(api_client, world, "r.csv", content)
    assert (summary["imported"], summary["rejected"]) == (1, [])
    (stored,) = await db.scalars(select(AssessmentResult).where(AssessmentResult.year == "2031"))
    assert (stored.subject, stored.mark_5, stored.mark_2) == ("Русский язык", 1, 2)


async def test_organizations_are_found_by_name_when_no_id_is_given(api_client, world, db):
    content = (
        "ОО;procedure;year;subject;grade;participants\r\n"
        "школа\u00a01;vpr;2031;Математика;4;10\r\n"
        "Школа 7;vpr;2031;Математика;4;10\r\n"
    ).encode()
    summary = await upload(api_client, world, "r.csv", content)
    assert summary["imported"] == 1
    assert await results(db, world) == {("s1", "Математика", 4, 10)}
    assert summary["rejected"] == [
        {
            "index": 3,
            "errors": [
                {
                    "loc": ["organization"],
                    "msg": "организация «Школа 7» не найдена или вне вашей зоны доступа "
                    "(строка 3, столбец 1 «ОО»)",
                }
            ],
        }
    ]


async def test_a_posted_procedure_may_be_its_russian_abbreviation(api_client, world, db):
    row = {
        "organization_id": str(world.s1.id),
        "procedure": "впр",
        "year": "2031",
        "subject": "Окружающий  мир",
        "grade": 4,
        "participants": 12,
    }
    answer = await api_client.post(
        "/v1/assessment-results", json={"results": [row]}, headers=world.headers("admin")
    )
    summary = answer.json()
    assert (summary["imported"], summary["rejected"]) == (1, [])
    assert summary["warnings"] == [
        {"index": 0, "loc": ["procedure"], "msg": "процедура: «впр» → vpr"},
        {
            "index": 0,
            "loc": ["subject"],
            "msg": "предмет: «Окружающий··мир» → Окружающий мир (двойной пробел)",
        },
    ]
    assert await results(db, world) == {("s1", "Окружающий мир", 4, 12)}


async def post(client, world, row: dict) -> dict:
    answer = await client.post(
        "/v1/assessment-results", json={"results": [row]}, headers=world.headers("admin")
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def vpr_row(world, procedure: str, subject: str = "Математика") -> dict:
    return {
        "organization_id": str(world.s1.id),
        "procedure": procedure,
        "year": "2031",
        "subject": subject,
        "grade": 4,
        "participants": 12,
    }


@pytest.mark.parametrize(
    ("written", "said"),
    [
        # the catalogue's name without «(ВПР)»
        ("Всероссийские проверочные работы", "«Всероссийские проверочные работы» → vpr"),
        (
            "всероссийские  проверочные\u00a0работы",
            "«всероссийские··проверочные·работы» → vpr (неразрывный пробел, двойной пробел)",
        ),
        (
            "ВСЕРОССИЙСКИЕ ПРОВЕРОЧНЫЕ РАБОТЫ (ВПР)",
            "«ВСЕРОССИЙСКИЕ ПРОВЕРОЧНЫЕ РАБОТЫ (ВПР)» → vpr",
        ),
        (
            " Всероссийские проверочные работы\u202f(впр) ",
            "«Всероссийские проверочные работы·(впр)» → vpr (неразрывный пробел)",
        ),
    ],
)
async def test_a_procedure_by_its_full_name_in_any_spelling(api_client, world, db, written, said):
    summary = await post(api_client, world, vpr_row(world, written))
    assert (summary["imported"], summary["rejected"]) == (1, [])
    assert await results(db, world) == {("s1", "Математика", 4, 12)}
    (warning,) = summary["warnings"]
    assert (warning["loc"], warning["msg"]) == (["procedure"], f"процедура: {said}")


async def test_yo_and_ye_are_one_letter_in_procedures_and_subjects(api_client, world, db):
    procedure = AssessmentProcedure(
        code="mon_yo", name="Мониторинг учёта достижений (МУД)", kind="regional"
    )
    db.add(procedure)
    await db.flush()
    db.add(
        AssessmentSubject(
            procedure_id=procedure.id, subject="Естествознание", grade=4, max_primary_score=20
        )
    )
    await db.flush()
    row = vpr_row(world, "мониторинг учета достижений", "ёстествознание")
    summary = await post(api_client, world, row)
    assert (summary["imported"], summary["rejected"]) == (1, [])
    assert await results(db, world) == {("s1", "Естествознание", 4, 12)}
    assert [w["msg"] for w in summary["warnings"]] == [
        "процедура: «мониторинг учета достижений» → mon_yo",  # by the name, without «(МУД)»
        "предмет: «ёстествознание» → Естествознание (ё/е, регистр)",
    ]


async def test_an_id_in_the_organization_name_column_of_results(api_client, world, db):
    content = (
        "ОО;Процедура;Год;Предмет;Класс;Количество участников\r\n"
        f"{str(world.s2.id).upper()};ВПР;2031;Математика;4;40\r\n"
    ).encode("cp1251")
    summary = await upload(api_client, world, "r.csv", content)
    assert (summary["imported"], summary["rejected"]) == (1, [])
    assert await results(db, world) == {("s2", "Математика", 4, 40)}
    shaped = str(world.s2.id).upper()
    message = f"в столбце названий организаций идентификатор {shaped}: прочитан как id"
    assert {"index": 2, "loc": ["organization_id"], "msg": message} in summary["warnings"]


async def test_an_unknown_procedure_is_rejected_without_a_note(api_client, world):
    summary = await post(api_client, world, vpr_row(world, "Проверочные работы"))
    assert summary["imported"] == 0 and summary["warnings"] == []
    assert summary["rejected"][0]["errors"][0]["loc"] == ["procedure"]


async def test_an_excel_date_in_the_year_column_is_named_and_refused(api_client, world):
    content = (
        "ID ОО;Процедура;Год;Предмет;Класс;Количество участников\r\n"
        f"{world.s1.id};vpr;44713;Математика;4;10\r\n"
        f"{world.s1.id};vpr;2031;Математика;5;10\r\n"
    ).encode()
    summary = await upload(api_client, world, "r.csv", content)
    assert summary["imported"] == 1
    assert [(r["index"], r["errors"][0]["loc"]) for r in summary["rejected"]] == [(2, ["year"])]
    assert summary["warnings"] == [
        {"index": 2, "loc": ["year"], "msg": "число 44713 — дата Excel: 01.06.2022"}
    ]


async def test_a_row_refused_for_its_marks_still_says_its_subject_was_read_otherwise(
    api_client, world
):
    """README: a refused row carries the same notes as a stored one — the subject
    «русский язык» read as «Русский язык» is said for row 3 (marks not adding up) as for row
    2, once with `also`."""
    content = (
        "ID ОО;Процедура;Год;Предмет;Класс;Количество участников;Отметка 2;Отметка 3;"
        "Отметка 4;Отметка 5\r\n"
        f"{world.s1.id};ВПР;2031;русский язык;4;20;5;5;5;5\r\n"
        f"{world.s2.id};ВПР;2031;русский язык;4;20;5;5;5;6\r\n"
    ).encode()
    summary = await upload(api_client, world, "r.csv", content)
    assert summary["imported"] == 1
    assert [r["index"] for r in summary["rejected"]] == [3]
    [said] = [w for w in summary["warnings"] if w["loc"] == ["subject"]]
    assert said["index"] == 2 and said["also"] == [3]
