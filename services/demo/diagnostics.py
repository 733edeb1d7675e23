"""The demo's teachers' diagnostics: what the methodologist's PD order, the teachers' routes
and results, and the leader's "who has not answered" show.

The district's methodologist launches three identified diagnostics (surveys service,
`POST /v1/campaigns`) of the teachers of the schools the district's plan works with
(`participants`: the gymnasium, the two rural schools its plan names, the three weak schools):

- the diagnostic of professional deficits (`teacher_professional_deficits`) of the school
  year before today's (completed: one of the demo's data years, services/demo/years.py),
  answered by most
  teachers (a few did not) and closed (dated October of that year: opened then, answered while
  open, its close set back to then), so that its figures are out to everyone who reads the
  district and the default rules find the deficits;
- its follow-up in the school year of today (`current_year`), still open, answered by about
  half of the teachers, the demo teacher among them (their result shows on their home);
- the diagnostic of digital assessment competences (`teacher_digital_assessment_deficits`)
  of the same school year, just opened, answered by no one yet: the demo teacher's diagnostic
  to take.

Each teacher who answers gets an account (`POST /v1/users`) and submits their own answers
with their own token (`POST /v1/campaigns/{id}/responses`), as in a browser; the loader issues
the token as the sign-in does (`Issuer`) rather than checking the demo password 42 times. The
answers are seeded: a teacher answers an item right with a probability of their school's
strength and the competence's difficulty, so that the methodological and psycho-pedagogical
competences are in deficit more often than the subject and communicative ones.

Why not every school's teachers: an account costs its password's hashing (about 0.2 s of
processor time), which for the district's 248 teachers would be some 50 s, more than the rest
of the demo; the 42 accounts of the participating schools' 48 teachers take about 8 s of it,
spread over the processor's cores while the loader posts the rest of the district (`enrol`).
"""

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import httpx

from services.demo.district import DEMO_DOMAIN
from services.demo.district import schools as district_schools
from services.demo.indicators import SEED, School, _clamp, _schools
from services.demo.roadmap import GYMNASIUM, RURAL
from services.demo.surveys import _call, in_school_year
from services.demo.years import closing, current_year, opening, year_before
from services.surveys.instruments.definition import InstrumentDefinition, load_bank

PROFESSIONAL = "teacher_professional_deficits"
DIGITAL = "teacher_digital_assessment_deficits"
TITLES = {
    "main": "Диагностика профессиональных дефицитов педагогов",
    "follow_up": "Повторная диагностика профессиональных дефицитов педагогов",
    "digital": "Диагностика компетенций педагогов в области оценки с цифровыми инструментами",
}
SILENT = 0.12  # the share of teachers who do not answer the main diagnostic
RETAKE = 0.5  # the share of those who answered it who have answered the follow-up already
# The chance of a right answer is BASE + the school's strength + the competence's offset.
BASE = 0.72
DIFFICULTY = {
    "subject": 0.08,
    "methodological": -0.14,
    "psycho_pedagogical": -0.07,
    "communicative": 0.14,
}
# The demo teacher (teacher@…) is weaker in one competence, so that their route has a step.
DEMO_TEACHER_WEAK = "methodological"
# When the main diagnostic ran in its school year: (month, day), opened and closed.
MAIN_OPENED, MAIN_CLOSED = (10, 4), (10, 29)
# The open ones (and the main one while its answers come in): opened so many days ago, close in.
FOLLOW_UP_DAYS_AGO, DIGITAL_DAYS_AGO, CLOSES_IN_DAYS = 9, 2, 21
AT_ONCE = 4  # accounts added and answers submitted at once (each account hashes a password)
# An account's token by its email, issued as the api's sign-in issues it (services/demo/loader.py).
Issuer = Callable[[str], Awaitable[str]]


@dataclass(frozen=True)
class Teacher:
    staff_id: str
    full_name: str
    school: School
    email: str


async def teachers(api: httpx.AsyncClient, schools: list[School]) -> list[Teacher]:
    """The schools' teachers as the api lists them (schools by name, staff in order), each
    with the email of their demo account (`pedagog-<school>-<n>@…`, the school's number in
    the demo's list)."""
    numbers = {s.name: n for n, s in enumerate(district_schools(), start=1)}
    found = []
    for school in schools:
        number = numbers[school.name]
        staff = await _call(
            api, "GET", f"/v1/organizations/{school.id}/staff", 200, params={"limit": 500}
        )
        members = [m for m in staff["items"] if m["position"] == "teacher"]
        for n, member in enumerate(members, start=1):
            email = f"pedagog-{number:02d}-{n:02d}@{DEMO_DOMAIN}"
            found.append(Teacher(member["id"], member["full_name"], school, email))
    return found


