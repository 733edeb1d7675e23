"""The PD order as read by those who may not read teachers' personal results (analysts,
viewers): a school with fewer diagnosed teachers than the disclosure minimum shows its seats
only to the methodologists (and administrators); for everyone else it is folded into one line,
«другие организации», so that the totals still add up. No I/O.

Which schools are folded is decided by shared/disclosure.withhold() over the territory and
the territories inside it: the folded line is itself the territory's total minus the schools
shown, so it must cover no one or at least the minimum of diagnosed teachers; a smaller school
would be singled out by it, and so one more school is folded where needed. A territory with
fewer diagnosed teachers in all than the minimum shows no order at all.

A school's seats also tell individual results when it has enough teachers: 5 seats of a
programme over its 5 diagnosed teachers tells every one of them that each colleague needs
it (0 of 5 that none does, 4 of 5 read by the fifth the same). So, as the shares of teachers
with a deficit are (shared/disclosure.withhold_sides, the threshold on complementary cells),
a school is folded too unless every per-school yes/no figure shown of it has at least
SIDE_MINIMUM teachers on each side: per programme of the order, its teachers routed to it
and its diagnosed teachers not routed to it (a programme the school is absent from is a
zero the reader sees by its absence: 0 of 5 is folded as 5 of 5 is), and its teachers with
a route and those without. The folded line is the territory's total minus the schools shown,
so it needs as many on each side too (or nobody): more schools are folded where it has not.

The territories are those drawn when the diagnostics were launched (each organization's, as
the first diagnostic of the period reaching it kept them: shared/disclosure.as_launched), not
as they are now: an analyst who makes a territory of a folded school and a shown one, or moves
schools between territories, after reading the order, and reads that territory's order, would
get the folded school's seats as its total minus the shown school's. A territory drawn or
redrawn since is shown only when none of its schools is folded (its order is then a sum of
schools shown anyway), otherwise not at all (`reason: "difference"`); nor is one a school with
diagnosed teachers has been moved out of since (diagnostics.launches): read before and after the
move, its orders would differ by that school, and the schools left would be decided anew.

Nor while a diagnostic of the period still takes answers: the order read before and after one
teacher's submission (and the methodologist's next build) would differ by that teacher's
seats. It is shown once every diagnostic of the period reaching the territory has closed and
published its figures (shared/disclosure.py), and only as built after that: routes built
while a diagnostic was open would, rebuilt, differ from it by whoever answered after them.
"""

import uuid
from typing import Any

from services.reports.clients.models import OrganizationFacts
from shared.disclosure import (
    BELOW_MINIMUM,
    CAMPAIGN_OPEN,
    DIFFERENCE,
    Withheld,
    as_launched,
    withhold,
    withhold_sides,
)

OTHER = "другие организации"
BUILT_WHILE_OPEN = "built_while_open"
SURVEYS_UNAVAILABLE = "surveys_unavailable"
# Why the whole order is withheld (`reason`), and what the reader is told.
WITHHELD = {
    BELOW_MINIMUM: "План-заказ не показан: диагностику прошли меньше {minimum} педагогов "
    "территории, и места по программам раскрыли бы их персональные результаты. "
    "Его видят методисты.",
    DIFFERENCE: "План-заказ этой территории не показан: её состав изменился после запуска "
    "диагностики периода, и вместе с уже показанными данными он раскрыл бы персональные "
    "результаты педагогов. Его видят методисты; план-заказ территорий в их составе на время "
    "запуска диагностики показывается как обычно.",
    CAMPAIGN_OPEN: "План-заказ будет показан после закрытия диагностики периода: пока она "
    "идёт, его изменения выдавали бы результаты каждого ответившего педагога. "
    "Его видят методисты.",
    BUILT_WHILE_OPEN: "План-заказ построен, когда диагностика периода ещё шла; он будет "
    "показан, когда методист территории построит его заново по её итогам.",
    SURVEYS_UNAVAILABLE: "Не удалось проверить, закрыта ли диагностика периода, поэтому "
    "план-заказ не показан. Обновите страницу позже.",
}


def _territories(
    organizations: dict[uuid.UUID, OrganizationFacts], territory_id: uuid.UUID
) -> dict[uuid.UUID, set[uuid.UUID]]:
    """The territory and every territory inside it, each with its organizations."""
    groups: dict[uuid.UUID, set[uuid.UUID]] = {territory_id: set(organizations)}
    for org_id, org in organizations.items():
        chain = org.territory_ids
        below = chain[: chain.index(territory_id)] if territory_id in chain else []
        for territory in below:
            groups.setdefault(territory, set()).add(org_id)
    return groups


