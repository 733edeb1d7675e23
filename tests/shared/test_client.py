"""The peer client retries only what is safe to repeat, and names a peer that stays down."""

import httpx
import pytest
from fastapi import FastAPI, Response

from shared.client import ServiceClient
from shared.errors import PeerUnavailable


def flaky_peer(failures: int) -> tuple[FastAPI, dict[str, int]]:
    """A peer that answers 503 `failures` times, then 200; counts the calls it got."""
    calls = {"n": 0}
    app = FastAPI()

    @app.api_route("/thing", methods=["GET", "POST"])
    async def thing() -> Response:
        calls["n"] += 1
        return Response(status_code=503 if calls["n"] <= failures else 200)

    return app, calls


def client_for(app: FastAPI, retries: int = 2) -> ServiceClient:
    return ServiceClient(
        "peer", "http://peer", retries=retries, backoff=0, transport=httpx.ASGITransport(app=app)
    )


async def test_get_is_retried_until_the_peer_answers():
    app, calls = flaky_peer(failures=2)
    client = client_for(app)
    assert (await client.request("GET", "/thing")).status_code == 200
    assert calls["n"] == 3
    await client.aclose()


async def test_post_without_idempotency_key_is_not_retried():
    app, calls = flaky_peer(failures=1)
    client = client_for(app)
    with pytest.raises(PeerUnavailable):
        await client.request("POST", "/thing")
    assert calls["n"] == 1
    await client.aclose()


async def test_post_with_idempotency_key_is_retried():
    app, calls = flaky_peer(failures=1)
    client = client_for(app)
    answer = await client.request("POST", "/thing", headers={"Idempotency-Key": "k1"})
    assert answer.status_code == 200 and calls["n"] == 2
    await client.aclose()


async def test_unreachable_peer_is_peer_unavailable_naming_it():
    client = ServiceClient("surveys", "http://127.0.0.1:9", retries=1, backoff=0)
    with pytest.raises(PeerUnavailable) as caught:
        await client.request("GET", "/v1/anything")
    assert caught.value.status == 503
    assert caught.value.extra["peer"] == "surveys"
    await client.aclose()