def answers(
    teacher: Teacher,
    definition: InstrumentDefinition,
    tag: str,
    gain: float = 0.0,
    weak: str | None = None,
) -> dict[str, str]:
    """One teacher's seeded answers (item code to option code); `gain` raises every chance
    (a retake after the teacher's courses); the competence `weak` gets two right at most."""
    rng = random.Random(f"{SEED}:{teacher.email}:{tag}")
    own = rng.gauss(0, 0.12)  # the teacher's own level
    chosen: dict[str, str] = {}
    weak_seen = 0  # items of the weak competence answered so far
    for item in definition.scored_items():
        offset = DIFFICULTY.get(item.competence or "", 0.0)
        level = BASE + own + teacher.school.strength / 2 + offset + gain
        right = rng.random() < _clamp(level, 0.05, 0.97)
        if item.competence == weak:
            right, weak_seen = weak_seen < 2, weak_seen + 1
        options = [o.code for o in item.options if bool(o.correct) == right]
        chosen[item.code] = rng.choice(options)
    return chosen


async def _campaign(
    surveys: httpx.AsyncClient,
    instrument_id: str,
    kind: str,
    schools: list[School],
    period: str,
    opens_at: datetime,
    closes_at: datetime,
    headers: dict[str, str],
) -> dict[str, Any]:
    body = {
        "instrument_id": instrument_id,
        "title": TITLES[kind],
        "audience": "teachers",
        "organization_ids": [s.id for s in schools],
        "period": period,
        "opens_at": opens_at.isoformat(),
        "closes_at": closes_at.isoformat(),
        "anonymous": False,
    }
    return await _call(surveys, "POST", "/v1/campaigns", 201, json=body, headers=headers)


async def _sign_in(api: httpx.AsyncClient, email: str, password: str) -> str:
    token = await _call(
        api, "POST", "/v1/auth/token", 200, data={"username": email, "password": password}
    )
    return token["access_token"]


async def _accounts(
    api: httpx.AsyncClient,
    takers: list[Teacher],
    own: dict[str, str],
    password: str,
    issue: Issuer,
) -> dict[str, str]:
    """Each taker's account (the demo teacher's exists: `own`, staff id to email) and token,
    by staff id."""
    gate = asyncio.Semaphore(AT_ONCE)

    async def one(teacher: Teacher) -> tuple[str, str]:
        async with gate:
            email = own.get(teacher.staff_id, teacher.email)
            if teacher.staff_id not in own:
                user = {
                    "email": email,
                    "password": password,
                    "full_name": teacher.full_name,
                    "role": "teacher",
                    "scope_type": "organization",
                    "scope_id": teacher.school.id,
                    "staff_id": teacher.staff_id,
                }
                await _call(api, "POST", "/v1/users", 201, json=user)
            return teacher.staff_id, await issue(email)

    return dict(await asyncio.gather(*(one(t) for t in takers)))


async def _submit(
    surveys: httpx.AsyncClient,
    campaign_id: str,
    takers: list[Teacher],
    tokens: dict[str, str],
    make,
) -> int:
    """Each taker submits their answers (`make(teacher)`) with their own token."""
    gate = asyncio.Semaphore(AT_ONCE)

    async def one(teacher: Teacher) -> None:
        async with gate:
            await _call(
                surveys,
                "POST",
                f"/v1/campaigns/{campaign_id}/responses",
                201,
                json={"staff_id": teacher.staff_id, "answers": make(teacher)},
                headers={"Authorization": f"Bearer {tokens[teacher.staff_id]}"},
            )

    await asyncio.gather(*(one(t) for t in takers))
    return len(takers)


def participants(schools: list[School]) -> list[School]:
    """The schools whose teachers are diagnosed: the gymnasium, the rural schools the plan
    names and the weak schools (six, 48 teachers)."""
    return [s for s in schools if s.weak or s.name in (GYMNASIUM, *RURAL)]


def takers(found: list[Teacher], demo_staff_id: str) -> tuple[list[Teacher], list[Teacher]]:
    """Who has answered the main diagnostic and who of them the follow-up (seeded); the demo
    teacher answers both."""
    main, follow_up = [], []
    for teacher in found:
        rng = random.Random(f"{SEED}:{teacher.email}:takes")
        mine = teacher.staff_id == demo_staff_id
        if mine or rng.random() >= SILENT:
            main.append(teacher)
            if mine or rng.random() < RETAKE:
                follow_up.append(teacher)
    return main, follow_up


