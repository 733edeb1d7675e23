"""The roadmap report's section «Качество данных»: for the data collections that ask the
report's organizations for its period, each school's completeness, timeliness, lateness and
approval, and the territory pooled (services/reports/data_quality/status.py computes them
from the facts).

The section is a list of parts (`QualityPart`, `PARTS`), each one table the HTML page and the
spreadsheet render alike, each a function of the same shape: «Полнота и своевременность»
here, «Нарушения правил проверки» and «Выбросы» (per school: quality_checks.py).
"""

import uuid
from collections.abc import Awaitable, Callable
from itertools import groupby

from services.reports.data_quality.status import Standing, pooled, standings
from services.reports.documents.model import QualityPart, QualityRow, QualitySection
from services.reports.documents.quality_checks import outliers_part, violations_part
from services.reports.documents.values import Context
from shared.labels import APPROVAL_STATUS_LABELS
from shared.periods import Period
from shared.scope import readable_organizations
from shared.settings import get_settings
from shared.templating import natural_key

COMPLETENESS_COLUMNS = [
    "Организация",
    "Ожидается",
    "Внесено",
    "Внесено в срок",
    "Полнота",
    "Своевременность",
    "Просрочено",
    "Утверждение",
]
PERCENT_COLUMNS = frozenset({4, 5})
NUMERIC_COLUMNS = frozenset({1, 2, 3, 4, 5})


def approval_text(row: Standing) -> str:
    """«утверждено (уровень 1 из 2)», «представлено на утверждение», …; a group: how many of
    its organizations are approved."""
    if row.organization_id is None:
        return f"утверждено: {row.approved_organizations} из {row.organizations}"
    label = APPROVAL_STATUS_LABELS.get(row.status, row.status)
    if row.status == "approved" and row.levels > 1:
        return f"{label} (уровень {row.level} из {row.levels})"
    return label


def _row(row: Standing) -> QualityRow:
    late = (
        f"{row.late_organizations} из {row.organizations}"
        if row.organization_id is None
        else ("да" if row.late else "нет")
    )
    cells = [
        row.name,
        row.expected,
        row.present,
        row.present_by_due,
        row.completeness,
        row.timeliness,
        late,
        approval_text(row),
    ]
    return QualityRow(cells, late=row.late, total=row.organization_id is None)


async def completeness_part(
    ctx: Context, organization_ids: frozenset[uuid.UUID], period: Period, territory: str
) -> QualityPart | None:
    """«Полнота и своевременность»: per collection, its schools in natural order of names and
    the territory pooled (sums, not averaged percents). None: no collection asks these
    organizations for the period."""
    settings = get_settings()
    found = await standings(
        ctx.session,
        sorted(organization_ids),
        period.code,
        today=ctx.today,
        timezone=settings.timezone,
    )
    if not found:
        return None
    groups = []
    for _, rows in groupby(found, key=lambda r: r.collection_id):
        schools = sorted(rows, key=lambda r: (natural_key(r.name), str(r.organization_id)))
        first = schools[0]
        heading = (
            f"«{first.collection}»: приём с {first.opens_date:%d.%m.%Y} "
            f"по {first.due_date:%d.%m.%Y}"
        )
        total = pooled(schools, f"Итого: {territory}")
        groups.append((heading, [*map(_row, schools), _row(total)]))
    return QualityPart(
        key="completeness",
        title="Полнота и своевременность представления данных",
        sheet="Качество данных",
        columns=COMPLETENESS_COLUMNS,
        percent_columns=PERCENT_COLUMNS,
        numeric_columns=NUMERIC_COLUMNS,
        groups=groups,
        note=(
            "Полнота — доля ожидаемых значений, которые внесены; своевременность — доля "
            "внесённых впервые до конца срока сдачи (исправление позже срока её не снижает); "
            "просрочено — срок прошёл, а данные неполны. Итог по территории — суммы по "
            "организациям, а не среднее их процентов."
        ),
    )


Part = Callable[[Context, frozenset[uuid.UUID], Period, str], Awaitable[QualityPart | None]]
# The section's parts, in order (services/reports/documents/quality_checks.py: the last two).
PARTS: list[Part] = [completeness_part, violations_part, outliers_part]


async def quality_section(
    ctx: Context, organization_ids: frozenset[uuid.UUID], period: Period, territory: str
) -> QualitySection | None:
    """The section for the report's organizations that the caller reads (a leader: their own
    school, whatever the report's scope), or None when no part has anything to show."""
    readable = await readable_organizations(ctx.principal, ctx.resolver)
    shown = organization_ids if readable is None else organization_ids & readable
    parts = [p for part in PARTS if (p := await part(ctx, frozenset(shown), period, territory))]
    return QualitySection(parts) if parts else None
