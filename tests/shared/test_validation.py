"""Input PostgreSQL cannot take is a 422 naming the field on every service, never a 500.

Written as a careless client (or an attacker) would send it: U+0000 in any text, integers beyond
what a column holds, an explicit null for a field that cannot be cleared. After each refusal
the stored data is checked to be unchanged.
"""

import uuid

import pytest
from sqlalchemy import func, select

from services.api.organizations.models import Organization
from services.api.roadmaps.models import ActivityFile, Roadmap
from services.api.territories.models import Territory
from services.reports.pd_order.models import PdProgramme
from services.reports.recommendations.rules import default_rule_id
from services.surveys.campaigns.models import CampaignOrganization
from services.surveys.responses.models import Answer, Response
from shared.validation import INT32_MAX
from tests.api.helpers import post_roadmap
from tests.factories import World

RULE = default_rule_id("leader_indicator_not_achieved")
PROBLEM = "application/problem+json"


def refused(answer, *locs: list) -> dict:
    """The answer is a problem+json 422 whose errors name exactly `locs`."""
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == PROBLEM
    body = answer.json()
    assert sorted(e["loc"] for e in body["errors"]) == sorted(locs), body
    return body


async def count(db, model, *where) -> int:
    return await db.scalar(select(func.count()).select_from(model).where(*where))


# --- U+0000 ---------------------------------------------------------------------------------


async def test_nul_in_json_text_is_422_naming_the_field_and_nothing_is_stored(
    api_client, world, db
):
    territory = {"name": "Район\x00 3", "kind": "municipality", "parent_id": str(world.region.id)}
    answer = await api_client.post(
        "/v1/territories", json=territory, headers=world.headers("admin")
    )
    body = refused(answer, ["body", "name"])
    assert body["errors"][0]["type"] == "nul_character"
    assert "U+0000" in body["detail"]
    assert await count(db, Territory, Territory.name.like("Район%3")) == 0


async def test_nul_deep_in_a_json_body_names_the_whole_path(api_client, world, db):
    sections = [
        {"title": "Раздел", "activities": [{"number": "1", "title": "ok"}]},
        {"title": "Раздел 2", "activities": [{"number": "1", "title": "ok"}, {"title": "\x00"}]},
    ]
    answer = await post_roadmap(api_client, world, "admin", title="План", sections=sections)
    refused(answer, ["body", "sections", 1, "activities", 1, "title"])
    assert await count(db, Roadmap, Roadmap.title == "План") == 0


async def test_nul_in_a_json_key_of_a_jsonb_column_is_422(api_client, reports_client, world, db):
    indicator = {
        "code": "nul_key",
        "name": "Показатель",
        "unit": "boolean",
        "level": "organization",
        "method": "data_value",
        "params": {"value_type": "boolean", "x\x00y": {"deeper": ["a", "b\x00"]}},
    }
    answer = await api_client.post("/v1/indicators", json=indicator, headers=world.headers("admin"))
    refused(answer, ["body", "params", "x\x00y"])
    rule = {"params": {"threshold": 50, "note": "\x00"}}
    answer = await reports_client.patch(
        f"/v1/recommendation-rules/{RULE}", json=rule, headers=world.headers("admin")
    )
    refused(answer, ["body", "params", "note"])


