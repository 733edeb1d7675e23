"""ВПР participants' results by task for the demo district: two academic years (the demo's,
the two latest completed school years: services/demo/years.py), two papers, every school,
deterministic (seeded), with five schools that show what the analysis looks for.

The papers are ВПР Russian, grade 4, and mathematics, grade 5, under the task specifications
of the demo's years (`demo_specifications`): the catalogue's own where it has one with a mark
scale (the shipped Russian of 2025/2026 when that is a demo year), else the demo's own: Russian
keeps the tasks and the mark scale of the shipped 2025/2026 specification; mathematics is
invented, with task levels. Both say in their `source` that they are demo data, not official
specifications.

Five schools are made to stand out (`roles`):
- `boundary_spike`: pupils just under a mark's minimum score are lifted to exactly that score;
- `inverted_profile`: mathematics' advanced and high tasks done better than the basic ones;
- `journal_mismatch`: half the journal marks differ from the paper's (most of them higher);
- `low_results`: a weak school, many "2"s in both years;
- `resilient`: the school with the least favourable context (lowest `social_index`) that is not
  a weak one, with results at the top of the district.
The other schools get a few pupils each, with results following their strength.
"""

import random
from datetime import date
from typing import Any

import httpx

from services.demo.calls import bounded
from services.demo.indicators import SEED, School, _clamp, _schools
from services.demo.years import demo_years

RUSSIAN, MATHEMATICS = ("Русский язык", 4), ("Математика", 5)
PAPERS = (RUSSIAN, MATHEMATICS)
FEATURED = ORDINARY = 12  # participants per school and paper (the analysis reads 10 and more)
SHIPPED_YEAR = "2025/2026"  # of the shipped specification of Russian, grade 4
DEMO_NOTE = "Демонстрационная спецификация демо-данных Soko, не официальная спецификация ФИОКО"
# Mathematics, grade 5 (demo): 8 basic tasks (10 points), 3 advanced (6), 2 high (4); 20 points
# like the catalogue's maximum.
MATH_TASKS = [
    *(
        {"number": str(n), "max_score": m, "level": "basic"}
        for n, m in enumerate((1, 1, 1, 1, 2, 1, 2, 1), start=1)
    ),
    *({"number": str(n), "max_score": 2, "level": "advanced"} for n in (9, 10, 11)),
    *({"number": str(n), "max_score": 2, "level": "high"} for n in (12, 13)),
]
MATH_SCALE = [(2, 0), (3, 5), (4, 10), (5, 15)]
ROLES = ("boundary_spike", "inverted_profile", "journal_mismatch", "low_results", "resilient")


Spec = dict[str, Any]  # {"tasks": [{number, max_score, level}], "scale": [(mark, min)]}


async def _catalogued(client: httpx.AsyncClient, paper: tuple[str, int], year: str) -> list:
    """The catalogue's latest specifications of ВПР `paper` (subject, grade) of `year`."""
    params = {"procedure": "vpr", "year": year, "subject": paper[0], "grade": paper[1]}
    answer = await client.get("/v1/assessment-tasks", params=params)
    if answer.status_code != 200:
        raise RuntimeError(f"demo: GET /v1/assessment-tasks answered {answer.text[:1000]}")
    return answer.json()["items"]


def _spec(item: dict[str, Any]) -> Spec:
    """A catalogue entry as the participants are made by: its tasks and scale."""
    return {
        "tasks": [{k: t[k] for k in ("number", "max_score", "level")} for t in item["tasks"]],
        "scale": [(s["mark"], s["min_score"]) for s in item["mark_scale"]],
    }


async def demo_specifications(
    client: httpx.AsyncClient, years: tuple[str, str]
) -> dict[tuple[tuple[str, int], str], Spec]:
    """The specification of each paper in each of `years` by (paper, year): the catalogue's
    where it has one with a mark scale (not posted again, so a shipped one stays the latest
    version), else the demo's own, posted."""
    (russian,) = await _catalogued(client, RUSSIAN, SHIPPED_YEAR)
    own = {
        RUSSIAN: _spec(russian)
        | {
            "source": f"{DEMO_NOTE}: задания и шкала ВПР 2026 (спецификация 2025/2026), "
            "перенесённые на годы демо-данных"
        },
        MATHEMATICS: {
            "tasks": MATH_TASKS,
            "scale": MATH_SCALE,
            "source": f"{DEMO_NOTE}: задания, уровни и шкала придуманы для демонстрации",
        },
    }
    specs = {}
    for (subject, grade), spec in own.items():
        for year in years:
            catalogued = await _catalogued(client, (subject, grade), year)
            found = [i for i in catalogued if i["mark_scale"]]
            if found:
                specs[((subject, grade), year)] = _spec(found[0])
                continue
            body = {
                "procedure": "vpr",
                "year": year,
                "subject": subject,
                "grade": grade,
                "tasks": spec["tasks"],
                "mark_scale": [{"mark": m, "min_score": s} for m, s in spec["scale"]],
                "source": spec["source"],
            }
            answer = await client.post("/v1/assessment-tasks", json=body)
            if answer.status_code not in (200, 201):
                raise RuntimeError(f"demo: task specification refused: {answer.text[:1000]}")
            specs[((subject, grade), year)] = spec
    return specs


