"""Gather what the roadmap report shows: the api service's data, computed indicator values,
and the reports' own recommendations and decisions.

Calls per report, whatever the number of schools: the roadmap, its activities (pages of 500),
its progress, its indicators, one lookup of the scope's organizations, the territories and
clusters for their names, two computations of indicator values (the report's period with the
one before it, and the two before those), and two queries of the reports tables. Without an
asked period, up to four more computations find the latest period with data
(`values.latest_with_data`); kept values make them cheap when nothing changed.
"""

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.clients.models import (
    Activity,
    Indicator,
    OrganizationFacts,
    Progress,
    Roadmap,
)
from services.reports.documents import labels, records
from services.reports.documents.analysis import analysis_chapter
from services.reports.documents.model import (
    ActivityRow,
    Execution,
    IndicatorInfo,
    RoadmapReport,
    Trend,
    ValueRow,
)
from services.reports.documents.periods import other_periods
from services.reports.documents.quality import quality_section
from services.reports.documents.records import decision_rows, recommendation_rows
from services.reports.documents.values import (
    Context,
    compute_values,
    latest_with_data,
    periods_back,
    report_period,
)
from services.reports.recommendations.service import visibility
from shared.disclosure import cluster_readable
from shared.errors import NotFound
from shared.identity import ScopeType
from shared.indicator_methods import pools_schools
from shared.periods import Period
from shared.scope import ensure_in_scope
from shared.templating import natural_key
from shared.value_labels import group_basis

__all__ = ["Context", "compute_values", "latest_with_data", "report_period", "roadmap_report"]

SCOPE_ORDER = {"territory": 0, "cluster": 1, "organization": 2}


_KINDS = text("SELECT code, method, unit FROM reports.fact_indicator")

Kinds = dict[str, tuple[str, str | None]]


async def indicator_kinds(session: AsyncSession) -> Kinds:
    """Every indicator's method and unit by code, as the facts hold them (one query): what a
    formula's group figure is said to be made of reads its terms' (`pools_schools`)."""
    return {code: (method, unit) for code, method, unit in await session.execute(_KINDS)}


def indicator_info(definition: Indicator, kinds: Kinds) -> IndicatorInfo:
    params = definition.params or {}
    pooled = definition.method == "formula" and pools_schools(params, kinds)
    return IndicatorInfo(
        code=definition.code,
        name=definition.name,
        unit=definition.unit or "number",
        direction=definition.direction or "higher",
        basis=group_basis(definition.method, definition.unit or "number", params, pooled),
    )


def missing_notes(missing: Iterable[dict[str, Any]]) -> list[str]:
    notes = [
        f"Без данных сервиса {m['peer']} ({m['input']}): значения, которым они нужны, не посчитаны."
        for m in missing
    ]
    return list(dict.fromkeys(notes))


def value_rows(
    items: list[dict[str, Any]], indicators: dict[str, IndicatorInfo], names: dict[uuid.UUID, str]
) -> list[ValueRow]:
    """Rows of the indicators table: per indicator, the territory, clusters, then schools,
    each in natural order of names (№ 3 before № 10)."""
    order = {code: i for i, code in enumerate(indicators)}
    rows = [
        ValueRow(
            indicator=indicators[item["indicator_code"]],
            scope_type=item["scope_type"],
            scope_id=uuid.UUID(str(item["scope_id"])),
            scope_name=names.get(uuid.UUID(str(item["scope_id"])), "—"),
            value=labels.exact_value(item),  # rounded once, as shown (labels.number)
            target=item["target"],
            status=item["status"],
            change=item["change"],
            n=item["n"],
            flagged=item.get("flagged"),
            flagged_organizations=item.get("flagged_organizations"),
            flagged_left_out=item.get("flagged_left_out"),
            reason_text=item.get("reason_text"),
        )
        for item in items
        if item["indicator_code"] in indicators
    ]
    rows.sort(
        key=lambda r: (
            order[r.indicator.code],
            SCOPE_ORDER[r.scope_type],
            natural_key(r.scope_name),
            str(r.scope_id),
        )
    )
    return rows