def _decided_over(
    organizations: dict[uuid.UUID, OrganizationFacts],
    territory_id: uuid.UUID,
    sizes: dict[uuid.UUID, int],
    launched: dict[uuid.UUID, list[uuid.UUID]],
) -> tuple[dict[Any, frozenset[uuid.UUID]], frozenset[uuid.UUID]]:
    """The groups the fold is decided over, and the ad hoc ones (shared.disclosure.as_launched):
    the territories of the organizations with diagnosed teachers as drawn at the launch
    (`launched`; an organization it lacks, as now), and the territory and those inside it
    as they are now. Organizations without diagnosed teachers tell nothing and take no part."""
    diagnosed = {o: org for o, org in organizations.items() if sizes.get(o)}
    at_launch: dict[uuid.UUID, set[uuid.UUID]] = {}
    for org_id, org in diagnosed.items():
        for territory in launched.get(org_id) or org.territory_ids:
            at_launch.setdefault(territory, set()).add(org_id)
    return as_launched(at_launch, _territories(diagnosed, territory_id))


def _fold(rows: list[dict[str, Any]], hidden: frozenset, keys: tuple[str, ...]) -> list[dict]:
    """The rows of shown organizations, then one row summing the hidden ones (if any)."""
    shown = [r for r in rows if r["organization_id"] not in hidden]
    folded = [r for r in rows if r["organization_id"] in hidden]
    if folded:
        other = {"organization_id": None, "name": OTHER}
        shown.append(other | {k: sum(r[k] for r in folded) for k in keys})
    return shown


def _figures(
    order: dict[str, Any], organizations: dict[uuid.UUID, OrganizationFacts], diagnosed: dict
) -> list[dict[uuid.UUID, tuple[int, int]]]:
    """Every per-school yes/no figure the order shows, as (with, without) per organization:
    per programme, teachers routed to it and diagnosed teachers not; teachers with a route
    and diagnosed teachers without one."""

    def sides(counted: dict) -> dict[uuid.UUID, tuple[int, int]]:
        return {
            o: (counted.get(o, 0), max(diagnosed.get(o, 0) - counted.get(o, 0), 0))
            for o in organizations
        }

    figures = [
        sides({r["organization_id"]: r["seats"] for r in p["organizations"]})
        for p in order["programmes"]
    ]
    figures.append(sides({r["organization_id"]: r["teachers"] for r in order["organizations"]}))
    return figures


def _withhold_sides(
    figures: list[dict[uuid.UUID, tuple[int, int]]],
    groups: dict,
    already: Withheld,
    ad_hoc: frozenset[uuid.UUID],
) -> Withheld:
    """`already` and the schools folded so that none of the figures, nor a difference of
    them, tells individual results: each figure's folding is the next one's `already`,
    until no figure folds another school."""
    while True:
        before = already
        for counts in figures:
            already = withhold_sides(counts, groups, already, ad_hoc=ad_hoc)
        if already == before:
            return already


def _withheld(order: dict[str, Any], reason: str, minimum: int) -> dict[str, Any]:
    return order | {
        "suppressed": True,
        "reason": reason,
        "teachers": None,
        "seats": None,
        "programmes": [],
        "organizations": [],
        "uncovered": [],
        # Not even "no deficits": of so few teachers, or of those who answered so far, that
        # is personal too.
        "notes": [WITHHELD[reason].format(minimum=minimum)],
    }


def public_order(
    order: dict[str, Any],
    organizations: dict[uuid.UUID, OrganizationFacts],
    territory_id: uuid.UUID,
    diagnosed: dict[uuid.UUID, int],
    minimum: int,
    withheld: str | None = None,
    launched: dict[uuid.UUID, list[uuid.UUID]] | None = None,
) -> dict[str, Any]:
    """The aggregated order (`teachers`, `seats`, `programmes[].organizations`,
    `organizations`, `uncovered`) with the small schools folded, or withheld whole
    (`suppressed`: counts null, lists empty, a note; `reason`) for the reason `withheld`
    (CAMPAIGN_OPEN, BUILT_WHILE_OPEN, SURVEYS_UNAVAILABLE), or BELOW_MINIMUM when the
    territory itself is small, or DIFFERENCE when it has been drawn since the diagnostics'
    launch and a school of it is folded. Folded: the schools below the minimum, those whose
    seats would tell individual results, and those a difference would give them away by
    (module docstring). `diagnosed`: teachers who took a diagnostic of the period, per
    organization; `launched`: their territory chains as drawn at the launch (absent: as now)."""
    if withheld is not None:
        return _withheld(order, withheld, minimum)
    sizes = {o: diagnosed.get(o, 0) for o in organizations}
    groups, ad_hoc = _decided_over(organizations, territory_id, sizes, launched or {})
    hidden = withhold(sizes, groups, minimum, ad_hoc=ad_hoc)
    if territory_id in hidden.groups:
        small = sum(sizes.values()) < minimum
        return _withheld(order, BELOW_MINIMUM if small else DIFFERENCE, minimum)
    # A territory (or one inside it) of one-sided counts has every school of it folded: each
    # school's counts are within the territory's.
    figures = _figures(order, organizations, diagnosed)
    hidden = _withhold_sides(figures, groups, hidden, ad_hoc)
    if territory_id in ad_hoc and territory_id in hidden.groups:
        return _withheld(order, DIFFERENCE, minimum)
    return order | {
        "organizations": _fold(order["organizations"], hidden.leaves, ("seats", "teachers")),
        "programmes": [
            p | {"organizations": _fold(p["organizations"], hidden.leaves, ("seats",))}
            for p in order["programmes"]
        ],
    }
