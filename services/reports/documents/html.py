"""The documents as one self-contained HTML page each: inline CSS, inline SVG, no script.

Jinja2 autoescapes every text the users wrote (titles, passport, recommendations); the charts
come in as markup that `charts` built with its own escaping.
"""

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from services.reports.documents import labels
from services.reports.documents.analysis_charts import profile_chart, scatter_chart
from services.reports.documents.charts import Bar, bar_chart, line_chart
from services.reports.documents.model import (
    AnalysisChapter,
    OrganizationCard,
    RoadmapReport,
    ValueRow,
)

TEMPLATES = Path(__file__).with_name("templates")
CARD_LIMITS = {"rows": 14, "roadmaps": 4, "overdue": 4, "recommendations": 4}

env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)
env.filters["ru_date"] = lambda d: d.strftime("%d.%m.%Y") if isinstance(d, date) else "—"
env.filters["num"] = lambda x: labels.NO_VALUE if x is None else labels.number(x)
env.globals["STATUS_LABELS"] = labels.STATUS_LABELS
env.globals["STATUS_MARKS"] = labels.STATUS_MARKS
env.globals["status_key"] = labels.status_key


def _common_target(rows: list[ValueRow]) -> dict[str, Any] | None:
    """The target most of the schools have (scoped targets may differ between them)."""
    targets = Counter((r.target["op"], r.target["value"]) for r in rows if r.target)
    if not targets:
        return None
    (op, value), _ = targets.most_common(1)[0]
    return {"op": op, "value": value}


def charts(report: RoadmapReport) -> list[dict[str, Any]]:
    """Per indicator: the bars of its schools with the target, and its line over the periods."""
    result = []
    for trend in report.trends:
        info = trend.indicator
        schools = [
            r
            for r in report.rows
            if r.indicator.code == info.code and r.scope_type == "organization"
        ]
        bars: Markup | None = None
        if schools:
            target = _common_target(schools)
            bars = bar_chart(
                f"{info.name}: по организациям",
                [Bar(r.scope_name, r.value, r.value_text, r.status) for r in schools],
                target["value"] if target else None,
                labels.target_text(target, info.unit, "organization"),
                percent=labels.is_percent(info.unit, "organization"),
            )
        line = line_chart(
            f"{info.name}: {trend.scope_name} по периодам",
            [
                (period, value, labels.value_text(value, info.unit, trend.scope_type))
                for period, value in trend.points
            ],
            trend.target["value"] if trend.target else None,
            labels.target_text(trend.target, info.unit, trend.scope_type),
            percent=labels.is_percent(info.unit, trend.scope_type),
        )
        result.append({"indicator": info, "bars": bars, "line": line, "trend": trend})
    return result


def analysis_charts(chapter: AnalysisChapter) -> dict[str, Any]:
    """The complex analysis chapter's scatter plot (None without a school to place) and one
    task profile per school's paper."""
    title = f"Результаты и индекс социального благополучия, {chapter.territory}, {chapter.year}"
    return {
        "scatter": (
            scatter_chart(title, chapter.points, chapter.unfavourable_cut)
            if chapter.points
            else None
        ),
        "profiles": [
            {"profile": p, "svg": profile_chart(f"{p.school}: {p.paper}", p)}
            for p in chapter.profiles
        ],
    }


def render_roadmap(report: RoadmapReport, generated_on: date) -> str:
    return env.get_template("roadmap.html").render(
        report=report,
        charts=charts(report),
        analysis=report.analysis,
        analysis_charts=analysis_charts(report.analysis) if report.analysis else None,
        generated_on=generated_on,
        statuses=list(labels.STATUS_LABELS),
    )


def render_card(card: OrganizationCard, generated_on: date) -> str:
    """One A4 page: the longer lists are cut, and the cut says how many more the .xlsx holds."""
    return env.get_template("organization.html").render(
        card=card, generated_on=generated_on, limits=CARD_LIMITS
    )
