"""The demo's indicators: the real definitions of the seed roadmaps, and synthetic school data.

`indicators.json` holds the indicators that the roadmaps of seeds 001 and 002 define, in the
format of `POST /v1/indicators`, each with a `roadmap` key naming its source (`{"seed": "001"}`,
`{"seed": "002", "number": "2.1"}`); the key is replaced by the matching `roadmap_ids` when the
definitions are posted. `synthetic_values` invents two academic years (the demo's, the two latest
completed school years: services/demo/years.py) of every `data_value` indicator for every
school of the demo district, deterministically.
"""

import json
import random
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx

from services.demo.years import demo_years

DEFINITIONS = Path(__file__).with_name("indicators.json")
SEED = 2026
MAX_BATCH = 10_000  # POST /v1/data-values takes at most this many values at once
WEAK_SCHOOLS = 3

# Where a roadmap was imported from: `source` is "import: 002_ef83121412ee901b.txt".
_SEED_RE = re.compile(r"(?<!\d)(\d{3})_[0-9a-f]+\.txt")
# Its number in the title: «дорожная карта» 1.1., ("дорожная карта" 2.3), «дорожной карты» 2.4.
_NUMBER_RE = re.compile(r"карт[аы]\W{0,3}(\d\.\d)(?!\d)")
# When a document lost its number in the title, the plan is found by its subject. Seed 002's
# plan 1.2 is titled «План мероприятий («дорожная карта») по внедрению системы работы с
# общеобразовательными организациями с низкими образовательными результатами…».
_TITLE_HINTS = {
    "1.1": "подготовки обучающихся",
    "1.2": "низкими образовательными результатами",
    "1.3": "способностей и талантов",
    "1.4": "профессиональной ориентации",
    "2.1": "объективности",
    "2.2": "эффективности руководителей",
    "2.3": "дополнительного профессионального образования",
    "2.4": "методической работы",
    "2.5": "воспитания и социализации",
}
# Without a `source`, the seed is recognised by its title.
_SEED_TITLE_HINTS = {
    "001": "цифровых технологий для проведения оценочных процедур",
    "002": "Демонстрационном муниципальном районе",
}


def definitions() -> list[dict[str, Any]]:
    """The definitions of indicators.json, each still with its `roadmap` key, in posting order."""
    return json.loads(DEFINITIONS.read_text(encoding="utf-8"))


# --- linking to the imported roadmaps ---------------------------------------------------------


def _seed_of(roadmap: dict[str, Any]) -> str | None:
    if match := _SEED_RE.search(roadmap.get("source") or ""):
        return match[1]
    for seed, hint in _SEED_TITLE_HINTS.items():
        if hint in roadmap["title"]:
            return seed
    return None


def roadmap_index(roadmaps: list[dict[str, Any]]) -> dict[tuple[str, str | None], list[str]]:
    """Roadmap ids by (seed, number); (seed, None) lists every roadmap of a seed."""
    index: dict[tuple[str, str | None], list[str]] = defaultdict(list)
    unnumbered: list[tuple[str, dict[str, Any]]] = []
    for roadmap in roadmaps:
        seed = _seed_of(roadmap)
        if seed is None:
            continue
        index[(seed, None)].append(roadmap["id"])
        if match := _NUMBER_RE.search(roadmap["title"]):
            index[(seed, match[1])].append(roadmap["id"])
        else:
            unnumbered.append((seed, roadmap))
    for number, hint in _TITLE_HINTS.items():
        if ("002", number) not in index:
            found = [r["id"] for s, r in unnumbered if s == "002" and hint in r["title"]]
            if found:
                index[("002", number)] = found
    return dict(index)


