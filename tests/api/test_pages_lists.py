"""What the homes' lists say, as a fresh user read them: counts in Russian agreement (#12),
the evidence count with the files (#17), each mentor named once (#14), the roadmaps in the
order of their periods (#24), the per-school rates scrolling inside their box (#11)."""

import html
import re
from datetime import timedelta

from services.api.roadmaps.models import Activity, RoadmapSection
from services.reports.pd_order.models import IndividualRoute
from shared.templating import ru_plural
from tests.api import test_pages
from tests.factories import add_roadmap
from tests.surveys.forms import DIAGNOSTIC, Dom, launch

browser = test_pages.browser
signed_in = test_pages.signed_in


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", Dom(html).text("main").replace("\xa0", " "))


def test_plural_forms_agree_with_the_number():
    forms = ("ответ", "ответа", "ответов")
    said = {n: f"{n} {ru_plural(n, *forms)}" for n in (0, 1, 2, 4, 5, 11, 12, 14, 21, 22, 42, 111)}
    assert said == {
        0: "0 ответов", 1: "1 ответ", 2: "2 ответа", 4: "4 ответа", 5: "5 ответов",
        11: "11 ответов", 12: "12 ответов", 14: "14 ответов", 21: "21 ответ",
        22: "22 ответа", 42: "42 ответа", 111: "111 ответов",
    }  # fmt: skip
    assert ru_plural(2.5, "балл", "балла", "баллов") == "балла"


async def test_progress_agrees_with_one_activity(browser, world):
    _, home = await signed_in(browser, "analyst@soko.example")
    text = _text(home.text)
    assert "Выполнено 0 из 1 мероприятия" in text  # R1's one activity
    assert "из 1 мероприятий" not in text


async def test_the_evidence_count_includes_the_files(browser, world, db):
    # A1 has a file (the factory's протокол.pdf); add a link.
    world.a1.evidence = [{"title": "Приказ", "url": "https://example.org/order"}]
    await db.flush()
    _, home = await signed_in(browser, "leader@soko.example")
    assert "Материалы о выполнении (2)" in _text(home.text)


async def test_a_mentor_of_two_competences_is_named_once(browser, world, db):
    mentor = {"staff_id": None, "full_name": "Романова Галина Александровна"}
    step = {
        "programme": None,
        "note": "Самообразование",
        "competences": [{"code": "design", "mentor": mentor}, {"code": "tools", "mentor": mentor}],
    }
    db.add(
        IndividualRoute(
            staff_id=world.t1.id, full_name="Иванова Мария", organization_id=world.s1.id,
            territory_id=world.m1.id, period="2021/2022", deficits=[], steps=[step],
        )
    )  # fmt: skip
    await db.flush()
    client, home = await signed_in(browser, "method@soko.example")
    home = await client.get("/home", params={"period": "2021/2022"})
    text = _text(home.text)
    assert "Наставник: Романова Галина Александровна" in text
    assert text.count("Романова Галина Александровна") == 1
    # The teacher's own route names no mentor: a mentor's high score is that colleague's result.
    _, home = await signed_in(browser, "teacher@soko.example")
    text = _text(home.text)
    assert "Самообразование" in text and "Романова" not in text and "Наставник" not in text


async def test_roadmaps_are_listed_by_period_then_title(browser, world, db):
    made = {}
    for title, period in (
        ("Карта 10", "2026/2027"), ("Карта без периода", None), ("Карта 9", "2026/2027"),
        ("Карта года", "2026"), ("Карта 2024", "2024/2025"),
    ):  # fmt: skip
        made[title], _, _ = await add_roadmap(db, world.m1, title, [])
        made[title].period = period
    await db.flush()
    _, home = await signed_in(browser, "analyst@soko.example")
    titles = re.findall(r"<h3>([^<]+)</h3>", home.text)
    listed = [t for t in titles if t.startswith(("Карта", "Дорожная карта МСОКО"))]
    assert listed == [
        "Карта 9", "Карта 10", "Карта года", "Карта 2024", "Дорожная карта МСОКО",
        "Карта без периода",
    ]  # fmt: skip


async def test_the_rates_by_school_scroll_inside_their_box(browser, surveys_client, world):
    schools = [world.s1.id, world.s2.id]
    campaign = await launch(surveys_client, world, DIAGNOSTIC.code, "teachers", schools, False)
    _, home = await signed_in(browser, "analyst@soko.example")
    section = home.text[home.text.index(campaign["title"]) :]
    box = section.index('class="table-scroll"')
    assert box < section.index("<table") < section.index("</table>") < section.index("</div>")


async def test_roadmap_titles_sort_ignoring_quote_marks(browser, world, db):
    """«"дорожная карта" 2.3» (straight quotes) sorted before ««дорожная карта» 1.1»."""
    for title in ('"дорожная карта" 2.3', "«дорожная карта» 1.1", "«дорожная карта» 1.10",
                  "«дорожная карта» 1.2"):  # fmt: skip
        roadmap, _, _ = await add_roadmap(db, world.m1, title, [])
        roadmap.period = "2026/2027"
    await db.flush()
    _, home = await signed_in(browser, "analyst@soko.example")
    titles = [html.unescape(t) for t in re.findall(r"<h3>([^<]+)</h3>", home.text)]
    listed = [t for t in titles if "дорожная карта" in t]
    assert listed == [
        "«дорожная карта» 1.1", "«дорожная карта» 1.2", "«дорожная карта» 1.10",
        '"дорожная карта" 2.3',
    ]  # fmt: skip


async def test_overdue_activities_are_under_their_sections(browser, world, db, settings):
    """Numbers restart in each section: «1. …, 2. …, 1. Совещание…» said which «1.» is which."""
    roadmap, first, _ = await add_roadmap(db, world.m1, "Карта с разделами", [])
    past = settings.today() - timedelta(days=10)
    second = RoadmapSection(roadmap_id=roadmap.id, position=1, title="Кадровое обеспечение")
    db.add(second)
    await db.flush()
    first.due_end = past
    db.add_all(
        [
            Activity(roadmap_id=roadmap.id, section_id=first.section_id, position=1,
                     number="2", title="Мониторинг сайтов", due_end=past),
            Activity(roadmap_id=roadmap.id, section_id=second.id, position=2, number="1",
                     title="Совещание руководителей", due_end=past),
        ]
    )  # fmt: skip
    await db.flush()
    _, home = await signed_in(browser, "analyst@soko.example")
    card = _text(home.text)
    card = card[card.index("Карта с разделами") :]
    card = card[: card.index("Все мероприятия")]
    assert "Просрочено: 3" in card
    assert re.sub(r" \(срок: [^)]*\) материалы", "", card).endswith(
        "Раздел 1 1. Анкетирование родителей 2. Мониторинг сайтов "
        "Раздел «Кадровое обеспечение» 1. Совещание руководителей "
    )
    # The roadmap's «Все мероприятия» names each activity's section too.
    client, _ = await signed_in(browser, "analyst@soko.example")
    page = _text((await client.get(f"/roadmaps/{roadmap.id}/activities")).text)
    assert (
        page.index("Раздел 1 1. Анкетирование родителей")
        < page.index("Раздел 1 2. Мониторинг сайтов")
        < page.index("Раздел «Кадровое обеспечение» 1. Совещание руководителей")
    )
