"""A JSON body of a route that takes no bulk rows is held to SOKO_JSON_MAX_BYTES (4 MiB) as it
streams in: a tester sent 15 MB of one object's keys to the anonymous survey submission and
to organization routes without signing in, and each was parsed on the event loop for 5-13 s
before anything else, the service answering nothing else meanwhile. Bulk routes keep the
upload limit (a 10,000-row post is about 1.3 MB)."""

import json

import pytest

MIB = 1024 * 1024


def keys(count: int) -> bytes:
    """An object of `count` keys, as a tester's flood: {"k0": 0, "k1": 1, …}."""
    return json.dumps({"context": {f"k{i}": i for i in range(count)}}).encode()


@pytest.mark.parametrize("content_type", ["application/json", "application/merge-patch+json", None])
async def test_a_flood_of_keys_is_413_before_sign_in_or_parsing(api_client, world, content_type):
    body = keys(400_000)  # about 6 MB
    assert len(body) > 4 * MIB
    headers = {"content-type": content_type} if content_type else {}
    answer = await api_client.patch(
        f"/v1/organizations/{world.s1.id}", content=body, headers=headers
    )
    assert answer.status_code == 413, answer.text
    problem = answer.json()
    assert problem["limit"] == {
        "name": "bytes",
        "value": 4 * MIB,
        "setting": "SOKO_JSON_MAX_BYTES",
    }
    assert problem["detail"] == (
        "Запрос не принят: тело запроса больше 4,0 МБ (ограничение SOKO_JSON_MAX_BYTES)"
    )
    assert problem["errors"][0]["loc"] == ["body"]
    # A big but ordinary body (a roadmap of 1,200 activities is about 1.2 MB) gets through.
    sized = await api_client.patch(
        f"/v1/organizations/{world.s1.id}", content=keys(100_000), headers=headers
    )
    assert sized.status_code != 413, sized.text


async def test_the_anonymous_submission_is_held_to_its_own_smaller_limit(surveys_client, world):
    """Anyone with a link may post answers: past 256 KB (four times what an answer may hold)
    the body is not read, let alone parsed (400,000 keys took 2 s under the 4 MiB limit)."""
    campaign = next(iter(world.campaigns.values()))
    url = f"/v1/campaigns/{campaign.id}/responses"
    sent = 0

    async def flood():
        nonlocal sent
        yield b'{"organization_id": "%s", "answers": {' % str(world.s1.id).encode()
        for i in range(400_000):  # about 6 MB, chunked: no Content-Length to refuse it by
            chunk = b'"q%d": %d, ' % (i, i)
            sent += len(chunk)
            yield chunk
        yield b'"last": 0}}'

    answer = await surveys_client.post(
        url, content=flood(), headers={"content-type": "application/json"}
    )
    assert answer.status_code == 413, answer.text
    problem = answer.json()
    assert problem["limit"] == {"name": "bytes", "value": 256 * 1024, "setting": None}
    assert problem["detail"] == "Запрос не принят: тело запроса больше 256 КБ"
    assert problem["errors"][0]["loc"] == ["body"]
    assert sent < 300 * 1024  # the rest was never read
    # Declared too big: refused the same way without reading a byte of it.
    declared = await surveys_client.post(
        url, content=b"{" + b" " * 300_000 + b"}", headers={"content-type": "text/plain"}
    )
    assert declared.status_code == 413 and declared.json()["limit"]["value"] == 256 * 1024


async def test_a_bulk_post_past_the_json_limit_is_still_read(api_client, world):
    rows = [
        {
            "indicator_code": "e_planning",
            "organization_id": str(world.s1.id),
            "period": f"20{10 + i % 40}",
            "value": True,
            "comment": "x" * 200,
        }
        for i in range(10_000)
    ]
    body = json.dumps({"values": rows, "pad": "x" * (2 * MIB)}).encode()
    assert len(body) > 4 * MIB
    answer = await api_client.post(
        "/v1/data-values?dry_run=true",
        content=body,
        headers={"content-type": "application/json"} | world.headers("admin"),
    )
    assert answer.status_code != 413, answer.text
