"""The one tabular reader (`shared.tabular`): encodings, separators, cell types; every table
reader (uploads of values and results, roadmaps, XLSForm) reads through it."""

import datetime as dt
import io

import pytest

from services.api.roadmaps.document_import.readers import UnreadableDocument, read_blocks
from shared.errors import Invalid
from shared.spreadsheets import read_table
from shared.tabular import (
    Cell,
    CellType,
    UndecodableText,
    UnsupportedTable,
    decode,
    decoded,
    excel_date,
    is_id,
    open_csv,
    open_table,
    open_workbook,
    read_lines,
    single_byte_encoding,
)
from shared.uploads import Budget, UploadLimitExceeded, UploadLimits
from tests.surveys.test_xlsform import build

DEFAULTS = UploadLimits.defaults()
TEXT = "Код;Школа\nA1;Лицей №1\n"


def budget(**limits) -> Budget:
    return Budget(UploadLimits(**{**vars(DEFAULTS), **limits}))


def csv_values(content: bytes) -> list[list[str]]:
    with open_csv(content, budget()) as table:
        return [[cell.raw for cell in row] for row in table.rows()]


@pytest.mark.parametrize(
    "content",
    [
        pytest.param(TEXT.encode(), id="utf-8"),
        pytest.param(TEXT.encode("utf-8-sig"), id="utf-8-bom"),
        pytest.param(TEXT.encode("cp1251"), id="cp1251"),
        pytest.param(TEXT.encode("utf-16"), id="utf-16-bom"),
        pytest.param(b"\xfe\xff" + TEXT.encode("utf-16-be"), id="utf-16-be-bom"),
    ],
)
def test_every_encoding_we_read_gives_the_same_rows(content):
    assert decode(content) == TEXT
    assert csv_values(content) == [["Код", "Школа"], ["A1", "Лицей №1"]]


KOI8_TEXTS = [
    "Код показателя;ОО;Период;Значение\nupbringing_program;Школа 1;2031;да\n",
    'indicator_code,organization,period,value\nx,"МБОУ ""Гимназия 1""",2031,Нет\n',
    "Окружающий мир",
    "предмет;класс\nматематика;4\nРусский язык;4\n",
    "ВПР;Всероссийские проверочные работы\n",
    "Учёт;Ёлка\n",
]


@pytest.mark.parametrize("encoding", ["koi8_r", "cp1251", "utf-8", "utf-8-sig", "utf-16"])
@pytest.mark.parametrize("text", KOI8_TEXTS)
def test_koi8_r_is_told_from_windows_1251_and_the_unicode_encodings(text, encoding):
    assert decode(text.encode(encoding)) == text


CAPITALS_AND_SMALL = [
    "ШКОЛА",
    "ПОКАЗАТЕЛЬ;ЗНАЧЕНИЕ",
    "МБОУ СОШ N1",  # KOI8-R has no «№»
    "ОО;ВПР;ИСТИНА;ЛОЖЬ",
    "КОД ПОКАЗАТЕЛЯ;ОРГАНИЗАЦИЯ;ПЕРИОД;ЗНАЧЕНИЕ\nteachers_count;МБОУ ГИМНАЗИЯ 2;2031;5\n",
    "РУССКИЙ ЯЗЫК;МАТЕМАТИКА;ОКРУЖАЮЩИЙ МИР",
    "да;нет",
    "код;школа\n",
    "русский язык;4\nматематика;5\n",
]


@pytest.mark.parametrize("encoding", ["koi8_r", "cp1251"])
@pytest.mark.parametrize("text", CAPITALS_AND_SMALL)
def test_text_in_capitals_only_or_small_letters_only_is_read_as_written(text, encoding):
    # Each code page's letters read as the other's are letters too, the rare ones
    # («ШКОЛА» in KOI8-R is «ылпмб» as Windows-1251): the reading of Russian letters wins.
    content = text.encode(encoding)
    assert single_byte_encoding(content) == encoding
    assert decode(content) == text


def test_a_windows_1251_name_with_its_number_sign_is_read_as_written():
    text = "МБОУ СОШ №1;ГИМНАЗИЯ «ЛИЦЕЙ»"  # «№» and «» are box signs in KOI8-R
    assert decoded(text.encode("cp1251")) == (text, "cp1251")


