"""What a roadmap import yields: the frozen roadmaps, sections and activities of a document
and the import report (`ImportResult`), and the drafts the parser fills before freezing them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from services.api.roadmaps.document_import.columns import Layout, has_text, one_line


@dataclass(frozen=True)
class ImportedActivity:
    """One activity row of a roadmap table, its texts as written."""

    number: str
    title: str
    deadline_text: str
    responsible: str
    expected_result: str
    evidence: str
    source_row: int


@dataclass(frozen=True)
class ImportedSection:
    """A group of activities under a section row ("" for activities before any section)."""

    title: str
    activities: list[ImportedActivity]


@dataclass(frozen=True)
class ImportedRoadmap:
    """One roadmap: its title, the phrase naming its period, its passport and its activities."""

    title: str
    period_text: str | None
    passport: dict[str, str]
    sections: list[ImportedSection]

    @property
    def activities(self) -> list[ImportedActivity]:
        """All activities of the roadmap, in document order."""
        return [activity for section in self.sections for activity in section.activities]


NO_TABLE = (
    "таблица мероприятий не найдена: ни в одной строке нет заголовка столбца «Мероприятие» "
    "(или «Наименование мероприятия», «Содержание деятельности», «Задачи»)"
)


@dataclass(frozen=True)
class SkippedRow:
    """A table row the importer did not use, and why."""

    row: int
    text: str
    reason: str


@dataclass(frozen=True)
class ImportReport:
    """What the import found and what it left out."""

    activities_found: int
    tables_found: int
    rows_skipped: list[SkippedRow]
    warnings: list[str]


@dataclass(frozen=True)
class ImportResult:
    """The roadmaps of one document and the import report."""

    roadmaps: list[ImportedRoadmap]
    report: ImportReport


_PERIOD = re.compile(
    r"(?:\b(?:в|на)\s+)?(?:(?:19|20)\d{2})(?:\s*[-–—/]\s*(?:(?:19|20)\d{2}|\d{2})\b)?"
    r"(?:\s*(?:уч\.|учебн\w*))?(?:\s*(?:год\w*|гг?\.))?",
    re.IGNORECASE,
)


def _tidy(text: str) -> str:
    lines = (one_line(line) for line in text.split("\n"))
    text = "\n".join(line for line in lines if line)
    return text if has_text(text) else ""


def _period(title: str) -> str | None:
    match = _PERIOD.search(title)
    return match.group(0).strip() if match else None


@dataclass
class ActivityDraft:
    """An activity as the parser reads it: its texts by field, joined across continued rows."""

    number: str
    source_row: int
    fields: dict[str, str]

    def freeze(self) -> ImportedActivity:
        """The activity with its texts tidied (one line each, blank ones "")."""
        deadline = self.fields["deadline"]
        return ImportedActivity(
            number=self.number,
            title=_tidy(self.fields["title"]),
            deadline_text=one_line(deadline) if has_text(deadline) else "",
            responsible=_tidy(self.fields["responsible"]),
            expected_result=_tidy(self.fields["result"]),
            evidence=_tidy(self.fields["evidence"]),
            source_row=self.source_row,
        )


@dataclass
class SectionDraft:
    """A section being read: its title and the activities under it so far."""

    title: str
    activities: list[ActivityDraft] = field(default_factory=list)


@dataclass
class RoadmapDraft:
    """A roadmap being read: its title, passport steps, sections and the activity table's layout."""

    title: str = ""
    passport: dict[str, list[str]] = field(default_factory=dict)
    sections: list[SectionDraft] = field(default_factory=list)
    layout: Layout | None = None

    def activity_count(self) -> int:
        """How many activities the roadmap holds so far."""
        return sum(len(section.activities) for section in self.sections)

    def freeze(self) -> ImportedRoadmap:
        """The roadmap with its period, non-empty passport steps and sections."""
        title = one_line(self.title)
        passport = {key: _tidy("\n".join(parts)) for key, parts in self.passport.items()}
        sections = [
            ImportedSection(one_line(s.title), [a.freeze() for a in s.activities])
            for s in self.sections
            if s.title or s.activities
        ]
        return ImportedRoadmap(
            title=title,
            period_text=_period(title),
            passport={key: text for key, text in passport.items() if text},
            sections=sections,
        )
