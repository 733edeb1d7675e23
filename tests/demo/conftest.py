"""The demo loaded once for the tests of this folder that only read it."""

from dataclasses import dataclass

import pytest

from services.demo import load
from shared.migrations import upgrade
from shared.settings import Settings
from tests.conftest import run_sync


@dataclass(frozen=True)
class LoadedDemo:
    settings: Settings  # on the demo's own database
    said: str  # what `soko demo` printed


@pytest.fixture(scope="package")
async def loaded_demo(scratch_database) -> LoadedDemo:
    """A database of its own with the demo loaded (`load`, as `soko demo`), shared by the
    tests that use it: they must not change what another of them reads."""
    url = scratch_database()
    run_sync(upgrade, url)
    settings = Settings(database_url=url, environment="test", log_format="text")
    return LoadedDemo(settings, await load(url, only_if_empty=True, settings=settings))
