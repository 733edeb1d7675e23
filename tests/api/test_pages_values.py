"""The indicator values pages read from the reports service as the signed-in person: the
analyst's territory, its clusters, a cluster's schools (numbers, the words of the status, the
drill-down links, the school card), the default period, the viewer's read-only home; who may
not: a teacher, another school's leader of the same municipality. The decisions page with the
effect the reports service computes."""

import re

import pytest

from shared.periods import academic_year_of
from tests.api import test_pages
from tests.factories import add_user
from tests.facts import sync_facts
from tests.reports import helpers
from tests.reports.helpers import PERIOD, TRAINED_INDICATOR
from tests.reports.test_decisions import DECISION
from tests.surveys.forms import Dom

browser = test_pages.browser
signed_in = test_pages.signed_in
NAME = TRAINED_INDICATOR["name"]
# How a territory's or cluster's figure of "trained" (a data value in percent) is obtained.
BASIS = "(территории и кластеры: среднее по организациям, без учёта их численности)"


def text_of(answer, id_: str) -> str:
    """The text of the element `id_`, spaces as a reader sees them (one between cells)."""
    html = re.sub(r"(</(th|td|dt|dd)>|<br>)", r"\1 ", answer.text)
    return re.sub(r"\s+", " ", Dom(html).text(id_).replace("\xa0", " ")).strip()


@pytest.fixture
async def valued(api_client, world, apps, isolation):
    """ "trained" (target ≥ 70 %) in 2021/2022: S1 50 % (60 % the year before), S2 80 %
    (75 %) in M1's cluster C1; S3 90 % in M2. The reports' facts caught up."""
    answer = await api_client.post(
        "/v1/indicators", json=TRAINED_INDICATOR, headers=world.headers("admin")
    )
    assert answer.status_code == 201, answer.text
    rows = [
        ("trained", world.s1.id, "2020/2021", 60.0),
        ("trained", world.s1.id, PERIOD, 50.0),
        ("trained", world.s2.id, "2020/2021", 75.0),
        ("trained", world.s2.id, PERIOD, 80.0),
        ("trained", world.s3.id, PERIOD, 90.0),
    ]
    await helpers.post_values(api_client, world, rows, who="admin")
    await sync_facts(apps, isolation)
    return world


def values_url(scope_type: str, scope_id, **extra: str) -> str:
    return f"/values?scope_type={scope_type}&amp;scope_id={scope_id}&amp;period=2021%2F2022" + (
        "".join(f"&amp;{k}={v}" for k, v in extra.items())
    )


async def test_the_analyst_drills_from_the_territory_to_a_cluster_and_a_school(
    browser, valued, settings
):
    world = valued
    client, home = await signed_in(browser, "analyst@soko.example")
    assert 'href="/values"' in home.text and 'href="/decisions"' in home.text
    page = await client.get("/values", params={"period": PERIOD})
    assert page.status_code == 200, page.text
    assert "<title>Показатели — Район 1 — Soko</title>" in page.text
    row = text_of(page, "indicator-trained")
    # M1: S1 50 and S2 80, a mean of 65 %, short of 70; the year before (60 + 75) / 2 = 67.5.
    # The district's and the cluster's figures are the schools' percentages averaged: said so.
    assert row.startswith(
        f"{NAME} {BASIS} показать отдельно Район 1 65,0 % ✗ не достигнуто ≥ 70,0 % 67,5 % −2,5 п.п."
    )
    # A cluster whose name says it is one gets no «(кластер)» after it.
    assert "Кластер 1 65,0 % ✗ не достигнуто ≥ 70,0 %" in row and "(кластер)" not in row
    assert "Район 2" not in page.text and "Кластер 2" not in page.text  # M2 is not the analyst's
    cluster_link = values_url("cluster", world.c1.id)
    assert f'href="{cluster_link}"' in page.text

    cluster = await client.get(cluster_link.replace("&amp;", "&"))
    assert cluster.status_code == 200, cluster.text
    row = text_of(cluster, "indicator-trained")
    assert "Кластер 1 65,0 %" in row and BASIS in row
    # Schools in natural order, each with its value, status words, previous value and change.
    assert "Школа 1 карточка 50,0 % ✗ не достигнуто ≥ 70,0 % 60,0 % −10,0 п.п." in row
    assert "Школа 2 карточка 80,0 % ✓ достигнуто ≥ 70,0 % 75,0 % +5,0 п.п." in row
    assert row.index("Школа 1") < row.index("Школа 2")
    crumbs = f'<a href="{values_url("territory", world.m1.id)}">Район 1</a>'
    assert crumbs in cluster.text and '<span aria-current="page">Кластер 1</span>' in cluster.text
    school_link = values_url("organization", world.s1.id, via=world.c1.id)
    assert f'href="{school_link}"' in cluster.text

    school = await client.get(school_link.replace("&amp;", "&"))
    assert school.status_code == 200, school.text
    assert "Школа 1 50,0 % ✗ не достигнуто ≥ 70,0 %" in text_of(school, "indicator-trained")
    assert "среднее по организациям" not in school.text  # a school's own figure: nothing to say
    assert "Школа 2" not in Dom(school.text).text("main")
    assert f'<a href="{values_url("cluster", world.c1.id)}">Кластер 1</a>' in school.text
    card = f"{settings.reports_url}".rstrip("/") + f"/v1/reports/organizations/{world.s1.id}"
    assert f'href="{card}?format=html&amp;period=2021/2022"' in school.text

    schools = await client.get(
        "/values", params={"period": PERIOD, "schools": "1", "scope_type": "territory",
                           "scope_id": str(world.m1.id)},
    )  # fmt: skip
    row = text_of(schools, "indicator-trained")
    assert "Школа 1 карточка 50,0 %" in row and "Школа 2 карточка 80,0 %" in row
    assert "Кластер 1" not in row and "Школа 3" not in row


