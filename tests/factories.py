"""A small world to test access with: one region, two municipalities, schools, clusters, staff,
a user of every role (scoped to municipality M1 or its school S1), and API keys of S1.
`add_colleagues` adds the people of the same scope who must not read each other's personal
data: a second teacher of S1 and the leader of S2."""

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache

from argon2 import PasswordHasher
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.api_keys.service import create_api_key
from services.api.assessments.models import AssessmentEvent, AssessmentProcedure, AssessmentResult
from services.api.auth.service import user_principal
from services.api.collections.models import Collection
from services.api.indicators.models import Indicator
from services.api.organizations.models import Cluster, ClusterMember, Organization
from services.api.roadmaps.models import Activity, ActivityFile, Roadmap, RoadmapSection
from services.api.staff.models import StaffMember
from services.api.territories.models import Territory
from services.api.users.models import User
from services.reports.pd_order.models import PdProgramme
from services.reports.recommendations.models import Recommendation
from services.surveys.campaigns.models import Campaign, CampaignOrganization, Invitation
from services.surveys.instruments.models import Instrument, InstrumentVersion
from shared.db import utcnow
from shared.headers import USER_HEADER
from shared.identity import ALGORITHM, ISSUER, issue_service_token, issue_user_token
from shared.settings import Settings
from tests.collections_world import add_world_collections

PASSWORD = "correct-horse-battery"


@cache
def password_hash() -> str:
    return PasswordHasher().hash(PASSWORD)


@dataclass
class World:
    region: Territory
    m1: Territory
    m2: Territory
    s1: Organization
    s2: Organization
    s3: Organization
    c1: Cluster
    c2: Cluster
    t1: StaffMember
    t3: StaffMember
    t2: StaffMember | None = None  # a second teacher of S1 (add_colleagues)
    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    key_s1: str = ""
    key_s1_id: uuid.UUID | None = None
    key_s3_id: uuid.UUID | None = None
    revoked_key: str = ""
    r1: Roadmap | None = None  # M1's roadmap; its activity a1 names school S1 as responsible
    r2: Roadmap | None = None  # M2's roadmap
    a1: Activity | None = None
    a2: Activity | None = None
    f1: ActivityFile | None = None
    f2: ActivityFile | None = None
    instruments: dict[str, tuple[uuid.UUID, uuid.UUID]] = field(default_factory=dict)
    campaigns: dict[str, Campaign] = field(default_factory=dict)
    planning: Indicator | None = None  # data_value, boolean: "электронное планирование"
    vpr: AssessmentProcedure | None = None  # from the catalogue the migration seeds
    event_s1: AssessmentEvent | None = None  # ВПР, математика, 5А, 12.04.2022, in S1
    event_s3: AssessmentEvent | None = None  # the same in S3
    result_s1: AssessmentResult | None = None  # ВПР 2021/2022, математика, 5 класс, in S1
    result_s3: AssessmentResult | None = None  # the same in S3
    programme: PdProgramme | None = None  # a PD programme beside the default catalogue
    rec_s1: Recommendation | None = None  # to S1's leader, about an indicator, in M1
    rec_s3: Recommendation | None = None  # the same for S3 in M2
    # M1's and M2's collections of e_planning, and a spare each (tests/collections_world.py)
    collections: dict[str, Collection] = field(default_factory=dict)

    def headers(self, who: str) -> dict[str, str]:
        """Request headers of a principal: a role name, 'api_key', 'service', or
        'service+<name>' (a Soko service acting for that user)."""
        if who == "api_key":
            return {"X-API-Key": self.key_s1}
        if who.startswith("service+"):
            user = who.removeprefix("service+")
            return {
                "Authorization": f"Bearer {self.tokens['service']}",
                USER_HEADER: self.tokens[user],
            }
        return {"Authorization": f"Bearer {self.tokens[who]}"}


def add_user(
    session: AsyncSession,
    email: str,
    role: str,
    scope_type: str | None = None,
    scope_id: uuid.UUID | None = None,
    staff_id: uuid.UUID | None = None,
) -> User:
    user = User(
        email=email,
        full_name=email.split("@")[0],
        password_hash=password_hash(),
        role=role,
        scope_type=scope_type,
        scope_id=scope_id,
        staff_id=staff_id,
    )
    session.add(user)
    return user


