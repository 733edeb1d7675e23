"""What a document holds, gathered once and rendered as HTML or as a spreadsheet."""

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import ConfigDict

from services.reports.analysis.labels import RISK_NAMES
from services.reports.clients.models import Progress
from services.reports.documents import labels


@dataclass(frozen=True)
class IndicatorInfo:
    code: str
    name: str
    unit: str
    direction: str = "higher"
    # How a cluster's or territory's value is obtained (shared.value_labels.group_basis).
    basis: str = ""


@dataclass
class ValueRow:
    """One indicator's value in one scope, against its target."""

    indicator: IndicatorInfo
    scope_type: str
    scope_id: uuid.UUID
    scope_name: str
    value: float | None
    target: dict[str, Any] | None
    status: str | None
    change: float | None
    n: int | None
    # As the item says them (README, "Flagged values"); None: not said (kept before flags).
    flagged: bool | None = None
    flagged_organizations: int | None = None
    flagged_left_out: int | None = None
    # Why there is no value, when the definition names a code that does not exist
    # («инструмент «x» не найден»; indicator_values/unknown_codes.py); None: not said.
    reason_text: str | None = None

    def __post_init__(self) -> None:
        self.status = self.status or "no_target"  # a value kept before `no_target` existed

    @property
    def scope_label(self) -> str:
        return labels.SCOPE_LABELS[self.scope_type]

    @property
    def value_text(self) -> str:
        return labels.value_text(self.value, self.indicator.unit, self.scope_type)

    @property
    def target_text(self) -> str:
        return labels.target_text(self.target, self.indicator.unit, self.scope_type)

    @property
    def change_text(self) -> str:
        return labels.change_text(self.change, self.indicator.unit, self.scope_type)

    @property
    def status_label(self) -> str:
        return labels.STATUS_LABELS[self.status]

    @property
    def status_text(self) -> str:
        """The label and why there is no value, where said: «нет данных: инструмент «x» не
        найден» (a spreadsheet's cell)."""
        return f"{self.status_label}: {self.reason_text}" if self.reason_text else self.status_label

    @property
    def flag(self) -> labels.FlagNote | None:
        """The mark of a value flagged data went into (or left out of), else None."""
        return labels.flag_note(
            self.flagged, self.flagged_organizations, self.flagged_left_out, self.scope_type
        )

    @property
    def status_mark(self) -> str:
        return labels.STATUS_MARKS[self.status]

    @property
    def status_key(self) -> str:
        return labels.status_key(self.status)


@dataclass
class Trend:
    """One indicator of the document's own scope over the periods (oldest first)."""

    indicator: IndicatorInfo
    scope_type: str
    scope_name: str
    points: list[tuple[str, float | None]]
    target: dict[str, Any] | None
    # Per period, the mark of flagged data in its value, where known (`gather._over_time`).
    flags: dict[str, labels.FlagNote] = field(default_factory=dict)


@dataclass
class ActivityRow:
    section: str
    number: str
    title: str
    deadline_text: str
    due_end: date | None
    responsible: str
    status: str
    overdue: bool
    completed_on: date | None = None
    roadmap: str = ""

    @property
    def status_label(self) -> str:
        return labels.ACTIVITY_STATUS_LABELS.get(self.status, self.status)


class Execution(Progress):
    """Activities' figures of one section (or roadmap): how many done, in work, overdue, as the
    api counts them (`Progress`), under the title a document shows them with."""

    # A school's card counts its activities into it (documents.card).
    model_config = ConfigDict(frozen=False)

    title: str

    @property
    def done_share_text(self) -> str:
        if self.done_share is None:
            return labels.NO_VALUE
        return f"{labels.number(self.done_share, 1, fixed=True)}{labels.NBSP}%"


@dataclass
class RecommendationRow:
    addressee: str
    organization: str
    indicator: str
    text: str
    status: str
    period: str


@dataclass
class DecisionRow:
    text: str
    decided_on: date
    responsible: str
    indicator: str
    scope_name: str
    period_before: str
    before: float | None
    after: float | None
    unit: str
    scope_type: str
    effect: str
    verdict: str
    recommendation: str
    flag: labels.FlagNote | None = None  # flagged data in `after` (README, "Flagged values")


def period_fallback(intended: str | None, shown: str) -> str:
    """What a document says when the period it is of has no data yet and it shows the latest
    one with data instead (its period kept as the fallback): «За 2026/2027 данных пока нет —
    показан последний период с данными: 2025/2026.»; "" when it shows its own period."""
    if not intended or intended == shown:
        return ""
    return f"За {intended} данных пока нет — показан последний период с данными: {shown}."


