"""Same scope, another person's personal data.

Reading a school is not reading its teachers' results. T1 of S1 has taken the diagnostic
(alone: a group of one), has a route and a recommendation of their own; each principal below
is inside the scope of S1 or M1 and tries them. Each check is (service, path, expected):
"refused" 403/404; "absent" 200 with nothing of T1 in it; "withheld" 200 with every aggregate
suppressed; "shown" 200 with T1's data (readers of personal results, as a control).
"""

from collections.abc import Callable

import httpx
import pytest

from tests.factories import World

PersonalCheck = tuple[str, Callable[[World], str], str]


def diagnostic(w: World) -> str:
    return f"/v1/campaigns/{w.campaigns['diagnostic_s1'].id}"


def t1_rec(w: World) -> str:
    return f"/v1/recommendations/{w.rec_t1.id}"


ORDER = "/v1/pd-order?period=2021/2022&territory_id={m1}"


def aggregates_at(level: str, expected: str = "withheld") -> PersonalCheck:
    return ("surveys", lambda w: f"{diagnostic(w)}/aggregates?level={level}", expected)


OF_S1: PersonalCheck = (
    "surveys",
    lambda w: f"{diagnostic(w)}/aggregates?organization_id={w.s1.id}",
    "withheld",
)
AGGREGATES = [aggregates_at("organization"), aggregates_at("cluster"), OF_S1]
NO_PERSONAL_READS: list[PersonalCheck] = [
    ("surveys", lambda w: f"{diagnostic(w)}/deficits", "refused"),
    ("reports", lambda w: f"/v1/individual-routes?staff_id={w.t1.id}", "refused"),
    ("reports", lambda w: "/v1/recommendations?addressee_type=teacher", "absent"),
    ("reports", t1_rec, "refused"),
]
PERSONAL_CASES: dict[str, list[PersonalCheck]] = {
    # Another teacher of S1: their own results only.
    "teacher2": [
        ("surveys", lambda w: f"{diagnostic(w)}/deficits", "absent"),
        ("surveys", lambda w: f"{diagnostic(w)}/deficits?organization_id={w.s1.id}", "absent"),
        # Another school is not found (no filter silently dropped), as for the routes.
        ("surveys", lambda w: f"{diagnostic(w)}/deficits?organization_id={w.s2.id}", "refused"),
        ("reports", lambda w: f"/v1/individual-routes?organization_id={w.s2.id}", "refused"),
        ("reports", lambda w: f"/v1/individual-routes?staff_id={w.t1.id}", "absent"),
        ("reports", lambda w: f"/v1/individual-routes?organization_id={w.s1.id}", "absent"),
        ("reports", lambda w: "/v1/recommendations", "absent"),
        ("reports", t1_rec, "refused"),
        *AGGREGATES,  # a teacher's scope holds no territory
    ],
    # The leader of S2, in the same municipality: nothing of S1's teachers.
    "leader2": [
        ("surveys", lambda w: f"{diagnostic(w)}/deficits", "refused"),
        ("surveys", lambda w: f"{diagnostic(w)}/aggregates", "refused"),
        ("reports", lambda w: f"/v1/individual-routes?organization_id={w.s1.id}", "refused"),
        ("reports", lambda w: f"/v1/individual-routes?staff_id={w.t1.id}", "absent"),
        ("reports", lambda w: "/v1/recommendations", "absent"),
        ("reports", t1_rec, "refused"),
    ],
    # M1's viewer and analyst, and a service acting for them or for nobody: aggregates only,
    # and a group of one is no aggregate.
    **{
        who: [
            *NO_PERSONAL_READS,
            *AGGREGATES,
            aggregates_at("territory"),
            ("reports", lambda w: ORDER.format(m1=w.m1.id), "withheld"),
        ]
        for who in ("viewer", "analyst", "service+viewer", "service+analyst", "service")
    },
    # The readers of T1's results, as a control that the checks above can fail.
    "teacher": [
        ("surveys", lambda w: f"{diagnostic(w)}/deficits", "shown"),
        ("reports", lambda w: "/v1/individual-routes", "shown"),
        ("reports", t1_rec, "shown"),
    ],
    "leader": [
        ("surveys", lambda w: f"{diagnostic(w)}/deficits", "shown"),
        ("surveys", lambda w: f"{diagnostic(w)}/aggregates", "shown"),
        ("reports", lambda w: f"/v1/individual-routes?staff_id={w.t1.id}", "shown"),
        ("reports", t1_rec, "shown"),
    ],
    "methodologist": [
        ("surveys", lambda w: f"{diagnostic(w)}/deficits?organization_id={w.s1.id}", "shown"),
        aggregates_at("territory", "shown"),
        ("reports", lambda w: f"/v1/individual-routes?organization_id={w.s1.id}", "shown"),
        ("reports", lambda w: "/v1/recommendations?addressee_type=teacher", "shown"),
        ("reports", lambda w: ORDER.format(m1=w.m1.id), "shown"),
    ],
    "admin": [
        ("surveys", lambda w: f"{diagnostic(w)}/deficits", "shown"),
        ("surveys", lambda w: f"{diagnostic(w)}/aggregates", "shown"),
        ("reports", lambda w: ORDER.format(m1=w.m1.id), "shown"),
    ],
}