async def scope_names(
    ctx: Context, organizations: list[OrganizationFacts], owner: tuple[str, uuid.UUID]
) -> dict[uuid.UUID, str]:
    """Names of the organizations, the territories the user sees and the owner's clusters."""
    names = {o.id: o.name for o in organizations}
    names |= {t.id: t.name for t in await ctx.api.territories()}
    names |= {c.id: c.name for c in await ctx.api.clusters(*owner)}
    return names


async def _over_time(
    ctx: Context,
    owner: tuple[str, uuid.UUID],
    periods: list[Period],
    codes: list[str],
    current: list[dict[str, Any]],
) -> tuple[dict[tuple[str, str], float | None], dict[tuple[str, str], labels.FlagNote]]:
    """(code, period code) → the owner scope's value, and → the mark of flagged data in it
    where the item says it (a computation's own period, not the one before it, whose value
    comes as `previous_value` alone). Each computation gives a period and the one before it,
    so the report's computation and one more cover four periods."""
    scope_type, scope_id = owner
    values: dict[tuple[str, str], float | None] = {}
    flags: dict[tuple[str, str], labels.FlagNote] = {}

    def take(items: list[dict[str, Any]], period: Period, previous: Period | None) -> None:
        for item in items:
            if item["scope_type"] == scope_type and str(item["scope_id"]) == str(scope_id):
                values[(item["indicator_code"], period.code)] = labels.exact_value(item)
                if flag := labels.item_flag(item, scope_type):
                    flags[(item["indicator_code"], period.code)] = flag
                if previous:
                    values[(item["indicator_code"], previous.code)] = item["previous_value"]

    newest_first = periods[::-1]
    take(current, newest_first[0], newest_first[1] if len(newest_first) > 1 else None)
    if len(newest_first) > 2:
        earlier, _ = await compute_values(
            ctx, scope_type, scope_id, newest_first[2], codes, level=scope_type
        )
        take(earlier, newest_first[2], newest_first[3] if len(newest_first) > 3 else None)
    return values, flags


def _execution(title: str, figures: Progress) -> Execution:
    counts = figures.model_dump(include=set(Progress.model_fields))
    return Execution(title=title or "Без названия раздела", **counts)


def activity_rows(
    activities: list[Activity],
    sections: dict[uuid.UUID, str],
    roadmaps: dict[uuid.UUID, str] | None,
) -> list[ActivityRow]:
    return [
        ActivityRow(
            section=sections.get(a.section_id, "") if a.section_id else "",
            number=a.number,
            title=a.title,
            deadline_text=a.deadline_text,
            due_end=a.due_end,
            responsible=a.responsible,
            status=a.status,
            overdue=a.overdue,
            completed_on=a.completed_on,
            roadmap=(roadmaps or {}).get(a.roadmap_id, ""),
        )
        for a in activities
    ]


def _owner_about(
    roadmap: Roadmap,
    organization_ids: frozenset[uuid.UUID],
    codes: list[str],
    activities: list[Activity],
) -> records.About:
    related = {o for a in activities for o in a.responsible_organization_ids}
    if roadmap.owner_type == "organization":
        related.add(roadmap.owner_id)
    return records.About(
        scope_type=roadmap.owner_type,
        scope_id=roadmap.owner_id,
        organization_ids=organization_ids,
        indicator_codes=frozenset(codes),
        related_organization_ids=frozenset(related),
    )


async def _follow_up(
    ctx: Context,
    about: records.About,
    periods: list[Period],
    indicators: dict[str, IndicatorInfo],
    kinds: Kinds,
) -> tuple[list[Any], list[tuple[Any, Any]], dict[str, IndicatorInfo], list[str]]:
    """The report period's recommendations, the decisions on those of the shown periods, every
    indicator they name, and the codes to compute (the roadmap's and the decisions')."""
    readable = await visibility(ctx.principal, ctx.resolver)
    found = await records.recommendations(ctx.session, about, periods[-1].code, readable)
    taken = await records.decisions(ctx.session, about, [p.code for p in periods], readable)
    # A recommendation about a responsible school, and the decision taken on it, may be
    # about another indicator: its name is shown, and a decision's is computed for its effect.
    decided = {c for d, r in taken if (c := d.indicator_code or r.indicator_code)}
    mentioned = decided | {r.indicator_code for r in found if r.indicator_code}
    others = await ctx.api.indicators_by_code(sorted(mentioned - set(indicators)))
    known = {**indicators, **{d.code: indicator_info(d, kinds) for d in others}}
    return found, taken, known, sorted(set(indicators) | (decided & set(known)))


