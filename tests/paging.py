"""A paged list endpoint read as its clients read it (the contract's `{items, total}` with
`limit`, default 50 and at most 500, and `offset`): one item at a time, then all at once."""

from typing import Any


async def walk(
    client: Any, path: str, headers: dict, total: int, params: dict | None = None
) -> list[dict]:
    """Every item of the list at `path`, read with `limit=1` from each offset: each page has
    one item and says `total`, which must be `total`; past the end a page is empty. The items
    so read are those of one page of 500, in the same order, each once (by `id` where items
    have one). `limit=501` is a 422 naming `limit`. Returns the items."""
    params = params or {}
    seen: list[dict] = []
    for offset in range(total + 1):
        answer = await client.get(
            path, params=params | {"limit": 1, "offset": offset}, headers=headers
        )
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert set(body) == {"items", "total"} and body["total"] == total, body
        assert len(body["items"]) == (1 if offset < total else 0), body
        seen += body["items"]
    whole = await client.get(path, params=params | {"limit": 500}, headers=headers)
    assert whole.status_code == 200, whole.text
    assert whole.json() == {"items": seen, "total": total}
    ids = [item["id"] for item in seen if isinstance(item, dict) and "id" in item]
    assert len(ids) == len(set(ids)), ids
    too_many = await client.get(path, params=params | {"limit": 501}, headers=headers)
    assert too_many.status_code == 422, too_many.text
    assert [e["loc"] for e in too_many.json()["errors"]] == [["query", "limit"]]
    return seen