UNITS = {"percent": "percent", "boolean": "boolean"}  # any other value type counts
TRAINED = "Доля педагогов, прошедших КПК"  # the name of `teachers_trained`, which tests post


async def add_data_indicator(
    session: AsyncSession, code: str, name: str, value_type: str, **params: object
) -> Indicator:
    """An indicator of the global catalogue that schools report (method `data_value`), its
    unit following `value_type` ("percent", "boolean", "number"); `params` beside it."""
    indicator = Indicator(
        code=code,
        name=name,
        unit=UNITS.get(value_type, "count"),
        level="organization",
        method="data_value",
        params={"value_type": value_type, **params},
    )
    session.add(indicator)
    await session.flush()
    return indicator


async def build_world(session: AsyncSession, settings: Settings) -> World:
    region = Territory(name="Область", kind="region")
    m1 = Territory(name="Район 1", kind="municipality", parent_id=region.id)
    m2 = Territory(name="Район 2", kind="municipality", parent_id=region.id)
    s1 = Organization(name="Школа 1", kind="school", territory_id=m1.id, context={"students": 500})
    s2 = Organization(name="Школа 2", kind="school", territory_id=m1.id)
    s3 = Organization(name="Школа 3", kind="school", territory_id=m2.id)
    c1 = Cluster(name="Кластер 1", territory_id=m1.id, coordinator_id=s1.id)
    c2 = Cluster(name="Кластер 2", territory_id=m2.id, coordinator_id=s3.id)
    t1 = StaffMember(organization_id=s1.id, full_name="Иванова Мария", position="teacher")
    t3 = StaffMember(organization_id=s3.id, full_name="Петров Иван", position="teacher")
    for batch in ([region], [m1, m2], [s1, s2, s3], [c1, c2, t1, t3]):
        session.add_all(batch)
        await session.flush()
    session.add_all(
        ClusterMember(cluster_id=c.id, organization_id=o.id)
        for c, o in ((c1, s1), (c1, s2), (c2, s3))
    )
    world = World(region, m1, m2, s1, s2, s3, c1, c2, t1, t3)
    world.users = {
        "admin": add_user(session, "admin@soko.example", "admin"),
        "analyst": add_user(
            session, "analyst@soko.example", "territory_analyst", "territory", m1.id
        ),
        "methodologist": add_user(
            session, "method@soko.example", "methodologist", "territory", m1.id
        ),
        "leader": add_user(
            session, "leader@soko.example", "organization_leader", "organization", s1.id
        ),
        "teacher": add_user(
            session, "teacher@soko.example", "teacher", "organization", s1.id, t1.id
        ),
        "viewer": add_user(session, "viewer@soko.example", "viewer", "territory", m1.id),
        "target": add_user(session, "target@soko.example", "viewer", "organization", s1.id),
        "leader3": add_user(
            session, "leader3@soko.example", "organization_leader", "organization", s3.id
        ),
    }
    await session.flush()
    for name, user in world.users.items():
        world.tokens[name] = issue_user_token(settings, user_principal(user))
    world.tokens["service"] = issue_service_token(settings, "reports")
    key, world.key_s1 = await create_api_key(session, s1.id, "АИС школы 1", None)
    world.key_s1_id = key.id
    key3, _ = await create_api_key(session, s3.id, "АИС школы 3", None)
    world.key_s3_id = key3.id
    revoked, world.revoked_key = await create_api_key(session, s1.id, "старый ключ", None)
    revoked.revoked_at = utcnow()
    await session.flush()
    world.r1, world.a1, world.f1 = await add_roadmap(session, m1, "Дорожная карта МСОКО", [s1.id])
    world.r2, world.a2, world.f2 = await add_roadmap(
        session, m2, "Дорожная карта района 2", [s3.id]
    )
    world.planning = await add_data_indicator(
        session, "e_planning", "ОО ведёт электронное планирование оценочных процедур", "boolean"
    )
    world.collections = await add_world_collections(
        session, {"m1": m1, "m2": m2}, {"m1": s1, "m2": s3}, world.planning
    )
    await add_assessments(session, world)
    await add_campaigns(session, world)
    world.rec_s1 = await add_recommendation(session, s1, m1)
    world.rec_s3 = await add_recommendation(session, s3, m2)
    world.programme = PdProgramme(
        # A reference table, kept after committed tests: a code of its own, and switched off
        # so that it never joins a route.
        code=f"world_programme_{uuid.uuid4().hex[:8]}",
        title="Программа для проверок доступа",
        provider="ИМЦ",
        hours=24,
        competences=["subject"],
        active=False,
    )
    session.add(world.programme)
    await session.flush()
    return world


