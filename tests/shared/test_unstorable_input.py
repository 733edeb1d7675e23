"""What no column can store, and numbers a sum could overflow: a 422 naming the field, never a 500.

Written as the tester sent them: NaN, Infinity and 1e400 in JSON (Python's reader takes them,
PostgreSQL's JSON does not), lone surrogates (`\\ud800`, which UTF-8 cannot encode) in any text,
and finite numbers so large that a tally or an aggregate would overflow float8. After each
refusal the stored data is checked to be unchanged.
"""

import json

import pytest
from sqlalchemy import ARRAY, JSON, Float, String, bindparam, text

from services.api.data_values.models import DataValue
from services.api.indicators.models import Indicator, IndicatorTarget
from services.api.roadmaps.models import Roadmap
from services.api.territories.models import Territory
from services.surveys.instruments.models import Instrument
from services.surveys.responses.models import Response
from shared.errors import Invalid
from tests.api.helpers import roadmap_body
from tests.shared.test_validation import count, refused

NAN, INF = float("nan"), float("inf")


def raw(value) -> bytes:
    """JSON as a careless client writes it: NaN and Infinity as bare words, a lone surrogate
    as its escape (json.dumps does both)."""
    return json.dumps(value).encode()


async def send(client, method: str, path: str, body, headers: dict):
    content = body if isinstance(body, bytes) else raw(body)
    return await client.request(
        method, path, content=content, headers=headers | {"content-type": "application/json"}
    )


def indicator(code: str, **fields) -> dict:
    return {
        "code": code,
        "name": "Показатель",
        "unit": "number",
        "level": "organization",
        "method": "data_value",
        "params": {"value_type": "number"},
    } | fields


def instrument_with(*questions: dict) -> dict:
    return {
        "code": "bounded_numbers",
        "kind": "satisfaction",
        "title": "Анкета с числами",
        "description": "",
        "audience": ["parents"],
        "sections": [{"code": "s1", "title": "Раздел", "questions": list(questions)}],
    }


# --- non-finite numbers ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "loc"),
    [
        ({"params": {"value_type": "number", "min": NAN}}, ["body", "params", "min"]),
        ({"params": {"value_type": "number", "max": -INF}}, ["body", "params", "max"]),
        ({"target": {"op": ">=", "value": NAN}}, ["body", "target", "value"]),
        ({"targets": [{"op": ">=", "value": 1}, {"op": ">", "value": INF}]}, None),
    ],
)
async def test_non_finite_numbers_in_a_new_indicator_are_422_naming_them(
    api_client, world, db, fields, loc
):
    loc = loc or ["body", "targets", 1, "value"]
    answer = await send(
        api_client, "POST", "/v1/indicators", indicator("nan_new", **fields), world.headers("admin")
    )
    body = refused(answer, loc)
    assert body["errors"][0]["type"] == "finite_number"
    assert "NaN" in body["errors"][0]["msg"]
    assert await count(db, Indicator, Indicator.code == "nan_new") == 0


async def test_non_finite_numbers_in_a_patch_of_ones_own_indicator_change_nothing(
    api_client, world, db
):
    analyst = world.headers("analyst")
    created = await api_client.post(
        "/v1/indicators", json=indicator("own_m1", target={"op": ">=", "value": 5}), headers=analyst
    )
    assert created.status_code == 201, created.text
    url = f"/v1/indicators/{created.json()['id']}"
    for body, loc in (
        ({"target": {"op": ">=", "value": NAN}}, ["body", "target", "value"]),
        ({"params": {"value_type": "number", "max": -INF}}, ["body", "params", "max"]),
        ({"targets": [{"op": "<", "value": -INF, "period": "2021/2022"}]}, None),
        (b'{"min_n": 2, "target": {"op": ">=", "value": 1e400}}', ["body", "target", "value"]),
    ):
        refused(
            await send(api_client, "PATCH", url, body, analyst),
            loc or ["body", "targets", 0, "value"],
        )
    after = (await api_client.get(url, headers=analyst)).json()
    assert after["target"] == {"op": ">=", "value": 5.0} and after["min_n"] == 1
    assert after["params"] == {"value_type": "number", "min": None, "max": None}
    assert await count(db, IndicatorTarget) == 0


