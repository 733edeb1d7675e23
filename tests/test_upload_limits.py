"""Every upload endpoint, as a careless client or an attacker would use it: bodies past the size
limit, decompression and size bombs; and the service keeps answering while a file is parsed."""

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import text

from tests import bombs
from tests.factories import World

MIB = 1024 * 1024
LIMIT = 20 * MIB  # SOKO_UPLOAD_MAX_BYTES by default
SECONDS, MEGABYTES = 10, 300  # loose: unbounded, these files took 21-133 s and up to 2.7 GB


@dataclass(frozen=True)
class Upload:
    service: str
    path: Callable[[World], str]
    who: str
    form: Callable[[World], dict[str, str]] = lambda w: {}


ROADMAP = Upload(
    "api",
    lambda w: "/v1/roadmaps/import",
    "analyst",
    lambda w: {"level": "municipality", "owner_type": "territory", "owner_id": str(w.m1.id)},
)
VALUES = Upload("api", lambda w: "/v1/data-values/upload", "api_key")  # a school's system
RESULTS = Upload("api", lambda w: "/v1/assessment-results/upload", "leader")
XLSFORM = Upload("surveys", lambda w: "/v1/instruments/xlsform", "analyst")
FILES = Upload("api", lambda w: f"/v1/activities/{w.a1.id}/files", "analyst")
UPLOADS = {"roadmap": ROADMAP, "values": VALUES, "results": RESULTS, "xlsform": XLSFORM}
UPLOADS_AND_FILES = UPLOADS | {"files": FILES}

# What a bomb could leave behind: nothing may be stored.
STORED = {
    "roadmaps": "SELECT count(*) FROM api.roadmap",
    "activities": "SELECT count(*) FROM api.activity",
    "data values": "SELECT count(*) FROM api.data_value",
    "results": "SELECT count(*) FROM api.assessment_result",
    "instrument versions": "SELECT count(*) FROM surveys.instrument_version",
    "activity files": "SELECT count(*) FROM api.activity_file",
}


async def stored(db) -> dict[str, int]:
    return {what: await db.scalar(text(query)) for what, query in STORED.items()}


async def send(client, world: World, upload: Upload, name: str, content: bytes):
    return await client(upload.service).post(
        upload.path(world),
        data=upload.form(world),
        files={"file": (name, content)},
        headers=world.headers(upload.who),
    )


async def refused_promptly(client, world: World, db, kind: str, name: str, content: bytes) -> dict:
    """Send `content` (a file under LIMIT) as `name` to the upload `kind` of UPLOADS: it is a
    422 problem naming the file, answered within SECONDS and MEGABYTES, and nothing is stored.
    The problem."""
    assert len(content) < LIMIT
    before = await stored(db)
    with bombs.Footprint() as footprint:
        answer = await send(client, world, UPLOADS[kind], name, content)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    assert problem["errors"][0]["loc"] == ["body", "file"], problem
    assert footprint.seconds < SECONDS and footprint.rise_mb < MEGABYTES, vars(footprint)
    assert await stored(db) == before
    return problem


def assert_too_large(answer: httpx.Response) -> None:
    assert answer.status_code == 413, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["x-request-id"]
    problem = answer.json()
    assert problem["type"] == "urn:soko:problem:content-too-large"
    assert "SOKO_UPLOAD_MAX_BYTES" in problem["detail"] and "больше 20 МБ" in problem["detail"]
    assert problem["errors"][0]["loc"] == ["body", "file"]
    assert problem["limit"] == {"name": "bytes", "value": LIMIT, "setting": "SOKO_UPLOAD_MAX_BYTES"}


@pytest.mark.parametrize("kind", UPLOADS_AND_FILES)
async def test_a_body_that_declares_more_than_the_limit_is_413(client, world, db, kind):
    before = await stored(db)
    answer = await send(client, world, UPLOADS_AND_FILES[kind], "big.csv", b"1" * (LIMIT + MIB))
    assert_too_large(answer)
    assert await stored(db) == before


@pytest.mark.parametrize("kind", UPLOADS_AND_FILES)
async def test_a_file_just_over_the_limit_is_413(client, world, db, kind):
    before = await stored(db)
    answer = await send(client, world, UPLOADS_AND_FILES[kind], "big.docx", b"1" * (LIMIT + 1))
    assert_too_large(answer)
    assert await stored(db) == before


