"""Roadmap import from the seed documents as .txt, and as .docx, .xlsx and .csv made from them."""

import csv
import io

import pytest
from docx import Document
from docx.enum.text import WD_BREAK
from openpyxl import Workbook

from services.api.roadmaps.document_import.document import (
    ImportResult,
    UnreadableDocument,
    UnsupportedFormat,
    import_document,
    parse_blocks,
)
from services.api.roadmaps.document_import.readers import Block, Paragraph, Row, read_blocks
from services.demo.loader import SEEDS
from tests.api.helpers import seed

# Counted by hand from the seed texts: (number, title start, deadline_text, responsible).
EXPECTED = {
    "000": {
        "count": 6,
        "numbers": ["1.", "2.", "3.", "4.", "5.", "6."],
        "first": ("1.", "Проектировочный семинар для участников кластера", "Сентябрь 2019", ""),
        "last": ("6.", "Экспертиза разработанного инструментария", "Май – июнь 2020 г.", ""),
    },
    "001": {
        "count": 18,
        "numbers": [str(n) for n in range(1, 19)],
        "first": (
            "1",
            "Заключение договоров с ОО о сетевом взаимодействии",
            "июнь - август, 2019",
            "ГБОУ гимназия №528 Невского района СПб",
        ),
        "last": (
            "18",
            "Проведение сетевого семинара по представлению опыта",
            "май",
            "ГБОУ гимназия №528 Невского района СПб, ОО, участницы кластера",
        ),
    },
    "004": {
        "count": 23,
        # the four activities without a number lost it in the Word-to-text export
        "numbers": [
            *("1.", "2.", "3.", "5."),
            *("1.", "2.", "3.", "4", "5.", "6.", "7.", "8."),
            *("", "", "", ""),
            *("21.", "2.2.", "2.3.", "2.4.", "2.5.", "2.6.", "2.8."),
        ],
        "first": ("1.", "Внесение изменений в Положение о муниципальной", "2021", "МОУО"),
        "last": ("2.8.", "Заседание экспертной комиссии по оценке", "По плану МОУО", "МОУО"),
    },
}


def import_seed(prefix: str) -> ImportResult:
    return import_document(*seed(prefix))


def seed_blocks(prefix: str) -> list[Block]:
    return read_blocks(*seed(prefix))


def activity_rows(result: ImportResult) -> list[tuple[str, ...]]:
    """Everything an activity says, without its source row (which differs between formats)."""
    return [
        (a.number, a.title, a.deadline_text, a.responsible, a.expected_result, a.evidence)
        for roadmap in result.roadmaps
        for a in roadmap.activities
    ]


def check_first_and_last(result: ImportResult, prefix: str) -> None:
    expected = EXPECTED[prefix]
    activities = [a for roadmap in result.roadmaps for a in roadmap.activities]
    assert len(activities) == expected["count"]
    assert result.report.activities_found == expected["count"]
    assert [a.number for a in activities] == expected["numbers"]
    for activity, (number, title, deadline, responsible) in (
        (activities[0], expected["first"]),
        (activities[-1], expected["last"]),
    ):
        assert activity.number == number
        assert activity.title.startswith(title)
        assert activity.deadline_text == deadline
        assert activity.responsible == responsible


def reasons(result: ImportResult) -> list[str]:
    return [skipped.reason for skipped in result.report.rows_skipped]


# --- the seeds as text ---------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["000", "001", "004"])
def test_seed_text_imports_every_activity(prefix):
    result = import_seed(prefix)
    assert len(result.roadmaps) == 1
    assert result.report.tables_found == 1
    check_first_and_last(result, prefix)
    assert all(a.title and a.source_row > 0 for a in result.roadmaps[0].activities)


def test_seed_000_stages_with_results_and_deadlines():
    (roadmap,) = import_seed("000").roadmaps
    assert roadmap.title == (
        "Дорожная карта Использование оценочных процедур в системе дополнительного образования"
    )
    assert roadmap.period_text is None
    assert [s.title for s in roadmap.sections] == [""]
    assert [a.deadline_text for a in roadmap.activities] == [
        "Сентябрь 2019",
        "Октябрь 2019",
        "Ноябрь – декабрь 2019 г.",
        "Январь 2020 г.",
        "Февраль – апрель 2020 г.",
        "Май – июнь 2020 г.",
    ]
    first = roadmap.activities[0]
    assert first.expected_result.splitlines() == [
        "- Сформирован единый подход у участников кластера к определению качества дополнительного"
        " образования на основании современных тенденций",
        "- Определена совокупность критериев и показателей оценки качества дополнительного"
        " образования",
    ]