DEFICIT = {"kind": "deficit", "competences": [{"code": "c1", "title": "Компетенция"}]}


@pytest.mark.parametrize(
    ("question", "kind", "loc"),
    [
        (
            {"code": "q1", "type": "number", "text": "Сколько?", "min": NAN},
            {},
            ["body", "sections", 0, "questions", 0, "min"],
        ),
        (
            {
                "code": "q1",
                "type": "test_item",
                "text": "Верно ли?",
                "competence": "c1",
                "options": [{"code": "a", "text": "Да", "correct": True, "points": INF}],
            },
            DEFICIT,
            ["body", "sections", 0, "questions", 0, "options", 0, "points"],
        ),
    ],
)
async def test_non_finite_numbers_in_an_instrument_are_422(
    surveys_client, world, db, question, kind, loc
):
    answer = await send(
        surveys_client,
        "POST",
        "/v1/instruments",
        instrument_with(question) | kind,
        world.headers("methodologist"),
    )
    refused(answer, loc)
    assert await count(db, Instrument, Instrument.code == "bounded_numbers") == 0


@pytest.mark.parametrize(
    ("service", "method", "path", "body", "loc"),
    [
        (
            "reports",
            "POST",
            "/v1/recommendation-rules",
            {
                "code": "nan_rule",
                "title": "Правило",
                "condition": "indicator_below",
                "params": {"threshold": NAN},
                "addressee_type": "authority",
                "template": "{indicator}",
            },
            ["body", "params", "threshold"],
        ),
        (
            "api",
            "PATCH",
            "/v1/organizations/{s1}",
            {"context": {"social_index": INF, "note": [1, {"deep": NAN}]}},
            None,
        ),
        (
            "api",
            "POST",
            "/v1/data-values",
            {
                "values": [
                    {
                        "indicator_code": "x",
                        "organization_id": "{s1}",
                        "period": "2022",
                        "value": NAN,
                    }
                ]
            },
            ["body", "values", 0, "value"],
        ),
    ],
)
async def test_non_finite_numbers_anywhere_in_a_json_body_are_422(
    api_client, reports_client, world, service, method, path, body, loc
):
    client = {"api": api_client, "reports": reports_client}[service]
    content = raw(body).replace(b"{s1}", str(world.s1.id).encode())
    answer = await send(
        client, method, path.format(s1=world.s1.id), content, world.headers("admin")
    )
    if loc is None:
        refused(answer, ["body", "context", "social_index"], ["body", "context", "note", 1, "deep"])
    else:
        refused(answer, loc)


# --- lone surrogates -------------------------------------------------------------------------


async def test_a_lone_surrogate_in_json_text_is_422_naming_the_field(api_client, world, db):
    passport = {"goal": "\ud800", "tasks": ["ok", "\udfff конец"]}
    body = roadmap_body(world, title="План", passport=passport, sections=[])
    answer = await send(api_client, "POST", "/v1/roadmaps", body, world.headers("admin"))
    body = refused(answer, ["body", "passport", "goal"], ["body", "passport", "tasks", 1])
    assert {e["type"] for e in body["errors"]} == {"surrogate_character"}
    assert await count(db, Roadmap, Roadmap.title == "План") == 0


async def test_a_surrogate_pair_is_one_character_and_is_stored(api_client, world):
    # "\ud83d\ude00" is how an ASCII-only JSON writer sends 😀: a pair, not a lone half.
    territory = {"name": "Район \ud83d\ude00", "kind": "region"}
    answer = await send(api_client, "POST", "/v1/territories", territory, world.headers("admin"))
    assert answer.status_code == 201, answer.text
    assert answer.json()["name"] == "Район 😀"


async def test_a_surrogate_in_a_json_key_is_named_by_its_escape(api_client, world, db):
    changes = {"context": {"students": 10, "x\udc80y": 1}}
    answer = await send(
        api_client, "PATCH", f"/v1/organizations/{world.s1.id}", changes, world.headers("admin")
    )
    body = refused(answer, ["body", "context", "x\\udc80y"])
    assert "\\udc80" in body["detail"]