async def test_the_default_period_is_the_latest_with_data_and_periods_step(
    browser, api_client, valued, apps, isolation, settings
):
    world = valued
    latest = academic_year_of(settings.today()).previous  # last year: no value this year
    await helpers.post_values(
        api_client, world, [("trained", world.s1.id, latest.code, 95.0)], who="admin"
    )
    await sync_facts(apps, isolation)
    client, _ = await signed_in(browser, "analyst@soko.example")
    page = await client.get("/values")
    assert f"Период: {latest.code}" in page.text
    # Only S1 reported: M1's value is S1's, achieved.
    said = text_of(page, "indicator-trained")
    assert "Район 1 95,0 % по 1 из 2 орг. ✓ достигнуто ≥ 70,0 %" in said
    # The periods a step away are those with data (2021/2022 and last year), none after it:
    # the empty years between are never offered.
    before = PERIOD.replace("/", "%2F")
    assert f"period={before}" in page.text and f"← {PERIOD}</a>" in page.text
    assert f"← {latest.previous.code}" not in page.text and " →</a>" not in page.text
    earlier = await client.get("/values", params={"period": PERIOD})
    assert "Период: 2021/2022" in earlier.text
    assert "Район 1 65,0 %" in text_of(earlier, "indicator-trained")
    bad = await client.get("/values", params={"period": "2021/2023"})
    assert bad.status_code == 422 and "Период не распознан" in bad.text


async def test_a_few_early_values_of_a_new_year_do_not_hide_the_year_everyone_reported(
    browser, api_client, valued, apps, isolation, settings, db
):
    """Last year S1 and S2 reported three indicators; this year one school posted one value
    early: the page opens on last year (the documents choose by the same rule,
    `shared.default_period.thick`), and this year is a step away."""
    world = valued
    for code, name in (("mentors", "Доля наставников"), ("tutors", "Доля тьюторов")):
        more = TRAINED_INDICATOR | {"code": code, "name": name}
        answer = await api_client.post("/v1/indicators", json=more, headers=world.headers("admin"))
        assert answer.status_code == 201, answer.text
    this_year = academic_year_of(settings.today())
    last_year = this_year.previous
    rows = [
        (code, school, last_year.code, 80.0)
        for code in ("trained", "mentors", "tutors")
        for school in (world.s1.id, world.s2.id)
    ] + [("mentors", world.s1.id, this_year.code, 85.0)]
    await helpers.post_values(api_client, world, rows, who="admin")
    await sync_facts(apps, isolation)
    client, _ = await signed_in(browser, "analyst@soko.example")
    page = await client.get("/values")
    assert f"Период: {last_year.code}" in page.text
    assert f"{this_year.code} →" in page.text
    # This year's district figure is S1's alone, and says so; last year's is both schools'.
    early_page = await client.get("/values", params={"period": this_year.code})
    assert "Район 1 85,0 %" in text_of(early_page, "indicator-mentors")
    assert "по 1 из 2 орг." in text_of(early_page, "indicator-mentors")
    assert "из 2 орг." not in text_of(page, "indicator-mentors")

    # S1's full set early (all three indicators, as many as last year's): the region's three
    # schools are one third reported, so its page still opens on last year.
    early = [(code, world.s1.id, this_year.code, 85.0) for code in ("trained", "tutors")]
    await helpers.post_values(api_client, world, early, who="admin")
    add_user(db, "regional@soko.example", "territory_analyst", "territory", world.region.id)
    await db.flush()
    await sync_facts(apps, isolation)
    regional, _ = await signed_in(browser, "regional@soko.example")
    page = await regional.get("/values")
    assert f"Период: {last_year.code}" in page.text


