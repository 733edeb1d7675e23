"""The roadmap parser: one pass over a document's blocks that finds titles and passports,
activity tables, sections and rows carried on after a page break (`Parser`)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from services.api.roadmaps.document_import.columns import (
    ACTIVITY_NUMBER,
    DEADLINE_HINT,
    DETAIL_FIELDS,
    ROMAN,
    TEXT_FIELDS,
    Layout,
    has_text,
    header_layout,
    is_column_numbers,
    label_remainder,
    one_line,
    passport_key,
    shape,
    starts_lower,
)
from services.api.roadmaps.document_import.readers import Row
from services.api.roadmaps.document_import.results import (
    NO_TABLE,
    ActivityDraft,
    ImportReport,
    ImportResult,
    RoadmapDraft,
    SectionDraft,
    SkippedRow,
)
from shared import reinterpreted
from shared.tabular import excel_date

_TITLE_PARAGRAPH = re.compile(
    r"^[\s«\"“*]*(?:паспорт\b|план\w*\s+мероприятий|дорожн\w*\s+карт)", re.IGNORECASE
)
_PASSPORT_TITLE = re.compile(r"^[\s«\"“*]*паспорт\b", re.IGNORECASE)
_LEADING_ROMAN = re.compile(r"^[IVXІХ]{1,5}\.?\s+")
_SECTION_WORD = re.compile(
    r"^(?:(?:раздел|этап|блок|модуль)\s*(?:[0-9]+|[IVXІ]+)\b|[IVXІХ]{1,5}\.\s)", re.IGNORECASE
)
_GROUP_HEADING = re.compile(r"^мероприятия\s+по\b", re.IGNORECASE)
_BULLET = re.compile(r"^[-–—•·▪*]")


def _may_head_section(text: str) -> bool:
    """Whether a row's only text can be a section title rather than a wrapped cell."""
    return not (
        starts_lower(text)
        or _BULLET.match(text)
        or ACTIVITY_NUMBER.match(text)
        or text[0] in "«“\"'("
        or text[-1] in ",;"
        or len(text) > 250
    )


def _distinct(cells: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(cell for cell in cells if cell))


def _row_text(cells: Sequence[str]) -> str:
    return one_line(" | ".join(cell for cell in cells if cell))[:120]


def _join(previous: str, addition: str, name: str) -> str:
    if not previous:
        return addition
    if name != "deadline" and (_BULLET.match(addition) or previous.rstrip()[-1:] in ".;:!?"):
        return f"{previous}\n{addition}"
    return f"{previous} {addition}"


