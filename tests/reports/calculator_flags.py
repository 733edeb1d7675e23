"""The oracle of `organization_flagged_share`: the share of a group's schools the complex
analysis flags, counted in Python from the analysis endpoints' answers over HTTP (as the user),
as the Calculator counts the other methods from the peers' answers.

A group is ranked as its territory sees it: a territory by `GET /v1/analysis/…?territory_id=`
of itself, a cluster by the smallest territory unit holding all its members. Its schools with a
result in the year are the organizations of kind `school` that the objectivity answer lists
(every organization × paper of the year with a result).
"""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from shared.periods import period_or_invalid
from tests.reports.calculator import CLUSTER, TERRITORY, Unit, Value, _org_coverage, _pct

METHOD = "organization_flagged_share"
Get = Callable[[str, dict[str, Any]], Awaitable[dict[str, Any]]]


def _year(period: str) -> bool:
    return period_or_invalid(period).kind in ("academic_year", "year")


@dataclass
class Flags:
    kinds: dict[uuid.UUID, str]
    territories: dict[uuid.UUID, frozenset[uuid.UUID]]
    # (territory, period) -> organizations with a result in that year (objectivity items)
    with_results: dict[tuple[uuid.UUID, str], set[uuid.UUID]] = field(default_factory=dict)
    # (territory, period, flag, risk) -> organizations flagged
    flagged: dict[tuple[uuid.UUID, str, str, str | None], set[uuid.UUID]] = field(
        default_factory=dict
    )

    def reference(self, unit: Unit) -> uuid.UUID | None:
        if unit.scope_type == TERRITORY:
            return unit.scope_id
        holding = [
            (len(orgs), str(t), t)
            for t, orgs in self.territories.items()
            if unit.organization_ids <= orgs
        ]
        return min(holding)[2] if holding else None

    def share(self, definition: dict[str, Any], unit: Unit, period: str) -> Value | None:
        """The value of a territory or cluster (None for an organization)."""
        if unit.scope_type not in (TERRITORY, CLUSTER):
            return None
        params = definition["params"]
        territory = self.reference(unit)
        results = self.with_results.get((territory, period), set()) if territory else set()
        schools = {
            o for o in unit.organization_ids if self.kinds.get(o) == "school" and o in results
        }
        key = (territory, period, params["flag"], params.get("risk"))
        marked = self.flagged.get(key, set()) & schools  # type: ignore[arg-type]
        n = len(schools)
        return Value(
            _pct(len(marked), n), len(marked) if n else None, n or None, n, _org_coverage(unit, n)
        )


def _ids(items: list[dict[str, Any]], keep: Callable[[dict[str, Any]], bool]) -> set[uuid.UUID]:
    return {uuid.UUID(str(i["organization_id"])) for i in items if keep(i)}


async def every_item(get: Get, path: str, query: dict[str, Any]) -> list[dict[str, Any]]:
    """Every item of a paged analysis answer (`limit`, `offset`, `total`), page by page."""
    items: list[dict[str, Any]] = []
    while True:
        answer = await get(path, {**query, "limit": 500, "offset": len(items)})
        items += answer["items"]
        if not answer["items"] or len(items) >= answer.get("total", len(items)):
            return items


async def fetch_flags(
    get: Get,
    definitions: list[dict[str, Any]],
    units: list[Unit],
    kinds: dict[uuid.UUID, str],
    periods: list[str],
) -> Flags:
    """The analysis answers every flagged-share definition needs, for the territory units
    (each cluster is ranked in one of them) and the periods that are assessment years."""
    territories = {u.scope_id: u.organization_ids for u in units if u.scope_type == TERRITORY}
    flags = Flags(kinds, territories)
    wanted = {(d["params"]["flag"], d["params"].get("risk")) for d in definitions}
    if not wanted:
        return flags
    for territory in sorted(territories, key=str):
        context = None
        for period in [p for p in periods if _year(p)]:
            query = {"territory_id": str(territory), "year": period}
            objectivity = await every_item(get, "/v1/analysis/objectivity", query)
            flags.with_results[(territory, period)] = _ids(objectivity, lambda i: True)
            for flag, risk in sorted(wanted, key=str):
                if flag == "objectivity_risk":
                    risks = ("low", "high") if risk == "low" else ("high",)
                    found = _ids(objectivity, lambda i, r=risks: i["risk"] in r)
                elif flag == "low_results":
                    found = _ids((await get("/v1/analysis/low-results", query))["items"], bool)
                elif flag == "resilient":
                    answer = await get("/v1/analysis/resilient", query)
                    found = _ids(answer["items"], lambda i: i["resilient"])
                else:
                    if context is None:
                        context = await get(
                            "/v1/analysis/context", {"territory_id": str(territory)}
                        )
                    found = _ids(context["items"], lambda i: i["group"] == "unfavourable")
                flags.flagged[(territory, period, flag, risk)] = found
    return flags
