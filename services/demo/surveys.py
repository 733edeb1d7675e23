"""The demo's parents' surveys and НОК checklist: what GET /v1/nok of the district rates.

For the earlier of the demo's two completed school years (services/demo/years.py, over by
the time of `today`) every school gets the values of the eight НОК checklist indicators
(shipped by the api, services/api/indicators/data/nok_checklist.json) and the answers of its
parents to two anonymous campaigns: the НОК questionnaire (`nok_parents_2018`) and the
satisfaction survey (`parents_satisfaction`). The answers are keyed in as paper questionnaires
by the administrator through the surveys service's API (`POST /v1/campaigns/{id}/responses`)
while the campaigns are open, then the campaigns are closed: they open on the date of their
school year the API takes (`opens_at` may lie in the past), answers can only come in while a
campaign is open, and closing (`PATCH`) sets `closes_at` to the end of May of that year (any
time after the opening), all of it before `today`. The responses still carry the day they were
keyed in (`submitted_on`, the day of the load): the API takes no other. A few small schools get
fewer answers than the disclosure minimum, so their survey part is left out, as it would be.
Everything is seeded.
"""

import random
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from services.demo.calls import bounded
from services.demo.indicators import SEED, School, _clamp, _schools
from services.demo.years import closing, opening
from shared.periods import contains, parse_period

BELOW_MINIMUM = 3  # schools with fewer answers than the disclosure minimum
# The information a school must publish, in demo points (stand, site): a school misses some.
STAND_NORM, SITE_NORM = 12, 40
# A yes/no item asked only of those who said "да" to the one before it (nok_parents_2018).
FOLLOW_UPS = {"nok_02": "nok_01", "nok_04": "nok_03", "nok_07": "nok_06", "nok_11": "nok_10"}
# How many parents answer "да" to the conditions (used the stand, the site, have a disabled
# child, used remote channels), whatever the school.
CONDITIONS = {"nok_01": 0.8, "nok_03": 0.7, "nok_06": 0.08, "nok_10": 0.55}
SATISFACTION_GROUPS = ("teaching", "safety", "food", "communication", "extracurricular", "openness")
GRADE_BANDS = ("primary", "basic", "secondary")
# When the parents' closed campaigns ran: (month, day) of their school year.
OPENED, CLOSED = (4, 4), (5, 27)


def in_school_year(period: str, month_day: tuple[int, int]) -> date:
    """The day (month, day) of the school year `period` (September to August): 4 April of
    2021/2022 is in 2022, 4 October in 2021."""
    year = parse_period(period)
    month, day = month_day
    found = year.start.replace(month=month, day=day)
    return found if contains(year, found) else found.replace(year=year.end.year)


def checklist_values(schools: list[School], period: str) -> list[dict[str, Any]]:
    """The eight checklist values of every school for `period` (counts within the indicators'
    own min/max); a stronger school misses less of the required information."""
    values = []
    for school in schools:
        rng = random.Random(f"{SEED}:{school.name}:nok_checklist")
        good = _clamp(0.75 + school.strength, 0.2, 1.0)  # 0.3 (weak rural) .. 0.95
        counts = {
            "nok_info_stand_items": STAND_NORM - rng.randint(0, round(4 * (1 - good))),
            "nok_info_stand_norm": STAND_NORM,
            "nok_info_site_items": SITE_NORM - rng.randint(0, round(12 * (1 - good))),
            "nok_info_site_norm": SITE_NORM,
            "nok_remote_channels": rng.randint(2 + round(good * 2), 6),
            "nok_comfort_conditions": min(5, rng.randint(2, 4) + round(good)),
            "nok_access_premises": rng.randint(0 if school.rural else 1, 2 + round(3 * good)),
            "nok_access_services": rng.randint(1, 2 + round(4 * good)),
        }
        for code, value in counts.items():
            values.append(
                {
                    "indicator_code": code,
                    "organization_id": school.id,
                    "period": period,
                    "value": value,
                }
            )
    return values


def respondents(schools: list[School], minimum: int) -> dict[str, int]:
    """How many parents of each school answer, by school id: about 4–8 % of the pupils; the
    BELOW_MINIMUM smallest schools answer less than `minimum` (the disclosure minimum)."""
    smallest = sorted(schools, key=lambda s: (s.base["students"][1], s.name))[:BELOW_MINIMUM]
    counts = {}
    for school in schools:
        rng = random.Random(f"{SEED}:{school.name}:parents")
        if school in smallest:
            counts[school.id] = rng.randint(1, max(1, minimum - 1))
        else:
            share = rng.uniform(0.04, 0.08)
            counts[school.id] = max(minimum, min(60, round(school.base["students"][1] * share)))
    return counts


