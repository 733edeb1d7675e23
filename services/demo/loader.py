"""`soko demo`: fill an empty database with a demo district, through the api service's HTTP API.

Everything goes through the same endpoints, validation and audit log as real users' requests.
"""

import asyncio
from datetime import date
from pathlib import Path

import httpx
from fastapi import FastAPI
from sqlalchemy import select, text

from services.api.app import create_app as create_api
from services.api.auth.service import user_principal
from services.api.indicators.shipped import shipped_codes
from services.api.users.models import User
from services.api.users.service import ensure_bootstrap_admin
from services.demo.assessments import load_results
from services.demo.collections import load_collection
from services.demo.decisions import catch_up, load_decisions
from services.demo.diagnostics import Issuer, build_routes, enrol, load_diagnostics
from services.demo.district import CLUSTERS, DEMO_DOMAIN, schools
from services.demo.indicators import _schools, list_organizations, load_indicators, load_values
from services.demo.open_survey import load_open_survey
from services.demo.participants import load_participants
from services.demo.roadmap import (
    PLAN_INDICATORS,
    demo_text,
    load_statuses,
    post_plan,
    seed_periods,
)
from services.demo.surveys import load_surveys
from services.demo.validation_rules import load_rules
from services.demo.years import current_year, demo_years
from services.reports.app import create_app as create_reports
from services.surveys.app import create_app as create_surveys
from shared.db import REFERENCE_TABLES, SCHEMAS, create_engine
from shared.identity import issue_user_token
from shared.settings import Settings, get_settings

DEMO_PASSWORD = "soko-demo-2026"  # noqa: S105 - demo accounts on a local machine
SEEDS = Path(__file__).parent / "seeds"
# What a start of the apps adds besides the reference tables, which is no one's data: the
# shipped indicators and the audit events of the system's own writes.
STARTUP_ROWS = {
    "api.indicator": "WHERE code <> ALL(:shipped)",
    "api.audit_event": "WHERE actor_kind <> 'system'",
}


async def database_is_empty(url: str) -> bool:
    """True when no table of any Soko schema holds a row (reference data and the indicators
    the api ships aside)."""
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            tables = (
                await conn.execute(
                    text(
                        "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables "
                        "WHERE schemaname = ANY(:schemas) "
                        "AND format('%s.%s', schemaname, tablename) <> ALL(:reference)"
                    ),
                    {"schemas": list(SCHEMAS), "reference": list(REFERENCE_TABLES)},
                )
            ).scalars()
            params = {"shipped": sorted(shipped_codes())}
            for table in tables:
                where = STARTUP_ROWS.get(table, "")
                query = text(f"SELECT EXISTS (SELECT 1 FROM {table} {where})")  # noqa: S608
                if await conn.scalar(query, params if where.count(":shipped") else {}):
                    return False
        return True
    finally:
        await engine.dispose()


