"""НОК УООД of a territory: fetch the counts in a bounded number of calls, then compute.

Calls per request, whatever the number of organizations: the scope (cached), one lookup of
its organizations, one data-values query, one campaigns list, and one aggregates call per
campaign of the questionnaire in the period. A peer that does not answer leaves out what it
would have given; the rest is computed and `missing_inputs` names what is missing.
"""

import uuid
from dataclasses import dataclass, field
from typing import Any

from services.reports.clients.api import ApiClient
from services.reports.clients.surveys import SurveysClient
from services.reports.quality_evaluation.compute import (
    Weights,
    evaluate,
    load_weights,
    rank,
    territory_total,
)
from shared.disclosure import CAMPAIGN_OPEN
from shared.errors import PeerUnavailable
from shared.identity import Principal, ScopeType
from shared.periods import Period
from shared.scope import ScopeResolver, ensure_in_scope

YES = "1"


@dataclass
class Survey:
    """One organization's answers summed over the campaigns that disclose them."""

    respondents: int = 0
    yes: dict[str, int] = field(default_factory=dict)
    disclosed: int = 0  # campaigns whose values were given
    withheld: int = 0  # respondents in campaigns below the disclosure minimum
    pending: int = 0  # respondents in campaigns still open (their figures come at the close)


def survey_counts(aggregates: list[dict[str, Any]]) -> dict[uuid.UUID, Survey]:
    """Per organization: respondents and "да" answers per item, summed over campaigns whose
    figures are shown; of the others, how many answered (nothing else is given of them)."""
    surveys: dict[uuid.UUID, Survey] = {}
    for item in aggregates:
        survey = surveys.setdefault(uuid.UUID(str(item["scope_id"])), Survey())
        if item["suppressed"] and item.get("reason") == CAMPAIGN_OPEN:
            survey.pending += item["n"]
            continue
        if item["suppressed"]:
            survey.withheld += item["n"]
            continue
        survey.disclosed += 1
        survey.respondents += item["n"]
        for question in item["questions"]:
            yes = (question.get("counts") or {}).get(YES, 0)
            survey.yes[question["code"]] = survey.yes.get(question["code"], 0) + yes
    return surveys


def organization_counts(
    weights: Weights,
    survey: Survey | None,
    values: dict[str, float] | None,
    *,
    survey_available: bool,
) -> tuple[dict[str, float], list[str]]:
    """The flat counts `evaluate` takes, and notes on what of the inputs is absent.

    `values` None: the api service did not answer (said once for the whole answer)."""
    templates, notes = weights["notes"], []
    counts: dict[str, float] = dict(values or {})
    if survey is not None and survey.pending:
        notes.append(templates["survey_open"].format(n=survey.pending))
    if survey is not None and survey.disclosed:
        if survey.withheld:
            notes.append(templates["survey_partly_suppressed"].format(n=survey.withheld))
        counts[weights["respondents"]] = survey.respondents
        # An item nobody answered "да" to is not in the aggregates: zero, not "no data".
        counts |= {code: survey.yes.get(code, 0) for code in survey_items(weights)}
    elif survey is not None and survey.withheld:
        notes.append(templates["survey_suppressed"].format(n=survey.withheld))
    elif survey_available and not (survey is not None and survey.pending):
        notes.append(templates["survey_missing"].format(instrument=weights["instrument_code"]))
    if values is not None:
        absent = [c for c in weights["data_value_codes"] if c not in values]
        if len(absent) == len(weights["data_value_codes"]):
            notes.append(templates["checklist_missing"])
        elif absent:
            notes.append(templates["data_value_missing"].format(codes=", ".join(absent)))
    return counts, notes


def survey_items(weights: Weights) -> set[str]:
    """The survey items the indicators divide (every count that is not a checklist value)."""
    codes = {
        part[key]
        for spec in weights["indicators"].values()
        for part in spec.get("parts", [])
        for key in ("numerator", "denominator")
    }
    return codes - set(weights["data_value_codes"]) - {weights["respondents"]}


async def _fetch_surveys(
    surveys: SurveysClient, instrument: str, period: str, missing: list[dict[str, Any]]
) -> dict[uuid.UUID, Survey] | None:
    try:
        aggregates = []
        for campaign in await surveys.campaigns([instrument], [period]):
            if campaign["instrument_code"] == instrument and campaign["period"] == period:
                aggregates += await surveys.aggregates(campaign["id"], "organization")
    except PeerUnavailable as exc:
        missing.append({"peer": "surveys", "input": "campaign_aggregates", "detail": exc.detail})
        return None
    return survey_counts(aggregates)


async def _fetch_values(
    api: ApiClient,
    codes: list[str],
    period: str,
    org_ids: list[uuid.UUID],
    missing: list[dict[str, Any]],
) -> dict[uuid.UUID, dict[str, float]] | None:
    try:
        rows = await api.data_values(codes, [period], org_ids)
    except PeerUnavailable as exc:
        missing.append({"peer": "api", "input": "data_values", "detail": exc.detail})
        return None
    values: dict[uuid.UUID, dict[str, float]] = {}
    for row in rows:
        if row["value"] is not None and row["period"] == period:
            org = uuid.UUID(str(row["organization_id"]))
            values.setdefault(org, {})[row["indicator_code"]] = float(row["value"])
    return values


async def nok(
    principal: Principal,
    resolver: ScopeResolver,
    api: ApiClient,
    surveys: SurveysClient,
    territory_id: uuid.UUID,
    asked: Period,
) -> dict[str, Any]:
    """Criteria, total and rank of every organization of the territory, and its mean total."""
    period = asked.code
    scope = await ensure_in_scope(principal, resolver, ScopeType.territory, territory_id)
    weights = load_weights()
    organizations = await api.organizations(sorted(scope.organization_ids))
    org_ids = sorted(uuid.UUID(str(o["id"])) for o in organizations)
    missing: list[dict[str, Any]] = []
    values = await _fetch_values(api, weights["data_value_codes"], period, org_ids, missing)
    answers = await _fetch_surveys(surveys, weights["instrument_code"], period, missing)
    notes = []
    if values is None:
        notes.append(weights["notes"]["data_values_unavailable"])
    if answers is None:
        notes.append(weights["notes"]["survey_unavailable"])

    items = []
    for org in organizations:
        org_id = uuid.UUID(str(org["id"]))
        counts, org_notes = organization_counts(
            weights,
            (answers or {}).get(org_id),
            None if values is None else values.get(org_id, {}),
            survey_available=answers is not None,
        )
        result = evaluate(counts, weights)
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
        "notes": notes,
        "missing_inputs": missing,
        "source": weights["source"],
    }
