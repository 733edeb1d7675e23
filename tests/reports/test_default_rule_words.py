"""A default recommendation rule stored by an earlier release says what the product says now,
unless someone changed its words: its template «… адресную поддержку организаций с
наименьшими значениями» (wrong for an indicator where lower is better, and naming nobody)
stayed in every installation made before {lowest}, since start-up only added missing rules."""

import json
import logging

import pytest
from sqlalchemy import select

from services.reports.recommendations.models import RecommendationRule
from services.reports.recommendations.rules import (
    SUPERSEDED,
    default_rule_id,
    default_rules,
    sync_defaults,
)
from shared.app import Synced, reference_data

AUTHORITY = "authority_indicator_not_achieved"
LEADER = "leader_low_response_rate"


def current(code: str) -> dict:
    return next(r for r in default_rules() if r["code"] == code)


async def stored(db, code: str) -> RecommendationRule:
    return await db.scalar(select(RecommendationRule).where(RecommendationRule.code == code))


async def test_a_default_holding_earlier_words_takes_the_present_ones_an_edited_one_stays(
    db, world
):
    earlier = json.loads(SUPERSEDED.read_text(encoding="utf-8"))
    old_template = earlier[AUTHORITY]["template"][0]
    assert "организаций с наименьшими значениями" in old_template
    authority = await db.get(RecommendationRule, default_rule_id(AUTHORITY))
    authority.template = old_template
    authority.actions = earlier[AUTHORITY]["actions"][0]
    leader = await stored(db, LEADER)
    leader.template = "Соберите ответы: {value}."  # an analyst's own words
    leader.actions = earlier[LEADER]["actions"][0]  # the shipped actions, never edited
    await db.flush()

    assert await sync_defaults(db) == Synced(added=0, updated=2)
    await db.flush()
    db.expire_all()
    authority = await stored(db, AUTHORITY)
    assert authority.template == current(AUTHORITY)["template"]
    assert "{lowest}" in authority.template
    assert authority.actions == current(AUTHORITY)["actions"]
    leader = await stored(db, LEADER)
    assert leader.template == "Соберите ответы: {value}."
    assert leader.actions == current(LEADER)["actions"]
    assert await sync_defaults(db) == Synced()  # up to date: nothing more


@pytest.mark.committed
async def test_start_up_says_rules_added_and_rules_brought_up_to_date_apart(
    apps, isolation, caplog
):
    async with isolation.begin() as session:
        earlier = json.loads(SUPERSEDED.read_text(encoding="utf-8"))
        authority = await stored(session, AUTHORITY)
        authority.template = earlier[AUTHORITY]["template"][0]
        await session.delete(await stored(session, LEADER))
    load = reference_data("default recommendation rules", sync_defaults, logging.getLogger("t"))
    with caplog.at_level(logging.INFO, logger="t"):
        await load(apps.reports)
    said = [r.getMessage() for r in caplog.records if r.name == "t"]
    assert said == [
        "added 1 default recommendation rules",
        "brought 1 default recommendation rules up to date",
    ]
    async with isolation() as session:
        assert (await stored(session, AUTHORITY)).template == current(AUTHORITY)["template"]
        assert (await stored(session, LEADER)).template == current(LEADER)["template"]


def test_every_superseded_text_is_of_a_default_rule_and_differs_from_its_present_one():
    earlier = json.loads(SUPERSEDED.read_text(encoding="utf-8"))
    for code, fields in earlier.items():
        rule = current(code)
        for name, texts in fields.items():
            assert name in ("title", "template", "actions"), name
            assert rule[name] not in texts, (code, name)