@pytest.mark.parametrize("kind", UPLOADS_AND_FILES)
async def test_a_streamed_body_is_stopped_at_the_limit_and_not_read_further(client, world, kind):
    upload = UPLOADS_AND_FILES[kind]
    sent = 0
    multipart = "multipart/form-data; boundary=b0undary"

    async def endless_file() -> AsyncIterator[bytes]:
        nonlocal sent
        yield (
            b'--b0undary\r\nContent-Disposition: form-data; name="file"; filename="big.csv"'
            b"\r\nContent-Type: text/csv\r\n\r\n"
        )
        chunk = b"1;2;3\n" * (MIB // 6)
        for _ in range(200):  # 200 MB if nobody stops reading
            sent += len(chunk)
            yield chunk

    answer = await client(upload.service).post(
        upload.path(world),
        content=endless_file(),  # chunked: no Content-Length to refuse it by
        headers=world.headers(upload.who) | {"content-type": multipart},
    )
    assert_too_large(answer)
    assert sent <= LIMIT + 3 * MIB


HEADER = b"indicator_code;organization_id;period;value\n"  # else refused: no header found
BOMBS = [
    ("roadmap", "plan.docx", lambda: bombs.docx_paragraphs(3_000_000), "paragraphs"),
    ("roadmap", "plan.docx", lambda: bombs.docx_nested_tables(1_200), "tables"),
    ("roadmap", "plan.xlsx", lambda: bombs.xlsx_rows(2_000_000), "rows"),
    ("roadmap", "plan.csv", lambda: b"a" * 5_000_000, "text_chars"),
    ("roadmap", "plan.txt", lambda: b"\n" * 15_000_000, "rows"),
    ("values", "values.xlsx", lambda: bombs.xlsx_rows(2_000_000), "rows"),
    ("values", "values.csv", lambda: HEADER + b"e_planning;x;2021/2022;1\n" * 700_000, "data_rows"),
    ("values", "values.csv", lambda: b"1;" * 5_000_000, "text_chars"),
    ("results", "results.xlsx", lambda: bombs.xlsx_rows(2_000_000), "rows"),
    ("results", "results.csv", lambda: (b"1;" * 40_000 + b"\n") * 20, "cells"),
    ("xlsform", "form.xlsx", lambda: bombs.xlsx_rows(2_000_000), "rows"),
    ("xlsform", "form.xlsx", lambda: bombs.xlsx_shared_strings(1_000_000), "xml_elements"),
    ("values", "values.xlsx", lambda: bombs.xlsx_shared_strings(1_000_000), "xml_elements"),
]


@pytest.mark.parametrize(
    ("kind", "name", "make", "limit"),
    BOMBS,
    ids=[f"{kind}-{name}-{limit}" for kind, name, _, limit in BOMBS],
)
async def test_a_bomb_is_refused_promptly_naming_the_limit(
    client, world, db, kind, name, make, limit
):
    problem = await refused_promptly(client, world, db, kind, name, make())
    assert problem["limit"]["name"] == limit
    assert problem["detail"].startswith("Файл не принят: ")


@pytest.mark.parametrize("kind", ["roadmap", "xlsform"])
async def test_a_part_that_lies_about_its_size_is_422_naming_the_file(client, world, db, kind):
    bomb = bombs.lying_zip(declared=100, actual=400_000_000)
    name = "plan.docx" if kind == "roadmap" else "form.xlsx"
    problem = await refused_promptly(client, world, db, kind, name, bomb)
    assert "заявленн" in problem["detail"]


async def test_the_service_keeps_answering_while_a_slow_file_is_parsed(api_client, world):
    # A document within every limit, slow to read (some seconds), with no activity table.
    line = "Проведение мониторинга качества образования в организациях района\t" * 6 + "\n"
    document = (line * 5_000).encode()
    upload = asyncio.create_task(send(lambda _: api_client, world, ROADMAP, "plan.txt", document))
    began = last = time.perf_counter()
    answered, longest_gap = 0, 0.0
    while not upload.done():
        await asyncio.sleep(0.02)  # lets the upload run; returns late if the loop is held
        health = await api_client.get("/healthz")
        assert health.status_code == 200
        now = time.perf_counter()
        longest_gap, last = max(longest_gap, now - last), now
        answered += 1
    parsing = time.perf_counter() - began
    assert (await upload).status_code == 422  # read whole, and no activity table in it
    # Had the parse held the event loop, one gap between answers would span all of it.
    assert answered >= 3 and longest_gap < parsing / 2, (answered, longest_gap, parsing)


async def test_any_request_body_past_the_limit_is_413_naming_the_body(api_client, world):
    values = [{"indicator_code": "e_planning", "value": "1" * 1000}] * (22 * 1024)  # 22 MB
    answer = await api_client.post(
        "/v1/data-values", json={"values": values}, headers=world.headers("api_key")
    )
    assert answer.status_code == 413 and answer.json()["errors"][0]["loc"] == ["body"]
    assert answer.json()["limit"]["setting"] == "SOKO_UPLOAD_MAX_BYTES"
    # No file was sent: the answer speaks of the request's body.
    assert answer.json()["detail"].startswith("Запрос не принят: тело запроса больше")
    assert "файл" not in answer.json()["detail"].casefold()