class Demo:
    """Posts the demo district to the api service as its administrator."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.cluster_ids: list[str] = []
        self.district_id = ""
        self.teacher_staff_id = ""  # the demo teacher's staff record

    async def post(self, path: str, body: dict) -> dict:
        answer = await self.client.post(path, json=body)
        if answer.status_code != 201:
            raise RuntimeError(f"demo: POST {path} answered {answer.status_code}: {answer.text}")
        return answer.json()

    async def sign_in(self, email: str, password: str) -> None:
        answer = await self.client.post(
            "/v1/auth/token", data={"username": email, "password": password}
        )
        answer.raise_for_status()
        self.client.headers["Authorization"] = f"Bearer {answer.json()['access_token']}"

    async def roadmaps(self, district_id: str, cluster_id: str, today: date) -> None:
        """The real roadmaps of the seeds: two cluster roadmaps and the district's documents,
        as the demo district's own and dated around `today` (roadmap.demo_text)."""
        owners = {
            "000": ("cluster", "cluster", cluster_id),
            "001": ("cluster", "cluster", cluster_id),
            "002": ("municipality", "territory", district_id),
            "003": ("municipality", "territory", district_id),
            "004": ("municipality", "territory", district_id),
        }
        periods = seed_periods(today)
        for path in sorted(SEEDS.glob("*.txt")):
            level, owner_type, owner_id = owners[path.name[:3]]
            form = {"level": level, "owner_type": owner_type, "owner_id": owner_id}
            if period := periods.get(path.name[:3]):
                form["period"] = period
            text = demo_text(path.read_text(encoding="utf-8"), today)
            answer = await self.client.post(
                "/v1/roadmaps/import",
                data=form,
                files={"file": (path.name, text.encode(), "text/plain")},
            )
            if answer.status_code != 201:
                raise RuntimeError(f"demo: import of {path.name}: {answer.text}")

    async def district(self, today: date) -> list[str]:
        """The territory, organizations, clusters, staff and one account per role."""
        region = await self.post(
            "/v1/territories", {"name": "Демонстрационная область", "kind": "region"}
        )
        district = await self.post(
            "/v1/territories",
            {
                "name": "Демонстрационный муниципальный район",
                "kind": "municipality",
                "parent_id": region["id"],
            },
        )
        self.district_id = district["id"]
        members: dict[int, list[str]] = {i: [] for i in range(len(CLUSTERS))}
        first_teacher: dict[str, str] = {}
        org_ids = []
        for school in schools():
            org = await self.post(
                "/v1/organizations",
                {
                    "name": school.name,
                    "kind": school.kind,
                    "territory_id": district["id"],
                    "context": school.context(),
                },
            )
            org_ids.append(org["id"])
            if school.cluster >= 0:
                members[school.cluster].append(org["id"])
            for name, position, subjects in school.staff:
                member = await self.post(
                    f"/v1/organizations/{org['id']}/staff",
                    {"full_name": name, "position": position, "subjects": subjects},
                )
                if position == "teacher":
                    first_teacher.setdefault(org["id"], member["id"])
        for index, title in enumerate(CLUSTERS):
            cluster = await self.post(
                "/v1/clusters",
                {
                    "name": title,
                    "territory_id": district["id"],
                    "coordinator_id": members[index][0],
                    "member_ids": members[index],
                },
            )
            self.cluster_ids.append(cluster["id"])
        await self.roadmaps(district["id"], self.cluster_ids[0], today)
        school_1 = org_ids[0]
        self.teacher_staff_id = first_teacher[school_1]
        accounts = [
            ("analyst", "Аналитик МОУО", "territory_analyst", "territory", district["id"], None),
            (
                "region",
                "Аналитик регионального центра оценки качества образования",
                "territory_analyst",
                "territory",
                region["id"],
                None,
            ),
            ("methodologist", "Методист ИМЦ", "methodologist", "territory", district["id"], None),
            (
                "leader",
                "Директор гимназии № 1",
                "organization_leader",
                "organization",
                school_1,
                None,
            ),
            (
                "teacher",
                "Учитель гимназии № 1",
                "teacher",
                "organization",
                school_1,
                first_teacher[school_1],
            ),
            ("viewer", "Наблюдатель", "viewer", "territory", district["id"], None),
        ]
        for login, full_name, role, scope_type, scope_id, staff_id in accounts:
            await self.post(
                "/v1/users",
                {
                    "email": f"{login}@{DEMO_DOMAIN}",
                    "password": DEMO_PASSWORD,
                    "full_name": full_name,
                    "role": role,
                    "scope_type": scope_type,
                    "scope_id": scope_id,
                    "staff_id": staff_id,
                },
            )
        return [f"{login}@{DEMO_DOMAIN}" for login, *_ in accounts]


async def _demo_accounts(url: str) -> str:
    """When the data held are the demo's (its accounts are there and active): a line naming
    them, so that a second `soko up --demo` still says how to sign in; else nothing."""
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            emails = (
                await conn.execute(
                    text(
                        'SELECT email FROM api."user" WHERE email LIKE :domain AND is_active '
                        "AND email NOT LIKE 'pedagog-%' ORDER BY created_at, email"
                    ),
                    {"domain": f"%@{DEMO_DOMAIN}"},
                )
            ).scalars()
            found = list(emails)
    finally:
        await engine.dispose()
    if not found:
        return ""
    return f" (the demo's)\n  sign in as {', '.join(found)}; demo password: {DEMO_PASSWORD}"


def _issuer(api: FastAPI, settings: Settings) -> Issuer:
    """An account's access token by its email, as `POST /v1/auth/token` issues it once the
    password is right (services/api/auth/service.py), for the demo's own accounts."""

    async def issue(email: str) -> str:
        async with api.state.db.sessionmaker() as session:
            user = (await session.scalars(select(User).where(User.email == email))).one()
            return issue_user_token(settings, user_principal(user))

    return issue