async def roadmap_report(
    ctx: Context, roadmap_id: uuid.UUID, asked: Period | None, as_of: date | None
) -> RoadmapReport:
    """Everything the analytical report of a roadmap shows."""
    roadmap = await ctx.api.roadmap(roadmap_id, as_of)
    owner = (roadmap.owner_type, roadmap.owner_id)
    scope = await ensure_in_scope(ctx.principal, ctx.resolver, ScopeType(owner[0]), owner[1])
    if scope.scope_type == ScopeType.cluster and not cluster_readable(ctx.principal, owner[1]):
        # A school's people read their school alone: a report of the cluster it is in shows
        # the other schools' values and the territory's analysis (404, as their values).
        raise NotFound()
    kinds = await indicator_kinds(ctx.session)
    indicators = {
        d.code: indicator_info(d, kinds)
        for d in sorted(await ctx.api.roadmap_indicators(roadmap_id), key=lambda d: d.code)
    }
    period = intended = report_period(asked, roadmap.period, ctx.today)
    if asked is None:  # the latest period with data, from the roadmap's (or this year's) back
        period, _, _ = await latest_with_data(ctx, owner, period, sorted(indicators))
    periods = periods_back(period)

    activities = await ctx.api.roadmap_activities(roadmap_id, as_of)
    progress = await ctx.api.progress(roadmap_id, as_of)
    organizations = await ctx.api.organizations(sorted(scope.organization_ids))
    names = await scope_names(ctx, organizations, owner)

    about = _owner_about(roadmap, scope.organization_ids, list(indicators), activities)
    found, taken, known, codes = await _follow_up(ctx, about, periods, indicators, kinds)

    items, missing = await compute_values(ctx, owner[0], owner[1], period, codes)
    trend_values, trend_flags = await _over_time(ctx, owner, periods, list(indicators), items)
    values = {
        (i["indicator_code"], i["scope_type"], str(i["scope_id"])): labels.exact_value(i)
        for i in items
    }
    coverages = {
        (i["indicator_code"], i["scope_type"], str(i["scope_id"])): i.get("coverage") for i in items
    }
    flags = {
        (i["indicator_code"], i["scope_type"], str(i["scope_id"])): flag
        for i in items
        if (flag := labels.item_flag(i))
    }
    owner_targets = {
        i["indicator_code"]: i["target"]
        for i in items
        if i["scope_type"] == owner[0] and str(i["scope_id"]) == str(owner[1])
    }
    sections = {s.id: s.title for s in roadmap.sections}
    return RoadmapReport(
        roadmap_id=roadmap_id,
        title=roadmap.title,
        level=roadmap.level,
        owner_type=owner[0],
        owner_name=names.get(owner[1], "—"),
        roadmap_period=roadmap.period,
        period=period.code,
        periods=[p.code for p in periods],
        as_of=progress.as_of,
        passport=[
            (label, str(roadmap.passport[key]))
            for key, label in labels.PASSPORT_LABELS.items()
            if roadmap.passport.get(key)
        ],
        indicators=list(indicators.values()),
        rows=value_rows(items, indicators, names),
        trends=[
            Trend(
                info,
                owner[0],
                names.get(owner[1], "—"),
                [(p.code, trend_values.get((code, p.code))) for p in periods],
                owner_targets.get(code),
                {p.code: f for p in periods if (f := trend_flags.get((code, p.code)))},
            )
            for code, info in indicators.items()
        ],
        sections=[_execution(s.title, s) for s in progress.sections],
        overall=_execution("Итого", progress.overall),
        activities=activity_rows(activities, sections, None),
        recommendations=recommendation_rows(found, names, known),
        decisions=decision_rows(
            taken,
            values,
            names,
            known,
            flags,
            period.code,
            coverages,
        ),
        notes=missing_notes(missing),
        analysis=await analysis_chapter(ctx, owner, scope.organization_ids, period),
        data_quality=await quality_section(
            ctx, scope.organization_ids, period, names.get(owner[1], "—")
        ),
        approved_only=ctx.approved_only,
        intended_period=intended.code,
        other_periods=await other_periods(
            ctx.session, scope.organization_ids, period, approved_only=ctx.approved_only
        ),
    )
