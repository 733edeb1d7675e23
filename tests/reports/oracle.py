"""The computation of indicator values before the facts, kept as a test oracle: inputs fetched
over HTTP from the api and surveys services (as the user), values computed in Python by the
`Calculator` (tests/reports/calculator.py).

`calculator_items` answers what `GET /v1/indicator-values` answered from these: a test
compares it, value by value, with the SQL over the reports service's facts.
"""

import uuid
from typing import Any

import httpx

from services.reports.clients.api import ApiClient as ReportsApiClient
from services.reports.clients.models import OrganizationFacts
from services.reports.clients.surveys import SurveysClient
from shared.context import user_token_var
from shared.errors import PeerUnavailable
from shared.identity import ScopeType
from shared.indicator_methods import SURVEY_METHODS, closure
from shared.periods import Period, period_or_invalid
from shared.scope import ScopeInfo
from tests.reports.calculator import (
    CLUSTER,
    ORGANIZATION,
    TERRITORY,
    Calculator,
    Inputs,
    Unit,
    assessment_key,
)
from tests.reports.calculator_flags import METHOD as FLAGGED
from tests.reports.calculator_flags import fetch_flags

SCOPE_ORDER = {TERRITORY: 0, CLUSTER: 1, ORGANIZATION: 2}


class ApiClient(ReportsApiClient):
    """The reports' api client with the reads the oracle makes over HTTP (the reports service
    itself reads data values and results from its facts), answers kept as the peer's JSON."""

    async def definitions(self) -> list[dict[str, Any]]:
        """Every indicator definition, whole (targets and all), as the api service answers."""
        return await self._pages("/v1/indicators", {}, dict)

    async def data_values(
        self, codes: list[str], periods: list[str], organization_ids: list[uuid.UUID]
    ) -> list[dict[str, Any]]:
        """Values of the indicators for the organizations and periods, in one call."""
        if not codes or not organization_ids:
            return []
        body = {
            "indicator_codes": codes,
            "periods": periods,
            "organization_ids": [str(o) for o in organization_ids],
        }
        return (await self._post("/v1/data-values/query", body, dict))["items"]

    async def assessment_aggregates(
        self,
        procedure: str,
        year: str,
        *,
        subject: str | None = None,
        grade: int | None = None,
        territory_id: uuid.UUID | None = None,
    ) -> list[dict[str, Any]]:
        """Results of one procedure and year summed per organization, subject and grade."""
        params: dict[str, Any] = {"procedure": procedure, "year": year}
        if subject is not None:
            params["subject"] = subject
        if grade is not None:
            params["grade"] = grade
        if territory_id is not None:
            params["territory_id"] = str(territory_id)
        return await self._pages("/v1/assessment-results/aggregates", params, dict)


def units_of(scope: ScopeInfo, organizations: list[OrganizationFacts], level: str) -> list[Unit]:
    """The scope itself and every organization, cluster and territory inside it (or one kind)."""
    orgs = {o.id: o for o in organizations}
    units: list[Unit] = [Unit(ORGANIZATION, o, frozenset({o})) for o in orgs]
    if scope.scope_type == ScopeType.cluster:
        units.append(Unit(CLUSTER, scope.scope_id, frozenset(orgs)))
    elif scope.scope_type == ScopeType.territory:
        clusters: dict[uuid.UUID, set[uuid.UUID]] = {}
        territories: dict[uuid.UUID, set[uuid.UUID]] = {}
        for org_id, org in orgs.items():
            for cluster in org.cluster_ids:
                clusters.setdefault(cluster, set()).add(org_id)
            chain = org.territory_ids
            if scope.scope_id in chain:  # the scope's territory and those below it
                for territory in chain[: chain.index(scope.scope_id) + 1]:
                    territories.setdefault(territory, set()).add(org_id)
        territories.setdefault(scope.scope_id, set())
        # A cluster's figure covers its members inside the scope.
        units += [Unit(CLUSTER, c, frozenset(m)) for c, m in clusters.items()]
        units += [Unit(TERRITORY, t, frozenset(m)) for t, m in territories.items()]
    if level != "all":
        units = [u for u in units if u.scope_type == level]
    return sorted(units, key=lambda u: (SCOPE_ORDER[u.scope_type], str(u.scope_id)))