def test_seed_001_title_period_passport_and_cells_dropped_by_the_export():
    result = import_seed("001")
    (roadmap,) = result.roadmaps
    assert roadmap.title.startswith("Дорожная карта организации сетевого взаимодействия в рамках")
    assert "“Использование современных цифровых технологий" in roadmap.title
    assert roadmap.period_text == "в 2019 - 2020 уч. году"
    assert roadmap.passport["goal"].startswith("Организация использования современных цифровых")
    tasks = roadmap.passport["tasks"].splitlines()
    assert len(tasks) == 6
    assert tasks[0].startswith("· Определить набор")
    assert set(roadmap.passport) == {"goal", "tasks"}
    # rows 7 and 8 have no deadline cell at all: their responsible must not land under "Сроки"
    seventh, eighth = roadmap.activities[6:8]
    for activity in (seventh, eighth):
        assert activity.deadline_text == ""
        assert activity.responsible == "ГБОУ гимназия №528 Невского района СПб"
    assert seventh.title.startswith("Проведение совещаний для координаторов ОО:\n· Анализ")
    assert seventh.title.count("\n·") == 8
    # the criteria table after the plan has no activity column
    assert reasons(result) == ["строка вне таблицы мероприятий"] * 13
    assert result.report.rows_skipped[0].text.startswith("Критерии | Показатели эффективности")


def test_seed_004_sections_continuations_and_page_breaks():
    result = import_seed("004")
    (roadmap,) = result.roadmaps
    assert roadmap.title == (
        "Дорожная карта по развитию муниципальной системы оценки качества образования и"
        " муниципальных механизмов управления качеством образования в МО «Кайтагский район»"
    )
    assert roadmap.period_text is None
    assert [(s.title[:40], len(s.activities)) for s in roadmap.sections] == [
        ("Формирование нормативно-правового обеспе", 4),
        ("Система оценки качества подготовки обуча", 19),
    ]
    by_position = roadmap.activities
    # a row whose start was lost at a page break continues the activity above it
    assert by_position[2].title.endswith(
        "по направлениям деятельности их руководителей и педагогических работников»"
    )
    assert "\n- использование для оценки деятельности педагога" in by_position[11].title
    unnumbered = by_position[12:16]
    assert [a.deadline_text for a in unnumbered] == ["ежегодно"] * 4
    assert unnumbered[0].title.startswith("Использование муниципальных показателей по:\n- контролю")
    assert "<p>" not in unnumbered[0].title
    assert by_position[16].title.endswith("(семинары, встречи, конференции)")
    assert reasons(result) == ["повтор заголовка"] * 5 + ["пустая строка"]
    # named by the line of the text file a person opens, not by the blocks read
    repeated = [s.row for s in result.report.rows_skipped if s.reason == "повтор заголовка"]
    assert repeated == [25, 36, 40, 47, 50]
    lines = next(SEEDS.glob("004_*.txt")).read_text().splitlines()
    assert all(lines[row - 1].startswith("№ п/п\tМероприятие") for row in repeated)


def test_seed_002_a_whole_set_of_roadmaps_through_ocr_noise():
    result = import_seed("002")
    roadmaps = result.roadmaps
    assert len(roadmaps) == 10
    for code, roadmap in zip(
        ["1.1", "1.2", "1.3", "1.4", "2.1", "2.2", "2.3", "2.4", "2.5"], roadmaps, strict=False
    ):
        assert roadmap.title.startswith(("План мероприятий", "Паспорт")), roadmap.title
        if code != "1.2":  # its plan's own title has no number
            assert code in roadmap.title
    assert "дошкольного образования" in roadmaps[-1].title
    assert all(roadmap.passport for roadmap in roadmaps)
    assert sum("goal" in r.passport for r in roadmaps) >= 8
    assert sum("effectiveness" in r.passport for r in roadmaps) >= 8
    assert all(len(roadmap.activities) >= 5 for roadmap in roadmaps)
    assert all(roadmap.period_text and "2021" in roadmap.period_text for roadmap in roadmaps)
    assert result.report.tables_found == 10
    assert result.report.activities_found >= 100
    first = roadmaps[0].activities[0]
    assert first.title.startswith("Разработка и реализация Плана-графика проведения")
    assert first.responsible == "Отдел образования, методический кабинет"
    assert roadmaps[0].sections[1].title.startswith("II Мероприятия по аналитическому")
    skipped = result.report.rows_skipped
    assert len(skipped) >= 20
    assert {"продолжение заголовка", "строка вне таблицы мероприятий"} <= set(reasons(result))
    assert all(s.row > 0 and 0 < len(s.text) <= 120 and s.reason for s in skipped)


