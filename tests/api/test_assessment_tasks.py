"""The catalogue of task specifications: who writes it, its rules (each 422 naming the field),
its versions, and the ВПР specifications Soko ships."""

import pytest

from services.api.assessment_tasks.service import shipped_specifications, task_number

SPEC = {
    "procedure": "vpr",
    "year": "2023/2024",
    "subject": "Математика",
    "grade": 5,
    "tasks": [
        {"number": "1", "max_score": 1, "level": "basic", "skill": "Действия с числами"},
        {"number": "2", "max_score": 2, "level": "basic"},
        {"number": "3.1", "max_score": 1, "level": "advanced"},
        {"number": "3.2", "max_score": 2, "level": "high"},
    ],
    "mark_scale": [
        {"mark": 2, "min_score": 0},
        {"mark": 3, "min_score": 2},
        {"mark": 4, "min_score": 4},
        {"mark": 5, "min_score": 5},
    ],
}


async def post(client, world, body, who="admin"):
    return await client.post("/v1/assessment-tasks", json=body, headers=world.headers(who))


async def listed(client, world, **params):
    answer = await client.get(
        "/v1/assessment-tasks", params=params, headers=world.headers("teacher")
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_admin_posts_a_specification_and_everyone_reads_it(api_client, world):
    created = await post(api_client, world, SPEC)
    assert created.status_code == 201, created.text
    spec = created.json()
    assert spec["version"] == 1
    assert spec["max_score"] == 6  # 1 + 2 + 1 + 2
    assert [t["number"] for t in spec["tasks"]] == ["1", "2", "3.1", "3.2"]
    assert spec["tasks"][2]["level"] == "advanced"
    page = await listed(api_client, world, procedure="vpr", year="2023/2024", grade=5)
    assert [(s["subject"], s["version"]) for s in page["items"]] == [("Математика", 1)]


@pytest.mark.parametrize("who", ["analyst", "leader", "methodologist"])
async def test_only_an_administrator_writes_the_catalogue(api_client, world, who):
    answer = await post(api_client, world, SPEC, who=who)
    assert answer.status_code == 403
    assert (await listed(api_client, world, year="2023/2024"))["total"] == 0


async def test_the_same_specification_again_makes_no_version_a_changed_one_does(api_client, world):
    assert (await post(api_client, world, SPEC)).status_code == 201
    again = await post(api_client, world, SPEC)
    assert again.status_code == 200 and again.json()["version"] == 1
    changed = {**SPEC, "tasks": [*SPEC["tasks"][:3], {"number": "3.2", "max_score": 3}]}
    second = await post(api_client, world, changed)
    assert second.status_code == 201 and second.json()["version"] == 2
    assert second.json()["max_score"] == 7
    latest = await listed(api_client, world, year="2023/2024")
    assert [s["version"] for s in latest["items"]] == [2]
    every = await listed(api_client, world, year="2023/2024", all_versions="true")
    assert [s["version"] for s in every["items"]] == [1, 2]


def with_scale(*minima):
    """SPEC with the minimum scores of marks 2, 3, 4, 5."""
    scale = [{"mark": mark, "min_score": m} for mark, m in zip((2, 3, 4, 5), minima, strict=True)]
    return {**SPEC, "mark_scale": scale}


def with_tasks(*tasks):
    return {**SPEC, "tasks": [dict(t) for t in tasks], "mark_scale": []}


@pytest.mark.parametrize(
    ("body", "loc", "words"),
    [
        (
            with_tasks({"number": "1", "max_score": 1}, {"number": "1", "max_score": 2}),
            ["body", "tasks", 1, "number"],
            "уже было",
        ),
        (with_tasks({"number": "3,1", "max_score": 1}), ["body", "tasks", 0, "number"], "3,1"),
        (with_tasks({"number": "1", "max_score": 0}), ["body", "tasks", 0, "max_score"], ""),
        (
            with_tasks({"number": "1", "max_score": 1, "level": "easy"}),
            ["body", "tasks", 0, "level"],
            "",
        ),
        (
            with_scale(0, 4, 4, 5),
            ["body", "mark_scale", 2, "min_score"],
            "«4» (4) должен быть больше, чем у «3» (4)",
        ),
        (
            with_scale(0, 2, 4, 7),
            ["body", "mark_scale", 3, "min_score"],
            "выше суммы максимальных баллов заданий (6)",
        ),
        (
            {**SPEC, "mark_scale": [{"mark": 2, "min_score": 0}, {"mark": 5, "min_score": 5}]},
            ["body", "mark_scale"],
            "2, 3, 4, 5",
        ),
        ({**SPEC, "subject": "Астрономия"}, ["body", "subject"], "Астрономия"),
        ({**SPEC, "year": "весна"}, ["body", "year"], "учебный год"),
    ],
)
async def test_a_broken_rule_is_a_422_naming_the_field(api_client, world, body, loc, words):
    answer = await post(api_client, world, body)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    errors = answer.json()["errors"]
    assert any(e["loc"] == loc and words in e["msg"] for e in errors), errors
    assert (await listed(api_client, world, year="2023/2024"))["total"] == 0


def test_task_numbers_are_read_as_printed():
    assert task_number("3.1") == "3.1"
    assert task_number(" 1 k2 ") == "1К2"  # a Latin K of a criterion is the Cyrillic one
    assert task_number("12") == "12"
    assert task_number("3,1") is None
    assert task_number("А") is None


async def test_the_shipped_vpr_specifications_are_in_the_catalogue(api_client, world):
    page = await listed(
        api_client, world, procedure="vpr", year="2025/2026", subject="Русский язык", grade=4
    )
    [spec] = page["items"]
    assert len(spec["tasks"]) == 12 and spec["max_score"] == 24
    assert {s["mark"]: s["min_score"] for s in spec["mark_scale"]} == {2: 0, 3: 10, 4: 16, 5: 21}
    assert "ФИОКО" in spec["source"]
    everything = await listed(api_client, world, limit=500)
    assert everything["total"] == len(shipped_specifications())  # each found its catalogue entry
    maths = await listed(api_client, world, procedure="vpr", subject="Математика", grade=4)
    [spec] = maths["items"]
    assert spec["max_score"] == 20 and spec["mark_scale"] == []


def test_every_shipped_specification_has_its_source_and_keeps_the_rules():
    specs = shipped_specifications()
    assert {(s.subject, s.grade) for s in specs} >= {("Русский язык", 4), ("Математика", 4)}
    for spec in specs:
        assert spec.source and "ФИОКО" in spec.source
        numbers = [task_number(t.number) for t in spec.tasks]
        assert None not in numbers and len(set(numbers)) == len(numbers)
        if spec.mark_scale:
            top = max(step.min_score for step in spec.mark_scale)
            assert top <= sum(t.max_score for t in spec.tasks)