async def test_no_data_and_no_target_are_said_in_words(
    browser, api_client, valued, apps, isolation
):
    world = valued
    untargeted = {**TRAINED_INDICATOR, "code": "trained_free", "target": None}
    answer = await api_client.post(
        "/v1/indicators", json=untargeted, headers=world.headers("admin")
    )
    assert answer.status_code == 201, answer.text
    rows = [("trained_free", world.s1.id, PERIOD, 40.0)]
    await helpers.post_values(api_client, world, rows, who="admin")
    await sync_facts(apps, isolation)
    client, _ = await signed_in(browser, "analyst@soko.example")
    page = await client.get("/values", params={"period": "2019/2020"})
    assert "Район 1 — – нет данных ≥ 70,0 % — —" in text_of(page, "indicator-trained")
    page = await client.get("/values", params={"period": PERIOD})
    said = text_of(page, "indicator-trained_free")
    assert "Район 1 40,0 % по 1 из 2 орг. · цель не задана — — —" in said
    one = await client.get("/values", params={"period": PERIOD, "indicator": "trained"})
    assert "indicator-trained_free" not in one.text and "Все показатели" in one.text
    unknown = await client.get("/values", params={"indicator": "nothing_such"})
    assert unknown.status_code == 404 and "Не найдено" in unknown.text


async def test_the_viewer_sees_the_values_read_only(browser, valued):
    world = valued
    _, home = await signed_in(browser, "viewer@soko.example")
    main = Dom(home.text)
    assert "Показатели" in main.text("values-title")
    row = text_of(home, "indicator-trained")
    assert "Район 1 65,0 % ✗ не достигнуто ≥ 70,0 %" in row and "Кластер 1" in row
    body = home.text.split("<main", 1)[1]
    assert "<form" not in body and "<button" not in body
    assert f'href="{values_url("cluster", world.c1.id)}"' in home.text


async def test_a_leader_sees_only_the_school_and_a_teacher_nothing(browser, valued):
    world = valued
    client, home = await signed_in(browser, "leader3@soko.example")  # S3's leader, M2
    assert 'href="/values"' in home.text
    own = await client.get("/values", params={"period": PERIOD})
    assert own.status_code == 200
    assert "Школа 3 90,0 % ✓ достигнуто ≥ 70,0 %" in text_of(own, "indicator-trained")
    # S1 is in the same region but not S3's: no value of it, whatever the way in.
    for params in (
        {"scope_type": "organization", "scope_id": str(world.s1.id)},
        {"scope_type": "cluster", "scope_id": str(world.c1.id)},
        {"scope_type": "territory", "scope_id": str(world.m1.id)},
    ):
        refused = await client.get("/values", params={"period": PERIOD, **params})
        assert refused.status_code == 404 and "50,0" not in refused.text, params
    # The leader of S1, whose school shares cluster C1 with S2: the cluster is not theirs to list.
    leader, _ = await signed_in(browser, "leader@soko.example")
    cluster = await leader.get(
        "/values", params={"period": PERIOD, "scope_type": "cluster", "scope_id": str(world.c1.id)}
    )
    assert cluster.status_code == 404 and "80,0" not in cluster.text
    mine = await leader.get("/values", params={"period": PERIOD})
    assert "Школа 1 50,0 %" in text_of(mine, "indicator-trained") and "Школа 2" not in mine.text
    teacher, _ = await signed_in(browser, "teacher@soko.example")
    for path in ("/values", "/decisions"):
        answer = await teacher.get(path)
        assert answer.status_code == 403 and "Недостаточно прав" in answer.text, path
    decisions = await leader.get("/decisions")
    assert decisions.status_code == 403


async def test_the_methodologist_reads_the_territory_s_values_too(browser, valued):
    client, home = await signed_in(browser, "method@soko.example")
    assert 'href="/values"' in home.text and 'href="/decisions"' in home.text
    page = await client.get("/values", params={"period": PERIOD})
    assert "Район 1 65,0 % ✗ не достигнуто" in text_of(page, "indicator-trained")
    assert (await client.get("/decisions")).status_code == 200


