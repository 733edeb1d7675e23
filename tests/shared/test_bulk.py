"""The bulk-import protocol (`shared.bulk`): any importer that validates and stores gets the
same summary, dry run, row limit and role check from `run_import`."""

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.bulk import Counts, Importer, Rejected, parse_rows, rejection, run_import
from shared.errors import Forbidden, Invalid
from shared.identity import Principal, Role

ANALYST = Principal(kind="user", id="analyst", role=Role.territory_analyst)
VIEWER = Principal(kind="user", id="viewer", role=Role.viewer)


def _word(item: Any) -> str | list:
    if isinstance(item, str) and item:
        return item
    return [rejection(0, "word", "ожидается слово").errors[0]]


class Words:
    """A tiny importer: words into a temporary table, a word already there is unchanged."""

    writers = (Role.territory_analyst,)
    field = "words"
    noun = "слов"
    max_rows = 4

    def __init__(self, principal: Principal) -> None:
        self.principal = principal

    def columns(self, headers: list[str]) -> list[str | None]:
        return [h if h == "word" else None for h in headers]

    def from_spreadsheet(self, index: int, cells: dict[str, Any]) -> Any:
        return cells["word"].text if "word" in cells else None

    def warnings(self) -> list:
        return []

    async def validate(self, rows: list[tuple[int, Any]]) -> tuple[list[str], list[Rejected]]:
        parsed, rejected = parse_rows(rows, _word, str)
        valid = []
        for index, word in parsed:
            if word == "стоп":
                rejected.append(rejection(index, "word", "стоп-слово"))
            else:
                valid.append(word)
        return valid, rejected

    async def store(self, session: AsyncSession, valid: list[str]) -> Counts:
        result = await session.execute(
            text(
                "WITH w AS (INSERT INTO word SELECT unnest(CAST(:words AS text[])) "
                "ON CONFLICT DO NOTHING RETURNING 1) SELECT count(*) FROM w"
            ),
            {"words": valid},
        )
        return Counts(imported=result.scalar_one(), updated=0)


@pytest.fixture
async def words(db: AsyncSession) -> AsyncSession:
    await db.execute(text("CREATE TEMP TABLE word (word text PRIMARY KEY)"))
    await db.execute(text("INSERT INTO word VALUES ('старое')"))
    return db


async def stored(session: AsyncSession) -> list[str]:
    return list(await session.scalars(text("SELECT word FROM word ORDER BY word")))


def test_the_importers_of_the_api_service_follow_the_protocol():
    from services.api.assessments.results import ResultImporter
    from services.api.data_values.service import DataValueImporter

    members = [name for name in Importer.__annotations__ if name != "principal"]
    members += ["from_spreadsheet", "validate", "store"]
    for kind in (DataValueImporter, ResultImporter):
        assert [name for name in members if not hasattr(kind, name)] == [], kind


async def test_summary_counts_new_unchanged_and_rejected_rows_in_index_order(words):
    rows = [(5, "стоп"), (1, "новое"), (0, ""), (3, "старое")]
    summary = await run_import(words, Words(ANALYST), rows, dry_run=False)
    assert summary.model_dump() == {
        "imported": 1,
        "updated": 0,
        "unchanged": 1,
        "rejected": [
            {"index": 0, "errors": [{"loc": ["word"], "msg": "ожидается слово"}]},
            {"index": 5, "errors": [{"loc": ["word"], "msg": "стоп-слово"}]},
        ],
        "dry_run": False,
        "warnings": [],
        "violations": [],  # an importer without validation rules
    }
    assert await stored(words) == ["новое", "старое"]


async def test_dry_run_says_the_same_and_stores_nothing(words):
    summary = await run_import(words, Words(ANALYST), [(0, "новое")], dry_run=True)
    assert (summary.imported, summary.dry_run) == (1, True)
    assert await stored(words) == ["старое"]


async def test_more_rows_than_the_importer_takes_is_422_naming_its_field(words):
    with pytest.raises(Invalid) as caught:
        await run_import(words, Words(ANALYST), list(enumerate("абвгд")), dry_run=False)
    assert caught.value.errors == [
        {"loc": ["body", "words"], "msg": "Не больше 4 слов за один запрос"}
    ]


async def test_a_role_that_may_not_import_is_403_before_any_check(words):
    with pytest.raises(Forbidden):
        await run_import(words, Words(VIEWER), [(0, "новое")], dry_run=False)
    assert await stored(words) == ["старое"]
