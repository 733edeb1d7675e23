"""The documents as one self-contained HTML page each: inline CSS, inline SVG, no script.

Jinja2 autoescapes every text the users wrote (titles, passport, recommendations); the charts
come in as markup that `charts` built with its own escaping.
"""

from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from services.reports.documents import labels
from services.reports.documents.analysis_charts import profile_chart, scatter_chart
from services.reports.documents.charts import Bar, bar_chart, line_chart
from services.reports.documents.model import (
    AnalysisChapter,
    IndicatorInfo,
    OrganizationCard,
    RoadmapReport,
    Trend,
    ValueRow,
)
from shared.templating import environment

TEMPLATES = Path(__file__).with_name("templates")
# The printed card's longer lists are cut to keep it on an A4 page (the screen shows them all,
# in full); its recommendations never are.
CARD_LIMITS = {"rows": 14, "roadmaps": 4, "overdue": 4}
TARGET_NOTE = "; пунктир — целевое значение."

env = environment(TEMPLATES)


env.filters["num"] = lambda x: labels.NO_VALUE if x is None else labels.number(x)
env.filters["percent"] = lambda x: labels.value_text(x, "percent", "organization")
env.globals["STATUS_LABELS"] = labels.STATUS_LABELS
env.globals["STATUS_MARKS"] = labels.STATUS_MARKS
env.globals["status_key"] = labels.status_key
env.globals["flag_legend"] = labels.flag_legend


def _common_target(rows: list[ValueRow]) -> dict[str, Any] | None:
    """The target most of the schools have (scoped targets may differ between them)."""
    targets = Counter((r.target["op"], r.target["value"]) for r in rows if r.target)
    if not targets:
        return None
    (op, value), _ = targets.most_common(1)[0]
    return {"op": op, "value": value}


def _by_school(report: RoadmapReport, info: IndicatorInfo) -> dict[str, Any] | None:
    """The bar chart of one indicator in the report's period, with its caption: a bar per
    school; for a yes/no indicator a bar per territory and cluster, the share of their schools
    with «да» (percent 0–100), as a school's «да» or «нет» has no length to compare. None when
    no school has a row (or a yes/no indicator has no group to show)."""
    rows = [r for r in report.rows if r.indicator.code == info.code]
    schools = [r for r in rows if r.scope_type == "organization"]
    shown = (
        [r for r in rows if r.scope_type != "organization"] if info.unit == "boolean" else schools
    )
    if not schools or not shown:
        return None
    scope_type = shown[0].scope_type
    target = _common_target(shown)
    caption = (
        f"Доля организаций с ответом «да», {report.period}"
        if info.unit == "boolean"
        else f"По организациям, {report.period}"
    )
    title = (
        f"{info.name}: {'доля организаций с «да»' if info.unit == 'boolean' else 'по организациям'}"
    )
    svg = bar_chart(
        title,
        [Bar(r.scope_name, r.value, r.value_text, r.status, r.flag) for r in shown],
        target["value"] if target else None,
        labels.target_text(target, info.unit, scope_type),
        percent=labels.is_percent(info.unit, scope_type),
    )
    caption += TARGET_NOTE if target else "."
    return {"svg": svg, "caption": _with_legend(caption, [r.flag for r in shown])}


def _with_legend(caption: str, flags: list[labels.FlagNote | None]) -> str:
    """The caption and, when a value of the chart carries «⚠», what the mark says (the counts
    of organizations are in a mark's title only: the legend says none «в скобках»)."""
    uncounted = [replace(f, counted=False, left_out_counted=False) if f else None for f in flags]
    legend = labels.flag_legend(uncounted)
    return f"{caption} {legend}" if legend else caption


def _over_time(report: RoadmapReport, trend: Trend) -> dict[str, Any] | None:
    """The line of one indicator of the report's own scope over the periods, from the first
    with a value (periods without one get no point); None when no period has a value."""
    info = trend.indicator
    known = [i for i, (_, value) in enumerate(trend.points) if value is not None]
    if not known:
        return None
    points = trend.points[known[0] :]
    target = trend.target["value"] if trend.target else None
    svg = line_chart(
        f"{info.name}: {trend.scope_name} по периодам",
        [
            (period, value, labels.value_text(value, info.unit, trend.scope_type))
            for period, value in points
        ],
        target,
        labels.target_text(trend.target, info.unit, trend.scope_type),
        percent=labels.is_percent(info.unit, trend.scope_type),
        flags=trend.flags,
    )
    span = f"{points[0][0]} — {points[-1][0]}" if len(points) > 1 else points[0][0]
    caption = f"{trend.scope_name}: по периодам {span}"
    caption += TARGET_NOTE if target is not None else "."
    shown = {period for period, value in points if value is not None}
    return {
        "svg": svg,
        "caption": _with_legend(caption, [f for p, f in trend.flags.items() if p in shown]),
    }


def charts(report: RoadmapReport) -> list[dict[str, Any]]:
    """Per indicator: its bars by school (`bars`) and its line over the periods (`line`), each
    an SVG with its caption, or None when there is nothing to draw."""
    return [
        {
            "indicator": trend.indicator,
            "bars": _by_school(report, trend.indicator),
            "line": _over_time(report, trend),
            "trend": trend,
        }
        for trend in report.trends
    ]


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


def render_roadmap(report: RoadmapReport, generated_on: date, home: str | None = None) -> str:
    """The report as a page; `home`: the api's home, linked at its top (none in print)."""
    return env.get_template("roadmap.html").render(
        home=home,
        report=report,
        charts=charts(report),
        analysis=report.analysis,
        analysis_charts=analysis_charts(report.analysis) if report.analysis else None,
        generated_on=generated_on,
        statuses=list(labels.STATUS_LABELS),
    )


def render_card(card: OrganizationCard, generated_on: date, home: str | None = None) -> str:
    """The card: on screen every indicator, roadmap and overdue activity with its full name;
    printed, one A4 page as far as it goes: those lists are cut at CARD_LIMITS (the print says
    how many more there are, the indicators' note links the card as .xlsx); every
    recommendation is shown in full either way. `home`: the api's home, linked at its top
    (none in print)."""
    return env.get_template("organization.html").render(
        card=card, generated_on=generated_on, limits=CARD_LIMITS, home=home
    )
