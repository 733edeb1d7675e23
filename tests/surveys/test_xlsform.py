"""XLSForm import and export: the bank round-trips, a hand-made workbook reads as expected, and
every unreadable workbook is reported with its sheet, row and column."""

import copy
import io
from collections.abc import Callable
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from services.surveys.instruments.definition import InstrumentDefinition, load_bank
from services.surveys.instruments.xlsform import XLSFormError, from_xlsform, to_xlsform

BANK = {d.code: d for d in load_bank()}
Sheets = dict[str, list[list[Any]]]


def build(sheets: Sheets) -> bytes:
    """A workbook written cell by cell, as a methodologist would type it."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def sheet_rows(data: bytes, name: str) -> list[tuple[Any, ...]]:
    """The sheet's rows, without the empty cells at their ends."""
    rows = load_workbook(io.BytesIO(data))[name].iter_rows(values_only=True)
    result = []
    for row in rows:
        cells = list(row)
        while cells and cells[-1] is None:
            cells.pop()
        result.append(tuple(cells))
    return result


@pytest.mark.parametrize("code", sorted(BANK))
def test_every_bank_instrument_round_trips(code):
    assert from_xlsform(to_xlsform(BANK[code])) == BANK[code]


def test_written_workbook_is_standard_xlsform():
    data = to_xlsform(BANK["nok_parents_2018"], version="2024090101")
    survey = sheet_rows(data, "survey")
    assert survey[0][:7] == ("type", "name", "label", "hint", "required", "relevant", "constraint")
    assert survey[1][:3] == (
        "begin group",
        "openness",
        "Открытость и доступность информации об организации",
    )
    nok_02 = next(row for row in survey if row[1] == "nok_02")
    assert nok_02[0] == "select_one yes_no"
    assert nok_02[5] == "${nok_01} = 'yes'"
    nok_01 = next(row for row in survey if row[1] == "nok_01")
    assert nok_01[9] == "-"  # a filter question: no answer counts as satisfied
    assert ("yes_no", "yes", "Да") in sheet_rows(data, "choices")
    settings = dict(zip(*sheet_rows(data, "settings"), strict=True))
    assert settings["form_id"] == "nok_parents_2018"
    assert settings["version"] == "2024090101"
    assert settings["kind"] == "satisfaction"
    assert "competences" not in load_workbook(io.BytesIO(data)).sheetnames


def test_written_diagnostic_has_competences_and_scored_choices():
    data = to_xlsform(BANK["teacher_professional_deficits"])
    competences = sheet_rows(data, "competences")
    assert competences[0] == ("name", "label", "threshold", "description")
    assert [row[0] for row in competences[1:]] == [
        "subject",
        "methodological",
        "psycho_pedagogical",
        "communicative",
    ]
    item = next(row for row in sheet_rows(data, "survey") if row[1] == "subject_1")
    assert item[0] == "select_one subject_1"
    assert (item[7], item[8]) == ("subject", 1)
    correct = [
        row for row in sheet_rows(data, "choices") if row[0] == "subject_1" and row[3:4] == ("yes",)
    ]
    assert len(correct) == 1
    assert correct[0][3:] == ("yes", 1)


def test_likert_labels_follow_the_kind():
    satisfaction = sheet_rows(to_xlsform(BANK["parents_satisfaction"]), "choices")
    self_assessment = sheet_rows(to_xlsform(BANK["leader_self_assessment"]), "choices")
    assert ("likert5", "5", "5 — Полностью удовлетворён(а)") in satisfaction
    assert ("likert5", "1", "1 — Совсем не соответствует") in self_assessment


