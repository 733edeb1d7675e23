"""Two academic years of ВПР and ОГЭ results for the demo district (the demo's years, the
two latest completed school years: services/demo/years.py), deterministic.

Built on the same per-school strength as the synthetic data values, so the same schools are
weaker everywhere: more "2"s, fewer "4"s and "5"s, lower scores, and (where marking is less
objective) more journal marks raised above the result.

Two town schools without a role in the participants' data stand out (`standouts`), for the
analysis' objectivity signs (GET /v1/analysis/objectivity): `not_confirmed_by_gia`, the
mathematics ВПР of grade 8 high in the first year and the same pupils' ОГЭ a year later low
(asked with the first year, e.g. year=2025/2026); `sudden_rise`, the mathematics ВПР of grade 6
far higher in the second year than in the first (asked with the second year). The participants'
data's resilient school (the least favourable context) writes every paper as well as the
gymnasium (`RESILIENT_STRENGTH`), so its mean result is at the top of the district.
"""

import random
from datetime import date
from typing import Any

import httpx

from services.demo.indicators import SEED, School, _clamp, _schools
from services.demo.participants import roles
from services.demo.years import demo_years

SUBJECTS = ("Математика", "Русский язык")
PAPERS = [("vpr", grade) for grade in range(4, 9)] + [("oge", 9)]
# The standouts' strength changed: role -> {(procedure, grade, subject, year index): change}.
STANDOUTS = {
    "not_confirmed_by_gia": {("vpr", 8, "Математика", 0): 0.25, ("oge", 9, "Математика", 1): -0.2},
    "sudden_rise": {("vpr", 6, "Математика", 1): 0.45},
}
RESILIENT_STRENGTH = 0.2  # the resilient school's strength in every paper, like a gymnasium


def standouts(organizations: list[dict[str, Any]]) -> dict[str, School]:
    """The school of each of STANDOUTS: the town СОШ (by name) with no role in the
    participants' data, in turn."""
    taken = {school.id for school in roles(organizations).values()}
    free = [
        s
        for s in _schools(organizations)
        if s.id not in taken and not s.weak and not s.rural and "СОШ" in s.name
    ]
    return dict(zip(STANDOUTS, free, strict=False))


def _marks(participants: int, strength: float, rng: random.Random) -> dict[str, int]:
    """Counts of 2, 3, 4, 5 that add up to the participants."""
    two = _clamp(0.1 - 0.35 * strength + rng.gauss(0, 0.02), 0.0, 0.45)
    top = _clamp(0.45 + 0.9 * strength + rng.gauss(0, 0.04), 0.05, 0.9)
    five = top * _clamp(0.3 + 0.4 * strength, 0.1, 0.6)
    counts = {
        "2": round(participants * two),
        "4": round(participants * (top - five)),
        "5": round(participants * five),
    }
    counts["3"] = max(0, participants - sum(counts.values()))
    counts["4"] = participants - counts["2"] - counts["3"] - counts["5"]
    return {k: counts[k] for k in ("2", "3", "4", "5")}


def _result(
    school: School,
    procedure: str,
    grade: int,
    subject: str,
    year: tuple[int, str],
    maximum: int,
    lift: float = 0.0,
) -> dict[str, Any]:
    """One school's result of one paper; `year` is (its index in the demo's years, its code)."""
    year_index, year_code = year
    rng = random.Random(f"{SEED}:{school.name}:{procedure}:{grade}:{subject}:{year_index}")
    students = school.base["students"][year_index]
    participants = max(3, round(students / 11 * rng.uniform(0.85, 0.97)))
    strength = school.strength + 0.03 * year_index * (
        1 if school.weak else 0
    )  # weak schools improve
    strength += lift
    marks = _marks(participants, strength, rng)
    mean = _clamp(maximum * (0.58 + 0.55 * strength + rng.gauss(0, 0.03)), 1, maximum - 0.5)
    raised = round(participants * _clamp(0.06 - 0.25 * strength + rng.gauss(0, 0.02), 0, 0.4))
    lowered = round(participants * _clamp(0.04 + rng.gauss(0, 0.01), 0, 0.2))
    return {
        "organization_id": school.id,
        "procedure": procedure,
        "year": year_code,
        "subject": subject,
        "grade": grade,
        "participants": participants,
        "marks": marks,
        "mean_score": round(mean, 2),
        "lowered": lowered,
        "raised": raised,
        "confirmed": max(0, participants - lowered - raised),
    }


def synthetic_results(
    organizations: list[dict[str, Any]], maxima: dict[tuple, int], years: tuple[str, str]
) -> list[dict]:
    """Every school × year of `years` (the demo's two) × paper × subject that the catalogue
    has a maximum for."""
    results = []
    changes = {school.id: STANDOUTS[role] for role, school in standouts(organizations).items()}
    resilient = roles(organizations)["resilient"].id
    for school in _schools(organizations):
        raised = RESILIENT_STRENGTH - school.strength if school.id == resilient else 0.0
        for year_index, year in enumerate(years):
            for procedure, grade in PAPERS:
                for subject in SUBJECTS:
                    maximum = maxima.get((procedure, subject, grade))
                    if maximum:
                        key = (procedure, grade, subject, year_index)
                        lift = changes.get(school.id, {}).get(key, 0.0) + raised
                        results.append(
                            _result(
                                school,
                                procedure,
                                grade,
                                subject,
                                (year_index, year),
                                maximum,
                                lift,
                            )
                        )
    return results


async def load_results(
    client: httpx.AsyncClient, organizations: list[dict[str, Any]], today: date
) -> int:
    """Post the results of `today`'s demo years through POST /v1/assessment-results; how many
    were stored."""
    catalogue = (await client.get("/v1/assessment-procedures")).json()
    maxima = {
        (p["code"], s["subject"], s["grade"]): s["max_primary_score"]
        for p in catalogue["items"]
        for s in p["subjects"]
    }
    results = synthetic_results(organizations, maxima, demo_years(today))
    answer = await client.post("/v1/assessment-results", json={"results": results})
    summary = answer.json()
    if answer.status_code != 200 or summary["rejected"]:
        raise RuntimeError(f"demo: assessment results refused: {answer.text[:1000]}")
    return summary["imported"] + summary["updated"] + summary["unchanged"]
