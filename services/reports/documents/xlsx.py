"""The documents as .xlsx: one sheet per table, numbers as numbers, texts as texts (never
formulas: shared.spreadsheets.write_row), the header bold and frozen, status cells filled with
the status colour (and worded, as in the HTML)."""

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from services.reports.documents import labels
from services.reports.documents.model import (
    ActivityRow,
    AnalysisChapter,
    DecisionRow,
    OrganizationCard,
    QualitySection,
    RecommendationRow,
    RoadmapReport,
    ValueRow,
)
from shared.spreadsheets import write_row
from shared.templating import natural_key

BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
DATE = "DD.MM.YYYY"
MAX_WIDTH = 60


@dataclass(frozen=True)
class Column:
    title: str
    width: int
    format: str | None = None  # a number format for the whole column


def _sheet(workbook: Workbook, title: str, columns: Sequence[Column]) -> Worksheet:
    sheet = workbook.create_sheet(title)
    write_row(sheet, [c.title for c in columns])
    for i, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=i)
        cell.font = BOLD
        cell.alignment = WRAP
        sheet.column_dimensions[get_column_letter(i)].width = min(column.width, MAX_WIDTH)
    sheet.freeze_panes = "A2"
    return sheet


def _append(sheet: Worksheet, columns: Sequence[Column], values: Sequence[Any]) -> None:
    write_row(sheet, values)
    row = sheet.max_row
    for i, column in enumerate(columns, start=1):
        cell = sheet.cell(row=row, column=i)
        if column.format and isinstance(cell.value, int | float | date):
            cell.number_format = column.format
        if isinstance(cell.value, str) and len(cell.value) > column.width:
            cell.alignment = WRAP


def _status_cell(sheet: Worksheet, column: int, status: str | None) -> None:
    fill, text = labels.STATUS_COLOURS[status or "no_target"]
    cell = sheet.cell(row=sheet.max_row, column=column)
    cell.fill = PatternFill(fill_type="solid", start_color=fill, end_color=fill)
    cell.font = Font(bold=True, color=text)


def _bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


VALUE_COLUMNS = [
    Column("Показатель", 45),
    Column("Код", 18),
    Column("Уровень", 14),
    Column("Организация / кластер / территория", 36),
    Column("Значение", 12),
    Column("Цель", 12),
    Column("Целевое значение", 12),
    Column("Статус", 22),
    Column("Изменение", 12),
    Column("n", 8, "0"),
    Column("Как получено значение кластера, территории", 40),
    # A value flagged data went into (or was left out of): the mark with why, as in the HTML.
    Column("Проверка данных", 40),
]


def _cell(value: float | None, unit: str, scope_type: str) -> float | str | None:
    """A value as its cell holds it: a number (formatted by `labels.excel_format`), but a
    yes/no indicator of one organization in words, «да» / «нет», as the HTML says it, never
    1 / 0."""
    if value is not None and labels.is_yes_no(unit, scope_type):
        return labels.value_text(value, unit, scope_type)
    return value


def _values(sheet: Worksheet, rows: Sequence[ValueRow]) -> None:
    for r in rows:
        unit, scope = r.indicator.unit, r.scope_type
        number = labels.excel_format(unit, scope)
        yes_no = labels.is_yes_no(unit, scope)
        _append(
            sheet,
            VALUE_COLUMNS,
            [
                r.indicator.name,
                r.indicator.code,
                r.scope_label,
                r.scope_name,
                _cell(r.value, unit, scope),
                r.target_text,
                _cell(r.target["value"], unit, scope) if r.target else None,
                r.status_text,
                r.change_text if yes_no and r.change is not None else r.change,
                r.n,
                r.indicator.basis if scope != "organization" else None,
                r.flag.text if r.flag else None,
            ],
        )
        for column in (5, 7):
            sheet.cell(row=sheet.max_row, column=column).number_format = number
        change = labels.excel_change_format(unit, scope)
        sheet.cell(row=sheet.max_row, column=9).number_format = change
        _status_cell(sheet, 8, r.status)


RECOMMENDATION_COLUMNS = [
    Column("Адресат", 22),
    Column("Организация / территория", 30),
    Column("Показатель", 36),
    Column("Рекомендация", 60),
    Column("Статус", 14),
    Column("Период", 12),
]


def _recommendations(workbook: Workbook, rows: Sequence[RecommendationRow]) -> None:
    sheet = _sheet(workbook, "Рекомендации", RECOMMENDATION_COLUMNS)
    for r in rows:
        values = [r.addressee, r.organization, r.indicator, r.text, r.status, r.period]
        _append(sheet, RECOMMENDATION_COLUMNS, values)


