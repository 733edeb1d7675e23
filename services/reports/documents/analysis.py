"""Gather the roadmap report's chapter «Комплексный анализ результатов оценочных процедур»:
objectivity signs, results against the social context index with the resilient schools, the
low-results schools (ШНОР) and task-completion profiles, from services/reports/analysis.

Of the report's territory (the roadmap's own, or the one its cluster or school belongs to) and
the academic year of the report's period (a period that is not an academic year: the academic
year it starts in, the one whose spring assessments a calendar year holds). Queries per report,
whatever the number of schools: one to see whether the year has results at all (no results: no
chapter), the five analyses (SQL over the summary rows), and one for the names.
"""

import uuid
from collections import Counter
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

from services.reports.analysis.labels import PROCEDURE_NAMES
from services.reports.analysis.low_results import low_results
from services.reports.analysis.objectivity import objectivity
from services.reports.analysis.resilient import resilient_with_context
from services.reports.analysis.tasks import task_profiles
from services.reports.documents import labels
from services.reports.documents.model import (
    AnalysisChapter,
    LowResultsRow,
    ScatterPoint,
    SignRow,
    TaskProfile,
)
from services.reports.documents.signs import sign_text
from shared.errors import NotFound
from shared.identity import ScopeType
from shared.periods import Period, academic_year_of
from shared.scope import ensure_in_scope
from shared.templating import natural_key

if TYPE_CHECKING:
    from services.reports.documents.gather import Context

PROFILED = 3  # the roadmap report profiles at most this many schools, those with most signs

_HAS_RESULTS = text(
    """SELECT EXISTS (SELECT 1 FROM reports.fact_assessment_result
       WHERE organization_id = ANY(CAST(:ids AS uuid[])) AND year = :year)"""
)
_TERRITORY_OF = text(
    """SELECT territory_id FROM reports.fact_organization WHERE id = :id AND :kind = 'organization'
       UNION ALL
       SELECT territory_id FROM reports.fact_cluster WHERE id = :id AND :kind = 'cluster'"""
)
_TERRITORY_SCHOOLS = text(
    "SELECT id FROM reports.fact_organization WHERE territory_id = :territory"
)
_NAMES = text(
    """SELECT 'organization' AS kind, id::text AS key, name FROM reports.fact_organization
       WHERE id = ANY(CAST(:ids AS uuid[]))
       UNION ALL
       SELECT 'territory', id::text, name FROM reports.fact_territory WHERE id = :territory
       UNION ALL SELECT 'procedure', code, name FROM reports.fact_assessment_procedure"""
)


def assessment_year(period: Period) -> Period:
    """The academic year of a report's period: itself, or the one the period starts in."""
    return period if period.kind == "academic_year" else academic_year_of(period.start)


async def _territory(
    ctx: "Context", owner: tuple[str, uuid.UUID], organizations: frozenset[uuid.UUID]
) -> tuple[uuid.UUID | None, list[uuid.UUID], bool]:
    """The owner's territory, the organizations the analysis runs over, and whether the caller
    sees them all. A cluster's or a school's roadmap is compared with its whole territory:
    the caller's view of it, else (a school's leader) every school the facts place there,
    whose figures then show only pooled (the territory's task completion, the cuts)."""
    kind, owner_id = owner
    if kind == "territory":
        return owner_id, sorted(organizations), True
    found = await ctx.session.scalar(_TERRITORY_OF, {"id": owner_id, "kind": kind})
    if found is None:
        return None, sorted(organizations), True
    try:
        scope = await ensure_in_scope(ctx.principal, ctx.resolver, ScopeType.territory, found)
    except NotFound:
        placed = await ctx.session.scalars(_TERRITORY_SCHOOLS, {"territory": found})
        return found, sorted(set(placed) | organizations), False
    return found, sorted(scope.organization_ids), True


def _paper(item: dict[str, Any], procedures: dict[str, str]) -> str:
    subject = str(item["subject"])
    subject = subject[:1].upper() + subject[1:]
    code = str(item["procedure"])
    name = PROCEDURE_NAMES.get(code) or procedures.get(code) or code.upper()
    return f"{name}, {subject}, {item['grade']} класс"


def _number(value: Any) -> str:
    return labels.number(float(value), 1, fixed=True)


def _low_paper(p: dict[str, Any], procedures: dict[str, str]) -> str:
    """«ВПР, Математика, 5 класс, 2021/2022: доля отметок «2» 35,0 % (порог 30,0 %)»; by the
    bottom group: the school's mean completion and the territory's bottom-group boundary."""
    value = f"{_number(p['value'])}{labels.NBSP}%"
    limit = f"{_number(p['threshold'])}{labels.NBSP}%"
    if p.get("criterion") == "mark_2_share":
        shown = f"доля отметок «2» {value} (порог {limit})"
    else:
        shown = f"средний % выполнения {value} (граница нижней группы территории {limit})"
    return f"{_paper(p, procedures)}, {p['year']}: {shown}"


