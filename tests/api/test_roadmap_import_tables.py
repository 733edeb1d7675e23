"""Roadmap tables as spreadsheets write them (issue 14): vertical merges, deadlines in two
columns, date cells formatted as a month or a year."""

import io
from pathlib import Path

import pytest
from openpyxl import Workbook

from services.api.roadmaps.deadlines import parse_deadline
from services.api.roadmaps.document_import.document import import_document, parse_blocks

CASES = Path(__file__).parent / "cases"


def activities(content: bytes, name: str = "plan.xlsx") -> dict[str, tuple[str, object, object]]:
    """number -> (deadline text, due start, due end) of every activity imported."""
    result = import_document(name, content)
    found = {}
    for roadmap in result.roadmaps:
        for section in roadmap.sections:
            for activity in section.activities:
                deadline = parse_deadline(activity.deadline_text)
                found[activity.number] = (
                    activity.deadline_text,
                    str(deadline.due_start),
                    str(deadline.due_end),
                )
    return found


def xlsx(rows: list[list[object]], merges=(), formats=None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    for cells in merges:
        sheet.merge_cells(cells)
    for cell, number_format in (formats or {}).items():
        sheet[cell].number_format = number_format
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


HEADER = ["№", "Наименование мероприятия", "Срок исполнения", "Ответственный"]


def test_the_handed_rm1_file_gives_every_activity_its_deadline():
    found = activities((CASES / "rm1_xlsx_merged_dates.xlsx").read_bytes())
    assert found["2.1"][0] == found["2.2"][0] == "в течение года"  # merged C9:C10
    assert found["1.3"] == ("март 2022", "2022-03-01", "2022-03-31")  # [$-419]MMMM YYYY
    assert found["1.1"] == ("01.11.2021", "2021-11-01", "2021-11-01")
    assert found["1.2"] == ("15.12.2021", "2021-12-15", "2021-12-15")
    assert found["2.3"] == ("20.04.2022", "2022-04-20", "2022-04-20")
    # 44713 in a "General" cell of the deadline column: the date Excel stores for 01.06.2022
    assert found["2.4"] == ("01.06.2022", "2022-06-01", "2022-06-01")
    assert set(found) == {"1.1", "1.2", "1.3", "2.1", "2.2", "2.3", "2.4"}


def test_a_cell_merged_down_belongs_to_every_activity_it_spans():
    rows = [HEADER, ["1", "Семинар", "II квартал 2022", "ИМЦ"], ["2", "Совещание", None, None]]
    rows.append(["3", "Отчёт", "01.06.2022", None])
    found = activities(xlsx(rows, merges=["C2:C3", "D2:D4"]))
    assert found["1"] == found["2"] == ("II квартал 2022", "2022-04-01", "2022-06-30")
    assert found["3"][0] == "01.06.2022"


@pytest.mark.parametrize(
    ("number_format", "text", "start", "end"),
    [
        ("mmmm yyyy", "сентябрь 2021", "2021-09-01", "2021-09-30"),
        ("mmm\\ yy", "сентябрь 2021", "2021-09-01", "2021-09-30"),
        ("[$-419]MMMM;@", "сентябрь 2021", "2021-09-01", "2021-09-30"),  # shows "Сентябрь"
        ('yyyy" г."', "2021", "2021-01-01", "2021-12-31"),
        ("dd.mm.yyyy", "15.09.2021", "2021-09-15", "2021-09-15"),
    ],
)
def test_a_date_cell_keeps_the_granularity_its_format_shows(number_format, text, start, end):
    import datetime as dt

    rows = [HEADER, ["1", "Семинар", dt.datetime(2021, 9, 15), "ИМЦ"]]
    if number_format != "dd.mm.yyyy":
        rows[1][2] = dt.datetime(2021, 9, 1)
    found = activities(xlsx(rows, formats={"C2": number_format}))
    assert found["1"] == (text, start, end)


@pytest.mark.parametrize(
    "header",
    [
        [["№", "Мероприятие", "Срок начала", "Срок окончания", "Ответственный"]],
        [["№", "Мероприятие", "Срок", "", "Ответственный"], ["", "", "с", "по", ""]],
    ],
)
def test_a_deadline_in_two_columns_is_one_window(header):
    rows = [*header, ["1", "Семинар", "01.09.2021", "31.10.2021", "ИМЦ"]]
    rows.append(["2", "Совещание", "", "31.05.2022", "ИМЦ"])
    rows.append(["3", "Отчёт", "март 2022", "март 2022", "ИМЦ"])
    found = activities(xlsx(rows, merges=["C1:D1"] if len(header) == 2 else ()))
    assert found["1"] == ("01.09.2021 – 31.10.2021", "2021-09-01", "2021-10-31")
    assert found["2"][0] == "до 31.05.2022" and found["2"][2] == "2022-05-31"
    assert found["3"] == ("март 2022", "2022-03-01", "2022-03-31")


def test_a_deadline_in_two_csv_columns_is_one_window():
    content = "№;Мероприятие;Срок начала;Срок окончания;Ответственный\r\n"
    content += "1;Семинар;сентябрь 2021;октябрь 2021;ИМЦ\r\n"
    found = activities(content.encode("cp1251"), "plan.csv")
    assert found["1"] == ("сентябрь 2021 – октябрь 2021", "2021-09-01", "2021-10-31")


def test_the_report_says_which_date_cells_were_read_as_a_month():
    result = import_document("rm1.xlsx", (CASES / "rm1_xlsx_merged_dates.xlsx").read_bytes())
    # rows are named as Excel numbers them (1.3 is row 7, 2.4 row 12), empty rows and the
    # title above the table counted
    assert [w for w in result.report.warnings if w.startswith("строка ")] == [
        "строка 7: формат даты «месяц год»: 01.03.2022 → март 2022",
        "строка 12: число 44713 — дата Excel: 01.06.2022",
    ]


def test_rows_are_named_as_excel_numbers_them_whatever_the_sheet_skips():
    import datetime as dt

    rows = [["План мероприятий на 2021-2022 учебный год"], [], [], HEADER, []]
    rows += [["1", "Семинар", dt.datetime(2022, 3, 1), "ИМЦ"], [], ["3", None, "май 2022", None]]
    rows += [HEADER, ["2", "Совещание", 44713, "ИМЦ"]]
    result = import_document("plan.xlsx", xlsx(rows, formats={"C6": "mmmm yyyy"}))
    skipped = [(s.row, s.reason) for s in result.report.rows_skipped]
    assert skipped == [(8, "нет названия мероприятия"), (9, "повтор заголовка")]
    assert [w for w in result.report.warnings if w.startswith("строка ")] == [
        "строка 6: формат даты «месяц год»: 01.03.2022 → март 2022",
        "строка 10: число 44713 — дата Excel: 01.06.2022",
    ]
    assert [a.source_row for a in result.roadmaps[0].activities] == [6, 10]


def test_csv_rows_are_named_by_their_line_after_the_sep_hint():
    content = "sep=;\r\n№;Мероприятие;Срок;Ответственный\r\n\r\n1;Семинар;44713;ИМЦ\r\n"
    content += ";;;\r\n2;Совещание;2022;44713\r\n"
    result = import_document("plan.csv", content.encode("cp1251"))
    assert [w for w in result.report.warnings if w.startswith("строка ")] == [
        "строка 4: число 44713 — дата Excel: 01.06.2022"
    ]
    (first, second) = result.roadmaps[0].activities
    assert (first.source_row, first.deadline_text) == (4, "01.06.2022")
    # a year in the deadline column is that year; a number in another column is left alone
    assert (second.source_row, second.deadline_text, second.responsible) == (6, "2022", "44713")
    assert str(parse_deadline(second.deadline_text).due_end) == "2022-12-31"


def test_an_excel_date_in_a_merged_deadline_cell_holds_for_every_row_it_spans():
    rows = [HEADER, ["1", "Семинар", 44713, "ИМЦ"], ["2", "Совещание", None, "ИМЦ"]]
    found = activities(xlsx(rows, merges=["C2:C3"]))
    assert found["1"] == found["2"] == ("01.06.2022", "2022-06-01", "2022-06-01")


def test_the_handed_rm3_docx_repeated_header_and_a_row_split_across_pages():
    content = (CASES / "rm3_docx_repeated_header_split_row.docx").read_bytes()
    result = import_document("rm3.docx", content)
    assert len(result.roadmaps) == 1 and result.report.warnings == []
    found = activities(content, "rm3.docx")
    assert list(found) == ["1.1", "1.2", "1.3", "2.1", "2.2", "2.3"]
    # 1.2 continues after the header repeated on the next page: one activity, one deadline
    (split,) = [a for a in result.roadmaps[0].activities if a.number == "1.2"]
    assert split.title.endswith("для обучающихся и родителей (законных представителей)")
    assert found["1.2"] == ("Ноябрь – декабрь 2021 г.", "2021-11-01", "2021-12-31")
    assert found["2.3"] == ("до 01.11.2021", "None", "2021-11-01")
    sections = [s.title for s in result.roadmaps[0].sections]
    assert sections == [
        "I. Информационно-аналитическое направление",
        "II. Методическое направление",
    ]
    assert [(s.row, s.reason) for s in result.report.rows_skipped] == [
        (3, "строка номеров столбцов"),
        (7, "повтор заголовка"),
        (8, "строка номеров столбцов"),
    ]


def test_the_handed_rm4_docx_two_tables_across_a_page_break_are_one_plan():
    content = (CASES / "rm4_docx_two_tables_page_break.docx").read_bytes()
    result = import_document("rm4.docx", content)
    assert len(result.roadmaps) == 1
    assert result.report.tables_found == 2  # the table goes on in a second one
    found = activities(content, "rm4.docx")
    assert found == {
        "1.1": ("Ноябрь – декабрь 2021 г.", "2021-11-01", "2021-12-31"),
        "1.2": ("Ноябрь – декабрь 2021 г.", "2021-11-01", "2021-12-31"),
        "1.3": ("III квартал 2022", "2022-07-01", "2022-09-30"),
    }
    assert [a.responsible for a in result.roadmaps[0].activities] == [
        "Управление образования",
        "Заместители директоров",
        "Управление образования",
    ]


def test_a_docx_table_continued_after_a_page_break_counts_as_two_tables():
    from services.api.roadmaps.document_import.readers import Row

    header = ("№", "Наименование мероприятия", "Срок исполнения", "Ответственный")
    blocks = [Row(header, 0), Row(("1", "Семинар", "май 2022", "ИМЦ"), 0)]
    blocks += [Row(("2", "Совещание", "июнь 2022", "ИМЦ"), 1)]
    result = parse_blocks(blocks)
    assert result.report.activities_found == 2 and result.report.tables_found == 2


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("plan.pdf", b"%PDF", "файл «plan.pdf» не импортируется: принимаются .docx, .xlsx"),
        ("plan.xlsx", b"not a zip", "файл «plan.xlsx» не читается как .xlsx"),
    ],
)
def test_a_file_that_cannot_be_read_is_said_in_russian(name, content, message):
    from services.api.roadmaps.document_import.readers import read_blocks

    with pytest.raises(ValueError, match=message):
        read_blocks(name, content)