async def test_an_escaped_backslash_before_u0000_is_plain_text(api_client, world, db):
    territory = {"name": "C:\\u0000", "kind": "region"}
    answer = await api_client.post(
        "/v1/territories", json=territory, headers=world.headers("admin")
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["name"] == "C:\\u0000"


@pytest.mark.parametrize(
    ("service", "path", "loc"),
    [
        ("api", "/v1/data-values?period=2021%00", ["query", "period"]),
        ("api", "/v1/organizations?territory_id=%00", ["query", "territory_id"]),
        ("api", "/v1/territories/%00", ["path", "territory_id"]),
        (
            "surveys",
            "/v1/campaigns?instrument_code=nok&instrument_code=x%00",
            ["query", "instrument_code"],
        ),
        ("surveys", "/v1/campaigns/%00/rates", ["path", "campaign_id"]),
        ("reports", "/v1/recommendations?period=%002021", ["query", "period"]),
        ("reports", "/v1/pd-programmes/ab%00cd", ["path", "programme_id"]),
    ],
)
async def test_nul_in_query_or_path_is_422_naming_the_parameter(
    api_client, surveys_client, reports_client, world, service, path, loc
):
    client = {"api": api_client, "surveys": surveys_client, "reports": reports_client}[service]
    refused(await client.get(path, headers=world.headers("admin")), loc)


async def test_nul_in_a_form_field_is_422_naming_it(api_client, world):
    # The sign-in form is public: the check comes before any lookup of the account.
    answer = await api_client.post(
        "/v1/auth/token", data={"username": "admin@soko.example\x00", "password": "x"}
    )
    refused(answer, ["body", "username"])


async def import_plan(api_client, world: World, plan: str, period: str):
    """A municipality's plan as a .csv, imported by the administrator."""
    form = {"level": "municipality", "owner_type": "territory", "owner_id": str(world.m1.id)}
    return await api_client.post(
        "/v1/roadmaps/import",
        data=form | {"period": period},
        files={"file": ("plan.csv", plan.encode(), "text/csv")},
        headers=world.headers("admin"),
    )


async def test_multipart_text_fields_are_checked_and_file_bytes_are_not(api_client, world, db):
    admin = world.headers("admin")
    path = f"/v1/activities/{world.a1.id}/files"
    binary = b"%PDF-1.4\x00\x00\x01binary\x00"
    stored = await api_client.post(
        path, files={"file": ("акт.pdf", binary, "application/pdf")}, headers=admin
    )
    assert stored.status_code == 201, stored.text
    # httpx would percent-encode the name: the part is written by hand, as a careless client might.
    part = (
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="act\x00.pdf"\r\n'
        b"Content-Type: application/pdf\r\n\r\n" + binary + b"\r\n--b--\r\n"
    )
    named = await api_client.post(
        path, content=part, headers=admin | {"content-type": "multipart/form-data; boundary=b"}
    )
    refused(named, ["body", "file", "filename"])
    assert await count(db, ActivityFile, ActivityFile.activity_id == world.a1.id) == 2
    imported = await import_plan(api_client, world, "№;Мероприятие\n1;Опрос\n", "2021/2022\x00")
    refused(imported, ["body", "period"])


async def test_nul_in_a_cell_of_an_uploaded_file_is_422_and_nothing_is_stored(
    api_client, world, db
):
    # The request's fields are clean: the NUL reaches a statement from inside the file.
    plan = "№;Мероприятие;Сроки;Ответственный\n1;Анкетирование\x00 родителей;ноябрь 2021;Школа\n"
    answer = await import_plan(api_client, world, plan, "2021/2022")
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["type"] == "nul_character"
    assert await count(db, Roadmap, Roadmap.owner_id == world.m1.id) == 1  # the world's only


async def test_public_survey_response_with_nul_is_422_and_stores_nothing(surveys_client, world, db):
    campaign = world.campaigns["parents_s1"]
    answers = {f"nok_{i:02d}": True for i in range(1, 15)} | {"nok_15": "Больше\x00 кружков"}
    answer = await surveys_client.post(
        f"/v1/campaigns/{campaign.id}/responses",
        json={"organization_id": str(world.s1.id), "answers": answers},
        headers={"Idempotency-Key": "nul-1"},
    )
    refused(answer, ["body", "answers", "nok_15"])
    assert await count(db, Response, Response.campaign_id == campaign.id) == 0


async def test_survey_form_with_nul_comes_back_as_a_russian_page_at_the_question(
    apps, isolation, world, db
):
    import httpx

    code = await db.scalar(
        select(CampaignOrganization.code).where(
            CampaignOrganization.campaign_id == world.campaigns["parents_s1"].id
        )
    )
    fields = {f"nok_{i:02d}": "yes" for i in range(1, 15)} | {"nok_15": "Спасибо\x00"}
    transport = httpx.ASGITransport(app=apps.surveys, client=("198.51.100.250", 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://surveys") as browser:
        page = await browser.post(f"/s/{code}", data=fields)
        wrong_link = await browser.get("/s/abc%00def")
    assert page.status_code == 422
    assert page.headers["content-type"].startswith("text/html")
    assert 'id="q-nok_15-error"' in page.text and "U+0000" in page.text
    assert await count(db, Answer) == 0
    assert wrong_link.status_code == 404 and wrong_link.headers["content-type"].startswith(
        "text/html"
    )


# --- integers -------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [INT32_MAX + 1, 2**63, 10**30, -1])
@pytest.mark.parametrize(
    ("service", "path"),
    [("api", "/v1/territories"), ("surveys", "/v1/campaigns"), ("reports", "/v1/recommendations")],
)
async def test_offset_out_of_range_is_422_naming_it(
    api_client, surveys_client, reports_client, world, service, path, value
):
    client = {"api": api_client, "surveys": surveys_client, "reports": reports_client}[service]
    refused(
        await client.get(f"{path}?offset={value}", headers=world.headers("admin")),
        ["query", "offset"],
    )


async def test_the_largest_offset_is_an_empty_page(api_client, world):
    answer = await api_client.get(
        f"/v1/territories?offset={INT32_MAX}", headers=world.headers("admin")
    )
    assert answer.status_code == 200 and answer.json()["items"] == []


@pytest.mark.parametrize("value", [INT32_MAX + 1, 2**64, 10**40])
async def test_version_beyond_int32_is_422_in_query_and_body(surveys_client, world, value):
    instrument, _ = world.instruments["nok_parents_2018"]
    admin = world.headers("admin")
    for path in (f"/v1/instruments/{instrument}", f"/v1/instruments/{instrument}/export"):
        refused(
            await surveys_client.get(f"{path}?version={value}", headers=admin), ["query", "version"]
        )
    campaign = {
        "title": "Опрос",
        "instrument_id": str(instrument),
        "version": value,
        "audience": "parents",
        "organization_ids": [str(world.s1.id)],
        "period": "2021/2022",
        "opens_at": "2022-01-01T00:00:00Z",
        "closes_at": "2022-02-01T00:00:00Z",
        "anonymous": True,
    }
    answer = await surveys_client.post("/v1/campaigns", json=campaign, headers=admin)
    refused(answer, ["body", "version"])


async def test_organization_counts_beyond_int32_are_422(api_client, world, db):
    changes = {"context": {"students": 2**40, "teachers": 10**25}}
    answer = await api_client.patch(
        f"/v1/organizations/{world.s1.id}", json=changes, headers=world.headers("admin")
    )
    refused(answer, ["body", "context", "students"], ["body", "context", "teachers"])


async def test_a_number_too_long_to_read_is_422_naming_the_body(reports_client, world):
    body = b'{"code": "p", "title": "t", "provider": "p", "hours": ' + b"9" * 5000 + b"}"
    answer = await reports_client.post(
        "/v1/pd-programmes",
        content=body,
        headers=world.headers("admin") | {"content-type": "application/json"},
    )
    refused(answer, ["body"])


# --- null in PATCH --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "path", "field"),
    [
        ("api", "/v1/territories/{m1}", "name"),
        ("api", "/v1/territories/{m1}", "kind"),
        ("api", "/v1/users/{viewer}", "role"),
        ("api", "/v1/users/{viewer}", "is_active"),
        ("api", "/v1/indicators/{planning}", "method"),
        ("api", "/v1/indicators/{planning}", "params"),
        ("api", "/v1/organizations/{s1}", "context"),
        ("api", "/v1/organizations/{s1}", "territory_id"),
        ("api", "/v1/clusters/{c1}", "member_ids"),
        ("api", "/v1/staff/{t1}", "full_name"),
        ("api", "/v1/roadmaps/{r1}", "passport"),
        ("api", "/v1/activities/{a1}", "status"),
        ("surveys", "/v1/campaigns/{parents}", "closes_at"),
        ("surveys", "/v1/campaigns/{parents}", "title"),
        ("reports", "/v1/pd-programmes/{programme}", "hours"),
        ("reports", "/v1/pd-programmes/{programme}", "competences"),
        ("reports", "/v1/recommendation-rules/{rule}", "template"),
        ("reports", "/v1/recommendation-rules/{rule}", "active"),
    ],
)
async def test_null_for_a_field_that_cannot_be_cleared_is_422_naming_it(
    api_client, surveys_client, reports_client, world, service, path, field
):
    ids = {
        "m1": world.m1.id,
        "viewer": world.users["viewer"].id,
        "planning": world.planning.id,
        "s1": world.s1.id,
        "c1": world.c1.id,
        "t1": world.t1.id,
        "r1": world.r1.id,
        "a1": world.a1.id,
        "parents": world.campaigns["parents_s1"].id,
        "programme": world.programme.id,
        "rule": RULE,
    }
    client = {"api": api_client, "surveys": surveys_client, "reports": reports_client}[service]
    url = path.format(**ids)
    admin = world.headers("admin")
    before = await client.get(url, headers=admin)
    answer = await client.patch(url, json={field: None}, headers=admin)
    refused(answer, ["body", field])
    assert (await client.get(url, headers=admin)).json() == before.json()


async def test_null_clears_a_field_that_may_be_empty(api_client, reports_client, world, db):
    admin = world.headers("admin")
    named = await api_client.patch(
        f"/v1/organizations/{world.s1.id}", json={"short_name": "Ш1"}, headers=admin
    )
    assert named.status_code == 200 and named.json()["short_name"] == "Ш1"
    cleared = await api_client.patch(
        f"/v1/organizations/{world.s1.id}", json={"short_name": None}, headers=admin
    )
    assert cleared.status_code == 200 and cleared.json()["short_name"] is None
    programme = await reports_client.patch(
        f"/v1/pd-programmes/{world.programme.id}", json={"format": None}, headers=admin
    )
    assert programme.status_code == 200 and programme.json()["format"] is None
    assert (await db.get(PdProgramme, world.programme.id, populate_existing=True)).format is None


async def test_an_omitted_field_keeps_its_value(api_client, world, db):
    answer = await api_client.patch(
        f"/v1/organizations/{world.s1.id}",
        json={"short_name": "Ш1"},
        headers=world.headers("admin"),
    )
    assert answer.status_code == 200
    stored = await db.get(Organization, world.s1.id, populate_existing=True)
    assert stored.name == "Школа 1" and stored.context == {"students": 500}


# --- unreadable bodies and methods ----------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "content"),
    [
        ("application/json", b'{"name": "\xff\xfe"}'),
        ("multipart/form-data; boundary=xyz", b"--xyz\r\nNone--xyz--\r\n"),
    ],
)
async def test_a_body_that_cannot_be_read_is_422_naming_the_body(
    api_client, world, content_type, content
):
    answer = await api_client.post(
        f"/v1/activities/{world.a1.id}/files"
        if content_type.startswith("multipart")
        else "/v1/territories",
        content=content,
        headers=world.headers("admin") | {"content-type": content_type},
    )
    refused(answer, ["body"])


@pytest.mark.parametrize(
    ("service", "method", "path", "allow"),
    [
        ("api", "PUT", "/v1/territories/{id}", "GET, PATCH"),
        ("api", "DELETE", "/v1/territories", "GET, POST"),
        ("surveys", "PUT", "/v1/campaigns/{id}", "GET, PATCH"),
        ("reports", "PUT", "/v1/pd-programmes/{id}", "DELETE, GET, PATCH"),
        # A literal path wins over an item path of the same shape: the lookup is not an item.
        ("api", "PATCH", "/v1/organizations/lookup", "POST"),
        ("api", "OPTIONS", "/v1/roadmaps/import", "POST"),
        ("surveys", "OPTIONS", "/v1/instruments/xlsform", "POST"),
        ("reports", "PATCH", "/v1/recommendations/generate", "POST"),
    ],
)
async def test_405_lists_every_method_of_the_path_in_allow(
    api_client, surveys_client, reports_client, world, service, method, path, allow
):
    client = {"api": api_client, "surveys": surveys_client, "reports": reports_client}[service]
    answer = await client.request(
        method, path.format(id=uuid.uuid4()), headers=world.headers("admin")
    )
    assert answer.status_code == 405
    assert answer.headers["content-type"] == PROBLEM
    assert answer.headers["allow"] == allow


async def test_a_malformed_id_is_still_422_naming_it(api_client, world):
    answer = await api_client.get("/v1/territories/not-an-id", headers=world.headers("admin"))
    refused(answer, ["path", "territory_id"])


# --- found by the fuzz (tests/test_fuzz.py) -------------------------------------------------


async def test_an_unknown_staff_record_for_a_user_is_422_not_500(api_client, world, db):
    unknown = str(uuid.uuid4())
    admin = world.headers("admin")
    changed = await api_client.patch(
        f"/v1/users/{world.users['viewer'].id}", json={"staff_id": unknown}, headers=admin
    )
    refused(changed, ["body", "staff_id"])
    user = {
        "email": "new-admin@soko.example",
        "password": "correct-horse-battery-staple",
        "full_name": "Новый администратор",
        "role": "admin",
        "staff_id": unknown,
    }
    created = await api_client.post("/v1/users", json=user, headers=admin)
    refused(created, ["body", "staff_id"])
