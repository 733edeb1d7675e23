"""The demo's roadmap execution: the district's plan of the current year and the statuses of
every activity, so that progress, overdue activities and a leader's own ones show.

`current_plan` is a plan of the district for the academic year of `today`, its deadlines
around `today`, each activity naming the schools responsible (the api links them by name),
measured by a few of the demo's indicators (PLAN_INDICATORS, linked as the indicators are
posted). `load_statuses` then marks activities through PATCH /v1/activities/{id}, as people
would: the plan's by its table, the seed roadmaps' seeded by their deadlines: most of those long
past done (some still open: overdue), those due around today in progress, those ahead planned.

`demo_text` is a seed document as the demo imports it: the documents were written for real
districts (Дятьковский район of Брянская область, МО «Кайтагский район»), which the demo names
as its own district and region; and their years move forward so that their latest school year
(2021/2022) is today's (services/demo/years.py), which puts their deadlines around today.
"""

import random
import re
from datetime import date, timedelta
from typing import Any

import httpx

from services.demo.calls import bounded
from services.demo.indicators import SEED
from services.demo.years import shift
from shared.periods import academic_year_of

PLAN_TITLE = "План мероприятий по повышению качества образования в школах района"
GYMNASIUM = "МБОУ «Гимназия № 1»"
RURAL = ("МБОУ «СОШ № 13» с. Каменка", "МБОУ «СОШ № 16» с. Заречье")
# (title, deadline in days from today, status, responsible): two done, two past due and still
# open (overdue), one cancelled, the rest ahead.
PLAN: tuple[tuple[str, int, str, str], ...] = (
    (
        "Анализ результатов ВПР прошлого учебного года в разрезе ОО и классов",
        -75,
        "done",
        f"Отдел образования, ИМЦ, {GYMNASIUM}",
    ),
    (
        "Разработка программ повышения качества образования в школах с низкими результатами",
        -45,
        "done",
        f"Руководители ОО: {RURAL[0]}, {RURAL[1]}",
    ),
    (
        "Методические семинары для учителей математики по заданиям с низким выполнением",
        -20,
        "in_progress",
        f"ИМЦ, {GYMNASIUM}",
    ),
    (
        "Посещение уроков русского языка в школах с низкими результатами",
        -10,
        "planned",
        f"ИМЦ, {RURAL[0]}, {RURAL[1]}",
    ),
    (
        "Анкетирование родителей по анкете НОК УООД и разбор результатов с руководителями ОО",
        20,
        "in_progress",
        "Отдел образования, руководители ОО",
    ),
    ("Районный конкурс проектов учителей-наставников", 30, "cancelled", "ИМЦ"),
    (
        "Пробные работы по математике в 9 классах и их анализ",
        45,
        "planned",
        f"{GYMNASIUM}, {RURAL[0]}, {RURAL[1]}",
    ),
    (
        "Стажировка учителей сельских школ на базе гимназии",
        60,
        "planned",
        f"{GYMNASIUM}, {RURAL[1]}",
    ),
    ("Отчёт о выполнении плана мероприятий", 200, "planned", "Отдел образования"),
)
# The demo's indicators (services/demo/indicators.json) the plan is measured by, besides the
# seed roadmaps they come from: each has values in the current school year, so the plan's
# report shows them.
PLAN_INDICATORS = (
    "vpr_share_2",  # activities 1, 2, 7: the ВПР's and trial papers' analysis
    "low_results_teachers_supported_share",  # 2, 3, 4: the schools with low results
    "teachers_pd_individual_route_share",  # 3, 8: seminars, internships
    "internship_site",  # 8: the gymnasium's internship
)
# The seed roadmaps' activities: the share of each status (the rest stays planned) by where
# the deadline is: ended a month or more ago, around today (or none), ahead.
SEED_STATUSES = {
    "past": (("done", 0.78), ("in_progress", 0.04), ("cancelled", 0.05)),
    "now": (("done", 0.3), ("in_progress", 0.45), ("cancelled", 0.02)),
    "ahead": (("in_progress", 0.12),),
}
# The seeds' own districts and bodies, as the demo names them (longest first).
ATTRIBUTION = (
    ("Дятьковском районе", "Демонстрационном муниципальном районе"),
    ("Дятьковского района", "Демонстрационного муниципального района"),
    ("«Кайтагский район»", "«Демонстрационный муниципальный район»"),
    ("Брянской области", "Демонстрационной области"),
    ("ГАУ ДПО «Брянский институт", "ГАУ ДПО «Институт"),
    ("Брянский ИПКРО", "областной ИПКРО"),
    ("администрации г.о.г. Кулебаки", "администрации района"),
    ("Ш.Р.Магомедов", "Начальник отдела образования"),
)
_YEAR = re.compile(r"(?<!\d)(20(?:1[5-9]|2[0-4]))(?:/(\d\d))?(?!\d)")


def seed_periods(today: date) -> dict[str, str]:
    """The periods of the seed documents whose headings name none, by seed (their stages and
    deadlines say it, moved as `demo_text` moves them): the cluster's 2019/2020 programme
    (000), the experimental programme's three calendar years 2019–2021 (003: its stages run
    from January to December of each, a programme's span) and the 2021 roadmap (004). The
    others' headings give theirs (the preschool plan's "на 2021-2022 годы" a span too)."""
    moved = shift(today)
    return {
        "000": f"{2019 + moved}/{2020 + moved}",
        "003": f"{2019 + moved}-{2021 + moved}",
        "004": str(2021 + moved),
    }