def nok_answers(school: School, rng: random.Random) -> dict[str, bool]:
    """One parent's questionnaire: "да" more likely in a stronger school; a follow-up only
    after "да" to its condition."""
    satisfied = _clamp(0.85 + school.strength / 2, 0.55, 0.98)
    answers = {f"nok_{n:02d}": rng.random() < satisfied for n in range(1, 15)}
    for condition, share in CONDITIONS.items():
        answers[condition] = rng.random() < share
    for follow_up, condition in FOLLOW_UPS.items():
        if not answers[condition]:
            del answers[follow_up]
    return answers


def satisfaction_answers(school: School, rng: random.Random) -> dict[str, Any]:
    """One parent's satisfaction survey: points 1–5 around the school's level, per group."""
    answers: dict[str, Any] = {"ps_grade_band": rng.choice(GRADE_BANDS)}
    sizes = {"teaching": 4, "communication": 4}
    for group in SATISFACTION_GROUPS:
        centre = 3.9 + 2 * school.strength + rng.gauss(0, 0.3)
        for n in range(1, sizes.get(group, 3) + 1):
            answers[f"ps_{group}_{n}"] = round(_clamp(rng.gauss(centre, 0.8), 1, 5))
    return answers


async def _call(client: httpx.AsyncClient, method: str, path: str, expected: int, **kw) -> Any:
    answer = await client.request(method, path, **kw)
    if answer.status_code != expected:
        raise RuntimeError(f"demo: {method} {path} answered {answer.status_code}: {answer.text}")
    return answer.json()


async def parents_campaign(
    surveys: httpx.AsyncClient,
    code: str,
    title: str,
    school_ids: list[str],
    period: str,
    zone: str,
    window: tuple[datetime, datetime] | None = None,
) -> dict[str, Any]:
    """An anonymous parents' campaign of the (latest version of the) instrument `code` in
    `period`, open from `window[0]` to `window[1]` (default: from 00:00 of the day of `period`
    it opened, OPENED, in the time zone `zone`, to the end of tomorrow, so that its answers can
    be keyed in before it is closed); as created."""
    page = await _call(surveys, "GET", "/v1/instruments", 200, params={"limit": 500})
    (instrument,) = [i for i in page["items"] if i["code"] == code]
    tomorrow = datetime.now(ZoneInfo(zone)).date() + timedelta(days=1)
    opens, closes = window or (
        opening(in_school_year(period, OPENED), zone),
        closing(tomorrow, zone),
    )
    body = {
        "instrument_id": instrument["id"],
        "title": title,
        "audience": "parents",
        "organization_ids": school_ids,
        "period": period,
        "opens_at": opens.isoformat(),
        "closes_at": closes.isoformat(),
    }
    return await _call(surveys, "POST", "/v1/campaigns", 201, json=body)


async def load_surveys(
    api: httpx.AsyncClient,
    surveys: httpx.AsyncClient,
    organizations: list[dict[str, Any]],
    minimum: int,
    period: str,
    zone: str,
) -> dict[str, int]:
    """Post the checklist values of `period` (api) and the two parents' campaigns of `period`
    with their answers (surveys), then close the campaigns in May of `period`, a school year
    that is over (whole days of the time zone `zone`, services/demo/years.py). Both clients
    are signed in as the administrator. Returns
    {"checklist_values", "nok_responses", "satisfaction_responses"}."""
    schools = _schools(organizations)
    values = checklist_values(schools, period)
    summary = await _call(api, "POST", "/v1/data-values", 200, json={"values": values})
    if summary["rejected"]:
        raise RuntimeError(f"demo: НОК checklist values rejected: {summary['rejected'][:3]}")
    counts = respondents(schools, minimum)
    ids = [s.id for s in schools]
    campaigns = {
        "nok": await parents_campaign(
            surveys, "nok_parents_2018", "НОК УООД: анкета родителей", ids, period, zone
        ),
        "satisfaction": await parents_campaign(
            surveys, "parents_satisfaction", "Удовлетворённость родителей", ids, period, zone
        ),
    }
    makers = {"nok": nok_answers, "satisfaction": satisfaction_answers}
    posted = dict.fromkeys(campaigns, 0)
    for kind, campaign in campaigns.items():
        path = f"/v1/campaigns/{campaign['id']}/responses"
        bodies = []
        for school in schools:
            rng = random.Random(f"{SEED}:{school.name}:{kind}")
            bodies += [
                {"organization_id": school.id, "answers": makers[kind](school, rng)}
                for _ in range(counts[school.id])
            ]
        await bounded(bodies, lambda body, path=path: _call(surveys, "POST", path, 201, json=body))
        posted[kind] = len(bodies)
        closed = {"closes_at": closing(in_school_year(period, CLOSED), zone).isoformat()}
        await _call(surveys, "PATCH", f"/v1/campaigns/{campaign['id']}", 200, json=closed)
    return {
        "checklist_values": len(values),
        "nok_responses": posted["nok"],
        "satisfaction_responses": posted["satisfaction"],
    }
