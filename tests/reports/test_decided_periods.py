"""`GET /v1/decisions/periods` names exactly the periods for which `GET /v1/decisions` lists
decisions, for every reader: a school's recommendation, the territory's own, a resolved one, a
sibling territory's school's, the parent territory's own and a teacher's personal one (only a
methodologist reads it), each of another period and with a decision; newest start first."""

from datetime import UTC, date, datetime

import pytest

from services.reports.recommendations.models import Decision, Recommendation
from tests.factories import add_recommendation, build_world

ACADEMIC, QUARTER, NEXT_YEAR, MONTH = "2021/2022", "2022Q3", "2022/2023", "2022-09"
SIBLING, PARENT = "2020", "2023"  # only M2's school's, only the region's own


def _own(territory, period: str, **fields) -> Recommendation:
    """A recommendation to the territory's authority, about no school."""
    return Recommendation(
        rule_code="authority_indicator_not_achieved",
        period=period,
        addressee_type="authority",
        addressee_id=territory.id,
        territory_id=territory.id,
        territory_ids=[t for t in (territory.id, territory.parent_id) if t],
        subject="indicator:e_planning",
        text=f"Территория «{territory.name}»: показатель не достигнут.",
        **fields,
    )


@pytest.fixture
async def world(db, settings):
    world = await build_world(db, settings)
    s2_resolved = await add_recommendation(db, world.s2, world.m1)
    s2_resolved.period, s2_resolved.resolved_at = NEXT_YEAR, datetime.now(UTC)
    sibling = await add_recommendation(db, world.s3, world.m2)
    sibling.period = SIBLING
    personal = await add_recommendation(db, world.s1, world.m1)
    personal.period, personal.addressee_type, personal.addressee_id = (
        MONTH,
        "teacher",
        world.t1.id,
    )
    recs = [
        world.rec_s1,  # ACADEMIC
        world.rec_s3,  # ACADEMIC, in M2
        s2_resolved,
        sibling,
        personal,
        _own(world.m1, QUARTER),
        _own(world.region, PARENT),
    ]
    db.add_all(recs)
    await db.flush()
    db.add_all(
        Decision(
            recommendation_id=rec.id,
            text=f"Решение по {rec.period}",
            decided_on=date(2022, 10, 1),
            responsible="Управление образования",
            period_before=rec.period,
        )
        for rec in recs
    )
    await db.flush()
    return world


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("viewer", [NEXT_YEAR, QUARTER, ACADEMIC]),
        ("admin", [NEXT_YEAR, QUARTER, ACADEMIC]),
        ("analyst", [NEXT_YEAR, QUARTER, ACADEMIC]),
        ("methodologist", [NEXT_YEAR, MONTH, QUARTER, ACADEMIC]),
    ],
)
async def test_decided_periods_are_those_with_decisions_listed(
    reports_client, world, who, expected
):
    headers = world.headers(who)
    where = {"territory_id": str(world.m1.id)}
    answer = await reports_client.get("/v1/decisions/periods", params=where, headers=headers)
    assert answer.status_code == 200, answer.text
    # Newest start first: 2022/2023 and 2022-09 both from September (ties by code).
    assert answer.json() == {"items": expected, "total": len(expected)}
    with_decisions = set()
    for period in (ACADEMIC, QUARTER, NEXT_YEAR, MONTH, SIBLING, PARENT):
        listed = await reports_client.get(
            "/v1/decisions", params={**where, "period": period}, headers=headers
        )
        assert listed.status_code == 200, listed.text
        if listed.json()["items"]:
            assert [d["text"] for d in listed.json()["items"]] == [f"Решение по {period}"]
            with_decisions.add(period)
    assert set(answer.json()["items"]) == with_decisions
