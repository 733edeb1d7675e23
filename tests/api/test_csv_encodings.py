"""A CSV is read in the encoding it was saved in, whatever the case of its text: KOI8-R and
Windows-1251 in capitals only («ПОКАЗАТЕЛЬ;ШКОЛА…», «ДА»), in small letters only and in mixed
case, UTF-8 with and without a BOM, UTF-16 — never as the other code page's mojibake. What a
user sees: the rows stored, a refused row quoting its cell as written, and the encoding that
was guessed named beside it."""

import pytest
from sqlalchemy import update

from services.api.organizations.models import Organization
from tests.api import test_data_value_tables as data_values
from tests.api.test_data_value_tables import stored, upload
from tests.api.test_table_cells import refusals

world = data_values.world  # the fixture: the test world with the data indicators

GUESSED = "файл прочитан как {}; если текст искажён, сохраните файл в UTF-8"
NAMES = {"koi8_r": "KOI8-R", "cp1251": "Windows-1251"}
ENCODINGS = ["koi8_r", "cp1251", "utf-8", "utf-8-sig", "utf-16"]
CASES = {"upper": str.upper, "lower": str.lower, "as written": lambda text: text}


def table(world, case) -> str:
    """Two values and a refused one, by the schools' names, with a Russian header."""
    rows = [
        "Показатель;Школа;Период;Значение",
        "teachers_count;Школа 2;2032;5",
        "upbringing_program;Школа 3;2032;Да",
        "upbringing_program;Школа 2;2032;Может быть",  # no yes/no: refused, quoted as written
    ]
    # the codes and the period stay as they are: only the Russian text changes its case
    return "".join(
        ";".join(
            case(cell) if cell[:1].isalpha() and not cell.isascii() else cell
            for cell in row.split(";")
        )
        + "\r\n"
        for row in rows
    )


@pytest.mark.parametrize("encoding", ENCODINGS)
@pytest.mark.parametrize("case", CASES)
async def test_a_csv_is_read_in_its_own_encoding_in_any_case(api_client, world, db, encoding, case):
    text = table(world, CASES[case])
    summary = await upload(api_client, world, "v.csv", text.encode(encoding))
    assert (summary["imported"], summary["updated"]) == (2, 0), summary
    assert await stored(db, world) == {
        ("teachers_count", "s2", "2032"): 5.0,
        ("upbringing_program", "s3", "2032"): 1.0,
    }
    written = CASES[case]("Может быть")
    [(index, loc, msg)] = refusals(summary)
    column = CASES[case]("Значение")  # the header as written, the cell as written
    assert (index, loc) == (4, ["value"]), msg
    assert msg.endswith(f"(строка 4, столбец 4 «{column}»: «{written}»)"), msg
    said = [w["msg"] for w in summary["warnings"] if w["loc"] == ["file"]]
    if encoding in NAMES:  # the guess is named beside the refused row, and it is right
        assert GUESSED.format(NAMES[encoding]) in said
    else:
        assert not [m for m in said if "файл прочитан как" in m]


@pytest.mark.parametrize("encoding", ["koi8_r", "cp1251"])
async def test_school_names_in_capitals_are_read_not_garbled(api_client, world, db, encoding):
    """The school's full name in capitals, as registers write it («МБОУ СОШ 1 Г. ЛИПЕЦКА»):
    matched to the school; a code page read wrong would match nothing."""
    await db.execute(
        update(Organization)
        .where(Organization.id == world.s2.id)
        .values(name="МБОУ СОШ 1 г. Липецка", short_name=None)
    )
    await db.flush()
    text = "ПОКАЗАТЕЛЬ;ШКОЛА;ПЕРИОД;ЗНАЧЕНИЕ\r\nteachers_count;МБОУ СОШ 1 Г. ЛИПЕЦКА;2032;7\r\n"
    summary = await upload(api_client, world, "v.csv", text.encode(encoding))
    assert (summary["imported"], summary["rejected"]) == (1, []), summary
    assert await stored(db, world) == {("teachers_count", "s2", "2032"): 7.0}
