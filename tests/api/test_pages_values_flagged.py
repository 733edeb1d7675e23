"""The values page marks a value flagged data went into, as `GET /v1/indicator-values` says
it (README, "Flagged values"): in words next to the value, a territory's and cluster's with
how many organizations' flagged values went in, the legend under the table; an unflagged
value carries no mark.

Crafted data through the real apps: test_pages_values' values (S1 50 %, S2 80 % in C1 of M1;
S3 90 % in M2) and an outlier bound of "trained" that S2's 80 % crosses."""

import pytest

from tests.api import test_pages, test_pages_values
from tests.api.test_pages_values import text_of
from tests.api.validation import set_bound
from tests.facts import sync_facts
from tests.reports.helpers import PERIOD

browser = test_pages.browser
signed_in = test_pages.signed_in
valued = test_pages_values.valued
MARK = "⚠ требует проверки"
WHY = "в значение вошли данные, которые нарушают правило проверки или похожи на выброс"


@pytest.fixture
async def flagged(api_client, valued, apps, isolation):
    """test_pages_values' values, then an outlier bound of "trained" at most 75 %: S2's 80 %
    of 2021/2022 crosses it (a bound's change recomputes the flags)."""
    world = valued
    await set_bound(api_client, world, "trained", 0, 75)
    await sync_facts(apps, isolation)
    return world


async def test_a_flagged_value_is_marked_in_words_on_the_values_page(browser, flagged):
    world = flagged
    client, _ = await signed_in(browser, "analyst@soko.example")

    page = await client.get("/values", params={"period": PERIOD})
    assert page.status_code == 200, page.text
    row = text_of(page, "indicator-trained")
    # M1 and its cluster: (50 + 80) / 2, S2's flagged value in it; the status words as ever.
    assert f"Район 1 65,0 % {MARK} (1 орг.) ✗ не достигнуто ≥ 70,0 %" in row
    assert f"Кластер 1 65,0 % {MARK} (1 орг.) ✗ не достигнуто" in row
    assert f'title="{WHY} (1 орг.)"' in page.text
    assert f"⚠ требует проверки — {WHY}" in page.text  # the legend

    cluster = await client.get(
        "/values",
        params={"period": PERIOD, "scope_type": "cluster", "scope_id": str(world.c1.id)},
    )
    row = text_of(cluster, "indicator-trained")
    assert f"Школа 2 карточка 80,0 % {MARK} ✓ достигнуто ≥ 70,0 % 75,0 %" in row
    assert "Школа 1 карточка 50,0 % ✗ не достигнуто ≥ 70,0 % 60,0 %" in row  # not flagged

    school = await client.get(
        "/values",
        params={"period": PERIOD, "scope_type": "organization", "scope_id": str(world.s1.id)},
    )
    assert "Школа 1 50,0 % ✗ не достигнуто" in text_of(school, "indicator-trained")
    assert "⚠" not in school.text and "требует проверки" not in school.text

    # The year before: nothing flagged, no mark and no legend.
    before = await client.get("/values", params={"period": "2020/2021"})
    assert "Район 1 67,5 % ✗ не достигнуто" in text_of(before, "indicator-trained")
    assert "⚠" not in before.text