async def test_an_analyst_cannot_open_another_territory(browser, valued):
    world = valued
    client, _ = await signed_in(browser, "analyst@soko.example")
    for scope_type, scope_id in (("territory", world.m2.id), ("organization", world.s3.id)):
        answer = await client.get(
            "/values",
            params={"period": PERIOD, "scope_type": scope_type, "scope_id": str(scope_id)},
        )
        assert answer.status_code == 404 and "90,0" not in answer.text
    assert (await client.get("/values", params={"scope_id": "not-an-id"})).status_code == 404


async def test_the_administrator_chooses_a_territory(browser, valued, api_client, apps, isolation):
    world = valued
    # A cluster of the region itself (its schools from both municipalities): the region's own.
    ids = {"territory_id": world.region.id, "coordinator_id": world.s3.id}
    cluster = {"name": "Сеть опорных школ", "member_ids": [str(world.s1.id)]}
    cluster |= {key: str(value) for key, value in ids.items()}
    regional = await api_client.post("/v1/clusters", json=cluster, headers=world.headers("admin"))
    assert regional.status_code == 201, regional.text
    await sync_facts(apps, isolation)
    client, _ = await signed_in(browser, "admin@soko.example")
    page = await client.get("/values")
    assert f'href="/values?scope_type=territory&amp;scope_id={world.m2.id}"' in page.text
    region = await client.get(
        "/values",
        params={"period": PERIOD, "scope_type": "territory", "scope_id": str(world.region.id)},
    )
    row = text_of(region, "indicator-trained")
    # The region: S1 50, S2 80, S3 90: 73,3 %; its municipalities below, not their clusters
    # (C1 is M1's, C2 M2's): those are one click down, on the municipality's page.
    assert row.startswith(f"{NAME} {BASIS} показать отдельно Область 73,3 % ✓ достигнуто ≥ 70,0 %")
    assert "Район 1 65,0 %" in row and "Район 2 90,0 %" in row
    # A cluster whose name does not say it is one: said after its name.
    assert "Сеть опорных школ (кластер) 70,0 %" in row and "Кластер 1" not in row
    assert "Кластер 2" not in row
    m2 = {"period": PERIOD, "scope_type": "territory", "scope_id": str(world.m2.id)}
    district = await client.get("/values", params=m2)
    assert "Кластер 2 90,0 %" in text_of(district, "indicator-trained")
    assert "Кластер 2 (кластер)" not in district.text
    assert '<a href="/values">Все территории</a>' in region.text


async def test_decisions_show_the_effect_the_reports_service_computes(
    browser, api_client, reports_client, valued, apps, isolation
):
    world = valued
    await helpers.generate(reports_client, world)
    decision = DECISION  # taken on 01.06.2022
    await helpers.decide(reports_client, world, decision)
    await helpers.post_values(
        api_client, world, [("trained", world.s1.id, "2022/2023", 65.0)], who="admin"
    )
    await sync_facts(apps, isolation)
    client, _ = await signed_in(browser, "analyst@soko.example")
    page = await client.get("/decisions", params={"period": PERIOD})
    assert page.status_code == 200, page.text
    text = text_of(page, "main")
    assert "Управленческие решения — Район 1" in text
    # The intro says what the effect is in a manager's words, not the system's («сервис»).
    assert "Эффект — как изменилось значение показателя: до решения и за 2022/2023" in text
    assert "по тем же правилам, что и в отчётах" in text and "сервис" not in text
    # 8 of 11 → 25 of 33 shows 72,7 % → 75,8 % and +3,0 п.п.: the reader is told why.
    assert "Изменение рассчитано по неокруглённым значениям" in text
    assert decision["text"] in text and "Решение от 01.06.2022" in text
    assert f"Показатель {NAME} (Школа 1)" in text
    # 50 % before, 65 % in 2022/2023: +15 points, better (the reports service's `improved`).
    assert (
        "До решения (2021/2022) 50,0 %" in text
        and "После (2022/2023) 65,0 % · не достигнуто" in text
    )
    assert "Изменение +15,0 п.п." in text and "Есть эффект: улучшение." in text
    # No decisions in the years around it: no link to walk into empty years.
    assert "← 2020/2021" not in text and "2022/2023 →" not in text
    empty = await client.get("/decisions", params={"period": "2020/2021"})
    assert "Решений по рекомендациям 2020/2021 нет." in text_of(empty, "main")
    assert "2021/2022 →" in text_of(empty, "main")  # the nearest year with decisions
    # Compared with a year without S1's value: the effect cannot be told.
    later = await client.get("/decisions", params={"period": PERIOD, "compare": "2023/2024"})
    assert "Оценить нельзя: нет значения за 2023/2024." in later.text
    # The default period: the latest with decisions, from the newest recommendations' back,
    # compared with the period after it.
    found = await client.get("/decisions")
    assert "Рекомендации 2021/2022" in found.text and "Есть эффект: улучшение." in found.text
    # Another municipality's analyst would need the territory: M2 is outside M1's.
    other = await client.get("/decisions", params={"territory_id": str(world.m2.id)})
    assert other.status_code == 404