async def committed_world(isolation, settings) -> World:
    """The world of a `committed` test (one a real server in a thread reads), committed."""
    async with isolation() as session:
        world = await build_world(session, settings)
        await session.commit()
    return world


async def add_colleagues(session: AsyncSession, settings: Settings, world: World) -> World:
    """Same scope, other people: teacher T2 of S1 ("teacher2") and the leader of S2
    ("leader2"). Kept out of build_world: the invitations of S1's campaigns count its staff."""
    world.t2 = StaffMember(
        organization_id=world.s1.id, full_name="Смирнова Ольга", position="teacher"
    )
    session.add(world.t2)
    await session.flush()
    world.users["teacher2"] = add_user(
        session, "teacher2@soko.example", "teacher", "organization", world.s1.id, world.t2.id
    )
    world.users["leader2"] = add_user(
        session, "leader2@soko.example", "organization_leader", "organization", world.s2.id
    )
    await session.flush()
    for name in ("teacher2", "leader2"):
        world.tokens[name] = issue_user_token(settings, user_principal(world.users[name]))
    return world


async def add_roadmap(
    session: AsyncSession, owner: Territory, title: str, responsible: list[uuid.UUID]
) -> tuple[Roadmap, Activity, ActivityFile]:
    roadmap = Roadmap(
        title=title,
        level="municipality",
        owner_type="territory",
        owner_id=owner.id,
        period="2021/2022",
    )
    section = RoadmapSection(roadmap_id=roadmap.id, position=0, title="Раздел 1")
    activity = Activity(
        roadmap_id=roadmap.id,
        section_id=section.id,
        position=0,
        number="1",
        title="Анкетирование родителей",
        responsible="Школа",
        responsible_organization_ids=responsible,
    )
    stored = ActivityFile(
        activity_id=activity.id,
        file_name="протокол.pdf",
        content_type="application/pdf",
        size=3,
        sha256="0" * 64,
        content=b"pdf",
    )
    for row in (roadmap, section, activity, stored):
        session.add(row)
        await session.flush()
    return roadmap, activity, stored


def expired_token(settings: Settings, world: World) -> str:
    import jwt

    now = utcnow()
    claims = {
        "iss": ISSUER,
        "sub": str(world.users["admin"].id),
        "kind": "user",
        "role": "admin",
        "iat": now - timedelta(hours=2),
        "exp": now - timedelta(hours=1),
    }
    return jwt.encode(claims, settings.secret_key.get_secret_value(), algorithm=ALGORITHM)


async def add_assessments(session: AsyncSession, world: World) -> None:
    """A planned ВПР and its result in S1 and in S3 (the catalogue is the migration's)."""
    world.vpr = await session.scalar(
        select(AssessmentProcedure).where(AssessmentProcedure.code == "vpr")
    )
    assert world.vpr is not None
    planned = {"procedure_id": world.vpr.id, "subject": "Математика", "grade": 5}
    world.event_s1, world.event_s3 = (
        AssessmentEvent(
            organization_id=school.id, class_label="5А", event_date=date(2022, 4, 12), **planned
        )
        for school in (world.s1, world.s3)
    )
    world.result_s1, world.result_s3 = (
        AssessmentResult(
            organization_id=school.id,
            year="2021/2022",
            participants=20,
            mark_2=2,
            mark_3=8,
            mark_4=6,
            mark_5=4,
            mean_score=11.5,
            **planned,
        )
        for school in (world.s1, world.s3)
    )
    session.add_all([world.event_s1, world.event_s3, world.result_s1, world.result_s3])
    await session.flush()