ACTIVITY_COLUMNS = [
    Column("Раздел", 30),  # "Дорожная карта" on a school's card
    Column("№", 8),
    Column("Мероприятие", 50),
    Column("Срок", 22),
    Column("Срок окончания", 14, DATE),
    Column("Ответственные", 30),
    Column("Статус", 16),
    Column("Просрочено", 12),
    Column("Выполнено", 14, DATE),
]


def _activities(workbook: Workbook, title: str, rows: Sequence[ActivityRow], first: str) -> None:
    columns = [Column(first, ACTIVITY_COLUMNS[0].width), *ACTIVITY_COLUMNS[1:]]
    sheet = _sheet(workbook, title, columns)
    for a in rows:
        values = [
            a.section or a.roadmap,
            a.number,
            a.title,
            a.deadline_text,
            a.due_end,
            a.responsible,
            a.status_label,
            "да" if a.overdue else "нет",
            a.completed_on,
        ]
        _append(sheet, columns, values)
        if a.overdue:
            _status_cell(sheet, 8, "not_achieved")


DECISION_COLUMNS = [
    Column("Решение", 50),
    Column("Дата", 12, DATE),
    Column("Ответственный", 24),
    Column("Показатель", 36),
    Column("Где", 26),
    Column("Период «было»", 12),
    Column("Было", 10),
    Column("Стало", 10),
    Column("Изменение", 11),
    Column("Было → стало", 34),
    Column("Оценка", 18),
    Column("Рекомендация", 50),
    Column("Проверка данных («стало»)", 40),  # as the indicators sheet's «Проверка данных»
]


def _decisions(workbook: Workbook, rows: Sequence[DecisionRow]) -> None:
    sheet = _sheet(workbook, "Решения", DECISION_COLUMNS)
    for d in rows:
        change = d.after - d.before if d.after is not None and d.before is not None else None
        values = [
            d.text,
            d.decided_on,
            d.responsible,
            d.indicator,
            d.scope_name,
            d.period_before,
            _cell(d.before, d.unit, d.scope_type),
            _cell(d.after, d.unit, d.scope_type),
            labels.change_text(change, d.unit, d.scope_type)
            if change is not None and labels.is_yes_no(d.unit, d.scope_type)
            else change,
            d.effect,
            d.verdict,
            d.recommendation,
            d.flag.text if d.flag else None,
        ]
        _append(sheet, DECISION_COLUMNS, values)
        for column in (7, 8):
            cell = sheet.cell(row=sheet.max_row, column=column)
            cell.number_format = labels.excel_format(d.unit, d.scope_type)
        cell = sheet.cell(row=sheet.max_row, column=9)
        cell.number_format = labels.excel_change_format(d.unit, d.scope_type)


EXECUTION_COLUMNS = [
    Column("Раздел", 40),
    Column("Всего", 9, "0"),
    Column("Выполнено", 11, "0"),
    Column("В работе", 10, "0"),
    Column("Запланировано", 14, "0"),
    Column("Просрочено", 11, "0"),
    Column("Отменено", 10, "0"),
    Column("Выполнено, %", 13, '0.0" %"'),
]


def _execution(workbook: Workbook, title: str, rows: Sequence[Any]) -> None:
    sheet = _sheet(workbook, title, EXECUTION_COLUMNS)
    for s in rows:
        values = [
            s.title,
            s.total,
            s.done,
            s.in_progress,
            s.planned,
            s.overdue,
            s.cancelled,
            s.done_share,
        ]
        _append(sheet, EXECUTION_COLUMNS, values)


SIGN_COLUMNS = [
    Column("Организация", 30),
    Column("Процедура", 30),
    Column("Признаки", 60),
    Column("Риск", 10),
]
CONTEXT_COLUMNS = [
    Column("Организация", 30),
    Column("Индекс (ИСБШ)", 14, "0.00"),
    Column("Результат, %", 13, '0.0" %"'),
    Column("ШНСУ", 8),
    Column("Резильентная", 13),
]
LOW_COLUMNS = [Column("Организация", 30), Column("Годы", 22), Column("Работы", 80)]


def _analysis(workbook: Workbook, chapter: AnalysisChapter) -> None:
    """The complex analysis chapter: Объективность, Контекст, ШНОР (task profiles stay charts)."""
    sheet = _sheet(workbook, "Объективность", SIGN_COLUMNS)
    for r in chapter.signs:
        _append(sheet, SIGN_COLUMNS, [r.school, r.paper, "\n".join(r.signs), r.risk_label])
        if r.risk != "none":
            _status_cell(sheet, 4, "not_achieved" if r.risk == "high" else "insufficient_data")
    sheet = _sheet(workbook, "Контекст", CONTEXT_COLUMNS)
    for p in sorted(chapter.points, key=lambda p: natural_key(p.name)):
        yes_no = ("да" if p.unfavourable else "нет", "да" if p.resilient else "нет")
        _append(sheet, CONTEXT_COLUMNS, [p.name, p.index, p.result, *yes_no])
    sheet = _sheet(workbook, "ШНОР", LOW_COLUMNS)
    for row in chapter.low_results:
        _append(sheet, LOW_COLUMNS, [row.school, ", ".join(row.years), "\n".join(row.papers)])