async def test_a_bulk_post_read_by_orjson_still_refuses_nul_and_surrogates(api_client, world, db):
    # The data values' post reads its body with orjson, whose body is not walked when it
    # certainly holds nothing unstorable: U+0000 (which orjson reads) is still named, in a
    # value's text and in a key, and so is a lone surrogate (which orjson refuses).
    row = {"indicator_code": "x", "organization_id": str(world.s1.id), "period": "2022"}
    with_nul = [row | {"value": 1}, row | {"value": 2, "period": "20\x0022"}]
    with_nul.append(row | {"value": 3, "note\x00": 1})
    with_surrogate = [row | {"value": 1}, row | {"value": 3, "indicator_code": "\udc80"}]
    headers = world.headers("admin")
    answer = await send(api_client, "POST", "/v1/data-values", {"values": with_nul}, headers)
    refused(answer, ["body", "values", 1, "period"], ["body", "values", 2, "note\x00"])
    body = {"values": with_surrogate}
    answer = await send(api_client, "POST", "/v1/data-values", body, headers)
    refused(answer, ["body", "values", 1, "indicator_code"])
    assert await count(db, DataValue) == 0


async def test_raw_utf8_bytes_of_a_surrogate_are_refused_too(api_client, world, db):
    # Python's JSON reader decodes UTF-8 with "surrogatepass": ED A0 80 becomes U+D800.
    content = b'{"name": "\xed\xa0\x80", "kind": "region"}'
    answer = await send(api_client, "POST", "/v1/territories", content, world.headers("admin"))
    refused(answer, ["body", "name"])
    assert await count(db, Territory) == 3  # the world's


async def test_a_surrogate_in_a_public_survey_answer_is_422_and_stores_nothing(
    surveys_client, world, db
):
    campaign = world.campaigns["parents_s1"]
    answers = {f"nok_{i:02d}": True for i in range(1, 15)} | {"nok_15": "Спасибо \ud800"}
    answer = await send(
        surveys_client,
        "POST",
        f"/v1/campaigns/{campaign.id}/responses",
        {"organization_id": str(world.s1.id), "answers": answers},
        {"Idempotency-Key": "surrogate-1"},
    )
    refused(answer, ["body", "answers", "nok_15"])
    assert await count(db, Response, Response.campaign_id == campaign.id) == 0


async def test_undecodable_bytes_in_form_fields_and_queries_never_reach_the_database(
    api_client, world
):
    # Percent-decoding replaces what is not UTF-8 (U+FFFD): nothing unstorable is left.
    found = await api_client.get("/v1/territories?name=%ED%A0%80", headers=world.headers("admin"))
    assert found.status_code == 200
    signed_in = await api_client.post(
        "/v1/auth/token",
        content=b"username=%ED%A0%80&password=x",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert signed_in.status_code == 401
    part = (
        b'--b\r\nContent-Disposition: form-data; name="period"\r\n\r\n2021\xed\xa0\x80\r\n'
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="p.csv"\r\n'
        b"Content-Type: text/csv\r\n\r\n1;x\r\n--b--\r\n"
    )
    imported = await api_client.post(
        "/v1/roadmaps/import",
        content=part,
        headers=world.headers("admin") | {"content-type": "multipart/form-data; boundary=b"},
    )
    assert imported.status_code == 422, imported.text


# --- the database boundary -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "type_", "kind"),
    [
        ("a\ud800b", String(), "surrogate_character"),
        (NAN, Float(), "finite_number"),
        ({"k": [1, {"m": -INF}]}, JSON(), "finite_number"),
        (["ok", "x\x00"], ARRAY(String()), "nul_character"),
        ([1.5, 2.0, NAN], ARRAY(Float()), "finite_number"),
        (["organization"] * 5000 + ["x\ud800"], ARRAY(String()), "surrogate_character"),
    ],
)
async def test_a_statement_with_an_unstorable_parameter_is_not_sent(
    test_engine, value, type_, kind
):
    # What reaches a statement by another way than the request's fields (a file's cell, a
    # computed value) is stopped before PostgreSQL, named by its column.
    statement = text("SELECT :value").bindparams(bindparam("value", type_=type_))
    async with test_engine.connect() as conn:
        with pytest.raises(Invalid) as refusal:
            await conn.execute(statement, {"value": value})
    [error] = refusal.value.errors
    assert error["loc"] == ["value"] and error["type"] == kind