@pytest.fixture
async def diagnosed(apps, db, settings, world) -> World:
    """The world with T2 and the leader of S2, T1's diagnostic taken, a route and a
    recommendation of T1's own."""
    from services.reports.recommendations.models import Recommendation
    from tests.factories import add_colleagues
    from tests.reports.helpers import individual_route
    from tests.surveys.forms import diagnostic_answers

    await add_colleagues(db, settings, world)
    transport = httpx.ASGITransport(app=apps.surveys)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        taken = await client.post(
            f"{diagnostic(world)}/responses",
            json={"staff_id": str(world.t1.id), "answers": diagnostic_answers({"design": 5})},
            headers=world.headers("teacher"),
        )
        assert taken.status_code == 201, taken.text
    deficit = {"code": "interpretation", "title": "Интерпретация", "share": 0.0}
    programme = {"code": "p", "title": "Программа", "provider": "ИМЦ", "hours": 24}
    db.add(
        individual_route(
            world.t1,
            world.m1.id,
            "2021/2022",
            deficits=[deficit],
            steps=[{"position": 1, "programme": programme, "competences": [deficit]}],
        )
    )
    world.rec_t1 = Recommendation(
        rule_code="teacher_own_deficits",
        period="2021/2022",
        addressee_type="teacher",
        addressee_id=world.t1.id,
        organization_id=world.s1.id,
        territory_id=world.m1.id,
        territory_ids=[world.m1.id, world.region.id],
        subject="deficits",
        text=f"{world.t1.full_name}, у вас выявлены профессиональные дефициты: «Интерпретация».",
        evidence={"deficits": [deficit]},
    )
    db.add(world.rec_t1)
    await db.flush()
    return world


def _withheld(body: dict) -> bool:
    if "suppressed" in body and "items" not in body:  # the PD order
        return body["suppressed"] is True and body["seats"] is None and body["programmes"] == []
    values = [
        v
        for item in body["items"]
        for part in (*item["questions"], *item["competences"])
        for k, v in part.items()
        if k not in ("code", "n")
    ]
    items = body["items"]
    if not items:  # a school-scoped reader gets no cluster figure at all (nothing to withhold)
        return body.get("level") == "cluster"
    return all(i["suppressed"] for i in items) and all(v is None for v in values)


def _about_t1(world: World, text: str) -> bool:
    return str(world.t1.id) in text or world.t1.full_name in text


@pytest.mark.parametrize("who", list(PERSONAL_CASES))
async def test_same_scope_another_persons_personal_data(apps, isolation, diagnosed, who):
    world = diagnosed
    for service, path, expected in PERSONAL_CASES[who]:
        app = getattr(apps, service)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t"
        ) as client:
            answer = await client.get(path(world), headers=world.headers(who))
        where = (who, path(world), expected, answer.text[:300])
        if expected == "refused":
            assert answer.status_code in (403, 404), where
            assert answer.headers["content-type"] == "application/problem+json"
            continue
        assert answer.status_code == 200, where
        if expected == "absent":
            assert not _about_t1(world, answer.text), where
        elif expected == "withheld":
            assert _withheld(answer.json()), where
        elif "/aggregates" in answer.url.path or "/pd-order" in answer.url.path:
            assert not _withheld(answer.json()), where
        else:
            assert _about_t1(world, answer.text), where