def test_nothing_russian_tells_nothing_and_windows_1251_is_taken():
    # no letter above ASCII: the encoding Russian Excel writes
    assert single_byte_encoding("code;value\n64,5\xb0".encode("cp1251")) == "cp1251"


def test_a_koi8_r_table_is_read_as_written():
    content = "Код;Школа\nA1;Лицей\n".encode("koi8_r")
    assert read_table("values.csv", content) == [(2, {"код": "A1", "школа": "Лицей"})]


def test_bytes_of_no_encoding_we_read_are_refused_not_replaced():
    # 0x98 is a byte Windows-1251 does not define, and this is not UTF-8 either.
    content = "Лицей".encode("cp1251") + b"\x98"
    with pytest.raises(UndecodableText):
        decode(content)
    with pytest.raises(Invalid) as caught:
        read_table("values.csv", b"code\n" + content)
    assert caught.value.errors[0]["loc"] == ["body", "file"]
    assert "UTF-8, UTF-16 или Windows-1251" in caught.value.errors[0]["msg"]
    with pytest.raises(UnreadableDocument):  # the roadmap used to import "Лицей\ufffd"
        read_blocks("plan.csv", b"a;b\n" + content + b";x\n")


@pytest.mark.parametrize("mark", [",", ";", "\t"])
def test_the_separator_is_the_one_the_first_lines_hold_most_of(mark):
    content = mark.join(["код", "значение", "период"]) + "\n"
    content += mark.join(["a", '"64,5"' if mark == "," else "64,5", "2021/2022"]) + "\n"
    assert csv_values(content.encode()) == [
        ["код", "значение", "период"],
        ["a", "64,5", "2021/2022"],
    ]


def test_a_header_without_separators_and_a_tie_read_as_semicolons():
    assert csv_values(b"one\n") == [["one"]]
    assert csv_values(b"a;b,c\n") == [["a", "b,c"]]


def test_excel_unicode_text_export_uploads_as_values():
    """Excel's "Unicode text" is UTF-16 with tabs: the upload reads it like any CSV."""
    content = "indicator_code\torganization_id\tperiod\tvalue\r\nx\tid\t2021/2022\t64,5\r\n"
    rows = read_table("values.csv", content.encode("utf-16"))
    assert rows == [
        (
            2,
            {
                "indicator_code": "x",
                "organization_id": "id",
                "period": "2021/2022",
                "value": "64.5",
            },
        )
    ]


@pytest.mark.parametrize(
    ("raw", "kind", "value"),
    [
        ("64,5", CellType.number, 64.5),
        (" -3 ", CellType.number, -3),
        ("2.25", CellType.number, 2.25),
        ("да", CellType.bool, True),
        ("FALSE", CellType.bool, False),
        ("01.09.2021", CellType.date, dt.date(2021, 9, 1)),
        ("2021-09-01", CellType.date, dt.date(2021, 9, 1)),
        ("31.02.2021", CellType.text, "31.02.2021"),
        ("2021/2022", CellType.text, "2021/2022"),
        (" Лицей ", CellType.text, "Лицей"),
        ("  ", CellType.empty, None),
        (None, CellType.empty, None),
        (12, CellType.number, 12),
        (0.645, CellType.number, 0.645),
        (True, CellType.bool, True),
        (dt.datetime(2021, 9, 1), CellType.date, dt.date(2021, 9, 1)),
        (dt.datetime(2021, 9, 1, 8, 30), CellType.date, dt.datetime(2021, 9, 1, 8, 30)),
    ],
)
def test_a_cell_says_its_type_and_typed_value_and_keeps_what_the_file_holds(raw, kind, value):
    cell = Cell(raw)
    assert (cell.type, cell.value, cell.raw) == (kind, value, raw)


def test_a_cell_as_text_reads_as_a_person_sees_it():
    texts = [Cell(v).text for v in (None, 12.0, 2.5, dt.date(2021, 9, 1), "Лицей", True)]
    assert texts == ["", "12", "2.5", "01.09.2021", "Лицей", "True"]