def roles(organizations: list[dict[str, Any]]) -> dict[str, School]:
    """The school of each of `ROLES`, chosen by a fixed rule from the district."""
    schools = _schools(organizations)
    social = {o["id"]: float(o["context"].get("social_index", 50.0)) for o in organizations}
    weak = sorted((s for s in schools if s.weak), key=lambda s: s.strength)
    others = [s for s in schools if not s.weak]
    resilient = min(others, key=lambda s: (social[s.id], s.name))
    plain = [s for s in others if s is not resilient and not s.rural and "СОШ" in s.name]
    return {
        "boundary_spike": plain[0],
        "inverted_profile": plain[1],
        "journal_mismatch": plain[2],
        "low_results": weak[0],
        "resilient": resilient,
    }


def _mark(total: int, scale: list[tuple[int, int]]) -> int:
    return max(mark for mark, low in scale if total >= low)


def _lift_to_boundary(scores: dict[str, int], tasks: list[dict], scale) -> None:
    """A total one or two points under a mark's minimum (3 and above) lifted to that minimum."""
    total = sum(scores.values())
    for _, low in scale[1:]:
        if low - 2 <= total < low:
            for task in tasks:
                while total < low and scores[task["number"]] < task["max_score"]:
                    scores[task["number"]] += 1
                    total += 1
            return


def task_hardness(paper: tuple[str, int], tasks: list[dict]) -> dict[str, float]:
    """How much harder than average each task is, the same in every school (what makes a
    district's task profile): tasks without a level differ by up to ±0.2 in the chance of a
    point; a task with a level is as hard as its level says."""
    rng = random.Random(f"{SEED}:hardness:{paper[0]}:{paper[1]}")
    return {task["number"]: round(rng.uniform(-0.2, 0.2), 2) for task in tasks}


def school_participants(
    school: School, role: str | None, paper: tuple[str, int], year_index: int, spec: dict
) -> list[dict[str, Any]]:
    """One school's participants of one paper and year (the body's `participants`)."""
    subject, grade = paper
    rng = random.Random(f"{SEED}:participants:{school.name}:{subject}:{grade}:{year_index}")
    ability = {"low_results": 0.15, "resilient": 0.85}.get(role, 0.62 + school.strength)
    tasks, scale = spec["tasks"], spec["scale"]
    hardness = task_hardness(paper, tasks)
    found = []
    for k in range(FEATURED if role else ORDINARY):
        pupil = _clamp(ability + rng.gauss(0, 0.12), 0.05, 0.97)
        scores = {}
        for task in tasks:
            chance = {"basic": pupil + 0.1, "advanced": pupil - 0.1, "high": pupil - 0.25}.get(
                task["level"], pupil - hardness[task["number"]]
            )
            if role == "inverted_profile" and task["level"]:
                chance = 0.35 if task["level"] == "basic" else 0.85
            chance = _clamp(chance, 0.02, 0.98)
            scores[task["number"]] = sum(rng.random() < chance for _ in range(task["max_score"]))
        if role == "boundary_spike":
            _lift_to_boundary(scores, tasks, scale)
        mark = _mark(sum(scores.values()), scale)
        journal = mark if rng.random() < 0.85 else mark + rng.choice((-1, 1))
        if role == "journal_mismatch" and k % 2 == 0:
            journal = mark + (1 if k % 6 else -1)  # most journal marks above the paper's
        found.append(
            {
                "code": f"{grade}{year_index}-{k + 1:03d}",
                "class_label": f"{grade}{'АБ'[k % 2]}",
                "variant": 1 + k % 2,
                "task_scores": scores,
                "journal_mark": int(_clamp(journal, 2, 5)),
            }
        )
    return found


def synthetic_participants(
    organizations: list[dict[str, Any]],
    specs: dict[tuple[tuple[str, int], str], Spec],
    years: tuple[str, str],
) -> list[dict[str, Any]]:
    """The bodies of POST /v1/assessment-results/participants: every school × paper × year of
    `years` (the demo's two), under `specs` by (paper, year)."""
    role_of = {school.id: role for role, school in roles(organizations).items()}
    bodies = []
    for school in _schools(organizations):
        for year_index, year in enumerate(years):
            for paper in PAPERS:
                found = school_participants(
                    school, role_of.get(school.id), paper, year_index, specs[(paper, year)]
                )
                bodies.append(
                    {
                        "organization_id": school.id,
                        "procedure": "vpr",
                        "year": year,
                        "subject": paper[0],
                        "grade": paper[1],
                        "participants": found,
                    }
                )
    return bodies


async def load_participants(
    client: httpx.AsyncClient, organizations: list[dict[str, Any]], today: date
) -> int:
    """Post the specifications and every school's participants of `today`'s demo years; how
    many participants."""
    years = demo_years(today)
    specs = await demo_specifications(client, years)

    async def posted(body: dict[str, Any]) -> int:
        answer = await client.post("/v1/assessment-results/participants", json=body)
        summary = answer.json()
        if answer.status_code != 200 or summary["rejected"]:
            raise RuntimeError(f"demo: participants refused: {answer.text[:1000]}")
        return summary["imported"] + summary["updated"] + summary["unchanged"]

    return sum(await bounded(synthetic_participants(organizations, specs, years), posted))