def roadmap_ids(
    source: dict[str, Any], index: dict[tuple[str, str | None], list[str]]
) -> list[str]:
    """The ids of the roadmaps a definition's `roadmap` key names; an error if one is missing."""
    seed = source["seed"]
    numbers = source.get("number")
    wanted = [None] if numbers is None else [numbers] if isinstance(numbers, str) else numbers
    ids: list[str] = []
    for number in wanted:
        found = index.get((seed, number))
        if not found:
            what = f"seed {seed}" + (f", roadmap {number}" if number else "")
            raise RuntimeError(f"demo: no imported roadmap for {what}")
        ids.extend(i for i in found if i not in ids)
    return ids


async def load_indicators(
    client: httpx.AsyncClient, also: dict[str, list[str]] | None = None
) -> list[dict[str, Any]]:
    """Post every definition, linked to its imported roadmaps and to the roadmaps `also` names
    by its code (roadmap ids); returns the created indicators."""
    answer = await client.get("/v1/roadmaps", params={"limit": 500})
    if answer.status_code != 200:
        raise RuntimeError(f"demo: GET /v1/roadmaps answered {answer.status_code}: {answer.text}")
    index = roadmap_index(answer.json()["items"])
    created = []
    for entry in definitions():
        body = {key: value for key, value in entry.items() if key != "roadmap"}
        body["roadmap_ids"] = roadmap_ids(entry["roadmap"], index) + (also or {}).get(
            entry["code"], []
        )
        answer = await client.post("/v1/indicators", json=body)
        if answer.status_code != 201:
            raise RuntimeError(
                f"demo: POST /v1/indicators ({entry['code']}) answered {answer.status_code}: "
                f"{answer.text}"
            )
        created.append(answer.json())
    return created


# --- synthetic data values --------------------------------------------------------------------


