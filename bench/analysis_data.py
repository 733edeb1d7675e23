"""The data of the analysis benchmark: a region of schools, ВПР task specifications, and the
participants each school posts, generated from a per-school strength.

The region (territories, schools with their context data) and ОГЭ summary rows are written
with SQL; the specifications and the participants go through the api service. Everything is
drawn from seeded generators, so two runs with the same flags post the same rows.

The model: a school's strength s ~ N(0, 0.6) (drifting by N(0, 0.15) to the second year); a
pupil's ability a = s + N(0, 1); a point of task k is earned with probability
1 / (1 + exp(d_k − a)), d_k the task's difficulty (basic tasks easy, high ones hard). A
school's social conditions follow its strength loosely (correlation about 0.6), so the context
index and the results are related without being the same. One school in 25 is "lenient": a
pupil one or two points short of mark 3 gets the points (a boundary spike), and the journal
marks of its pupils are kinder.
"""

import json
import math
import random
import uuid
from dataclasses import dataclass

import asyncpg

YEARS = ("2020/2021", "2021/2022")
SUBJECTS = ("Математика", "Русский язык")
GRADES = (4, 5, 6, 7)
PAPERS = tuple((subject, grade) for subject in SUBJECTS for grade in GRADES)
REGION_NAME = "Бенчмарк анализа: регион"
ANALYST = ("analysis@bench.example", "bench-analyst-password-1")
SOURCE = "Бенчмарк: синтетическая спецификация (15 заданий), не федеральная"

# 15 tasks: the maximum score, level and difficulty (in ability units) of each.
MAX_SCORES = (1, 1, 1, 1, 2, 1, 1, 2, 1, 2, 2, 2, 2, 2, 3)  # total 24
LEVELS = ("basic",) * 10 + ("advanced",) * 3 + ("high",) * 2
DIFFICULTY = (-1.6, -1.3, -1.0, -0.8, -0.6, -0.5, -0.3, -0.1, 0.0, 0.2, 0.7, 0.9, 1.1, 1.6, 2.1)
# The minimum primary score of each mark (25, 50 and 75 % of 24).
MARK_SCALE = ((2, 0), (3, 6), (4, 12), (5, 18))
THREE = MARK_SCALE[1][1]


def specification(year: str, subject: str, grade: int) -> dict:
    """The body of POST /v1/assessment-tasks for one paper and year."""
    return {
        "procedure": "vpr",
        "year": year,
        "subject": subject,
        "grade": grade,
        "tasks": [
            {
                "number": str(n + 1),
                "max_score": MAX_SCORES[n],
                "level": LEVELS[n],
                "skill": f"Проверяемое умение {n + 1} ({subject}, {grade} класс)",
            }
            for n in range(len(MAX_SCORES))
        ],
        "mark_scale": [{"mark": mark, "min_score": score} for mark, score in MARK_SCALE],
        "source": SOURCE,
    }


def mark_of(total: int) -> int:
    return max(mark for mark, score in MARK_SCALE if total >= score)


@dataclass
class School:
    id: uuid.UUID
    number: int
    strength: float  # the first year's; the second drifts from it
    drift: float
    lenient: bool

    def strength_in(self, year: str) -> float:
        return self.strength + (self.drift if year == YEARS[1] else 0.0)


def schools_of(region: uuid.UUID, count: int) -> list[School]:
    """The region's schools with their strength (ids as `region` writes them)."""
    rng = random.Random(15)
    return [
        School(
            uuid.uuid5(region, f"school/{n}"),
            n,
            rng.gauss(0, 0.6),
            rng.gauss(0, 0.15),
            rng.random() < 0.04,
        )
        for n in range(count)
    ]