# fmt: off
# A spreadsheet typed by hand reads best as a table.
HAND_MADE: Sheets = {
    "survey": [
        ["type", "name", "label", "hint", "required", "relevant", "constraint",
         "positive"],
        ["start", "start"],
        ["begin_group", "site", "Сайт школы"],
        ["select_one yes_no", "has_site", "Есть ли у школы сайт?", None, "yes"],
        ["select_one quality", "site_quality", "Как Вы оцениваете сайт?", None, "TRUE",
         "${has_site} = 'yes'", None, "good excellent"],
        ["select_multiple channels", "channels", "Откуда Вы узнаёте новости школы?",
         "Можно выбрать несколько", "yes"],
        ["text", "other_channel", "Какие ещё источники?", None, None,
         "selected(${channels}, 'other')"],
        ["end_group"],
        [],
        ["begin group", "family", "О семье"],
        ["integer", "children", "Сколько Ваших детей учатся в школе?", None, 1, None,
         ". >= 1 and . <= 10"],
        ["select_one likert5", "overall", "В целом насколько Вы удовлетворены школой?", None,
         "yes", "${site_quality} = 'good' or ${site_quality} = \"excellent\""],
        ["end group"],
    ],
    "choices": [
        ["list_name", "name", "label"],
        ["quality", "poor", "Плохо"],
        ["quality", "good", "Хорошо"],
        ["quality", "excellent", "Отлично"],
        ["channels", "site", "Сайт"],
        ["channels", "chat", "Родительский чат"],
        ["channels", "other", "Другое"],
        ["yes_no", "yes", "Да"],
        ["yes_no", "no", "Нет"],
    ],
    "settings": [
        ["form_title", "form_id", "version", "default_language", "kind", "audience"],
        ["Анкета для родителей", "hand_made_survey", "1", "Русский (ru)", "satisfaction",
         "parents"],
    ],
}
# fmt: on


def test_a_hand_written_workbook_reads_into_the_expected_definition():
    expected = InstrumentDefinition.model_validate(
        {
            "code": "hand_made_survey",
            "kind": "satisfaction",
            "title": "Анкета для родителей",
            "description": "",
            "audience": ["parents"],
            "default_language": "Русский (ru)",
            "sections": [
                {
                    "code": "site",
                    "title": "Сайт школы",
                    "questions": [
                        {"code": "has_site", "type": "yes_no", "text": "Есть ли у школы сайт?"},
                        {
                            "code": "site_quality",
                            "type": "single",
                            "text": "Как Вы оцениваете сайт?",
                            "options": [
                                {"code": "poor", "text": "Плохо"},
                                {"code": "good", "text": "Хорошо"},
                                {"code": "excellent", "text": "Отлично"},
                            ],
                            "relevant": {"question": "has_site", "equals": True},
                            "positive": ["good", "excellent"],
                        },
                        {
                            "code": "channels",
                            "type": "multiple",
                            "text": "Откуда Вы узнаёте новости школы?",
                            "hint": "Можно выбрать несколько",
                            "options": [
                                {"code": "site", "text": "Сайт"},
                                {"code": "chat", "text": "Родительский чат"},
                                {"code": "other", "text": "Другое"},
                            ],
                        },
                        {
                            "code": "other_channel",
                            "type": "text",
                            "text": "Какие ещё источники?",
                            "required": False,
                            "relevant": {"question": "channels", "equals": "other"},
                        },
                    ],
                },
                {
                    "code": "family",
                    "title": "О семье",
                    "questions": [
                        {
                            "code": "children",
                            "type": "integer",
                            "text": "Сколько Ваших детей учатся в школе?",
                            "min": 1,
                            "max": 10,
                        },
                        {
                            "code": "overall",
                            "type": "likert5",
                            "text": "В целом насколько Вы удовлетворены школой?",
                            "relevant": {"question": "site_quality", "in": ["good", "excellent"]},
                        },
                    ],
                },
            ],
        }
    )
    assert from_xlsform(build(HAND_MADE)) == expected


