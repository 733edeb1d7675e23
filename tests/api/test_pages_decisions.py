"""The decisions page of a territory with decisions in several years: the default period (the
latest with decisions, from the newest recommendations' back) and the links to the nearest
years with decisions, found from one answer of the reports service rather than one call per
year stepped over (GET /v1/decisions/periods)."""

from tests.api import test_pages, test_pages_values
from tests.api.test_pages_values import text_of
from tests.api.validation import set_bound
from tests.facts import sync_facts
from tests.reports import helpers
from tests.reports.helpers import PERIOD
from tests.reports.test_decisions import DECISION

browser = test_pages.browser
valued = test_pages_values.valued
EARLIER, LATER = "2020/2021", "2022/2023"


async def _decide(reports_client, world, period: str) -> None:
    """A decision on S1's "trained" recommendation of `period` (issued now)."""
    generated = await helpers.generate(reports_client, world, period=period)
    assert generated.status_code == 200, generated.text
    await helpers.decide(reports_client, world, DECISION, period)


async def test_the_page_finds_its_years_in_one_answer_whatever_the_empty_years_between(
    browser, api_client, reports_client, valued, apps, isolation, monkeypatch
):
    world = valued
    # Decisions on 2020/2021's and 2021/2022's recommendations; 2022/2023 has recommendations
    # (S1 still below the target) but no decision.
    await _decide(reports_client, world, EARLIER)
    await _decide(reports_client, world, PERIOD)
    await helpers.post_values(api_client, world, [("trained", world.s1.id, LATER, 65.0)], "admin")
    await sync_facts(apps, isolation)
    assert (await helpers.generate(reports_client, world, period=LATER)).status_code == 200
    client, _ = await test_pages.signed_in(browser, "analyst@soko.example")
    asked: list[str] = []
    peer = apps.api.state.peers["reports"]
    original = peer.request

    async def counted(method, path, **kwargs):
        asked.append(path)
        return await original(method, path, **kwargs)

    monkeypatch.setattr(peer, "request", counted)

    # The default: the latest recommendations' period with decisions (2022/2023 has none),
    # linked to the earlier year with decisions, to no later one.
    found = await client.get("/decisions")
    assert found.status_code == 200, found.text
    shown = text_of(found, "main")
    assert "Рекомендации 2021/2022" in found.text and DECISION["text"] in shown
    assert f"← {EARLIER}" in shown and "→" not in shown
    # Three calls: the periods with decisions, the newest recommendations' period, the
    # decisions of the one shown (before: one a period stepped over, eight here).
    assert asked == ["/v1/decisions/periods", "/v1/recommendations", "/v1/decisions"]
    asked.clear()

    earlier = await client.get("/decisions", params={"period": EARLIER})
    shown = text_of(earlier, "main")
    assert DECISION["text"] in shown and f"{PERIOD} →" in shown and "←" not in shown
    assert asked == ["/v1/decisions/periods", "/v1/decisions"]
    asked.clear()

    # A year without decisions: the nearest one before it, and one call (it has none to read).
    empty = await client.get("/decisions", params={"period": LATER})
    shown = text_of(empty, "main")
    assert f"Решений по рекомендациям {LATER} нет." in shown
    assert f"← {PERIOD}" in shown and "→" not in shown
    assert asked == ["/v1/decisions/periods"]


async def test_a_decision_s_value_after_says_it_is_flagged(
    browser, api_client, reports_client, valued, apps, isolation
):
    # S1's 50 % of 2021/2022 got a decision; its 99 % of 2022/2023 breaks the bound (≤ 85 %).
    world = valued
    await _decide(reports_client, world, PERIOD)
    await set_bound(api_client, world, "trained", 0, 85)
    await helpers.post_values(api_client, world, [("trained", world.s1.id, LATER, 99.0)], "admin")
    await sync_facts(apps, isolation)

    params = {"territory_id": str(world.m1.id), "period": PERIOD, "compare_period": LATER}
    answer = await reports_client.get(
        "/v1/decisions", params=params, headers=world.headers("analyst")
    )
    assert answer.status_code == 200, answer.text
    [effect] = [d["effect"] for d in answer.json()["items"]]
    assert (effect["after"], effect["flagged"], effect["flagged_organizations"]) == (99, True, 1)

    client, _ = await test_pages.signed_in(browser, "analyst@soko.example")
    page = await client.get("/decisions", params={"period": PERIOD, "compare": LATER})
    assert page.status_code == 200, page.text
    shown = text_of(page, "main")
    assert f"После ({LATER}) 99,0 % ⚠ требует проверки" in " ".join(shown.split())
    assert "⚠ требует проверки — в значение вошли данные" in shown

    # Compared with 2021/2022 itself (S1's 50 %, not flagged): no mark, no legend.
    page = await client.get("/decisions", params={"period": PERIOD, "compare": PERIOD})
    assert "⚠" not in text_of(page, "main")