def sign_rows(
    judged: list[dict[str, Any]], names: dict[str, str], procedures: dict[str, str]
) -> list[SignRow]:
    """The papers with at least one sign: by risk (high first), then school in natural order."""
    rows = [
        SignRow(
            school=names.get(str(item["organization_id"]), "—"),
            paper=_paper(item, procedures),
            signs=[sign_text(s["code"], s.get("evidence")) for s in item["signs"]],
            risk=item["risk"],
        )
        for item in judged
        if item["signs"]
    ]
    rows.sort(key=lambda r: (labels.RISK_ORDER[r.risk], natural_key(r.school), r.paper))
    return rows


def profiled_schools(
    judged: list[dict[str, Any]], focus: uuid.UUID | None, names: dict[str, str]
) -> tuple[list[str], str]:
    """Whose task profiles the chapter shows: the report's school, else the schools with the
    most signs (at most PROFILED; ties in natural order of names), with the reason in words."""
    if focus is not None:
        return [str(focus)], "Профиль выполнения заданий школы в сравнении с территорией."
    signs = Counter[str]()
    for item in judged:
        signs[str(item["organization_id"])] += len(item["signs"])
    ranked = sorted(
        (o for o, n in signs.items() if n),
        key=lambda o: (-signs[o], natural_key(names.get(o, ""))),
    )[:PROFILED]
    note = (
        f"Профили выполнения заданий школ с наибольшим числом признаков необъективности "
        f"(не более {PROFILED}) в сравнении с территорией."
    )
    return ranked, note


def unfavourable_cut(items: list[dict[str, Any]]) -> float | None:
    """Where the plot's ШНСУ band ends: midway between the highest index in the bottom quartile
    and the lowest above it (the highest in it when every school is in it); None without ШНСУ."""
    inside = [i["index"] for i in items if i.get("group") == "unfavourable"]
    above = [i["index"] for i in items if i.get("group") in ("middle", "favourable")]
    if not inside:
        return None
    return (max(inside) + min(above)) / 2 if above else max(inside)


async def analysis_chapter(
    ctx: "Context",
    owner: tuple[str, uuid.UUID],
    organizations: frozenset[uuid.UUID],
    period: Period,
) -> AnalysisChapter | None:
    """The chapter for the report's owner and period; None when the territory has no
    assessment results in the year (the chapter is left out, not shown empty)."""
    year = assessment_year(period)
    territory_id, ids, sees_all = await _territory(ctx, owner, organizations)
    session = ctx.session
    if not ids or not await session.scalar(_HAS_RESULTS, {"ids": ids, "year": year.code}):
        return None
    focus = owner[1] if owner[0] == "organization" else None
    shown = {str(focus)} if focus else {str(o) for o in organizations}

    judged = await objectivity(session, ids, year, ctx.thresholds)
    # The resilient schools with the context index they were found by (computed once).
    placed, indexed = await resilient_with_context(session, ids, year, ctx.thresholds)
    low = await low_results(session, ids, year, ctx.thresholds)
    profiles = await task_profiles(session, ids, year, ctx.thresholds)

    found = await session.execute(_NAMES, {"ids": ids, "territory": territory_id})
    named: dict[str, dict[str, str]] = {}
    for kind, key, name in found:
        named.setdefault(kind, {})[key] = name
    names, procedures = named.get("organization", {}), named.get("procedure", {})

    judged = [i for i in judged if str(i["organization_id"]) in shown]
    chosen, profiles_note = profiled_schools(judged, focus, names)
    return AnalysisChapter(
        territory=named.get("territory", {}).get(str(territory_id), "—"),
        year=year.code,
        signs=sign_rows(judged, names, procedures),
        high_risk_signs=ctx.thresholds.high_risk_signs,
        points=[
            ScatterPoint(
                name=names.get(str(p["organization_id"]), "—"),
                index=p["index"],
                result=p["result"],
                resilient=bool(p["resilient"]),
                unfavourable=p.get("group") == "unfavourable",
            )
            for p in placed
            if p.get("index") is not None and p.get("result") is not None
            if sees_all or str(p["organization_id"]) in shown
        ],
        unfavourable_cut=unfavourable_cut(indexed["items"]),
        low_results=sorted(
            (
                LowResultsRow(
                    school=names.get(str(item["organization_id"]), "—"),
                    years=list(item["years"]),
                    papers=[_low_paper(p, procedures) for p in item["procedures"]],
                )
                for item in low
                if str(item["organization_id"]) in shown
            ),
            key=lambda r: natural_key(r.school),
        ),
        profiles=[
            TaskProfile(
                school=names.get(str(p["organization_id"]), "—"),
                paper=_paper(p, procedures),
                participants=p["participants"],
                tasks=[
                    (t["number"], t["completion"], t["territory_completion"]) for t in p["tasks"]
                ],
            )
            for school in chosen
            for p in profiles
            if str(p["organization_id"]) == school and p["tasks"]
        ],
        profiles_note=profiles_note,
        notes=list(dict.fromkeys(indexed.get("notes", []))),
    )