def _quality(workbook: Workbook, section: QualitySection) -> None:
    """A sheet per part of «Качество данных»: the group (a collection and its dates, a school)
    first,
    then the part's columns; percents as numbers 0–100, late schools marked."""
    for part in section.parts:
        percent = labels.excel_format("percent", "organization")
        columns = [
            Column(part.group_column, 40),
            *(
                Column(c, 30 if i == 0 else 14, percent if i in part.percent_columns else None)
                for i, c in enumerate(part.columns)
            ),
        ]
        sheet = _sheet(workbook, part.sheet, columns)
        for heading, rows in part.groups:
            for row in rows:
                _append(sheet, columns, [heading, *row.cells])
                for i in row.percent_in(part) - part.percent_columns:  # a row's own unit
                    cell = sheet.cell(row=sheet.max_row, column=i + 2)
                    if isinstance(cell.value, int | float):
                        cell.number_format = percent
                if row.late and not row.total:
                    _status_cell(sheet, 2, "not_achieved")
                if row.total:
                    for column in range(1, len(columns) + 1):
                        sheet.cell(row=sheet.max_row, column=column).font = BOLD


def roadmap_workbook(report: RoadmapReport) -> bytes:
    """Паспорт, Показатели, Динамика, Исполнение, Мероприятия, Рекомендации, Решения, Качество
    данных when a collection asks the schools for the period, and when the territory has
    assessment results in the year: Объективность, Контекст, ШНОР."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    passport = [Column("Раздел паспорта", 36), Column("Содержание", 90)]
    sheet = _sheet(workbook, "Паспорт", passport)
    for row in [
        ("Дорожная карта", report.title),
        ("Уровень", report.level_label),
        ("Владелец", report.owner_name),
        ("Период дорожной карты", report.roadmap_period or ""),
        ("Период отчёта", report.period),
        *([("Период отчёта — примечание", report.period_note)] if report.period_note else []),
        ("Данные", report.data_label),
        *report.passport,
    ]:
        _append(sheet, passport, row)

    _values(_sheet(workbook, "Показатели", VALUE_COLUMNS), report.rows)

    trend_columns = [
        Column("Показатель", 45),
        Column("Код", 18),
        Column("Где", 30),
        *(Column(p, 12) for p in report.periods),
    ]
    sheet = _sheet(workbook, "Динамика", trend_columns)
    for trend in report.trends:
        info = trend.indicator
        _append(
            sheet,
            trend_columns,
            [
                info.name,
                info.code,
                trend.scope_name,
                *(_cell(v, info.unit, trend.scope_type) for _, v in trend.points),
            ],
        )
        for column in range(4, 4 + len(trend.points)):
            cell = sheet.cell(row=sheet.max_row, column=column)
            cell.number_format = labels.excel_format(info.unit, trend.scope_type)

    _execution(workbook, "Исполнение", [*report.sections, report.overall])
    _activities(workbook, "Мероприятия", report.activities, "Раздел")
    _recommendations(workbook, report.recommendations)
    _decisions(workbook, report.decisions)
    if report.data_quality is not None:
        _quality(workbook, report.data_quality)
    if report.analysis is not None:
        _analysis(workbook, report.analysis)
    return _bytes(workbook)


def card_workbook(card: OrganizationCard) -> bytes:
    """Организация, Показатели, НОК, Исполнение, Просрочено, Рекомендации: all rows, uncut."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    about = [Column("Поле", 30), Column("Значение", 60)]
    sheet = _sheet(workbook, "Организация", about)
    for row in [
        ("Организация", card.name),
        ("Территория", card.territory),
        ("Период", card.period),
        ("Исполнение на", card.as_of),
        ("Показателей без данных", card.without_data),
        ("Данные", card.data_label),
        *([("Период — примечание", card.period_note)] if card.period_note else []),
    ]:
        _append(sheet, about, row)
    sheet.cell(row=5, column=2).number_format = DATE

    _values(_sheet(workbook, "Показатели", VALUE_COLUMNS), card.rows)
    nok_columns = [Column("Критерий", 30), Column("Баллы", 10, "0.00")]
    sheet = _sheet(workbook, "НОК", nok_columns)
    if card.nok is not None:
        for label, value in [*card.nok.criteria, ("Итого Sn", card.nok.total)]:
            _append(sheet, nok_columns, [label, value])
        for note in card.nok.notes:
            _append(sheet, nok_columns, [note, None])
    _execution(workbook, "Исполнение", card.roadmaps)
    _activities(workbook, "Просрочено", card.overdue, "Дорожная карта")
    _recommendations(workbook, card.recommendations)
    return _bytes(workbook)