def demo_text(text: str, today: date) -> str:
    """A seed document's text as the demo imports it: the demo's district and region named in
    place of the real ones (ATTRIBUTION), and every year from 2015 to 2024 (and "2021/22")
    moved forward by the same number of years, so that 2021/2022 becomes the school year of
    `today`."""
    for real, demo in ATTRIBUTION:
        text = text.replace(real, demo)
    years = shift(today)

    def moved(match: re.Match[str]) -> str:
        year = str(int(match[1]) + years)
        return year + (f"/{(int(match[2]) + years) % 100:02d}" if match[2] else "")

    return _YEAR.sub(moved, text)


def current_plan(today: date, district_id: str) -> dict[str, Any]:
    """POST /v1/roadmaps body: the district's plan for the academic year of `today`."""
    activities = [
        {
            "number": str(n),
            "title": title,
            "deadline_text": f"до {(today + timedelta(days=days)).strftime('%d.%m.%Y')}",
            "responsible": responsible,
            "expected_result": "Выполнено в срок, материалы размещены на сайте ИМЦ",
        }
        for n, (title, days, _, responsible) in enumerate(PLAN, start=1)
    ]
    return {
        "title": PLAN_TITLE,
        "level": "municipality",
        "owner_type": "territory",
        "owner_id": district_id,
        "period": academic_year_of(today).code,
        "passport": {"goal": "Повышение качества образования в школах района"},
        "sections": [{"title": "Мероприятия", "activities": activities}],
    }


def _seed_status(rng: random.Random, activity: dict[str, Any], today: date) -> str:
    """A seed activity's status, drawn by where its deadline is (SEED_STATUSES)."""
    end = activity["due_end"] and date.fromisoformat(activity["due_end"])
    start = activity["due_start"] and date.fromisoformat(activity["due_start"])
    if end and end < today - timedelta(days=30):
        when = "past"
    elif start and start > today + timedelta(days=30):
        when = "ahead"
    else:
        when = "now"
    draw, bound = rng.random(), 0.0
    for status, share in SEED_STATUSES[when]:
        bound += share
        if draw < bound:
            return status
    return "planned"


async def _activities(client: httpx.AsyncClient, roadmap_id: str) -> list[dict[str, Any]]:
    answer = await client.get(f"/v1/roadmaps/{roadmap_id}/activities", params={"limit": 500})
    if answer.status_code != 200:
        raise RuntimeError(f"demo: activities of {roadmap_id}: {answer.text}")
    return sorted(answer.json()["items"], key=lambda a: a["position"])


async def _patch(client: httpx.AsyncClient, activity_id: str, body: dict[str, Any]) -> None:
    answer = await client.patch(f"/v1/activities/{activity_id}", json=body)
    if answer.status_code != 200:
        raise RuntimeError(f"demo: PATCH activity {activity_id}: {answer.text}")


def _change(status: str, due_end: str | None, rng: random.Random, today: date) -> dict:
    """The PATCH body: a done activity completed around its deadline (a few late)."""
    body: dict[str, Any] = {"status": status}
    if status == "done" and due_end:
        done_on = date.fromisoformat(due_end) + timedelta(days=rng.choice((-14, -7, -2, 0, 5)))
        body["completed_on"] = min(done_on, today).isoformat()
    if status == "cancelled":
        body["comment"] = "Отменено решением отдела образования"
    return body


async def post_plan(client: httpx.AsyncClient, district_id: str, today: date) -> str:
    """Post the district's plan of the year (`current_plan`); its id."""
    plan = await client.post("/v1/roadmaps", json=current_plan(today, district_id))
    if plan.status_code != 201:
        raise RuntimeError(f"demo: POST /v1/roadmaps answered {plan.status_code}: {plan.text}")
    return plan.json()["id"]


async def load_statuses(client: httpx.AsyncClient, plan_id: str, today: date) -> dict[str, int]:
    """Mark the activities of every roadmap, the plan `plan_id` by PLAN, the others seeded;
    counts by status of the activities changed ({"done": n, ...}) and "plan_activities"."""
    counts: dict[str, int] = {"plan_activities": len(PLAN)}
    changes: list[tuple[str, dict[str, Any]]] = []  # (activity id, PATCH body), seeded
    rng = random.Random(f"{SEED}:plan")
    for activity, (_, _, status, _) in zip(await _activities(client, plan_id), PLAN, strict=True):
        if status != "planned":
            changes.append((activity["id"], _change(status, activity["due_end"], rng, today)))
    roadmaps = await client.get("/v1/roadmaps", params={"limit": 500})
    others = [r for r in roadmaps.json()["items"] if r["id"] != plan_id]
    for roadmap, activities in zip(
        others, await bounded(others, lambda r: _activities(client, r["id"])), strict=True
    ):
        for activity in activities:
            key = f"{roadmap['title']}:{activity['position']}:{activity['title']}"
            rng = random.Random(f"{SEED}:status:{key}")
            status = _seed_status(rng, activity, today)
            if status != "planned":
                changes.append((activity["id"], _change(status, activity["due_end"], rng, today)))
    await bounded(changes, lambda change: _patch(client, *change))
    for _, body in changes:
        counts[body["status"]] = counts.get(body["status"], 0) + 1
    return counts
