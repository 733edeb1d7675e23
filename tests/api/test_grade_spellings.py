"""A result's grade written with its word («4 класс», «4 кл.», «4-й класс») is that grade
level, said in `warnings`, as «ВПР» and «русский язык» are; a class with its letter («4А»,
«4 «Б»») is one class while results are per grade level (параллель), so it is refused saying
so, never stored as the grade's."""

from sqlalchemy import select

from services.api.assessments.models import AssessmentResult


async def _upload(client, world, grades: list[str]) -> dict:
    lines = [
        f"{world.s1.id};vpr;2031;{subject};{grade};10"
        for subject, grade in zip(
            ("Математика", "Русский язык", "Окружающий мир"), grades, strict=True
        )
    ]
    content = "\r\n".join(["ID ОО;Процедура;Год;Предмет;Класс;Участников", *lines]).encode()
    answer = await client.post(
        "/v1/assessment-results/upload",
        files={"file": ("r.csv", content)},
        headers=world.headers("admin"),
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


async def _stored(db) -> set[tuple[str, int]]:
    rows = await db.execute(
        select(AssessmentResult.subject, AssessmentResult.grade).where(
            AssessmentResult.year == "2031"
        )
    )
    return set(rows.tuples().all())


async def test_a_grade_written_with_its_word_is_that_grade_said(api_client, world, db):
    summary = await _upload(api_client, world, ["4 класс", "4-й класс", "4 кл."])
    assert (summary["imported"], summary["rejected"]) == (3, []), summary
    assert await _stored(db) == {("Математика", 4), ("Русский язык", 4), ("Окружающий мир", 4)}
    said = [(w["index"], w["msg"]) for w in summary["warnings"] if w["loc"] == ["grade"]]
    assert said == [
        (2, "класс «4 класс» прочитан как 4"),
        (3, "класс «4-й класс» прочитан как 4"),
        (4, "класс «4 кл.» прочитан как 4"),
    ]


async def test_a_grade_with_spaces_around_it_is_the_grade(api_client, world, db):
    summary = await _upload(api_client, world, [" 4 ", "\u00a04\u00a0", "4"])
    assert (summary["imported"], summary["rejected"]) == (3, []), summary


async def test_a_class_with_its_letter_is_refused_as_one_class(api_client, world, db):
    summary = await _upload(api_client, world, ["4А", "4 «Б»", "14 класс"])
    assert summary["imported"] == 0 and await _stored(db) == set()
    first, second, third = (r["errors"][0] for r in summary["rejected"])
    assert first["loc"] == ["grade"]
    assert first["msg"].startswith(
        "«4А» — один класс, а результаты вносятся по параллели: укажите 4 и итоги всех 4-х "
        "классов вместе (по классам результаты загружаются списком участников)"
    ), first
    assert second["msg"].startswith("«4 «Б»» — один класс"), second
    assert third["msg"].startswith("ожидается класс от 1 до 11"), third


async def test_a_class_lettered_e_is_a_class_not_the_ordinal_ending(api_client, world, db):
    """«4-е классы» is grade 4; «4Е», «4 е» and «4е кл.» are class Е (a tester's «4 Е класс»
    overwrote the school's grade-4 result with one class's)."""
    summary = await _upload(api_client, world, ["4Е", "4 е", "4е кл."])
    assert summary["imported"] == 0 and await _stored(db) == set(), summary
    said = [r["errors"][0]["msg"] for r in summary["rejected"]]
    assert [m.split(" — ")[0] for m in said] == ["«4Е»", "«4 е»", "«4е кл.»"]
    assert all("один класс" in m for m in said), said
    read = await _upload(api_client, world, ["4-е классы", "4-е", "4й класс"])
    assert (read["imported"], read["rejected"]) == (3, []), read


async def test_a_posted_grade_is_read_alike(api_client, world, db):
    row = {
        "organization_id": str(world.s1.id),
        "procedure": "vpr",
        "year": "2031",
        "subject": "Математика",
        "grade": "5 класс",
        "participants": 10,
    }
    answer = await api_client.post(
        "/v1/assessment-results", json={"results": [row]}, headers=world.headers("admin")
    )
    assert answer.json()["imported"] == 1, answer.text
    assert answer.json()["warnings"] == [
        {"index": 0, "loc": ["grade"], "msg": "класс «5 класс» прочитан как 5"}
    ]
    assert await _stored(db) == {("Математика", 5)}
