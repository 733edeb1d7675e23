"""The access matrix's world."""

import pytest

from tests.access.cases import CHECKED
from tests.factories import World, add_data_indicator, build_world


@pytest.fixture
async def world(db, settings) -> World:
    """The standard world, a numeric indicator schools report (`CHECKED`) and a validation
    rule of M1 and one of M2."""
    from services.api.validation.models import ValidationRule

    world = await build_world(db, settings)
    await add_data_indicator(db, CHECKED, "Показатель с границами", "percent")
    world.validation_rules = {}
    for name, territory in (("m1", world.m1), ("m2", world.m2)):
        rule = ValidationRule(
            code=f"planning_{name}",
            owner_territory_id=territory.id,
            left="e_planning",
            operator="<=",
            right="1",
            message="Проверка",
            indicator_codes=["e_planning"],
        )
        db.add(rule)
        world.validation_rules[name] = rule.id
    await db.flush()
    return world