def test_an_xlsx_opens_as_its_sheets_of_typed_cells():
    content = build(
        {
            "Данные": [["код", "значение", "дата", "флаг"], ["a", 64.5, dt.date(2021, 9, 1), True]],
            " Survey ": [["type"], ["text"]],
        }
    )
    with open_workbook(content, budget()) as table:
        assert table.sheet_names == ["Данные", " Survey "]
        assert table.find("survey") == 1 and table.find("choices") is None
        rows = list(table.rows(0))
    assert [c.type for c in rows[1]] == [
        CellType.text,
        CellType.number,
        CellType.date,
        CellType.bool,
    ]
    assert [c.value for c in rows[1]] == ["a", 64.5, dt.date(2021, 9, 1), True]


def test_tables_are_opened_by_their_extension():
    with open_table("VALUES.CSV", b"a;b\n", budget()) as table:
        assert [c.raw for c in next(table.rows())] == ["a", "b"]
    with pytest.raises(UnsupportedTable):
        open_table("values.ods", b"", budget())


def test_rows_and_lines_are_taken_within_the_upload_limits():
    with (
        pytest.raises(UploadLimitExceeded) as caught,
        open_csv(b"a\nb\nc\n", budget(max_rows=2)) as t,
    ):
        list(t.rows())
    assert caught.value.extra["limit"]["name"] == "rows"
    with pytest.raises(UploadLimitExceeded):
        read_lines("a\nb\nc\n".encode("cp1251"), budget(max_rows=2))
    assert read_lines("раз\r\nдва".encode("utf-16"), budget()) == ["раз", "два"]


@pytest.mark.parametrize(
    ("raw", "value", "percent"),
    [
        ("1\u00a0234", 1234, False),
        ("1 234", 1234, False),
        ("1\u202f234,0", 1234.0, False),
        ("-12 345 678,25", -12345678.25, False),
        ("64,5%", 64.5, True),
        ("64,5 %", 64.5, True),
        ("100%", 100, True),
    ],
)
def test_numbers_are_read_with_thousands_separators_and_percent_signs(raw, value, percent):
    cell = Cell(raw)
    assert (cell.type, cell.value, cell.percent) == (CellType.number, value, percent)


@pytest.mark.parametrize("raw", ["12 34", "1 2345", "1,234,5", "%", "64,5%%"])
def test_what_only_looks_like_a_grouped_number_stays_text(raw):
    assert Cell(raw).type == CellType.text


@pytest.mark.parametrize(
    ("raw", "flag"), [("ИСТИНА", True), ("ложь", False), ("Да", True), ("TRUE", True)]
)
def test_russian_and_excel_booleans(raw, flag):
    assert (Cell(raw).type, Cell(raw).value) == (CellType.bool, flag)


def test_a_percent_formatted_cell_is_the_percent_it_shows_and_says_so():
    cell = Cell(0.645, "0.0%")
    assert (cell.value, cell.percent) == (64.5, True)
    assert cell.note == "процентный формат ячейки: 0,645 → 64,5"
    assert Cell(0.645).value == 0.645 and not Cell(0.645).percent
    assert Cell(1, "0%").value == 100


@pytest.mark.parametrize(
    ("raw", "value", "note"),
    [
        ("1 234", 1234, "разделитель разрядов: 1 234 → 1234"),
        ("1\u00a0234,5", 1234.5, "разделитель разрядов: 1\u00a0234,5 → 1234,5"),
        ("64,5%", 64.5, "знак процента: 64,5% → 64,5"),
        (" 1\u202f000 % ", 1000, "разделитель разрядов и знак процента: 1\u202f000 % → 1000"),
        ("64,5", 64.5, None),  # a decimal comma is how Russian is written, not a change
        ("1234", 1234, None),
    ],
)
def test_a_number_written_with_separators_or_a_percent_sign_says_so(raw, value, note):
    assert (Cell(raw).value, Cell(raw).note) == (value, note)


@pytest.mark.parametrize(
    ("number", "day"),
    [(44713, dt.date(2022, 6, 1)), (44713.0, dt.date(2022, 6, 1)), (2022, None), (44713.5, None)],
)
def test_an_excel_serial_is_a_date_and_a_year_is_never_one(number, day):
    assert excel_date(number) == day


