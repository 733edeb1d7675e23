"""The demo's open parents' campaign: the satisfaction survey of the school year of today.

What a user of the demo meets in a campaign that runs: the parents' link of each school (a
parent's form to open), the leader's «Ввести бумажные анкеты» beside it, the analyst's response
rates of the current year; its figures (answers per question, survey values) only after its
close, as every open campaign's (shared/disclosure.py). The district's own version of the
bank's satisfaction questionnaire (`parents_satisfaction`, version 2, imported through
`POST /v1/instruments`) offers
«затрудняюсь ответить» (`allow_unsure`) on every point-scale question; the campaign
(`POST /v1/campaigns`) opened OPENED_DAYS_AGO days ago and closes in CLOSES_IN_DAYS days (at
00:00 and 23:59 of those days in SOKO_TIMEZONE, services/demo/years.py). Parents
of most schools have answered through the schools' links already, without signing in (channel
"web", `POST /v1/campaigns/{id}/responses`), a few per cent of the pupils, some of them
«затрудняюсь ответить» here and there; the parents of NOT_YET schools none yet. Each school's
parents reach the service from an address of their own (a documentation range, RFC 5737), as
the public's answers are limited per address. Everything is seeded.
"""

import json
import random
from datetime import date, timedelta
from typing import Any

import httpx

from services.demo.calls import bounded
from services.demo.indicators import SEED, School
from services.demo.roadmap import GYMNASIUM
from services.demo.surveys import _call, parents_campaign, satisfaction_answers
from services.demo.years import closing, opening
from services.surveys.instruments.definition import BANK_DIR
from services.surveys.instruments.question_types.base import UNSURE

CODE = "parents_satisfaction"
TITLE = "Удовлетворённость родителей"
OPENED_DAYS_AGO, CLOSES_IN_DAYS = 5, 30
NOT_YET = 4  # schools whose parents have not answered yet (never the gymnasium)
SHARE = (0.01, 0.04)  # of the pupils whose parents have answered so far
UNSURE_SHARE = 0.06  # of the point-scale answers that are «затрудняюсь ответить»
UNSURE_NOTE = " Если Вы не можете оценить утверждение, выберите «Затрудняюсь ответить»."


def unsure_version() -> dict[str, Any]:
    """The bank's satisfaction questionnaire with «затрудняюсь ответить» on its likert5
    questions (and a word on it in the description): the district's version 2."""
    definition = json.loads((BANK_DIR / f"{CODE}.json").read_text(encoding="utf-8"))
    definition["description"] += UNSURE_NOTE
    for section in definition["sections"]:
        for question in section["questions"]:
            if question["type"] == "likert5":
                question["allow_unsure"] = True
    return definition


def web_respondents(schools: list[School]) -> dict[str, int]:
    """How many parents of each school have answered so far, by school id: SHARE of the
    pupils (at least one); NOT_YET schools (seeded, never the gymnasium) none."""
    order = sorted(
        (s for s in schools if s.name != GYMNASIUM),
        key=lambda s: random.Random(f"{SEED}:{s.name}:open").random(),
    )
    silent = {s.id for s in order[:NOT_YET]}
    counts = {}
    for school in schools:
        rng = random.Random(f"{SEED}:{school.name}:open-count")
        share = rng.uniform(*SHARE)
        counts[school.id] = (
            0 if school.id in silent else max(1, round(school.base["students"][1] * share))
        )
    return counts


def web_answers(school: School, rng: random.Random) -> dict[str, Any]:
    """One parent's answers: as in the closed survey, some points «затрудняюсь ответить»."""
    answers = satisfaction_answers(school, rng)
    for code, value in answers.items():
        if isinstance(value, int) and rng.random() < UNSURE_SHARE:
            answers[code] = UNSURE
    return answers


async def load_open_survey(
    surveys: httpx.AsyncClient,
    surveys_app: Any,
    schools: list[School],
    period: str,
    today: date,
    zone: str,
) -> dict[str, Any]:
    """Import the district's version of the questionnaire and launch its campaign of `period`
    for `schools` (as the signed-in `surveys` client: the administrator), open around `today`
    in whole days of the time zone `zone`, then let the parents answer anonymously through
    `surveys_app`. Returns {"responses": how many, "schools": how
    many schools have answers, "form": the gymnasium's parents' link}."""
    await _call(surveys, "POST", "/v1/instruments", 201, json=unsure_version())
    window = (
        opening(today - timedelta(days=OPENED_DAYS_AGO), zone),
        closing(today + timedelta(days=CLOSES_IN_DAYS), zone),
    )
    ids = [s.id for s in schools]
    campaign = await parents_campaign(surveys, CODE, TITLE, ids, period, zone, window)
    path = f"/v1/campaigns/{campaign['id']}/responses"
    counts = web_respondents(schools)

    async def answered(numbered: tuple[int, School]) -> None:
        n, school = numbered
        transport = httpx.ASGITransport(app=surveys_app, client=(f"198.51.100.{n}", 50000))
        rng = random.Random(f"{SEED}:{school.name}:open")
        async with httpx.AsyncClient(transport=transport, base_url="http://surveys") as parents:
            for _ in range(counts[school.id]):
                body = {"organization_id": school.id, "answers": web_answers(school, rng)}
                await _call(parents, "POST", path, 201, json=body)

    await bounded(enumerate(schools, start=1), answered)
    (gymnasium,) = [s.id for s in schools if s.name == GYMNASIUM]
    (form,) = [link["url"] for link in campaign["links"] if link["organization_id"] == gymnasium]
    return {
        "responses": sum(counts.values()),
        "schools": sum(1 for n in counts.values() if n),
        "form": form,
    }
