"""A peer's refusal is not an outage: the typed clients tell 4xx (a contract or permission
error) from 5xx and no answer, and read every page of a list with one pager."""

import logging

import httpx
import pytest

from shared.client import ServiceClient
from shared.errors import NotFound, PeerRefused, PeerUnavailable
from tests.factories import build_world


def client_of(app, token: str, **options) -> ServiceClient:
    return ServiceClient(
        "api", "http://api", transport=httpx.ASGITransport(app=app), token=lambda: token, **options
    )


async def test_a_refusal_is_told_from_an_outage(apps, db, settings, caplog):
    world = await build_world(db, settings)
    api = client_of(apps.api, world.tokens["admin"])
    # The peer refuses what it was sent (a limit it does not take): a contract error, logged.
    with (
        caplog.at_level(logging.ERROR, logger="soko.client"),
        pytest.raises(PeerRefused) as refused,
    ):
        await api.get_json("/v1/territories", params={"limit": 0})
    assert refused.value.status == 502 and refused.value.extra["peer_status"] == 422
    assert any("refused a call" in r.getMessage() for r in caplog.records)
    # Not there (or not readable by the user): NotFound, as the peer said.
    with pytest.raises(NotFound):
        await api.get_json("/v1/roadmaps/00000000-0000-0000-0000-000000000000")
    await api.aclose()
    # Nobody answers: an outage.
    down = ServiceClient("api", "http://127.0.0.1:9", token=lambda: "x", retries=0, timeout=2)
    with pytest.raises(PeerUnavailable):
        await down.get_json("/v1/territories")
    await down.aclose()


async def test_the_pager_reads_every_page(apps, db, settings):
    world = await build_world(db, settings)
    api = client_of(apps.api, world.tokens["admin"])
    names = [t["name"] for t in await api.pages("/v1/territories", size=1)]
    assert sorted(names) == ["Область", "Район 1", "Район 2"]
    await api.aclose()