@dataclass(frozen=True)
class Takers:
    """The participating schools' teachers, who has answered what, and their tokens."""

    schools: list[School]
    teachers: list[Teacher]
    main: list[Teacher]
    follow_up: list[Teacher]
    tokens: dict[str, str]  # by staff id
    demo_staff_id: str


async def enrol(
    api: httpx.AsyncClient,
    organizations: list[dict[str, Any]],
    demo_teacher: tuple[str, str],
    password: str,
    issue: Issuer,
) -> Takers:
    """The takers' accounts, added (`api` signed in as the administrator; the demo teacher's,
    (email, staff id), exists) with their tokens (`issue`): the password hashing this costs
    runs outside the interpreter's lock, so the loader runs it beside its other work."""
    schools = participants(_schools(organizations))
    found = await teachers(api, schools)
    email, demo_staff_id = demo_teacher
    main, follow_up = takers(found, demo_staff_id)
    tokens = await _accounts(api, main, {demo_staff_id: email}, password, issue)
    return Takers(schools, found, main, follow_up, tokens, demo_staff_id)


async def load_diagnostics(
    api: httpx.AsyncClient,
    surveys: httpx.AsyncClient,
    enrolled: Takers,
    today: date,
    zone: str,
    password: str,
) -> dict[str, Any]:
    """Launch the three diagnostics as the methodologist (signed in through `api` with
    `password`) and let the `enrolled` teachers answer (see the module's docstring); their
    windows are whole days around `today` in the time zone `zone` (services/demo/years.py).
    Returns the periods and counts: {"period", "current_period", "teachers", "main",
    "follow_up"}."""
    schools, tokens, demo_staff_id = enrolled.schools, enrolled.tokens, enrolled.demo_staff_id
    methodologist = await _sign_in(api, f"methodologist@{DEMO_DOMAIN}", password)
    headers = {"Authorization": f"Bearer {methodologist}"}
    instruments = await _call(surveys, "GET", "/v1/instruments", 200, params={"limit": 500})
    ids = {i["code"]: i["id"] for i in instruments["items"]}
    bank = {d.code: d for d in load_bank()}
    period, current = year_before(today), current_year(today)
    plan = (
        ("main", PROFESSIONAL, period, in_school_year(period, MAIN_OPENED)),
        ("follow_up", PROFESSIONAL, current, today - timedelta(days=FOLLOW_UP_DAYS_AGO)),
        ("digital", DIGITAL, current, today - timedelta(days=DIGITAL_DAYS_AGO)),
    )
    closes = closing(today + timedelta(days=CLOSES_IN_DAYS), zone)
    launched = {
        kind: await _campaign(
            surveys, ids[code], kind, schools, when, opening(day, zone), closes, headers
        )
        for kind, code, when, day in plan
    }
    definition = bank[PROFESSIONAL]

    def mine(teacher: Teacher) -> str | None:
        return DEMO_TEACHER_WEAK if teacher.staff_id == demo_staff_id else None

    counts = {
        "main": await _submit(
            surveys,
            launched["main"]["id"],
            enrolled.main,
            tokens,
            lambda t: answers(t, definition, "main", weak=mine(t)),
        ),
        "follow_up": await _submit(
            surveys,
            launched["follow_up"]["id"],
            enrolled.follow_up,
            tokens,
            lambda t: answers(t, definition, "follow_up", gain=0.08, weak=mine(t)),
        ),
    }
    # Closed in its school year (answered while open, the close dated back by the API's PATCH):
    # its figures are out (shared/disclosure.py).
    closed = {"closes_at": closing(in_school_year(period, MAIN_CLOSED), zone).isoformat()}
    main_id = launched["main"]["id"]
    await _call(surveys, "PATCH", f"/v1/campaigns/{main_id}", 200, json=closed, headers=headers)
    return {
        "period": period,
        "current_period": current,
        "teachers": len(enrolled.teachers),
    } | counts


async def build_routes(
    api: httpx.AsyncClient,
    reports: httpx.AsyncClient,
    district_id: str,
    periods: list[str],
    password: str,
) -> int:
    """The methodologist (signed in through `api` with `password`) reads the district's PD
    order of each period, which builds the teachers' routes; how many routes there are."""
    token = await _sign_in(api, f"methodologist@{DEMO_DOMAIN}", password)
    routes = 0
    for period in periods:
        order = await _call(
            reports,
            "GET",
            "/v1/pd-order",
            200,
            params={"territory_id": district_id, "period": period},
            headers={"Authorization": f"Bearer {token}"},
        )
        routes += order["teachers"] or 0
    return routes