def test_seed_003_programme_with_stages():
    result = import_seed("003")
    (roadmap,) = result.roadmaps
    assert roadmap.title == "Программа реализации проекта ОЭР"
    assert [s.title for s in roadmap.sections] == ["Подготовительный", "Моделирующий", "Обобщающий"]
    assert len(roadmap.activities) >= 12
    first = roadmap.activities[0]
    assert first.title == "Формирование организационной структуры для выполнения ОЭР"
    assert first.deadline_text == "Январь 2019 года-декабрь 2019 года"
    assert first.expected_result == "Организационная готовность к реализации проекта"
    assert first.evidence.startswith("Приказ ИМЦ о формировании рабочей группы")
    assert reasons(result) == ["повтор заголовка"] * 6
    assert any("Средства контроля" in warning for warning in result.report.warnings)


# --- the same seeds as Word, Excel and CSV -------------------------------------------------


def _tables(blocks: list[Block]) -> list[Paragraph | list[Row]]:
    """Paragraphs, and the rows of each table gathered into one list."""
    items: list[Paragraph | list[Row]] = []
    for block in blocks:
        if isinstance(block, Paragraph):
            items.append(block)
        elif items and isinstance(items[-1], list) and items[-1][-1].table == block.table:
            items[-1].append(block)
        else:
            items.append([block])
    return items


def _is_section(row: Row) -> bool:
    return sum(1 for cell in row.cells if cell) == 1 and bool(row.cells[0])


def _add_word_table(document, rows: list[Row], width: int) -> None:
    table = document.add_table(rows=0, cols=width)
    for row in rows:
        cells = table.add_row().cells
        if _is_section(row):
            cells[0].merge(cells[-1]).text = row.cells[0]
            continue
        for cell, text in zip(cells, row.cells, strict=False):
            cell.text = text


def make_docx(blocks: list[Block]) -> bytes:
    """A Word file with the seed's paragraphs and tables; its first table breaks across pages."""
    document = Document()
    split = False
    for item in _tables(blocks):
        if isinstance(item, Paragraph):
            document.add_paragraph(item.text)
            continue
        width = max(len(row.cells) for row in item)
        if split or len(item) < 4:
            _add_word_table(document, item, width)
            continue
        half = len(item) // 2
        _add_word_table(document, item[:half], width)
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _add_word_table(document, [item[0], *item[half:]], width)  # the header repeats
        split = True
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _first_table(blocks: list[Block]) -> tuple[list[str], list[Row]]:
    items = _tables(blocks)
    at = next(i for i, item in enumerate(items) if isinstance(item, list))
    heading = [item.text for item in items[:at] if isinstance(item, Paragraph)]
    rows = items[at]
    assert isinstance(rows, list)
    return heading, rows


