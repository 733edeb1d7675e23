"""The parts «Нарушения правил проверки» and «Выбросы» of the roadmap report's «Качество данных»
(services/reports/documents/quality.py `PARTS`): per school (natural order of names, the
organizations the caller reads), the validation rules its values break now and the values the
outlier checks flag now, from the facts (services/reports/data_quality/checks.py). A part with
nothing to show is left out.
"""

import uuid
from collections.abc import Callable, Sequence
from itertools import groupby
from typing import Any

from services.reports.data_quality.checks import Flag, Violation, flags, violations
from services.reports.documents.model import QualityPart, QualityRow
from services.reports.documents.values import Context
from shared.labels import OUTLIER_CHECK_LABELS, OUTLIER_SIDE_LABELS, VALIDATION_IMPORTANCE_LABELS
from shared.periods import Period
from shared.rule_words import expression_words

VIOLATION_COLUMNS = ["Правило", "Условие", "Важность", "Левая часть", "Правая часть"]
FLAG_COLUMNS = [
    "Показатель",
    "Значение",
    "Проверка",
    "Граница",
    "Медиана",
    "Значений в сравнении",
    "Модифицированная z-оценка",
]


_FLAG_PERCENTS = frozenset({1, 3, 4})  # Значение, Граница, Медиана


def _rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def check_text(flag: Flag) -> str:
    """«вне границ: выше верхней границы», «отличается от значений организаций территории», …"""
    label = OUTLIER_CHECK_LABELS.get(flag.kind, flag.kind)
    side = flag.side
    return f"{label}: {OUTLIER_SIDE_LABELS[side]}" if side else label


def _violation_row(v: Violation) -> QualityRow:
    importance = VALIDATION_IMPORTANCE_LABELS.get(v.importance, v.importance)
    condition = expression_words(v.expression, v.names)
    cells = [v.message, condition, importance, _rounded(v.left_value), _rounded(v.right_value)]
    return QualityRow(cells)


def _flag_row(f: Flag) -> QualityRow:
    cells = [
        f.indicator,
        _rounded(f.value),
        check_text(f),
        _rounded(f.bound),
        _rounded(f.median),
        f.n,
        _rounded(f.score, 1),
    ]
    # The value, the bound and the median are in the indicator's unit: a percent's are shown so.
    return QualityRow(cells, percent_cells=_FLAG_PERCENTS if f.unit == "percent" else None)


def _by_school(
    items: Sequence[Any], row: Callable[[Any], QualityRow]
) -> list[tuple[str, list[QualityRow]]]:
    """Groups headed by the school's name, in the items' order (natural order of names)."""
    return [
        (group[0].organization, [row(i) for i in group])
        for _, found in groupby(items, key=lambda i: i.organization_id)
        if (group := list(found))
    ]


async def violations_part(
    ctx: Context, organization_ids: frozenset[uuid.UUID], period: Period, territory: str
) -> QualityPart | None:
    """«Нарушения правил проверки»: each school's broken rules (message, the rule in words,
    importance, the two sides' values), the most important first. None: no violation."""
    found = await violations(ctx.session, sorted(organization_ids), period.code)
    if not found:
        return None
    return QualityPart(
        key="violations",
        title="Нарушения правил проверки",
        sheet="Нарушения правил",
        group_column="Организация",
        columns=VIOLATION_COLUMNS,
        percent_columns=frozenset(),
        numeric_columns=frozenset({3, 4}),
        groups=_by_school(found, _violation_row),
        note=(
            "Правило проверки сравнивает два выражения над значениями одной организации за "
            "период; здесь — правила, которые значения нарушают сейчас. Исправленное значение "
            "снимает нарушение."
        ),
    )


async def outliers_part(
    ctx: Context, organization_ids: frozenset[uuid.UUID], period: Period, territory: str
) -> QualityPart | None:
    """«Выбросы»: each school's flagged values (indicator, value, which check: the bound
    crossed, or the median, the number of values and the modified z-score compared with the
    territory's schools or the school's own earlier periods). None: no flag."""
    found = await flags(ctx.session, sorted(organization_ids), period.code)
    if not found:
        return None
    return QualityPart(
        key="outliers",
        title="Выбросы",
        sheet="Выбросы",
        group_column="Организация",
        columns=FLAG_COLUMNS,
        percent_columns=frozenset(),
        numeric_columns=frozenset({1, 3, 4, 5, 6}),
        groups=_by_school(found, _flag_row),
        note=(
            "Возможные выбросы: значение вне заданных границ или с модифицированной z-оценкой "
            "(по медиане и медианному абсолютному отклонению) больше порога — среди "
            "организаций территории за период или среди прежних периодов самой организации. "
            "Значения сохранены и учтены; проверьте их."
        ),
    )