@dataclass(frozen=True)
class School:
    id: str
    name: str
    rural: bool
    weak: bool
    strength: float  # about -0.45 (weak rural school) .. +0.2 (gymnasium, lyceum)
    base: dict[str, tuple[int, int]]  # sizes per year: students, teachers, ...


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def _schools(organizations: list[dict[str, Any]]) -> list[School]:
    """The schools, sorted by name, each with its strength and sizes (independent of order)."""
    found = sorted((o for o in organizations if o["kind"] == "school"), key=lambda o: o["name"])
    by_index = sorted(found, key=lambda o: (o["context"].get("social_index", 50.0), o["name"]))
    lower_half = [o["name"] for o in by_index[: len(by_index) // 2]]
    rng = random.Random(f"{SEED}:weak")
    weak = set(rng.sample(lower_half, min(WEAK_SCHOOLS, len(lower_half))))
    schools = []
    for org in found:
        context = org["context"]
        rural = bool(context.get("rural", False))
        rng = random.Random(f"{SEED}:{org['name']}:base")
        strength = (
            -0.08 * rural
            + (float(context.get("social_index", 55.0)) - 55.0) / 300.0
            - 0.25 * (org["name"] in weak)
            + 0.1 * any(word in org["name"] for word in ("Гимназия", "Лицей"))
            + rng.gauss(0, 0.04)
        )
        students = int(context.get("students") or (140 if rural else 700))
        students_2 = max(1, round(students * (1 + rng.gauss(0.01, 0.02))))
        ratio = rng.uniform(8.5, 10.5) if rural else rng.uniform(15.0, 18.0)
        teachers = max(4, round(students / ratio))
        procedures = rng.randint(14, 20) if rural else rng.randint(24, 34)
        share_5_11 = rng.uniform(0.5, 0.56)
        deputies = 1 if students < 500 else 2
        base = {
            "students": (students, students_2),
            "teachers": (teachers, max(4, teachers + rng.choice((-1, 0, 0, 1)))),
            "students_5_11": (round(students * share_5_11), round(students_2 * share_5_11)),
            "deputies": (deputies, deputies),
            "procedures": (procedures, max(1, procedures + rng.randint(-2, 2))),
        }
        schools.append(School(org["id"], org["name"], rural, org["name"] in weak, strength, base))
    return schools


Pair = tuple[Any, Any]
Generator = Callable[[School, random.Random], Pair]


def flag(base: float, k: float = 1.0) -> Generator:
    """«Наличие …»: more likely in stronger schools; once there it mostly stays."""

    def make(school: School, rng: random.Random) -> Pair:
        first = rng.random() < _clamp(base + k * school.strength, 0.02, 0.99)
        if first:
            second = rng.random() < 0.98
        else:
            second = rng.random() < _clamp(0.3 + school.strength, 0.05, 0.8)
        return first, second

    return make


def percent(base: float, k: float, noise: float, drift: float) -> Generator:
    """A school's percent: base + k × strength, a little noise, a small change next year."""

    def make(school: School, rng: random.Random) -> Pair:
        first = _clamp(base + k * school.strength + rng.gauss(0, noise), 0, 100)
        second = _clamp(first + drift + rng.gauss(0, 1.5), 0, 100)
        return round(first, 1), round(second, 1)

    return make


def size(of: str) -> Generator:
    """A size of the school itself (teachers, pupils of grades 5–11, procedures held)."""

    def make(school: School, rng: random.Random) -> Pair:
        return school.base[of]

    return make


def part(
    of: str,
    rate: float,
    k: float,
    noise: float,
    drift: float,
    weak_rate: float | None = None,
    cumulative: bool = False,
) -> Generator:
    """How many of a school's `of` (teachers, pupils…) have something: never more than all."""

    def make(school: School, rng: random.Random) -> Pair:
        start = weak_rate if school.weak and weak_rate is not None else rate + k * school.strength
        rates = [_clamp(start + rng.gauss(0, noise), 0, 1)]
        rates.append(_clamp(rates[0] + drift + rng.gauss(0, 0.02), 0, 1))
        counts = []
        for year, share in enumerate(rates):
            total = school.base[of][year]
            if total <= 5:
                counts.append(sum(rng.random() < share for _ in range(total)))
            else:
                counts.append(round(total * share))
        if cumulative:
            counts[1] += counts[0]
        return counts[0], counts[1]

    return make


SYNTHETIC: dict[str, Generator] = {
    # seed 001: digital technologies in assessment (cluster criteria, "90% ОО кластера")
    "e_planning_used": flag(0.8),
    "kim_catalog_internal": flag(0.7),
    "dt_personal_results": flag(0.55),
    "dt_metasubject_kim": flag(0.6),
    "dt_subject_assessment": flag(0.8),
    "dt_internal_results_analysis": flag(0.85),
    "class_e_portfolio": flag(0.5),
    "dt_self_evaluation": flag(0.7),
    "kim_catalog_external": flag(0.65),
    "dt_external_results_analysis": flag(0.8),
    "dt_nok_materials": flag(0.6),
    # seed 002
    "teachers_count": size("teachers"),
    "aop_internal_assessment": flag(0.85),
    "olympiad_preparation_system": flag(0.7, k=1.5),
    "school_failure_roadmap": flag(0.9),
    # methodological support goes to the low-results schools first
    "low_results_teachers_supported": part("teachers", 0.35, 0.0, 0.08, 0.05, weak_rate=0.8),
    "students_grades_5_11": size("students_5_11"),
    "gifted_events_students": part("students_5_11", 0.13, 0.25, 0.03, 0.01),
    "teachers_gifted_training": part("teachers", 0.75, 0.5, 0.08, 0.05),
    "career_guidance_rooms": flag(0.6),
    "proektoria_participants": part("students", 0.22, 0.4, 0.05, 0.02),
    "ticket_to_future_recommendations": part(
        "students_5_11", 0.07, 0.1, 0.015, 0.0, cumulative=True
    ),
    "internal_quality_system": flag(0.99, k=0.3),  # required by law: nearly everywhere
    "assessment_local_act": flag(0.92),
    "conflict_of_interest_officer": flag(0.93),
    "federal_procedures_held": size("procedures"),
    "federal_procedures_observed": part("procedures", 0.9, 0.4, 0.05, 0.03, weak_rate=0.6),
    "teachers_pd_individual_route": part("teachers", 0.2, 0.3, 0.05, 0.03),
    "internship_site": flag(0.2, k=2.0),
    "teachers_qualified": part("teachers", 0.68, 0.4, 0.06, 0.02),
    "deputies_upbringing": size("deputies"),
    "deputies_upbringing_trained": part("deputies", 0.12, 0.4, 0.04, 0.03),
    "teachers_upbringing_trained": part("teachers", 0.11, 0.2, 0.03, 0.02),
    "upbringing_program": flag(0.99, k=0.3),  # required by law since 1 September 2021
    "extracurricular_coverage": percent(86, 40, 4, 1),
    "additional_education_coverage": percent(63, 70, 6, 1.5),
    "volunteer_association": flag(0.8),
    "risk_group_additional_education": percent(70, 60, 8, 2),
}
# For a data_value indicator added to indicators.json without its own model above.
FALLBACK: dict[str, Generator] = {
    "boolean": flag(0.75),
    "percent": percent(70, 40, 6, 1),
    "number": part("students", 0.1, 0.1, 0.03, 0.0),
}


def _within(value: Any, params: dict[str, Any]) -> Any:
    """The value inside the indicator's own min/max (booleans as they are)."""
    if isinstance(value, bool):
        return value
    low, high = params.get("min"), params.get("max")
    if params.get("value_type") == "percent":
        low = 0 if low is None else max(low, 0)
        high = 100 if high is None else min(high, 100)
    if low is not None and value < low:
        value = type(value)(low)
    if high is not None and value > high:
        value = type(value)(high)
    return value


def synthetic_values(organizations: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    """The demo's two academic years (`demo_years(today)`) of every data_value indicator for
    every school, always the same (whatever `today`, but for the years' codes).

    Rural schools and those with a low `context.social_index` are somewhat weaker, three
    schools of the lower half by social index clearly weaker; a year changes little."""
    data_value = [d for d in definitions() if d["method"] == "data_value"]
    values = []
    for school in _schools(organizations):
        for indicator in data_value:
            code, params = indicator["code"], indicator["params"]
            make = SYNTHETIC.get(code) or FALLBACK[params["value_type"]]
            pair = make(school, random.Random(f"{SEED}:{school.name}:{code}"))
            for period, value in zip(demo_years(today), pair, strict=True):
                values.append(
                    {
                        "indicator_code": code,
                        "organization_id": school.id,
                        "period": period,
                        "value": _within(value, params),
                    }
                )
    return values


async def list_organizations(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    """Every organization the client may read (the demo district has 28)."""
    answer = await client.get("/v1/organizations", params={"limit": 500})
    if answer.status_code != 200:
        raise RuntimeError(
            f"demo: GET /v1/organizations answered {answer.status_code}: {answer.text}"
        )
    return answer.json()["items"]


async def load_values(
    client: httpx.AsyncClient, organizations: list[dict[str, Any]], today: date
) -> dict[str, Any]:
    """Post the synthetic values of `today`'s demo years in batches; the summed summary, or an
    error if any is refused."""
    values = synthetic_values(organizations, today)
    summary: dict[str, Any] = {
        "total": len(values),
        "imported": 0,
        "updated": 0,
        "unchanged": 0,
        "rejected": [],
    }
    for start in range(0, len(values), MAX_BATCH):
        answer = await client.post(
            "/v1/data-values", json={"values": values[start : start + MAX_BATCH]}
        )
        if answer.status_code != 200:
            raise RuntimeError(
                f"demo: POST /v1/data-values answered {answer.status_code}: {answer.text}"
            )
        part_summary = answer.json()
        for key in ("imported", "updated", "unchanged"):
            summary[key] += part_summary[key]
        summary["rejected"] += [
            {**r, "index": start + r["index"]} for r in part_summary["rejected"]
        ]
    if summary["rejected"]:
        first = summary["rejected"][:3]
        raise RuntimeError(
            f"demo: {len(summary['rejected'])} data values rejected, the first: "
            f"{json.dumps(first, ensure_ascii=False)}"
        )
    return summary
