"""НОК УООД of a territory, computed over the reports service's facts (quality_evaluation/
inputs.py): no peer is asked but the scope resolver; a peer that is down changes nothing but
the facts' age.
"""

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.indicator_values.units import absent_organizations
from services.reports.quality_evaluation.compute import (
    Weights,
    checklist_name,
    evaluate,
    load_weights,
    rank,
    territory_total,
)
from services.reports.quality_evaluation.inputs import (
    Survey,
    checklist_values,
    instrument_title,
    organization_names,
    parents_answers,
    with_checklist_names,
)
from shared.identity import Principal, ScopeType
from shared.periods import Period
from shared.scope import ScopeResolver, ensure_in_scope


def organization_counts(
    weights: Weights, survey: Survey | None, values: dict[str, float], instrument: str
) -> tuple[dict[str, float], list[str]]:
    """The flat counts `evaluate` takes, and notes on what of the inputs is absent (in Russian;
    the questionnaire named by its title `instrument`, never by its code): `survey` None — no
    campaign of the questionnaire reached the school in the period, «не проводилось» — is not
    a campaign nobody answered, «нет ответов»."""
    templates, notes = weights["notes"], []
    counts: dict[str, float] = dict(values)
    if survey is not None and survey.pending:
        notes.append(templates["survey_open"].format(n=survey.pending))
    if survey is not None and survey.disclosed:
        if survey.withheld:
            notes.append(templates["survey_partly_suppressed"].format(n=survey.withheld))
        counts[weights["respondents"]] = survey.respondents
        # An item nobody answered "да" to is not in the aggregates: zero, not "no data". One
        # withheld (answered by fewer than the minimum: the survey's own rule per question)
        # is no data: its count, or a share over it, would tell those few parents' answers.
        # The indicator over it says so (compute._missing_reason: `withheld_items`).
        items = survey_items(weights)
        counts |= {code: survey.yes.get(code, 0) for code in items - survey.withheld_items}
    elif survey is not None and survey.withheld:
        # A school of 6 withheld so that the district minus the others tells nothing of the
        # small ones is not «меньше порога раскрытия (6)»: each reason says its own.
        if below := survey.withheld - survey.by_difference:
            notes.append(templates["survey_suppressed"].format(n=below))
        if survey.by_difference:
            notes.append(templates["survey_suppressed_difference"].format(n=survey.by_difference))
    elif survey is None:  # no campaign of the questionnaire reached the school in the period
        notes.append(templates["survey_not_run"].format(instrument=instrument))
    elif not survey.pending:  # one reached it, and nobody answered
        notes.append(templates["survey_missing"].format(instrument=instrument))
    absent = [c for c in weights["data_value_codes"] if c not in values]
    if len(absent) == len(weights["data_value_codes"]):
        notes.append(templates["checklist_missing"])
    elif absent:
        names = ", ".join(checklist_name(weights, code) for code in absent)
        notes.append(templates["data_value_missing"].format(codes=names))
    return counts, notes


def organization_result(
    weights: Weights, survey: Survey | None, values: dict[str, float], instrument: str
) -> tuple[dict[str, float], dict[str, Any], list[str]]:
    """One organization's counts (`organization_counts`), its evaluation (`evaluate`: an
    indicator over a withheld survey item says so) and the notes on its inputs."""
    counts, notes = organization_counts(weights, survey, values, instrument)
    withheld = survey.withheld_items if survey is not None else set()
    return counts, evaluate(counts, {**weights, "withheld_items": withheld}), notes


async def parents_title(session: AsyncSession, weights: Weights) -> str:
    """The title of the parents' questionnaire the weights name."""
    return await instrument_title(session, weights["instrument_code"], weights["instrument_title"])


def survey_items(weights: Weights) -> set[str]:
    """The survey items the indicators divide (every count that is not a checklist value)."""
    codes = {
        part[key]
        for spec in weights["indicators"].values()
        for part in spec.get("parts", [])
        for key in ("numerator", "denominator")
    }
    return codes - set(weights["data_value_codes"]) - {weights["respondents"]}


async def nok(
    session: AsyncSession,
    principal: Principal,
    resolver: ScopeResolver,
    territory_id: uuid.UUID,
    asked: Period,
    *,
    minimum: int,
) -> dict[str, Any]:
    """Criteria (К1–К5, percent-based points 0–100), total Sn and rank of every organization of
    the territory open in the period (not closed before it began nor opened after it ended),
    and its mean total (formulas and weights: quality_evaluation/weights.json, after the
    Rosobrnadzor method). 404 for a territory outside the caller's scope.
    `minimum`: the disclosure minimum of the parents' answers."""
    period = asked.code
    scope = await ensure_in_scope(principal, resolver, ScopeType.territory, territory_id)
    weights = await with_checklist_names(session, load_weights())
    names = await organization_names(session, scope.organization_ids)
    # A school closed before the period began (or opened after it ended) is none of it.
    absent = (await absent_organizations(session, sorted(names), [period])).get(period, set())
    names = {org: name for org, name in names.items() if org not in absent}
    organizations = [{"id": org, "name": name} for org, name in names.items()]
    org_ids = sorted(names)
    values = await checklist_values(session, org_ids, weights["data_value_codes"], period)
    answers = await parents_answers(
        session,
        principal,
        resolver,
        org_ids,
        weights["instrument_code"],
        period,
        minimum=minimum,
    )
    title = await parents_title(session, weights)
    items = []
    for org in organizations:
        org_id = uuid.UUID(str(org["id"]))
        counts, result, org_notes = organization_result(
            weights, answers.get(org_id), values.get(org_id, {}), title
        )
        items.append(
            {
                "organization_id": org_id,
                "name": org["name"],
                **result,
                "inputs": counts,
                "notes": org_notes + result["notes"],
            }
        )
    ranks = rank({i["organization_id"]: i["total"] for i in items})
    for item in items:
        item["rank"] = ranks[item["organization_id"]]
    items.sort(
        key=lambda i: (i["rank"] is None, i["rank"] or 0, i["name"], str(i["organization_id"]))
    )
    return {
        "territory_id": territory_id,
        "period": period,
        "total": territory_total([i["total"] for i in items]),
        "organizations_ranked": sum(i["total"] is not None for i in items),
        "organizations": items,
        "notes": [],
        "missing_inputs": [],
        "source": weights["source"],
    }