def make_xlsx(blocks: list[Block], section: str | None = None) -> bytes:
    """One sheet: the title lines, then the first table; section rows merged across it."""
    heading, rows = _first_table(blocks)
    if section is not None:
        rows = [rows[0], Row((section,), rows[0].table), *rows[1:]]
    width = max(len(row.cells) for row in rows)
    workbook = Workbook()
    sheet = workbook.active
    for text in heading:
        sheet.append([text])
    for row in rows:
        sheet.append(list(row.cells))
        if _is_section(row):
            sheet.merge_cells(
                start_row=sheet.max_row, start_column=1, end_row=sheet.max_row, end_column=width
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def make_csv(blocks: list[Block], delimiter: str, encoding: str) -> bytes:
    heading, rows = _first_table(blocks)
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    writer.writerows([[text] for text in heading])
    writer.writerows(row.cells for row in rows)
    return buffer.getvalue().encode(encoding)


def check_same_as_text(result, prefix: str):
    """`result` (the seed `prefix` imported from another format) holds what its text gives:
    the first and last activities, every activity's row, the roadmaps' titles and sections.
    The text's import is returned, for what a format adds."""
    from_text = import_seed(prefix)
    check_first_and_last(result, prefix)
    assert activity_rows(result) == activity_rows(from_text)
    assert [r.title for r in result.roadmaps] == [r.title for r in from_text.roadmaps]
    sections = [[s.title for s in r.sections] for r in result.roadmaps]
    assert sections == [[s.title for s in r.sections] for r in from_text.roadmaps]
    return from_text


@pytest.mark.parametrize("prefix", ["000", "001", "004"])
def test_seed_as_docx_gives_the_same_activities(prefix):
    result = import_document("roadmap.docx", make_docx(seed_blocks(prefix)))
    from_text = check_same_as_text(result, prefix)
    assert [r.passport for r in result.roadmaps] == [r.passport for r in from_text.roadmaps]
    assert result.report.tables_found == 2  # split across pages: two Word tables, one plan
    assert "повтор заголовка" in reasons(result)


@pytest.mark.parametrize("prefix", ["000", "001", "004"])
def test_seed_as_xlsx_gives_the_same_activities(prefix):
    check_same_as_text(import_document("roadmap.xlsx", make_xlsx(seed_blocks(prefix))), prefix)


def test_xlsx_merged_section_row_opens_a_section():
    content = make_xlsx(seed_blocks("000"), section="Раздел 1. Работа кластера")
    result = import_document("roadmap.xlsx", content)
    (roadmap,) = result.roadmaps
    assert [(s.title, len(s.activities)) for s in roadmap.sections] == [
        ("Раздел 1. Работа кластера", 6)
    ]
    assert activity_rows(result) == activity_rows(import_seed("000"))


def test_csv_with_semicolons_in_cp1251():
    content = make_csv(seed_blocks("004"), delimiter=";", encoding="cp1251")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    result = import_document("roadmap.csv", content)
    check_first_and_last(result, "004")
    assert activity_rows(result) == activity_rows(import_seed("004"))
    assert result.roadmaps[0].title == import_seed("004").roadmaps[0].title


def test_csv_with_commas_in_utf8_with_bom():
    content = make_csv(seed_blocks("001"), delimiter=",", encoding="utf-8-sig")
    assert content.startswith(b"\xef\xbb\xbf")
    result = import_document("ROADMAP.CSV", content)
    check_first_and_last(result, "001")
    assert activity_rows(result) == activity_rows(import_seed("001"))


# --- formats and errors ----------------------------------------------------------------------


@pytest.mark.parametrize("filename", ["plan.pdf", "plan.doc", "plan", "plan.xls"])
def test_unsupported_extension(filename):
    with pytest.raises(UnsupportedFormat) as raised:
        import_document(filename, b"anything")
    assert isinstance(raised.value, ValueError)
    for extension in (".docx", ".xlsx", ".csv", ".txt"):
        assert extension in str(raised.value)


@pytest.mark.parametrize("filename", ["plan.docx", "plan.xlsx"])
def test_corrupt_file_is_unreadable(filename):
    with pytest.raises(UnreadableDocument) as raised:
        import_document(filename, b"PK\x03\x04 this is not a zip archive")
    assert isinstance(raised.value, ValueError)
    assert filename in str(raised.value)


# --- rows split across pages -----------------------------------------------------------------

SPLIT_TABLE = "\n".join(
    [
        "План мероприятий на 2024 год",
        "№ п/п\tНаименование мероприятия\tСроки\tОтветственный\tФорма представления результата",
        "1\t2\t3\t4\t5",
        "I.\tОрганизационные мероприятия\t\t\t",
        "1.1.\tПроведение совещания\tянварь 2024\tОтдел образования\tПротокол",
        "1.2.\tПодготовка аналитической справки по итогам\tфевраль –\tМетодический\tСправка",
        "№ п/п\tНаименование мероприятия\tСроки\tОтветственный\tФорма представления результата",
        "\tмониторинга\tмарт 2024\tкабинет\t",
        "\t\t\t\t",
        "Раздел 2. Мониторинг\t\t\t\t",
        "2.1.\tМониторинг сайтов ОО\tежегодно\tОтдел образования\tСправка",
        "2.2.\t\tапрель\tОтдел образования\t",
    ]
)


def test_continuation_rows_merge_and_repeated_headers_are_reported():
    result = import_document("plan.txt", SPLIT_TABLE.encode())
    (roadmap,) = result.roadmaps
    assert roadmap.title == "План мероприятий на 2024 год"
    assert roadmap.period_text == "на 2024 год"
    assert [s.title for s in roadmap.sections] == [
        "I. Организационные мероприятия",
        "Раздел 2. Мониторинг",
    ]
    split = roadmap.activities[1]
    assert split.number == "1.2."
    assert split.title == "Подготовка аналитической справки по итогам мониторинга"
    assert split.deadline_text == "февраль – март 2024"
    assert split.responsible == "Методический кабинет"
    assert split.evidence == "Справка"
    assert [a.number for a in roadmap.activities] == ["1.1.", "1.2.", "2.1."]
    skipped = [(s.row, s.reason) for s in result.report.rows_skipped]
    assert skipped == [
        (3, "строка номеров столбцов"),
        (7, "повтор заголовка"),
        (9, "пустая строка"),
        (12, "нет названия мероприятия"),
    ]
    assert result.report.rows_skipped[1].text.startswith("№ п/п | Наименование мероприятия")


def test_headers_are_matched_through_line_breaks_and_ocr_look_alikes():
    blocks = [
        Paragraph("Дорожная карта на 2022-2023 учебный год"),
        Row(("№\nп/п", "Наимено-\nвание меро-\nприятия", "Cpoки", "Ответствен-\nный", "Итог"), 0),
        Row(("1", "Совещание", "май 2022", "УО", "Протокол"), 0),
    ]
    result = parse_blocks(blocks)
    (activity,) = result.roadmaps[0].activities
    assert (activity.number, activity.title, activity.deadline_text, activity.responsible) == (
        "1",
        "Совещание",
        "май 2022",
        "УО",
    )
    assert result.roadmaps[0].period_text == "на 2022-2023 учебный год"
    assert result.report.warnings == ["столбцы не импортированы: Итог"]


def test_a_table_without_an_activity_column_is_not_an_activity_table():
    blocks = [
        Row(("Критерии", "Показатели", "Значение показателя"), 0),
        Row(("Охват", "Доля ОО", "90%"), 0),
    ]
    result = parse_blocks(blocks)
    assert result.roadmaps == []
    assert result.report.tables_found == 0
    assert reasons(result) == ["строка вне таблицы мероприятий"] * 2
    assert result.report.warnings[0].startswith("таблица мероприятий не найдена")


def test_docx_merged_section_row_and_vertically_merged_deadline():
    document = Document()
    document.add_paragraph("План мероприятий на 2025 год")
    table = document.add_table(rows=5, cols=4)
    rows = [
        ("№", "Мероприятие", "Сроки", "Ответственный"),
        ("Раздел 1. Мониторинг", "", "", ""),
        ("1", "Мониторинг сайтов", "в течение года", "Отдел образования"),
        ("2", "Анализ результатов ВПР", "", "Методический кабинет"),
        ("3", "Совещание", "май", "Отдел образования"),
    ]
    for cells, texts in zip(table.rows, rows, strict=True):
        for cell, text in zip(cells.cells, texts, strict=True):
            cell.text = text
    table.cell(1, 0).merge(table.cell(1, 3)).text = "Раздел 1. Мониторинг"
    table.cell(2, 2).merge(table.cell(3, 2)).text = "в течение года"
    buffer = io.BytesIO()
    document.save(buffer)
    (roadmap,) = import_document("plan.docx", buffer.getvalue()).roadmaps
    (section,) = roadmap.sections
    assert section.title == "Раздел 1. Мониторинг"
    assert [(a.number, a.deadline_text, a.responsible) for a in section.activities] == [
        ("1", "в течение года", "Отдел образования"),
        ("2", "в течение года", "Методический кабинет"),
        ("3", "май", "Отдел образования"),
    ]


def test_a_word_wrapped_onto_the_next_labels_line_ends_the_step_before():
    """Seed 002's passport 2.5: the goal's last word «обучающихся» stands beside «Задачи» (a
    table drawn from a PDF); it ends the goal, and the tasks are not «обучающихся»."""
    [roadmap] = [r for r in import_seed("002").roadmaps if "2.5" in r.title]
    assert roadmap.passport["goal"].endswith("воспитания и социализации обучающихся")
    assert roadmap.passport.get("tasks") != "обучающихся"