async def test_one_call_per_level_whatever_the_number_of_schools(
    browser, valued, apps, monkeypatch
):
    """A cluster's page asks the reports service twice (the cluster, its schools), a
    territory's twice (itself and its sub-territories, its clusters): never once per unit."""
    world = valued
    client, _ = await signed_in(browser, "admin@soko.example")
    asked: list[dict] = []
    peer = apps.api.state.peers["reports"]
    original = peer.request

    async def counted(method, path, **kwargs):
        if path == "/v1/indicator-values":
            asked.append(dict(kwargs.get("params") or {}))
        return await original(method, path, **kwargs)

    monkeypatch.setattr(peer, "request", counted)
    cluster = await client.get(
        "/values", params={"period": PERIOD, "scope_type": "cluster", "scope_id": str(world.c1.id)}
    )
    assert "Школа 1 карточка 50,0 %" in text_of(cluster, "indicator-trained")
    assert [(a["scope_type"], a["level"]) for a in asked] == [
        ("cluster", "cluster"),
        ("cluster", "organization"),
    ]
    asked.clear()
    region = await client.get(
        "/values",
        params={"period": PERIOD, "scope_type": "territory", "scope_id": str(world.region.id)},
    )
    assert "Школа" not in text_of(region, "indicator-trained")
    assert [(a["scope_type"], a["level"]) for a in asked] == [
        ("territory", "territory"),
        ("territory", "cluster"),
    ]


async def test_a_territory_without_organizations_says_so(
    browser, api_client, valued, apps, isolation, db
):
    """A new municipality with no school yet: one line, not every indicator «нет данных»."""
    from services.api.territories.models import Territory

    empty = Territory(name="Соседний район", kind="municipality", parent_id=valued.region.id)
    db.add(empty)
    await db.flush()
    add_user(db, "an2@soko.example", "territory_analyst", "territory", empty.id)
    await db.flush()
    await sync_facts(apps, isolation)
    client, _ = await signed_in(browser, "an2@soko.example")
    page = await client.get("/values", params={"period": PERIOD})
    assert page.status_code == 200, page.text
    assert "В территории пока нет организаций — значений показателей нет." in page.text
    assert "нет данных" not in page.text and "Все организации территории" not in page.text
    # Its decisions page has none: no word of effects compared with a year to come.
    decisions = await client.get("/decisions")
    assert decisions.status_code == 200, decisions.text
    assert "нет." in decisions.text and "против значения за" not in decisions.text


def test_only_values_counting_organizations_tell_a_territory_has_none():
    """A survey's value counts respondents, not organizations: beside data values saying 0
    organizations it does not keep the page from saying the territory has none."""
    import uuid

    from services.api.clients.models import IndicatorValue
    from services.api.pages.value_reads import Block, Table, Unit
    from shared.periods import parse_period

    scope = Unit("territory", uuid.uuid4(), "Соседний район")

    def block(code: str, coverage: dict) -> Block:
        item = IndicatorValue(
            indicator_code=code, indicator_name=code, unit="percent", scope_type="territory",
            scope_id=scope.scope_id, period=PERIOD, value=None, target=None, status="no_data",
            previous_value=None, change=None, coverage=coverage,
        )  # fmt: skip
        return Block(code, code, "percent", item)

    data = block("trained", {"organizations": 0, "organizations_reporting": 0})
    survey = block("satisfied", {"respondents": 0})
    table = Table(scope, parse_period(PERIOD), False, [data, survey], [scope])
    assert table.without_organizations
    table.blocks = [survey]
    assert not table.without_organizations  # nothing says how many organizations
    table.blocks = [block("trained", {"organizations": 3, "organizations_reporting": 0}), survey]
    assert not table.without_organizations
