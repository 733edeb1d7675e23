"""More principals for the catalogue ownership tests: the analyst of M2 (the attacker of M1's
catalogue entries), the analyst of the region above both, and the methodologist of M2."""

from sqlalchemy.ext.asyncio import AsyncSession

from services.api.auth.service import user_principal
from shared.identity import issue_user_token
from shared.settings import Settings
from tests.factories import World, add_user


async def add_analysts(session: AsyncSession, settings: Settings, world: World) -> World:
    """`analyst2` (M2), `region_analyst` (the region) and `methodologist2` (M2), with tokens."""
    for name, role, territory in (
        ("analyst2", "territory_analyst", world.m2),
        ("region_analyst", "territory_analyst", world.region),
        ("methodologist2", "methodologist", world.m2),
    ):
        world.users[name] = add_user(
            session, f"{name}@soko.example", role, "territory", territory.id
        )
    await session.flush()
    for name in ("analyst2", "region_analyst", "methodologist2"):
        world.tokens[name] = issue_user_token(settings, user_principal(world.users[name]))
    return world