async def _fetch_assessments(
    api: ApiClient,
    definitions: list[dict[str, Any]],
    periods: list[str],
    territory_id: uuid.UUID | None,
    inputs: Inputs,
    missing: list[dict[str, Any]],
) -> None:
    keys = {
        assessment_key(d["params"], p)
        for d in definitions
        if d["method"] == "assessment_metric"
        for p in periods
    }
    for key in sorted(keys, key=str):
        procedure, year, subject, grade = key
        try:
            inputs.assessments[key] = await api.assessment_aggregates(
                procedure, year, subject=subject, grade=grade, territory_id=territory_id
            )
        except PeerUnavailable as exc:
            inputs.unavailable.add(("assessments", *key))
            missing.append(
                {
                    "peer": "api",
                    "input": f"assessment_results:{procedure}:{year}",
                    "detail": exc.detail,
                }
            )


async def _fetch_surveys(
    surveys: SurveysClient,
    definitions: list[dict[str, Any]],
    periods: list[str],
    levels: set[str],
    inputs: Inputs,
    missing: list[dict[str, Any]],
    territory_id: uuid.UUID | None,
    public: bool,
) -> None:
    instruments = sorted(
        {d["params"]["instrument_code"] for d in definitions if d["method"] in SURVEY_METHODS}
    )
    if not instruments:
        return
    try:
        campaigns = await surveys.campaigns(instruments, periods, territory_id)
        for campaign in campaigns:
            for level in sorted(levels):
                for item in await surveys.aggregates(campaign.id, level, public=public):
                    unit = (item.scope_type, item.scope_id)
                    key = (campaign.instrument_code, campaign.period, *unit)
                    entry = {
                        **item.model_dump(mode="json"),
                        "audience": campaign.audience,
                        "campaign_id": str(campaign.id),
                    }
                    inputs.surveys.setdefault(key, []).append(entry)
    except PeerUnavailable as exc:
        inputs.surveys.clear()
        inputs.unavailable.add("surveys")
        missing.append({"peer": "surveys", "input": "campaign_aggregates", "detail": exc.detail})


async def compute(
    api: ApiClient,
    surveys: SurveysClient,
    scope: ScopeInfo,
    period: Period,
    codes: list[str] | None,
    level: str,
    public: bool = False,
    reports: httpx.AsyncClient | None = None,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str]]:
    """Items of the indicators (None: all) for the scope and what is inside it at `level`,
    the missing inputs, and the codes of every indicator defined (as the service did).
    `public`: survey values as a reader without access to personal results sees them;
    `reports`: a client of the reports service as the user, for the analysis answers."""
    previous = period.previous.code
    definitions = {d["code"]: d for d in await api.definitions()}
    wanted = set(codes or definitions)
    if unknown := sorted(wanted - set(definitions)):
        raise ValueError(f"нет таких показателей: {', '.join(unknown)}")
    needed = [definitions[c] for c in sorted(closure(definitions, wanted))]

    organizations = await api.organizations(sorted(scope.organization_ids))
    units = units_of(scope, organizations, level)
    periods = [period.code, previous]
    inputs, missing = Inputs(), []
    org_ids = sorted({o for u in units for o in u.organization_ids} or scope.organization_ids)

    value_codes = sorted(d["code"] for d in needed if d["method"] == "data_value")
    try:
        for row in await api.data_values(value_codes, periods, org_ids):
            key = (row["indicator_code"], uuid.UUID(row["organization_id"]), row["period"])
            inputs.data_values[key] = row["value"]
    except PeerUnavailable as exc:
        inputs.unavailable.add("data_values")
        missing.append({"peer": "api", "input": "data_values", "detail": exc.detail})
    territory = scope.scope_id if scope.scope_type == ScopeType.territory else None
    await _fetch_assessments(api, needed, periods, territory, inputs, missing)
    levels = {u.scope_type for u in units}
    await _fetch_surveys(surveys, needed, periods, levels, inputs, missing, territory, public)
    flagged = [d for d in needed if d["method"] == FLAGGED]
    if flagged and reports is not None:

        async def get(path: str, params: dict[str, Any]) -> dict[str, Any]:
            answer = await reports.get(path, params=params)
            assert answer.status_code == 200, (path, params, answer.text)
            return answer.json()

        kinds = {o.id: o.kind for o in organizations}
        inputs.flags = await fetch_flags(
            get, flagged, units_of(scope, organizations, "all"), kinds, periods
        )

    calculator = Calculator(definitions, inputs, {o.id: o.kind for o in organizations})
    items = [
        item
        for code in sorted(wanted)
        for unit in units
        if (item := calculator.item(code, unit, period.code, previous)) is not None
    ]
    return items, missing, sorted(definitions)