@dataclass
class RoadmapReport:
    roadmap_id: uuid.UUID
    title: str
    level: str
    owner_type: str
    owner_name: str
    roadmap_period: str | None
    period: str
    periods: list[str]
    as_of: date
    passport: list[tuple[str, str]]
    indicators: list[IndicatorInfo]
    rows: list[ValueRow]
    trends: list[Trend]
    sections: list[Execution]
    overall: Execution
    activities: list[ActivityRow]
    recommendations: list[RecommendationRow]
    decisions: list[DecisionRow]
    notes: list[str] = field(default_factory=list)
    # «Комплексный анализ результатов оценочных процедур»; None: no results in the year.
    analysis: "AnalysisChapter | None" = None
    # «Качество данных»; None: no data collection asks the report's schools for the period.
    data_quality: "QualitySection | None" = None
    # The published view (approved data values only), else the working data.
    approved_only: bool = False
    # The nearest periods before and after with data for its organizations (None: none).
    other_periods: tuple[str | None, str | None] = (None, None)
    # The period the report is of (the roadmap's, or this year's) when it has no data yet and
    # an earlier one is shown instead (`period_fallback`); None: it shows that period.
    intended_period: str | None = None

    @property
    def data_label(self) -> str:
        return labels.DATA_VIEW_LABELS[self.approved_only]

    @property
    def period_note(self) -> str:
        return period_fallback(self.intended_period, self.period)

    @property
    def level_label(self) -> str:
        return labels.LEVEL_LABELS.get(self.level, self.level)

    @property
    def overdue(self) -> list[ActivityRow]:
        return [a for a in self.activities if a.overdue]


@dataclass
class QualityRow:
    """One line of a data-quality table: texts and numbers (percent columns 0–100, None for
    no value); `late` marks it, `total` is a group's pooled line."""

    cells: list[Any]
    late: bool = False
    total: bool = False
    # The row's own percent columns where its unit is not the part's (an outlier of a percent
    # indicator beside counts); None: the part's `percent_columns`.
    percent_cells: frozenset[int] | None = None

    def percent_in(self, part: "QualityPart") -> frozenset[int]:
        """The indexes of this row's cells that hold percents (0–100)."""
        return part.percent_columns if self.percent_cells is None else self.percent_cells


@dataclass
class QualityPart:
    """One sub-section of «Качество данных»: a table under a title, its rows in groups (a
    heading each, e.g. a collection and its dates), the same in HTML and in a sheet."""

    key: str  # completeness, violations, outliers
    title: str
    sheet: str  # the spreadsheet's sheet title (up to 31 characters)
    columns: list[str]
    percent_columns: frozenset[int]  # indexes of the columns holding percents
    numeric_columns: frozenset[int]  # indexes of the columns holding numbers (percents too)
    groups: list[tuple[str, list[QualityRow]]]
    note: str = ""
    group_column: str = "Сбор данных"  # what a group's heading is (the sheet's first column)


@dataclass
class QualitySection:
    """«Качество данных» of the roadmap report: its parts, in order."""

    parts: list[QualityPart]


@dataclass
class SignRow:
    """One school's paper with at least one objectivity sign."""

    school: str
    paper: str  # «ВПР, Математика, 5 класс»
    signs: list[str]  # each sign in Russian with its evidence
    risk: str  # none | low | high

    @property
    def risk_label(self) -> str:
        return RISK_NAMES[self.risk]


@dataclass(frozen=True)
class ScatterPoint:
    """A school on the results × context index plot."""

    name: str
    index: float  # the context index (ИСБШ), in standard deviations
    result: float  # mean completion, percent 0–100
    resilient: bool
    unfavourable: bool  # ШНСУ: the territory's bottom quartile of the index


@dataclass
class LowResultsRow:
    """A low-results school (ШНОР) and the papers that put it there."""

    school: str
    years: list[str]
    papers: list[str]


@dataclass
class TaskProfile:
    """One school's paper, task by task, against the territory (percent 0–100)."""

    school: str
    paper: str
    participants: int
    tasks: list[tuple[str, float, float]]  # (task number, school's, territory's completion)


@dataclass
class AnalysisChapter:
    """«Комплексный анализ результатов оценочных процедур» of a territory in an academic year."""

    territory: str
    year: str
    signs: list[SignRow]
    points: list[ScatterPoint]
    unfavourable_cut: float | None  # where the ШНСУ quartile's band ends on the index axis
    low_results: list[LowResultsRow]
    profiles: list[TaskProfile]
    profiles_note: str  # whose profiles are shown, and why
    notes: list[str] = field(default_factory=list)
    high_risk_signs: int = 2  # from how many signs of one paper its risk is «высокий»


@dataclass
class Nok:
    """НОК УООД of the school: criteria and total (the rank needs the whole territory)."""

    criteria: list[tuple[str, float | None]]
    total: float | None
    notes: list[str]


@dataclass
class OrganizationCard:
    organization_id: uuid.UUID
    name: str
    territory: str
    period: str
    as_of: date
    rows: list[ValueRow]
    without_data: int  # indicators that apply but have no value in the period
    nok: Nok | None
    roadmaps: list[Execution]
    overdue: list[ActivityRow]
    recommendations: list[RecommendationRow]
    notes: list[str] = field(default_factory=list)
    approved_only: bool = False  # as in RoadmapReport
    other_periods: tuple[str | None, str | None] = (None, None)  # as in RoadmapReport
    intended_period: str | None = None  # as in RoadmapReport

    @property
    def period_note(self) -> str:
        return period_fallback(self.intended_period, self.period)

    @property
    def data_label(self) -> str:
        return labels.DATA_VIEW_LABELS[self.approved_only]