async def load(url: str, *, only_if_empty: bool, settings: Settings | None = None) -> str:
    """Load the demo data; returns what was done, with the demo accounts."""
    if only_if_empty and not await database_is_empty(url):
        return "demo data skipped: the database already holds data" + await _demo_accounts(url)
    base = settings or get_settings()
    # The reports facts are brought up to date once the data is in (`catch_up`), not chased
    # change by change while it is loaded.
    settings = base.model_copy(update={"database_url": url, "follow_feeds": False})
    admin_email = settings.bootstrap_admin_email or f"admin@{DEMO_DOMAIN}"
    admin_password = (
        settings.bootstrap_admin_password.get_secret_value()
        if settings.bootstrap_admin_password
        else DEMO_PASSWORD
    )
    # Filled below: the api's indicator writes ask the in-process surveys app for the codes
    # they name, not the network (where no surveys service may run during the load).
    api_peers: dict[str, httpx.AsyncBaseTransport] = {}
    api = create_api(settings, peer_transports=api_peers)
    to_api = httpx.ASGITransport(app=api)
    surveys = create_surveys(settings, peer_transports={"api": to_api})
    to_surveys = httpx.ASGITransport(app=surveys)
    api_peers["surveys"] = to_surveys
    reports = create_reports(settings, peer_transports={"api": to_api, "surveys": to_surveys})
    async with (
        api.router.lifespan_context(api),
        surveys.router.lifespan_context(surveys),
        reports.router.lifespan_context(reports),
    ):
        async with api.state.db.sessionmaker.begin() as session:
            await ensure_bootstrap_admin(session, admin_email, admin_password)
        transport = httpx.ASGITransport(app=api)
        async with (
            httpx.AsyncClient(transport=transport, base_url="http://api") as client,
            httpx.AsyncClient(transport=to_surveys, base_url="http://surveys") as surveys_client,
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=reports), base_url="http://reports"
            ) as reports_client,
        ):
            demo = Demo(client)
            await demo.sign_in(admin_email, admin_password)
            today = settings.today()
            years = demo_years(today)  # the data's: the two latest completed school years
            now = current_year(today)  # what runs now: the open survey
            accounts = await demo.district(today)
            plan_id = await post_plan(client, demo.district_id, today)
            indicators = await load_indicators(
                client, {code: [plan_id] for code in PLAN_INDICATORS}
            )
            await load_rules(client, indicators)  # before the values: they are checked too
            organizations = await list_organizations(client)
            teacher = (f"teacher@{DEMO_DOMAIN}", demo.teacher_staff_id)
            # The diagnosed teachers' accounts (password hashing) beside the other work.
            enrolling = asyncio.create_task(
                enrol(client, organizations, teacher, DEMO_PASSWORD, _issuer(api, settings))
            )
            surveys_client.headers["Authorization"] = client.headers["Authorization"]

            # Three independent strands at once (each in its own order: the data values before
            # the checklist's, the closed campaigns before the open one of a newer version of
            # their questionnaire, the results before the participants they are derived from).
            async def data_and_parents() -> tuple[dict, dict, dict]:
                values = await load_values(client, organizations, today)
                parents = await load_surveys(
                    client,
                    surveys_client,
                    organizations,
                    settings.disclosure_minimum,
                    years[0],
                    settings.timezone,
                )
                running = await load_open_survey(
                    surveys_client, surveys, _schools(organizations), now, today, settings.timezone
                )
                return values, parents, running

            async def assessments() -> tuple[int, int]:
                results = await load_results(client, organizations, today)
                return results, await load_participants(client, organizations, today)

            async with asyncio.TaskGroup() as strands:  # a failure cancels the others
                first = strands.create_task(data_and_parents())
                second = strands.create_task(assessments())
                third = strands.create_task(load_statuses(client, plan_id, today))
            (values, parents, running), (results, participants) = first.result(), second.result()
            statuses = third.result()
            diagnosed = await load_diagnostics(
                client, surveys_client, await enrolling, today, settings.timezone, DEMO_PASSWORD
            )
            await catch_up(reports)
            periods = [diagnosed["period"], diagnosed["current_period"]]
            routes = await build_routes(
                client, reports_client, demo.district_id, periods, DEMO_PASSWORD
            )
            reports_client.headers["Authorization"] = client.headers["Authorization"]
            decided = await load_decisions(reports_client, reports, demo.district_id, years)
            await load_collection(client, demo.district_id, organizations, years[0])
    lines = [
        "demo data loaded: a district of 25 schools, 2 kindergartens, 1 centre, 3 clusters, staff, "
        "the 14 roadmaps of the five seed documents and the district's plan of the year "
        f"({statuses['done']} activities done, {statuses['in_progress']} in progress, "
        f"{statuses['cancelled']} cancelled), {len(indicators)} indicators, "
        f"{values['imported']} data values, {results} ВПР/ОГЭ results of {years[0]} and "
        f"{years[1]} "
        f"and {participants} ВПР participants' results by task; the НОК checklist "
        f"({parents['checklist_values']} values) and two parents' campaigns "
        f"({parents['nok_responses']} НОК and {parents['satisfaction_responses']} "
        f"satisfaction questionnaires) of {years[0]}, closed, and the parents' satisfaction "
        f"survey of {now}, open ({running['responses']} answers from "
        f"{running['schools']} schools so far; a parent's form: {running['form']}); "
        "teachers' diagnostics: "
        f"{diagnosed['main']} of {diagnosed['teachers']} teachers answered the "
        f"{diagnosed['period']} one, {diagnosed['follow_up']} its follow-up of "
        f"{diagnosed['current_period']} (open, as is a digital one no one has answered yet), "
        f"{routes} individual routes; "
        f"{decided['recommendations']} recommendations, {decided['decisions']} decisions",
        f"  sign in as {admin_email} (admin) or as "
        + ", ".join(accounts)
        + f"; demo password: {DEMO_PASSWORD}",
    ]
    return "\n".join(lines)
