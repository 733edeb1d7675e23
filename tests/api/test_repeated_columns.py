"""A file whose header repeats a column the import reads (a key or a value) is refused, 422
naming the column, as a JSON row naming one key twice is (`repeated_key`): which of the two
the sender meant cannot be known. A repeated column the import does not read is only said
to be unused. Every tabular upload reads its header the same way (shared/bulk_http.py)."""

import pytest

from tests.api.test_data_value_tables import stored
from tests.api.test_data_value_tables import world as world  # the fixture, with its indicators

REFUSED = "неясно, какой из них читать — оставьте один"


async def _post(client, world, path: str, content: bytes, name: str = "f.csv"):
    return await client.post(path, files={"file": (name, content)}, headers=world.headers("admin"))


def _repeated(answer, column: str) -> str:
    assert answer.status_code == 422, answer.text
    body = answer.json()
    [error] = body["errors"]
    assert error["loc"] == ["body", "file", column], error
    assert error["type"] == "repeated_column", error
    assert REFUSED in error["msg"] and error["msg"] in body["detail"], body
    return error["msg"]


@pytest.mark.parametrize(
    ("header", "column", "said"),
    [
        ("indicator_code;organization_id;period;value;value", "value", "«value» повторяется"),
        (
            "indicator_code;organization_id;period;period;value",
            "period",
            "«period» повторяется (столбцы 3 и 4)",
        ),
        (
            "indicator_code;organization_id;Период;period;value",
            "period",
            "«Период» и «period» означают одно и то же",
        ),
    ],
)
async def test_a_repeated_data_value_column_refuses_the_file(
    api_client, world, db, header, column, said
):
    content = f"{header}\r\nteachers_count;{world.s1.id};2030/2031;7;8\r\n".encode()
    answer = await _post(api_client, world, "/v1/data-values/upload", content)
    assert said in _repeated(answer, column)
    assert await stored(db, world) == {}


async def test_a_repeated_column_refuses_a_dry_run_too(api_client, world):
    content = f"indicator_code;organization_id;period;value;value\r\nx;{world.s1.id};2031;1;2\r\n"
    answer = await _post(api_client, world, "/v1/data-values/upload?dry_run=true", content.encode())
    _repeated(answer, "value")


async def test_a_repeated_assessment_result_column_refuses_the_file(api_client, world):
    header = "organization_id;procedure;year;subject;grade;participants;participants"
    content = f"{header}\r\n{world.s1.id};vpr;2031;Математика;5;20;21\r\n".encode()
    answer = await _post(api_client, world, "/v1/assessment-results/upload", content)
    assert "«participants» повторяется" in _repeated(answer, "participants")


async def test_a_repeated_column_the_import_does_not_read_is_only_said(api_client, world, db):
    content = (
        "indicator_code;organization_id;period;value;Примечание;Примечание\r\n"
        f"teachers_count;{world.s1.id};2030/2031;7;а;б\r\n"
    ).encode()
    answer = await _post(api_client, world, "/v1/data-values/upload", content)
    assert answer.status_code == 200, answer.text
    summary = answer.json()
    assert summary["imported"] == 1, summary
    unused = "столбец «Примечание» не используется: пропущен"
    assert [w["msg"] for w in summary["warnings"] if w["loc"] == ["Примечание"]] == [unused] * 2
    assert list((await stored(db, world)).values()) == [7.0]
