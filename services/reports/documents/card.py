"""Gather a school's one-page report card: its indicators, НОК, activities, recommendations.

Calls per card: the scope (cached), one lookup of the school, the territories (for its
territory's name), the indicator definitions, one computation of indicator values, one
data-values query and the НОК campaigns of the school (with one aggregates call each), the
activities the school is responsible for and the roadmaps' titles (pages of 500), and one
query of the recommendations table.
"""

import uuid
from datetime import date

from services.reports.clients.models import Activity
from services.reports.documents import records
from services.reports.documents.gather import (
    Context,
    activity_rows,
    compute_values,
    indicator_info,
    indicator_kinds,
    latest_with_data,
    missing_notes,
    report_period,
    value_rows,
)
from services.reports.documents.labels import NOK_LABELS
from services.reports.documents.model import Execution, Nok, OrganizationCard
from services.reports.documents.periods import other_periods
from services.reports.documents.records import recommendation_rows
from services.reports.quality_evaluation.compute import load_weights
from services.reports.quality_evaluation.inputs import (
    checklist_values,
    parents_answers,
    with_checklist_names,
)
from services.reports.quality_evaluation.service import organization_result, parents_title
from services.reports.recommendations.service import visibility
from shared.errors import NotFound
from shared.identity import ScopeType
from shared.periods import Period
from shared.scope import ensure_in_scope
from shared.templating import natural_key


async def school_nok(ctx: Context, organization_id: uuid.UUID, period: str) -> Nok:
    """НОК УООД criteria and total of one school, by the same formulas as /v1/nok (its rank
    needs every school of the territory and is left out)."""
    weights = await with_checklist_names(ctx.session, load_weights())
    period_values = await checklist_values(
        ctx.session, [organization_id], weights["data_value_codes"], period
    )
    answers = await parents_answers(
        ctx.session,
        ctx.principal,
        ctx.resolver,
        [organization_id],
        weights["instrument_code"],
        period,
        minimum=ctx.minimum,
        public=True,
    )
    _, result, notes = organization_result(
        weights,
        answers.get(organization_id),
        period_values.get(organization_id, {}),
        await parents_title(ctx.session, weights),
    )
    criteria = [(label, result[key]) for key, label in NOK_LABELS.items()]
    return Nok(criteria, result["total"], list(dict.fromkeys(notes + result["notes"])))


def _by_roadmap(activities: list[Activity], titles: dict[uuid.UUID, str]) -> list[Execution]:
    """Execution figures of the school's activities, per roadmap."""
    figures: dict[uuid.UUID, Execution] = {}
    for activity in activities:
        roadmap = activity.roadmap_id
        row = figures.setdefault(roadmap, Execution(title=titles.get(roadmap, "Дорожная карта")))
        row.total += 1
        setattr(row, activity.status, getattr(row, activity.status) + 1)
        row.overdue += activity.overdue
    for row in figures.values():
        active = row.total - row.cancelled
        row.done_share = round(100 * row.done / active, 1) if active else None
    return sorted(figures.values(), key=lambda r: natural_key(r.title))


async def organization_card(
    ctx: Context, organization_id: uuid.UUID, asked: Period | None, as_of: date | None
) -> OrganizationCard:
    """Everything a school's report card shows."""
    await ensure_in_scope(ctx.principal, ctx.resolver, ScopeType.organization, organization_id)
    period = intended = report_period(asked, None, ctx.today)
    found_orgs = await ctx.api.organizations([organization_id])
    if not found_orgs:
        raise NotFound("Организация не найдена")
    school = found_orgs[0]
    territories = {t.id: t.name for t in await ctx.api.territories()}
    kinds = await indicator_kinds(ctx.session)
    indicators = {
        d.code: indicator_info(d, kinds)
        for d in sorted(await ctx.api.indicators(), key=lambda d: d.code)
    }
    if asked is None:  # the latest period with data, from this academic year back
        owner = ("organization", organization_id)
        period, items, missing = await latest_with_data(
            ctx, owner, period, None, level="organization"
        )
    else:
        items, missing = await compute_values(
            ctx, "organization", organization_id, period, None, level="organization"
        )
    rows = value_rows(items, indicators, {organization_id: school.name})
    shown = [r for r in rows if r.status != "no_data"]

    activities = await ctx.api.responsible_activities(organization_id, as_of)
    titles = {r.id: r.title for r in await ctx.api.roadmaps()} if activities else {}
    about = records.About("organization", organization_id, frozenset({organization_id}))
    readable = await visibility(ctx.principal, ctx.resolver)
    found = await records.recommendations(ctx.session, about, period.code, readable)
    return OrganizationCard(
        organization_id=organization_id,
        name=school.name,
        territory=territories.get(school.territory_id, ""),
        period=period.code,
        as_of=as_of or ctx.today,
        rows=shown,
        without_data=len(rows) - len(shown),
        nok=await school_nok(ctx, organization_id, period.code),
        roadmaps=_by_roadmap(activities, titles),
        overdue=[a for a in activity_rows(activities, {}, titles) if a.overdue],
        recommendations=recommendation_rows(found, {organization_id: school.name}, indicators),
        notes=missing_notes(missing),
        approved_only=ctx.approved_only,
        intended_period=intended.code,
        other_periods=await other_periods(
            ctx.session, [organization_id], period, approved_only=ctx.approved_only
        ),
    )