def context_of(school: School, rng: random.Random) -> dict:
    """Context data (OrganizationContext fields and the issue's shares, percent 0–100) worse
    where the school is weaker: social = 0.6 × strength / 0.6 + noise, about N(0, 1)."""
    social = school.strength + rng.gauss(0, 0.8)
    students = 150 + (school.number * 37) % 900

    def share(base: float, slope: float, low: float = 0.0, high: float = 100.0) -> float:
        return round(min(high, max(low, base + slope * social + rng.gauss(0, base / 6))), 1)

    return {
        "students": students,
        "teachers": max(8, students // 14),
        "rural": social < -0.6 and rng.random() < 0.7,
        "disabled_students": round(students * share(4, -1.5, 0, 30) / 100),
        "non_native_speakers": round(students * share(6, -4, 0, 60) / 100),
        "parents_higher_education_share": share(38, 14, 2, 95),
        "single_parent_share": share(22, -6, 2, 70),
        "families_at_risk_share": share(3, -1.5, 0, 30),
    }


async def region(conn: asyncpg.Connection, schools: int, municipalities: int) -> uuid.UUID:
    """A region, its municipalities, its schools with context data and ОГЭ results (grade 9,
    both subjects, both years, a summary row a school)."""
    region_id = uuid.uuid4()
    await conn.execute(
        "INSERT INTO api.territory (id, name, kind) VALUES ($1, $2, 'region')",
        region_id,
        REGION_NAME,
    )
    districts = [uuid.uuid5(region_id, f"municipality/{m}") for m in range(municipalities)]
    await conn.copy_records_to_table(
        "territory",
        schema_name="api",
        columns=["id", "name", "kind", "parent_id"],
        records=[
            (d, f"Бенчмарк: район {m + 1}", "municipality", region_id)
            for m, d in enumerate(districts)
        ],
    )
    rng = random.Random(16)
    found = schools_of(region_id, schools)
    oge = await conn.fetchval("SELECT id FROM api.assessment_procedure WHERE code = 'oge'")
    await conn.copy_records_to_table(
        "organization",
        schema_name="api",
        columns=["id", "name", "kind", "territory_id", "context"],
        records=[
            (
                s.id,
                f"Школа № {s.number + 1}",
                "school",
                districts[s.number % municipalities],
                json.dumps(context_of(s, rng)),
            )
            for s in found
        ],
    )
    await conn.copy_records_to_table(
        "assessment_result",
        schema_name="api",
        columns=[
            "organization_id",
            "procedure_id",
            "year",
            "subject",
            "grade",
            "participants",
            "mark_2",
            "mark_3",
            "mark_4",
            "mark_5",
            "mean_score",
            "source",
        ],
        records=[
            oge_row(s, year, subject, oge, rng)
            for s in found
            for year in YEARS
            for subject in SUBJECTS
        ],
    )
    return region_id


def oge_row(school: School, year: str, subject: str, procedure: uuid.UUID, rng: random.Random):
    """A school's ОГЭ summary: marks from its strength (a lenient school's are not higher)."""
    n = 40 + school.number % 50
    good = 1 / (1 + math.exp(-(school.strength_in(year) + rng.gauss(0, 0.3))))
    m2 = round(n * 0.25 * (1 - good))
    m5 = round(n * 0.35 * good)
    m4 = round((n - m2 - m5) * (0.3 + 0.4 * good))
    mean = round(31 * (0.3 + 0.5 * good), 2)
    return (school.id, procedure, year, subject, 9, n, m2, n - m2 - m4 - m5, m4, m5, mean, "bench")


def participants(school: School, year: str, subject: str, grade: int, pupils: int) -> list[dict]:
    """One school's participants of one paper (the `participants` of the POST body)."""
    rng = random.Random(f"{school.id}/{year}/{subject}/{grade}")
    shift = (0.15 if subject == "Математика" else -0.1) - 0.05 * (grade - 4)
    strength = school.strength_in(year) + shift
    rows = []
    for k in range(pupils):
        ability = strength + rng.gauss(0, 1)
        scores = []
        for top, difficulty in zip(MAX_SCORES, DIFFICULTY, strict=True):
            p = 1 / (1 + math.exp(difficulty - ability))
            scores.append(sum(rng.random() < p for _ in range(top)))
        total = sum(scores)
        if school.lenient and THREE - 2 <= total < THREE:
            total = lift(scores, THREE - total)
        mark = mark_of(total)
        journal = mark + (rng.random() < (0.45 if school.lenient else 0.15))
        journal -= rng.random() < 0.08
        rows.append(
            {
                "code": f"{school.number:04d}-{grade}{k:03d}",
                "class_label": f"{grade}{'АБВ'[k % 3]}",
                "variant": 1 + k % 2,
                "task_scores": {str(n + 1): s for n, s in enumerate(scores)},
                "journal_mark": min(5, max(2, journal)),
            }
        )
    return rows


def lift(scores: list[int], missing: int) -> int:
    """Add `missing` points to the first tasks not at their maximum; the new total."""
    for n, top in enumerate(MAX_SCORES):
        while missing and scores[n] < top:
            scores[n] += 1
            missing -= 1
    return sum(scores)


def copy_record(header: dict, row: dict, specification_id: uuid.UUID, procedure_id: uuid.UUID):
    """The row `api.assessment_participant` stores for a posted participant (for the COPY)."""
    total = sum(row["task_scores"].values())
    return (
        uuid.UUID(header["organization_id"]),
        specification_id,
        procedure_id,
        header["year"],
        header["subject"],
        header["grade"],
        row["code"],
        row["class_label"],
        row["variant"],
        json.dumps(row["task_scores"]),
        total,
        mark_of(total),
        row["journal_mark"],
        "bench",
    )


COPY_COLUMNS = [
    "organization_id",
    "specification_id",
    "procedure_id",
    "year",
    "subject",
    "grade",
    "code",
    "class_label",
    "variant",
    "task_scores",
    "total_score",
    "mark",
    "journal_mark",
    "source",
]