async def calculator_items(
    apps, token: str, scope: ScopeInfo, period: str, *, public: bool
) -> list[dict[str, Any]]:
    """Every indicator's items for the scope and everything inside it, computed by the
    Calculator from what the peers answer to the user of `token`."""
    peers = apps.reports.state.peers
    reset = user_token_var.set(token)
    transport = httpx.ASGITransport(app=apps.reports)
    headers = {"Authorization": f"Bearer {token}"}
    try:
        async with httpx.AsyncClient(
            transport=transport, base_url="http://reports", headers=headers
        ) as reports:
            items, missing, _ = await compute(
                ApiClient(peers["api"]),
                SurveysClient(peers["surveys"]),
                scope,
                period_or_invalid(period),
                None,
                "all",
                public,
                reports,
            )
    finally:
        user_token_var.reset(reset)
    assert not missing, missing
    return items


def keyed(items: list[dict[str, Any]]) -> dict[tuple[str, str, uuid.UUID], dict[str, Any]]:
    """Items by (indicator, scope type, scope id)."""
    return {(i["indicator_code"], i["scope_type"], uuid.UUID(str(i["scope_id"]))): i for i in items}


# field -> how far two answers may be apart: a figure rounded to 2 (4) decimals may differ by
# one in its last place when the unrounded one lies at a tie, for float sums added in another
# order (the Calculator's own order follows a frozenset's, so it is not fixed either).
FIELDS = {
    "value": 0.01,
    "numerator": 0.0001,
    "denominator": 0.0001,
    "n": 0,
    "status": 0,
    "target": 0,
    "previous_value": 0.01,
    "change": 0.01,
    "coverage": 0.01,
    "missing": 0,
}


def differences(
    expected: list[dict[str, Any]], actual: list[dict[str, Any]]
) -> list[tuple[Any, ...]]:
    """Every (item key, field, expected, actual) that differs, and items only one side has."""
    want, got = keyed(expected), keyed(actual)
    found: list[tuple[Any, ...]] = [(k, "only in oracle") for k in want.keys() - got.keys()]
    found += [(k, "only in SQL") for k in got.keys() - want.keys()]
    for key in sorted(want.keys() & got.keys(), key=str):
        for name, tolerance in FIELDS.items():
            a, b = want[key].get(name), got[key].get(name)
            if not _same(a, b, tolerance):
                found.append((key, name, a, b))
    return found


def _same(a: Any, b: Any, tolerance: float) -> bool:
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k], tolerance) for k in a)
    if isinstance(a, int | float) and isinstance(b, int | float):
        return abs(a - b) <= tolerance + 1e-9 * max(1.0, abs(a))
    return a == b
