"""Helpers the api tests share: the demo's roadmap documents, a roadmap, an assessment result,
and the checks both bulk endpoints pass alike."""

import asyncio
import io

import httpx
from openpyxl import Workbook

from services.demo.loader import SEEDS


def seed(prefix: str) -> tuple[str, bytes]:
    """The demo's roadmap text whose file name starts with `prefix` ("001"): name, bytes."""
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    return path.name, path.read_bytes()


def roadmap_body(world, **fields) -> dict:
    """A roadmap of the municipality M1 for 2021/2022 as `POST /v1/roadmaps` takes it
    (title "Дорожная карта МСОКО", no sections), with `fields` changed."""
    body = {
        "title": "Дорожная карта МСОКО",
        "level": "municipality",
        "owner_type": "territory",
        "owner_id": str(world.m1.id),
        "period": "2021/2022",
    }
    return body | fields


async def post_roadmap(client, world, who: str = "analyst", **fields) -> httpx.Response:
    """`POST /v1/roadmaps` of `roadmap_body(world, **fields)` as `who`: the answer as it is."""
    return await client.post(
        "/v1/roadmaps", json=roadmap_body(world, **fields), headers=world.headers(who)
    )


def result(world, org=None, **fields) -> dict:
    """A valid ВПР result of 10 fifth-graders in Russian (maximum 45) in S1 (or `org`), as
    posted to /v1/assessment-results, with `fields` changed."""
    row = {
        "organization_id": str(org or world.s1.id),
        "procedure": "vpr",
        "year": "2021/2022",
        "subject": "Русский язык",
        "grade": 5,
        "participants": 10,
        "marks": {"2": 1, "3": 3, "4": 4, "5": 2},
    }
    return row | fields


# The checks both bulk endpoints (data values, assessment results) pass alike. `post(rows,
# who="leader", **params)` posts `rows` to one of them (`who` a role or headers); each row is
# that endpoint's, of S1 unless said.


async def check_the_same_rows_twice_change_nothing(post, rows: list, changed: dict) -> None:
    """`rows` (all new) are imported, the same again are all unchanged, and `changed` (one of
    them with another value) is one update."""
    first = (await post(rows)).json()
    again = (await post(rows)).json()
    counts = (first["imported"], again["imported"], again["updated"], again["unchanged"])
    assert counts == (len(rows), 0, 0, len(rows)), (first, again)
    answer = (await post([changed])).json()
    assert (answer["updated"], answer["unchanged"]) == (1, 0), answer


async def check_an_api_key_posts_for_its_school_only(post, own: dict, other: dict, key: str):
    """Posted with S1's API key, `own` (S1's row) is imported and `other` (S2's) is rejected
    naming `organization_id`."""
    summary = (await post([own, other], who={"X-API-Key": key})).json()
    assert summary["imported"] == 1, summary
    [rejected] = summary["rejected"]
    assert rejected["index"] == 1 and rejected["errors"][0]["loc"] == ["organization_id"]


async def check_more_than_ten_thousand_rows_is_422(post, row: dict, field: str) -> None:
    """10 001 rows are a 422 naming the body's list `field`."""
    answer = await post([row] * 10_001)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"][:2] == ["body", field]


async def check_an_idempotency_key_replays(post, headers: dict, row: dict, other: dict) -> None:
    """Posted twice with `headers` (who posts, and an Idempotency-Key), `row` gets the first
    answer again, marked replayed; another body (`other`) with the same key is a 409."""
    first = await post([row], who=headers)
    replay = await post([row], who=headers)
    assert replay.json() == first.json() and replay.headers["idempotent-replayed"] == "true"
    assert (await post([other], who=headers)).status_code == 409


async def the_update_audited(client, world, entity_type: str) -> dict:
    """The one `update` audit event of `entity_type`, read by an administrator."""
    events = await client.get(
        "/v1/audit-events",
        params={"entity_type": entity_type, "action": "update"},
        headers=world.headers("admin"),
    )
    [event] = events.json()["items"]
    return event


async def post_at_once(app, post, rows: list, new: int) -> None:
    """Five clients post the same `rows` at once to `app` (`post(client, rows)`): every answer
    is 200, and `new` rows are imported once in all while the other posts find them unchanged."""
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answers = await asyncio.gather(*(post(client, rows) for _ in range(5)))
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
    assert sum(a.json()["imported"] for a in answers) == new
    assert sum(a.json()["unchanged"] for a in answers) == 4 * new


def xlsx(*rows: list) -> bytes:
    """A workbook of one sheet holding `rows` (the header first), as an upload sends it."""
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


async def upload(client, world, path: str, name: str, content: bytes, who="leader") -> dict:
    """`POST path` (a bulk endpoint's upload) of the file `content` named `name`, as `who`:
    the summary it answers."""
    answer = await client.post(path, files={"file": (name, content)}, headers=world.headers(who))
    return answer.json()