def test_a_hand_written_flat_diagnostic_reads_with_its_competences():
    data = build(
        {
            "survey": [
                ["type", "name", "label", "required", "competence", "points"],
                ["select_one q1", "q1", "Что проверяет спецификация КИМ?", "yes", "design"],
                ["select_one q2", "q2", "Выберите верные утверждения", "yes", "design", 2],
            ],
            "choices": [
                ["list_name", "name", "label", "correct", "points"],
                ["q1", "a", "Структуру работы", "yes", 1],
                ["q1", "b", "Расписание уроков"],
                ["q2", "a", "Верно", "да", "0,5"],
                ["q2", "b", "Тоже верно", True, 1.5],
                ["q2", "c", "Неверно", "нет", None],
            ],
            "settings": [
                ["form_title", "form_id", "kind", "audience"],
                ["Мини-диагностика", "mini_diagnostic", "deficit", "teachers"],
            ],
            "competences": [
                ["name", "label", "threshold"],
                ["design", "Проектирование оценочных материалов", 0.7],
            ],
        }
    )
    defn = from_xlsform(data)
    assert [s.code for s in defn.sections] == ["section_1"]
    assert defn.sections[0].title == "Мини-диагностика"
    assert [q.points for q in defn.scored_items()] == [1, 2]
    assert defn.question("q2").options[0].points == 0.5
    assert defn.competences[0].threshold == 0.7
    assert defn.max_score("design") == 3


SURVEY_COLUMNS = [
    "type",
    "name",
    "label",
    "required",
    "relevant",
    "constraint",
    "competence",
    "positive",
]
BASE: Sheets = {
    "survey": [
        SURVEY_COLUMNS,
        ["begin group", "main", "Основное"],
        ["select_one yes_no", "visited", "Вы посещали школу?", "yes"],
        ["select_one rating", "rating", "Оцените школу", "yes"],
        ["text", "comment", "Комментарий", "no"],
        ["end group"],
    ],
    "choices": [
        ["list_name", "name", "label", "correct", "points"],
        ["rating", "good", "Хорошо"],
        ["rating", "bad", "Плохо"],
    ],
    "settings": [
        ["form_title", "form_id", "kind", "audience"],
        ["Анкета", "hand_made", "satisfaction", "parents"],
    ],
}


def cell(sheet: str, row: int, column: str, value: Any) -> Callable[[Sheets], None]:
    """A change of one cell, addressed as the spreadsheet shows it (row 1 = header)."""

    def change(sheets: Sheets) -> None:
        rows = sheets[sheet]
        while len(rows) < row:
            rows.append([])
        index = rows[0].index(column)
        line = rows[row - 1]
        line.extend([None] * (index + 1 - len(line)))
        line[index] = value

    return change


def drop(sheet: str) -> Callable[[Sheets], None]:
    return lambda sheets: sheets.pop(sheet)


def test_the_base_of_the_bad_workbooks_is_good():
    assert from_xlsform(build(BASE)).code == "hand_made"


def both(*changes: Callable[[Sheets], None]) -> Callable[[Sheets], None]:
    """Several changes made one after the other."""

    def change_all(sheets: Sheets) -> None:
        for change in changes:
            change(sheets)

    return change_all