@pytest.mark.parametrize(
    ("text", "shaped"),
    [
        ("29cb2cc4-194a-4faf-8438-5869359667ae", True),
        ("{29CB2CC4-194A-4FAF-8438-5869359667AE}", True),
        ("29cb2cc4194a4faf84385869359667ae", True),
        ("Школа 1", False),
        ("29cb2cc4-194a-4faf-8438", False),
    ],
)
def test_an_id_shaped_text_is_told_from_a_name(text, shaped):
    assert is_id(text) is shaped


@pytest.mark.parametrize(
    ("number_format", "granularity", "text"),
    [
        ("DD.MM.YYYY", "day", "01.03.2022"),
        ("mm-dd-yy", "day", "01.03.2022"),
        ("[$-419]MMMM YYYY;@", "month", "март 2022"),
        ("[$-419]MMMM;@", "month", "март 2022"),  # shows "Март": the month of the date's year
        ("mmm", "month", "март 2022"),
        ("h:mm", None, "01.03.2022"),  # a time: m is minutes, not a month
        ("mmm\\ yy", "month", "март 2022"),
        ('yyyy" г."', "year", "2022"),
        (None, "day", "01.03.2022"),
    ],
)
def test_a_date_cell_has_the_granularity_its_format_shows(number_format, granularity, text):
    cell = Cell(dt.datetime(2022, 3, 1), number_format)
    assert (cell.granularity, cell.text) == (granularity or "day", text)
    assert (cell.note is None) == (granularity in ("day", None))


def test_a_month_only_format_is_named_in_the_note():
    cell = Cell(dt.datetime(2031, 12, 1), "[$-419]MMMM;@")
    assert cell.note == "формат даты «месяц»: 01.12.2031 → декабрь 2031 (год взят из даты)"


def test_the_sep_hint_line_names_the_separator_and_is_not_a_row():
    content = b'sep=,\r\ncode,value\r\na,"64,5"\r\n'
    with open_csv(content, budget()) as table:
        assert table.first_line == 2
        assert [[c.raw for c in row] for row in table.rows()] == [["code", "value"], ["a", "64,5"]]
    rows = read_table("values.csv", b'"sep=;"\nindicator_code;value\nx;1\n')
    assert rows == [(3, {"indicator_code": "x", "value": "1"})]


@pytest.mark.parametrize(
    "hint",
    [b"sep=;;;", b'"sep=;";;', b"sep=;;; ", b"SEP=;;"],
    ids=["bare", "quoted", "space", "upper"],
)
def test_a_sep_hint_padded_with_empty_cells_is_still_the_hint(hint):
    """A CSV with the hint, opened in a spreadsheet and saved again, has the hint padded to the
    table's width: it still names the separator and is no title row."""
    rows = read_table("values.csv", hint + b"\r\nindicator_code;value;note\r\nx;1;\r\n")
    assert rows == [(3, {"indicator_code": "x", "value": "1"})]


def test_a_first_row_that_only_starts_like_the_hint_is_a_row():
    with open_csv(b"sep=;x;y\na;b;c\n", budget()) as table:
        assert table.first_line == 1
        assert [c.raw for c in next(iter(table.rows()))] == ["sep=", "x", "y"]


def test_utf16_without_a_byte_order_mark_is_recognised():
    assert decode(TEXT.encode("utf-16-le")) == TEXT
    assert decode(TEXT.encode("utf-16-be")) == TEXT


def test_an_xlsx_keeps_number_formats_and_merged_cells():
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["доля", "дата"])
    sheet.append([0.5, dt.datetime(2031, 9, 1)])
    sheet.append(["в течение года", None])
    sheet["A2"].number_format = "0%"
    sheet["B2"].number_format = "mmm yy"
    sheet.merge_cells("B2:B3")
    buffer = io.BytesIO()
    workbook.save(buffer)
    with open_workbook(buffer.getvalue(), budget()) as table:
        rows = list(table.rows())
        assert table.merged_ranges() == [(1, 1, 2, 1)]
    assert (rows[1][0].value, rows[1][1].granularity) == (50, "month")