class Parser:
    """One pass over the blocks: titles and passports, activity tables, sections, continuations."""

    def __init__(self) -> None:
        self.roadmaps: list[RoadmapDraft] = []
        self.layouts: list[Layout] = []
        self.tables: set[int] = set()  # the document's tables that hold activity rows
        self.layout: Layout | None = None  # the activity table the next row belongs to
        self.activity: ActivityDraft | None = None  # what a continuation row extends
        self.section: SectionDraft | None = None  # a section row not yet followed by an activity
        self.table_started = False
        self.title_open = False
        self.passport_key: str | None = None
        self.heading = ""
        self.skipped: list[SkippedRow] = []
        self.notes: list[str] = []  # "row 9: ..." what was read otherwise than written

    @property
    def roadmap(self) -> RoadmapDraft:
        if not self.roadmaps:
            self.roadmaps.append(RoadmapDraft())
        return self.roadmaps[-1]

    def paragraph(self, text: str) -> None:
        """Take a paragraph: a roadmap title, its continuation, a passport step or a heading."""
        self.layout = None  # text between tables ends the current one
        if _TITLE_PARAGRAPH.match(text) and len(text) <= 300:
            self._title(text)
        elif self.title_open and self._continues_title(text):
            self.roadmap.title = f"{self.roadmap.title} {text}"
        else:
            self.title_open = False
            self._passport_paragraph(text)
            if len(text) <= 200:
                self.heading = text

    def row(self, index: int, row: Row) -> None:
        """Take a table row: a header, an activity-table row, a passport step or noise."""
        self.title_open = False
        text = _row_text(row.cells)
        if not has_text(text):
            self._skip(index, text, "пустая строка")
        elif layout := header_layout(row.cells):
            self._header(index, text, layout)
            self.tables.add(row.table)
        elif self.layout is not None:
            self._table_row(index, row.cells, text)
            self.tables.add(row.table)  # a table going on after a page break is one more
        elif not self._passport_row(row.cells):
            self._skip(index, text, "строка вне таблицы мероприятий")

    def result(self) -> ImportResult:
        """Freeze what was read into the import result."""
        kept = [r for r in self.roadmaps if r.passport or r.activity_count()]
        frozen = [roadmap.freeze() for roadmap in kept]
        warnings = [
            f"заголовок без плана и паспорта пропущен: «{one_line(r.title)[:120]}»"
            for r in self.roadmaps
            if r.title and r not in kept
        ]
        if not self.layouts:
            warnings.append(NO_TABLE)
        for columns in dict.fromkeys(", ".join(layout.unmapped()) for layout in self.layouts):
            if columns:
                warnings.append(f"столбцы не импортированы: {columns}")
        warnings += [
            f"в дорожной карте «{r.title}» нет мероприятий" for r in frozen if not r.activities
        ]
        report = ImportReport(
            activities_found=sum(len(r.activities) for r in frozen),
            tables_found=len(self.tables),
            rows_skipped=self.skipped,
            warnings=warnings,
        )
        return ImportResult(roadmaps=frozen, report=report)

    def _skip(self, index: int, text: str, reason: str) -> None:
        self.skipped.append(SkippedRow(row=index, text=text, reason=reason))

    def _title(self, text: str) -> None:
        current = self.roadmaps[-1] if self.roadmaps else None
        self.passport_key = None
        if current is None or current.activity_count():
            self.roadmaps.append(RoadmapDraft(title=text))
            self.activity = self.section = None
            self.title_open = True
        elif not current.title or _PASSPORT_TITLE.match(current.title):
            # the plan's own title names the roadmap better than its passport's
            current.title = text
            self.title_open = True
        else:
            self.title_open = False

    def _continues_title(self, text: str) -> bool:
        title = self.roadmap.title
        if len(text) > 300 or len(title) > 500 or passport_key(text) is not None:
            return False
        return starts_lower(text) or text[0] in "«“\"'(" or len(title.split()) <= 3

    def _passport_paragraph(self, text: str) -> None:
        if self.roadmaps and self.roadmap.layout is not None:
            return  # passports precede the plan; text after it is not theirs
        key = passport_key(text)
        if key is not None and (len(text) <= 60 or ":" in text[:40]):
            self.passport_key = key
            self._add_passport(label_remainder(text))
        elif self.passport_key is not None:
            parts = self.roadmap.passport.get(self.passport_key)
            if parts and text.endswith(":") and not _BULLET.match(text):
                self.passport_key = None  # a new heading ("Направления работы:") ends the step
            else:
                self._add_passport(text)

    def _passport_row(self, cells: Sequence[str]) -> bool:
        if self.roadmaps and self.roadmap.layout is not None:
            return False  # passports precede the plan
        lead = cells[0] if cells else ""
        numbered = bool(lead) and len(lead) <= 5 and not any(ch.isalpha() for ch in lead)
        at = 1 if numbered or not lead else 0
        label = cells[at] if at < len(cells) else ""
        values = [cell for cell in cells[at + 1 :] if cell]
        key = passport_key(label) if label else None
        if key is not None:
            if self._wrapped_tail(values, label):
                values = []
            self.passport_key = key
            values.insert(0, label_remainder(label))
        elif numbered and label:
            self.passport_key = None  # a passport step the roadmap model does not keep
            return False
        if self.passport_key is None:
            return False
        self._add_passport(" ".join(value for value in values if value))
        return True

    def _wrapped_tail(self, values: Sequence[str], label: str) -> bool:
        """A lone lowercase word beside the next step's label, after a step whose text ends
        without a stop («…воспитания и социализации» / «Задачи | обучающихся»), is that text's
        last word wrapped onto the label's line (a table drawn from a PDF): it is added to it."""
        if len(values) != 1 or label_remainder(label) or self.passport_key is None:
            return False
        word = values[0]
        parts = self.roadmap.passport.get(self.passport_key)
        if not parts or " " in word or not starts_lower(word) or parts[-1][-1:] in ".;:!?":
            return False
        parts[-1] = f"{parts[-1]} {word}"
        return True

    def _add_passport(self, text: str) -> None:
        if self.passport_key is not None and text:
            self.roadmap.passport.setdefault(self.passport_key, []).append(text)

    def _header(self, index: int, text: str, layout: Layout) -> None:
        roadmap = self.roadmap
        self.passport_key = None
        if roadmap.layout is not None and roadmap.layout.signature == layout.signature:
            self.layout = roadmap.layout  # the table goes on after a page break
            self._skip(index, text, "повтор заголовка")
            return
        if not roadmap.title:
            roadmap.title = _LEADING_ROMAN.sub("", self.heading)
        roadmap.layout = self.layout = layout
        self.layouts.append(layout)
        self.activity = self.section = None
        self.table_started = False

    def _table_row(self, index: int, cells: Sequence[str], text: str) -> None:
        assert self.layout is not None
        shaped = shape(cells, self.layout)
        if is_column_numbers(shaped):
            self._skip(index, text, "строка номеров столбцов")
            return
        values = {name: self.layout.value(shaped, name) for name in ("number", "stage")}
        values |= {name: self.layout.value(shaped, name) for name in TEXT_FIELDS}
        start, end = (self._date(index, self.layout.value(shaped, n)) for n in DEADLINE_COLUMNS)
        values["deadline"] = _window(start, end)
        stage_at = self.layout.columns.get("stage")
        stage = values["stage"]
        if stage and not starts_lower(stage) and stage != self._section_title():
            self._open_section(stage)  # a stage column groups the tasks under it
        texts = _distinct(cell for i, cell in enumerate(shaped) if i != stage_at)
        if not texts:
            return
        kind = self._row_kind(texts, values)
        if kind == "section":
            self._open_section(" ".join(text for text in texts if has_text(text)))
        elif kind == "activity":
            self._add_activity(index, values)
        elif kind == "continuation":
            self._continue(index, shaped, text, values)
        else:
            self._skip(index, text, "нет названия мероприятия")

    def _date(self, index: int, text: str) -> str:
        """A deadline cell's text; a number there that is an Excel date (44713: a date cell
        saved as "General") is that day, noted. A year (2022) stays a year."""
        if _SERIAL.match(text) and (day := excel_date(int(text))):
            self.notes.append(f"строка {index}: {reinterpreted.excel_serial(int(text), day)}")
            return day.strftime("%d.%m.%Y")
        return text

    def _row_kind(self, texts: list[str], values: dict[str, str]) -> str:
        assert self.layout is not None
        # OCR scatters a merged heading's text over the columns: only a date is a deadline
        title, deadline = values["title"], bool(DEADLINE_HINT.search(values["deadline"]))
        if len(texts) == 1 and "stage" not in self.layout.columns and _may_head_section(texts[0]):
            return "section"  # one text, or a merged row's text repeated in every cell
        if ROMAN.match(values["number"]) or (_SECTION_WORD.match(texts[0]) and not deadline):
            return "section"
        if _GROUP_HEADING.match(title) and not deadline:
            return "section"  # "Мероприятия по ..." heads a group, whatever its number
        if ACTIVITY_NUMBER.match(values["number"]):
            if not has_text(title):
                return "no title"
            details = any(has_text(values[name]) for name in DETAIL_FIELDS)
            return "activity" if details or not self.layout.has_details() else "section"
        if self._continues(values):
            return "continuation"
        return "activity" if has_text(title) else "no title"

    def _continues(self, values: dict[str, str]) -> bool:
        """Whether a row without a number carries on the row above it (split by a page break)."""
        assert self.layout is not None
        title, responsible = values["title"], values["responsible"]
        if not has_text(title):
            return True
        if "number" not in self.layout.columns:
            return starts_lower(title)  # tables without numbers start activities with a capital
        if has_text(responsible):
            if starts_lower(title):
                # a title that lost its first letters to OCR, but with its own date and executor
                return not (DEADLINE_HINT.search(values["deadline"]) and responsible[0].isupper())
            return starts_lower(responsible)
        return starts_lower(title) or not has_text(values["deadline"])

    def _section_title(self) -> str | None:
        sections = self.roadmap.sections
        return sections[-1].title if sections else None

    def _open_section(self, title: str) -> None:
        self.section = SectionDraft(title)
        self.roadmap.sections.append(self.section)
        self.activity = None
        self.table_started = True

    def _add_activity(self, index: int, values: dict[str, str]) -> None:
        roadmap = self.roadmap
        if not roadmap.sections:
            roadmap.sections.append(SectionDraft(""))
        number = values["number"] if ACTIVITY_NUMBER.match(values["number"]) else ""
        fields = {name: values[name] if has_text(values[name]) else "" for name in TEXT_FIELDS}
        self.activity = ActivityDraft(number=number, source_row=index, fields=fields)
        roadmap.sections[-1].activities.append(self.activity)
        self.section = None
        self.table_started = True

    def _continue(self, index: int, cells: list[str], text: str, values: dict[str, str]) -> None:
        assert self.layout is not None
        if self.activity is not None:
            for name in TEXT_FIELDS:
                if has_text(values[name]):
                    previous = self.activity.fields[name]
                    self.activity.fields[name] = _join(previous, values[name], name)
        elif self.section is not None and starts_lower(_distinct(cells)[0]):
            self.section.title = f"{self.section.title} {' '.join(_distinct(cells))}"
        elif not self.table_started:
            self.layout.extend(cells)
            self._skip(index, text, "продолжение заголовка")
        else:
            self._skip(index, text, "нет названия мероприятия")


_DAY = re.compile(r"^\d{1,2}\.\d{1,2}\.\d{4}$")
_SERIAL = re.compile(r"^\d{5}$")
DEADLINE_COLUMNS = ("deadline", "deadline_end")


def _window(start: str, end: str) -> str:
    """A deadline given in two columns (start, end) as the one window it is: "A – B"."""
    if not end or end == start:
        return start
    if start:
        return f"{start} – {end}"
    return f"до {end}" if _DAY.match(end) else end