# fmt: off
# (case, change, (sheet, row, column) of the error, part of the message)
BAD_WORKBOOKS = [
    ("unknown type", cell("survey", 5, "type", "geopoint"), ("survey", 5, "type"),
     "тип «geopoint» не поддерживается"),
    ("unknown list", cell("survey", 4, "type", "select_one colours"), ("survey", 4, "type"),
     "списка вариантов «colours» нет на листе choices"),
    ("select_one without list", cell("survey", 4, "type", "select_one"), ("survey", 4, "type"),
     "тип «select_one»: после select_one нужно имя списка вариантов"),
    ("relevant with an unknown function", cell("survey", 4, "relevant", "pulldata(${visited})"),
     ("survey", 4, "relevant"), "функция pulldata() не поддерживается"),
    ("relevant on an unknown question", cell("survey", 3, "relevant", "${nothing} = 'good'"),
     ("survey", 3, "relevant"), "вопроса с именем «nothing» на листе survey нет"),
    ("relevant that does not parse", cell("survey", 4, "relevant", "${visited} = "),
     ("survey", 4, "relevant"), "выражение «${visited} =»: оборвано на середине"),
    ("relevant on an unknown option", cell("survey", 5, "relevant", "${rating} = 'great'"),
     ("survey", 5, "relevant"), "значение «great» в relevant — не ответ на вопрос «rating»"),
    ("no settings sheet nor a file name", drop("settings"), ("settings", 2, "form_id"),
     "а у файла нет имени, из которого её можно взять"),
    ("no form_id nor a file name",
     lambda s: s.update(settings=[["form_title", "kind"], ["Анкета", "satisfaction"]]),
     ("settings", 2, "form_id"), "не заполнена настройка form_id"),
    ("unknown kind", cell("settings", 2, "kind", "exam"), ("settings", 2, "kind"),
     "значение «exam» не подходит"),
    ("bad form_id", cell("settings", 2, "form_id", "Анкета 1"), ("settings", 2, "form_id"),
     "form_id «Анкета 1» не подходит"),
    ("missing survey sheet", drop("survey"), ("survey", None, None), "в книге нет листа survey"),
    ("group without end", lambda s: s["survey"].pop(), ("survey", 2, "type"),
     "у «begin group» с именем «main» нет парной строки «end group»"),
    ("end group without begin", lambda s: s["survey"].append(["end group"]),
     ("survey", 7, "type"), "строка «end group» без парной «begin group»"),
    ("repeat", lambda s: s["survey"].__setitem__(slice(2, 2), [["begin repeat", "kids", "Дети"],
                                                             ["end repeat"]]),
     ("survey", 3, "type"), "повторяющаяся группа «kids» (begin repeat) не поддерживается"),
    ("choices from a file", cell("survey", 4, "type", "select_one_from_file schools.csv"),
     ("survey", 4, "type"),
     "тип «select_one_from_file schools.csv» не поддерживается: варианты из файла не загружаются"),
    ("bad choice name", cell("choices", 3, "name", "Плохо"), ("choices", 3, "name"),
     "имя варианта «Плохо» не подходит"),
    ("repeated choice name", cell("choices", 3, "name", "good"), ("choices", 3, "name"),
     "имя варианта повторяется в том же списке"),
    ("bad points", cell("choices", 2, "points", "много"), ("choices", 2, "points"),
     "ожидается число, а написано «много»"),
    ("correct choice outside a test item", cell("choices", 2, "correct", "yes"),
     ("survey", 4, None), "вариант «good»: correct и points задаются только у тестовых заданий"),
    ("constraint outside the subset",
     both(cell("survey", 5, "type", "decimal"), cell("survey", 5, "constraint", "random()")),
     ("survey", 5, "constraint"), "функция random() не поддерживается"),
    ("bad question name", cell("survey", 4, "name", "Оценка"), ("survey", 4, "name"),
     "значение «Оценка» не подходит"),
    ("unknown competence",
     both(cell("survey", 4, "competence", "design"), cell("choices", 2, "correct", "yes"),
          cell("choices", 2, "points", 1)),
     ("survey", 4, "competence"), "неизвестная компетенция «design»"),
    ("competence on a text question", cell("survey", 5, "competence", "design"),
     ("survey", 5, "competence"), "competence (компетенция) задаётся только у тестовых заданий"),
    ("bad positive answer", cell("survey", 3, "positive", "maybe"), ("survey", 3, "positive"),
     "ожидается yes и/или no, а написано «maybe»"),
    ("bad required", cell("survey", 3, "required", "иногда"), ("survey", 3, "required"),
     "required «иногда» называет не ответ"),
    ("missing label", cell("survey", 5, "label", None), ("survey", 5, "label"),
     "не заполнено"),
]
# fmt: on


@pytest.mark.parametrize(
    ("change", "place", "message"),
    [
        pytest.param(change, place, message, id=name)
        for name, change, place, message in BAD_WORKBOOKS
    ],
)
def test_each_bad_workbook_is_reported_with_sheet_row_and_column(change, place, message):
    sheets = copy.deepcopy(BASE)
    change(sheets)
    with pytest.raises(XLSFormError) as caught:
        from_xlsform(build(sheets))
    error = caught.value
    assert (error.sheet, error.row, error.column) == place
    assert message in str(error)
    assert str(error).startswith(f"лист {place[0]}")
    if place[1] is not None:
        assert f"строка {place[1]}" in str(error)
    if place[2] is not None:
        assert f"столбец {place[2]}: " in str(error)


def test_a_file_that_is_not_a_workbook_is_reported():
    with pytest.raises(XLSFormError, match=r"файл не читается как книга Excel \.xlsx"):
        from_xlsform(b"type,name,label\ntext,q1,Question\n")