@pytest.mark.parametrize(
    ("raw", "number_format", "shown"),
    [
        (1.5, "0%", "150 %"),  # what a refusal quotes: the cell as Excel shows it
        (0.5, "0%", "50 %"),
        (0.645, "0.0%", "64,5 %"),
        (0.12345, "0.00%", "12,35 %"),  # rounded half away from zero, as Excel rounds
        (40.5, None, "40,5"),
        (0.1 + 0.2, None, "0,3"),  # 15 significant digits
        (1234567.891, "#,##0.00", "1 234 567,89"),
        (2.5, "0", "3"),
        (12, None, "12"),
        (True, None, "ИСТИНА"),
        (False, None, "ЛОЖЬ"),
        (dt.datetime(2031, 9, 1), "mmmm yyyy", "сентябрь 2031"),
        (dt.datetime(2031, 9, 1), "dd.mm.yyyy", "01.09.2031"),
        (" 64,5 % ", None, "64,5 %"),  # text as written
        (None, None, ""),
    ],
)
def test_a_cell_is_shown_as_its_writer_sees_it(raw, number_format, shown):
    assert Cell(raw, number_format).shown == shown


def test_decoded_names_the_encoding_it_read():
    text = "Код;Школа\nA1;лицей\n"
    assert decoded(text.encode()) == (text, "utf-8-sig")
    assert decoded(text.encode("utf-16")) == (text, "utf-16")
    assert decoded(text.encode("cp1251")) == (text, "cp1251")
    assert decoded(text.encode("koi8_r")) == (text, "koi8_r")
    lowercase = "код;школа\n".encode("koi8_r")  # small letters only: told by the letters
    assert decoded(lowercase) == ("код;школа\n", "koi8_r")
    assert open_csv(lowercase, Budget(DEFAULTS)).encoding == "koi8_r"
    capitals = "КОД;ШКОЛА\n".encode("koi8_r")
    assert decoded(capitals) == ("КОД;ШКОЛА\n", "koi8_r")


def _sheet_xml_edited(content: bytes, *edits: tuple[bytes, bytes]) -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith("sheet1.xml"):
                for old, new in edits:
                    assert old in data, (old, data)
                    data = data.replace(old, new)
            target.writestr(info, data)
    return buffer.getvalue()


def test_a_formula_without_its_saved_result_is_kept_and_shown_as_the_formula():
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["Значение", "Удвоено"])
    for n in (1, 2, 3):
        book.active.append([n, f"=A{n + 1}*2"])
    book.active["C2"] = "=1+1"
    saved = io.BytesIO()
    book.save(saved)
    content = _sheet_xml_edited(
        saved.getvalue(),
        # B2 a shared formula B3 follows; B4 keeps its cached result; C2 as openpyxl wrote it
        (b"<f>A2*2</f>", b'<f t="shared" ref="B2:B3" si="0">A2*2</f>'),
        (b"<f>A3*2</f>", b'<f t="shared" si="0"/>'),
        (b"<f>A4*2</f><v></v>", b"<f>A4*2</f><v>6</v>"),
    )
    with open_workbook(content, budget()) as table:
        rows = list(table.rows())
    cells = {(r, c): cell for r, row in enumerate(rows, 1) for c, cell in enumerate(row)}
    assert [cells[(row, 1)].unsaved_formula for row in (2, 3, 4)] == ["=A2*2", "=A3*2", None]
    assert cells[(4, 1)].value == 6 and cells[(2, 2)].shown == "=1+1"
    assert cells[(2, 1)].type == CellType.empty  # no value, yet not blank
    assert cells[(2, 0)].unsaved_formula is None and Cell("x", formula="=1").unsaved_formula is None


@pytest.mark.parametrize(
    ("title", "field"),
    [
        ("Значение", "value"),
        ("Значение, %", "value"),
        ("Значение (%)", "value"),
        ("Значение показателя", "value"),
        ("Значение показателя, %", "value"),
        ("Код показателя (ID)", "indicator_code"),
        ("Период (учебный год)", "period"),
        ("Код ОО", None),  # the school's code, not the indicator's
        ("Код (ОО)", None),
        ("Значение (ОО)", None),
        ("Значение 2031", None),
        ("Год рождения", None),
        ("Значения", None),
        ("Показатель (наименование)", None),  # the indicator's name beside its code
        ("Значение (примечание)", None),
    ],
)
def test_a_column_title_with_a_unit_or_a_qualifier_is_its_fields(title, field):
    from services.api.data_values.sheet import COLUMNS
    from shared.spreadsheets import column_field, header_key

    assert column_field(header_key(title), COLUMNS) == field
