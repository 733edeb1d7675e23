"""Instrument versions never change; XLSForm goes out and comes back; retries never duplicate."""

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select

from services.surveys.responses.models import Response
from tests.factories import committed_world

NOW = datetime.now(UTC)


def window() -> dict:
    return {
        "opens_at": (NOW - timedelta(days=1)).isoformat(),
        "closes_at": (NOW + timedelta(days=7)).isoformat(),
    }


async def test_a_new_version_leaves_running_campaigns_on_theirs(surveys_client, world):
    h = world.headers("methodologist")
    nok_id = str(world.instruments["nok_parents_2018"][0])

    async def launch() -> httpx.Response:
        """A parents' campaign of the NOK questionnaire in S1, on its newest version."""
        return await surveys_client.post(
            "/v1/campaigns",
            headers=h,
            json={
                "instrument_id": nok_id,
                "audience": "parents",
                "organization_ids": [str(world.s1.id)],
                "period": "2021/2022",
            }
            | window(),
        )

    old = await launch()
    definition = (await surveys_client.get(f"/v1/instruments/{nok_id}", headers=h)).json()[
        "definition"
    ]
    definition["title"] = "Анкета НОК (редакция 2)"
    definition["sections"][-1]["questions"].append(
        {"code": "nok_16", "type": "yes_no", "text": "Вопрос новой редакции"}
    )
    # A bank instrument's new version: an administrator's (tests/surveys/test_instrument_rights.py).
    added = await surveys_client.post(
        "/v1/instruments", json=definition, headers=world.headers("admin")
    )
    assert added.status_code == 201 and added.json()["version"] == 2
    versions = await surveys_client.get(f"/v1/instruments/{nok_id}/versions", headers=h)
    assert versions.json()["total"] == 2
    assert [v["version"] for v in versions.json()["items"]] == [1, 2]
    first = await surveys_client.get(f"/v1/instruments/{nok_id}?version=1", headers=h)
    assert "nok_16" not in str(first.json()["definition"])  # version 1 is as it was

    # The running campaign still answers version 1: the new question is unknown there.
    answers = {f"nok_{i:02d}": True for i in range(1, 15)} | {"nok_06": False}
    answers.pop("nok_07")
    url = f"/v1/campaigns/{old.json()['id']}/responses"
    refused = await surveys_client.post(
        url, json={"organization_id": str(world.s1.id), "answers": answers | {"nok_16": True}}
    )
    assert refused.status_code == 422
    assert (
        await surveys_client.post(
            url, json={"organization_id": str(world.s1.id), "answers": answers}
        )
    ).status_code == 201
    new = await launch()
    assert new.json()["version"] == 2 and old.json()["version"] == 1


async def test_xlsform_export_imports_back_as_the_same_instrument(surveys_client, world):
    h = world.headers("methodologist")
    code = "teacher_professional_deficits"
    instrument_id = str(world.instruments[code][0])
    exported = await surveys_client.get(
        f"/v1/instruments/{instrument_id}/export?format=xlsform", headers=h
    )
    assert exported.headers["content-type"].startswith("application/vnd.openxmlformats")
    imported = await surveys_client.post(
        "/v1/instruments/xlsform", files={"file": (f"{code}.xlsx", exported.content)}, headers=h
    )
    # The same definition: no new version, and the answer says so.
    assert imported.status_code == 200, imported.text
    original = (
        await surveys_client.get(f"/v1/instruments/{instrument_id}?version=1", headers=h)
    ).json()
    assert (imported.json()["version"], imported.json()["unchanged"]) == (1, True)
    assert imported.json()["definition"] == original["definition"]
    again = await surveys_client.post(
        "/v1/instruments/xlsform", files={"file": (f"{code}.xlsx", exported.content)}, headers=h
    )
    assert again.status_code == 200 and again.json()["version"] == 1
    versions = await surveys_client.get(f"/v1/instruments/{instrument_id}/versions", headers=h)
    assert [v["version"] for v in versions.json()["items"]] == [1]
    edited = original["definition"] | {"title": "Дефициты (редакция 2)"}
    h = world.headers("admin")  # a bank instrument's new version is an administrator's
    added = await surveys_client.post("/v1/instruments", json=edited, headers=h)
    assert added.status_code == 201 and added.json()["version"] == 2
    assert added.json()["unchanged"] is False
    same = await surveys_client.post("/v1/instruments", json=edited, headers=h)
    assert (same.status_code, same.json()["version"], same.json()["unchanged"]) == (200, 2, True)
    broken = await surveys_client.post(
        "/v1/instruments/xlsform", files={"file": ("x.xlsx", b"not a workbook")}, headers=h
    )
    assert broken.status_code == 422 and broken.json()["errors"][0]["loc"] == ["body", "file"]


@pytest.mark.committed
async def test_concurrent_retries_and_double_submits_store_one_response_each(
    apps, isolation, settings
):
    world = await committed_world(isolation, settings)
    transport = httpx.ASGITransport(app=apps.surveys, client=("192.0.2.77", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        parents = world.campaigns["parents_s1"].id
        answers = {f"nok_{i:02d}": True for i in range(1, 15)} | {"nok_06": False}
        answers.pop("nok_07")
        body = {"organization_id": str(world.s1.id), "answers": answers}
        retries = await asyncio.gather(
            *(
                client.post(
                    f"/v1/campaigns/{parents}/responses",
                    json=body,
                    headers={"Idempotency-Key": "tap-1"},
                )
                for _ in range(6)
            )
        )
        assert {r.status_code for r in retries} == {201}
        assert len({r.json()["id"] for r in retries}) == 1

        diagnostic = world.campaigns["diagnostic_s1"].id
        from services.surveys.instruments.definition import load_bank

        items = next(
            d for d in load_bank() if d.code == "teacher_digital_assessment_deficits"
        ).scored_items()
        full = {i.code: i.options[0].code for i in items}
        teacher = world.headers("teacher")
        doubles = await asyncio.gather(
            *(
                client.post(
                    f"/v1/campaigns/{diagnostic}/responses",
                    json={"staff_id": str(world.t1.id), "answers": full},
                    headers=teacher,
                )
                for _ in range(4)
            )
        )
        assert sorted(r.status_code for r in doubles) == [201, 409, 409, 409]
    async with isolation() as session:
        counts = dict(
            (
                await session.execute(
                    select(Response.campaign_id, func.count()).group_by(Response.campaign_id)
                )
            ).all()
        )
    assert counts == {parents: 1, diagnostic: 1}


async def test_an_instrument_no_response_could_answer_is_refused(surveys_client, world):
    """501 questions: a response takes 500 answers at most, so none could ever be sent (the
    tester's 5,000 required ones were stored); 422 saying the limit."""
    h = world.headers("admin")
    instrument_id = str(world.instruments["parents_satisfaction"][0])
    original = (await surveys_client.get(f"/v1/instruments/{instrument_id}", headers=h)).json()
    definition = original["definition"]
    first = definition["sections"][0]["questions"][0]
    many = [first | {"code": f"q{n}"} for n in range(501)]
    body = definition | {
        "code": "too_many_questions",
        "sections": [definition["sections"][0] | {"questions": many}],
    }
    answer = await surveys_client.post("/v1/instruments", json=body, headers=h)
    assert answer.status_code == 422, answer.text[:300]
    assert "вопросов в анкете 501, а не больше 500" in answer.text