async def test_the_page_says_an_effect_over_too_few_schools_cannot_be_judged(
    browser, api_client, reports_client, valued, apps, isolation
):
    world = valued
    # A third school in M1: the district's 65 % of 2021/2022 is S1's and S2's (2 of 3).
    third = await api_client.post(
        "/v1/organizations",
        json={"name": "Школа 4", "kind": "school", "territory_id": str(world.m1.id)},
        headers=world.headers("admin"),
    )
    assert third.status_code == 201, third.text
    await sync_facts(apps, isolation)
    assert (await helpers.generate(reports_client, world)).status_code == 200
    listed = await reports_client.get(
        "/v1/recommendations",
        params={"territory_id": str(world.m1.id), "period": PERIOD, "limit": 200},
        headers=world.headers("analyst"),
    )
    [rec] = [
        r
        for r in listed.json()["items"]
        if r["rule_code"] == "authority_indicator_not_achieved"
        and r["subject"] == "indicator:trained"
    ]
    taken = await reports_client.post(
        f"/v1/recommendations/{rec['id']}/decisions",
        json=DECISION,
        headers=world.headers("analyst"),
    )
    assert taken.status_code == 201, taken.text
    # 2022/2023: S1 alone so far (1 of 3), 95 %: no effect of 30 points to show.
    await helpers.post_values(api_client, world, [("trained", world.s1.id, LATER, 95.0)], "admin")
    await sync_facts(apps, isolation)
    client, _ = await test_pages.signed_in(browser, "analyst@soko.example")
    page = await client.get("/decisions", params={"period": PERIOD, "compare": LATER})
    assert page.status_code == 200, page.text
    shown = text_of(page, "main")
    assert "Изменение не оценивается: значения несопоставимы" in shown
    assert (
        f"Оценить нельзя: значения несопоставимы: за {PERIOD} — по 2 из 3 организаций, "
        f"за {LATER} — по 1 из 3 (сравниваются значения не менее чем по 50 % организаций "
        "группы)." in shown
    )
    assert "+30" not in shown and "Есть эффект" not in shown


async def test_an_effect_is_judged_on_a_later_period_only(
    browser, api_client, reports_client, valued, apps, isolation
):
    """A decision on 2021/2022's value compared with 2021/2022 itself was «Эффекта нет: без
    изменений» (70 % against 70 %), and with 2020/2021, before it was taken, judged too: it
    cannot have changed either. Both are not judged now, saying why; 2022/2023 still is."""
    world = valued
    await _decide(reports_client, world, PERIOD)
    await helpers.post_values(
        api_client,
        world,
        [("trained", world.s1.id, EARLIER, 40.0), ("trained", world.s1.id, LATER, 65.0)],
        "admin",
    )
    await sync_facts(apps, isolation)

    async def effect_in(compare: str) -> dict:
        params = {"territory_id": str(world.m1.id), "period": PERIOD, "compare_period": compare}
        answer = await reports_client.get(
            "/v1/decisions", params=params, headers=world.headers("analyst")
        )
        assert answer.status_code == 200, answer.text
        [effect] = [d["effect"] for d in answer.json()["items"]]
        return effect

    same, earlier, later = [await effect_in(p) for p in (PERIOD, EARLIER, LATER)]
    for effect in (same, earlier):
        assert effect["reason"] == "not_later"
        assert (effect["after"], effect["change"], effect["improved"]) == (None, None, None)
        assert (effect["status_after"], effect["flagged"]) == (None, None)
    assert same["reason_text"] == "решение принято по значению этого периода"
    assert earlier["reason_text"] == (
        f"{EARLIER} — не позже периода решения ({PERIOD}), его эффект виден только в более "
        "поздних периодах"
    )
    assert (later["reason"], later["after"], later["improved"]) == (None, 65.0, True)

    client, _ = await test_pages.signed_in(browser, "analyst@soko.example")
    page = await client.get("/decisions", params={"period": PERIOD, "compare": PERIOD})
    shown = " ".join(text_of(page, "main").split())
    assert "Оценить пока нельзя: решение принято по значению этого периода." in shown
    assert "Эффекта нет" not in shown and "Изменение не оценивается" in shown
    assert f"После ({PERIOD}) — Изменение" in shown  # no status of a value not judged
    page = await client.get("/decisions", params={"period": PERIOD, "compare": EARLIER})
    shown = " ".join(text_of(page, "main").split())
    assert f"Оценить пока нельзя: {EARLIER} — не позже периода решения ({PERIOD})" in shown
    assert "Есть эффект" not in shown and "Эффекта нет" not in shown