_GROUPS_NOW = text(
    """
    WITH RECURSIVE chain(territory_id, depth) AS (
        SELECT territory_id, 0 FROM api.organization WHERE id = :org
        UNION ALL
        SELECT t.parent_id, c.depth + 1 FROM chain c JOIN api.territory t ON t.id = c.territory_id
        WHERE t.parent_id IS NOT NULL
    )
    SELECT ARRAY(SELECT territory_id FROM chain ORDER BY depth) AS territory_ids,
           ARRAY(SELECT cluster_id FROM api.cluster_member WHERE organization_id = :org)
               AS cluster_ids
    """
)


async def groups_at_launch(session: AsyncSession, organization_id: uuid.UUID) -> dict:
    """`territory_ids` and `cluster_ids` of an organization as a campaign launched now keeps
    them (CampaignOrganization's fields; the surveys service takes them from the api)."""
    row = (await session.execute(_GROUPS_NOW, {"org": organization_id})).one()
    return {"territory_ids": list(row.territory_ids), "cluster_ids": list(row.cluster_ids)}


async def add_campaigns(session: AsyncSession, world: World) -> None:
    """Open survey campaigns in S1 and S3: parents' (anonymous) and a personal diagnostic."""
    rows = await session.execute(
        select(Instrument.code, Instrument.id, InstrumentVersion.id)
        .join(InstrumentVersion, InstrumentVersion.instrument_id == Instrument.id)
        .where(InstrumentVersion.version == 1)
    )
    world.instruments = {
        code: (instrument_id, version_id) for code, instrument_id, version_id in rows
    }
    now = utcnow()
    window = {
        "period": "2021/2022",
        "opens_at": now - timedelta(days=1),
        "closes_at": now + timedelta(days=7),
    }
    for name, code, audience, anonymous, org, teacher in (
        ("parents_s1", "nok_parents_2018", "parents", True, world.s1, None),
        ("parents_s3", "nok_parents_2018", "parents", True, world.s3, None),
        (
            "diagnostic_s1",
            "teacher_digital_assessment_deficits",
            "teachers",
            False,
            world.s1,
            world.t1,
        ),
        (
            "diagnostic_s3",
            "teacher_digital_assessment_deficits",
            "teachers",
            False,
            world.s3,
            world.t3,
        ),
    ):
        campaign = Campaign(
            title=name,
            instrument_version_id=world.instruments[code][1],
            audience=audience,
            anonymous=anonymous,
            **window,
        )
        session.add(campaign)
        await session.flush()
        session.add(
            CampaignOrganization(
                campaign_id=campaign.id,
                organization_id=org.id,
                expected=10,
                code=f"{name}-{campaign.id.hex[:8]}",
                **await groups_at_launch(session, org.id),
            )
        )
        if teacher is not None:
            session.add(
                Invitation(
                    campaign_id=campaign.id,
                    organization_id=org.id,
                    staff_id=teacher.id,
                    full_name=teacher.full_name,
                    code=f"i-{campaign.id.hex[:12]}",
                )
            )
        world.campaigns[name] = campaign
    await session.flush()


async def add_recommendation(
    session: AsyncSession, org: Organization, territory: Territory
) -> Recommendation:
    """A recommendation to a school's leader that the planning indicator is not achieved."""
    rec = Recommendation(
        rule_code="leader_indicator_not_achieved",
        period="2021/2022",
        addressee_type="organization_leader",
        addressee_id=org.id,
        organization_id=org.id,
        territory_id=territory.id,
        territory_ids=[territory.id, territory.parent_id],
        subject="indicator:e_planning",
        indicator_code="e_planning",
        text=f"В организации «{org.name}» электронное планирование не ведётся.",
        evidence={"scope_type": "organization", "scope_id": str(org.id), "value": 0.0},
    )
    session.add(rec)
    await session.flush()
    return rec
